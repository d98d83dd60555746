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
//! A file that does not parse, has an unknown format, or holds what could
//! not be sent safely (a header that would add a line to the request, a URL
//! of another scheme than http or https) is reported with its path (and
//! line:column) and never modified.
//!
//! Saved requests live at most [`MAX_DEPTH`] folders deep: saving deeper is
//! refused, and deeper folders found on disk are reported. Links are never
//! followed (a linked folder or file is reported and skipped), nor written
//! through.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::atomic::NotRegular;
use super::device::validate_folder;
use super::files::{self, link_skipped, unreadable};
use super::saved::{RequestBody, SavedRequest};
use super::{DEVICES_FILE, Workspace, corrupt};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::{Header, mask_credentials, variable_for_header};

/// The saved-request format this build writes.
pub const REQUEST_FORMAT: u32 = 2;
/// How many folders deep saved requests may be, for saving and reading alike.
pub const MAX_DEPTH: usize = 16;

/// Every saved request found, and the files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Collections {
    /// Sorted by folder, then file name.
    pub requests: Vec<SavedEntry>,
    /// Every folder below the top (empty ones too), sorted.
    pub folders: Vec<String>,
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
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        self.check_folder(folder)?;
        if request.name.trim().is_empty() {
            return Err(Failure::usage(
                "a saved request needs a name",
                "Give the request a name before saving it.",
            ));
        }
        let dir = self.dir().join(folder);
        let path = file_for(&dir, &request.name)?;
        let text = encode(request)?;
        fs::create_dir_all(self.dir()).map_err(|e| files::unwritable(self.dir(), &e))?;
        files::ensure_gitignore(self.dir())?;
        files::write(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Whether saved requests may go in `folder`: a valid path, no hidden
    /// (`.`) folder, at most [`MAX_DEPTH`] deep, and no symbolic link on
    /// the way.
    pub fn check_folder(&self, folder: &str) -> Result<(), Failure> {
        validate_folder(folder)?;
        if folder.split('/').any(|s| s.starts_with('.')) {
            return Err(Failure::usage(
                format!("invalid folder {folder:?}"),
                "Folder names may not start with '.' (such folders are hidden).",
            ));
        }
        let depth = folder.split('/').filter(|s| !s.is_empty()).count();
        if depth > MAX_DEPTH {
            return Err(Failure::usage(
                format!("folder {folder:?} is {depth} folders deep"),
                format!(
                    "Saved requests may be at most {MAX_DEPTH} folders deep; choose a shallower folder."
                ),
            ));
        }
        self.refuse_linked_folder(folder)
    }

    /// An error when a folder on the way to `folder` (below the workspace)
    /// is a symbolic link: saving would write wherever it points.
    pub(super) fn refuse_linked_folder(&self, folder: &str) -> Result<(), Failure> {
        let mut dir = self.dir().to_path_buf();
        for segment in folder.split('/').filter(|s| !s.is_empty()) {
            dir.push(segment);
            match fs::symlink_metadata(&dir) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let e = io::Error::from(NotRegular::of(&meta));
                    return Err(files::unwritable(&dir, &e));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        Ok(())
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
        crate::core::ui_thread::assert_not_in_frame("workspace files");
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
    /// modification times) and of what the walk skipped: poll it, and
    /// reload when it changes.
    pub fn collections_stamp(&self) -> u64 {
        let mut found = Walked::default();
        walk(self.dir(), "", 0, &mut found);
        let Walked {
            files: found,
            folders,
            problems: skipped,
        } = found;
        let mut hasher = DefaultHasher::new();
        folders.hash(&mut hasher);
        for problem in skipped {
            problem.message.hash(&mut hasher);
        }
        for (folder, path) in found {
            folder.hash(&mut hasher);
            path.hash(&mut hasher);
            if let Ok(meta) = fs::symlink_metadata(&path) {
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
    let mut walked = Walked::default();
    walk(root, "", 0, &mut walked);
    let Walked {
        files,
        mut folders,
        mut problems,
    } = walked;
    folders.sort();
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
    Collections {
        requests,
        folders,
        problems,
    }
}

/// What a walk found.
#[derive(Default)]
struct Walked {
    /// `(folder, path)` of every request file, in order.
    files: Vec<(String, PathBuf)>,
    folders: Vec<String>,
    problems: Vec<Failure>,
}

/// Collects every request file and folder, in order. Links are not
/// followed, and neither are folders deeper than [`MAX_DEPTH`]: each is
/// reported in `problems`.
fn walk(dir: &Path, folder: &str, depth: usize, found: &mut Walked) {
    let Walked {
        files, problems, ..
    } = found;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound && depth == 0 => return,
        Err(e) => {
            problems.push(unreadable(dir, &e));
            return;
        }
    };
    let mut names: Vec<(String, PathBuf, fs::FileType)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let kind = e.file_type().ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), e.path(), kind))
        })
        .filter(|(name, ..)| !name.starts_with('.'))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut subfolders = Vec::new();
    for (name, path, kind) in names {
        let request = name.ends_with(".json") && name != DEVICES_FILE;
        if kind.is_symlink() {
            // Only what would have been read is worth a word.
            if request || path.is_dir() {
                problems.push(link_skipped(&path));
            }
        } else if kind.is_dir() {
            subfolders.push((name, path));
        } else if kind.is_file() && request {
            files.push((folder.to_string(), path));
        }
    }
    for (name, path) in subfolders {
        if depth >= MAX_DEPTH {
            found.problems.push(Failure::usage(
                format!(
                    "{}: more than {MAX_DEPTH} folders deep, not read",
                    path.display()
                ),
                format!(
                    "Saved requests may be at most {MAX_DEPTH} folders deep; move this folder up."
                ),
            ));
            continue;
        }
        let sub = if folder.is_empty() {
            name
        } else {
            format!("{folder}/{name}")
        };
        found.folders.push(sub.clone());
        walk(&path, &sub, depth + 1, found);
    }
}

/// Reads and parses one saved request file.
/// Never through a link, never a FIFO or device, never a huge file: a
/// workspace may come from elsewhere.
pub(super) fn read_request(path: &Path) -> Result<SavedRequest, Failure> {
    let bytes = files::read(path)?
        .ok_or_else(|| unreadable(path, &io::Error::from(io::ErrorKind::NotFound)))?;
    parse_request(path, &bytes)
}

/// Parses a saved request file of format 1 or 2.
fn parse_request(path: &Path, bytes: &[u8]) -> Result<SavedRequest, Failure> {
    #[derive(Deserialize)]
    struct Version {
        format: Option<u32>,
    }
    let version: Version = serde_json::from_slice(bytes).map_err(|e| corrupt(path, &e))?;
    let request = match version.format {
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
    }?;
    check_sendable(&request).map_err(|e| {
        Failure::usage(
            format!("{}: {}", path.display(), e.message),
            format!(
                "{} Fix the file (it was left untouched; nothing was sent).",
                e.hint
            ),
        )
    })?;
    Ok(request)
}

/// Refuses what could not be sent safely: a header (enabled or not) that
/// would add a line to the request or whose name is not an HTTP token, and
/// a URL that names a scheme other than http or https. A scheme made of
/// `{{variables}}` is checked once substituted ([`super::variables::prepare`]).
fn check_sendable(request: &SavedRequest) -> Result<(), Failure> {
    for header in &request.headers {
        header.validate()?;
    }
    if let Some((scheme, _)) = request.url.trim().split_once("://") {
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        if is_scheme
            && !["http", "https"]
                .iter()
                .any(|s| scheme.eq_ignore_ascii_case(s))
        {
            return Err(Failure::usage(
                format!("URL {} is not http or https", request.url.trim()),
                "apx sends HTTP requests only: use an http:// or https:// URL, or a path.",
            ));
        }
    }
    Ok(())
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
        let existing = fs::symlink_metadata(&path).ok();
        let taken = path.file_name().is_some_and(|f| f == DEVICES_FILE) || existing.is_some();
        if !taken {
            free.get_or_insert(path);
            misses += 1;
            if misses > 8 {
                break;
            }
            continue;
        }
        misses = 0;
        // A link is never ours to overwrite, wherever it points.
        let regular = existing.is_some_and(|m| m.is_file());
        if regular && read_request(&path).is_ok_and(|r| r.name == name) {
            return Ok(path);
        }
    }
    free.ok_or_else(|| Failure::usage(format!("no free file name for {name:?}"), ""))
}

/// The saved-request file's text: format 2 in a fixed key order, credential
/// header values replaced by `{{variables}}` (they never reach disk).
pub(super) fn encode(request: &SavedRequest) -> Result<String, Failure> {
    let masked = SavedRequest {
        headers: mask_credentials(&request.headers, variable_for_header),
        ..request.clone()
    };
    let mut text = serde_json::to_string_pretty(&FileOut {
        format: REQUEST_FORMAT,
        request: &masked,
    })
    .map_err(|e| Failure::usage(format!("cannot encode the request: {e}"), ""))?;
    text.push('\n');
    Ok(text)
}
