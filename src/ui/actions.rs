//! What panels ask for. A panel changes only its own state and returns
//! actions; [`super::app::ApxApp::apply`] carries out the rest.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::commands::Command;
use super::inbox::PickTarget;
use crate::core::history::HistoryEntry;
use crate::core::platform::{AuthMode, Platform};
use crate::core::secret::Secret;
use crate::core::workspace::Device;
use crate::core::workspace::collections::{Collections, SavedEntry};

/// The devices a fan-out goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Fleet {
    /// A device-tree folder and its subfolders.
    Folder(String),
    /// Devices picked in the tree (Ctrl+click), by name.
    Devices(Vec<String>),
}

impl Fleet {
    /// The devices' names, in the tree's order for a folder.
    pub fn names(&self, devices: &[Device]) -> Vec<String> {
        match self {
            Fleet::Folder(folder) => devices
                .iter()
                .filter(|d| crate::core::fanout::in_folder(d, folder))
                .map(|d| d.name.clone())
                .collect(),
            Fleet::Devices(names) => names.clone(),
        }
    }

    /// What the run window is titled with.
    pub fn label(&self) -> String {
        match self {
            Fleet::Folder(folder) => folder.clone(),
            Fleet::Devices(names) => format!("{} picked devices", names.len()),
        }
    }
}

pub enum Action {
    /// Opens the catalog browser on the active tab's device or platform.
    OpenCatalog,
    /// Fetches the spec the active tab's device serves into its catalog.
    FetchCatalog,
    /// The active tab starts from a catalog operation.
    UseOperation(Box<crate::core::openapi::Operation>),
    /// An entry of the command list (menus, shortcuts, palette).
    Run(Command),
    /// The active tab goes to another device.
    SelectDevice(String),
    OpenSaved(Box<SavedEntry>),
    /// Reopens a history entry: its request and recorded response.
    OpenHistory {
        entry: Box<HistoryEntry>,
        new_tab: bool,
    },
    SwitchTab(usize),
    CloseTab(usize),
    NewDevice(String),
    EditDevice(String),
    DuplicateDevice(String),
    AskDelete(String),
    DeleteDevice(String),
    /// The device editor's Save.
    SaveDevice,
    /// The save dialog's Save.
    SaveRequest,
    /// A curl command typed or pasted into the URL field.
    ImportCurl(String),
    /// A password typed (None: forgotten) for a device, for this run.
    SetPassword {
        device: String,
        password: Option<Secret>,
    },
    TrustCertificate,
    /// Opens the Auth tab with the password field focused.
    EnterPassword,
    /// Open the passcode dialog of a two-factor login.
    AskPasscode,
    /// Send the active tab's request again with this two-factor passcode.
    SendWithPasscode(Secret),
    /// Run the run window's rows of `device` that asked for a two-factor
    /// passcode again with this one.
    RerunWithPasscode {
        device: String,
        passcode: Secret,
    },
    /// Open the passphrase dialog of the active device's encrypted client key.
    AskKeyPassphrase,
    /// Keep this passphrase of the client key `key` (in the OS keyring too
    /// when `remember`), then send the active tab's request again.
    SendWithKeyPassphrase {
        key: std::path::PathBuf,
        passphrase: Secret,
        remember: bool,
    },
    /// Opens the editor for the host that answered, pinned to `sha256`.
    AddHostAsDevice {
        sha256: String,
    },
    RunFolder(String),
    /// Sends the active tab's request to every device of a fleet.
    FanOut(Fleet),
    /// Runs every saved request of a collection folder on every device of
    /// a fleet.
    FanOutCollection {
        devices: Fleet,
        collection: String,
    },
    /// Opens a run row's request and response in a new tab.
    OpenRunRow(usize),
    /// Sends the run's requests again: only the failed ones, or all.
    RerunRows(bool),
    /// Cancels the run's requests under way.
    StopRun,
    /// Writes the run's table (rows as shown) to the file typed in its
    /// window: CSV, or JSON when false.
    ExportRun {
        csv: bool,
    },
    /// Closes the run window (stopping the run).
    CloseRun,
    /// Opens the diff window on two responses: left, right.
    Compare(Box<[super::diff_view::DiffSide; 2]>),
    /// The diff window's ignore list changed: compare again.
    RefreshDiff,
    /// File > Open workspace's Open (or a recent workspace).
    OpenWorkspace(std::path::PathBuf),
    /// Opens the tree dialog asking for this (new items go in the folder).
    AskTree(super::tree_ops::Ask, String),
    /// A change to the saved-requests tree, from its dialog or a drop.
    Tree(super::tree_ops::TreeOp),
    ClearHistory,
    LoadHistory,
    /// The export dialog's Export.
    ExportCollection,
    /// The Postman dialog's Import.
    ImportPostman,
    /// Stores the Postman dialog's found password number `index`.
    StoreFoundPassword(usize),
    /// The active tab's find text or view changed.
    RefreshFind,
    /// The active tab's jq filter changed.
    RefreshFilter,
    SaveBody,
    Pick {
        target: PickTarget,
        save: bool,
    },
    Notice(String),
    CloseDialogs,
}

/// What panels may read of the rest of the app.
pub struct View<'a> {
    pub devices: &'a [Device],
    /// Devices that live only in memory (the demo appliances).
    pub transient: &'a BTreeSet<String>,
    /// Passwords typed for this run, by device name.
    pub passwords: &'a HashMap<String, Secret>,
    pub workspace: &'a Path,
    pub collections: &'a Collections,
    /// devices.json could not be read.
    pub problem: Option<&'a crate::core::error::Failure>,
    /// How long a kept session may stay idle; None: not kept (View menu).
    pub session_idle: Option<std::time::Duration>,
}

impl View<'_> {
    pub fn device(&self, name: Option<&str>) -> Option<&Device> {
        let name = name?;
        self.devices.iter().find(|d| d.name == name)
    }

    /// The platform a draft sends with: its own, else the device's.
    pub fn platform(&self, draft: &super::draft::Draft, device: Option<&str>) -> Platform {
        draft
            .platform
            .or_else(|| self.device(device).map(|d| d.platform))
            .unwrap_or(Platform::Generic)
    }

    /// The auth a draft sends with: its own, else the platform's
    /// ([`Platform::auth_for`]).
    pub fn auth(&self, draft: &super::draft::Draft, device: Option<&str>) -> AuthMode {
        let has_user = self.device(device).is_some_and(|d| d.username.is_some());
        self.platform(draft, device).auth_for(draft.auth, has_user)
    }
}
