//! `zkstream`: the command line of this crate's library, proving on CPU slots (the GPU build is `gpu/`).

use std::process::ExitCode;

fn main() -> ExitCode {
    zkstream_cli::main(zkstream_dataflow::gpu::Backends::default())
}
