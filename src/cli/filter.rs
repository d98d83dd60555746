//! `--filter EXPR` (send, run): the expression is compiled before anything
//! is sent (exit 2 when it does not compile), then run on each successful
//! answer's body, for at most [`FILTER_TIME`]. Both happen in a worker
//! process (`engine::filter_process`): a filter that overflows its stack is
//! a filter error, not an abort.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::core::error::Failure;
use crate::core::filter::Output;
use crate::engine::RequestResult;
use crate::engine::filter_process;
use crate::engine::http::Body;

/// The longest a filter may run on one body; its worker is killed then.
pub const FILTER_TIME: Duration = Duration::from_secs(60);

/// Checks that `--filter` compiles.
pub fn check(code: Option<&str>) -> Result<(), Failure> {
    match code.map(filter_process::check) {
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
    let never = AtomicBool::new(false);
    Some(filter_process::apply(code, bytes, &never, FILTER_TIME))
}

/// 1 when the filter failed on the body, else 0.
pub fn exit_code(output: Option<&Output>) -> u8 {
    u8::from(output.is_some_and(|o| o.error.is_some()))
}
