//! The seed of a randomized test: taken from an environment variable when set (to repeat a run),
//! else drawn from the clock; printed either way, with the variable that repeats it.

use std::time::{SystemTime, UNIX_EPOCH};

/// The seed for `what`: `$var` if it parses as a number, else a fresh one. Prints
/// `"{what}: seed S ({var}=S repeats it)"` to stderr, which the test harness shows on a failure.
pub fn seed(var: &str, what: &str) -> u64 {
    let seed = chosen(std::env::var(var).ok().as_deref());
    eprintln!("{what}: seed {seed} ({var}={seed} repeats it)");
    seed
}

/// `value` if it is a number, else one drawn from the clock.
fn chosen(value: Option<&str>) -> u64 {
    value
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            // Nanoseconds too, so that tests started in the same second draw different seeds.
            now.as_secs() ^ u64::from(now.subsec_nanos()).rotate_left(32)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_kept_and_anything_else_draws_a_fresh_seed() {
        assert_eq!(chosen(Some(" 42 ")), 42);
        let drawn = chosen(Some("forty-two"));
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_ne!(drawn, chosen(None), "two draws gave the same seed");
    }
}
