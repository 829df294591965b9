//! `zkstream` with GPU slots: the same command line as the main binary (its code is shared, not
//! copied), with boojum's GPU prover registered as the backend for GPU slots.

#[path = "../../dataflow/src/cmd/mod.rs"]
mod cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    zkstream_gpu::install();
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
