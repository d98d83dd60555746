//! JSON highlighting with syntect, kept off the UI thread. The syntax and
//! theme sets load once on a worker; the response viewer asks for the rows
//! on screen and a worker thread sends back their layout jobs, while the rows
//! show as plain text until they arrive.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock, mpsc};

use egui::text::{ByteIndex, LayoutJob, LayoutSection, TextFormat};
use syntect::easy::HighlightLines;
use syntect::highlighting::ThemeSet;
use syntect::parsing::SyntaxSet;

use super::body_text::BodyText;

/// Rows kept highlighted before the cache starts over (a few screens' worth
/// many times over; rows are cheap to redo when scrolled back to).
const CACHE_ROWS: usize = 20_000;

struct Syntect {
    syntaxes: SyntaxSet,
    themes: ThemeSet,
}

static SYNTECT: OnceLock<Syntect> = OnceLock::new();

fn syntect() -> &'static Syntect {
    SYNTECT.get_or_init(|| Syntect {
        syntaxes: SyntaxSet::load_defaults_newlines(),
        themes: ThemeSet::load_defaults(),
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

/// One line of JSON as a layout job; plain text if syntect fails on it.
fn line_job(syntect: &Syntect, line: &str, look: &Look) -> LayoutJob {
    let theme_name = if look.dark {
        "base16-mocha.dark"
    } else {
        "Solarized (light)"
    };
    let syntax = syntect.syntaxes.find_syntax_by_extension("json");
    let theme = syntect.themes.themes.get(theme_name);
    let spans = syntax.zip(theme).and_then(|(syntax, theme)| {
        HighlightLines::new(syntax, theme)
            .highlight_line(line, &syntect.syntaxes)
            .ok()
    });
    let Some(spans) = spans else {
        return LayoutJob::simple_singleline(line.to_owned(), look.font.clone(), plain(look));
    };
    let mut job = LayoutJob {
        text: line.to_owned(),
        ..Default::default()
    };
    let mut offset = 0;
    for (style, piece) in spans {
        let fg = style.foreground;
        job.sections.push(LayoutSection {
            leading_space: 0.0,
            byte_range: ByteIndex(offset)..ByteIndex(offset + piece.len()),
            format: TextFormat::simple(
                look.font.clone(),
                egui::Color32::from_rgb(fg.r, fg.g, fg.b),
            ),
        });
        offset += piece.len();
    }
    job
}

fn plain(look: &Look) -> egui::Color32 {
    if look.dark {
        egui::Color32::LIGHT_GRAY
    } else {
        egui::Color32::DARK_GRAY
    }
}

/// A small JSON text (the request body editor) highlighted in place, or
/// `None` while the syntax set is still loading.
pub fn highlight_now(text: &str, look: &Look) -> Option<LayoutJob> {
    let syntect = SYNTECT.get()?;
    let mut job = LayoutJob::default();
    for line in text.split_inclusive('\n') {
        let piece = line_job(syntect, line, look);
        let base = job.text.len();
        job.text.push_str(&piece.text);
        job.sections.extend(piece.sections.into_iter().map(|mut s| {
            s.byte_range.start += base;
            s.byte_range.end += base;
            s
        }));
    }
    Some(job)
}

struct Ask {
    generation: u64,
    text: Arc<BodyText>,
    rows: Range<usize>,
    look: Look,
    ctx: egui::Context,
}

struct Done {
    generation: u64,
    rows: Vec<(usize, Arc<LayoutJob>)>,
}

/// Highlights rows of one text on a worker thread and caches them by row.
pub struct RowHighlighter {
    asks: mpsc::Sender<Ask>,
    done: mpsc::Receiver<Done>,
    cache: HashMap<usize, Arc<LayoutJob>>,
    /// What the cache holds rows of: the text (by address) and the look.
    key: Option<(usize, Look)>,
    generation: u64,
    asked: Option<Range<usize>>,
}

impl Default for RowHighlighter {
    fn default() -> Self {
        let (asks, inbox) = mpsc::channel::<Ask>();
        let (outbox, done) = mpsc::channel();
        std::thread::Builder::new()
            .name("apx-highlight".into())
            .spawn(move || worker(&inbox, &outbox))
            .map_err(|e| tracing::warn!("no highlighting thread: {e}"))
            .ok();
        RowHighlighter {
            asks,
            done,
            cache: HashMap::new(),
            key: None,
            generation: 0,
            asked: None,
        }
    }
}

fn worker(inbox: &mpsc::Receiver<Ask>, outbox: &mpsc::Sender<Done>) {
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
        if outbox
            .send(Done {
                generation: ask.generation,
                rows,
            })
            .is_err()
        {
            return;
        }
        ask.ctx.request_repaint();
    }
}

impl RowHighlighter {
    /// The highlighted rows in `rows` of `text`, asking the worker for any
    /// that are missing. `None` for a row not highlighted yet.
    pub fn rows(
        &mut self,
        ctx: &egui::Context,
        text: &Arc<BodyText>,
        rows: Range<usize>,
        look: &Look,
    ) -> Vec<Option<Arc<LayoutJob>>> {
        let key = (Arc::as_ptr(text) as usize, look.clone());
        if self.key.as_ref() != Some(&key) {
            self.key = Some(key);
            self.cache.clear();
            self.generation += 1;
            self.asked = None;
        }
        while let Ok(done) = self.done.try_recv() {
            if done.generation == self.generation {
                if self.cache.len() + done.rows.len() > CACHE_ROWS {
                    self.cache.clear();
                    self.asked = None;
                }
                self.cache.extend(done.rows);
            }
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
                ctx: ctx.clone(),
            });
        }
        found
    }
}
