//! Imported API catalogs: `catalogs/<platform>.json` for a platform,
//! `catalogs/device/<name>.json` for one device (a spec file), and
//! `catalogs/device/<name>/<version>.json` for the spec a device served,
//! per software version it reported (`served.json` beside them names the
//! latest); each holds the parsed operations, never the raw spec. Specs
//! fetched from a device are kept in `catalogs/cache/`, which ignores
//! itself in git.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{self, unwritable};
use super::{FORMAT_VERSION, Workspace, corrupt};
use crate::core::catalog::Catalog;
use crate::core::error::Failure;
use crate::core::openapi::{MAX_SPEC_BYTES, Operation, parse_spec};
use crate::core::platform::Platform;

pub const CATALOGS_DIR: &str = "catalogs";

/// Whose catalog: a platform's, or one device's (its spec file's, and the
/// spec it served for its version, over its platform's).
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogKey {
    Platform(Platform),
    Device(String),
    /// The spec a device served, when it reported this software version.
    Served {
        device: String,
        version: String,
    },
}

/// The version a device's served catalog is for (the latest it served).
#[derive(Serialize, Deserialize)]
struct ServedFile {
    format: u32,
    version: String,
}

/// Where the version of a device's latest served catalog is named (no
/// version's file name has an `@`).
const SERVED: &str = "@served.json";
/// The longest software version kept (a server chooses it).
const MAX_VERSION: usize = 64;

#[derive(Serialize, Deserialize)]
struct CatalogFile {
    format: u32,
    /// The file or URL the operations were read from.
    source: String,
    operations: Vec<Operation>,
}

impl Workspace {
    /// Where the catalog of `key` is stored.
    pub fn catalog_path(&self, key: &CatalogKey) -> PathBuf {
        let dir = self.dir().join(CATALOGS_DIR);
        match key {
            CatalogKey::Platform(p) => dir.join(format!("{}.json", p.id())),
            CatalogKey::Device(name) => {
                dir.join("device").join(format!("{}.json", file_stem(name)))
            }
            CatalogKey::Served { device, version } => dir
                .join("device")
                .join(file_stem(device))
                .join(format!("{}.json", version_stem(version))),
        }
    }

    fn served_path(&self, device: &str) -> PathBuf {
        self.dir()
            .join(CATALOGS_DIR)
            .join("device")
            .join(file_stem(device))
            .join(SERVED)
    }

    /// Refuses a catalogs folder on `key`'s way that is a link (a cloned
    /// workspace's `catalogs -> ~/.ssh` would have imports written there).
    fn refuse_linked_catalogs(&self, key: &CatalogKey) -> Result<(), Failure> {
        match key {
            CatalogKey::Platform(_) => self.refuse_linked_folder(CATALOGS_DIR),
            CatalogKey::Device(_) => self.refuse_linked_folder(&format!("{CATALOGS_DIR}/device")),
            CatalogKey::Served { device, .. } => {
                self.refuse_linked_folder(&format!("{CATALOGS_DIR}/device/{}", file_stem(device)))
            }
        }
    }

    /// Stores a catalog, replacing the one `key` had; returns its path.
    pub fn save_catalog(
        &self,
        key: &CatalogKey,
        source: &str,
        operations: Vec<Operation>,
    ) -> Result<PathBuf, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let path = self.catalog_path(key);
        self.refuse_linked_catalogs(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| unwritable(dir, &e))?;
        }
        files::ensure_gitignore(self.dir())?;
        let file = CatalogFile {
            format: FORMAT_VERSION,
            source: source.to_string(),
            operations,
        };
        let text = serde_json::to_vec(&file)
            .map_err(|e| Failure::usage(format!("cannot encode the catalog: {e}"), ""))?;
        files::write(&path, &text)?;
        if let CatalogKey::Served { device, version } = key {
            let served = ServedFile {
                format: FORMAT_VERSION,
                version: version.clone(),
            };
            let text = serde_json::to_vec(&served)
                .map_err(|e| Failure::usage(format!("cannot encode the catalog: {e}"), ""))?;
            files::write(&self.served_path(device), &text)?;
        }
        Ok(path)
    }

    /// The software version of the latest spec `device` served, if it
    /// served one.
    pub fn served_version(&self, device: &str) -> Result<Option<String>, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let key = CatalogKey::Served {
            device: device.to_string(),
            version: String::new(),
        };
        self.refuse_linked_catalogs(&key)?;
        let path = self.served_path(device);
        match files::read(&path)? {
            Some(bytes) => serde_json::from_slice::<ServedFile>(&bytes)
                .map(|f| Some(f.version))
                .map_err(|e| corrupt(&path, &e)),
            None => Ok(None),
        }
    }

    /// The operations stored for `key`; none when nothing was imported.
    pub fn load_catalog(&self, key: &CatalogKey) -> Result<Vec<Operation>, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let path = self.catalog_path(key);
        self.refuse_linked_catalogs(key)?;
        match files::read(&path)? {
            Some(bytes) => serde_json::from_slice::<CatalogFile>(&bytes)
                .map(|f| f.operations)
                .map_err(|e| corrupt(&path, &e)),
            None => Ok(Vec::new()),
        }
    }

    /// The catalog of a platform (its built-ins and its import), or of a
    /// device (its platform's, then the device's own import over it).
    pub fn catalog(&self, key: &CatalogKey) -> Result<Catalog, Failure> {
        match key {
            CatalogKey::Platform(p) => Ok(Catalog::new(*p, [self.load_catalog(key)?])),
            CatalogKey::Device(name) => {
                let platform = self.device(name)?.platform;
                let shared = self.load_catalog(&CatalogKey::Platform(platform))?;
                let served = match self.served_version(name)? {
                    Some(version) => self.load_catalog(&CatalogKey::Served {
                        device: name.clone(),
                        version,
                    })?,
                    None => Vec::new(),
                };
                Ok(Catalog::new(
                    platform,
                    [shared, served, self.load_catalog(key)?],
                ))
            }
            CatalogKey::Served { device, .. } => {
                let platform = self.device(device)?.platform;
                Ok(Catalog::new(platform, [self.load_catalog(key)?]))
            }
        }
    }

    /// Reads a spec file (at most [`MAX_SPEC_BYTES`]) and stores its
    /// operations for `key`; returns how many and where.
    pub fn import_openapi_file(
        &self,
        file: &Path,
        key: &CatalogKey,
    ) -> Result<(usize, PathBuf), Failure> {
        crate::core::ui_thread::assert_not_in_frame("spec file");
        if let CatalogKey::Device(name) = key {
            self.device(name)?;
        }
        let mut bytes = Vec::new();
        std::fs::File::open(file)
            .and_then(|f| {
                // Read into one allocation of the file's size (growing by
                // doubling would hold up to twice the file for a while).
                let len = f.metadata()?.len().min(MAX_SPEC_BYTES as u64 + 1);
                bytes.reserve_exact(len as usize);
                f.take(MAX_SPEC_BYTES as u64 + 1).read_to_end(&mut bytes)
            })
            .map_err(|e| {
                Failure::usage(
                    format!("cannot read {}: {e}", file.display()),
                    "Give the path of a Swagger 2.0 or OpenAPI 3.x file.",
                )
            })?;
        let operations = parse_spec(&bytes)?;
        let count = operations.len();
        let stored = self.save_catalog(key, &file.display().to_string(), operations)?;
        Ok((count, stored))
    }

    /// Keeps a spec fetched from a device, for the software version it
    /// reported, in the git-ignored cache; returns its path.
    pub fn cache_spec(
        &self,
        device: &str,
        version: &str,
        bytes: &[u8],
    ) -> Result<PathBuf, Failure> {
        self.refuse_linked_folder(&format!("{CATALOGS_DIR}/cache"))?;
        let dir = self.dir().join(CATALOGS_DIR).join("cache");
        std::fs::create_dir_all(&dir).map_err(|e| unwritable(&dir, &e))?;
        let ignore = dir.join(".gitignore");
        super::atomic::write_new(&ignore, b"*\n").map_err(|e| unwritable(&ignore, &e))?;
        let path = dir.join(format!(
            "{}@{}.spec",
            file_stem(device),
            version_stem(version)
        ));
        files::write(&path, bytes)?;
        Ok(path)
    }
}

/// A software version as a file name, one for each version: letters,
/// digits, `.` and `-` kept, every other byte and a leading `.` as `%XX`
/// (so `7.4.1 (build 172)` is `7.4.1%20%28build%20172%29`, and no version
/// names a hidden file or a parent folder). Versions are at most 64
/// characters ([`Platform::version_in`]); a longer one is cut.
fn version_stem(version: &str) -> String {
    let stem: String = version
        .bytes()
        .take(MAX_VERSION)
        .enumerate()
        .map(|(i, b)| match b {
            b'.' if i == 0 => "%2E".to_string(),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    if stem.is_empty() { "%".into() } else { stem }
}

/// A device name as a file name: letters, digits, `-` and `_` kept, every
/// other byte as `%XX` (so no name can climb out of the folder).
fn file_stem(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_cannot_leave_the_catalog_folder() {
        assert_eq!(file_stem("fmc-1"), "fmc-1");
        assert_eq!(file_stem("../x y"), "%2E%2E%2Fx%20y");
    }

    #[test]
    fn a_device_serves_one_catalog_per_version_and_the_latest_is_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        let fmc = crate::core::workspace::Device {
            name: "fmc".into(),
            folder: String::new(),
            platform: Platform::Fmc,
            base_url: "https://127.0.0.1:1".into(),
            username: None,
            trust: crate::core::tls::Trust::Verify,
            variables: Default::default(),
            allow_http: false,
            domain: None,
            api_version: None,
            reach: Default::default(),
        };
        ws.add_device(fmc).unwrap();
        let op = |path: &str| Operation {
            method: "GET".into(),
            path: path.into(),
            summary: String::new(),
            tag: String::new(),
            operation_id: String::new(),
            parameters: Vec::new(),
            description: String::new(),
            body: None,
        };
        let served = |version: &str| CatalogKey::Served {
            device: "fmc".into(),
            version: version.into(),
        };
        assert_eq!(ws.served_version("fmc").unwrap(), None);
        let old = ws
            .save_catalog(&served("7.2.5"), "u", vec![op("/api/old")])
            .unwrap();
        ws.save_catalog(&served("7.4.1 (build 172)"), "u", vec![op("/api/new")])
            .unwrap();
        assert_eq!(
            ws.served_version("fmc").unwrap().as_deref(),
            Some("7.4.1 (build 172)")
        );
        let paths = |key: &CatalogKey| -> Vec<String> {
            let catalog = ws.catalog(key).unwrap();
            catalog
                .operations()
                .iter()
                .map(|o| o.path.clone())
                .collect()
        };
        let device = paths(&CatalogKey::Device("fmc".into()));
        assert!(device.contains(&"/api/new".to_string()), "{device:?}");
        assert!(!device.contains(&"/api/old".to_string()), "{device:?}");
        // The older version's catalog is kept.
        assert!(old.exists());
        assert!(paths(&served("7.2.5")).contains(&"/api/old".to_string()));
        // A corrupt record of the version is reported, and left alone.
        let record = dir.path().join("catalogs/device/fmc/@served.json");
        std::fs::write(&record, "{").unwrap();
        assert!(ws.catalog(&CatalogKey::Device("fmc".into())).is_err());
        assert_eq!(std::fs::read(&record).unwrap(), b"{");
    }

    #[test]
    fn versions_are_file_names_that_stay_in_the_device_folder() {
        assert_eq!(
            version_stem("7.4.1 (build 172)"),
            "7.4.1%20%28build%20172%29"
        );
        assert_eq!(version_stem(".."), "%2E.");
        assert_eq!(version_stem("../../x"), "%2E.%2F..%2Fx");
        assert_eq!(version_stem(""), "%");
        // One file name for each version.
        assert_ne!(version_stem("7.4 (x)"), version_stem("7.4_(x)"));
        assert_eq!(version_stem(&"9".repeat(500)).len(), MAX_VERSION);
    }

    #[cfg(unix)]
    #[test]
    fn linked_catalog_folders_are_neither_written_nor_read() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        std::fs::create_dir_all(dir.path().join(CATALOGS_DIR)).unwrap();
        for link in ["device", "cache"] {
            std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(CATALOGS_DIR).join(link))
                .unwrap();
        }
        let key = CatalogKey::Device("fw".into());
        assert!(ws.save_catalog(&key, "spec.json", Vec::new()).is_err());
        assert!(ws.load_catalog(&key).is_err());
        assert!(ws.cache_spec("fw", "7.4", b"{}").is_err());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
        // The catalogs folder itself as a link.
        let other = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), other.path().join(CATALOGS_DIR)).unwrap();
        let platform = CatalogKey::Platform(crate::core::platform::Platform::Asa);
        assert!(
            Workspace::new(other.path())
                .save_catalog(&platform, "s", Vec::new())
                .is_err()
        );
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn catalogs_round_trip_and_absent_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        let key = CatalogKey::Device("lab fmc".into());
        assert!(ws.load_catalog(&key).unwrap().is_empty());
        let op = Operation {
            method: "GET".into(),
            path: "/api/x".into(),
            summary: "X".into(),
            tag: "T".into(),
            operation_id: "getX".into(),
            parameters: Vec::new(),
            description: String::new(),
            body: None,
        };
        let path = ws
            .save_catalog(&key, "spec.json", vec![op.clone()])
            .unwrap();
        assert!(path.ends_with("catalogs/device/lab%20fmc.json"));
        assert_eq!(ws.load_catalog(&key).unwrap(), [op]);
        std::fs::write(&path, "{").unwrap();
        assert!(ws.load_catalog(&key).is_err());
        let cached = ws.cache_spec("lab fmc", "7.4", b"{}").unwrap();
        assert_eq!(
            std::fs::read_to_string(cached.with_file_name(".gitignore")).unwrap(),
            "*\n"
        );
    }
}
