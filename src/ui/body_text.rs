//! A response body prepared for display: pretty-printed off the UI thread
//! and cut into rows, so that only the rows on screen are laid out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;

use crate::core::pretty_json;

/// A line longer than this is shown as several rows (a minified 50 MB body
/// is one line; laying it out at once would stall the window).
const MAX_ROW_BYTES: usize = 1024;

/// The text behind the rows: the body itself when it is valid UTF-8 (no
/// copy), else a converted or formatted string.
#[derive(Debug)]
enum Text {
    Shared(Bytes),
    Owned(String),
}

/// Display text and where each row starts.
#[derive(Debug)]
pub struct BodyText {
    text: Text,
    rows: Vec<usize>,
    pub is_json: bool,
}

impl BodyText {
    fn owned(text: String, is_json: bool) -> Self {
        let rows = index_rows(&text);
        BodyText {
            text: Text::Owned(text),
            rows,
            is_json,
        }
    }

    /// The body as sent, with invalid UTF-8 shown as replacement characters.
    fn raw(bytes: Bytes, is_json: bool) -> Self {
        match std::str::from_utf8(&bytes) {
            Ok(text) => BodyText {
                rows: index_rows(text),
                text: Text::Shared(bytes),
                is_json,
            },
            Err(_) => BodyText::owned(String::from_utf8_lossy(&bytes).into_owned(), is_json),
        }
    }

    pub fn line_count(&self) -> usize {
        self.rows.len()
    }

    /// One row, with its line break if it has one.
    fn row(&self, index: usize) -> &str {
        let Some(&start) = self.rows.get(index) else {
            return "";
        };
        let end = self.rows.get(index + 1).copied().unwrap_or(usize::MAX);
        match &self.text {
            // Rows start on character boundaries, so a row is valid UTF-8.
            Text::Shared(bytes) => {
                std::str::from_utf8(&bytes[start..end.min(bytes.len())]).unwrap_or_default()
            }
            Text::Owned(text) => text.get(start..end.min(text.len())).unwrap_or_default(),
        }
    }

    /// One row, without its line break.
    pub fn line(&self, index: usize) -> &str {
        let row = self.row(index);
        row.strip_suffix('\n').unwrap_or(row).trim_end_matches('\r')
    }

    /// Rows where `needle` starts, case-insensitively; a match may run on
    /// into the next row of a cut line. `None` once `cancelled` is set (a
    /// newer search replaced this one).
    pub fn find(&self, needle: &str, cancelled: &AtomicBool) -> Option<Vec<usize>> {
        let needle = needle.to_lowercase();
        if needle.is_empty() {
            return Some(Vec::new());
        }
        let mut hits = Vec::new();
        for i in 0..self.line_count() {
            if i % 1024 == 0 && cancelled.load(Ordering::Relaxed) {
                return None;
            }
            let row = self.row(i);
            let mut window = row.to_lowercase();
            let own = window.len();
            if !row.ends_with('\n') {
                let next = self.row(i + 1);
                let mut take = needle.len().min(next.len());
                while !next.is_char_boundary(take) {
                    take -= 1;
                }
                window.push_str(&next[..take].to_lowercase());
            }
            if window.match_indices(&needle).any(|(at, _)| at < own) {
                hits.push(i);
            }
        }
        Some(hits)
    }
}

/// Where each row starts: at each line, and every `MAX_ROW_BYTES` (on a
/// character boundary) within a longer line.
fn index_rows(text: &str) -> Vec<usize> {
    let mut rows = Vec::new();
    let mut start = 0;
    while start < text.len() {
        rows.push(start);
        // Look for the line break only as far as a row reaches: a minified
        // body has none, and scanning to its end for every row is quadratic.
        let window = &text.as_bytes()[start..text.len().min(start + MAX_ROW_BYTES + 1)];
        start = match window.iter().position(|&b| b == b'\n') {
            Some(i) => start + i + 1,
            None if start + MAX_ROW_BYTES >= text.len() => text.len(),
            None => {
                let mut cut = start + MAX_ROW_BYTES;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                cut
            }
        };
    }
    rows
}

/// A jq filter's results as the body view shows them: each result
/// pretty-printed, one after the other, highlighted as JSON; the error that
/// stopped the filter, if any.
pub struct Filtered {
    pub text: Arc<BodyText>,
    pub count: usize,
    pub error: Option<String>,
}

impl Filtered {
    pub fn of(output: crate::core::filter::Output) -> Filtered {
        let mut text = String::new();
        for result in &output.results {
            match pretty_json::pretty(result.as_bytes()) {
                Some(pretty) => text.push_str(pretty.trim_end()),
                None => text.push_str(result),
            }
            text.push('\n');
        }
        Filtered {
            text: Arc::new(BodyText::owned(text, true)),
            count: output.results.len(),
            error: output.error,
        }
    }
}

/// Pretty (JSON re-indented) and raw renderings of one body; the same text
/// twice when the body is not JSON.
pub struct Rendered {
    pub pretty: Arc<BodyText>,
    pub raw: Arc<BodyText>,
}

impl Rendered {
    pub fn text(&self, raw: bool) -> &Arc<BodyText> {
        if raw { &self.raw } else { &self.pretty }
    }
}

/// Pretty-prints JSON (keeping key order and the text of every value), else
/// shows text with invalid UTF-8 replaced.
pub fn render(bytes: Bytes) -> Rendered {
    match pretty_json::pretty(&bytes) {
        Some(text) => Rendered {
            pretty: Arc::new(BodyText::owned(text, true)),
            raw: Arc::new(BodyText::raw(bytes, true)),
        },
        None => {
            let text = Arc::new(BodyText::raw(bytes, false));
            Rendered {
                pretty: text.clone(),
                raw: text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_prints_and_indexes_lines() {
        let r = render(Bytes::from_static(br#"{"b":1,"a":[true]}"#));
        assert!(r.pretty.is_json);
        assert_eq!(r.pretty.line_count(), 6);
        assert_eq!(r.pretty.line(0), "{");
        assert_eq!(r.pretty.line(1), "  \"b\": 1,");
        assert_eq!(r.pretty.line(5), "}");
        assert_eq!(r.raw.line_count(), 1);
        assert_eq!(
            r.pretty.find("TRUE", &AtomicBool::new(false)),
            Some(vec![3])
        );
    }

    #[test]
    fn invalid_utf8_is_shown_with_replacements() {
        let r = render(Bytes::from_static(b"ok \xff\xfe end\n"));
        assert!(!r.pretty.is_json);
        assert_eq!(r.pretty.line(0), "ok \u{fffd}\u{fffd} end");
        assert_eq!(r.pretty.line_count(), 1);
    }

    #[test]
    fn a_long_line_is_cut_into_rows_on_character_boundaries() {
        let line = "é".repeat(MAX_ROW_BYTES);
        let r = render(Bytes::from(format!("{line}\nend\r\n")));
        let exact = "x".repeat(MAX_ROW_BYTES);
        assert_eq!(
            render(Bytes::from(format!("{exact}\n"))).raw.line_count(),
            1
        );
        let rows: Vec<&str> = (0..r.raw.line_count()).map(|i| r.raw.line(i)).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].len(), MAX_ROW_BYTES);
        assert_eq!(rows[..2].concat(), line);
        assert_eq!(rows[2], "end");
    }

    #[test]
    fn find_sees_a_match_across_a_cut_and_stops_when_cancelled() {
        let head = "x".repeat(MAX_ROW_BYTES - 3);
        let r = render(Bytes::from(format!("{head}NeedLE tail")));
        assert_eq!(r.raw.line_count(), 2);
        let live = AtomicBool::new(false);
        assert_eq!(r.raw.find("needle", &live), Some(vec![0]));
        assert_eq!(r.raw.find("tail", &live), Some(vec![1]));
        assert_eq!(r.raw.find("le tail", &live), Some(vec![1]));
        assert_eq!(r.raw.find("needle", &AtomicBool::new(true)), None);
    }

    #[test]
    fn filtered_results_are_pretty_one_after_the_other() {
        let f = Filtered::of(crate::core::filter::Output {
            results: vec![r#"{"a":1}"#.into(), "2".into()],
            error: Some("boom".into()),
        });
        assert_eq!(f.count, 2);
        let lines: Vec<&str> = (0..f.text.line_count()).map(|i| f.text.line(i)).collect();
        assert_eq!(lines, ["{", "  \"a\": 1", "}", "2"]);
        assert!(f.text.is_json);
    }

    #[test]
    fn empty_and_newline_only_bodies() {
        assert_eq!(render(Bytes::new()).raw.line_count(), 0);
        let r = render(Bytes::from_static(b"\n"));
        assert_eq!(r.raw.line_count(), 1);
        assert_eq!(r.raw.line(0), "");
    }
}
