//! Taking the inbox's messages: engine events, scans, saved files,
//! finished requests.

use std::path::PathBuf;

use super::ApxApp;
use crate::core::error::{Failure, FailureKind, Remedy};
use crate::core::platform::catalog;
use crate::core::workspace::Workspace;
use crate::engine::{Event, JobId, KeyringOp, RequestResult};
use crate::ui::draft::Draft;
use crate::ui::inbox::Msg;
use crate::ui::tabs::{ResponseTab, TabId};
use crate::ui::tree_ops::Changed;

impl ApxApp {
    /// Takes one background result.
    pub(super) fn receive(&mut self, msg: Msg) {
        match msg {
            Msg::Engine(event) => self.engine_event(event),
            Msg::Highlighted(rows) => self.highlighter.take(rows),
            Msg::Diffed(diffed) => {
                if let Some(view) = &mut self.dialogs.diff {
                    view.take(diffed);
                }
            }
            Msg::DemoStarted(started) => self.demo_started(started),
            Msg::Rendered { tab, job, rendered } => {
                if let Some(t) = self.tabs.by_id(tab).filter(|t| t.response.job == Some(job)) {
                    t.response.rendered = Some(rendered);
                    self.refresh_filter(tab);
                    self.refresh_find(tab);
                }
            }
            Msg::Filtered {
                tab,
                generation,
                filtered,
            } => {
                if let Some(t) = self.tabs.by_id(tab)
                    && t.response.filter_generation == generation
                {
                    t.response.filtered = Some(filtered);
                    t.response.filter_pending = false;
                    self.refresh_find(tab);
                }
            }
            Msg::Found {
                tab,
                generation,
                hits,
            } => {
                if let Some(t) = self.tabs.by_id(tab)
                    && t.response.find_generation == generation
                {
                    let r = &mut t.response;
                    r.scroll_to = hits.first().copied();
                    r.find_hits = hits;
                    r.find_index = 0;
                    r.find_pending = false;
                }
            }
            Msg::Picked { target, path } => self.picked(target, path),
            Msg::Notice(text) => {
                for t in &mut self.tabs.list {
                    t.response.save_pending = false;
                }
                self.notice = Some(text);
            }
            Msg::WorkspaceChanged => self.scan(),
            Msg::Scanned { dir, .. } if dir != self.workspace.dir() => {
                // Of the workspace before another was opened.
                self.scans.running = false;
                self.scans.again = false;
                self.scan();
            }
            Msg::Scanned {
                devices,
                collections,
                ..
            } => {
                let first = !self.tree.loaded;
                for name in self.tree.rescanned(devices, collections) {
                    self.passwords.remove(&name);
                }
                self.scans.running = false;
                if std::mem::take(&mut self.scans.again) {
                    self.scan();
                }
                if first {
                    self.restore_devices();
                }
            }
            Msg::History(load) => {
                self.side.history = Some(load);
                self.side.history_loading = false;
            }
            Msg::HistoryChanged => self.side.history = None,
            Msg::DeviceStored(stored) => self.device_stored(*stored),
            Msg::DeviceDeleted { name, outcome } => match outcome {
                Ok(removed) => {
                    let key = self.keyring_key(&removed, None);
                    self.engine.keyring(KeyringOp::Delete { key });
                    self.forget_device(&name);
                    self.scan();
                }
                Err(f) => self.notice = Some(f.message),
            },
            Msg::RequestSaved { tab, name, outcome } => match outcome {
                Ok(path) => {
                    let relative = path
                        .strip_prefix(self.workspace.dir())
                        .map(|p| p.to_path_buf())
                        .unwrap_or(path);
                    self.notice = Some(format!("Saved {}", relative.display()));
                    if let Some(t) = self.tabs.by_id(tab) {
                        t.draft.name = name;
                        t.draft.saved_path = Some(relative);
                    }
                    self.dialogs.save = None;
                    self.scan();
                }
                Err(e) => match &mut self.dialogs.save {
                    Some(dialog) => dialog.error = Some(e),
                    None => self.notice = Some(e.message),
                },
            },
            Msg::TreeChanged(outcome) => self.tree_changed(outcome),
            Msg::CatalogLoaded { key, outcome } => self.catalog.loaded(&key, outcome),
            Msg::CatalogFetched { key, outcome } => self.catalog.fetched(&key, outcome),
            Msg::RunExported(outcome) => {
                if let Some(run) = &mut self.dialogs.runs {
                    run.exported(outcome);
                }
            }
            Msg::Exported(outcome) => {
                if let Some(dialog) = &mut self.dialogs.export {
                    dialog.running = false;
                    dialog.outcome = Some(outcome);
                }
            }
            Msg::WorkspaceChecked { dir, outcome } => match outcome {
                Ok(watcher) => self.open_workspace(dir, watcher),
                Err(failure) => match &mut self.dialogs.workspace {
                    Some(dialog) => {
                        dialog.opening = false;
                        dialog.error = Some(failure);
                    }
                    None => self.notice = Some(failure.message),
                },
            },
            Msg::Imported { report, secrets } => {
                let device = self
                    .tabs
                    .active()
                    .device
                    .clone()
                    .filter(|d| !self.tree.transient.contains(d))
                    .unwrap_or_default();
                if let Some(dialog) = &mut self.dialogs.import {
                    dialog.running = false;
                    dialog.report = Some(report);
                    dialog.passwords = secrets
                        .into_iter()
                        .filter(|s| s.kind == "basic password")
                        .map(|found| crate::ui::menus::PasswordOffer {
                            found,
                            device: device.clone(),
                            outcome: None,
                            pending: None,
                        })
                        .collect();
                }
                self.scan();
            }
        }
    }

    /// Makes `dir` the workspace: its devices and saved requests replace
    /// the old ones (the demo devices stay), read in the background; a
    /// file that does not read is reported, never rewritten.
    pub(super) fn open_workspace(
        &mut self,
        dir: PathBuf,
        watcher: Option<notify::RecommendedWatcher>,
    ) {
        self.dialogs.workspace = None;
        self.settings.remember_workspace(&dir);
        self.workspace = Workspace::new(dir);
        self.watcher = watcher;
        // A spec fetched for the old workspace is not stored in the new one.
        if let Some(fetch) = self.catalog.fetching.take() {
            self.engine.cancel(fetch.job);
        }
        self.engine.close_sessions(None);
        // Passphrases typed for the old workspace's keys stay with it.
        self.key_passphrases.clear();
        let transient = &self.tree.transient;
        self.passwords.retain(|name, _| transient.contains(name));
        self.tree.devices.retain(|d| transient.contains(&d.name));
        self.tree.problem = None;
        self.tree.collections = Default::default();
        // The first scan gives the tabs a device of this workspace.
        self.tree.loaded = false;
        self.side.selected = None;
        self.side.history = None;
        for tab in &mut self.tabs.list {
            tab.draft.saved_path = None;
        }
        self.notice = Some(format!(
            "Opened workspace {}",
            self.workspace.dir().display()
        ));
        self.scan();
    }

    /// A change to the saved-requests tree made: the tabs showing a moved
    /// request follow it, a new request opens in a new tab. Refused: the
    /// dialog (or the status bar) says why.
    pub(super) fn tree_changed(&mut self, outcome: Result<Changed, Failure>) {
        let changed = match outcome {
            Ok(changed) => changed,
            Err(failure) => {
                match &mut self.dialogs.tree {
                    Some(dialog) => {
                        dialog.running = false;
                        dialog.error = Some(failure);
                    }
                    None => self.notice = Some(failure.message),
                }
                return;
            }
        };
        self.dialogs.tree = None;
        self.side.selected = None;
        if let Some((from, to)) = changed.moved {
            for tab in &mut self.tabs.list {
                if tab.draft.saved_path.as_ref() == Some(&from) {
                    tab.draft.saved_path = to.clone();
                }
            }
        }
        if let Some(entry) = changed.created {
            let device = self.tabs.active().device.clone();
            let draft = Draft::from_saved(&entry.request, Some(entry.path.clone()));
            self.tabs.open(device, draft).focus_url = true;
        }
        self.notice = Some(changed.notice);
        self.scan();
    }

    /// Gives the remembered tabs (or the first tab) a device once the
    /// workspace is known.
    pub(super) fn restore_devices(&mut self) {
        let first = self.tree.devices.first().map(|d| d.name.clone());
        for tab in &mut self.tabs.list {
            let known = tab
                .device
                .as_ref()
                .is_some_and(|n| self.tree.find(n).is_some());
            if !known {
                tab.device = first.clone();
            }
            if tab.draft.url.is_empty() {
                let platform = tab
                    .device
                    .as_ref()
                    .and_then(|n| self.tree.find(n))
                    .map(|d| d.platform);
                if let Some(e) = platform.and_then(|p| catalog::endpoints(p).first()) {
                    tab.draft.use_endpoint(e);
                }
            }
        }
    }

    pub(super) fn engine_event(&mut self, event: Event) {
        if self.catalog_event(&event) {
            return;
        }
        let job = match &event {
            Event::Sessions(open) => {
                self.open_sessions = open.clone();
                return;
            }
            Event::Keyring { id, outcome } => {
                self.keyring_done(*id, outcome.clone());
                return;
            }
            Event::Started { job, .. }
            | Event::Tls { job, .. }
            | Event::Head { job, .. }
            | Event::Progress { job, .. }
            | Event::Page { job, .. }
            | Event::Exchange { job, .. }
            | Event::Finished { job, .. }
            | Event::JobDone { job } => *job,
        };
        if let Some(runs) = self.dialogs.runs.as_mut().filter(|r| r.owns(job)) {
            match event {
                Event::Started { index, .. } => runs.started(job, index),
                Event::Exchange { record, .. } => runs.exchange(job, record),
                Event::Finished { index, result, .. } => {
                    if let Some(device) = runs.record(job, index, (*result).clone()) {
                        self.record_history(&result, device.as_deref());
                    }
                }
                Event::JobDone { .. } => {
                    runs.job_done(job);
                    self.ask_run_passcode();
                }
                Event::Tls { .. }
                | Event::Head { .. }
                | Event::Progress { .. }
                | Event::Page { .. }
                | Event::Keyring { .. }
                | Event::Sessions(_) => {}
            }
            return;
        }
        let Some(tab) = self.tabs.by_job(job) else {
            return;
        };
        let r = &mut tab.response;
        match event {
            Event::Tls { handshake, .. } => r.handshake = Some(handshake),
            Event::Head { status, .. } => {
                if let Some(run) = &mut r.running {
                    run.status = Some(status);
                }
            }
            Event::Progress {
                received, total, ..
            } => {
                if let Some(run) = &mut r.running {
                    run.received = received;
                    run.total = total;
                }
            }
            Event::Page { number, of, .. } => {
                if let Some(run) = &mut r.running {
                    run.page = Some((number, of));
                }
            }
            Event::Exchange { record, .. } => r.timeline.push(record),
            Event::Finished { result, .. } => {
                let id = tab.id;
                self.finish(id, job, *result);
            }
            Event::JobDone { .. } => r.running = None,
            Event::Started { .. } | Event::Keyring { .. } | Event::Sessions(_) => {}
        }
    }

    /// Shows a keyring change's outcome where it was asked for: beside the
    /// import dialog's offer, else as the notice.
    pub(super) fn keyring_done(&mut self, id: JobId, outcome: Result<String, Failure>) {
        let text = match outcome {
            Ok(done) => done,
            Err(e) => format!("keyring: {}", e.message),
        };
        let offer = self
            .dialogs
            .import
            .as_mut()
            .and_then(|d| d.passwords.iter_mut().find(|o| o.pending == Some(id)));
        match offer {
            Some(offer) => {
                offer.pending = None;
                offer.outcome = Some(text);
            }
            None => self.notice = Some(text),
        }
    }

    pub(super) fn finish(&mut self, tab: TabId, job: JobId, result: RequestResult) {
        let device = self.tabs.by_id(tab).and_then(|t| t.response.device.clone());
        self.record_history(&result, device.as_deref());
        let remedy = result.error.as_ref().and_then(|e| e.remedy);
        self.show(tab, job, result);
        // A two-factor login without a passcode, or an encrypted client key
        // without its passphrase: ask for it at once.
        if self.tabs.active().id == tab {
            match remedy {
                Some(Remedy::EnterPasscode) => self.dialogs.passcode = Some(Default::default()),
                Some(Remedy::EnterKeyPassphrase) => self.ask_key_passphrase(),
                _ => {}
            }
        }
    }

    /// Shows a result in a tab: its body rendered in the background (the
    /// rendering is matched by `job`), a TLS failure on the Certificate tab.
    pub(super) fn show(&mut self, tab: TabId, job: JobId, result: RequestResult) {
        let bytes = match &result.body {
            crate::engine::http::Body::Memory(bytes) => bytes.clone(),
            _ => bytes::Bytes::new(),
        };
        self.inbox.outbox().spawn(move || Msg::Rendered {
            tab,
            job,
            rendered: crate::ui::body_text::render(bytes),
        });
        let Some(t) = self.tabs.by_id(tab) else {
            return;
        };
        if let Some(device) = t.response.device.clone()
            && !result.domains.is_empty()
        {
            self.known_domains.insert(device, result.domains.clone());
        }
        t.response.job = Some(job);
        if result.handshake.is_some() {
            t.response.handshake = result.handshake.clone();
        }
        let tls_failed = result
            .error
            .as_ref()
            .is_some_and(|e| e.kind == FailureKind::Tls);
        t.response.tab = if tls_failed {
            ResponseTab::Certificate
        } else {
            ResponseTab::Body
        };
        t.response.result = Some(result);
    }

    /// Appends to the history in the background; a failure is logged, never
    /// shown as a request error.
    pub(super) fn record_history(&mut self, result: &RequestResult, device: Option<&str>) {
        let entry = crate::engine::history_record::entry(result, device);
        let dir = self.workspace.dir().to_path_buf();
        self.inbox.outbox().spawn(move || {
            if let Err(e) = crate::core::history::append(&dir, &entry) {
                tracing::warn!("history not written: {}", e.message);
            }
            Msg::HistoryChanged
        });
    }
}
