//! The framed exchange with the filter worker process (`engine::filter_process`):
//! a request on its stdin, the filter's [`Output`] on its stdout.
//!
//! Request: [`MAGIC`], a mode byte (`c` compile only, `r` run), the
//! expression's length (u32, little-endian) and text, then the body to the end.
//! Answer: frames of a kind byte and a length-prefixed (u32, little-endian)
//! text, `R` a result and `E` the error, closed by `.`: an answer without its
//! close is a worker that died on the way.

use std::io::{self, Read, Write};

use super::filter::{MAX_EXPR_CHARS, MAX_OUTPUT_BYTES, MAX_RESULTS, Output};

/// The first bytes of a request.
pub const MAGIC: &[u8] = b"apx-filter/1\n";
/// The longest error text an answer carries (a jq error can quote a value).
pub const MAX_ERROR_BYTES: usize = 4096;
/// The most bytes a well-formed answer can take.
pub const MAX_ANSWER_BYTES: usize = MAX_OUTPUT_BYTES + 5 * (MAX_RESULTS + 1) + MAX_ERROR_BYTES + 1;

const RESULT: u8 = b'R';
const ERROR: u8 = b'E';
const END: u8 = b'.';

/// What the worker is asked to do with the expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Compile only: the answer's error is the compile error, if any.
    Compile,
    /// Compile and run on the body.
    Run,
}

/// A request as the worker reads it.
#[derive(Debug, PartialEq)]
pub struct Request {
    pub mode: Mode,
    pub code: String,
    pub body: Vec<u8>,
}

/// The request's bytes before the body.
pub fn request_head(mode: Mode, code: &str) -> Vec<u8> {
    let mut head = MAGIC.to_vec();
    head.push(match mode {
        Mode::Compile => b'c',
        Mode::Run => b'r',
    });
    head.extend_from_slice(&frame_len(code.len()).to_le_bytes());
    head.extend_from_slice(code.as_bytes());
    head
}

/// Reads a whole request; an expression longer than a compilable one (in
/// bytes) is refused before it is read.
pub fn read_request(input: &mut impl Read) -> Result<Request, String> {
    let bad = |what: &str| format!("not a filter request: {what}");
    let mut magic = [0; MAGIC.len()];
    input.read_exact(&mut magic).map_err(|_| bad("no header"))?;
    if magic != MAGIC {
        return Err(bad("wrong header"));
    }
    let mut head = [0; 5];
    input.read_exact(&mut head).map_err(|_| bad("no mode"))?;
    let mode = match head[0] {
        b'c' => Mode::Compile,
        b'r' => Mode::Run,
        _ => return Err(bad("unknown mode")),
    };
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > 4 * MAX_EXPR_CHARS {
        return Err(bad("expression too long"));
    }
    let mut code = vec![0; len];
    input
        .read_exact(&mut code)
        .map_err(|_| bad("expression cut short"))?;
    let code = String::from_utf8(code).map_err(|_| bad("expression not UTF-8"))?;
    let mut body = Vec::new();
    input
        .read_to_end(&mut body)
        .map_err(|e| format!("cannot read the body: {e}"))?;
    Ok(Request { mode, code, body })
}

/// Writes `output` as an answer; its error is cut to [`MAX_ERROR_BYTES`].
pub fn write_answer(out: &mut impl Write, output: &Output) -> io::Result<()> {
    for result in &output.results {
        write_frame(out, RESULT, result)?;
    }
    if let Some(error) = &output.error {
        write_frame(out, ERROR, &cut(error))?;
    }
    out.write_all(&[END])
}

/// The output an answer carries; `None` when it is incomplete or malformed
/// (more than [`MAX_RESULTS`] results, say).
pub fn read_answer(mut bytes: &[u8]) -> Option<Output> {
    let mut output = Output::default();
    loop {
        let (&kind, rest) = bytes.split_first()?;
        if kind == END {
            return rest.is_empty().then_some(output);
        }
        if output.error.is_some() || rest.len() < 4 {
            return None;
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let text = std::str::from_utf8(rest.get(4..4 + len)?).ok()?.to_string();
        bytes = &rest[4 + len..];
        match kind {
            RESULT if output.results.len() < MAX_RESULTS => output.results.push(text),
            ERROR => output.error = Some(text),
            _ => return None,
        }
    }
}

fn write_frame(out: &mut impl Write, kind: u8, text: &str) -> io::Result<()> {
    out.write_all(&[kind])?;
    out.write_all(&frame_len(text.len()).to_le_bytes())?;
    out.write_all(text.as_bytes())
}

/// A text's length as a frame carries it (every framed text is far below 4 GiB:
/// results within [`MAX_OUTPUT_BYTES`], expressions within [`MAX_EXPR_CHARS`]).
fn frame_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// `text` within [`MAX_ERROR_BYTES`], cut at a character boundary.
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_ERROR_BYTES {
        return text.into();
    }
    let mut end = MAX_ERROR_BYTES - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reads_back() {
        let mut bytes = request_head(Mode::Run, ".items[] | .näme");
        bytes.extend_from_slice(br#"{"items":[]}"#);
        let request = read_request(&mut bytes.as_slice()).unwrap();
        assert_eq!(request.mode, Mode::Run);
        assert_eq!(request.code, ".items[] | .näme");
        assert_eq!(request.body, br#"{"items":[]}"#);
        let request = read_request(&mut request_head(Mode::Compile, "").as_slice()).unwrap();
        assert_eq!((request.mode, request.body.len()), (Mode::Compile, 0));
    }

    #[test]
    fn malformed_requests_are_refused() {
        let good = request_head(Mode::Run, ".");
        assert!(read_request(&mut &b"hello"[..]).is_err());
        assert!(read_request(&mut &good[..MAGIC.len() + 3]).is_err());
        let mut mode = good.clone();
        mode[MAGIC.len()] = b'x';
        assert!(read_request(&mut mode.as_slice()).is_err());
        let huge = request_head(Mode::Run, &"x".repeat(4 * MAX_EXPR_CHARS + 1));
        let e = read_request(&mut huge.as_slice()).unwrap_err();
        assert!(e.contains("too long"), "{e}");
    }

    #[test]
    fn an_answer_reads_back_and_a_cut_one_does_not() {
        let output = Output {
            results: vec!["1".into(), r#""a\nb""#.into(), String::new()],
            error: Some("cannot index".into()),
        };
        let mut bytes = Vec::new();
        write_answer(&mut bytes, &output).unwrap();
        assert_eq!(read_answer(&bytes), Some(output));
        for end in 0..bytes.len() {
            assert_eq!(read_answer(&bytes[..end]), None, "cut at {end}");
        }
        let mut trailing = bytes.clone();
        trailing.push(b'.');
        assert_eq!(read_answer(&trailing), None);
        let mut empty = Vec::new();
        write_answer(&mut empty, &Output::default()).unwrap();
        assert_eq!(read_answer(&empty), Some(Output::default()));
    }

    #[test]
    fn long_errors_are_cut_and_too_many_results_refused() {
        let output = Output {
            results: Vec::new(),
            error: Some("é".repeat(MAX_ERROR_BYTES)),
        };
        let mut bytes = Vec::new();
        write_answer(&mut bytes, &output).unwrap();
        let error = read_answer(&bytes).unwrap().error.unwrap();
        assert!(error.len() <= MAX_ERROR_BYTES && error.ends_with('…'));
        let many = Output {
            results: vec!["1".into(); MAX_RESULTS + 1],
            error: None,
        };
        let mut bytes = Vec::new();
        write_answer(&mut bytes, &many).unwrap();
        assert_eq!(read_answer(&bytes), None);
    }
}
