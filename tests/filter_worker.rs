//! jq filters in their worker process (the real binary): the same results
//! as in process, and a crash, a cancel or the time limit as the error.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use apx::engine::filter_process::{self, TIME_LIMIT, WORKER_ENV};

fn run(code: &str, body: &str, limit: Duration) -> apx::core::filter::Output {
    filter_process::set_program(env!("CARGO_BIN_EXE_apx"));
    filter_process::apply(code, body.as_bytes(), &AtomicBool::new(false), limit)
}

#[test]
fn results_and_errors_come_back_as_in_process() {
    let body = r#"{"items":[{"id":"a","n":1.5},{"id":"b","n":"x\n"}]}"#;
    for code in [
        ".items[] | {id, n}",
        ".items[] | .n + 1",
        "halt",
        ".[",
        "repeat(.)",
    ] {
        let in_process = apx::core::filter::apply(code, body.as_bytes(), &AtomicBool::new(false));
        assert_eq!(run(code, body, TIME_LIMIT), in_process, "{code}");
    }
    filter_process::set_program(env!("CARGO_BIN_EXE_apx"));
    assert_eq!(filter_process::check(".items[0]"), Ok(()));
    let e = filter_process::check(".a | nosuch(1)").unwrap_err();
    assert_eq!(e, "at character 6: undefined filter nosuch");
}

#[test]
fn a_stack_overflow_is_an_error() {
    for code in ["def f: 1 + f; f", "def f: [f]; f", "def f: f | f; f"] {
        let out = run(code, "null", TIME_LIMIT);
        assert_eq!(
            out.error.as_deref(),
            Some("the filter overflowed its stack: it recurses without end?"),
            "{code}"
        );
        assert!(out.results.is_empty());
    }
}

#[test]
fn the_time_limit_and_a_cancel_stop_the_worker() {
    let started = Instant::now();
    let out = run("def f: f; f", "null", Duration::from_millis(500));
    assert_eq!(
        out.error.as_deref(),
        Some("the filter ran longer than 0.5 s and was stopped")
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            cancel.store(true, Ordering::Relaxed);
        });
        filter_process::apply("last(repeat(1))", b"null", &cancel, TIME_LIMIT)
    });
    assert_eq!(out.error.as_deref(), Some("cancelled"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_worker_refuses_what_is_not_a_request() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_apx"))
        .env(WORKER_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a filter request"));
}

#[test]
fn a_worker_whose_parent_is_gone_ends_itself_after_its_limit() {
    use apx::core::filter_wire::{Mode, request_head};
    use std::io::Write;
    use std::process::{Command, Stdio};
    // Started as a parent would, which then never kills it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_apx"))
        .env(WORKER_ENV, "1")
        .env("APX_FILTER_LIMIT_MS", "300")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&request_head(Mode::Run, "last(repeat(1))"))
        .unwrap();
    stdin.write_all(b"null").unwrap();
    drop(stdin);
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("past its time limit"));
}
