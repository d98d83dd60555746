//! The workspace folder: the device tree (`devices.json`) and saved requests.
//! Files are human-readable JSON with a format version, written atomically
//! (owner-only when new, never through a link; see [`files`]); a corrupt
//! file is reported with its position and never overwritten.

pub mod atomic;
pub mod catalogs;
pub mod collections;
pub mod device;
pub mod files;
pub mod import;
pub mod manage;
pub mod saved;
pub mod variables;

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use device::Device;

use crate::core::error::Failure;
use crate::core::tls::{Trust, normalize_fingerprint};
use files::unwritable;

pub const DEVICES_FILE: &str = "devices.json";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct DevicesFile {
    format: u32,
    devices: Vec<Device>,
}

/// A workspace folder on disk.
#[derive(Debug, Clone)]
pub struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Workspace { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn devices_path(&self) -> PathBuf {
        self.dir.join(DEVICES_FILE)
    }

    /// The devices; an absent file is an empty tree.
    pub fn load_devices(&self) -> Result<Vec<Device>, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let path = self.devices_path();
        match files::read(&path)? {
            Some(bytes) => parse_devices(&path, &bytes),
            None => Ok(Vec::new()),
        }
    }

    /// Writes the devices, sorted by folder then name, replacing the file
    /// (under the lock that [`Workspace::add_device`] and the others take).
    pub fn save_devices(&self, devices: &[Device]) -> Result<(), Failure> {
        let _lock = self.lock_devices()?;
        self.write_devices(devices)
    }

    fn write_devices(&self, devices: &[Device]) -> Result<(), Failure> {
        let mut devices = devices.to_vec();
        devices.sort_by(|a, b| (&a.folder, &a.name).cmp(&(&b.folder, &b.name)));
        let file = DevicesFile {
            format: FORMAT_VERSION,
            devices,
        };
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|e| Failure::usage(format!("cannot encode devices: {e}"), ""))?;
        text.push('\n');
        files::write(&self.devices_path(), text.as_bytes())
    }

    /// Holds the workspace's device lock until dropped, so that changes by
    /// several programs at once (two `apx device add`, the app and the CLI)
    /// each read the file the other wrote. Creates the folder if needed.
    fn lock_devices(&self) -> Result<fs::File, Failure> {
        fs::create_dir_all(&self.dir).map_err(|e| unwritable(&self.dir, &e))?;
        files::ensure_gitignore(&self.dir)?;
        let path = self.dir.join(files::DEVICES_LOCK);
        let lock = files::open_lock(&path)?;
        lock.lock().map_err(|e| unwritable(&path, &e))?;
        Ok(lock)
    }

    /// Reads the devices, lets `change` edit them and writes them back, all
    /// under the device lock; nothing is written when `change` fails.
    fn change_devices<T>(
        &self,
        change: impl FnOnce(&mut Vec<Device>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let _lock = self.lock_devices()?;
        let mut devices = self.load_devices()?;
        let outcome = change(&mut devices)?;
        self.write_devices(&devices)?;
        Ok(outcome)
    }

    /// The device with this name; an unknown name suggests a close one.
    pub fn device(&self, name: &str) -> Result<Device, Failure> {
        let devices = self.load_devices()?;
        devices
            .iter()
            .find(|d| d.name == name)
            .cloned()
            .ok_or_else(|| unknown_device(&devices, name))
    }

    /// Adds a device; a name already taken is an error.
    pub fn add_device(&self, device: Device) -> Result<(), Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        device.validate()?;
        self.change_devices(|devices| {
            if devices.iter().any(|d| d.name == device.name) {
                return Err(Failure::usage(
                    format!("a device named {:?} already exists", device.name),
                    "Choose another name, or remove the existing device first.",
                ));
            }
            devices.push(device);
            Ok(())
        })
    }

    /// Replaces the device named `old_name` (which may be renamed).
    pub fn update_device(&self, old_name: &str, device: Device) -> Result<(), Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        device.validate()?;
        // An unknown name fails before anything (the folder) is created.
        self.device(old_name)?;
        self.change_devices(|devices| {
            if device.name != old_name && devices.iter().any(|d| d.name == device.name) {
                return Err(Failure::usage(
                    format!("a device named {:?} already exists", device.name),
                    "Choose another name.",
                ));
            }
            let slot = devices
                .iter()
                .position(|d| d.name == old_name)
                .ok_or_else(|| unknown_device(devices, old_name))?;
            devices[slot] = device;
            Ok(())
        })
    }

    pub fn remove_device(&self, name: &str) -> Result<Device, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        self.device(name)?;
        self.change_devices(|devices| {
            let index = devices
                .iter()
                .position(|d| d.name == name)
                .ok_or_else(|| unknown_device(devices, name))?;
            Ok(devices.remove(index))
        })
    }
}

fn parse_devices(path: &Path, bytes: &[u8]) -> Result<Vec<Device>, Failure> {
    #[derive(Deserialize)]
    struct Version {
        format: Option<u32>,
    }
    let version: Version = serde_json::from_slice(bytes).map_err(|e| corrupt(path, &e))?;
    match version.format {
        Some(FORMAT_VERSION) => {}
        Some(v) => {
            return Err(Failure::usage(
                format!(
                    "{}: format version {v} is not supported (this apx reads {FORMAT_VERSION})",
                    path.display()
                ),
                "The file was written by a newer apx; upgrade apx. The file was left untouched.",
            ));
        }
        None => {
            return Err(Failure::usage(
                format!("{}: no \"format\" field", path.display()),
                "This is not an apx devices file. The file was left untouched.",
            ));
        }
    }
    let mut file: DevicesFile = serde_json::from_slice(bytes).map_err(|e| corrupt(path, &e))?;
    // A pin typed by hand (lower case, no colons) is compared as apx writes it.
    for device in &mut file.devices {
        if let Trust::Pin { sha256 } = &mut device.trust {
            *sha256 = normalize_fingerprint(sha256).map_err(|e| {
                Failure::usage(
                    format!(
                        "{}: device {:?}: {}",
                        path.display(),
                        device.name,
                        e.message
                    ),
                    format!("{} The file was left untouched.", e.hint),
                )
            })?;
        }
    }
    Ok(file.devices)
}

/// "unknown device", with the closest name as a suggestion.
fn unknown_device(devices: &[Device], name: &str) -> Failure {
    let close = devices
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name) || edit_distance(&d.name, name) <= 2);
    let hint = match close {
        Some(d) => format!(
            "Did you mean {:?}? `apx device list` shows every device.",
            d.name
        ),
        None => "`apx device list` shows the devices; `apx device add` adds one.".into(),
    };
    Failure::usage(format!("unknown device {name:?}"), hint)
}

pub(super) fn corrupt(path: &Path, e: &serde_json::Error) -> Failure {
    Failure::usage(
        format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()),
        "Fix the file by hand (it was left untouched), or move it away to start afresh.",
    )
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::platform::Platform;
    use crate::core::tls::Trust;

    /// An ASA device (admin, insecure trust) for tests across the crate.
    pub(crate) fn asa(name: &str) -> Device {
        Device {
            name: name.into(),
            folder: "Lab/DC1".into(),
            platform: Platform::Asa,
            base_url: "https://10.0.0.1".into(),
            username: Some("admin".into()),
            trust: Trust::Insecure,
            variables: Default::default(),
            allow_http: false,
            domain: None,
            api_version: None,
            reach: Default::default(),
        }
    }

    #[test]
    fn round_trips_and_finds_devices() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        assert!(ws.load_devices().unwrap().is_empty());
        ws.add_device(asa("fw1")).unwrap();
        assert!(ws.add_device(asa("fw1")).is_err());
        assert_eq!(ws.device("fw1").unwrap(), asa("fw1"));
        let err = ws.device("fw2").unwrap_err();
        assert!(err.hint.contains("\"fw1\""), "{}", err.hint);
        ws.remove_device("fw1").unwrap();
        assert!(ws.load_devices().unwrap().is_empty());
    }

    #[test]
    fn corrupt_file_is_reported_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        let garbage = b"{\"format\": 1, \"devices\": [ {\"name\": }";
        fs::write(ws.devices_path(), garbage).unwrap();
        let err = ws.add_device(asa("x")).unwrap_err();
        assert!(err.message.contains("devices.json:1:"), "{}", err.message);
        assert_eq!(fs::read(ws.devices_path()).unwrap(), garbage);
        fs::write(ws.devices_path(), br#"{"format": 9, "devices": []}"#).unwrap();
        assert!(ws.load_devices().unwrap_err().message.contains("version 9"));
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("asa-1", "asa-2"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
