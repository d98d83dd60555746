//! The diff window: two responses compared (two rows of a run or fan-out,
//! or two history entries) with `apx diff`'s structural diff
//! ([`crate::core::diff`]): each change's JSON pointer, its kind, and the
//! left and right values side by side, coloured; the paths to ignore,
//! edited live; a count summary; the changes copied as `apx diff --json`'s
//! document. Bodies are read, parsed and compared on a worker, each at
//! most [`MAX_COMPARED`] bytes.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use egui::{Color32, RichText};
use serde_json::Value;

use super::actions::Action;
use super::widgets::human_size;
use crate::core::diff::{Bounded, Change, DEFAULT_IGNORE, Ignore, Limits, Op, diff_within};
use crate::core::history::HistoryEntry;
use crate::engine::RequestResult;
use crate::engine::http::Body;

/// The largest body compared in the app (each side): parsed, a body takes
/// several times its size in memory. Larger ones: `apx diff`.
pub const MAX_COMPARED: u64 = 16 << 20;
/// Changes listed at most (Copy as JSON has them all).
const MAX_LISTED: usize = 10_000;
/// A pointer or value is listed up to this many bytes (then `...`).
const MAX_SHOWN: usize = 400;

/// Tells results of an earlier comparison (or an earlier ignore list)
/// from the one shown.
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// One side of a comparison: what it is (a device, a time) and its
/// response body, or why there is none.
#[derive(Clone)]
pub struct DiffSide {
    pub title: String,
    pub body: Result<Body, String>,
}

impl DiffSide {
    /// A request's result, titled `title`.
    pub fn of_result(title: String, result: Option<&RequestResult>) -> DiffSide {
        let body = result
            .map(|r| r.body.clone())
            .ok_or_else(|| "no response (the request was not sent)".to_string());
        DiffSide { title, body }
    }

    /// A history entry: its recorded body, titled by device (else host)
    /// and time.
    pub fn of_history(entry: &HistoryEntry) -> DiffSide {
        let host = url::Url::parse(&entry.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        let who = entry.device.clone().or(host).unwrap_or_default();
        let when = crate::core::tls::rfc3339(entry.timestamp as i64);
        let body = match &entry.body {
            Some(text) => Ok(Body::Memory(text.clone().into_bytes().into())),
            None if entry.body_truncated => {
                Err("the body was over 64 KiB and not recorded in the history".into())
            }
            None => Ok(Body::Memory(Default::default())),
        };
        DiffSide {
            title: format!("{who} at {when}"),
            body,
        }
    }
}

/// Both documents, parsed once and shared by every recomputation.
type Parsed = Arc<OnceLock<Result<(Value, Value), String>>>;

/// The diff window's state.
pub struct DiffView {
    pub left: DiffSide,
    pub right: DiffSide,
    /// The paths ignored, one pattern a line.
    pub ignore: String,
    generation: u64,
    parsed: Parsed,
    /// None while the comparison runs.
    outcome: Option<Result<Compared, String>>,
}

/// A comparison to run on a worker.
pub struct DiffJob {
    generation: u64,
    left: DiffSide,
    right: DiffSide,
    ignore: Vec<Ignore>,
    parsed: Parsed,
}

/// A worker's answer.
pub struct Diffed {
    generation: u64,
    outcome: Result<Compared, String>,
}

/// The changes (at most [`KEPT`] of them, counted beyond), each listed.
pub struct Compared {
    pub changes: Bounded,
    rows: Vec<Row>,
}

/// What a comparison keeps of hostile bodies: the changes listed, and
/// at most 64 MiB of their pointers and values.
const KEPT: Limits = Limits {
    changes: MAX_LISTED,
    bytes: 64 << 20,
};

/// A change as listed: its values as short JSON text.
struct Row {
    op: Op,
    path: String,
    old: String,
    new: String,
}

impl DiffView {
    /// `left` against `right`, the default paths ignored (nothing computed
    /// yet: see [`DiffView::job`]).
    pub fn new(left: DiffSide, right: DiffSide) -> DiffView {
        DiffView {
            left,
            right,
            ignore: DEFAULT_IGNORE.join("\n"),
            generation: 0,
            parsed: Arc::default(),
            outcome: None,
        }
    }

    /// The comparison for the current ignore list, the previous one's
    /// result forgotten; none when a pattern does not parse (the window
    /// says why).
    pub fn job(&mut self) -> Option<DiffJob> {
        self.generation = GENERATION.fetch_add(1, Ordering::Relaxed);
        let ignore = self
            .ignore
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(Ignore::parse)
            .collect::<Result<Vec<_>, _>>();
        match ignore {
            Ok(ignore) => {
                self.outcome = None;
                Some(DiffJob {
                    generation: self.generation,
                    left: self.left.clone(),
                    right: self.right.clone(),
                    ignore,
                    parsed: self.parsed.clone(),
                })
            }
            Err(e) => {
                self.outcome = Some(Err(format!("Ignore paths: {e}")));
                None
            }
        }
    }

    /// Takes a worker's answer, unless a newer comparison replaced it.
    pub fn take(&mut self, diffed: Diffed) {
        if diffed.generation == self.generation {
            self.outcome = Some(diffed.outcome);
        }
    }

    /// The changes, once computed.
    pub fn changes(&self) -> Option<&[Change]> {
        match &self.outcome {
            Some(Ok(c)) => Some(&c.changes.changes),
            _ => None,
        }
    }

    /// Draws the window; false once it is closed.
    pub fn window(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) -> bool {
        let mut open = true;
        egui::Window::new("Compare responses")
            .open(&mut open)
            .default_width(760.0)
            .default_height(480.0)
            .show(ctx, |ui| self.ui(ui, actions));
        open
    }

    fn ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        ui.label(format!("Left: {}", self.left.title));
        ui.label(format!("Right: {}", self.right.title));
        ui.horizontal(|ui| {
            let label = ui.label("Ignore paths");
            let edit = ui
                .add(
                    egui::TextEdit::multiline(&mut self.ignore)
                        .desired_rows(3)
                        .desired_width(360.0)
                        .hint_text("one JSON pointer a line; * one segment, ** any number"),
                )
                .labelled_by(label.id);
            if edit.changed() {
                actions.push(Action::RefreshDiff);
            }
        });
        ui.horizontal(|ui| match &self.outcome {
            None => {
                ui.spinner();
                ui.label("Comparing...");
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            Some(Ok(compared)) => {
                ui.label(summary(&compared.changes));
                if ui
                    .button("Copy as JSON")
                    .on_hover_text("The changes as `apx diff --json` prints them")
                    .clicked()
                {
                    ui.ctx().copy_text(export(&compared.changes.changes));
                    let (n, total) = (compared.changes.changes.len(), compared.changes.total());
                    actions.push(Action::Notice(if n < total {
                        format!("Copied the first {n} of {total} differences as JSON (apx diff lists them all)")
                    } else {
                        format!("Copied {n} difference{} as JSON", if n == 1 { "" } else { "s" })
                    }));
                }
            }
        });
        ui.separator();
        if let Some(Ok(compared)) = &self.outcome {
            table(ui, compared, &self.left.title, &self.right.title);
        }
    }
}

impl DiffJob {
    /// Parses both bodies (once for all jobs of a window) and compares them.
    pub fn run(self) -> Diffed {
        let parsed = self
            .parsed
            .get_or_init(|| Ok((load(&self.left)?, load(&self.right)?)));
        let outcome = match parsed {
            Ok((a, b)) => {
                let changes = diff_within(a, b, &self.ignore, KEPT);
                let rows = changes.changes.iter().map(Row::of).collect();
                Ok(Compared { changes, rows })
            }
            Err(why) => Err(why.clone()),
        };
        Diffed {
            generation: self.generation,
            outcome,
        }
    }
}

/// A side's body as JSON, or why it cannot be compared.
fn load(side: &DiffSide) -> Result<Value, String> {
    let title = &side.title;
    let body = side
        .body
        .as_ref()
        .map_err(|why| format!("{title}: {why}"))?;
    if body.len() > MAX_COMPARED {
        return Err(format!(
            "{title}: the body ({}) is larger than the {} the app compares; save both bodies and compare them with `apx diff`",
            human_size(body.len()),
            human_size(MAX_COMPARED)
        ));
    }
    let read_file;
    let bytes: &[u8] = match body {
        Body::Memory(bytes) => bytes,
        Body::File { path, .. } => {
            read_file = read_bounded(path).map_err(|e| format!("{title}: {e}"))?;
            &read_file
        }
        Body::Spilled { file, .. } => {
            read_file = read_bounded(file).map_err(|e| format!("{title}: {e}"))?;
            &read_file
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("{title}: the body is empty"));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("{title}: the body is not JSON ({e})"))
}

/// A body kept in a file, at most [`MAX_COMPARED`] bytes of it.
fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    crate::core::ui_thread::assert_not_in_frame("a compared body");
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_COMPARED + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_COMPARED {
        return Err(std::io::Error::other("the body grew past the limit"));
    }
    Ok(bytes)
}

impl Row {
    fn of(change: &Change) -> Row {
        let (old, new) = match change.op {
            Op::Add => (String::new(), short_json(&change.new)),
            Op::Remove => (short_json(&change.old), String::new()),
            Op::Change => (short_json(&change.old), short_json(&change.new)),
        };
        let path = if change.path.is_empty() {
            "(the whole document)".to_string()
        } else {
            cut(change.path.clone())
        };
        Row {
            op: change.op,
            path,
            old,
            new,
        }
    }
}

/// `value` as compact JSON, at most about [`MAX_SHOWN`] bytes (a large
/// value is not written out whole to be cut).
fn short_json(value: &Value) -> String {
    /// Stops taking bytes past the limit.
    struct Bounded(Vec<u8>);
    impl std::io::Write for Bounded {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() > MAX_SHOWN {
                return Err(std::io::Error::other("long enough"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Bounded(Vec::new());
    let _ = serde_json::to_writer(&mut out, value);
    cut(String::from_utf8_lossy(&out.0).into_owned())
}

/// `text` cut to [`MAX_SHOWN`] bytes (on a character boundary), `...` added.
fn cut(mut text: String) -> String {
    if text.len() > MAX_SHOWN {
        let mut end = MAX_SHOWN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
}

/// "3 differences: 1 added, 1 removed, 1 changed".
pub fn summary(changes: &Bounded) -> String {
    let n = changes.total();
    if n == 0 {
        return "No differences (ignored paths aside)".into();
    }
    let mut text = format!(
        "{n} difference{}: {} added, {} removed, {} changed",
        if n == 1 { "" } else { "s" },
        changes.added,
        changes.removed,
        changes.changed
    );
    let listed = changes.changes.len();
    if listed < n {
        text.push_str(&format!(" (the first {listed} listed)"));
    }
    text
}

/// The changes as `apx diff --json` prints them.
fn export(changes: &[Change]) -> String {
    let document = serde_json::json!({"equal": changes.is_empty(), "changes": changes});
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

const ADDED: Color32 = Color32::from_rgb(0x2e, 0x7d, 0x32);
const REMOVED: Color32 = Color32::from_rgb(0xc6, 0x28, 0x28);
const CHANGED: Color32 = Color32::from_rgb(0xd8, 0x6a, 0x00);

fn kind(op: Op) -> (&'static str, Color32) {
    match op {
        Op::Add => ("added", ADDED),
        Op::Remove => ("removed", REMOVED),
        Op::Change => ("changed", CHANGED),
    }
}

/// The changes, one a row (only the rows on screen are laid out): pointer,
/// kind, the left value (red unless added) and the right one (green
/// unless removed), each highlighted.
fn table(ui: &mut egui::Ui, compared: &Compared, left: &str, right: &str) {
    const POINTER: f32 = 240.0;
    const KIND: f32 = 70.0;
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    let value_width = ((ui.available_width() - POINTER - KIND) / 2.0 - 16.0).max(80.0);
    ui.horizontal(|ui| {
        for (text, width) in [
            ("Pointer", POINTER),
            ("Change", KIND),
            (left, value_width),
            (right, value_width),
        ] {
            let header = egui::Label::new(RichText::new(text).strong()).truncate();
            ui.add_sized([width, row_height], header);
        }
    });
    let cell = |ui: &mut egui::Ui, text: &str, color: Option<Color32>, width: f32| {
        let mut rich = RichText::new(text).monospace();
        if let Some(color) = color.filter(|_| !text.is_empty()) {
            rich = rich
                .color(color)
                .background_color(color.gamma_multiply(0.15));
        }
        let label = egui::Label::new(rich).truncate();
        ui.add_sized([width, row_height], label);
    };
    egui::ScrollArea::vertical()
        .id_salt("diff-changes")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, compared.rows.len(), |ui, range| {
            for row in &compared.rows[range] {
                let (word, color) = kind(row.op);
                ui.horizontal(|ui| {
                    cell(ui, &row.path, None, POINTER);
                    ui.add_sized(
                        [KIND, row_height],
                        egui::Label::new(RichText::new(word).color(color)),
                    );
                    let old = (row.op != Op::Add).then_some(REMOVED);
                    let new = (row.op != Op::Remove).then_some(ADDED);
                    cell(ui, &row.old, old, value_width);
                    cell(ui, &row.new, new, value_width);
                });
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn side(title: &str, body: &str) -> DiffSide {
        DiffSide {
            title: title.into(),
            body: Ok(Body::Memory(body.to_string().into_bytes().into())),
        }
    }

    fn compare(view: &mut DiffView) -> Result<Vec<(Op, String)>, String> {
        if let Some(job) = view.job() {
            view.take(job.run());
        }
        match &view.outcome {
            Some(Ok(c)) => Ok(c
                .changes
                .changes
                .iter()
                .map(|c| (c.op, c.path.clone()))
                .collect()),
            Some(Err(e)) => Err(e.clone()),
            None => Err("nothing".into()),
        }
    }

    #[test]
    fn the_ignore_list_is_recomputed_and_a_stale_answer_dropped() {
        let mut view = DiffView::new(
            side("a", r#"{"selfLink": "x", "v": 1, "w": 1}"#),
            side("b", r#"{"selfLink": "y", "v": 2, "w": 1}"#),
        );
        assert_eq!(compare(&mut view).unwrap(), [(Op::Change, "/v".into())]);
        let stale = view.job().unwrap();
        view.ignore = "/v".into();
        assert_eq!(
            compare(&mut view).unwrap(),
            [(Op::Change, "/selfLink".into())]
        );
        view.take(stale.run());
        assert_eq!(view.changes().unwrap().len(), 1, "the stale answer dropped");
        view.ignore = "v".into();
        assert!(
            compare(&mut view)
                .unwrap_err()
                .contains("must start with /")
        );
    }

    #[test]
    fn bodies_that_cannot_be_compared_say_why() {
        let mut view = DiffView::new(side("a", "{}"), side("b", "<html>"));
        assert!(
            compare(&mut view)
                .unwrap_err()
                .starts_with("b: the body is not JSON")
        );
        let missing = DiffSide {
            title: "m".into(),
            body: Err("not recorded".into()),
        };
        let mut view = DiffView::new(missing, side("b", "{}"));
        assert_eq!(compare(&mut view).unwrap_err(), "m: not recorded");
        let mut view = DiffView::new(side("a", " "), side("b", "{}"));
        assert_eq!(compare(&mut view).unwrap_err(), "a: the body is empty");
        let big = DiffSide {
            title: "big".into(),
            body: Ok(Body::Memory(vec![b' '; MAX_COMPARED as usize + 1].into())),
        };
        let mut view = DiffView::new(big, side("b", "{}"));
        assert!(compare(&mut view).unwrap_err().contains("apx diff"));
    }

    #[test]
    fn a_history_side_is_titled_by_device_else_host_and_time() {
        let entry = HistoryEntry {
            url: "https://10.0.0.9:8443/api/x".into(),
            timestamp: 86_400,
            body: Some("{}".into()),
            ..HistoryEntry::default()
        };
        assert_eq!(
            DiffSide::of_history(&entry).title,
            "10.0.0.9 at 1970-01-02T00:00:00Z"
        );
        let named = HistoryEntry {
            device: Some("fw-a".into()),
            ..entry
        };
        assert!(DiffSide::of_history(&named).title.starts_with("fw-a at "));
        let dropped = HistoryEntry {
            body: None,
            body_truncated: true,
            ..named
        };
        assert!(DiffSide::of_history(&dropped).body.is_err());
    }

    #[test]
    fn long_values_are_listed_short_and_summed_up() {
        let long = json!({"items": vec!["x".repeat(100); 1000]});
        let shown = short_json(&long);
        assert!(
            shown.len() <= MAX_SHOWN + 3 && shown.ends_with("..."),
            "{shown}"
        );
        assert_eq!(short_json(&json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(cut("é".repeat(MAX_SHOWN)).len(), MAX_SHOWN + 3);
        let changes = diff_within(
            &json!({"a": 1, "b": 2}),
            &json!({"a": 2, "c": 3}),
            &[],
            KEPT,
        );
        assert_eq!(
            summary(&changes),
            "3 differences: 1 added, 1 removed, 1 changed"
        );
        assert_eq!(
            summary(&Bounded::default()),
            "No differences (ignored paths aside)"
        );
        let exported: Value = serde_json::from_str(&export(&changes.changes)).unwrap();
        assert_eq!(exported["equal"], false);
        assert_eq!(exported["changes"][0]["op"], "change");
        assert_eq!(exported["changes"][0]["path"], "/a");
    }

    #[test]
    fn hostile_bodies_keep_a_bounded_list_and_count_the_rest() {
        // A key of 1 MiB over 20,000 differing items: every pointer would
        // hold the key (20 GB in all); the list keeps 64 MiB at most.
        let key = "k".repeat(1 << 20);
        let a = json!({ key.clone(): vec![0; 20_000] });
        let b = json!({ key: vec![1; 20_000] });
        let changes = diff_within(&a, &b, &[], KEPT);
        assert_eq!(changes.total(), 20_000);
        assert!(changes.changes.len() <= 65, "{}", changes.changes.len());
        assert!(summary(&changes).contains("20000 differences"));
        assert!(summary(&changes).contains("listed)"));
    }
}
