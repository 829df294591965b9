//! `zkstream`: the command-line entry point.

mod cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Before anything builds a constraint system, and while still single-threaded.
    zkstream_prover::init_resolver_threads();
    cmd::init_logging();
    match cmd::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
