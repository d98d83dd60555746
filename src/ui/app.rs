//! The app: its state, one area per struct (the workspace's devices, the
//! left panel, the open tabs, the dialogs, the settings), the one inbox
//! drained once a frame, and [`ApxApp::apply`], the only place where an
//! action changes more than a panel's own state. Its handlers are split by
//! what they handle: actions and commands (`apply`), the inbox (`receive`),
//! sending (`sending`), devices, runs, diffs, and files.

mod apply;
mod catalogs;
mod devices;
mod diffs;
mod files;
mod receive;
mod runs;
mod sending;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::actions::{Action, View};
use super::commands::Command;
use super::device_tree::DeviceTree;
use super::dialogs::Dialogs;
use super::inbox::{Inbox, Msg};
use super::settings::{STORAGE_KEY, Settings};
use super::side_panel::SideState;
use super::tabs::{Tabs, tab_strip};
use crate::core::error::Failure;
use crate::core::secret::Secret;
use crate::core::workspace::{Device, Workspace};
use crate::demo::Appliance;
use crate::engine::keyring::KeyringKey;
use crate::engine::{Engine, EventSink};

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
    /// Passphrases of encrypted client keys typed for this run, by key file.
    pub key_passphrases: HashMap<std::path::PathBuf, Secret>,
    /// FMC: the domains the last login to each device listed, by device name
    /// (the device editor offers them).
    pub known_domains: HashMap<String, Vec<String>>,
    pub notice: Option<String>,
    /// The sessions the engine keeps open, by device (or origin).
    pub open_sessions: Vec<String>,
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
    session_idle: Option<Duration>,
) -> View<'a> {
    View {
        devices: &tree.devices,
        transient: &tree.transient,
        passwords,
        workspace: workspace.dir(),
        collections: &tree.collections,
        problem: tree.problem.as_ref(),
        session_idle,
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
            key_passphrases: HashMap::new(),
            known_domains: HashMap::new(),
            notice: None,
            open_sessions: Vec::new(),
            demo: Vec::new(),
            highlighter: super::highlight::RowHighlighter::new(inbox.outbox().clone()),
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

    /// Starts the demo appliances on the engine's runtime, off the UI
    /// thread (on the ports the README names, else on free ones); they
    /// arrive as [`Msg::DemoStarted`].
    fn start_demo(&mut self) {
        let handle = self.engine.handle().clone();
        self.inbox.outbox().spawn(move || {
            let started = handle
                .block_on(crate::demo::start_all(Some(crate::demo::DEMO_PORTS)))
                .or_else(|_| handle.block_on(crate::demo::start_all(None)));
            Msg::DemoStarted(started.map_err(|e| e.to_string()))
        });
    }

    /// Adds an in-memory device for each demo appliance started, and gives
    /// a tab without a device the first one.
    pub(super) fn demo_started(&mut self, started: Result<Vec<Appliance>, String>) {
        let appliances = match started {
            Ok(appliances) => appliances,
            Err(e) => {
                self.notice = Some(format!("Demo appliances could not start: {e}"));
                return;
            }
        };
        for a in &appliances {
            // Their certificates are new at every start: a pin must not
            // outlive the run.
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
        if self.tree.loaded {
            self.restore_devices();
        }
    }

    /// Closes the window on Ctrl+C in its terminal, so that kept sessions
    /// are logged out as on any other exit; a second Ctrl+C stops at once.
    pub fn close_on_interrupt(&self, ctx: &egui::Context) {
        let ctx = ctx.clone();
        self.engine.handle().spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("interrupted: closing the window");
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx.request_repaint();
            }
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
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
        view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        )
    }

    /// The device of the active tab.
    pub fn selected_device(&self) -> Option<&Device> {
        self.tree.find(self.tabs.active().device.as_deref()?)
    }

    /// The active tab's draft as a curl command line.
    pub fn curl_command(&self) -> Result<String, Failure> {
        let view = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
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
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        actions.extend(super::menus::menu_bar(ui, &mut self.settings, &v));
        super::menus::status_bar(ui, self.notice.as_deref(), &self.open_sessions);
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

    /// Watches the workspace, if it is not watched yet (it may not have
    /// existed before the first device was saved).
    fn watch(&mut self) {
        if self.watcher.is_none() {
            self.watcher = super::inbox::watch(self.workspace.dir(), self.inbox.outbox());
        }
    }

    /// The settings to persist: the open tabs' drafts, never a secret.
    pub fn settings_to_save(&self) -> Settings {
        let mut s = self.settings.clone();
        s.tabs = self.tabs.to_saved();
        s
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

impl Drop for ApxApp {
    /// Kept sessions are logged out before the demo appliances (which may
    /// be their devices) stop.
    fn drop(&mut self) {
        self.engine
            .close_sessions_within(crate::engine::LOGOUT_ON_EXIT);
    }
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
