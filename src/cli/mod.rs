//! The command line: the only code that knows clap, the terminal, env vars and exit codes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
