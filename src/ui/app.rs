//! The app's state, the bridge to the engine (commands out, events drained
//! once per frame) and the top-level layout.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

use super::body_text::{Rendered, render_in_background};
use super::draft::Draft;
use super::settings::{STORAGE_KEY, Settings};
use crate::core::error::Failure;
use crate::core::secret::Secret;
use crate::core::workspace::{Device, Workspace};
use crate::demo::Appliance;
use crate::engine::session::ExchangeRecord;
use crate::engine::tls::Handshake;
use crate::engine::{Engine, Event, EventSink, JobId, RequestResult};

/// A request under way.
#[derive(Debug, Clone)]
pub struct Running {
    pub job: JobId,
    pub started: Instant,
    pub status: Option<u16>,
    pub received: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseTab {
    #[default]
    Body,
    Headers,
    Certificate,
    Timeline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestTab {
    Params,
    Headers,
    #[default]
    Auth,
    Body,
}

/// The response side: what is running, what came back, and how it is shown.
#[derive(Default)]
pub struct ResponseState {
    /// The device the shown request was sent to (what "trust" pins for).
    pub device: Option<String>,
    pub running: Option<Running>,
    pub result: Option<RequestResult>,
    /// An input error found before anything was sent.
    pub input_error: Option<Failure>,
    pub rendered: Option<Rendered>,
    pub(super) pending: Option<mpsc::Receiver<Rendered>>,
    pub timeline: Vec<ExchangeRecord>,
    pub handshake: Option<Handshake>,
    pub tab: ResponseTab,
    pub raw: bool,
    pub show_error_body: bool,
    pub find: String,
    pub find_open: bool,
    pub find_hits: Vec<usize>,
    pub find_index: usize,
    /// A row to bring into view on the next frame.
    pub scroll_to: Option<usize>,
    pub(super) find_pending: Option<mpsc::Receiver<Vec<usize>>>,
    /// Set to stop the search under way when a newer one starts.
    pub(super) find_cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// Whether the body shown at the last frame was JSON with every row on
    /// screen highlighted (false for raw or non-JSON text, never highlighted).
    pub highlighted: bool,
    pub save_path: String,
    pub save_pick: Option<mpsc::Receiver<Option<PathBuf>>>,
    pub(super) save_pending: Option<mpsc::Receiver<String>>,
}

/// Which list the left panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SideTab {
    #[default]
    Devices,
    History,
}

pub struct ApxApp {
    pub workspace: Workspace,
    pub devices: Vec<Device>,
    /// Devices that live only in memory (the demo appliances).
    pub transient: BTreeSet<String>,
    pub workspace_problem: Option<Failure>,
    pub selected: Option<String>,
    pub draft: Draft,
    pub response: ResponseState,
    /// Passwords typed (or demo ones) for this run only, by device name.
    pub passwords: HashMap<String, Secret>,
    pub settings: Settings,
    pub filter: String,
    pub side_tab: SideTab,
    pub request_tab: RequestTab,
    pub editor: Option<super::device_editor::DeviceEditor>,
    pub confirm_delete: Option<String>,
    pub notice: Option<String>,
    pub focus_url: bool,
    /// The Auth tab's password field (session only, never persisted).
    pub password_input: String,
    pub collections: crate::core::workspace::collections::Collections,
    pub(super) collections_stamp: Option<(u64, std::time::Instant)>,
    pub save_dialog: Option<super::save_dialog::SaveDialog>,
    pub runs: Option<super::run_window::RunWindow>,
    pub import: Option<super::menus::ImportDialog>,
    pub history: Option<crate::core::history::HistoryLoad>,
    pub timeout: Duration,
    /// The request body editor's last highlighted text.
    pub(super) body_highlight: Option<(String, super::highlight::Look, egui::text::LayoutJob)>,
    pub(super) engine: Engine,
    pub(super) highlighter: super::highlight::RowHighlighter,
    events: mpsc::Receiver<Event>,
    ctx_cell: Arc<OnceLock<egui::Context>>,
    pub demo: Vec<Appliance>,
    /// How far the window's first frame has got (`apx -v` logs it; the
    /// start-up benchmark waits for it).
    first_frame: FirstFrame,
}

impl ApxApp {
    /// Opens the workspace and starts the engine (and, for `--demo`, the
    /// simulated appliances).
    pub fn new(workspace_dir: PathBuf, settings: Settings, demo: bool) -> Result<ApxApp, String> {
        let ctx_cell: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let wake_cell = ctx_cell.clone();
        let (tx, events) = mpsc::channel();
        let wake = Arc::new(move || {
            if let Some(ctx) = wake_cell.get() {
                ctx.request_repaint();
            }
        });
        let engine = Engine::start(EventSink::new(tx, wake))
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        super::highlight::warm_up();
        let mut app = ApxApp {
            workspace: Workspace::new(workspace_dir),
            devices: Vec::new(),
            transient: BTreeSet::new(),
            workspace_problem: None,
            selected: None,
            draft: Draft::default(),
            response: ResponseState::default(),
            passwords: HashMap::new(),
            settings,
            filter: String::new(),
            side_tab: SideTab::Devices,
            request_tab: RequestTab::default(),
            editor: None,
            confirm_delete: None,
            notice: None,
            focus_url: false,
            password_input: String::new(),
            collections: Default::default(),
            collections_stamp: None,
            save_dialog: None,
            runs: None,
            import: None,
            history: None,
            timeout: Duration::from_secs(30),
            body_highlight: None,
            engine,
            highlighter: Default::default(),
            events,
            ctx_cell,
            demo: Vec::new(),
            first_frame: FirstFrame::Pending,
        };
        app.reload_devices();
        if demo {
            app.start_demo();
        }
        app.restore_last();
        Ok(app)
    }

    fn restore_last(&mut self) {
        let last = self.settings.last_device.clone();
        if let Some(name) = last.filter(|n| self.devices.iter().any(|d| &d.name == n)) {
            self.selected = Some(name);
        } else if self.selected.is_none() {
            self.selected = self.devices.first().map(|d| d.name.clone());
        }
        if let Some(method) = self.settings.last_method.clone() {
            self.draft.method = method;
        }
        if let Some(url) = self.settings.last_url.clone() {
            self.draft.url = url;
        }
        if self.draft.url.is_empty() {
            let platform = self.selected_device().map(|d| d.platform);
            let first = platform.and_then(|p| crate::core::platform::catalog::endpoints(p).first());
            if let Some(endpoint) = first {
                self.draft.use_endpoint(endpoint);
            }
        }
    }

    /// Re-reads `devices.json`; a corrupt file is shown, never overwritten.
    pub fn reload_devices(&mut self) {
        let transient: Vec<Device> = self
            .devices
            .iter()
            .filter(|d| self.transient.contains(&d.name))
            .cloned()
            .collect();
        match self.workspace.load_devices() {
            Ok(devices) => {
                self.devices = devices;
                self.workspace_problem = None;
            }
            Err(problem) => {
                self.devices.retain(|d| !self.transient.contains(&d.name));
                self.workspace_problem = Some(problem);
            }
        }
        for device in transient {
            self.put_transient(device);
        }
    }

    fn put_transient(&mut self, device: Device) {
        self.devices.retain(|d| d.name != device.name);
        self.transient.insert(device.name.clone());
        self.devices.push(device);
    }

    /// Starts the demo appliances on the engine's runtime and makes sure a
    /// "Demo" device points at each.
    fn start_demo(&mut self) {
        let handle = self.engine.handle().clone();
        let started = handle
            .block_on(crate::demo::start_all(Some(crate::demo::DEMO_PORTS)))
            .or_else(|_| handle.block_on(crate::demo::start_all(None)));
        match started {
            Ok(appliances) => {
                for a in &appliances {
                    // Demo devices live in memory: their certificates are new
                    // at every start, so a pin must not outlive the run.
                    let existing = self.devices.iter().find(|d| d.name == a.name);
                    let variables = existing.map(|d| d.variables.clone()).unwrap_or_default();
                    self.put_transient(Device {
                        name: a.name.clone(),
                        folder: "Demo".into(),
                        platform: a.platform,
                        base_url: a.url.clone(),
                        username: Some(a.username.clone()),
                        trust: Default::default(),
                        variables,
                        allow_http: false,
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

    pub fn selected_device(&self) -> Option<&Device> {
        let name = self.selected.as_ref()?;
        self.devices.iter().find(|d| &d.name == name)
    }

    pub fn is_running(&self) -> bool {
        self.response.running.is_some()
    }

    /// Drains engine events; called once per frame.
    pub fn drain_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.apply(event);
        }
        let r = &mut self.response;
        if let Some(rendered) = r.pending.as_ref().and_then(|rx| rx.try_recv().ok()) {
            r.rendered = Some(rendered);
            r.pending = None;
            self.refresh_find();
        }
        let r = &mut self.response;
        if let Some(hits) = r.find_pending.as_ref().and_then(|rx| rx.try_recv().ok()) {
            r.scroll_to = hits.first().copied();
            r.find_hits = hits;
            r.find_index = 0;
            r.find_pending = None;
        }
        if let Some(outcome) = r.save_pending.as_ref().and_then(|rx| rx.try_recv().ok()) {
            r.save_pending = None;
            self.notice = Some(outcome);
        }
    }

    /// A callback for worker threads: repaints the window when their result
    /// is ready.
    pub(super) fn waker(&self) -> impl Fn() + Send + 'static {
        let cell = self.ctx_cell.clone();
        move || {
            if let Some(ctx) = cell.get() {
                ctx.request_repaint();
            }
        }
    }

    fn apply(&mut self, event: Event) {
        let current = self.response.running.as_ref().map(|r| r.job);
        if let Event::Keyring { id, outcome } = event {
            self.keyring_done(id, outcome);
            return;
        }
        let job = match &event {
            Event::Keyring { id, .. } => *id,
            Event::Started { job, .. }
            | Event::Tls { job, .. }
            | Event::Head { job, .. }
            | Event::Progress { job, .. }
            | Event::Exchange { job, .. }
            | Event::Finished { job, .. }
            | Event::JobDone { job } => *job,
        };
        if let (Event::Finished { index, result, .. }, Some(runs)) = (&event, &mut self.runs)
            && let Some(device) = runs.record(job, *index, (**result).clone())
        {
            let result = (**result).clone();
            self.record_history(&result, device.as_deref());
            return;
        }
        if current != Some(job) {
            return;
        }
        match event {
            Event::Started { .. } => {}
            Event::Tls { handshake, .. } => self.response.handshake = Some(handshake),
            Event::Head { status, .. } => {
                if let Some(r) = &mut self.response.running {
                    r.status = Some(status);
                }
            }
            Event::Progress {
                received, total, ..
            } => {
                if let Some(r) = &mut self.response.running {
                    r.received = received;
                    r.total = total;
                }
            }
            Event::Exchange { record, .. } => self.response.timeline.push(record),
            Event::Finished { result, .. } => self.finish(*result),
            Event::JobDone { .. } => self.response.running = None,
            Event::Keyring { .. } => {}
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

    /// The keyring key of a workspace device, for `user` (default: its own).
    pub fn keyring_key(
        &self,
        device: &Device,
        user: Option<&str>,
    ) -> crate::engine::keyring::KeyringKey {
        crate::engine::keyring::KeyringKey::new(self.workspace.dir(), device, user)
    }

    fn finish(&mut self, result: RequestResult) {
        self.response.pending = Some(render_in_background(&result.body, self.waker()));
        if result.handshake.is_some() {
            self.response.handshake = result.handshake.clone();
        }
        let tls_failed = result
            .error
            .as_ref()
            .is_some_and(|e| e.kind == crate::core::error::FailureKind::Tls);
        self.response.tab = if tls_failed {
            ResponseTab::Certificate
        } else {
            ResponseTab::Body
        };
        let device = self.response.device.clone();
        self.record_history(&result, device.as_deref());
        self.response.result = Some(result);
    }

    /// Appends to the history on a worker thread (the file is re-read when
    /// it is compacted); a failure is logged, never shown as a request error.
    fn record_history(&mut self, result: &RequestResult, device: Option<&str>) {
        let entry = crate::engine::history_record::entry(result, device);
        let dir = self.workspace.dir().to_path_buf();
        std::thread::spawn(move || {
            if let Err(e) = crate::core::history::append(&dir, &entry) {
                tracing::warn!("history not written: {}", e.message);
            }
        });
        self.history = None;
    }

    /// Draws the whole app into `ui` (also what the kittest tests drive).
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let _frame = crate::engine::ui_thread::FrameGuard::enter();
        let _ = self.ctx_cell.set(ui.ctx().clone());
        ui.ctx().set_theme(self.settings.theme.preference());
        self.drain_events();
        self.shortcuts(ui.ctx());
        self.menu_bar(ui);
        self.status_bar(ui);
        egui::Panel::left("devices")
            .resizable(true)
            .default_size(270.0)
            .min_size(200.0)
            .show(ui, |ui| self.side_panel(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            self.request_panel(ui);
            ui.separator();
            self.response_panel(ui);
        });
        self.device_editor_window(ui.ctx());
        self.delete_confirmation(ui.ctx());
        self.run_window(ui.ctx());
        self.import_window(ui.ctx());
        if self.is_running() || self.runs.as_ref().is_some_and(|r| !r.done()) {
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
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
