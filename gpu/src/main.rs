//! `zkstream` with GPU slots: the command line of `cli/` (a library), with boojum's GPU prover as the
//! backend of GPU slots.

use std::process::ExitCode;

fn main() -> ExitCode {
    zkstream_cli::main(zkstream_gpu::backends())
}
