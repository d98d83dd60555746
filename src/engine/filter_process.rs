//! jq filters run in a child process, the `apx` binary itself in its worker
//! mode, so that a filter that recurses without end overflows the child's
//! stack (Rust aborts the process that overflows) and not the app's or the
//! CLI's. The child gets the expression and body on stdin and answers on
//! stdout (`core::filter_wire`); it is killed on cancel and at a time limit.
//!
//! Worker mode is the environment variable [`WORKER_ENV`], checked at the top
//! of `main` before the arguments are parsed: it is no subcommand, so the
//! command line (its help, its contract) does not change.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use crate::core::filter::{self, Output};
use crate::core::filter_wire::{self, MAX_ANSWER_BYTES, Mode};

/// Set (to `1`) in the worker's environment: `main` then serves one filter.
pub const WORKER_ENV: &str = "APX_FILTER_WORKER";
/// The worker's time limit in ms, in its environment: past it the worker
/// ends itself, so that one whose parent died (and can no longer kill it)
/// does not run on.
const LIMIT_ENV: &str = "APX_FILTER_LIMIT_MS";
/// The limit a worker keeps when it is told none (the CLI's).
const LONGEST_LIMIT: Duration = Duration::from_secs(60);
/// What the worker's own limit adds to its parent's (which comes first).
const GRACE: Duration = Duration::from_secs(1);
/// The worker's one argument, which `main` ignores and a test harness
/// refuses (so that a harness started by mistake exits instead of running its tests).
const WORKER_ARG: &str = "--apx-filter-worker";
/// How long the app lets a filter run (the CLI allows longer).
pub const TIME_LIMIT: Duration = Duration::from_secs(10);
/// How often a waiting run looks at its cancel flag and the clock.
const POLL: Duration = Duration::from_millis(20);
/// The most of the worker's stderr kept to tell why it died.
const MAX_STDERR_BYTES: u64 = 8192;

static PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Runs the worker from `path` instead of this executable: for test
/// harnesses, whose own executable is not `apx` (they pass
/// `env!("CARGO_BIN_EXE_apx")`). The first call wins.
pub fn set_program(path: impl Into<PathBuf>) {
    let _ = PROGRAM.set(path.into());
}

/// Whether this process was started as a filter worker.
pub fn is_worker() -> bool {
    std::env::var_os(WORKER_ENV).is_some_and(|v| v == "1")
}

/// The worker's `main`: reads one request from stdin, answers on stdout.
/// Exit 0 when it answered, 2 when the request was not one.
pub fn serve() -> u8 {
    let limit = std::env::var(LIMIT_ENV)
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(LONGEST_LIMIT, Duration::from_millis)
        .min(LONGEST_LIMIT);
    // The watchdog: the parent kills the worker at its limit; should the
    // parent be gone, the worker ends itself a little later.
    let _ = std::thread::Builder::new()
        .name("filter watchdog".into())
        .spawn(move || {
            std::thread::sleep(limit + GRACE);
            eprintln!("apx filter worker: past its time limit");
            std::process::exit(3);
        });
    let request = match filter_wire::read_request(&mut io::stdin().lock()) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("apx filter worker: {e}");
            return 2;
        }
    };
    let worked = std::thread::Builder::new()
        .name("filter".into())
        .stack_size(filter::STACK_SIZE)
        .spawn(move || match request.mode {
            Mode::Compile => Output {
                results: Vec::new(),
                error: filter::Filter::compile(&request.code)
                    .err()
                    .map(|e| e.to_string()),
            },
            Mode::Run => filter::apply(&request.code, &request.body, &AtomicBool::new(false)),
        })
        .map_err(|e| format!("cannot start the filter: {e}"))
        .and_then(|thread| {
            thread
                .join()
                .map_err(|_| "the filter stopped on an internal error".to_string())
        });
    let output = worked.unwrap_or_else(|error| Output {
        results: Vec::new(),
        error: Some(error),
    });
    let mut out = io::stdout().lock();
    match filter_wire::write_answer(&mut out, &output).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Checks that `code` compiles (in a worker: the compiler recurses too).
pub fn check(code: &str) -> Result<(), String> {
    let output = exchange(
        Mode::Compile,
        code,
        &[],
        &AtomicBool::new(false),
        TIME_LIMIT,
    );
    output.error.map_or(Ok(()), Err)
}

/// Compiles and runs `code` on `body` in a worker, for at most `limit`;
/// a compile error, a crash, a cancel or the limit become the output's error.
pub fn apply(code: &str, body: &[u8], cancel: &AtomicBool, limit: Duration) -> Output {
    exchange(Mode::Run, code, body, cancel, limit)
}

/// How a run ended.
enum Ended {
    /// The worker closed its stdout (it exited) after writing these bytes.
    Answer(Vec<u8>),
    Cancelled,
    TooLong,
}

fn exchange(mode: Mode, code: &str, body: &[u8], cancel: &AtomicBool, limit: Duration) -> Output {
    let failed = |message: String| Output {
        results: Vec::new(),
        error: Some(message),
    };
    let mut child = match spawn(limit) {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start the filter worker: {e}")),
    };
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return failed("cannot talk to the filter worker".to_string());
    };
    let head = filter_wire::request_head(mode, code);
    let (ended, status, stderr) = std::thread::scope(|scope| {
        // A write fails once the worker is gone (killed or crashed): no matter.
        scope.spawn(move || {
            let _ = stdin.write_all(&head).and_then(|()| stdin.write_all(body));
        });
        let errors = scope.spawn(move || {
            let mut kept = Vec::new();
            let mut stderr = stderr;
            let _ = (&mut stderr).take(MAX_STDERR_BYTES).read_to_end(&mut kept);
            let _ = io::copy(&mut stderr, &mut io::sink());
            kept
        });
        let (tx, rx) = mpsc::channel();
        scope.spawn(move || {
            let mut answer = Vec::new();
            let _ = stdout
                .take(MAX_ANSWER_BYTES as u64 + 1)
                .read_to_end(&mut answer);
            let _ = tx.send(answer);
        });
        let ended = wait(&rx, cancel, Instant::now() + limit);
        if !matches!(&ended, Ended::Answer(a) if a.len() <= MAX_ANSWER_BYTES) {
            let _ = child.kill();
        }
        let status = child.wait();
        (ended, status, errors.join().unwrap_or_default())
    });
    match ended {
        Ended::Cancelled => failed("cancelled".to_string()),
        Ended::TooLong => failed(format!(
            "the filter ran longer than {} s and was stopped",
            limit.as_secs_f32()
        )),
        Ended::Answer(answer) if answer.len() > MAX_ANSWER_BYTES => {
            failed("the filter worker's answer was too large".to_string())
        }
        Ended::Answer(answer) => {
            filter_wire::read_answer(&answer).unwrap_or_else(|| failed(died(status.ok(), &stderr)))
        }
    }
}

/// The worker started from [`set_program`]'s path, else this executable,
/// told its time limit.
fn spawn(limit: Duration) -> io::Result<Child> {
    let program = match PROGRAM.get() {
        Some(path) => path.clone(),
        None => std::env::current_exe()?,
    };
    let mut command = Command::new(program);
    command
        .arg(WORKER_ARG)
        .env(WORKER_ENV, "1")
        .env(LIMIT_ENV, limit.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        // No console window flashes up for the worker.
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        command.creation_flags(CREATE_NO_WINDOW);
    }
    command.spawn()
}

/// Waits for the answer, the cancel flag or the deadline, whichever comes first.
fn wait(rx: &mpsc::Receiver<Vec<u8>>, cancel: &AtomicBool, deadline: Instant) -> Ended {
    loop {
        match rx.recv_timeout(POLL) {
            Ok(answer) => return Ended::Answer(answer),
            // The reader always sends; were it gone, there is no answer.
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ended::Answer(Vec::new()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if cancel.load(Ordering::Relaxed) {
            return Ended::Cancelled;
        }
        if Instant::now() >= deadline {
            return Ended::TooLong;
        }
    }
}

/// Why a worker ended without an answer, from what Rust's runtime wrote on
/// its stderr as it aborted (the same words on every platform).
fn died(status: Option<ExitStatus>, stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    if stderr.contains("has overflowed its stack") {
        "the filter overflowed its stack: it recurses without end?".to_string()
    } else if stderr.contains("memory allocation of") {
        "the filter ran out of memory".to_string()
    } else {
        match status {
            Some(status) => format!("the filter worker stopped without an answer ({status})"),
            None => "the filter worker stopped without an answer".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_that_died_is_told_by_its_last_words() {
        let overflow = b"\nthread 'filter' (1) has overflowed its stack\nfatal runtime error: stack overflow, aborting\n";
        assert_eq!(
            died(None, overflow),
            "the filter overflowed its stack: it recurses without end?"
        );
        assert!(died(None, b"memory allocation of 8 bytes failed").contains("out of memory"));
        assert!(died(None, b"").contains("without an answer"));
    }
}
