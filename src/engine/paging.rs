//! All the pages of one GET, in one session (`send --all-pages`, the app's
//! "All pages"): sends page after page as [`crate::core::paging::Walk`]
//! says, reports "page i of n", and answers with the merged document, or
//! with the first page that failed.

use std::time::{Duration, Instant};

use url::Url;

use super::http::{Body, Sink, WireResponse};
use super::session::{PreparedRequest, Session, SessionEvent};
use crate::core::error::{Failure, FailureKind};
use crate::core::paging::{Next, Walk};

/// How a walk ended.
pub struct Paged {
    /// The merged answer; or the answer of the page that failed (an HTTP
    /// error is an answer), or why no answer came.
    pub outcome: Result<WireResponse, Failure>,
    /// Pages sent, the failed one included.
    pub pages: u32,
    /// The URL of the last page sent.
    pub url: Url,
}

/// Walks every page of `request`, which must be a GET. Each page is given
/// `timeout`; the pages together hold at most what `sink` may hold in
/// memory. `on_page` hears of each page before it is sent: its number and
/// the number of pages, when known.
pub async fn walk(
    session: &mut Session,
    request: &PreparedRequest,
    sink: &Sink,
    timeout: Duration,
    on_page: &mut (dyn FnMut(u32, Option<u64>) + Send),
    on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
) -> Paged {
    let mut page = request.clone();
    if !page.method.eq_ignore_ascii_case("GET") {
        return Paged {
            outcome: Err(Failure::usage(
                format!(
                    "all pages follows the pages of a GET, not a {}",
                    page.method
                ),
                "Send it without --all-pages (in the app: untick All pages), or make it a GET.",
            )),
            pages: 0,
            url: page.url,
        };
    }
    let started = Instant::now();
    let mut walk = Walk::new(page.url.clone(), memory_cap(sink));
    let mut first: Option<WireResponse> = None;
    let (mut number, mut of) = (1, None);
    loop {
        on_page(number, of);
        let of_text = of.map(|n| format!(" of {n}")).unwrap_or_default();
        tracing::info!("page {number}{of_text}");
        let sent = super::within(
            timeout,
            session.passcode_wait(),
            session.send(&page, &Sink::Memory(walk.remaining()), on),
        )
        .await;
        let response = match sent {
            Ok(response) => response,
            Err(failure) => {
                let failure = match (failure.kind, failure.status) {
                    (FailureKind::TooLarge, Some(status)) => walk.overflow().with_status(status),
                    (FailureKind::TooLarge, None) => walk.overflow(),
                    _ => failure,
                };
                return Paged {
                    outcome: Err(failure),
                    pages: number,
                    url: page.url,
                };
            }
        };
        if !(200..300).contains(&response.status) {
            return Paged {
                outcome: Ok(response),
                pages: number,
                url: page.url,
            };
        }
        let next = walk.add(response.body.bytes().unwrap_or_default());
        match next {
            Err(failure) => {
                return Paged {
                    outcome: Err(failure.with_status(response.status)),
                    pages: number,
                    url: page.url,
                };
            }
            Ok(Next::Done) => {
                let pages = walk.pages();
                let outcome = match first {
                    None => response,
                    Some(first) => merged(first, walk.merged(), started.elapsed()),
                };
                return Paged {
                    outcome: Ok(outcome),
                    pages,
                    url: page.url,
                };
            }
            Ok(Next::Page(next)) => {
                // Its status and headers stand for the merged answer.
                first.get_or_insert(WireResponse {
                    body: Body::Memory(Default::default()),
                    ..response
                });
                page.url = next.url;
                (number, of) = (next.number, next.of);
            }
        }
    }
}

/// The first page's answer carrying the merged document.
fn merged(first: WireResponse, body: Vec<u8>, elapsed: Duration) -> WireResponse {
    let headers = first
        .headers
        .into_iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
        .collect();
    WireResponse {
        status: first.status,
        headers,
        body: Body::Memory(body.into()),
        elapsed,
        json: None,
    }
}

/// The most a body may hold in memory through `sink`.
fn memory_cap(sink: &Sink) -> u64 {
    match sink {
        Sink::Memory(limit) | Sink::MemoryJson(limit) => *limit,
        Sink::Spill { memory, .. } => *memory,
        Sink::File { error_limit, .. } => *error_limit,
    }
}
