//! The app: its state, one area per struct (the workspace's devices, the
//! left panel, the open tabs, the dialogs, the settings), the one inbox
//! drained once a frame, and [`ApxApp::apply`], the only place where an
//! action changes more than a panel's own state.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::actions::{Action, View};
use super::commands::{Command, Palette};
use super::device_tree::{DeviceTree, device_origin};
use super::dialogs::Dialogs;
use super::draft::Draft;
use super::inbox::{Inbox, Msg, PickTarget, StoredDevice};
use super::settings::{STORAGE_KEY, Settings};
use super::side_panel::SideState;
use super::tabs::{ResponseState, ResponseTab, Running, TabId, Tabs, tab_strip};
use super::tree_ops::{Ask, Changed, Node, TreeDialog};
use crate::core::catalog::Catalog;
use crate::core::error::{Failure, FailureKind, Remedy};
use crate::core::platform::{AuthMode, Platform, catalog};
use crate::core::request::origin;
use crate::core::secret::Secret;
use crate::core::tls::Trust;
use crate::core::workspace::catalogs::CatalogKey;
use crate::core::workspace::variables::prepare;
use crate::core::workspace::{Device, Workspace};
use crate::demo::Appliance;
use crate::engine::keyring::KeyringKey;
use crate::engine::session::SecondFactor;
use crate::engine::session_choice::SessionChoice;
use crate::engine::{Engine, Event, EventSink, Job, JobId, JobRequest, KeyringOp, RequestResult};

/// Scans of the workspace: one at a time, and one more if it changed
/// meanwhile.
#[derive(Default)]
struct Scans {
    running: bool,
    again: bool,
}

pub struct ApxApp {
    pub workspace: Workspace,
    pub tree: DeviceTree,
    pub side: SideState,
    pub tabs: Tabs,
    pub dialogs: Dialogs,
    /// The API catalog window.
    pub catalog: super::catalog_browser::CatalogBrowser,
    pub settings: Settings,
    /// Passwords typed (or demo ones) for this run only, by device name.
    pub passwords: HashMap<String, Secret>,
    /// FMC: the domains the last login to each device listed, by device name
    /// (the device editor offers them).
    pub known_domains: HashMap<String, Vec<String>>,
    pub notice: Option<String>,
    pub demo: Vec<Appliance>,
    highlighter: super::highlight::RowHighlighter,
    engine: Engine,
    inbox: Inbox,
    watcher: Option<notify::RecommendedWatcher>,
    scans: Scans,
    /// Set to stop the search under way when a newer one starts.
    find_cancel: Option<Arc<AtomicBool>>,
    find_generation: u64,
    filter_cancel: Option<Arc<AtomicBool>>,
    filter_generation: u64,
    /// How far the window's first frame has got (`apx -v` logs it; the
    /// start-up benchmark waits for it).
    first_frame: FirstFrame,
}

/// What panels may read: built from fields, so that a panel may hold its
/// own state mutably at the same time.
fn view<'a>(
    tree: &'a DeviceTree,
    passwords: &'a HashMap<String, Secret>,
    workspace: &'a Workspace,
) -> View<'a> {
    View {
        devices: &tree.devices,
        transient: &tree.transient,
        passwords,
        workspace: workspace.dir(),
        collections: &tree.collections,
        problem: tree.problem.as_ref(),
    }
}

impl ApxApp {
    /// Starts the engine and the workspace scan and watcher (and, for
    /// `--demo`, the simulated appliances); reopens the remembered tabs.
    pub fn new(workspace_dir: PathBuf, settings: Settings, demo: bool) -> Result<ApxApp, String> {
        let inbox = Inbox::new();
        let outbox = inbox.outbox().clone();
        let engine = Engine::start(EventSink::to(move |event| outbox.send(Msg::Engine(event))))
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        super::highlight::warm_up();
        let watcher = super::inbox::watch(&workspace_dir, inbox.outbox());
        let mut app = ApxApp {
            workspace: Workspace::new(workspace_dir),
            tree: DeviceTree::default(),
            side: SideState::default(),
            tabs: Tabs::restore(&settings.tabs),
            dialogs: Dialogs::default(),
            catalog: Default::default(),
            settings,
            passwords: HashMap::new(),
            known_domains: HashMap::new(),
            notice: None,
            demo: Vec::new(),
            highlighter: Default::default(),
            engine,
            inbox,
            watcher,
            scans: Scans::default(),
            find_cancel: None,
            find_generation: 0,
            filter_cancel: None,
            filter_generation: 0,
            first_frame: FirstFrame::Pending,
        };
        app.scan();
        if demo {
            app.start_demo();
        }
        Ok(app)
    }

    /// Reads devices and saved requests in the background.
    fn scan(&mut self) {
        if self.scans.running {
            self.scans.again = true;
            return;
        }
        self.scans.running = true;
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || Msg::Scanned {
            dir: workspace.dir().to_path_buf(),
            devices: workspace.load_devices(),
            collections: workspace.collections(),
        });
    }

    /// Starts the demo appliances on the engine's runtime (before the first
    /// frame) and adds an in-memory device for each.
    fn start_demo(&mut self) {
        let handle = self.engine.handle().clone();
        let started = handle
            .block_on(crate::demo::start_all(Some(crate::demo::DEMO_PORTS)))
            .or_else(|_| handle.block_on(crate::demo::start_all(None)));
        match started {
            Ok(appliances) => {
                for a in &appliances {
                    // Their certificates are new at every start: a pin must
                    // not outlive the run.
                    self.tree.put_transient(Device {
                        name: a.name.clone(),
                        folder: "Demo".into(),
                        platform: a.platform,
                        base_url: a.url.clone(),
                        username: Some(a.username.clone()),
                        trust: Default::default(),
                        variables: Default::default(),
                        allow_http: false,
                        domain: None,
                        api_version: None,
                        reach: Default::default(),
                    });
                    self.passwords
                        .insert(a.name.clone(), Secret::new(a.password.clone()));
                }
                self.demo = appliances;
                self.notice =
                    Some("Demo appliances running. Pick a device, then Send (Ctrl+Enter).".into());
            }
            Err(e) => self.notice = Some(format!("Demo appliances could not start: {e}")),
        }
    }

    /// Whether background work is under way (a scan, a request, a render,
    /// a search, a save): tests step frames until it is not.
    pub fn is_busy(&self) -> bool {
        self.inbox.busy()
            || self.scans.running
            || self.tabs.list.iter().any(|t| t.is_running())
            || self.dialogs.runs.as_ref().is_some_and(|r| !r.done())
    }

    /// What panels read of the app (the fan-out table's order, say).
    pub fn view(&self) -> View<'_> {
        view(&self.tree, &self.passwords, &self.workspace)
    }

    /// The device of the active tab.
    pub fn selected_device(&self) -> Option<&Device> {
        self.tree.find(self.tabs.active().device.as_deref()?)
    }

    /// The active tab's draft as a curl command line.
    pub fn curl_command(&self) -> Result<String, Failure> {
        let view = view(&self.tree, &self.passwords, &self.workspace);
        super::curl::curl_command(self.tabs.active(), &view)
    }

    fn keyring_key(&self, device: &Device, user: Option<&str>) -> KeyringKey {
        KeyringKey::new(self.workspace.dir(), device, user)
    }

    /// Draws the whole app into `ui` (also what the kittest tests drive).
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let _frame = crate::core::ui_thread::FrameGuard::enter();
        self.inbox.attach(ui.ctx());
        ui.ctx().set_theme(self.settings.theme.preference());
        for msg in self.inbox.drain() {
            self.receive(msg);
        }
        let running = self.tabs.active().is_running();
        let mut actions: Vec<Action> = Command::pressed(ui.ctx(), running)
            .into_iter()
            .map(Action::Run)
            .collect();
        let v = view(&self.tree, &self.passwords, &self.workspace);
        actions.extend(super::menus::menu_bar(ui, &mut self.settings, &v));
        super::menus::status_bar(ui, self.notice.as_deref());
        let active = self.tabs.active();
        let marks = super::side_panel::Marks {
            device: active.device.as_deref(),
            saved: active.draft.saved_path.as_deref(),
        };
        egui::Panel::left("devices")
            .resizable(true)
            .default_size(270.0)
            .min_size(200.0)
            .show(ui, |ui| {
                actions.extend(super::side_panel::ui(ui, &mut self.side, &v, &marks));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            actions.extend(tab_strip(ui, &self.tabs));
            let tab = self.tabs.active_mut();
            actions.extend(super::request_panel::ui(ui, tab, &v));
            ui.separator();
            actions.extend(super::response_panel::ui(
                ui,
                &mut tab.response,
                &mut self.highlighter,
                &v,
            ));
        });
        actions.extend(super::dialogs::ui(
            ui.ctx(),
            &mut self.dialogs,
            &v,
            &self.settings.recent_workspaces,
        ));
        if self.catalog.open {
            actions.extend(self.catalog.ui(ui.ctx()));
        }
        for action in actions {
            self.apply(action, ui.ctx());
        }
        if self.tabs.list.iter().any(|t| t.is_running())
            || self.dialogs.runs.as_ref().is_some_and(|r| !r.done())
        {
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Opens the catalog browser on the built-ins of the active tab's
    /// platform at once, and reads the workspace's imports (the platform's,
    /// and a saved device's own) in the background.
    fn open_catalog(&mut self) {
        let tab = self.tabs.active();
        let platform = tab
            .draft
            .platform
            .or_else(|| {
                tab.device
                    .as_deref()
                    .and_then(|d| self.tree.find(d))
                    .map(|d| d.platform)
            })
            .unwrap_or(Platform::Generic);
        let key = match &tab.device {
            Some(name) if tab.draft.platform.is_none() && !self.tree.transient.contains(name) => {
                CatalogKey::Device(name.clone())
            }
            _ => CatalogKey::Platform(platform),
        };
        self.catalog
            .show(key.clone(), Catalog::new(platform, Vec::new()));
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || Msg::CatalogLoaded {
            outcome: workspace.catalog(&key),
            key,
        });
    }

    /// Takes one background result.
    fn receive(&mut self, msg: Msg) {
        match msg {
            Msg::Engine(event) => self.engine_event(event),
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
                        .map(|found| super::menus::PasswordOffer {
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
    fn open_workspace(&mut self, dir: PathBuf, watcher: Option<notify::RecommendedWatcher>) {
        self.dialogs.workspace = None;
        self.settings.remember_workspace(&dir);
        self.workspace = Workspace::new(dir);
        self.watcher = watcher;
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
    fn tree_changed(&mut self, outcome: Result<Changed, Failure>) {
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
    fn restore_devices(&mut self) {
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

    fn engine_event(&mut self, event: Event) {
        let job = match &event {
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
                Event::JobDone { .. } => runs.job_done(job),
                Event::Tls { .. }
                | Event::Head { .. }
                | Event::Progress { .. }
                | Event::Page { .. }
                | Event::Keyring { .. } => {}
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
            Event::Started { .. } | Event::Keyring { .. } => {}
        }
    }

    /// Shows a keyring change's outcome where it was asked for: beside the
    /// import dialog's offer, else as the notice.
    fn keyring_done(&mut self, id: JobId, outcome: Result<String, Failure>) {
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

    fn finish(&mut self, tab: TabId, job: JobId, result: RequestResult) {
        let device = self.tabs.by_id(tab).and_then(|t| t.response.device.clone());
        self.record_history(&result, device.as_deref());
        let wants_passcode = result
            .error
            .as_ref()
            .is_some_and(|e| e.remedy == Some(Remedy::EnterPasscode));
        self.show(tab, job, result);
        // A two-factor login without a passcode: ask for it at once.
        if wants_passcode && self.tabs.active().id == tab {
            self.dialogs.passcode = Some(Default::default());
        }
    }

    /// Shows a result in a tab: its body rendered in the background (the
    /// rendering is matched by `job`), a TLS failure on the Certificate tab.
    fn show(&mut self, tab: TabId, job: JobId, result: RequestResult) {
        let bytes = match &result.body {
            crate::engine::http::Body::Memory(bytes) => bytes.clone(),
            _ => bytes::Bytes::new(),
        };
        self.inbox.outbox().spawn(move || Msg::Rendered {
            tab,
            job,
            rendered: super::body_text::render(bytes),
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
    fn record_history(&mut self, result: &RequestResult, device: Option<&str>) {
        let entry = crate::engine::history_record::entry(result, device);
        let dir = self.workspace.dir().to_path_buf();
        self.inbox.outbox().spawn(move || {
            if let Err(e) = crate::core::history::append(&dir, &entry) {
                tracing::warn!("history not written: {}", e.message);
            }
            Msg::HistoryChanged
        });
    }

    /// Carries out an action.
    pub fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::Run(command) => self.run(command, ctx),
            Action::OpenCatalog => self.open_catalog(),
            Action::UseOperation(operation) => {
                let tab = self.tabs.active_mut();
                tab.draft.use_operation(&operation);
                if !tab.draft.body.is_empty() {
                    tab.section = super::tabs::RequestTab::Body;
                }
                let form = super::catalog_browser::OperationForm::new(*operation);
                tab.operation = (!form.is_empty()).then_some(form);
            }
            Action::SelectDevice(name) => self.select_device(&name),
            Action::OpenSaved(entry) => {
                let tab = self.tabs.active_mut();
                tab.draft = Draft::from_saved(&entry.request, Some(entry.path.clone()));
                if !tab.draft.body.is_empty() {
                    tab.section = super::tabs::RequestTab::Body;
                }
                if let Some(device) = &entry.request.device
                    && self.tree.find(device).is_some()
                {
                    self.tabs.active_mut().device = Some(device.clone());
                }
            }
            Action::OpenHistory { entry, new_tab } => self.open_history(&entry, new_tab),
            Action::SwitchTab(i) => self.tabs.active = i.min(self.tabs.list.len() - 1),
            Action::CloseTab(i) => self.close_tab(i),
            Action::NewDevice(folder) => {
                self.dialogs.editor = Some(super::device_editor::DeviceEditor::new_in(folder));
            }
            Action::EditDevice(name) => {
                if let Some(d) = self.tree.find(&name) {
                    let mut editor = super::device_editor::DeviceEditor::edit(d);
                    editor.known_domains =
                        self.known_domains.get(&name).cloned().unwrap_or_default();
                    self.dialogs.editor = Some(editor);
                }
            }
            Action::DuplicateDevice(name) => self.duplicate_device(&name),
            Action::AskDelete(name) => self.dialogs.confirm_delete = Some(name),
            Action::DeleteDevice(name) => self.delete_device(&name),
            Action::SaveDevice => self.save_editor(),
            Action::SaveRequest => self.save_request(),
            Action::ImportCurl(text) => self.import_curl(&text),
            Action::SetPassword { device, password } => match password {
                Some(p) => {
                    self.passwords.insert(device, p);
                }
                None => {
                    self.passwords.remove(&device);
                }
            },
            Action::TrustCertificate => self.trust_presented_certificate(),
            Action::EnterPassword => {
                let tab = self.tabs.active_mut();
                tab.section = super::tabs::RequestTab::Auth;
                tab.focus_password = true;
            }
            Action::AddHostAsDevice { sha256 } => {
                let mut editor = super::device_editor::DeviceEditor::new_in(String::new());
                let answered = self.tabs.active().response.result.as_ref();
                if let Some(url) = answered.and_then(|r| url::Url::parse(&r.url).ok()) {
                    editor.base_url = origin(&url);
                    editor.name = url.host_str().unwrap_or_default().to_string();
                }
                editor.trust = super::device_editor::TrustChoice::Pin;
                editor.pin = sha256;
                self.dialogs.editor = Some(editor);
            }
            Action::RunFolder(folder) => self.run_folder(&folder),
            Action::FanOut(folder) => self.fan_out(&folder),
            Action::FanOutCollection {
                devices,
                collection,
            } => self.fan_out_collection(&devices, &collection),
            Action::OpenRunRow(row) => self.open_run_row(row),
            Action::RerunRows(only_failed) => self.rerun(only_failed),
            Action::StopRun => self.stop_run(),
            Action::CloseRun => {
                self.stop_run();
                self.dialogs.runs = None;
            }
            Action::OpenWorkspace(dir) => {
                let outbox = self.inbox.outbox().clone();
                self.inbox.outbox().spawn(move || Msg::WorkspaceChecked {
                    outcome: super::workspace_dialog::check(&dir)
                        .map(|()| super::inbox::watch(&dir, &outbox)),
                    dir,
                });
            }
            Action::AskTree(ask, folder) => {
                self.dialogs.tree = Some(TreeDialog::new(ask, folder));
            }
            Action::Tree(op) => {
                let workspace = self.workspace.clone();
                self.inbox
                    .outbox()
                    .spawn(move || Msg::TreeChanged(op.apply(&workspace)));
            }
            Action::ClearHistory => {
                let dir = self.workspace.dir().to_path_buf();
                self.inbox.outbox().spawn(move || {
                    Msg::Notice(match crate::core::history::clear(&dir) {
                        Ok(()) => "History cleared".into(),
                        Err(e) => e.message,
                    })
                });
                self.side.history = None;
                self.side.history_loading = false;
            }
            Action::LoadHistory => {
                let dir = self.workspace.dir().to_path_buf();
                self.inbox.outbox().spawn(move || {
                    Msg::History(crate::core::history::load(&dir).unwrap_or_default())
                });
            }
            Action::ImportPostman => self.import_postman(),
            Action::ExportCollection => self.export_collection(),
            Action::ExportRun { csv } => self.export_run(csv),
            Action::StoreFoundPassword(i) => self.store_found_password(i),
            Action::RefreshFind => {
                let id = self.tabs.active().id;
                self.refresh_find(id);
            }
            Action::RefreshFilter => {
                let id = self.tabs.active().id;
                self.refresh_filter(id);
                self.refresh_find(id);
            }
            Action::SaveBody => self.save_body(),
            Action::Pick { target, save } => {
                let target = match target {
                    PickTarget::SaveBody(_) => PickTarget::SaveBody(self.tabs.active().id),
                    other => other,
                };
                super::inbox::pick(self.inbox.outbox(), target, save);
            }
            Action::Notice(text) => self.notice = Some(text),
            Action::CloseDialogs => self.dialogs.close_modal(),
            Action::AskPasscode => self.dialogs.passcode = Some(Default::default()),
            Action::SendWithPasscode(passcode) => {
                self.dialogs.passcode = None;
                self.send_with(SecondFactor::Passcode(passcode));
            }
        }
    }

    /// Runs an entry of the command list.
    pub fn run(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Send => self.send(),
            Command::Cancel => {
                if let Some(running) = &self.tabs.active().response.running {
                    self.engine.cancel(running.job);
                }
            }
            Command::SaveRequest => {
                let tab = self.tabs.active();
                let platform = self.selected_device().map(|d| d.platform);
                self.dialogs.save = Some(super::save_dialog::SaveDialog::for_draft(
                    &tab.draft, platform,
                ));
            }
            Command::Find => {
                let r = &mut self.tabs.active_mut().response;
                r.find_open = true;
                r.tab = ResponseTab::Body;
            }
            Command::FocusUrl => self.tabs.active_mut().focus_url = true,
            Command::NewTab => {
                let device = self.tabs.active().device.clone();
                let mut draft = Draft::default();
                let platform = device
                    .as_ref()
                    .and_then(|n| self.tree.find(n))
                    .map(|d| d.platform);
                if let Some(e) = platform.and_then(|p| catalog::endpoints(p).first()) {
                    draft.use_endpoint(e);
                }
                self.tabs.open(device, draft).focus_url = true;
            }
            Command::CloseTab => self.close_tab(self.tabs.active),
            Command::NextTab => self.tabs.cycle(1),
            Command::PreviousTab => self.tabs.cycle(-1),
            Command::Palette => self.dialogs.palette = Some(Palette::default()),
            Command::CopyCurl => {
                self.notice = Some(match self.curl_command() {
                    Ok(command) => {
                        ctx.copy_text(command);
                        "curl command copied (the password is $APX_PASSWORD, never inline)".into()
                    }
                    Err(f) => format!("Cannot build the curl command: {}", f.message),
                });
            }
            Command::NewDevice => {
                self.dialogs.editor =
                    Some(super::device_editor::DeviceEditor::new_in(String::new()));
            }
            Command::NewRequest | Command::NewFolder => {
                let ask = if command == Command::NewRequest {
                    Ask::NewRequest
                } else {
                    Ask::NewFolder
                };
                let folder = self.side.selected.as_ref().map(Node::folder);
                self.dialogs.tree = Some(TreeDialog::new(ask, folder.unwrap_or_default()));
            }
            Command::RenameSelected | Command::DeleteSelected => {
                let Some(node) = self.side.selected.clone() else {
                    self.notice = Some("Select a saved request or folder first.".into());
                    return;
                };
                let ask = if command == Command::RenameSelected {
                    Ask::Rename(node)
                } else {
                    Ask::Delete(node)
                };
                self.dialogs.tree = Some(TreeDialog::new(ask, String::new()));
            }
            Command::OpenWorkspace => self.dialogs.workspace = Some(Default::default()),
            Command::ExportCollection => {
                let folder = self.side.selected.as_ref().map(Node::folder);
                self.dialogs.export = Some(super::export_dialog::ExportDialog {
                    folder: folder.unwrap_or_default(),
                    devices: self.tabs.active().device.clone().unwrap_or_default(),
                    ..Default::default()
                });
            }
            Command::ImportPostman => self.dialogs.import = Some(Default::default()),
            Command::ReloadWorkspace => {
                self.watch();
                self.scan();
            }
            Command::Theme(theme) => self.settings.theme = theme,
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    /// Watches the workspace, if it is not watched yet (it may not have
    /// existed before the first device was saved).
    fn watch(&mut self) {
        if self.watcher.is_none() {
            self.watcher = super::inbox::watch(self.workspace.dir(), self.inbox.outbox());
        }
    }

    fn close_tab(&mut self, index: usize) {
        if let Some(closed) = self.tabs.close(index)
            && let Some(running) = &closed.response.running
        {
            self.engine.cancel(running.job);
        }
    }

    /// Sends the active tab's draft.
    pub fn send(&mut self) {
        self.send_with(SecondFactor::Unavailable);
    }

    /// Sends the active tab's request, with a two-factor passcode if given.
    fn send_with(&mut self, second_factor: SecondFactor) {
        let v = view(&self.tree, &self.passwords, &self.workspace);
        let tab = self.tabs.active();
        if super::request_panel::send_blocker(tab, &v).is_some() {
            return;
        }
        let job = self.build_job().map(|mut job| {
            job.session.second_factor = second_factor;
            job
        });
        let tab = self.tabs.active_mut();
        let job = match job {
            Ok(job) => job,
            Err(failure) => {
                tab.response = ResponseState {
                    input_error: Some(failure),
                    ..ResponseState::default()
                };
                return;
            }
        };
        let id = self.engine.run(job);
        let keep_tab = tab.response.tab;
        // The filter stays, to apply to the new answer.
        let filter = std::mem::take(&mut tab.response.filter);
        tab.response = ResponseState {
            device: tab.device.clone(),
            job: Some(id),
            running: Some(Running {
                job: id,
                started: Instant::now(),
                status: None,
                received: 0,
                total: None,
                page: None,
            }),
            tab: keep_tab,
            filter,
            ..ResponseState::default()
        };
        self.notice = None;
    }

    fn build_job(&self) -> Result<Job, Failure> {
        let tab = self.tabs.active();
        let v = view(&self.tree, &self.passwords, &self.workspace);
        let device = self.selected_device();
        let saved = tab.draft.to_saved(device.map(|d| d.name.as_str()));
        let prepared = prepare(&saved, device)?;
        let auth = v.auth(&tab.draft, tab.device.as_deref());
        let password = device.and_then(|d| self.passwords.get(&d.name).cloned());
        let keyring = device
            .filter(|d| !self.tree.transient.contains(&d.name))
            .map(|d| self.keyring_key(d, None));
        if auth != AuthMode::None && password.is_none() && keyring.is_none() {
            return Err(Failure::usage(
                "no password for this request",
                "Select a device and type its password in the Auth tab, or set Auth to None.",
            )
            .with_remedy(Remedy::EnterPassword));
        }
        let choice = SessionChoice {
            device,
            platform: Some(prepared.platform),
            auth: Some(auth),
            ..SessionChoice::default()
        };
        let mut request =
            JobRequest::from_prepared(tab.draft.name.clone(), prepared, self.settings.body_sink());
        request.all_pages = tab.draft.all_pages;
        Ok(Job {
            session: choice.spec(&request.request.url, self.settings.timeout(), password),
            requests: vec![request],
            keyring,
        })
    }

    /// Points the active tab at another device. An endpoint of the previous
    /// device's platform, as its catalog filled it in, means nothing to
    /// another platform: it starts from the new one's catalog instead. The
    /// user's own work stays; so does the response, labelled with the
    /// device it came from.
    pub fn select_device(&mut self, name: &str) {
        let before = self.selected_device().map(|d| d.platform);
        let after = self.tree.find(name).map(|d| d.platform);
        let tab = self.tabs.active_mut();
        if tab.device.as_deref() == Some(name) {
            return;
        }
        tab.device = Some(name.to_string());
        tab.password_input.clear();
        tab.draft.platform = None;
        tab.draft.auth = None;
        let from_old_catalog = before.is_some_and(|p| {
            catalog::endpoints(p)
                .iter()
                .any(|e| tab.draft.is_untouched(e))
        });
        let empty = tab.draft.url.trim().is_empty() && tab.draft.saved_path.is_none();
        if before != after
            && (empty || from_old_catalog)
            && let Some(first) = after.and_then(|p| catalog::endpoints(p).first())
        {
            tab.draft.use_endpoint(first);
        }
    }

    fn import_curl(&mut self, text: &str) {
        let v = view(&self.tree, &self.passwords, &self.workspace);
        match super::curl::import(text, &v) {
            Ok(imported) => {
                let tab = self.tabs.active_mut();
                tab.draft = imported.draft;
                if imported.device.is_some() || imported.editor.is_some() {
                    tab.device = imported.device.clone();
                }
                if let (Some(device), Some(password)) = (imported.device, imported.password) {
                    self.passwords.insert(device, password);
                }
                if imported.editor.is_some() {
                    self.dialogs.editor = imported.editor;
                }
                self.notice = Some(imported.notice);
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// Starts a search of the tab's shown text in the background (a newer
    /// one cancels it); its hits arrive in the inbox.
    fn refresh_find(&mut self, tab: TabId) {
        self.find_generation += 1;
        let generation = self.find_generation;
        if let Some(previous) = self.find_cancel.take() {
            previous.store(true, Ordering::Relaxed);
        }
        let Some(t) = self.tabs.by_id(tab) else {
            return;
        };
        let r = &mut t.response;
        r.find_hits.clear();
        r.find_index = 0;
        r.find_pending = false;
        r.find_generation = generation;
        let Some(text) = r.shown_text().filter(|_| r.find_open) else {
            return;
        };
        if r.find.is_empty() {
            return;
        }
        let text = Arc::clone(text);
        let needle = r.find.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        r.find_pending = true;
        self.find_cancel = Some(cancel.clone());
        self.inbox.outbox().spawn(move || Msg::Found {
            tab,
            generation,
            hits: text.find(&needle, &cancel).unwrap_or_default(),
        });
    }

    /// Runs the tab's jq filter on its body on a worker thread (a newer run
    /// cancels it between results); the results arrive in the inbox.
    fn refresh_filter(&mut self, tab: TabId) {
        self.filter_generation += 1;
        let generation = self.filter_generation;
        if let Some(previous) = self.filter_cancel.take() {
            previous.store(true, Ordering::Relaxed);
        }
        let Some(t) = self.tabs.by_id(tab) else {
            return;
        };
        let r = &mut t.response;
        r.filter_generation = generation;
        r.filter_pending = false;
        let code = r.filter.trim().to_string();
        let body = match r.result.as_ref().map(|res| &res.body) {
            Some(crate::engine::http::Body::Memory(bytes)) if !code.is_empty() => bytes.clone(),
            _ => {
                r.filtered = None;
                return;
            }
        };
        let cancel = Arc::new(AtomicBool::new(false));
        r.filter_pending = true;
        self.filter_cancel = Some(cancel.clone());
        let stack = crate::core::filter::STACK_SIZE;
        self.inbox
            .outbox()
            .spawn_with_stack(stack, move || Msg::Filtered {
                tab,
                generation,
                filtered: super::body_text::Filtered::of(crate::core::filter::apply(
                    &code, &body, &cancel,
                )),
            });
    }

    /// Writes the active tab's body out in the background (a spilled body
    /// can be hundreds of megabytes); the outcome arrives as a notice.
    fn save_body(&mut self) {
        let r = &mut self.tabs.active_mut().response;
        let path = PathBuf::from(r.save_path.trim());
        let Some(body) = r.result.as_ref().map(|res| res.body.clone()) else {
            return;
        };
        if path.as_os_str().is_empty() {
            self.notice = Some("Type a path to save the body to, or Choose… one.".into());
            return;
        }
        r.save_pending = true;
        self.inbox
            .outbox()
            .spawn(move || match super::body_view::save(&body, &path) {
                Ok(n) => Msg::Notice(format!("Saved {n} bytes to {}", path.display())),
                Err(e) => Msg::Notice(format!("Could not save to {}: {e}", path.display())),
            });
    }

    fn picked(&mut self, target: PickTarget, path: Option<PathBuf>) {
        match target {
            PickTarget::ImportFile => {
                if let Some(d) = &mut self.dialogs.import {
                    d.file.picked(path);
                }
            }
            PickTarget::CaFile => {
                if let Some(e) = &mut self.dialogs.editor {
                    e.ca_file.picked(path);
                }
            }
            PickTarget::ClientCert => {
                if let Some(e) = &mut self.dialogs.editor {
                    e.client_cert.picked(path);
                }
            }
            PickTarget::ClientKey => {
                if let Some(e) = &mut self.dialogs.editor {
                    e.client_key.picked(path);
                }
            }
            PickTarget::ExportFile | PickTarget::ExportFolder => {
                if let Some(d) = &mut self.dialogs.export {
                    d.file.picked(path);
                }
            }
            PickTarget::RunExport => {
                if let Some(run) = &mut self.dialogs.runs {
                    run.export_file.picked(path);
                }
            }
            PickTarget::Workspace => {
                if let Some(d) = &mut self.dialogs.workspace {
                    d.folder.picked(path);
                }
            }
            PickTarget::SaveBody(tab) => {
                if let (Some(path), Some(t)) = (path, self.tabs.by_id(tab)) {
                    t.response.save_path = path.display().to_string();
                    let active = self.tabs.active().id == tab;
                    if active {
                        self.save_body();
                    }
                }
            }
        }
    }

    fn save_request(&mut self) {
        let Some(dialog) = &mut self.dialogs.save else {
            return;
        };
        let name = match dialog.checked_name() {
            Ok(name) => name,
            Err(e) => {
                dialog.error = Some(e);
                return;
            }
        };
        let folder = dialog.folder.trim().trim_matches('/').to_string();
        let tab = self.tabs.active();
        let mut draft = tab.draft.clone();
        draft.name = name.clone();
        let saved = draft.to_saved(tab.device.as_deref());
        let id = tab.id;
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || Msg::RequestSaved {
            tab: id,
            name,
            outcome: workspace.save_request(&folder, &saved),
        });
    }

    /// Writes a device in the background (or, for a demo device, keeps it
    /// in memory); the outcome arrives as [`Msg::DeviceStored`].
    fn store_device(&mut self, mut stored: StoredDevice) {
        let old_name = stored
            .original
            .clone()
            .unwrap_or(stored.device.name.clone());
        if self.tree.transient.contains(&old_name) {
            self.tree.transient.remove(&old_name);
            self.tree.devices.retain(|d| d.name != old_name);
            self.tree.put_transient(stored.device.clone());
            self.device_stored(stored);
            return;
        }
        let exists = self.tree.find(&old_name).is_some();
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || {
            stored.outcome = check_ca(&stored.device).and_then(|()| {
                if exists {
                    workspace.update_device(&old_name, stored.device.clone())
                } else {
                    workspace.add_device(stored.device.clone())
                }
            });
            Msg::DeviceStored(Box::new(stored))
        });
    }

    fn device_stored(&mut self, stored: StoredDevice) {
        let StoredDevice {
            original,
            device,
            outcome,
            password,
            remember,
            from_editor,
            resend,
        } = stored;
        if let Err(failure) = outcome {
            match (&mut self.dialogs.editor, from_editor) {
                (Some(editor), true) => editor.error = Some(failure),
                _ => {
                    self.notice = Some(format!(
                        "Could not save {}: {}",
                        device.name, failure.message
                    ))
                }
            }
            return;
        }
        let name = device.name.clone();
        let old_name = original.unwrap_or(name.clone());
        let transient = self.tree.transient.contains(&name);
        // A typed password follows a rename, never a move to another address.
        let moved = self
            .tree
            .find(&old_name)
            .is_none_or(|previous| device_origin(previous) != device_origin(&device));
        // A renamed device keeps its keyring password; one moved to another
        // address does not (it is bound to the old one).
        if !transient
            && old_name != name
            && let Some(previous) = self.tree.find(&old_name)
        {
            let key = self.keyring_key(previous, None);
            self.engine.keyring(KeyringOp::Rename {
                key,
                new_name: name.clone(),
            });
        }
        if !transient {
            self.tree.devices.retain(|d| d.name != old_name);
            self.tree.devices.push(device.clone());
            self.watch();
            self.scan();
        }
        if let Some(p) = self.passwords.remove(&old_name).filter(|_| !moved) {
            self.passwords.insert(name.clone(), p);
        }
        if let Some(password) = password {
            if remember && !transient {
                let key = self.keyring_key(&device, None);
                self.engine.keyring(KeyringOp::Store {
                    key,
                    password: password.clone(),
                });
            }
            self.passwords.insert(name.clone(), password);
        }
        for tab in &mut self.tabs.list {
            if tab.device.as_deref() == Some(old_name.as_str()) {
                tab.device = Some(name.clone());
            }
        }
        if from_editor {
            self.dialogs.editor = None;
            self.tabs.active_mut().device = Some(name.clone());
            self.notice = Some(format!("Saved device {name}"));
        }
        if resend {
            self.tabs.active_mut().device = Some(name.clone());
            self.send();
            let scope = if transient {
                "for this run (demo device)"
            } else {
                "in the workspace"
            };
            if let Trust::Pin { sha256 } = &device.trust {
                self.notice = Some(format!("Pinned {sha256} {scope}; sent again."));
            }
        }
    }

    fn save_editor(&mut self) {
        let Some(editor) = &mut self.dialogs.editor else {
            return;
        };
        match editor.device() {
            Ok(device) => {
                let stored = StoredDevice {
                    original: editor.original.clone(),
                    device,
                    outcome: Ok(()),
                    password: Some(editor.password.clone())
                        .filter(|p| !p.is_empty())
                        .map(Secret::new),
                    remember: editor.remember,
                    from_editor: true,
                    resend: false,
                };
                self.store_device(stored);
            }
            Err(failure) => editor.error = Some(failure),
        }
    }

    fn duplicate_device(&mut self, name: &str) {
        let Some(mut copy) = self.tree.find(name).cloned() else {
            return;
        };
        let mut n = 2;
        while self.tree.find(&format!("{name} ({n})")).is_some() {
            n += 1;
        }
        copy.name = format!("{name} ({n})");
        self.notice = Some(format!("Duplicated as {}", copy.name));
        self.store_device(StoredDevice {
            original: None,
            device: copy,
            outcome: Ok(()),
            password: None,
            remember: false,
            from_editor: false,
            resend: false,
        });
    }

    fn delete_device(&mut self, name: &str) {
        self.dialogs.confirm_delete = None;
        if self.tree.transient.remove(name) {
            self.tree.devices.retain(|d| d.name != name);
            self.forget_device(name);
            return;
        }
        let workspace = self.workspace.clone();
        let name = name.to_string();
        self.inbox.outbox().spawn(move || Msg::DeviceDeleted {
            outcome: workspace.remove_device(&name),
            name,
        });
    }

    fn forget_device(&mut self, name: &str) {
        self.tree.devices.retain(|d| d.name != name);
        self.passwords.remove(name);
        for tab in &mut self.tabs.list {
            if tab.device.as_deref() == Some(name) {
                tab.device = None;
            }
        }
        self.notice = Some(format!("Deleted {name}"));
    }

    /// Pins the presented leaf certificate for the device the active tab's
    /// request went to, and sends again once stored.
    fn trust_presented_certificate(&mut self) {
        let v = view(&self.tree, &self.passwords, &self.workspace);
        let response = &self.tabs.active().response;
        let Some(sha256) = response
            .handshake
            .as_ref()
            .and_then(|h| h.chain.first())
            .map(|leaf| leaf.sha256.clone())
        else {
            return;
        };
        let Some(mut device) = super::certificate_view::trust_target(response, &v).cloned() else {
            return;
        };
        device.trust = Trust::Pin { sha256 };
        self.store_device(StoredDevice {
            original: None,
            device,
            outcome: Ok(()),
            password: None,
            remember: false,
            from_editor: false,
            resend: true,
        });
    }

    fn run_folder(&mut self, folder: &str) {
        self.stop_run();
        let v = view(&self.tree, &self.passwords, &self.workspace);
        self.dialogs.runs = Some(super::run_window::RunWindow::new(folder, &v));
        self.rerun(false);
    }

    /// Sends the active tab's request to every device of `folder`, at most
    /// the concurrency setting at a time.
    fn fan_out(&mut self, folder: &str) {
        self.stop_run();
        let v = view(&self.tree, &self.passwords, &self.workspace);
        let draft = &self.tabs.active().draft;
        let entry = crate::core::workspace::collections::SavedEntry {
            folder: String::new(),
            path: draft.saved_path.clone().unwrap_or_default(),
            request: draft.to_saved(None),
        };
        self.dialogs.runs = Some(super::run_window::RunWindow::fan_out(
            folder,
            vec![entry],
            &v,
        ));
        self.rerun(false);
    }

    /// Runs every saved request under `collection` on every device of the
    /// device-tree folder `devices`.
    fn fan_out_collection(&mut self, devices: &str, collection: &str) {
        self.stop_run();
        let v = view(&self.tree, &self.passwords, &self.workspace);
        let entries = v
            .collections
            .requests
            .iter()
            .filter(|e| e.folder == collection || e.folder.starts_with(&format!("{collection}/")))
            .cloned()
            .collect();
        self.dialogs.runs = Some(super::run_window::RunWindow::fan_out(devices, entries, &v));
        self.rerun(false);
    }

    /// Sends the run's requests (all, or only those that failed) to the
    /// device chosen in its window, else each request's own, else the
    /// active tab's.
    fn rerun(&mut self, only_failed: bool) {
        let v = view(&self.tree, &self.passwords, &self.workspace);
        let selected = self.tabs.active().device.as_deref();
        let Some(run) = &mut self.dialogs.runs else {
            return;
        };
        let which: Vec<usize> = if only_failed {
            run.failed_rows()
        } else {
            (0..run.rows.len()).collect()
        };
        let jobs = run.plan(
            &which,
            &v,
            selected,
            self.settings.timeout(),
            self.settings.body_sink(),
        );
        if !run.fan_out {
            for (job, rows_of_job) in jobs {
                run.assign(self.engine.run(job), rows_of_job);
            }
            return;
        }
        // A fan-out: each device's jobs in turn (planned by session key,
        // so a device's jobs are adjacent), the devices through the
        // engine's bounded scheduler.
        let mut by_device: Vec<Vec<Job>> = Vec::new();
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut last = None;
        for (job, rows_of_job) in jobs {
            let device = rows_of_job
                .first()
                .and_then(|&r| run.rows[r].device.clone());
            if last.as_ref() != Some(&device) {
                by_device.push(Vec::new());
                last = Some(device);
            }
            if let Some(jobs) = by_device.last_mut() {
                jobs.push(job);
            }
            rows.push(rows_of_job);
        }
        let ids = self.engine.fan_out(by_device, self.settings.concurrency());
        for (id, rows_of_job) in ids.into_iter().flatten().zip(rows) {
            run.assign(id, rows_of_job);
        }
    }

    /// Writes the run window's rows, as shown, to its typed file (off the
    /// UI thread, atomically).
    fn export_run(&mut self, csv: bool) {
        let v = view(&self.tree, &self.passwords, &self.workspace);
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

    fn stop_run(&mut self) {
        if let Some(run) = &self.dialogs.runs {
            self.engine.cancel_all(run.running_jobs());
        }
    }

    /// Opens a run row's saved request in a new tab, with the row's
    /// response (or why it was not sent) and exchanges.
    fn open_run_row(&mut self, index: usize) {
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
    fn open_history(&mut self, entry: &crate::core::history::HistoryEntry, new_tab: bool) {
        let (draft, result) = super::history_panel::reopen(entry);
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
            super::tabs::RequestTab::Headers
        } else {
            super::tabs::RequestTab::Body
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

    fn import_postman(&mut self) {
        let Some(dialog) = &self.dialogs.import else {
            return;
        };
        let path = PathBuf::from(dialog.file.path.trim());
        let folder = dialog.folder.trim().to_string();
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || {
            let into = Some(folder.as_str()).filter(|f| !f.is_empty());
            match crate::core::interop::import_postman_file(&workspace, &path, into) {
                Ok(outcome) => Msg::Imported {
                    report: outcome.summary(),
                    secrets: outcome.import.secrets,
                },
                Err(f) => Msg::Imported {
                    report: format!("{}\n{}", f.message, f.hint),
                    secrets: Vec::new(),
                },
            }
        });
    }

    /// Writes the export dialog's folder out in the background.
    fn export_collection(&mut self) {
        let Some(dialog) = &self.dialogs.export else {
            return;
        };
        let job = dialog.job();
        let devices = self.tree.devices.clone();
        let fallback = self.selected_device().cloned();
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || {
            let collections = workspace.collections();
            Msg::Exported(super::export_dialog::export(
                &collections,
                &job,
                &devices,
                fallback.as_ref(),
            ))
        });
    }

    /// Stores a password found in an imported file in a device's keyring
    /// entry, bound to the file's user where it names one.
    fn store_found_password(&mut self, index: usize) {
        let Some(dialog) = &mut self.dialogs.import else {
            return;
        };
        let Some(offer) = dialog.passwords.get_mut(index) else {
            return;
        };
        let Some(device) = self.tree.devices.iter().find(|d| d.name == offer.device) else {
            return;
        };
        let key = KeyringKey::new(self.workspace.dir(), device, offer.found.user.as_deref());
        offer.pending = Some(self.engine.keyring(KeyringOp::Store {
            key,
            password: offer.found.secret.clone(),
        }));
    }

    /// The settings to persist: the open tabs' drafts, never a secret.
    pub fn settings_to_save(&self) -> Settings {
        let mut s = self.settings.clone();
        s.tabs = self.tabs.to_saved();
        s
    }
}

/// A CA file named by a device must hold certificates (read in the
/// background, never in a frame).
fn check_ca(device: &Device) -> Result<(), Failure> {
    match &device.trust {
        Trust::Ca { file } => crate::engine::tls::load_pem_certs(file).map(|_| ()),
        _ => Ok(()),
    }
}

/// The window's first frame: drawn by the UI pass, then presented (painted
/// and its buffers swapped).
#[derive(Clone, Copy, PartialEq, Eq)]
enum FirstFrame {
    Pending,
    Drawn,
    Presented,
}

impl eframe::App for ApxApp {
    fn raw_input_hook(&mut self, _ctx: &egui::Context, _raw_input: &mut egui::RawInput) {
        // eframe begins a frame only after swapping the previous one's buffers.
        if self.first_frame == FirstFrame::Drawn {
            self.first_frame = FirstFrame::Presented;
            tracing::info!("first frame presented");
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
        if self.first_frame == FirstFrame::Pending {
            self.first_frame = FirstFrame::Drawn;
            // The next frame, which reports this one presented, follows at once.
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.settings_to_save());
    }
}
