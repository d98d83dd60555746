//! Saved requests on disk. Folders under the workspace are collections
//! (nested folders allowed); each request is one pretty-printed JSON file,
//! `<slug-of-name>.json`, written atomically.
//!
//! # File formats
//!
//! **Format 2** (written by this build): the [`SavedRequest`] fields after a
//! leading `"format": 2`, in a fixed key order, with a trailing newline and
//! no volatile field (no timestamp), so that saving twice gives the same bytes:
//!
//! ```json
//! {
//!   "format": 2,
//!   "name": "Create network object",
//!   "device": "Demo ASA",
//!   "method": "POST",
//!   "url": "/api/objects/networkobjects",
//!   "headers": [{"name": "Accept", "value": "application/json"}],
//!   "body": {"json": {"name": "web-2", "host": {"kind": "IPv4Address", "value": "10.1.1.11"}}}
//! }
//! ```
//!
//! `headers` is a list (a disabled header carries `"enabled": false`); `body`
//! is `{"json": VALUE}` or `{"text": "..."}`.
//!
//! **Format 1** (older): the same fields, except that `headers` was an
//! object `{"Name": "value"}` and `body` a plain string. It is migrated to
//! format 2 in memory when loaded; the file is rewritten only when the
//! request is saved again.
//!
//! A file that does not parse, or has an unknown format, is reported with
//! its path (and line:column) and never modified.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::device::validate_folder;
use super::saved::{RequestBody, SavedRequest};
use super::{DEVICES_FILE, Workspace, atomic, corrupt, unreadable, unwritable};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::{Header, mask_credentials, variable_for_header};

/// The saved-request format this build writes.
pub const REQUEST_FORMAT: u32 = 2;
/// Folders nested deeper than this are not walked (guards symlink loops).
const MAX_DEPTH: usize = 16;

/// Every saved request found, and the files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Collections {
    /// Sorted by folder, then file name.
    pub requests: Vec<SavedEntry>,
    pub problems: Vec<Failure>,
}

/// One saved request and where it lives.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedEntry {
    /// `Lab/Reports`, or empty at the top.
    pub folder: String,
    /// Relative to the folder that was walked (the workspace for
    /// [`Workspace::collections`]).
    pub path: PathBuf,
    pub request: SavedRequest,
}

#[derive(Serialize)]
pub(super) struct FileOut<'a> {
    pub format: u32,
    #[serde(flatten)]
    pub request: &'a SavedRequest,
}

/// Format 1: headers as an object, body as a string.
#[derive(Deserialize)]
struct RequestV1 {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    auth: Option<AuthMode>,
    method: String,
    url: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<String>,
}

impl From<RequestV1> for SavedRequest {
    fn from(v1: RequestV1) -> Self {
        let headers = v1
            .headers
            .into_iter()
            .map(|(name, value)| match value {
                Value::String(text) => Header::new(name, text),
                other => Header::new(name, other.to_string()),
            })
            .collect();
        SavedRequest {
            name: v1.name,
            description: v1.description,
            device: v1.device,
            platform: v1.platform,
            auth: v1.auth,
            method: v1.method,
            url: v1.url,
            headers,
            body: v1.body.as_deref().and_then(RequestBody::from_text),
        }
    }
}

impl Workspace {
    /// Saves `request` in `folder` (`ASA`, `Lab/Reports`, or empty for the
    /// top) and returns the file's path (the workspace dir joined with it).
    /// Saving a request of the same name again overwrites its file; another
    /// request whose name gives the same file name gets `-2`, `-3`, ….
    pub fn save_request(&self, folder: &str, request: &SavedRequest) -> Result<PathBuf, Failure> {
        validate_folder(folder)?;
        if folder.split('/').any(|s| s.starts_with('.')) {
            return Err(Failure::usage(
                format!("invalid folder {folder:?}"),
                "Folder names may not start with '.' (such folders are hidden).",
            ));
        }
        if request.name.trim().is_empty() {
            return Err(Failure::usage(
                "a saved request needs a name",
                "Give the request a name before saving it.",
            ));
        }
        let dir = self.dir().join(folder);
        let path = file_for(&dir, &request.name)?;
        // Credential header values never reach disk: they become {{variables}}.
        let masked = SavedRequest {
            headers: mask_credentials(&request.headers, variable_for_header),
            ..request.clone()
        };
        let request = &masked;
        let mut text = serde_json::to_string_pretty(&FileOut {
            format: REQUEST_FORMAT,
            request,
        })
        .map_err(|e| Failure::usage(format!("cannot encode the request: {e}"), ""))?;
        text.push('\n');
        atomic::write_atomic(&path, text.as_bytes()).map_err(|e| unwritable(&path, &e))?;
        Ok(path)
    }

    /// Loads one saved request (format 1 is migrated in memory). `path` is
    /// absolute, relative to the workspace, or else relative to the current
    /// folder.
    pub fn load_request(&self, path: &Path) -> Result<SavedRequest, Failure> {
        read_request(&self.resolve(path))
    }

    /// Every saved request of the workspace. Every call reads the disk, so
    /// files changed by other programs are seen.
    pub fn collections(&self) -> Collections {
        scan(self.dir())
    }

    /// Deletes a saved request file.
    pub fn delete_request(&self, path: &Path) -> Result<(), Failure> {
        let path = self.resolve(path);
        let is_request = path.extension().is_some_and(|e| e == "json")
            && path.file_name().is_some_and(|n| n != DEVICES_FILE);
        if !is_request {
            return Err(Failure::usage(
                format!("{} is not a saved request file", path.display()),
                "Saved requests are the .json files of the workspace (not devices.json).",
            ));
        }
        fs::remove_file(&path).map_err(|e| {
            Failure::usage(
                format!("cannot delete {}: {e}", path.display()),
                "Check the path and its permissions.",
            )
        })
    }

    /// A cheap fingerprint of the saved request files (paths, sizes,
    /// modification times): poll it, and reload when it changes.
    pub fn collections_stamp(&self) -> u64 {
        let mut files = Vec::new();
        walk(self.dir(), "", 0, &mut files, &mut Vec::new());
        let mut hasher = DefaultHasher::new();
        for (folder, path) in files {
            folder.hash(&mut hasher);
            path.hash(&mut hasher);
            if let Ok(meta) = fs::metadata(&path) {
                meta.len().hash(&mut hasher);
                if let Ok(modified) = meta.modified() {
                    modified.hash(&mut hasher);
                }
            }
        }
        hasher.finish()
    }

    /// Absolute paths as given; relative ones below the workspace, or as
    /// given when only that exists.
    fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            return path.to_path_buf();
        }
        let in_workspace = self.dir().join(path);
        if in_workspace.exists() || !path.exists() {
            in_workspace
        } else {
            path.to_path_buf()
        }
    }
}

/// Every saved request below `root`, recursively (hidden entries and
/// `devices.json` skipped), sorted by folder then file name. A file that
/// cannot be read becomes a problem; the others still load.
pub fn scan(root: &Path) -> Collections {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    walk(root, "", 0, &mut files, &mut problems);
    let mut requests = Vec::new();
    for (folder, path) in files {
        match read_request(&path) {
            Ok(request) => requests.push(SavedEntry {
                folder,
                path: path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
                request,
            }),
            Err(failure) => problems.push(failure),
        }
    }
    Collections { requests, problems }
}

/// Collects `(folder, path)` of every request file, in order.
fn walk(
    dir: &Path,
    folder: &str,
    depth: usize,
    files: &mut Vec<(String, PathBuf)>,
    problems: &mut Vec<Failure>,
) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound && depth == 0 => return,
        Err(e) => {
            problems.push(unreadable(dir, &e));
            return;
        }
    };
    let mut names: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    names.sort();
    let mut subfolders = Vec::new();
    for (name, path) in names {
        if path.is_dir() {
            subfolders.push((name, path));
        } else if name.ends_with(".json") && name != DEVICES_FILE {
            files.push((folder.to_string(), path));
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for (name, path) in subfolders {
        let sub = if folder.is_empty() {
            name
        } else {
            format!("{folder}/{name}")
        };
        walk(&path, &sub, depth + 1, files, problems);
    }
}

/// Reads and parses one saved request file.
pub(super) fn read_request(path: &Path) -> Result<SavedRequest, Failure> {
    let bytes = fs::read(path).map_err(|e| unreadable(path, &e))?;
    parse_request(path, &bytes)
}

/// Parses a saved request file of format 1 or 2.
fn parse_request(path: &Path, bytes: &[u8]) -> Result<SavedRequest, Failure> {
    #[derive(Deserialize)]
    struct Version {
        format: Option<u32>,
    }
    let version: Version = serde_json::from_slice(bytes).map_err(|e| corrupt(path, &e))?;
    match version.format {
        Some(1) => serde_json::from_slice::<RequestV1>(bytes)
            .map(SavedRequest::from)
            .map_err(|e| corrupt(path, &e)),
        Some(REQUEST_FORMAT) => serde_json::from_slice(bytes).map_err(|e| corrupt(path, &e)),
        Some(v) => Err(Failure::usage(
            format!(
                "{}: saved request format {v} is not supported (this apx reads 1 and {REQUEST_FORMAT})",
                path.display()
            ),
            "The file was written by a newer apx; upgrade apx. The file was left untouched.",
        )),
        None => Err(Failure::usage(
            format!("{}: no \"format\" field", path.display()),
            "This is not an apx saved request. Move it out of the workspace; it was left untouched.",
        )),
    }
}

/// The file name for a request: lowercase ASCII letters, digits and '-'.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "request".to_string()
    } else {
        slug.to_string()
    }
}

/// The file in `dir` for a request named `name`: the one already holding a
/// request of that name, else the first free `slug.json`, `slug-2.json`, ….
/// A file that cannot be read is never taken over.
fn file_for(dir: &Path, name: &str) -> Result<PathBuf, Failure> {
    let base = slug(name);
    let candidate = |n: usize| {
        let file = if n == 1 {
            format!("{base}.json")
        } else {
            format!("{base}-{n}.json")
        };
        dir.join(file)
    };
    let mut free = None;
    let mut misses = 0;
    // Look past gaps (a deleted file) for a file of the same name.
    for n in 1.. {
        let path = candidate(n);
        let taken = path.file_name().is_some_and(|f| f == DEVICES_FILE) || path.exists();
        if !taken {
            free.get_or_insert(path);
            misses += 1;
            if misses > 8 {
                break;
            }
            continue;
        }
        misses = 0;
        if read_request(&path).is_ok_and(|r| r.name == name) {
            return Ok(path);
        }
    }
    free.ok_or_else(|| Failure::usage(format!("no free file name for {name:?}"), ""))
}
