//! Folder runs and fan-outs in the run window, and reopening a row or a
//! history entry in a tab.

use std::path::PathBuf;

use super::{ApxApp, view};
use crate::core::error::{Failure, Remedy};
use crate::engine::Job;
use crate::engine::session::SecondFactor;
use crate::engine::session_plan::by_device;
use crate::ui::actions::Fleet;
use crate::ui::draft::Draft;
use crate::ui::inbox::Msg;
use crate::ui::tabs::ResponseState;

impl ApxApp {
    pub(super) fn run_folder(&mut self, folder: &str) {
        self.stop_run();
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        self.dialogs.runs = Some(crate::ui::run_window::RunWindow::new(folder, &v));
        self.rerun(false);
    }

    /// Sends the active tab's request to every device of `fleet`, at most
    /// the concurrency setting at a time.
    pub(super) fn fan_out(&mut self, fleet: &Fleet) {
        self.stop_run();
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let draft = &self.tabs.active().draft;
        let entry = crate::core::workspace::collections::SavedEntry {
            folder: String::new(),
            path: draft.saved_path.clone().unwrap_or_default(),
            request: draft.to_saved(None),
        };
        self.dialogs.runs = Some(crate::ui::run_window::RunWindow::fan_out(
            fleet,
            vec![entry],
            &v,
        ));
        self.rerun(false);
    }

    /// Runs every saved request under `collection` on every device of
    /// `devices`.
    pub(super) fn fan_out_collection(&mut self, devices: &Fleet, collection: &str) {
        self.stop_run();
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let entries = v
            .collections
            .requests
            .iter()
            .filter(|e| e.folder == collection || e.folder.starts_with(&format!("{collection}/")))
            .cloned()
            .collect();
        self.dialogs.runs = Some(crate::ui::run_window::RunWindow::fan_out(
            devices, entries, &v,
        ));
        self.rerun(false);
    }

    /// Sends the run's requests (all, or only those that failed) to the
    /// device chosen in its window, else each request's own, else the
    /// active tab's.
    pub(super) fn rerun(&mut self, only_failed: bool) {
        let Some(run) = &self.dialogs.runs else {
            return;
        };
        let which: Vec<usize> = if only_failed {
            run.failed_rows()
        } else {
            (0..run.rows.len()).collect()
        };
        self.rerun_rows(which, SecondFactor::Unavailable);
    }

    /// Sends the run's rows `which` again, the sessions' logins given
    /// `second_factor`.
    pub(super) fn rerun_rows(&mut self, which: Vec<usize>, second_factor: SecondFactor) {
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let selected = self.tabs.active().device.as_deref();
        let Some(run) = &mut self.dialogs.runs else {
            return;
        };
        let mut jobs = run.plan(
            &which,
            &v,
            selected,
            self.settings.timeout(),
            self.settings.body_sink(),
        );
        for planned in &mut jobs {
            planned.job.session.second_factor = second_factor.clone();
        }
        if !run.fan_out {
            for planned in jobs {
                run.assign(self.engine.run(planned.job), planned.slots);
            }
            return;
        }
        // A fan-out: each device's sessions in turn, the devices through
        // the engine's bounded scheduler.
        let (by_device, rows): (Vec<Vec<Job>>, Vec<Vec<Vec<usize>>>) = by_device(jobs)
            .into_iter()
            .map(|device| device.into_iter().map(|p| (p.job, p.slots)).unzip())
            .unzip();
        let ids = self.engine.fan_out(by_device, self.settings.concurrency());
        for (id, rows_of_job) in ids.into_iter().flatten().zip(rows.into_iter().flatten()) {
            run.assign(id, rows_of_job);
        }
    }

    /// Once the run is done, asks for a two-factor passcode when a login of
    /// it wanted one, naming the device: that device's rows that asked run
    /// again with it (another device that asks is asked for in turn).
    pub(super) fn ask_run_passcode(&mut self) {
        let Some(run) = self.dialogs.runs.as_ref().filter(|r| r.done()) else {
            return;
        };
        let device = run
            .rows
            .iter()
            .find(|row| wants_passcode(row))
            .map(|row| row.device.clone().unwrap_or_default());
        if let Some(device) = device
            && self.dialogs.passcode.is_none()
        {
            self.dialogs.passcode =
                Some(crate::ui::passcode_dialog::PasscodeDialog::for_run(device));
        }
    }

    /// The run's rows of `device` whose login asked for a passcode.
    pub(super) fn rows_wanting_passcode(&self, device: &str) -> Vec<usize> {
        let Some(run) = &self.dialogs.runs else {
            return Vec::new();
        };
        (0..run.rows.len())
            .filter(|&i| {
                let row = &run.rows[i];
                wants_passcode(row) && row.device.as_deref().unwrap_or_default() == device
            })
            .collect()
    }

    /// Writes the run window's rows, as shown, to its typed file (off the
    /// UI thread, atomically).
    pub(super) fn export_run(&mut self, csv: bool) {
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let Some(run) = &self.dialogs.runs else {
            return;
        };
        let rows = run.export_rows(&v);
        let path = PathBuf::from(run.export_file.path.trim());
        self.inbox.outbox().spawn(move || {
            let text = if csv {
                crate::core::fanout::to_csv(&rows)
            } else {
                crate::core::fanout::to_json(&rows)
            };
            let written = crate::core::workspace::atomic::write_atomic(&path, text.as_bytes());
            Msg::RunExported(
                written
                    .map(|()| format!("Exported {} rows to {}", rows.len(), path.display()))
                    .map_err(|e| {
                        Failure::usage(
                            format!("cannot write {}: {e}", path.display()),
                            "Check the folder exists and is writable.",
                        )
                    }),
            )
        });
    }

    pub(super) fn stop_run(&mut self) {
        if let Some(run) = &self.dialogs.runs {
            self.engine.cancel_all(run.running_jobs());
        }
    }

    /// Opens a run row's saved request in a new tab, with the row's
    /// response (or why it was not sent) and exchanges.
    pub(super) fn open_run_row(&mut self, index: usize) {
        let Some(row) = self.dialogs.runs.as_ref().and_then(|r| r.rows.get(index)) else {
            return;
        };
        // A fan-out of an unsaved request has no file.
        let path = Some(row.entry.path.clone()).filter(|p| !p.as_os_str().is_empty());
        let draft = Draft::from_saved(&row.entry.request, path);
        let device = row.device.clone().filter(|d| self.tree.find(d).is_some());
        let response = ResponseState {
            device: row.device.clone(),
            timeline: row.timeline.clone(),
            input_error: row.problem.as_ref().map(|p| Failure::usage(p.clone(), "")),
            ..ResponseState::default()
        };
        let result = row.result.clone();
        let tab = self.tabs.open(device, draft);
        tab.response = response;
        let id = tab.id;
        if let Some(result) = result {
            let job = self.engine.reserve_id();
            self.show(id, job, result);
        }
    }

    /// Reopens what a history entry sent (its method, URL, headers, body
    /// and device) with the response it recorded.
    pub(super) fn open_history(
        &mut self,
        entry: &crate::core::history::HistoryEntry,
        new_tab: bool,
    ) {
        let (draft, result) = crate::ui::history_panel::reopen(entry);
        let device = entry.device.clone().filter(|d| self.tree.find(d).is_some());
        let tab = if new_tab {
            let device = device.or_else(|| self.tabs.active().device.clone());
            self.tabs.open(device, draft)
        } else {
            let tab = self.tabs.active_mut();
            tab.draft = draft;
            tab.device = device.or(tab.device.take());
            tab
        };
        tab.section = if tab.draft.body.is_empty() {
            crate::ui::tabs::RequestTab::Headers
        } else {
            crate::ui::tabs::RequestTab::Body
        };
        tab.response = ResponseState {
            device: entry.device.clone(),
            ..ResponseState::default()
        };
        let id = tab.id;
        let job = self.engine.reserve_id();
        self.show(id, job, result);
        let when = crate::core::tls::rfc3339(entry.timestamp as i64);
        let mut notice = format!("Reopened from the history (sent {when}).");
        if entry.request_body_dropped {
            notice.push_str(
                " Its request body was not recorded (over 64 KiB, or it may hold a secret).",
            );
        }
        if entry.body_truncated {
            notice.push_str(" The response body was over 64 KiB and not recorded.");
        }
        self.notice = Some(notice);
    }
}

/// Whether a row's login asked for a two-factor passcode.
fn wants_passcode(row: &crate::ui::run_window::RunRow) -> bool {
    let error = row.result.as_ref().and_then(|r| r.error.as_ref());
    error.is_some_and(|e| e.remedy == Some(Remedy::EnterPasscode))
}
