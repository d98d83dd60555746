//! The app's one inbox: every background result (engine events, rendered
//! and highlighted bodies, find hits, file picks, workspace scans, history, imports, saved
//! files) arrives as one [`Msg`] on one channel, drained once a frame. The
//! sender wakes the window.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, mpsc};

use super::body_text::{Filtered, Rendered};
use super::tabs::TabId;
use crate::core::error::Failure;
use crate::core::history::HistoryLoad;
use crate::core::interop::FoundSecret;
use crate::core::secret::Secret;
use crate::core::workspace::Device;
use crate::core::workspace::collections::Collections;
use crate::engine::{Event, JobId};

/// Where a picked file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickTarget {
    /// The Postman import dialog's collection file.
    ImportFile,
    /// The device editor's CA file.
    CaFile,
    /// The device editor's client certificate and key (PEM).
    ClientCert,
    ClientKey,
    /// Where a tab's response body is saved (saved at once).
    SaveBody(TabId),
    /// The folder File > Open workspace opens.
    Workspace,
    /// The file File > Export collection writes.
    ExportFile,
    /// The folder an Ansible export is written into.
    ExportFolder,
    /// The file a run window's table is exported to.
    RunExport,
}

/// A device written to (or refused by) the workspace.
pub struct StoredDevice {
    pub original: Option<String>,
    pub device: Device,
    pub outcome: Result<(), Failure>,
    /// A password typed in the editor: kept for the session, and stored in
    /// the keyring when asked.
    pub password: Option<Secret>,
    pub remember: bool,
    /// Proxy credentials typed in the editor, for the OS keyring under the
    /// proxy's `scheme://host:port`.
    pub proxy_credentials: Option<(String, crate::core::reach::ProxyCredentials)>,
    /// Whether the editor asked (a failure goes back to its form).
    pub from_editor: bool,
    /// Send the active tab again once stored (a pin just added).
    pub resend: bool,
}

/// One background result.
pub enum Msg {
    Engine(Event),
    Rendered {
        tab: TabId,
        job: JobId,
        rendered: Rendered,
    },
    Found {
        tab: TabId,
        generation: u64,
        hits: Vec<usize>,
    },
    /// A jq filter's results on a tab's body.
    Filtered {
        tab: TabId,
        generation: u64,
        filtered: Filtered,
    },
    Picked {
        target: PickTarget,
        path: Option<PathBuf>,
    },
    /// A notice for the status bar (a body saved, history cleared, …).
    Notice(String),
    /// The workspace changed on disk (the file-system notifier).
    WorkspaceChanged,
    Scanned {
        /// The workspace scanned (another may have been opened since).
        dir: PathBuf,
        devices: Result<Vec<Device>, Failure>,
        collections: Collections,
    },
    History(HistoryLoad),
    /// A history entry was written or the history cleared.
    HistoryChanged,
    DeviceStored(Box<StoredDevice>),
    DeviceDeleted {
        name: String,
        outcome: Result<Device, Failure>,
    },
    RequestSaved {
        tab: TabId,
        name: String,
        outcome: Result<PathBuf, Failure>,
    },
    Imported {
        report: String,
        secrets: Vec<FoundSecret>,
    },
    /// What File > Export collection wrote.
    Exported(Result<String, Failure>),
    /// What a run window's table export wrote.
    RunExported(Result<String, Failure>),
    /// A folder to open as the workspace, checked.
    /// With its watcher (set up off the UI thread: it walks the folder).
    WorkspaceChecked {
        dir: PathBuf,
        outcome: Result<Option<notify::RecommendedWatcher>, Failure>,
    },
    /// A catalog read from the workspace for the browser.
    CatalogLoaded {
        key: crate::core::workspace::catalogs::CatalogKey,
        outcome: Result<crate::core::catalog::Catalog, Failure>,
    },
    /// The demo appliances, started (`--demo`).
    DemoStarted(Result<Vec<crate::demo::Appliance>, String>),
    /// Rows of a body highlighted by the highlighting worker.
    Highlighted(super::highlight::Highlighted),
    /// A spec fetched from a device, stored: how many operations, and the
    /// catalog now.
    CatalogFetched {
        key: crate::core::workspace::catalogs::CatalogKey,
        outcome: Result<
            (
                crate::engine::spec_fetch::Stored,
                crate::core::catalog::Catalog,
            ),
            Failure,
        >,
    },
    /// A change to the saved-requests tree was made (or refused).
    TreeChanged(Result<super::tree_ops::Changed, Failure>),
    /// Two responses compared for the diff window.
    Diffed(super::diff_view::Diffed),
}

/// The sending side, cloned into every worker: sending wakes the window.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Msg>,
    ctx: Arc<OnceLock<egui::Context>>,
    /// Background jobs started and not yet reported.
    in_flight: Arc<AtomicUsize>,
}

impl Outbox {
    pub fn send(&self, msg: Msg) {
        let _ = self.tx.send(msg);
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }

    /// Runs `work` on a worker thread; its message arrives in the inbox. A
    /// thread that cannot start reports a notice instead.
    pub fn spawn(&self, work: impl FnOnce() -> Msg + Send + 'static) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let outbox = self.clone();
        let started = std::thread::Builder::new().spawn(move || {
            let msg = work();
            // Sent before it stops counting: a test that waits until
            // nothing is in flight then finds the message in the inbox.
            outbox.send(msg);
            outbox.in_flight.fetch_sub(1, Ordering::SeqCst);
        });
        if let Err(e) = started {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            self.send(Msg::Notice(format!("cannot start a worker thread: {e}")));
        }
    }
}

/// The receiving side, owned by the app.
pub struct Inbox {
    rx: mpsc::Receiver<Msg>,
    outbox: Outbox,
}

impl Inbox {
    pub fn new() -> Inbox {
        let (tx, rx) = mpsc::channel();
        let outbox = Outbox {
            tx,
            ctx: Arc::new(OnceLock::new()),
            in_flight: Arc::new(AtomicUsize::new(0)),
        };
        Inbox { rx, outbox }
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Lets senders wake the window (known once it draws).
    pub fn attach(&self, ctx: &egui::Context) {
        let _ = self.outbox.ctx.set(ctx.clone());
    }

    /// Everything that arrived since the last frame.
    pub fn drain(&self) -> Vec<Msg> {
        self.rx.try_iter().collect()
    }

    /// Whether background jobs are under way or have unread results.
    pub fn busy(&self) -> bool {
        self.outbox.in_flight.load(Ordering::SeqCst) > 0
    }
}

/// Shows a file dialog on a worker thread (never blocking a frame; with no
/// desktop portal, rfd answers at once, exactly like a cancel).
pub fn pick(outbox: &Outbox, target: PickTarget, save: bool) {
    outbox.spawn(move || {
        let dialog = rfd::FileDialog::new();
        let path = if matches!(target, PickTarget::Workspace | PickTarget::ExportFolder) {
            dialog.pick_folder()
        } else if save {
            dialog.save_file()
        } else {
            dialog.pick_file()
        };
        Msg::Picked { target, path }
    });
}

/// Watches the workspace with the OS notifier, without following links;
/// every change (but the history's own appends) becomes
/// [`Msg::WorkspaceChanged`].
pub fn watch(dir: &std::path::Path, outbox: &Outbox) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let outbox = outbox.clone();
    let history = crate::core::history::HISTORY_FILE;
    let handler = move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        // The history's own appends (and its lock and temporary files).
        let history_only = !event.paths.is_empty()
            && event.paths.iter().all(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(history))
            });
        if !event.kind.is_access() && !history_only {
            outbox.send(Msg::WorkspaceChanged);
        }
    };
    // A workspace may come from a git clone: a link in it to `/` must not
    // make the notifier watch the whole disk (apx never follows links there).
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut watcher = notify::RecommendedWatcher::new(handler, config)
        .map_err(|e| tracing::warn!("no workspace watcher: {e}"))
        .ok()?;
    match watcher.watch(dir, notify::RecursiveMode::Recursive) {
        Ok(()) => Some(watcher),
        Err(e) => {
            tracing::info!("workspace not watched yet ({}): {e}", dir.display());
            None
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// Waits up to `limit` for a `WorkspaceChanged` in `inbox`.
    fn changed_within(inbox: &Inbox, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if inbox
                .drain()
                .iter()
                .any(|m| matches!(m, Msg::WorkspaceChanged))
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn the_notifier_sees_the_workspace_but_not_through_its_links() {
        let workspace = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), workspace.path().join("ext")).unwrap();
        let inbox = Inbox::new();
        let _watcher = watch(workspace.path(), inbox.outbox()).expect("a watcher");
        std::fs::write(outside.path().join("elsewhere.json"), "{}").unwrap();
        assert!(
            !changed_within(&inbox, Duration::from_millis(700)),
            "a change behind a link reached the app"
        );
        std::fs::write(workspace.path().join("here.json"), "{}").unwrap();
        assert!(
            changed_within(&inbox, Duration::from_secs(10)),
            "a change in the workspace was not seen"
        );
    }
}
