//! `--filter EXPR` (send, run): the expression is compiled before anything
//! is sent (exit 2 when it does not compile), then run on each successful
//! answer's body on a thread of its own, for at most [`FILTER_TIME`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::core::error::Failure;
use crate::core::filter::{self, Filter, Output};
use crate::engine::RequestResult;
use crate::engine::http::Body;

/// The longest a filter may run on one body; a filter still running then
/// is abandoned (it is told to stop, and ends with the process).
pub const FILTER_TIME: Duration = Duration::from_secs(60);

/// Checks that `--filter` compiles.
pub fn check(code: Option<&str>) -> Result<(), Failure> {
    match code.map(Filter::compile) {
        Some(Err(e)) => Err(Failure::usage(
            format!("the filter does not compile: {e}"),
            "Fix the jq expression given to --filter (nothing was sent).",
        )),
        _ => Ok(()),
    }
}

/// The filter's output on a successful answer's body; `None` when there is
/// no filter, or the request failed (its error is the news).
pub fn apply(code: Option<&str>, result: &RequestResult) -> Option<Output> {
    let code = code?;
    let Body::Memory(bytes) = &result.body else {
        return None;
    };
    if result.error.is_some() {
        return None;
    }
    let (tx, rx) = mpsc::channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let (code, body, stop) = (code.to_string(), bytes.clone(), Arc::clone(&cancel));
    let spawned = std::thread::Builder::new()
        .name("filter".into())
        .stack_size(filter::STACK_SIZE)
        .spawn(move || {
            let _ = tx.send(filter::apply(&code, &body, &stop));
        });
    let failed = |message: String| Output {
        results: Vec::new(),
        error: Some(message),
    };
    if let Err(e) = spawned {
        return Some(failed(format!("cannot start the filter: {e}")));
    }
    Some(rx.recv_timeout(FILTER_TIME).unwrap_or_else(|_| {
        cancel.store(true, Ordering::Relaxed);
        failed(format!(
            "the filter ran longer than {} s and was stopped",
            FILTER_TIME.as_secs()
        ))
    }))
}

/// 1 when the filter failed on the body, else 0.
pub fn exit_code(output: Option<&Output>) -> u8 {
    u8::from(output.is_some_and(|o| o.error.is_some()))
}
