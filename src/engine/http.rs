//! One HTTP exchange over reqwest: streams the body to memory or a file,
//! reports progress, and turns transport errors into typed failures.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use super::tls::{Capture, Handshake, client_config};
use crate::core::error::{Failure, FailureKind};
use crate::core::secret::Secret;
use crate::core::tls::Trust;

/// Where a response body goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    Memory,
    /// Streamed to this file as it arrives (binary safe).
    File(PathBuf),
}

/// A received body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Memory(Vec<u8>),
    File { path: PathBuf, len: u64 },
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are in memory.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Memory(b) => Some(b),
            Body::File { .. } => None,
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

/// A reqwest client for one trust setting, and the handshake capture slot.
pub struct Transport {
    client: reqwest::Client,
    capture: Capture,
}

impl Transport {
    pub fn new(trust: &Trust) -> Result<Transport, Failure> {
        let capture = Capture::default();
        let config = client_config(trust, capture.clone())?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| Failure::usage(format!("cannot build the HTTP client: {e}"), ""))?;
        Ok(Transport { client, capture })
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
            .map_err(|e| self.transport_failure(&e))?;
        let status = response.status().as_u16();
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
        let to_file = match sink {
            Sink::File(path) if status < 400 => Some(path),
            _ => None,
        };
        let mut received: u64 = 0;
        let body = match to_file {
            Some(path) => {
                // Large writes: each tokio file write is a trip to the blocking pool.
                let file = tokio::fs::File::create(path)
                    .await
                    .map_err(|e| file_failure(path, &e))?;
                let mut file = tokio::io::BufWriter::with_capacity(1 << 20, file);
                while let Some(chunk) = next_chunk(&mut response, received, total).await? {
                    file.write_all(&chunk)
                        .await
                        .map_err(|e| file_failure(path, &e))?;
                    received += chunk.len() as u64;
                    progress(Progress::Bytes { received, total });
                }
                file.flush().await.map_err(|e| file_failure(path, &e))?;
                Body::File {
                    path: path.clone(),
                    len: received,
                }
            }
            None => {
                let mut buf = Vec::with_capacity(total.unwrap_or(0).min(256 << 20) as usize);
                while let Some(chunk) = next_chunk(&mut response, received, total).await? {
                    buf.extend_from_slice(&chunk);
                    received += chunk.len() as u64;
                    progress(Progress::Bytes { received, total });
                }
                Body::Memory(buf)
            }
        };
        Ok(WireResponse {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
    }

    /// Classifies a failed send: TLS (with the captured diagnosis), refused,
    /// DNS, reset, or timeout.
    fn transport_failure(&self, error: &reqwest::Error) -> Failure {
        if let Some(problem) = self.handshake().and_then(|h| h.problem) {
            return problem.to_failure();
        }
        classify(error)
    }
}

async fn next_chunk(
    response: &mut reqwest::Response,
    received: u64,
    total: Option<u64>,
) -> Result<Option<bytes::Bytes>, Failure> {
    response.chunk().await.map_err(|e| {
        let expected = total.map(|t| format!(" of {t}")).unwrap_or_default();
        Failure::new(
            FailureKind::Connect,
            format!("the connection closed mid-body after {received}{expected} bytes"),
            "The appliance or a middlebox cut the response off; retry, and check the appliance's logs if it repeats.",
        )
        .with_detail(chain_text(&e))
    })
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

/// Finds a rustls error or an I/O error kind down the chain.
fn find_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> (Option<&'a rustls::Error>, Option<std::io::ErrorKind>) {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(error);
    let mut io_kind = None;
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return (Some(tls), io_kind);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
            if let Some(tls) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return (Some(tls), io_kind);
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
        let problem = crate::core::tls::TlsProblem::Handshake(tls.to_string());
        return problem.to_failure().with_detail(text);
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
