//! "Run folder": every saved request of a collection, one session per
//! device, with a results table.

use std::collections::BTreeMap;

use super::app::ApxApp;
use super::widgets::{human_size, status_color};
use crate::core::platform::AuthMode;
use crate::core::request::origin;
use crate::core::workspace::variables::prepare;
use crate::engine::session::SessionSpec;
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

impl ApxApp {
    /// Runs every saved request under `folder`, grouped into one job (one
    /// session) per device.
    pub fn run_folder(&mut self, folder: &str) {
        let entries: Vec<_> = self
            .collections
            .requests
            .iter()
            .filter(|e| e.folder == folder || e.folder.starts_with(&format!("{folder}/")))
            .cloned()
            .collect();
        let mut rows = Vec::new();
        // One job (one session) per device and session settings, in order.
        let mut groups: BTreeMap<String, SessionGroup> = BTreeMap::new();
        for entry in &entries {
            let device_name = entry
                .request
                .device
                .clone()
                .or_else(|| self.selected.clone());
            let device = device_name
                .as_ref()
                .and_then(|n| self.devices.iter().find(|d| &d.name == n));
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
            let spec = SessionSpec {
                platform: prepared.platform,
                origin: origin(&prepared.url),
                auth: prepared.auth,
                user: device.and_then(|d| d.username.clone()),
                password: device.and_then(|d| self.passwords.get(&d.name).cloned()),
                trust: device.map(|d| d.trust.clone()).unwrap_or_default(),
                timeout: self.timeout,
                https_only: crate::core::request::https_only(
                    &[
                        prepared.platform,
                        device.map_or(prepared.platform, |d| d.platform),
                    ],
                    device.is_some_and(|d| d.allow_http),
                ),
            };
            let request = JobRequest::from_prepared(
                entry.request.name.clone(),
                prepared,
                self.settings.body_sink(),
            );
            let key = format!(
                "{}|{}|{}|{}",
                device_name.as_deref().unwrap_or_default(),
                spec.origin,
                spec.platform,
                spec.auth.id()
            );
            groups
                .entry(key)
                .or_insert_with(|| (device_name.clone(), spec, Vec::new()))
                .2
                .push((row, request));
        }
        for (_, (device, session, group)) in groups {
            let needs_keyring = session.auth != AuthMode::None && session.password.is_none();
            let keyring = device
                .filter(|d| needs_keyring && !self.transient.contains(d))
                .and_then(|name| self.devices.iter().find(|d| d.name == name))
                .map(|d| self.keyring_key(d, None));
            let rows_of_job: Vec<usize> = group.iter().map(|(row, _)| *row).collect();
            let job = Job {
                session,
                requests: group.into_iter().map(|(_, r)| r).collect(),
                keyring,
            };
            let id = self.engine.run(job);
            for (index, row) in rows_of_job.into_iter().enumerate() {
                rows[row].job = Some(id);
                rows[row].index = index;
            }
        }
        self.runs = Some(RunWindow {
            folder: folder.to_string(),
            rows,
        });
    }

    pub(super) fn run_window(&mut self, ctx: &egui::Context) {
        let Some(run) = &self.runs else {
            return;
        };
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
        if !open {
            self.runs = None;
        }
    }
}
