//! Imported API catalogs: `catalogs/<platform>.json` for a platform,
//! `catalogs/device/<name>.json` for one device, each holding the parsed
//! operations (never the raw spec). Specs fetched from a device are kept
//! in `catalogs/cache/`, which ignores itself in git.

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

/// Whose catalog: a platform's, or one device's.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogKey {
    Platform(Platform),
    Device(String),
}

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
        }
    }

    /// Refuses a catalogs folder on `key`'s way that is a link (a cloned
    /// workspace's `catalogs -> ~/.ssh` would have imports written there).
    fn refuse_linked_catalogs(&self, key: &CatalogKey) -> Result<(), Failure> {
        match key {
            CatalogKey::Platform(_) => self.refuse_linked_folder(CATALOGS_DIR),
            CatalogKey::Device(_) => self.refuse_linked_folder(&format!("{CATALOGS_DIR}/device")),
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
        Ok(path)
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
                Ok(Catalog::new(platform, [shared, self.load_catalog(key)?]))
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

    /// Keeps a spec fetched from a device in the git-ignored cache; returns its path.
    pub fn cache_spec(&self, device: &str, bytes: &[u8]) -> Result<PathBuf, Failure> {
        self.refuse_linked_folder(&format!("{CATALOGS_DIR}/cache"))?;
        let dir = self.dir().join(CATALOGS_DIR).join("cache");
        std::fs::create_dir_all(&dir).map_err(|e| unwritable(&dir, &e))?;
        let ignore = dir.join(".gitignore");
        super::atomic::write_new(&ignore, b"*\n").map_err(|e| unwritable(&ignore, &e))?;
        let path = dir.join(format!("{}.spec", file_stem(device)));
        files::write(&path, bytes)?;
        Ok(path)
    }
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
        assert!(ws.cache_spec("fw", b"{}").is_err());
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
        let cached = ws.cache_spec("lab fmc", b"{}").unwrap();
        assert_eq!(
            std::fs::read_to_string(cached.with_file_name(".gitignore")).unwrap(),
            "*\n"
        );
    }
}
