//! A tiny HTTP/1.1 server on 127.0.0.1 (TLS or plain) that hands each request,
//! body collected, to a synchronous [`Handler`].

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tracing::debug;

use super::certs::CertKey;

/// A request as the handler sees it.
#[derive(Debug, Clone, Default)]
pub struct DemoRequest {
    pub method: String,
    /// Path without the query, as sent (not percent-decoded).
    pub path: String,
    /// Percent-decoded, `+` as space, in order of appearance.
    pub query: Vec<(String, String)>,
    /// Names lower-case; values as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl DemoRequest {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// First query parameter with exactly this name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The handler's answer.
#[derive(Debug, Clone)]
pub struct DemoResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server sleeps this long before answering.
    pub delay: Option<Duration>,
}

impl DemoResponse {
    /// Pretty-printed JSON with `Content-Type: application/json`.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        let body = serde_json::to_vec_pretty(value).unwrap_or_default();
        Self::empty(status)
            .with_header("Content-Type", "application/json")
            .with_body(body)
    }

    pub fn empty(status: u16) -> Self {
        DemoResponse {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
        }
    }

    /// `text/plain; charset=utf-8`.
    pub fn text(status: u16, text: &str) -> Self {
        Self::empty(status)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(text.as_bytes().to_vec())
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn with_delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }

    /// Replaces the body (crate-internal: for bodies that are not JSON values).
    pub(crate) fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

/// Answers one request; synchronous and cheap (state lives behind mutexes inside).
pub type Handler = Arc<dyn Fn(&DemoRequest) -> DemoResponse + Send + Sync>;

/// `handler` with every answer delayed by `latency` more (unchanged for zero).
pub fn with_latency(handler: Handler, latency: Duration) -> Handler {
    if latency.is_zero() {
        return handler;
    }
    Arc::new(move |req| {
        let mut answer = handler(req);
        answer.delay = Some(answer.delay.unwrap_or_default() + latency);
        answer
    })
}

/// A server running on the current tokio runtime; dropping it stops it.
pub struct RunningServer {
    addr: SocketAddr,
    tls: bool,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT` or `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// TCP connections accepted so far (for https: TLS handshakes attempted);
    /// lets tests prove keep-alive reuse.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for RunningServer {
    /// Aborting the accept loop also drops its `JoinSet`, which aborts every
    /// open connection.
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves HTTPS with this certificate on 127.0.0.1 (port 0 = any free port).
pub async fn serve_tls(
    cert: &CertKey,
    handler: Handler,
    port: Option<u16>,
) -> io::Result<RunningServer> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der.clone())),
        )
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    spawn(Some(TlsAcceptor::from(Arc::new(config))), handler, port).await
}

/// Serves plain HTTP on 127.0.0.1 (port 0 = any free port).
pub async fn serve_plain(handler: Handler, port: Option<u16>) -> io::Result<RunningServer> {
    spawn(None, handler, port).await
}

async fn spawn(
    tls: Option<TlsAcceptor>,
    handler: Handler,
    port: Option<u16>,
) -> io::Result<RunningServer> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port.unwrap_or(0))).await?;
    let addr = listener.local_addr()?;
    let connections = Arc::new(AtomicUsize::new(0));
    let is_tls = tls.is_some();
    let task = tokio::spawn(accept_loop(listener, tls, handler, connections.clone()));
    Ok(RunningServer {
        addr,
        tls: is_tls,
        connections,
        task,
    })
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    handler: Handler,
    connections: Arc<AtomicUsize>,
) {
    let mut tasks = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow without bound.
        while tasks.try_join_next().is_some() {}
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                debug!(error = %e, "demo server: accept failed");
                // Avoid spinning when e.g. out of file descriptors.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        connections.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = tcp.set_nodelay(true) {
            debug!(error = %e, "demo server: TCP_NODELAY failed");
        }
        let handler = handler.clone();
        let tls = tls.clone();
        tasks.spawn(async move {
            match tls {
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(stream) => serve_connection(stream, handler).await,
                    Err(e) => debug!(%peer, error = %e, "demo server: TLS handshake failed"),
                },
                None => serve_connection(tcp, handler).await,
            }
        });
    }
}

async fn serve_connection<S>(stream: S, handler: Handler)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let handler = handler.clone();
        async move { Ok::<_, Infallible>(respond(req, &handler).await) }
    });
    if let Err(e) = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        debug!(error = %e, "demo server: connection ended with an error");
    }
}

async fn respond(req: Request<Incoming>, handler: &Handler) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e) => {
            debug!(error = %e, "demo server: could not read request body");
            return to_hyper(DemoResponse::text(400, "could not read request body\n"));
        }
    };
    let request = DemoRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_ascii_lowercase(), value)
            })
            .collect(),
        body,
    };
    let answer = handler(&request);
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    to_hyper(answer)
}

/// Converts the handler's answer; a header hyper cannot carry is logged and
/// skipped. `Full` makes hyper send `Content-Length`.
fn to_hyper(answer: DemoResponse) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &answer.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                response.headers_mut().append(name, value);
            }
            _ => debug!(%name, "demo server: skipping invalid response header"),
        }
    }
    response
}

/// `a=1&b=x+y%21` → `[("a","1"), ("b","x y!")]`.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+` as space if asked); malformed escapes stay
/// literal and invalid UTF-8 becomes U+FFFD.
pub(crate) fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_as_space => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(|b| hex_value(*b)),
                bytes.get(i + 2).and_then(|b| hex_value(*b)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = parse_query("a=1&b=x+y%21&&c&bad=%zz%4");
        assert_eq!(
            q,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y!".into()),
                ("c".into(), String::new()),
                ("bad".into(), "%zz%4".into()),
            ]
        );
        assert_eq!(percent_decode("a+b%20c", false), "a+b c");
    }

    #[test]
    fn latency_adds_to_every_answer() {
        let handler: Handler = Arc::new(|req: &DemoRequest| match req.path.as_str() {
            "/slow" => DemoResponse::empty(200).with_delay(Duration::from_millis(5)),
            _ => DemoResponse::empty(200),
        });
        let request = |path: &str| DemoRequest {
            path: path.into(),
            ..DemoRequest::default()
        };
        let delayed = with_latency(handler.clone(), Duration::from_millis(40));
        assert_eq!(
            delayed(&request("/")).delay,
            Some(Duration::from_millis(40))
        );
        assert_eq!(
            delayed(&request("/slow")).delay,
            Some(Duration::from_millis(45))
        );
        let same = with_latency(handler, Duration::ZERO);
        assert_eq!(same(&request("/")).delay, None);
    }
}
