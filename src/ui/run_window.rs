//! "Run folder": every saved request of a collection, one session per
//! device, with a results table.

use std::collections::BTreeMap;

use std::time::Duration;

use super::actions::View;
use super::widgets::{human_size, status_color};
use crate::core::platform::AuthMode;
use crate::core::workspace::variables::prepare;
use crate::engine::http::Sink;
use crate::engine::keyring::KeyringKey;
use crate::engine::session::SessionSpec;
use crate::engine::session_choice::{SessionChoice, SessionKey};
use crate::engine::{Job, JobId, JobRequest, RequestResult};

/// One row of the results table.
pub struct RunRow {
    pub name: String,
    pub device: Option<String>,
    pub job: Option<JobId>,
    pub index: usize,
    pub result: Option<RequestResult>,
    /// A request that could not be prepared (e.g. an undefined variable).
    pub problem: Option<String>,
}

/// The device, session and (row, request) pairs of one job.
type SessionGroup = (Option<String>, SessionSpec, Vec<(usize, JobRequest)>);

pub struct RunWindow {
    pub folder: String,
    pub rows: Vec<RunRow>,
}

impl RunWindow {
    pub fn done(&self) -> bool {
        self.rows
            .iter()
            .all(|r| r.result.is_some() || r.problem.is_some())
    }

    /// Files a finished result under its row.
    pub fn record(
        &mut self,
        job: JobId,
        index: usize,
        result: RequestResult,
    ) -> Option<Option<String>> {
        let row = self
            .rows
            .iter_mut()
            .find(|r| r.job == Some(job) && r.index == index)?;
        row.result = Some(result);
        Some(row.device.clone())
    }
}

/// The rows of a run of every saved request under `folder`, and its jobs:
/// one per device and session settings (one session each), in order.
pub fn plan(
    folder: &str,
    view: &View,
    selected: Option<&str>,
    timeout: Duration,
    sink: Sink,
) -> (Vec<RunRow>, Vec<(Job, Vec<usize>)>) {
    let entries = view
        .collections
        .requests
        .iter()
        .filter(|e| e.folder == folder || e.folder.starts_with(&format!("{folder}/")));
    let mut rows = Vec::new();
    let mut groups: BTreeMap<SessionKey, SessionGroup> = BTreeMap::new();
    for entry in entries {
        let device_name = entry
            .request
            .device
            .clone()
            .or(selected.map(str::to_string));
        let device = view.device(device_name.as_deref());
        let row = rows.len();
        rows.push(RunRow {
            name: entry.request.name.clone(),
            device: device_name.clone(),
            job: None,
            index: 0,
            result: None,
            problem: None,
        });
        let prepared = match prepare(&entry.request, device) {
            Ok(p) => p,
            Err(f) => {
                rows[row].problem = Some(f.message);
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
        let request = JobRequest::from_prepared(entry.request.name.clone(), prepared, sink.clone());
        let key = SessionKey {
            device: device_name.clone(),
            origin: spec.origin.clone(),
            platform: spec.platform,
            auth: Some(spec.auth.id().to_string()),
        };
        groups
            .entry(key)
            .or_insert_with(|| (device_name.clone(), spec, Vec::new()))
            .2
            .push((row, request));
    }
    let jobs = groups
        .into_values()
        .map(|(device, session, group)| {
            let needs_keyring = session.auth != AuthMode::None && session.password.is_none();
            let keyring = device
                .as_deref()
                .filter(|d| needs_keyring && !view.transient.contains(*d))
                .and_then(|name| view.device(Some(name)))
                .map(|d| KeyringKey::new(view.workspace, d, None));
            let rows_of_job = group.iter().map(|(row, _)| *row).collect();
            let job = Job {
                session,
                requests: group.into_iter().map(|(_, r)| r).collect(),
                keyring,
            };
            (job, rows_of_job)
        })
        .collect();
    (rows, jobs)
}

impl RunWindow {
    /// Draws the results table; false once the window is closed.
    pub fn window(&self, ctx: &egui::Context) -> bool {
        let run = self;
        let mut open = true;
        egui::Window::new(format!("Run: {}", run.folder))
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| {
                if !run.done() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Running…");
                    });
                }
                egui::Grid::new("run-results")
                    .num_columns(4)
                    .striped(true)
                    .show(ui, |ui| {
                        for h in ["Request", "Status", "Time", "Size"] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for row in &run.rows {
                            ui.label(&row.name);
                            match (&row.result, &row.problem) {
                                (Some(r), _) => {
                                    match (r.status, &r.error) {
                                        (Some(s), _) => {
                                            ui.colored_label(status_color(s), s.to_string())
                                        }
                                        (None, Some(e)) => ui.colored_label(
                                            ui.visuals().error_fg_color,
                                            e.kind.title(),
                                        ),
                                        (None, None) => ui.label("-"),
                                    }
                                    .on_hover_text(
                                        r.error
                                            .as_ref()
                                            .map(|e| e.message.clone())
                                            .unwrap_or_default(),
                                    );
                                    ui.label(format!("{:.0} ms", r.elapsed.as_secs_f64() * 1000.0));
                                    ui.label(human_size(r.body.len()));
                                }
                                (None, Some(problem)) => {
                                    ui.colored_label(ui.visuals().error_fg_color, "not sent")
                                        .on_hover_text(problem);
                                    ui.label("");
                                    ui.label("");
                                }
                                (None, None) => {
                                    ui.spinner();
                                    ui.label("");
                                    ui.label("");
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        open
    }
}
