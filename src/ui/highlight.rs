//! JSON highlighting with syntect, kept off the UI thread. The syntax and
//! theme sets load once on a worker; the response viewer asks for the rows
//! on screen and a worker thread sends back their layout jobs, while the rows
//! show as plain text until they arrive.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock, Weak, mpsc};

use egui::text::{ByteIndex, LayoutJob, LayoutSection, TextFormat};
use std::str::FromStr;
use syntect::easy::HighlightLines;

use syntect::highlighting::{Color, ScopeSelectors, StyleModifier, ThemeItem, ThemeSet};
use syntect::parsing::SyntaxSet;

use super::body_text::BodyText;
use super::inbox::{Msg, Outbox};

/// Rows kept highlighted before the cache starts over (a few screens' worth
/// many times over; rows are cheap to redo when scrolled back to).
const CACHE_ROWS: usize = 20_000;

struct Syntect {
    syntaxes: SyntaxSet,
    themes: ThemeSet,
}

static SYNTECT: OnceLock<Syntect> = OnceLock::new();

const DARK: &str = "base16-mocha.dark";
const LIGHT: &str = "Solarized (light)";

fn syntect() -> &'static Syntect {
    SYNTECT.get_or_init(|| {
        let mut themes = ThemeSet::load_defaults();
        // These themes colour every string alike; in a JSON document the
        // keys are what the eye scans for, so they get their own colour.
        for (name, (r, g, b)) in [(DARK, (0x8a, 0xb3, 0xb5)), (LIGHT, (0x26, 0x8b, 0xd2))] {
            if let (Some(theme), Ok(scope)) = (
                themes.themes.get_mut(name),
                ScopeSelectors::from_str(
                    "meta.structure.dictionary.key string, meta.mapping.key string",
                ),
            ) {
                theme.scopes.push(ThemeItem {
                    scope,
                    style: StyleModifier {
                        foreground: Some(Color { r, g, b, a: 0xff }),
                        ..Default::default()
                    },
                });
            }
        }
        Syntect {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            themes,
        }
    })
}

/// Loads the syntax and theme sets on a background thread, so that no frame
/// waits for them.
pub fn warm_up() {
    std::thread::spawn(|| {
        syntect();
    });
}

/// How highlighted text looks: the colour scheme and the monospace font.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub dark: bool,
    pub font: egui::FontId,
}

impl Look {
    pub fn of(ui: &egui::Ui) -> Look {
        Look {
            dark: ui.visuals().dark_mode,
            font: egui::TextStyle::Monospace.resolve(ui.style()),
        }
    }
}

/// One row of pretty-printed JSON as a layout job. Highlighted alone, a
/// `"key": value` row would read as a stray string: the highlighter is
/// first put inside an object (for a member or a closing brace) or an array
/// (for anything else), as the row is in the document. Plain text if syntect fails on it.
fn line_job(syntect: &Syntect, line: &str, look: &Look) -> LayoutJob {
    let closes_object = line.trim_start().starts_with('}');
    let primer = if closes_object || is_member(line) {
        "{\n"
    } else {
        "[\n"
    };
    let spans = highlighter(syntect, look).and_then(|mut h| {
        h.highlight_line(primer, &syntect.syntaxes).ok()?;
        h.highlight_line(&format!("{line}\n"), &syntect.syntaxes)
            .ok()
            .map(|spans| to_sections(&spans, line.len(), 0, look))
    });
    match spans {
        Some(sections) => LayoutJob {
            text: line.to_owned(),
            sections,
            ..Default::default()
        },
        None => LayoutJob::simple_singleline(line.to_owned(), look.font.clone(), plain(look)),
    }
}

fn highlighter<'a>(syntect: &'a Syntect, look: &Look) -> Option<HighlightLines<'a>> {
    let theme_name = if look.dark { DARK } else { LIGHT };
    let syntax = syntect.syntaxes.find_syntax_by_extension("json")?;
    let theme = syntect.themes.themes.get(theme_name)?;
    Some(HighlightLines::new(syntax, theme))
}

/// Layout sections for highlighted pieces, clipped to `len` bytes and
/// shifted by `base`.
fn to_sections(
    spans: &[(syntect::highlighting::Style, &str)],
    len: usize,
    base: usize,
    look: &Look,
) -> Vec<LayoutSection> {
    let mut sections = Vec::new();
    let mut offset = 0;
    for (style, piece) in spans {
        let end = (offset + piece.len()).min(len);
        if end > offset {
            let fg = style.foreground;
            sections.push(LayoutSection {
                leading_space: 0.0,
                byte_range: ByteIndex(base + offset)..ByteIndex(base + end),
                format: TextFormat::simple(
                    look.font.clone(),
                    egui::Color32::from_rgb(fg.r, fg.g, fg.b),
                ),
            });
        }
        offset += piece.len();
    }
    sections
}

/// Whether a pretty-printed row is an object member (`"key": …`).
fn is_member(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('"') else {
        return false;
    };
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return rest[i + 1..].trim_start().starts_with(':'),
            _ => {}
        }
    }
    false
}

fn plain(look: &Look) -> egui::Color32 {
    if look.dark {
        egui::Color32::LIGHT_GRAY
    } else {
        egui::Color32::DARK_GRAY
    }
}

/// A small JSON text (the request body editor) highlighted in place, line
/// after line with the state carried over, or `None` while the syntax set
/// is still loading.
pub fn highlight_now(text: &str, look: &Look) -> Option<LayoutJob> {
    let syntect = SYNTECT.get()?;
    let mut h = highlighter(syntect, look)?;
    let mut job = LayoutJob {
        text: text.to_owned(),
        ..Default::default()
    };
    let mut base = 0;
    for line in text.split_inclusive('\n') {
        let spans = h.highlight_line(line, &syntect.syntaxes).ok()?;
        job.sections
            .extend(to_sections(&spans, line.len(), base, look));
        base += line.len();
    }
    Some(job)
}

struct Ask {
    generation: u64,
    text: Arc<BodyText>,
    rows: Range<usize>,
    look: Look,
}

/// Rows the worker highlighted; they reach the app through its inbox.
pub struct Highlighted {
    generation: u64,
    rows: Vec<(usize, Arc<LayoutJob>)>,
}

/// Highlights rows of one text on a worker thread and caches them by row.
pub struct RowHighlighter {
    asks: mpsc::Sender<Ask>,
    cache: HashMap<usize, Arc<LayoutJob>>,
    /// What the cache holds rows of: the text and the look. A `Weak`, not an
    /// address: a new text may be allocated where a dropped one was.
    key: Option<(Weak<BodyText>, Look)>,
    generation: u64,
    asked: Option<Range<usize>>,
}

impl RowHighlighter {
    /// Starts the worker; what it highlights is sent to `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        let (asks, inbox) = mpsc::channel::<Ask>();
        std::thread::Builder::new()
            .name("apx-highlight".into())
            .spawn(move || worker(&inbox, &outbox))
            .map_err(|e| tracing::warn!("no highlighting thread: {e}"))
            .ok();
        RowHighlighter {
            asks,
            cache: HashMap::new(),
            key: None,
            generation: 0,
            asked: None,
        }
    }
}

fn worker(inbox: &mpsc::Receiver<Ask>, outbox: &Outbox) {
    while let Ok(mut ask) = inbox.recv() {
        // Only the newest request matters: the user has scrolled on.
        while let Ok(newer) = inbox.try_recv() {
            ask = newer;
        }
        let syntect = syntect();
        let rows = ask
            .rows
            .clone()
            .map(|row| {
                let job = line_job(syntect, ask.text.line(row), &ask.look);
                (row, Arc::new(job))
            })
            .collect();
        outbox.send(Msg::Highlighted(Highlighted {
            generation: ask.generation,
            rows,
        }));
    }
}

impl RowHighlighter {
    /// Keeps rows the worker highlighted, if they are of the current text.
    pub fn take(&mut self, done: Highlighted) {
        if done.generation != self.generation {
            return;
        }
        if self.cache.len() + done.rows.len() > CACHE_ROWS {
            self.cache.clear();
            self.asked = None;
        }
        self.cache.extend(done.rows);
    }

    /// The highlighted rows in `rows` of `text`, asking the worker for any
    /// that are missing. `None` for a row not highlighted yet.
    pub fn rows(
        &mut self,
        text: &Arc<BodyText>,
        rows: Range<usize>,
        look: &Look,
    ) -> Vec<Option<Arc<LayoutJob>>> {
        let same = self
            .key
            .as_ref()
            .is_some_and(|(t, l)| t.ptr_eq(&Arc::downgrade(text)) && l == look);
        if !same {
            self.key = Some((Arc::downgrade(text), look.clone()));
            self.cache.clear();
            self.generation += 1;
            self.asked = None;
        }
        let found: Vec<_> = rows.clone().map(|r| self.cache.get(&r).cloned()).collect();
        let missing = found.iter().any(Option::is_none);
        // A screen above and two below as well, so that scrolling on shows
        // rows already highlighted.
        let screen = rows.len();
        let wanted =
            rows.start.saturating_sub(screen)..(rows.end + 2 * screen).min(text.line_count());
        if missing && self.asked.as_ref() != Some(&wanted) {
            self.asked = Some(wanted.clone());
            let _ = self.asks.send(Ask {
                generation: self.generation,
                text: text.clone(),
                rows: wanted,
                look: look.clone(),
            });
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look() -> Look {
        Look {
            dark: true,
            font: egui::FontId::monospace(12.0),
        }
    }

    #[test]
    fn member_rows_and_value_rows() {
        assert!(is_member(r#"  "kind": "object","#));
        assert!(is_member(r#"  "a \"q\"": 1"#));
        assert!(!is_member(r#"  "just a value","#));
        assert!(!is_member("  42,"));
        assert!(!is_member("}"));
    }

    #[test]
    fn a_key_and_its_value_get_different_colours() {
        let line = r#"  "kind": "object#NetworkObj","#;
        let job = line_job(syntect(), line, &look());
        assert_eq!(job.text, line);
        let colour_at = |byte: usize| {
            job.sections
                .iter()
                .find(|s| s.byte_range.start.0 <= byte && byte < s.byte_range.end.0)
                .map(|s| s.format.color)
                .unwrap()
        };
        assert_ne!(colour_at(3), colour_at(12), "{job:?}");
        assert_eq!(job.sections.last().unwrap().byte_range.end.0, line.len());
    }

    #[test]
    fn the_body_editor_is_covered_end_to_end() {
        syntect();
        let text = "{\n  \"commands\": [\"show version\"]\n}\n";
        let job = highlight_now(text, &look()).unwrap();
        assert_eq!(job.text, text);
        assert_eq!(job.sections.first().unwrap().byte_range.start.0, 0);
        assert_eq!(job.sections.last().unwrap().byte_range.end.0, text.len());
    }
}
