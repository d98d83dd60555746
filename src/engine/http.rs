//! One HTTP exchange over reqwest: streams the body to memory or a file,
//! reports progress, and turns transport errors into typed failures.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::AsyncWriteExt;

use super::body_check::BodyCheck;
use super::tls::{Capture, Handshake, client_certificate_problem, client_config_reaching};
use crate::core::error::{Failure, FailureKind, Remedy, size_text};
use crate::core::json_check::Verdict;
use crate::core::reach::Reach;
use crate::core::secret::Secret;
use crate::core::tls::Trust;
use crate::core::workspace::atomic::Replacement;

/// The cap on a body held in memory unless the user sets another
/// (`--max-body`, the app's body size limit).
pub const DEFAULT_MAX_BODY: u64 = 200 << 20;

/// Where a response body goes. Every body has a cap except a 2xx/3xx body
/// streamed to the user's file: past it the transfer stops (`too_large`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// In memory, at most this many bytes.
    Memory(u64),
    /// As `Memory`, and checked as JSON while it arrives (a `--json`
    /// document embeds a JSON body as it came, without parsing it again).
    MemoryJson(u64),
    /// In memory up to `memory` bytes; a larger body moves to a temporary
    /// file instead of filling memory, up to `disk` bytes in all.
    Spill { memory: u64, disk: u64 },
    /// Streamed to `path` as it arrives (binary safe, no cap); the file is
    /// replaced only once the whole body has arrived. An error answer
    /// (4xx/5xx) is held in memory to be decoded, at most `error_limit`
    /// bytes.
    File { path: PathBuf, error_limit: u64 },
}

/// A received body.
#[derive(Debug, Clone)]
pub enum Body {
    /// Shared, so that handing a result around never copies the body.
    Memory(Bytes),
    /// Written where the user asked (`-o`).
    File { path: PathBuf, len: u64 },
    /// Larger than the in-memory limit: kept in a temporary file, deleted
    /// with the last clone of this body.
    Spilled {
        file: Arc<tempfile::TempPath>,
        len: u64,
    },
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(b) => b.len() as u64,
            Body::File { len, .. } | Body::Spilled { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are in memory.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Memory(b) => Some(b),
            Body::File { .. } | Body::Spilled { .. } => None,
        }
    }
}

/// A request ready for the wire; header values may hold secrets.
#[derive(Debug, Clone)]
pub struct WireRequest {
    pub method: reqwest::Method,
    pub url: url::Url,
    pub headers: Vec<(String, Secret)>,
    pub body: Option<Vec<u8>>,
    pub basic: Option<(String, Secret)>,
}

/// A response, head and body.
#[derive(Debug, Clone)]
pub struct WireResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub elapsed: Duration,
    /// `Sink::MemoryJson`: what the body turned out to be, when known.
    pub json: Option<Verdict>,
}

/// Progress of one exchange, as it happens.
pub enum Progress<'a> {
    Head {
        status: u16,
        headers: &'a [(String, String)],
    },
    Bytes {
        received: u64,
        total: Option<u64>,
    },
}

/// A reqwest client for one trust setting and reach (proxy, client
/// certificate), and the handshake capture slot.
pub struct Transport {
    client: reqwest::Client,
    capture: Capture,
    reach: Reach,
}

impl Transport {
    /// A transport with the environment's proxies and no client certificate.
    pub fn new(trust: &Trust) -> Result<Transport, Failure> {
        Transport::reaching(trust, &Reach::default())
    }

    pub fn reaching(trust: &Trust, reach: &Reach) -> Result<Transport, Failure> {
        let capture = Capture::default();
        let config = client_config_reaching(trust, capture.clone(), reach)?;
        let builder = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(15));
        let client = super::proxy::configure(builder, reach)?
            .build()
            .map_err(|e| Failure::usage(format!("cannot build the HTTP client: {e}"), ""))?;
        Ok(Transport {
            client,
            capture,
            reach: reach.clone(),
        })
    }

    /// The proxy a request to `url` goes through, named without credentials.
    pub fn proxy_for(&self, url: &url::Url) -> Option<String> {
        super::proxy::proxy_for(&self.reach.proxy, url)
    }

    /// The last handshake this transport made, if any.
    pub fn handshake(&self) -> Option<Handshake> {
        self.capture
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sends one request and receives the whole answer. Error statuses
    /// (4xx/5xx) keep their body in memory so that it can be decoded.
    pub async fn exchange(
        &self,
        request: &WireRequest,
        sink: &Sink,
        progress: &mut (dyn FnMut(Progress<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        let started = Instant::now();
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.expose());
        }
        if let Some((user, password)) = &request.basic {
            builder = builder.basic_auth(user, Some(password.expose()));
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| self.transport_failure(&e, &request.url))?;
        let status = response.status().as_u16();
        // A plain http:// request goes to the proxy itself, which may answer 407.
        if status == 407
            && let Some(proxy) = self.proxy_for(&request.url)
        {
            return Err(super::proxy::auth_required(&proxy).with_status(407));
        }
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        progress(Progress::Head {
            status,
            headers: &headers,
        });
        let total = response.content_length();
        let (file, spill_at, cap) = match sink {
            Sink::File { path, .. } if status < 400 => (Some(path), None, u64::MAX),
            Sink::File { error_limit, .. } => (None, None, *error_limit),
            Sink::Memory(limit) | Sink::MemoryJson(limit) => (None, None, *limit),
            Sink::Spill { memory, disk } => (None, Some(*memory), *disk),
        };
        // A body announced larger than the cap is refused unread.
        if total.is_some_and(|t| t > cap) {
            return Err(too_large(cap).with_status(status));
        }
        let check = matches!(sink, Sink::MemoryJson(_)).then(BodyCheck::start);
        let mut received = Received {
            response: &mut response,
            bytes: 0,
            cap,
            reported: None,
            total,
            progress,
            check,
        };
        let body = match file {
            Some(path) => received.write_to_file(path).await,
            None => received.keep_in_memory(spill_at).await,
        }
        .map_err(|f| f.with_status(status))?;
        let json = match received.check.take() {
            Some(check) => check.finish().await,
            None => None,
        };
        Ok(WireResponse {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
            json,
        })
    }

    /// Classifies a failed send: TLS (with the captured diagnosis), the
    /// proxy's, refused, DNS, reset, or timeout.
    fn transport_failure(&self, error: &reqwest::Error, url: &url::Url) -> Failure {
        if let Some(problem) = self.handshake().and_then(|h| h.problem) {
            return problem.to_failure();
        }
        let (tls, io_kind) = find_cause(error);
        if let Some(tls) = tls
            && let Some(problem) =
                client_certificate_problem(tls, self.reach.client_identity.is_some())
        {
            return problem.to_failure().with_detail(chain_text(error));
        }
        if tls.is_none()
            && let Some(proxy) = self.proxy_for(url)
            && let Some(failure) = super::proxy::failure(&proxy, url, &chain_text(error), io_kind)
        {
            return failure.with_detail(chain_text(error));
        }
        classify(error)
    }
}

/// How often body progress is reported (about a frame at 60 Hz).
const PROGRESS_EVERY: Duration = Duration::from_millis(16);

/// A response body being received, with its progress reported as it comes.
struct Received<'a, 'p> {
    response: &'a mut reqwest::Response,
    bytes: u64,
    /// Past this many bytes the transfer stops.
    cap: u64,
    /// When progress was last reported.
    reported: Option<Instant>,
    total: Option<u64>,
    progress: &'a mut (dyn FnMut(Progress<'p>) + Send),
    /// Each chunk also goes to this JSON check, if any.
    check: Option<BodyCheck>,
}

impl Received<'_, '_> {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Failure> {
        let chunk = self.response.chunk().await.map_err(|e| {
            let expected = self.total.map(|t| format!(" of {t}")).unwrap_or_default();
            Failure::new(
                FailureKind::Connect,
                format!("the connection closed mid-body after {}{expected} bytes", self.bytes),
                "The appliance or a middlebox cut the response off; retry, and check the appliance's logs if it repeats.",
            )
            .with_detail(chain_text(&e))
        })?;
        if let Some(chunk) = &chunk {
            self.bytes += chunk.len() as u64;
            if self.bytes > self.cap {
                return Err(too_large(self.cap));
            }
            if let Some(check) = &self.check {
                check.feed(chunk).await;
            }
            // A report per chunk would wake the listener a thousand times
            // for 20 MB; one per frame is all a progress display can show.
            let now = Instant::now();
            if self.reported.is_none_or(|at| now - at >= PROGRESS_EVERY) {
                self.reported = Some(now);
                (self.progress)(Progress::Bytes {
                    received: self.bytes,
                    total: self.total,
                });
            }
        }
        Ok(chunk)
    }

    /// Streams the body into `path`, which is replaced only once the whole
    /// body has arrived.
    async fn write_to_file(&mut self, path: &Path) -> Result<Body, Failure> {
        let (file, pending) = Replacement::create(path).map_err(|e| file_failure(path, &e))?;
        let first = self.next_chunk().await?;
        self.write_rest(file, path, Vec::new(), first).await?;
        pending.commit().map_err(|e| file_failure(path, &e))?;
        Ok(Body::File {
            path: path.to_path_buf(),
            len: self.bytes,
        })
    }

    /// Keeps the body in memory; with `spill_at`, a body larger than that
    /// moves to a temporary file.
    async fn keep_in_memory(&mut self, spill_at: Option<u64>) -> Result<Body, Failure> {
        let most = spill_at.unwrap_or(self.cap).min(self.cap);
        let capacity = self.total.unwrap_or(0).min(most).min(256 << 20);
        let mut buf = Vec::with_capacity(capacity as usize);
        while let Some(chunk) = self.next_chunk().await? {
            let needed = buf.len() + chunk.len();
            if needed as u64 > most {
                return self.spill(buf, chunk).await;
            }
            if needed > buf.capacity() {
                // Doubling, but never past what the body may take.
                let target = needed.max(buf.capacity() * 2).min(most as usize);
                buf.reserve_exact(target - buf.len());
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Body::Memory(Bytes::from(buf)))
    }

    /// Moves what came so far, and all that follows, to a temporary file.
    async fn spill(&mut self, head: Vec<u8>, chunk: Bytes) -> Result<Body, Failure> {
        let (file, path) = tempfile::Builder::new()
            .prefix("apx-body-")
            .tempfile()
            .map_err(|e| file_failure(Path::new("a temporary file"), &e))?
            .into_parts();
        self.write_rest(file, &path, head, Some(chunk)).await?;
        Ok(Body::Spilled {
            file: Arc::new(path),
            len: self.bytes,
        })
    }

    /// Writes `head`, then `first` and every chunk after it, to `file`.
    async fn write_rest(
        &mut self,
        file: std::fs::File,
        path: &Path,
        head: Vec<u8>,
        first: Option<Bytes>,
    ) -> Result<(), Failure> {
        // Large writes: each tokio file write is a trip to the blocking pool.
        let mut file =
            tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::from_std(file));
        let failed = |e: std::io::Error| file_failure(path, &e);
        file.write_all(&head).await.map_err(failed)?;
        drop(head);
        let mut next = first;
        while let Some(chunk) = next {
            file.write_all(&chunk).await.map_err(failed)?;
            next = self.next_chunk().await?;
        }
        file.flush().await.map_err(failed)
    }
}

/// The failure for a body that passed its cap.
fn too_large(cap: u64) -> Failure {
    Failure::new(
        FailureKind::TooLarge,
        format!(
            "the response body passed the {} limit; the transfer was stopped",
            size_text(cap)
        ),
        "Write the body to a file with -o FILE (a 2xx body then streams to disk without a limit), or raise --max-body (in the app: View > Body size limit).",
    )
    .with_remedy(Remedy::RaiseBodyLimit)
}

fn file_failure(path: &std::path::Path, e: &std::io::Error) -> Failure {
    Failure::usage(
        format!("cannot write {}: {e}", path.display()),
        "Check the output path and free space.",
    )
}

/// Every message down an error's source chain, joined.
pub fn chain_text(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// Finds a rustls error and the most telling I/O error kind down the chain.
/// An I/O error's `source()` skips the error it wraps (and tokio-rustls
/// nests I/O errors), so wrapped errors are followed with `get_ref()`.
pub(super) fn find_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> (Option<&'a rustls::Error>, Option<std::io::ErrorKind>) {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(error);
    let mut io_kind = None;
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return (Some(tls), io_kind);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io_kind.is_none_or(|k| k == std::io::ErrorKind::Other) {
                io_kind = Some(io.kind());
            }
            if let Some(inner) = io.get_ref() {
                current = Some(inner);
                continue;
            }
        }
        current = e.source();
    }
    (None, io_kind)
}

fn classify(error: &reqwest::Error) -> Failure {
    let text = chain_text(error);
    let (tls, io_kind) = find_cause(error);
    if let Some(tls) = tls {
        return super::tls::handshake_problem(tls)
            .to_failure()
            .with_detail(text);
    }
    if error.is_timeout() {
        return Failure::new(
            FailureKind::Timeout,
            "the connection timed out",
            "Check the appliance is reachable on this port (management interface, `http` access rules).",
        )
        .with_detail(text);
    }
    let lower = text.to_ascii_lowercase();
    let (message, hint) = match io_kind {
        Some(std::io::ErrorKind::ConnectionRefused) => (
            "connection refused",
            "Nothing listens on this port: check the URL's port, that the API is enabled (ASA `rest-api agent`, AsyncOS ports 6443/6080), and management access rules.",
        ),
        Some(std::io::ErrorKind::ConnectionReset) | Some(std::io::ErrorKind::UnexpectedEof) => (
            "the connection was reset",
            "The appliance closed the connection: check it accepts HTTPS from this address, and that TLS 1.2 or later is enabled.",
        ),
        _ if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") => (
            "the host name could not be resolved",
            "Check the spelling of the host, or use the appliance's IP address.",
        ),
        _ => (
            "the request could not be sent",
            "Check the URL, the network path to the appliance and its management access rules.",
        ),
    };
    Failure::new(FailureKind::Connect, message, hint).with_detail(text)
}
