//! A body checked as JSON beside its download: each chunk, shared (not
//! copied), goes to a [`JsonCheck`] on a blocking thread, so the verdict
//! is ready about when the last byte arrives.

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::core::json_check::{JsonCheck, Verdict};

/// Chunks the check may fall behind by before the download waits for it
/// (hyper's chunks are at most a few hundred KiB, mostly 16 KiB).
const CHUNKS_AHEAD: usize = 16;

/// The check of one body in progress.
pub struct BodyCheck {
    chunks: mpsc::Sender<Bytes>,
    verdict: JoinHandle<Verdict>,
}

impl BodyCheck {
    /// Starts a check on the runtime's blocking pool.
    pub fn start() -> BodyCheck {
        let (chunks, mut arriving) = mpsc::channel::<Bytes>(CHUNKS_AHEAD);
        let verdict = tokio::task::spawn_blocking(move || {
            let mut check = JsonCheck::new();
            while let Some(chunk) = arriving.blocking_recv() {
                check.feed(&chunk);
            }
            check.finish()
        });
        BodyCheck { chunks, verdict }
    }

    /// Hands the next chunk to the check.
    pub async fn feed(&self, chunk: &Bytes) {
        // The check only ends when this sender goes, in `finish`.
        let _ = self.chunks.send(chunk.clone()).await;
    }

    /// The verdict on every chunk fed; `None` if the check failed.
    pub async fn finish(self) -> Option<Verdict> {
        drop(self.chunks);
        self.verdict.await.ok()
    }
}
