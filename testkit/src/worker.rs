//! Driving a timely worker by hand in a test: step it for a while, or until a condition holds (the
//! condition runs after every step, so it may also assert an invariant at every step).

use std::time::{Duration, Instant};

use timely::worker::Worker;

/// Pause between steps: long enough to let other threads (a broker client, a prover slot) run.
const PAUSE: Duration = Duration::from_millis(2);

/// Steps `worker` until `after_step` returns true (checked after every step) or `limit` passes;
/// returns whether it did.
pub fn step_until(
    worker: &mut Worker,
    limit: Duration,
    mut after_step: impl FnMut() -> bool,
) -> bool {
    let t = Instant::now();
    loop {
        worker.step();
        if after_step() {
            return true;
        }
        if t.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(PAUSE);
    }
}

/// Steps `worker` for `time`, whatever happens.
pub fn step_for(worker: &mut Worker, time: Duration) {
    step_until(worker, time, || false);
}
