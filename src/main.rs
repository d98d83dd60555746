#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

/// Chooses the front end: a subcommand runs the headless CLI, none opens
/// the desktop app.
fn main() -> ExitCode {
    // A jq filter's worker process (see `engine::filter_process`): told by
    // the environment, before the arguments, so it is no subcommand.
    if apx::engine::filter_process::is_worker() {
        return ExitCode::from(apx::engine::filter_process::serve());
    }
    let cli = match apx::cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    apx::cli::init_logging(cli.verbose);
    let context = cli.context();
    match cli.command {
        Some(command) => ExitCode::from(apx::cli::run(context, command)),
        None => match apx::ui::run(cli.workspace, cli.demo) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let failure = apx::core::error::Failure::new(
                    apx::core::error::FailureKind::Connect,
                    format!("the desktop app could not start: {e}"),
                    "The app needs a display (X11 or Wayland). The subcommands (`apx --help`) work without one.",
                );
                ExitCode::from(apx::cli::report_failure(cli.json, &failure))
            }
        },
    }
}
