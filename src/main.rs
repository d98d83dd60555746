#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

fn main() -> ExitCode {
    match apx::cli::parse_args(std::env::args_os()) {
        Ok(cli) => ExitCode::from(apx::cli::run(cli)),
        Err(code) => ExitCode::from(code),
    }
}
