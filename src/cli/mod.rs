//! The headless CLI: parses flags, drives the engine, prints results.

pub mod args;
mod catalog;
mod demo;
mod device;
mod diff;
mod export;
mod fanout;
mod filter;
mod import;
mod output;
mod probe;
mod proxy;
mod run;
mod send;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use clap::Parser;

use crate::core::error::Failure;
use crate::engine::{Engine, Event, EventSink, Job, RequestResult};
pub use args::{Cli, Command};

/// Global options every command sees.
pub struct Context {
    pub workspace: PathBuf,
    pub json: bool,
}

/// Parses the arguments. A usage error is printed (as JSON with `--json`)
/// and returned as exit code 2; help and version exit 0.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Cli, u8> {
    let args: Vec<OsString> = args.into_iter().collect();
    Cli::try_parse_from(&args).map_err(|e| {
        let is_error = e.use_stderr();
        if is_error && args.iter().any(|a| a == "--json") {
            let (message, tips) = summary(&e.to_string());
            let mut failure = Failure::usage(
                message,
                "Run `apx --help` (or `apx COMMAND --help`) for the options.",
            );
            failure.details = tips;
            output::print_json(&serde_json::json!({"error": failure}));
        } else {
            let _ = e.print();
        }
        if is_error { 2 } else { 0 }
    })
}

/// clap's message on one line, without its usage and help footer ("the
/// following required arguments were not provided: <TARGET>"), and its
/// tips apart.
fn summary(text: &str) -> (String, Vec<String>) {
    let lines = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let (tips, message): (Vec<&str>, Vec<&str>) = lines.partition(|l| l.starts_with("tip:"));
    let message = message.join(" ").trim_start_matches("error: ").to_string();
    (message, tips.into_iter().map(str::to_string).collect())
}

/// With `-v`, logs to stderr (both front ends).
pub fn init_logging(verbose: bool) {
    if verbose {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::INFO)
            .without_time()
            .with_target(false)
            .init();
    }
}

/// Runs a subcommand; returns the exit code.
pub fn run(ctx: Context, command: Command) -> u8 {
    let ctx = &ctx;
    match command {
        Command::Send(args) => send::run(ctx, args),
        Command::Probe(args) => probe::run(ctx, args),
        Command::Device(command) => device::run(ctx, command),
        Command::Proxy(command) => proxy::run(ctx, command),
        Command::Demo => demo::run(ctx),
        Command::Import(command) => import::run(ctx, command),
        Command::Export(command) => export::run(ctx, command),
        Command::Run(args) => run::run(ctx, args),
        Command::Diff(args) => diff::run(ctx, args),
        Command::Catalog(args) => catalog::list(ctx, args),
    }
}

impl Cli {
    /// The global options every command sees.
    pub fn context(&self) -> Context {
        Context {
            workspace: self.workspace.clone(),
            json: self.json,
        }
    }
}

/// Prints a failure of a command that is not `send`; returns its exit code.
fn report(ctx: &Context, failure: &Failure) -> u8 {
    report_failure(ctx.json, failure)
}

/// Prints a failure (as JSON with `--json`); returns its exit code.
pub fn report_failure(json: bool, failure: &Failure) -> u8 {
    if json {
        output::print_json(&serde_json::json!({"error": failure}));
    } else {
        output::print_failure(failure);
    }
    failure.kind.exit_code()
}

/// Runs a future to completion on a runtime of the calling thread.
fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}"), ""))?;
    Ok(runtime.block_on(future))
}

/// Runs a job on a fresh engine and waits for every result.
fn blocking_run(job: Job) -> Vec<RequestResult> {
    let (tx, rx) = mpsc::channel();
    let count = job.requests.len();
    let engine = match Engine::start(EventSink::new(tx, Arc::new(|| {}))) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("apx: cannot start the async runtime: {e}");
            std::process::exit(3);
        }
    };
    let id = engine.run(job);
    let mut results = Vec::with_capacity(count);
    for event in rx.iter() {
        match event {
            Event::Finished { job, result, .. } if job == id => results.push(*result),
            Event::JobDone { job } if job == id => break,
            _ => {}
        }
    }
    results
}
