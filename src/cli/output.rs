//! Rendering results for people (stderr/stdout text) and for scripts (`--json`).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::core::error::Failure;
use crate::core::filter::Output;
use crate::core::json_check::Verdict;
use crate::core::platform::{Platform, reason_phrase};
use crate::engine::RequestResult;
use crate::engine::http::Body;

/// The `send --json` document (and each element of `run --json`).
#[derive(Serialize)]
pub struct SendDocument<'a> {
    /// `--devices`: the device that answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub request: Option<RequestLine<'a>>,
    pub status: Option<u16>,
    pub elapsed_ms: Option<f64>,
    pub headers: Map<String, Value>,
    /// The JSON body as it came (no re-encoding), else a string or null.
    pub body: BodyValue<'a>,
    /// Where `-o` wrote the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    pub insecure: bool,
    /// Credentials sent over plain HTTP, say; empty when none.
    pub warnings: &'a [String],
    /// `429`s waited out and retried.
    pub retries: u32,
    /// `--all-pages`: the pages sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    pub error: Option<&'a Failure>,
    /// `--filter`: its results, when the request succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filtered: Option<Vec<Box<RawValue>>>,
    /// `--filter`: why it failed on this body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_error: Option<String>,
}

#[derive(Serialize)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    pub url: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum BodyValue<'a> {
    Json(Verbatim<'a>),
    Text(String),
    Null,
}

/// One JSON value, known to be valid, that [`write_json`] writes as it is
/// (no second parse, as building a `RawValue` would take): it serializes
/// as bytes, which only that writer's formatter writes verbatim. Made only
/// here, from a checked body.
pub struct Verbatim<'a>(&'a [u8]);

impl Serialize for Verbatim<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// serde_json's compact output, with bytes ([`Verbatim`] JSON) written
/// as they are.
struct VerbatimBytes;

impl serde_json::ser::Formatter for VerbatimBytes {
    fn write_byte_array<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> std::io::Result<()> {
        writer.write_all(value)
    }
}

/// Writes `value` as compact JSON, a [`Verbatim`] body as it is.
pub fn write_json<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        out,
        VerbatimBytes,
    ))
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
            Body::Memory(bytes) => (body_value(bytes, result.body_json), None),
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
            device: None,
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
            retries: result.retries,
            pages: result.pages,
            error: result.error.as_ref(),
            filtered: None,
            filter_error: None,
        }
    }

    /// The document with `--filter`'s output.
    pub fn with_filter(self, output: Option<&Output>) -> Self {
        let Some(output) = output else { return self };
        SendDocument {
            // Each result is JSON written by `core::filter`.
            filtered: Some(
                output
                    .results
                    .iter()
                    .filter_map(|r| RawValue::from_string(r.clone()).ok())
                    .collect(),
            ),
            filter_error: output.error.clone(),
            ..self
        }
    }

    /// The document for an input error found before anything was sent.
    pub fn usage(failure: &'a Failure) -> Self {
        SendDocument {
            device: None,
            name: None,
            request: None,
            status: None,
            elapsed_ms: None,
            headers: Map::new(),
            body: BodyValue::Null,
            output: None,
            insecure: false,
            warnings: &[],
            retries: 0,
            pages: None,
            error: Some(failure),
            filtered: None,
            filter_error: None,
        }
    }
}

/// The body in the document: null when blank, the JSON value as it came,
/// else text. `checked` is the verdict reached while it arrived
/// (`Sink::MemoryJson`); without one the body is parsed here.
fn body_value(bytes: &[u8], checked: Option<Verdict>) -> BodyValue<'_> {
    let text = || BodyValue::Text(String::from_utf8_lossy(bytes).into_owned());
    match checked {
        Some(Verdict::Blank) => BodyValue::Null,
        // The value without the JSON whitespace around it, as `RawValue`.
        Some(Verdict::Json) => BodyValue::Json(Verbatim(bytes.trim_ascii())),
        Some(Verdict::NotJson) => text(),
        None if bytes.iter().all(u8::is_ascii_whitespace) => BodyValue::Null,
        None => match serde_json::from_slice::<&RawValue>(bytes) {
            Ok(raw) => BodyValue::Json(Verbatim(raw.get().as_bytes())),
            Err(_) => text(),
        },
    }
}

/// Prints one JSON document on stdout.
pub fn print_json<T: Serialize>(value: &T) {
    // Buffered: stdout is line-buffered, and a body may hold many lines.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = write_json(&mut out, value)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("apx: cannot write output: {e}");
    }
}

/// How text from servers and files (bodies, decoded messages, header
/// values, names, certificate subjects) is shown on one output stream: as
/// it is in a pipe or a file, with its control characters escaped on a
/// terminal, where they could move the cursor, rewrite the screen or
/// retitle the window.
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    terminal: bool,
}

impl Shown {
    pub fn stdout() -> Shown {
        Shown {
            terminal: std::io::stdout().is_terminal(),
        }
    }

    pub fn stderr() -> Shown {
        Shown {
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A message, value or name: on a terminal every control character is
    /// escaped, line breaks too (a server's line break cannot forge a line).
    pub fn line(self, text: &str) -> Cow<'_, str> {
        if self.terminal {
            escape_controls(text, false)
        } else {
            Cow::Borrowed(text)
        }
    }

    /// A body: as [`Shown::line`], but line breaks and tabs stay.
    pub fn body(self, text: &str) -> Cow<'_, str> {
        if self.terminal {
            escape_controls(text, true)
        } else {
            Cow::Borrowed(text)
        }
    }
}

/// `text` with each control character (C0, DEL, C1) written as an escape:
/// `\x1b`, `\u{9b}`, `\n`. With `keep_layout`, `\n`, `\t` and the `\r`
/// of `\r\n` stay as they are.
fn escape_controls(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let kept = |c: char, next: Option<char>| {
        !c.is_control()
            || (keep_layout && (c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'))))
    };
    let mut chars = text.char_indices().peekable();
    let first = loop {
        match chars.next() {
            None => return Cow::Borrowed(text),
            Some((at, c)) if !kept(c, chars.peek().map(|&(_, n)| n)) => break at,
            Some(_) => {}
        }
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut chars = text[first..].chars().peekable();
    while let Some(c) = chars.next() {
        if kept(c, chars.peek().copied()) {
            out.push(c);
            continue;
        }
        // Writing to a String cannot fail.
        let _ = match c {
            '\n' => write!(out, "\\n"),
            '\r' => write!(out, "\\r"),
            '\t' => write!(out, "\\t"),
            c if c.is_ascii() => write!(out, "\\x{:02x}", c as u32),
            c => write!(out, "\\u{{{:x}}}", c as u32),
        };
    }
    Cow::Owned(out)
}

/// A failure for people, on stderr.
pub fn print_failure(failure: &Failure) {
    eprintln!("{}", failure_text(failure, Shown::stderr()));
}

/// A failure as lines of text; what came from a server or a file is shown
/// as `shown` says.
pub fn failure_text(failure: &Failure, shown: Shown) -> String {
    let origin = match (&failure.format, &failure.code) {
        (Some(format), Some(code)) => format!(
            " [{} {}]",
            json!(format).as_str().unwrap_or(""),
            shown.line(code)
        ),
        (None, Some(code)) => format!(" [{}]", shown.line(code)),
        _ => String::new(),
    };
    let mut text = format!(
        "error: {}{origin}: {}",
        failure.kind.title(),
        shown.line(&failure.message)
    );
    for detail in &failure.details {
        text.push_str(&format!("\n  {}", shown.line(detail)));
    }
    if !failure.hint.is_empty() {
        text.push_str(&format!("\nhint: {}", shown.line(&failure.hint)));
    }
    text
}

/// A result for people: summary and notes on stderr, body (or the
/// filter's results) on stdout.
pub fn print_result(result: &RequestResult, platform: Platform, filtered: Option<&Output>) {
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
            format!("{}: ", Shown::stderr().line(&result.name))
        };
        let pages = match result.pages {
            Some(1) => " · 1 page".to_string(),
            Some(n) => format!(" · {n} pages"),
            None => String::new(),
        };
        eprintln!(
            "{label}HTTP {status} {} · {:.1} ms · {} bytes{pages}",
            reason_phrase(status),
            result.elapsed.as_secs_f64() * 1000.0,
            result.body.len()
        );
    }
    if let Some(note) = redirect_note(result) {
        eprintln!("{note}");
    }
    if let Some(note) = result
        .status
        .and_then(|status| platform.deploy_note(&result.method, status))
    {
        eprintln!("note: {note}");
    }
    if let (Some(status), Body::Memory(bytes)) = (result.status, &result.body)
        && let Some(note) = platform.no_records_note(status, bytes)
    {
        eprintln!("note: {note}");
    }
    match &result.body {
        Body::Memory(bytes) if !bytes.is_empty() => {
            if result.error.is_none() {
                print_warnings(platform, bytes);
            }
            match filtered {
                Some(output) => print_filtered(None, output),
                None => print_body(bytes),
            }
        }
        Body::File { path, len } => eprintln!("{len} bytes written to {}", path.display()),
        _ => {}
    }
    if let Some(failure) = &result.error {
        print_failure(failure);
    }
}

/// A filter's results on stdout, one JSON value a line (control characters
/// escaped on a terminal), and its error on stderr, after `name: ` if given.
pub fn print_filtered(name: Option<&str>, output: &Output) {
    let shown = Shown::stdout();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = output
        .results
        .iter()
        .try_for_each(|r| writeln!(out, "{}", shown.line(r)))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("apx: cannot write output: {e}");
    }
    if let Some(error) = &output.error {
        let label = name.map_or(String::new(), |n| format!("{}: ", Shown::stderr().line(n)));
        eprintln!("{label}error: filter: {}", Shown::stderr().line(error));
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
    let location = Shown::stderr().line(location);
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
        let shown = Shown::stderr();
        eprintln!("note: {}", shown.line(&decoded.message));
        for d in decoded.details {
            eprintln!("  {}", shown.line(&d));
        }
    }
}

/// The body on stdout: exactly as it came in a pipe or a file; on a
/// terminal JSON re-indented (the app's re-indenter: values as the
/// appliance sent them, no document tree built) and control characters
/// escaped.
fn print_body(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let shown = Shown::stdout();
    let written = if shown.terminal {
        let text = match crate::core::pretty_json::pretty(bytes) {
            Some(pretty) => Cow::Owned(pretty),
            None => String::from_utf8_lossy(bytes),
        };
        let text = shown.body(&text);
        out.write_all(text.as_bytes()).and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                writeln!(out)
            }
        })
    } else {
        out.write_all(bytes)
    };
    if let Err(e) = written {
        eprintln!("apx: cannot write output: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_layout_kept_in_bodies() {
        let text = "a\x1b[2Jb\u{9b}c\x07\x7f\r\nd\te\rf\n";
        assert_eq!(
            escape_controls(text, true),
            "a\\x1b[2Jb\\u{9b}c\\x07\\x7f\r\nd\te\\rf\n"
        );
        assert_eq!(
            escape_controls(text, false),
            "a\\x1b[2Jb\\u{9b}c\\x07\\x7f\\r\\nd\\te\\rf\\n"
        );
        assert!(matches!(
            escape_controls("plain, é ✓\n\ttab\r\n", true),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_checked_body_is_written_as_the_unchecked_one_was() {
        use crate::core::json_check::JsonCheck;
        let bodies: [&[u8]; 7] = [
            b" {\"a\": [1.50e-1, \"caf\\u00e9 \xc3\xa9\"]}\r\n",
            b"[]",
            b"\"s\"",
            b"not json",
            b"{} x",
            b" \n",
            b"\"\xff\"",
        ];
        let written = |body: BodyValue<'_>| {
            let mut out = Vec::new();
            write_json(&mut out, &[body]).unwrap();
            String::from_utf8(out).unwrap()
        };
        for body in bodies {
            let mut check = JsonCheck::new();
            check.feed(body);
            let checked = written(body_value(body, Some(check.finish())));
            assert_eq!(checked, written(body_value(body, None)));
            // As a document holding serde_json's RawValue was written.
            let before = match serde_json::from_slice::<&RawValue>(body) {
                Ok(raw) => serde_json::to_string(&[raw]).unwrap(),
                Err(_) => serde_json::to_string(&[body_value(body, None)]).unwrap(),
            };
            assert_eq!(checked, before, "{}", body.escape_ascii());
        }
        assert_eq!(
            written(body_value(b" {\"a\": 1.50e-1}\n", Some(Verdict::Json))),
            "[{\"a\": 1.50e-1}]"
        );
    }

    #[test]
    fn text_is_exact_off_a_terminal() {
        let shown = Shown { terminal: false };
        assert_eq!(shown.line("a\x1bb\n"), "a\x1bb\n");
        assert_eq!(shown.body("a\x1bb\n"), "a\x1bb\n");
    }
}
