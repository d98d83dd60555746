//! Re-indents JSON text in one pass, without building a tree: strings and
//! numbers are copied exactly as the appliance sent them, keys keep their
//! order, and a 50 MB body needs one output buffer, not a parsed document.

use std::io::Write;

/// Lines are indented by at most this many levels. A deeper line keeps this
/// indent (64 columns) and starts with its depth, `40…`, so that a deeply
/// nested body cannot multiply its size by the depth: the pretty text is at
/// most [`MAX_GROWTH`] times the input.
pub const MAX_INDENT: usize = 32;

/// The most bytes of pretty text per byte of input: a `,`, `{` or `}`
/// becomes itself, a line break and at most 66 bytes of indent (a depth
/// label's `…` takes 3 bytes for one column).
pub const MAX_GROWTH: usize = 68;

/// The pretty text may take at most this many times the input, plus
/// [`SLACK`]: past that (many short values nested deep) the body is shown as
/// it came, so that memory stays a small multiple of the body.
pub const MAX_OUTPUT_FACTOR: usize = 8;
/// See [`MAX_OUTPUT_FACTOR`].
pub const SLACK: usize = 1 << 20;

/// The input pretty-printed with two-space indentation (serde_json's layout:
/// `"key": value`, empty `{}` and `[]` kept on one line; past
/// [`MAX_INDENT`] levels, see there), or `None` when the input is not a
/// single valid JSON document in UTF-8, or when its pretty text would pass
/// [`MAX_OUTPUT_FACTOR`] times its size.
pub fn pretty(input: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde::de::IgnoredAny>(input).ok()?;
    let budget = input.len().saturating_mul(MAX_OUTPUT_FACTOR) + SLACK;
    String::from_utf8(reindent(input, budget)?).ok()
}

/// Re-indents text already known to be valid JSON, unless the result
/// would pass `budget` bytes.
fn reindent(input: &[u8], budget: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 2);
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        match b {
            b'"' => {
                let end = string_end(input, i);
                out.extend_from_slice(&input[i..end]);
                i = end;
                continue;
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                let next = skip_whitespace(input, i + 1);
                if input.get(next) == Some(&close) {
                    out.extend_from_slice(&[b, close]);
                    i = next + 1;
                    continue;
                }
                depth += 1;
                out.push(b);
                new_line(&mut out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b',');
                new_line(&mut out, depth);
                if out.len() > budget {
                    return None;
                }
            }
            b':' => out.extend_from_slice(b": "),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => out.push(b),
        }
        i += 1;
    }
    (out.len() <= budget).then_some(out)
}

/// The index just past the string that starts (with its quote) at `start`.
fn string_end(input: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&b) = input.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    input.len()
}

fn skip_whitespace(input: &[u8], mut i: usize) -> usize {
    while input
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

fn new_line(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    let mut spaces = 2 * depth;
    if depth > MAX_INDENT {
        let label = out.len();
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{depth}\u{2026}");
        // The digits, and the ellipsis: three bytes, one column.
        let label_columns = out.len() - label - 2;
        spaces = 2 * MAX_INDENT - label_columns;
    }
    out.resize(out.len() + spaces, b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_serde_json_layout_and_keeps_text_as_sent() {
        let input = br#" {"b":1,"a":[true,{},[],{"k":"v, \"q\" [x]:"}],"n":1.50e3,"u":"\u00e9"} "#;
        let expected = "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    {},\n    [],\n    {\n      \"k\": \"v, \\\"q\\\" [x]:\"\n    }\n  ],\n  \"n\": 1.50e3,\n  \"u\": \"\\u00e9\"\n}";
        assert_eq!(pretty(input).as_deref(), Some(expected));
    }

    #[test]
    fn agrees_with_serde_json_where_serde_keeps_the_text() {
        let input = br#"{"id":"obj-1","rangeInfo":{"offset":0,"limit":100,"total":2},"items":[{"kind":"object#NetworkObj","host":{"kind":"IPv4Address","value":"10.0.0.1"}},{"empty":{ }}]}"#;
        let value: serde_json::Value = serde_json::from_slice(input).unwrap();
        assert_eq!(
            pretty(input).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn lines_deeper_than_the_indent_cap_keep_it_and_show_their_depth() {
        let depth = MAX_INDENT + 2;
        let input = format!("{}0{}", "[".repeat(depth), "]".repeat(depth));
        let text = pretty(input.as_bytes()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 * depth + 1);
        let indent = " ".repeat(2 * MAX_INDENT);
        assert_eq!(lines[MAX_INDENT], format!("{indent}["));
        assert_eq!(
            lines[MAX_INDENT + 1],
            format!("33\u{2026}{}[", &indent[3..])
        );
        assert_eq!(lines[depth], format!("34\u{2026}{}0", &indent[3..]));
        assert_eq!(lines[depth + 1], format!("33\u{2026}{}]", &indent[3..]));
        assert_eq!(lines[depth + 2], format!("{indent}]"));
        for line in &lines {
            assert!(line.chars().count() <= 2 * MAX_INDENT + 1, "{line:?}");
        }
    }

    #[test]
    fn a_body_that_would_grow_past_the_budget_is_left_as_sent() {
        // Short values 33 deep: each `0,` would take a line of 64 columns.
        let depth = 33;
        let mut deep = "[".repeat(depth);
        deep.push_str(&vec!["0"; 200_000].join(","));
        deep.push_str(&"]".repeat(depth));
        assert_eq!(pretty(deep.as_bytes()), None);
        // Shallow, the same values pretty-print.
        let flat = format!("[{}]", vec!["0"; 200_000].join(","));
        let text = pretty(flat.as_bytes()).unwrap();
        assert!(text.len() <= MAX_OUTPUT_FACTOR * flat.len() + SLACK);
    }

    #[test]
    fn scalars_and_invalid_input() {
        assert_eq!(pretty(b" 42 ").as_deref(), Some("42"));
        assert_eq!(pretty(b"\"a\\\\\"").as_deref(), Some("\"a\\\\\""));
        assert_eq!(pretty(b"{\"a\":1"), None);
        assert_eq!(pretty(b"{\"a\":1} x"), None);
        assert_eq!(pretty(b"not json"), None);
        assert_eq!(pretty(b""), None);
        assert_eq!(pretty(b"\"\xff\""), None);
    }
}
