//! Rendering results for people (stderr/stdout text) and for scripts (`--json`).

use std::io::Write;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::core::error::Failure;
use crate::core::platform::{Platform, reason_phrase};
use crate::engine::RequestResult;
use crate::engine::http::Body;

/// The `send --json` document (and each element of `run --json`).
#[derive(Serialize)]
pub struct SendDocument<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub request: Option<RequestLine<'a>>,
    pub status: Option<u16>,
    pub elapsed_ms: Option<f64>,
    pub headers: Map<String, Value>,
    /// Raw JSON when the body is JSON (no re-encoding), else a string or null.
    pub body: BodyValue<'a>,
    /// Where `-o` wrote the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    pub insecure: bool,
    /// Credentials sent over plain HTTP, say; empty when none.
    pub warnings: &'a [String],
    pub error: Option<&'a Failure>,
}

#[derive(Serialize)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    pub url: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum BodyValue<'a> {
    Json(&'a RawValue),
    Text(String),
    Null,
}

impl<'a> SendDocument<'a> {
    pub fn from_result(result: &'a RequestResult, named: bool) -> Self {
        let mut headers = Map::new();
        for (name, value) in &result.headers {
            match headers.get_mut(name) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                _ => {
                    headers.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        let (body, output) = match &result.body {
            Body::Memory(bytes) => (body_value(bytes), None),
            Body::File { path, len } => (
                BodyValue::Null,
                Some(json!({"path": path.display().to_string(), "bytes": len})),
            ),
            // The CLI keeps whole bodies in memory (`Sink::Memory`).
            Body::Spilled { len, .. } => (
                BodyValue::Text(format!("({len} bytes kept in a temporary file)")),
                None,
            ),
        };
        SendDocument {
            name: named.then_some(result.name.as_str()),
            request: Some(RequestLine {
                method: &result.method,
                url: &result.url,
            }),
            status: result.status,
            elapsed_ms: Some((result.elapsed.as_secs_f64() * 10_000.0).round() / 10.0),
            headers,
            body,
            output,
            insecure: result.handshake.as_ref().is_some_and(|h| h.insecure),
            warnings: &result.warnings,
            error: result.error.as_ref(),
        }
    }

    /// The document for an input error found before anything was sent.
    pub fn usage(failure: &'a Failure) -> Self {
        SendDocument {
            name: None,
            request: None,
            status: None,
            elapsed_ms: None,
            headers: Map::new(),
            body: BodyValue::Null,
            output: None,
            insecure: false,
            warnings: &[],
            error: Some(failure),
        }
    }
}

fn body_value(bytes: &[u8]) -> BodyValue<'_> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return BodyValue::Null;
    }
    match serde_json::from_slice::<&RawValue>(bytes) {
        Ok(raw) => BodyValue::Json(raw),
        Err(_) => BodyValue::Text(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// Prints one JSON document on stdout.
pub fn print_json<T: Serialize>(value: &T) {
    // Buffered: stdout is line-buffered, and a body may hold many lines.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer(&mut out, value)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("apx: cannot write output: {e}");
    }
}

/// A failure for people, on stderr.
pub fn print_failure(failure: &Failure) {
    eprintln!("{}", failure_text(failure));
}

pub fn failure_text(failure: &Failure) -> String {
    let origin = match (&failure.format, &failure.code) {
        (Some(format), Some(code)) => format!(" [{} {code}]", json!(format).as_str().unwrap_or("")),
        (None, Some(code)) => format!(" [{code}]"),
        _ => String::new(),
    };
    let mut text = format!(
        "error: {}{origin}: {}",
        failure.kind.title(),
        failure.message
    );
    for detail in &failure.details {
        text.push_str(&format!("\n  {detail}"));
    }
    if !failure.hint.is_empty() {
        text.push_str(&format!("\nhint: {}", failure.hint));
    }
    text
}

/// A result for people: summary and notes on stderr, body on stdout.
pub fn print_result(result: &RequestResult, platform: Platform) {
    print_warnings_of(result);
    if let Some(h) = result.handshake.as_ref().filter(|h| h.insecure) {
        eprintln!(
            "warning: TLS certificate NOT verified (--insecure); {} presented SHA-256 {}",
            h.host,
            h.chain.first().map_or("?", |c| c.sha256.as_str())
        );
    }
    if let Some(status) = result.status {
        let label = if result.name.is_empty() {
            String::new()
        } else {
            format!("{}: ", result.name)
        };
        eprintln!(
            "{label}HTTP {status} {} · {:.1} ms · {} bytes",
            reason_phrase(status),
            result.elapsed.as_secs_f64() * 1000.0,
            result.body.len()
        );
    }
    if let Some(note) = redirect_note(result) {
        eprintln!("{note}");
    }
    match &result.body {
        Body::Memory(bytes) if !bytes.is_empty() => {
            if result.error.is_none() {
                print_warnings(platform, bytes);
            }
            print_body(bytes);
        }
        Body::File { path, len } => eprintln!("{len} bytes written to {}", path.display()),
        _ => {}
    }
    if let Some(failure) = &result.error {
        print_failure(failure);
    }
}

/// The result's warnings (credentials over plain HTTP), on stderr.
pub fn print_warnings_of(result: &RequestResult) {
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
}

/// apx never follows redirects (tokens would go along); say where it points,
/// and warn loudly about a downgrade from HTTPS to plain HTTP.
pub fn redirect_note(result: &RequestResult) -> Option<String> {
    let status = result.status.filter(|s| (300..400).contains(s))?;
    let location = crate::core::platform::header_value(&result.headers, "location")?;
    let downgrade = result.url.starts_with("https://") && location.starts_with("http://");
    Some(if downgrade {
        format!(
            "warning: HTTP {status} redirects from HTTPS to plain HTTP ({location}); not followed: credentials would travel in clear text"
        )
    } else {
        format!(
            "note: HTTP {status} redirects to {location}; not followed (send the request there if you trust it)"
        )
    })
}

/// ASA answers may carry warnings in `messages` even on success.
fn print_warnings(platform: Platform, bytes: &[u8]) {
    if let Some(decoded) = platform.decode_error(bytes) {
        eprintln!("note: {}", decoded.message);
        for d in decoded.details {
            eprintln!("  {d}");
        }
    }
}

fn print_body(bytes: &[u8]) {
    use std::io::IsTerminal;
    let mut out = std::io::stdout().lock();
    // The same re-indenter as the app's viewer: values as the appliance
    // sent them, no document tree built.
    let pretty = std::io::stdout()
        .is_terminal()
        .then(|| crate::core::pretty_json::pretty(bytes))
        .flatten();
    let written = match pretty {
        Some(text) => writeln!(out, "{text}"),
        None => out.write_all(bytes).and_then(|()| {
            if bytes.ends_with(b"\n") {
                Ok(())
            } else {
                writeln!(out)
            }
        }),
    };
    if let Err(e) = written {
        eprintln!("apx: cannot write output: {e}");
    }
}
