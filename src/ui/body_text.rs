//! A response body prepared for display: pretty-printed off the UI thread,
//! split into lines so that only the visible rows are laid out.

use std::sync::mpsc;

use crate::engine::http::Body;

/// Display text and where each line starts.
#[derive(Debug, Default)]
pub struct BodyText {
    pub text: String,
    line_starts: Vec<usize>,
    pub is_json: bool,
}

impl BodyText {
    fn new(text: String, is_json: bool) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        if line_starts.last() == Some(&text.len()) && !text.is_empty() {
            line_starts.pop();
        }
        BodyText {
            text,
            line_starts,
            is_json,
        }
    }

    pub fn line_count(&self) -> usize {
        if self.text.is_empty() {
            0
        } else {
            self.line_starts.len()
        }
    }

    pub fn line(&self, index: usize) -> &str {
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = self.text.get(start..end.max(start)).unwrap_or_default();
        line.strip_suffix('\n')
            .unwrap_or(line)
            .trim_end_matches('\r')
    }

    /// Lines containing `needle`, case-insensitively.
    pub fn find(&self, needle: &str) -> Vec<usize> {
        if needle.is_empty() {
            return Vec::new();
        }
        let needle = needle.to_lowercase();
        (0..self.line_count())
            .filter(|&i| self.line(i).to_lowercase().contains(&needle))
            .collect()
    }
}

/// Pretty (JSON re-indented) and raw renderings of one body.
pub struct Rendered {
    pub pretty: BodyText,
    pub raw: BodyText,
}

/// Formats a body on a worker thread; `wake` is called when done.
pub fn render_in_background(
    body: &Body,
    wake: impl Fn() + Send + 'static,
) -> mpsc::Receiver<Rendered> {
    let (tx, rx) = mpsc::channel();
    let bytes = body.bytes().map(<[u8]>::to_vec);
    std::thread::spawn(move || {
        let rendered = match bytes {
            Some(bytes) => render(&bytes),
            None => Rendered {
                pretty: BodyText::default(),
                raw: BodyText::default(),
            },
        };
        let _ = tx.send(rendered);
        wake();
    });
    rx
}

/// Pretty-prints JSON (keeping key order), else shows text with invalid
/// UTF-8 replaced.
pub fn render(bytes: &[u8]) -> Rendered {
    let raw_text = String::from_utf8_lossy(bytes).into_owned();
    let pretty = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    match pretty {
        Some(text) => Rendered {
            pretty: BodyText::new(text, true),
            raw: BodyText::new(raw_text, true),
        },
        None => Rendered {
            pretty: BodyText::new(raw_text.clone(), false),
            raw: BodyText::new(raw_text, false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_prints_and_indexes_lines() {
        let r = render(br#"{"b":1,"a":[true]}"#);
        assert!(r.pretty.is_json);
        assert_eq!(r.pretty.line_count(), 6);
        assert_eq!(r.pretty.line(0), "{");
        assert_eq!(r.pretty.line(1), "  \"b\": 1,");
        assert_eq!(r.pretty.line(5), "}");
        assert_eq!(r.raw.line_count(), 1);
        assert_eq!(r.pretty.find("TRUE"), vec![3]);
    }

    #[test]
    fn invalid_utf8_is_shown_with_replacements() {
        let r = render(b"ok \xff\xfe end\n");
        assert!(!r.pretty.is_json);
        assert_eq!(r.pretty.line(0), "ok \u{fffd}\u{fffd} end");
        assert_eq!(r.pretty.line_count(), 1);
    }
}
