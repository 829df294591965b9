//! `zkstream` with GPU slots: the same command line as the main binary (its code is shared, not
//! copied), with boojum's GPU prover registered as the backend for GPU slots.

#[path = "../../dataflow/src/cmd/mod.rs"]
mod cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    zkstream_gpu::install();
    cmd::main()
}
