//! `zkstream`: the command-line entry point.

mod cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    cmd::main()
}
