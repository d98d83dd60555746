//! "Run folder": every saved request of a collection, one session per
//! device, with a results table. A row opens its full response in a tab;
//! the window shows progress, stops the run, re-runs the failed rows, and
//! runs again against a chosen device. A fan-out is the same window with
//! one request sent to every device of a device-tree folder: a row per
//! device, at most the concurrency setting at a time, sortable and
//! filterable, cancelled all at once. Two rows ticked open their
//! responses in the diff window.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::actions::{Action, Fleet, View};
use super::diff_view::DiffSide;
use super::file_dialog::PathPicker;
use super::inbox::PickTarget;
use super::widgets::{human_size, status_color};
use crate::core::error::Failure;
use crate::core::fanout::ExportRow;
use crate::core::platform::AuthMode;
use crate::core::workspace::collections::SavedEntry;
use crate::core::workspace::variables::prepare;
use crate::engine::http::Sink;
use crate::engine::keyring::KeyringKey;
use crate::engine::session::ExchangeRecord;
use crate::engine::session_choice::{SessionChoice, SessionKey};
use crate::engine::session_plan::{Planned, SessionPlan};
use crate::engine::{JobId, JobRequest, RequestResult};

/// What a stopped request's row says.
const STOPPED: &str = "stopped before it was sent";

/// One row of the results table: a saved request on one device.
pub struct RunRow {
    pub entry: SavedEntry,
    pub device: Option<String>,
    pub job: Option<JobId>,
    pub index: usize,
    pub result: Option<RequestResult>,
    /// A request that was not sent (an undefined variable, a stop).
    pub problem: Option<String>,
    /// The exchanges of the request (a login before it, say).
    pub timeline: Vec<ExchangeRecord>,
}

impl RunRow {
    fn new(entry: SavedEntry, device: Option<String>) -> RunRow {
        RunRow {
            entry,
            device,
            job: None,
            index: 0,
            result: None,
            problem: None,
            timeline: Vec::new(),
        }
    }

    fn finished(&self) -> bool {
        self.result.is_some() || self.problem.is_some()
    }

    /// Whether the row did not end in a success.
    pub fn failed(&self) -> bool {
        self.problem.is_some() || self.result.as_ref().is_some_and(|r| r.error.is_some())
    }
}

/// A folder run and its window's state.
pub struct RunWindow {
    pub folder: String,
    pub rows: Vec<RunRow>,
    /// The device every request goes to; None: each request's own.
    pub device: Option<String>,
    started: Instant,
    /// How long the run took, once done.
    took: Option<Duration>,
    /// The request each job is sending (its exchanges belong to it).
    current: HashMap<JobId, usize>,
    /// A fan-out: each row goes to its own device, fixed when it was made.
    pub fan_out: bool,
    /// The column the table is sorted by, and whether descending.
    sort: Option<(Column, bool)>,
    /// Rows shown: those whose cells hold this text (any case).
    pub filter: String,
    /// Where Export CSV / Export JSON write the rows shown.
    pub export_file: PathPicker,
    /// What the last export did, or why it failed; None while it runs.
    export: Option<Result<String, Failure>>,
    exporting: bool,
    /// The rows ticked for comparison, in the order ticked (at most two).
    compare: Vec<usize>,
}

/// A column of the results table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Request,
    Device,
    Platform,
    Status,
    Time,
    Size,
    Error,
}

impl RunWindow {
    /// A run of every saved request under `folder` (nothing sent yet).
    pub fn new(folder: &str, view: &View) -> RunWindow {
        let rows = view
            .collections
            .requests
            .iter()
            .filter(|e| e.folder == folder || e.folder.starts_with(&format!("{folder}/")))
            .map(|entry| RunRow::new(entry.clone(), None))
            .collect();
        RunWindow::with_rows(folder, rows, false)
    }

    fn with_rows(folder: &str, rows: Vec<RunRow>, fan_out: bool) -> RunWindow {
        RunWindow {
            folder: folder.to_string(),
            rows,
            device: None,
            started: Instant::now(),
            took: None,
            current: HashMap::new(),
            fan_out,
            sort: None,
            filter: String::new(),
            export_file: PathPicker::default(),
            export: None,
            exporting: false,
            compare: Vec::new(),
        }
    }

    /// A fan-out of `entries` to every device in `folder` of the device
    /// tree and its subfolders (nothing sent yet): a row per device and
    /// request.
    pub fn fan_out(fleet: &Fleet, entries: Vec<SavedEntry>, view: &View) -> RunWindow {
        let rows = fleet
            .names(view.devices)
            .into_iter()
            .flat_map(|d| entries.iter().map(move |e| (d.clone(), e)))
            .map(|(d, entry)| RunRow::new(entry.clone(), Some(d)))
            .collect();
        RunWindow::with_rows(&fleet.label(), rows, true)
    }

    pub fn done(&self) -> bool {
        self.rows.iter().all(RunRow::finished)
    }

    /// The rows that did not end in a success.
    pub fn failed_rows(&self) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| self.rows[i].failed())
            .collect()
    }

    /// The jobs still sending.
    pub fn running_jobs(&self) -> Vec<JobId> {
        let mut jobs: Vec<JobId> = self
            .rows
            .iter()
            .filter(|r| !r.finished())
            .filter_map(|r| r.job)
            .collect();
        jobs.sort_unstable();
        jobs.dedup();
        jobs
    }

    /// Whether the events of `job` are this run's.
    pub fn owns(&self, job: JobId) -> bool {
        self.rows.iter().any(|r| r.job == Some(job))
    }

    fn row_mut(&mut self, job: JobId, index: usize) -> Option<&mut RunRow> {
        self.rows
            .iter_mut()
            .find(|r| r.job == Some(job) && r.index == index)
    }

    pub fn started(&mut self, job: JobId, index: usize) {
        self.current.insert(job, index);
    }

    pub fn exchange(&mut self, job: JobId, record: ExchangeRecord) {
        let index = self.current.get(&job).copied().unwrap_or(0);
        if let Some(row) = self.row_mut(job, index) {
            row.timeline.push(record);
        }
    }

    /// Files a finished result under its row; the row's device, for the
    /// history.
    pub fn record(
        &mut self,
        job: JobId,
        index: usize,
        result: RequestResult,
    ) -> Option<Option<String>> {
        let row = self.row_mut(job, index)?;
        row.result = Some(result);
        let device = row.device.clone();
        self.note_done();
        Some(device)
    }

    /// A job ended: the requests it did not send (it was stopped) say so.
    pub fn job_done(&mut self, job: JobId) {
        self.current.remove(&job);
        for row in self.rows.iter_mut().filter(|r| r.job == Some(job)) {
            if !row.finished() {
                row.problem = Some(STOPPED.into());
            }
        }
        self.note_done();
    }

    fn note_done(&mut self) {
        if self.done() && self.took.is_none() {
            self.took = Some(self.started.elapsed());
        }
    }

    /// Clears the rows `which` and prepares their requests: one job per
    /// device and session settings (one session each), in order, with
    /// the rows each job answers. A request that cannot be prepared (an
    /// undefined variable) gets its problem instead.
    pub fn plan(
        &mut self,
        which: &[usize],
        view: &View,
        selected: Option<&str>,
        timeout: Duration,
        sink: Sink,
    ) -> Vec<Planned<usize>> {
        self.started = Instant::now();
        self.took = None;
        let mut sessions = SessionPlan::default();
        for &i in which {
            let row = &mut self.rows[i];
            let device_name = if self.fan_out {
                row.device.clone()
            } else {
                self.device
                    .clone()
                    .or_else(|| row.entry.request.device.clone())
                    .or(selected.map(str::to_string))
            };
            let device = view.device(device_name.as_deref());
            row.device = device_name.clone();
            row.job = None;
            row.result = None;
            row.problem = None;
            row.timeline.clear();
            let prepared = match prepare(&row.entry.request, device) {
                Ok(p) => p,
                Err(f) => {
                    row.problem = Some(f.message);
                    continue;
                }
            };
            let choice = SessionChoice {
                device,
                platform: Some(prepared.platform),
                auth: Some(prepared.auth),
                ..SessionChoice::default()
            };
            let spec = choice.spec(
                &prepared.url,
                timeout,
                device.and_then(|d| view.passwords.get(&d.name).cloned()),
            );
            let key = SessionKey {
                device: device_name,
                origin: spec.origin.clone(),
                platform: spec.platform,
                auth: Some(spec.auth.id().to_string()),
            };
            let name = row.entry.request.name.clone();
            let request = JobRequest::from_prepared(name, prepared, sink.clone());
            // The app's sessions are built from what it holds: never refused.
            let _ = sessions.add(key, i, request, || Ok(spec));
        }
        self.note_done();
        let mut planned = sessions.into_planned();
        for p in &mut planned {
            let session = &p.job.session;
            let needs_keyring = session.auth != AuthMode::None && session.password.is_none();
            p.job.keyring = p
                .device
                .as_deref()
                .filter(|d| needs_keyring && !view.transient.contains(*d))
                .and_then(|name| view.device(Some(name)))
                .map(|d| KeyringKey::new(view.workspace, d, None));
        }
        planned
    }

    /// Files the engine's id of a planned job under its rows.
    pub fn assign(&mut self, job: JobId, rows_of_job: Vec<usize>) {
        for (index, row) in rows_of_job.into_iter().enumerate() {
            self.rows[row].job = Some(job);
            self.rows[row].index = index;
        }
    }

    /// "3 of 7 done: 1 passed, 2 failed, 0 not sent", and the time taken.
    pub fn summary(&self) -> String {
        let total = self.rows.len();
        let done = self.rows.iter().filter(|r| r.finished()).count();
        let not_sent = self.rows.iter().filter(|r| r.problem.is_some()).count();
        let failed = self.rows.iter().filter(|r| r.failed()).count() - not_sent;
        let passed = done - failed - not_sent;
        let took = self
            .took
            .map(|t| format!(" in {:.1} s", t.as_secs_f64()))
            .unwrap_or_default();
        format!(
            "{done} of {total} done{took}: {passed} passed, {failed} failed, {not_sent} not sent"
        )
    }

    /// The rows shown, in the table's order: those the filter matches,
    /// sorted by the chosen column (ties in run order).
    pub fn order(&self, view: &View) -> Vec<usize> {
        let needle = self.filter.trim().to_lowercase();
        let mut shown: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                needle.is_empty()
                    || Column::ALL
                        .iter()
                        .any(|c| self.cell(i, *c, view).to_lowercase().contains(&needle))
            })
            .collect();
        // Each row's key once (a cell may look its device up), not once
        // per comparison; the sorts are stable.
        match self.sort {
            Some((column, false)) => shown.sort_by_cached_key(|&i| self.key(i, column, view)),
            Some((column, true)) => {
                shown.sort_by_cached_key(|&i| std::cmp::Reverse(self.key(i, column, view)));
            }
            None => {}
        }
        shown
    }

    /// The rows shown, in the table's order, for export.
    pub fn export_rows(&self, view: &View) -> Vec<ExportRow> {
        self.order(view)
            .into_iter()
            .map(|i| {
                let row = &self.rows[i];
                let result = row.result.as_ref();
                let text = |column| Some(self.cell(i, column, view)).filter(|t| !t.is_empty());
                ExportRow {
                    device: row.device.clone(),
                    platform: text(Column::Platform),
                    request: row.entry.request.name.clone(),
                    status: result.and_then(|r| r.status),
                    outcome: self.cell(i, Column::Status, view),
                    time_ms: result.map(|r| r.elapsed.as_secs_f64() * 1000.0),
                    size: result.map(|r| r.body.len()),
                    error: self.cell(i, Column::Error, view),
                }
            })
            .collect()
    }

    /// An export's outcome.
    pub fn exported(&mut self, outcome: Result<String, Failure>) {
        self.exporting = false;
        self.export = Some(outcome);
    }

    /// Row `i`'s response for the diff window, titled by its device and
    /// request.
    fn side(&self, i: usize, view: &View) -> DiffSide {
        DiffSide::of_result(self.row_title(i, view), self.rows[i].result.as_ref())
    }

    /// "fw-a - Serial": the row's first two cells.
    fn row_title(&self, i: usize, view: &View) -> String {
        let columns = self.columns();
        let cells: Vec<String> = columns[..2]
            .iter()
            .map(|&c| self.cell(i, c, view))
            .filter(|t| !t.is_empty())
            .collect();
        cells.join(" - ")
    }

    /// Ticks or unticks row `i` for comparison; a third tick replaces the
    /// first.
    fn tick(&mut self, i: usize, ticked: bool) {
        self.compare.retain(|&r| r != i);
        if ticked {
            self.compare.push(i);
            if self.compare.len() > 2 {
                self.compare.remove(0);
            }
        }
    }

    /// A row's text in `column`, as shown and exported.
    fn cell(&self, i: usize, column: Column, view: &View) -> String {
        let row = &self.rows[i];
        let result = row.result.as_ref();
        match column {
            Column::Request => row.entry.request.name.clone(),
            Column::Device => row.device.clone().unwrap_or_default(),
            Column::Platform => view
                .device(row.device.as_deref())
                .map(|d| d.platform.id().to_string())
                .unwrap_or_default(),
            Column::Status => match (result, &row.problem) {
                (Some(r), _) => match (r.status, &r.error) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(e)) => e.kind.title().to_string(),
                    (None, None) => "-".to_string(),
                },
                (None, Some(_)) => "not sent".to_string(),
                (None, None) => String::new(),
            },
            Column::Time => result
                .map(|r| format!("{:.0} ms", r.elapsed.as_secs_f64() * 1000.0))
                .unwrap_or_default(),
            Column::Size => result.map(|r| human_size(r.body.len())).unwrap_or_default(),
            Column::Error => match (result, &row.problem) {
                (Some(r), _) => r
                    .error
                    .as_ref()
                    .and_then(|e| e.message.lines().next())
                    .unwrap_or("")
                    .to_string(),
                (None, Some(problem)) => problem.lines().next().unwrap_or("").to_string(),
                (None, None) => String::new(),
            },
        }
    }

    /// What `column` sorts a row by: numbers for time, size and status.
    fn key(&self, i: usize, column: Column, view: &View) -> (u128, String) {
        let result = self.rows[i].result.as_ref();
        let number = match column {
            Column::Time => result.map(|r| r.elapsed.as_micros()),
            Column::Size => result.map(|r| u128::from(r.body.len())),
            Column::Status => result.and_then(|r| r.status).map(u128::from),
            _ => None,
        };
        (number.unwrap_or(u128::MAX), self.cell(i, column, view))
    }

    /// The columns of this window's table.
    fn columns(&self) -> &'static [Column] {
        if self.fan_out {
            &Column::FAN_OUT
        } else {
            &Column::RUN
        }
    }

    /// Draws the results table; false once the window is closed.
    pub fn window(&mut self, ctx: &egui::Context, view: &View, actions: &mut Vec<Action>) -> bool {
        let mut open = true;
        let right = ctx.content_rect().right();
        let title = if self.fan_out { "Fan-out" } else { "Run" };
        egui::Window::new(format!("{title}: {}", self.folder))
            .open(&mut open)
            .default_pos(egui::pos2(right - 620.0, 60.0))
            .default_width(600.0)
            .show(ctx, |ui| {
                self.controls(ui, view, actions);
                ui.separator();
                self.table(ui, view, actions);
            });
        open
    }

    fn controls(&mut self, ui: &mut egui::Ui, view: &View, actions: &mut Vec<Action>) {
        let running = !self.done();
        ui.horizontal(|ui| {
            if running {
                ui.spinner();
            }
            ui.label(self.summary());
        });
        ui.horizontal(|ui| {
            if !self.fan_out {
                let label = ui.label("Run on");
                let shown = self.device.as_deref().unwrap_or("Each request's own");
                egui::ComboBox::from_id_salt("run-device")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.device, None, "Each request's own");
                        for d in view.devices {
                            ui.selectable_value(&mut self.device, Some(d.name.clone()), &d.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
            }
            if ui
                .add_enabled(!running, egui::Button::new("Run again"))
                .on_hover_text("Sends every request again")
                .clicked()
            {
                actions.push(Action::RerunRows(false));
            }
            let failed = self.rows.iter().any(RunRow::failed);
            if ui
                .add_enabled(!running && failed, egui::Button::new("Re-run failed"))
                .on_hover_text("Sends again only the requests that failed or were not sent")
                .clicked()
            {
                actions.push(Action::RerunRows(true));
            }
            let stop = if self.fan_out { "Cancel all" } else { "Stop" };
            if ui
                .add_enabled(running, egui::Button::new(stop))
                .on_hover_text("Cancels the requests under way; the rest are not sent")
                .clicked()
            {
                actions.push(Action::StopRun);
            }
            let two = self.compare.len() == 2;
            if ui
                .add_enabled(two, egui::Button::new("Compare ticked rows"))
                .on_hover_text("Compares the responses of the two rows ticked under Compare")
                .on_disabled_hover_text("Tick two rows under Compare")
                .clicked()
                && let [left, right] = self.compare[..]
            {
                let pair = [self.side(left, view), self.side(right, view)];
                actions.push(Action::Compare(Box::new(pair)));
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("Filter rows");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("text of any column")
                    .desired_width(200.0),
            )
            .labelled_by(l.id);
        });
        if self.export_file.ui(ui, "Export to", "Choose...") {
            actions.push(Action::Pick {
                target: PickTarget::RunExport,
                save: true,
            });
        }
        ui.horizontal(|ui| {
            let ready = !self.exporting && !self.export_file.path.trim().is_empty();
            for (label, csv) in [("Export CSV", true), ("Export JSON", false)] {
                if ui
                    .add_enabled(ready, egui::Button::new(label))
                    .on_hover_text("Writes the rows shown, in their order, to the file above")
                    .clicked()
                {
                    self.exporting = true;
                    self.export = None;
                    actions.push(Action::ExportRun { csv });
                }
            }
            if self.exporting {
                ui.spinner();
            }
            match &self.export {
                Some(Ok(done)) => {
                    ui.label(done);
                }
                Some(Err(failure)) => {
                    ui.colored_label(ui.visuals().error_fg_color, &failure.message);
                }
                None => {}
            }
        });
    }

    /// The results table, scrolling: only the rows on screen are laid out
    /// (a fan-out has a row per device), under a header that stays on top.
    /// Table row 0 is the header and row `k` the `k-1`th row shown; the
    /// header is drawn first in every range, over the row it hides.
    fn table(&mut self, ui: &mut egui::Ui, view: &View, actions: &mut Vec<Action>) {
        let columns = self.columns();
        let order = self.order(view);
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical().max_height(360.0).show_rows(
            ui,
            row_height,
            order.len() + 1,
            |ui, range| {
                egui::Grid::new("run-results")
                    .num_columns(columns.len() + 1)
                    .min_row_height(row_height)
                    .striped(true)
                    .start_row(range.start)
                    .show(ui, |ui| {
                        let from = range.start.saturating_sub(1);
                        let to = range.end.saturating_sub(1).max(from);
                        let shown = order.get(from..to).unwrap_or_default();
                        self.rows_ui(ui, columns, shown, view, actions);
                    });
            },
        );
    }

    /// The header, then the rows `shown` (indices into `rows`).
    fn rows_ui(
        &mut self,
        ui: &mut egui::Ui,
        columns: &[Column],
        shown: &[usize],
        view: &View,
        actions: &mut Vec<Action>,
    ) {
        ui.label("Compare")
            .on_hover_text("Tick two rows, then Compare ticked rows");
        for &column in columns {
            let sorted = self.sort.filter(|(c, _)| *c == column);
            let header = egui::Button::selectable(sorted.is_some(), column.title());
            let hover = match sorted {
                Some((_, true)) => "Sorted descending; click for ascending",
                Some((_, false)) => "Sorted ascending; click for descending",
                None => "Sort by this column",
            };
            if ui.add(header).on_hover_text(hover).clicked() {
                self.sort = Some((column, sorted.is_some_and(|(_, d)| !d)));
            }
        }
        ui.end_row();
        for &i in shown {
            let mut ticked = self.compare.contains(&i);
            if ui
                .checkbox(&mut ticked, "")
                .accessible_name(format!("Compare {}", self.row_title(i, view)))
                .changed()
            {
                self.tick(i, ticked);
            }
            let row = &self.rows[i];
            for &column in columns {
                match column {
                    Column::Request | Column::Device if column == columns[0] => {
                        let text = self.cell(i, column, view);
                        let open = egui::Button::selectable(false, text).truncate();
                        if ui
                            .add_sized([160.0, 18.0], open)
                            .on_hover_text("Open the full response in a new tab")
                            .clicked()
                        {
                            actions.push(Action::OpenRunRow(i));
                        }
                    }
                    Column::Status => {
                        let under_way = row
                            .job
                            .is_some_and(|j| self.current.get(&j) == Some(&row.index));
                        status_cell(ui, row, under_way, &self.cell(i, column, view));
                    }
                    Column::Error => {
                        let text = self.cell(i, column, view);
                        ui.add_sized([220.0, 18.0], egui::Label::new(text).truncate());
                    }
                    Column::Request | Column::Device => {
                        let text = self.cell(i, column, view);
                        let label = egui::Label::new(text.as_str()).truncate();
                        ui.add_sized([120.0, 18.0], label).on_hover_text(text);
                    }
                    // Short: platform ids, times, sizes.
                    _ => {
                        ui.label(self.cell(i, column, view));
                    }
                }
            }
            ui.end_row();
        }
    }
}

impl Column {
    const ALL: [Column; 7] = [
        Column::Request,
        Column::Device,
        Column::Platform,
        Column::Status,
        Column::Time,
        Column::Size,
        Column::Error,
    ];
    const RUN: [Column; 6] = [
        Column::Request,
        Column::Device,
        Column::Status,
        Column::Time,
        Column::Size,
        Column::Error,
    ];
    const FAN_OUT: [Column; 7] = [
        Column::Device,
        Column::Request,
        Column::Platform,
        Column::Status,
        Column::Time,
        Column::Size,
        Column::Error,
    ];

    fn title(self) -> &'static str {
        match self {
            Column::Request => "Request",
            Column::Device => "Device",
            Column::Platform => "Platform",
            Column::Status => "Status",
            Column::Time => "Time",
            Column::Size => "Size",
            Column::Error => "Error",
        }
    }
}

/// A row's status: colored by class, a spinner while it is under way,
/// "waiting" before (a fan-out's device waiting its turn).
fn status_cell(ui: &mut egui::Ui, row: &RunRow, under_way: bool, text: &str) {
    let error_color = ui.visuals().error_fg_color;
    match (&row.result, &row.problem) {
        (Some(r), _) => match r.status {
            Some(s) => ui.colored_label(status_color(s), text),
            None => ui.colored_label(error_color, text),
        },
        (None, Some(_)) => ui.colored_label(error_color, text),
        (None, None) if under_way => ui.spinner(),
        (None, None) => ui.label("waiting"),
    };
}
