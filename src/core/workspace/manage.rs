//! The saved-requests tree as a collection manager: new requests and
//! folders, rename, duplicate, move and delete, under the workspace lock.
//!
//! Requests are named by their path relative to the workspace
//! (`ASA/show-version.json`), folders by their `/`-separated path
//! (`Lab/Reports`). Nothing is ever overwritten: a new or duplicated request
//! whose name is taken becomes `NAME (2)` (as an import does), a rename or
//! move onto a taken name is refused. Links are never followed: a request
//! or folder that is a link is refused, and a folder is deleted only when
//! it holds nothing but saved requests and folders.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::atomic::{self, NotRegular};
use super::collections::{MAX_DEPTH, encode, read_request, slug};
use super::files::{self, unreadable, unwritable};
use super::saved::SavedRequest;
use super::{DEVICES_FILE, Workspace};
use crate::core::error::Failure;

impl Workspace {
    /// A new request named `name` (GET `/`) in `folder`; a name taken
    /// there becomes `NAME (2)`. Returns its path, relative to the workspace.
    pub fn new_request(&self, folder: &str, name: &str) -> Result<PathBuf, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let name = check_request_name(name)?;
        let request = SavedRequest {
            name,
            description: None,
            device: None,
            platform: None,
            auth: None,
            method: "GET".into(),
            url: "/".into(),
            headers: Vec::new(),
            body: None,
        };
        let _lock = self.lock_devices()?;
        self.add_request(folder, &request)
    }

    /// A new, empty folder `name` inside `parent` (empty: the top).
    /// Returns its path.
    pub fn new_folder(&self, parent: &str, name: &str) -> Result<String, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let folder = join(parent, check_folder_name(name)?);
        self.check_folder(parent)?;
        self.check_folder(&folder)?;
        let _lock = self.lock_devices()?;
        let dir = self.dir().join(&folder);
        self.refuse_taken(&dir, &folder)?;
        fs::create_dir_all(&dir).map_err(|e| unwritable(&dir, &e))?;
        Ok(folder)
    }

    /// A copy of the request at `path` beside it, named `NAME (2)` (or the
    /// next free number). Returns the copy's path.
    pub fn duplicate_request(&self, path: &Path) -> Result<PathBuf, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let (folder, file) = self.request_file(path)?;
        let _lock = self.lock_devices()?;
        let request = read_request(&file)?;
        self.add_request(&folder, &request)
    }

    /// Gives the request at `path` the name `name`; its file follows the
    /// name (`new-name.json`) unless that file is taken. A name another
    /// request of the folder has is refused. Returns the request's path.
    pub fn rename_request(&self, path: &Path, name: &str) -> Result<PathBuf, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let name = check_request_name(name)?;
        let (folder, file) = self.request_file(path)?;
        let _lock = self.lock_devices()?;
        let request = read_request(&file)?;
        if request.name == name {
            return Ok(self.relative(&file));
        }
        let dir = self.dir().join(&folder);
        let others = names_in(&dir, Some(&file))?;
        if others.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(name_taken(&name, &folder));
        }
        let stem = slug(&name);
        let text = encode(&SavedRequest { name, ..request })?;
        if file_stem(&file) == stem {
            files::write(&file, text.as_bytes())?;
            return Ok(self.relative(&file));
        }
        let new = write_fresh(&dir, &stem, text.as_bytes())?;
        remove_file(&file)?;
        Ok(self.relative(&new))
    }

    /// Moves the request at `path` into `folder` (created if need be),
    /// byte for byte. A name taken there is refused. Returns the new path.
    pub fn move_request(&self, path: &Path, folder: &str) -> Result<PathBuf, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let (from, file) = self.request_file(path)?;
        self.check_folder(folder)?;
        if from == folder {
            return Ok(self.relative(&file));
        }
        let _lock = self.lock_devices()?;
        let bytes = files::read(&file)?
            .ok_or_else(|| unreadable(&file, &io::Error::from(io::ErrorKind::NotFound)))?;
        let request = read_request(&file)?;
        let dir = self.dir().join(folder);
        if names_in(&dir, None)?
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&request.name))
        {
            return Err(name_taken(&request.name, folder));
        }
        let new = write_fresh(&dir, &file_stem(&file), &bytes)?;
        remove_file(&file)?;
        Ok(self.relative(&new))
    }

    /// Renames the folder `folder` to `name`, within its parent. Returns
    /// its new path.
    pub fn rename_folder(&self, folder: &str, name: &str) -> Result<String, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let parent = parent_of(folder);
        let target = join(parent, check_folder_name(name)?);
        self.move_folder_to(folder, &target)
    }

    /// Moves the folder `folder` (with everything in it) into `parent`
    /// (empty: the top). Returns its new path.
    pub fn move_folder(&self, folder: &str, parent: &str) -> Result<String, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let name = folder.rsplit('/').next().unwrap_or(folder);
        let target = join(parent, name);
        if target == folder {
            return Ok(target);
        }
        if parent == folder || parent.starts_with(&format!("{folder}/")) {
            return Err(Failure::usage(
                format!("cannot move folder {folder:?} into itself"),
                "Choose a folder outside the one being moved.",
            ));
        }
        self.check_folder(parent)?;
        self.move_folder_to(folder, &target)
    }

    fn move_folder_to(&self, folder: &str, target: &str) -> Result<String, Failure> {
        let dir = self.existing_folder(folder)?;
        self.check_folder(target)?;
        let depth = target.split('/').count() + depth_below(&dir)?;
        if depth > MAX_DEPTH {
            return Err(Failure::usage(
                format!("{target:?} would hold folders {depth} deep"),
                format!("Saved requests may be at most {MAX_DEPTH} folders deep."),
            ));
        }
        let _lock = self.lock_devices()?;
        let to = self.dir().join(target);
        self.refuse_taken(&to, target)?;
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| unwritable(parent, &e))?;
        }
        fs::rename(&dir, &to).map_err(|e| unwritable(&to, &e))?;
        Ok(target.to_string())
    }

    /// Deletes the request at `path` (the file only, never a link's target).
    pub fn delete_saved(&self, path: &Path) -> Result<(), Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let (_, file) = self.request_file(path)?;
        let _lock = self.lock_devices()?;
        remove_file(&file)
    }

    /// Deletes the folder `folder` and the saved requests and folders in
    /// it. Anything else inside (a link, another file, a request that does
    /// not read) is refused before anything is deleted. Returns how many
    /// requests went.
    pub fn delete_folder(&self, folder: &str) -> Result<usize, Failure> {
        crate::core::ui_thread::assert_not_in_frame("workspace files");
        let dir = self.existing_folder(folder)?;
        let _lock = self.lock_devices()?;
        let mut requests = Vec::new();
        let mut folders = vec![dir.clone()];
        list_for_delete(&dir, &mut requests, &mut folders)?;
        for file in &requests {
            remove_file(file)?;
        }
        // Deepest first; a folder that gained a file meanwhile stays.
        for sub in folders.iter().rev() {
            fs::remove_dir(sub).map_err(|e| unwritable(sub, &e))?;
        }
        Ok(requests.len())
    }

    /// Saves `request` as a new file of `folder`, `NAME (2)` when taken.
    fn add_request(&self, folder: &str, request: &SavedRequest) -> Result<PathBuf, Failure> {
        let added = self.import_requests(&[(folder.to_string(), request.clone())])?;
        let file = added.files.into_iter().next().ok_or_else(|| {
            Failure::usage(format!("{:?} was not saved", request.name), "Try again.")
        })?;
        Ok(self.relative(&file))
    }

    /// The folder and absolute file of the request at `path` (relative to
    /// the workspace): a `.json` file in a valid folder, and a regular
    /// file, not a link.
    fn request_file(&self, path: &Path) -> Result<(String, PathBuf), Failure> {
        let invalid = || {
            Failure::usage(
                format!("{} is not a saved request of the workspace", path.display()),
                "Saved requests are the .json files below the workspace (not devices.json).",
            )
        };
        let mut segments = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(s) => segments.push(s.to_str().ok_or_else(invalid)?),
                _ => return Err(invalid()),
            }
        }
        let (file_name, folders) = segments.split_last().ok_or_else(invalid)?;
        let is_request = file_name.ends_with(".json")
            && !file_name.starts_with('.')
            && !(folders.is_empty() && *file_name == DEVICES_FILE);
        if !is_request {
            return Err(invalid());
        }
        let folder = folders.join("/");
        self.check_folder(&folder)?;
        let file = self.dir().join(path);
        let meta = fs::symlink_metadata(&file).map_err(|e| unreadable(&file, &e))?;
        if !meta.is_file() {
            return Err(unreadable(&file, &NotRegular::of(&meta).into()));
        }
        Ok((folder, file))
    }

    /// The folder `folder` on disk: a valid, non-top folder that is a real
    /// folder, not a link.
    fn existing_folder(&self, folder: &str) -> Result<PathBuf, Failure> {
        self.check_folder(folder)?;
        if folder.is_empty() {
            return Err(Failure::usage(
                "the top of the workspace is not a folder to change",
                "Choose a folder of saved requests.",
            ));
        }
        let dir = self.dir().join(folder);
        let meta = fs::symlink_metadata(&dir).map_err(|e| unreadable(&dir, &e))?;
        if !meta.is_dir() {
            return Err(unreadable(&dir, &NotRegular::of(&meta).into()));
        }
        Ok(dir)
    }

    /// An error when something (a link included) is at `path` already.
    fn refuse_taken(&self, path: &Path, folder: &str) -> Result<(), Failure> {
        if fs::symlink_metadata(path).is_ok() {
            return Err(Failure::usage(
                format!("{folder:?} already exists"),
                "Choose another name; nothing was changed.",
            ));
        }
        Ok(())
    }

    fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.dir()).unwrap_or(path).to_path_buf()
    }
}

/// A request name: trimmed, not empty, no control character.
fn check_request_name(name: &str) -> Result<String, Failure> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Failure::usage(
            format!("invalid request name {name:?}"),
            "A request name is some text on one line.",
        ));
    }
    Ok(name.to_string())
}

/// One folder name: no separator, not `.` or `..`, not hidden.
fn check_folder_name(name: &str) -> Result<&str, Failure> {
    let name = name.trim();
    let bad = name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(Failure::usage(
            format!("invalid folder name {name:?}"),
            "A folder name has no '/' or '\\' and does not start with '.'.",
        ));
    }
    Ok(name)
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

fn parent_of(folder: &str) -> &str {
    folder.rsplit_once('/').map_or("", |(parent, _)| parent)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn name_taken(name: &str, folder: &str) -> Failure {
    let place = if folder.is_empty() {
        "the top level".to_string()
    } else {
        format!("{folder:?}")
    };
    Failure::usage(
        format!("a request named {name:?} is already in {place}"),
        "Choose another name; nothing was changed.",
    )
}

/// The names of the requests in `dir` (absent: none), but `except`'s.
fn names_in(dir: &Path, except: Option<&Path>) -> Result<Vec<String>, Failure> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(dir, &e)),
    };
    let mut names = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let file = entry.file_name().to_string_lossy().into_owned();
        let request = file.ends_with(".json") && !file.starts_with('.') && file != DEVICES_FILE;
        if request
            && Some(path.as_path()) != except
            && let Ok(r) = read_request(&path)
        {
            names.push(r.name);
        }
    }
    Ok(names)
}

/// Writes `bytes` to the first free `stem.json`, `stem-2.json`, ... in
/// `dir` (created if need be), never replacing a file.
fn write_fresh(dir: &Path, stem: &str, bytes: &[u8]) -> Result<PathBuf, Failure> {
    for n in 1..10_000 {
        let file = if n == 1 {
            format!("{stem}.json")
        } else {
            format!("{stem}-{n}.json")
        };
        if file == DEVICES_FILE {
            continue;
        }
        let path = dir.join(file);
        match atomic::write_new(&path, bytes) {
            Ok(true) => return Ok(path),
            Ok(false) => {}
            Err(e) => return Err(unwritable(&path, &e)),
        }
    }
    Err(Failure::usage(
        format!("no free file name for {stem} in {}", dir.display()),
        "",
    ))
}

/// Removes a regular file (a link is refused, never followed).
fn remove_file(path: &Path) -> Result<(), Failure> {
    let meta = fs::symlink_metadata(path).map_err(|e| unwritable(path, &e))?;
    if !meta.is_file() {
        return Err(unwritable(path, &NotRegular::of(&meta).into()));
    }
    fs::remove_file(path).map_err(|e| unwritable(path, &e))
}

/// How many folders deep `dir`'s subfolders go (0: none), links not followed.
fn depth_below(dir: &Path) -> Result<usize, Failure> {
    let mut deepest = 0;
    for entry in fs::read_dir(dir).map_err(|e| unreadable(dir, &e))? {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            deepest = deepest.max(1 + depth_below(&entry.path())?);
        }
    }
    Ok(deepest)
}

/// Lists what deleting `dir` removes: saved requests (regular `.json`
/// files that read as requests) and folders (parents first). Anything else
/// is an error naming it.
fn list_for_delete(
    dir: &Path,
    requests: &mut Vec<PathBuf>,
    folders: &mut Vec<PathBuf>,
) -> Result<(), Failure> {
    let entries = fs::read_dir(dir).map_err(|e| unreadable(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| unreadable(&path, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() {
            folders.push(path.clone());
            list_for_delete(&path, requests, folders)?;
        } else if kind.is_file() && name.ends_with(".json") && read_request(&path).is_ok() {
            requests.push(path);
        } else {
            let what = if kind.is_symlink() {
                "a symbolic link"
            } else {
                "not a saved request"
            };
            return Err(Failure::usage(
                format!("{}: {what}; the folder was not deleted", path.display()),
                "apx deletes only the saved requests and folders it wrote. Move this out first; nothing was deleted.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        (dir, ws)
    }

    /// Every file below the workspace (but the lock and .gitignore), with
    /// its bytes.
    fn snapshot(ws: &Workspace) -> Vec<(String, Vec<u8>)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                if rel == ".gitignore" || rel == files::DEVICES_LOCK {
                    continue;
                }
                let meta = fs::symlink_metadata(&path).unwrap();
                if meta.is_dir() {
                    out.push((format!("{rel}/"), Vec::new()));
                    walk(root, &path, out);
                } else {
                    out.push((rel, fs::read(&path).unwrap_or_default()));
                }
            }
        }
        let mut out = Vec::new();
        walk(ws.dir(), ws.dir(), &mut out);
        out.sort();
        out
    }

    fn names(ws: &Workspace) -> Vec<(String, String)> {
        ws.collections()
            .requests
            .into_iter()
            .map(|e| (e.folder, e.request.name))
            .collect()
    }

    #[test]
    fn new_requests_and_folders_never_overwrite() {
        let (_dir, ws) = workspace();
        assert_eq!(
            ws.new_request("ASA", "Show version").unwrap(),
            Path::new("ASA/show-version.json")
        );
        assert_eq!(
            ws.new_request("ASA", "Show version").unwrap(),
            Path::new("ASA/show-version-2.json")
        );
        assert_eq!(
            names(&ws),
            [
                ("ASA".into(), "Show version (2)".into()),
                ("ASA".into(), "Show version".into())
            ],
            "show-version-2.json sorts first"
        );
        assert_eq!(ws.new_folder("ASA", "Reports").unwrap(), "ASA/Reports");
        assert!(ws.dir().join("ASA/Reports").is_dir());
        let before = snapshot(&ws);
        for bad in ["", "a/b", "..", ".hidden", "a\\b"] {
            assert!(ws.new_folder("ASA", bad).is_err(), "{bad:?}");
        }
        assert!(ws.new_folder("ASA", "Reports").is_err());
        assert!(ws.new_folder("../out", "x").is_err());
        assert!(ws.new_request("..", "x").is_err());
        assert!(ws.new_request("ASA", " ").is_err());
        assert_eq!(snapshot(&ws), before);
    }

    #[test]
    fn rename_and_duplicate_requests() {
        let (_dir, ws) = workspace();
        let first = ws.new_request("ASA", "One").unwrap();
        ws.new_request("ASA", "Two").unwrap();
        let copy = ws.duplicate_request(&first).unwrap();
        assert_eq!(copy, Path::new("ASA/one-2.json"));
        assert_eq!(ws.load_request(&copy).unwrap().name, "One (2)");
        let before = snapshot(&ws);
        let err = ws.rename_request(&first, "two").unwrap_err();
        assert!(err.message.contains("already"), "{}", err.message);
        assert_eq!(snapshot(&ws), before);
        let renamed = ws.rename_request(&first, "Three").unwrap();
        assert_eq!(renamed, Path::new("ASA/three.json"));
        assert!(!ws.dir().join(&first).exists());
        assert_eq!(ws.load_request(&renamed).unwrap().name, "Three");
        // Only the case changes: the file stays.
        assert_eq!(ws.rename_request(&renamed, "THREE").unwrap(), renamed);
        assert_eq!(ws.load_request(&renamed).unwrap().name, "THREE");
        for bad in ["../devices.json", "/etc/passwd.json", "devices.json", "ASA"] {
            assert!(ws.rename_request(Path::new(bad), "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn moves_keep_bytes_and_refuse_clashes() {
        let (_dir, ws) = workspace();
        let path = ws.new_request("ASA", "One").unwrap();
        let bytes = fs::read(ws.dir().join(&path)).unwrap();
        let moved = ws.move_request(&path, "Lab/DC1").unwrap();
        assert_eq!(moved, Path::new("Lab/DC1/one.json"));
        assert_eq!(fs::read(ws.dir().join(&moved)).unwrap(), bytes);
        assert!(!ws.dir().join(&path).exists());
        ws.new_request("ASA", "One").unwrap();
        let before = snapshot(&ws);
        assert!(ws.move_request(&moved, "ASA").is_err());
        assert!(ws.move_folder("Lab", "Lab/DC1").is_err());
        assert!(ws.move_folder("Lab", "ASA/../x").is_err());
        assert_eq!(snapshot(&ws), before);
        assert_eq!(ws.move_folder("Lab/DC1", "ASA").unwrap(), "ASA/DC1");
        assert_eq!(ws.rename_folder("ASA/DC1", "DC2").unwrap(), "ASA/DC2");
        assert!(ws.rename_folder("ASA/DC2", "..").is_err());
        assert_eq!(
            names(&ws),
            [
                ("ASA".into(), "One".into()),
                ("ASA/DC2".into(), "One".into())
            ]
        );
    }

    #[test]
    fn folders_too_deep_once_moved_are_refused() {
        let (_dir, ws) = workspace();
        let deep: Vec<String> = (0..MAX_DEPTH).map(|i| format!("d{i}")).collect();
        ws.new_request(&deep.join("/"), "Deep").unwrap();
        ws.new_folder("", "Other").unwrap();
        let err = ws.move_folder("d0", "Other").unwrap_err();
        assert!(err.message.contains("deep"), "{}", err.message);
        assert!(ws.dir().join("d0").is_dir());
    }

    #[test]
    fn deleting_removes_only_what_apx_wrote() {
        let (_dir, ws) = workspace();
        let one = ws.new_request("Lab/DC1", "One").unwrap();
        ws.new_request("Lab", "Two").unwrap();
        ws.new_request("Keep", "Three").unwrap();
        ws.delete_saved(&one).unwrap();
        assert!(!ws.dir().join(&one).exists());
        assert!(ws.delete_saved(&one).is_err());
        fs::write(ws.dir().join("Lab/DC1/notes.txt"), "mine").unwrap();
        let before = snapshot(&ws);
        let err = ws.delete_folder("Lab").unwrap_err();
        assert!(err.message.contains("notes.txt"), "{}", err.message);
        assert_eq!(snapshot(&ws), before);
        fs::remove_file(ws.dir().join("Lab/DC1/notes.txt")).unwrap();
        assert_eq!(ws.delete_folder("Lab").unwrap(), 1);
        assert!(!ws.dir().join("Lab").exists());
        assert_eq!(names(&ws), [("Keep".into(), "Three".into())]);
        assert!(ws.delete_folder("").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed() {
        let (_dir, ws) = workspace();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("secret.json");
        fs::write(&target, "{}").unwrap();
        ws.new_request("Lab", "One").unwrap();
        std::os::unix::fs::symlink(&target, ws.dir().join("Lab/link.json")).unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.dir().join("Out")).unwrap();
        for result in [
            ws.delete_saved(Path::new("Lab/link.json")).map(drop),
            ws.rename_request(Path::new("Lab/link.json"), "x").map(drop),
            ws.delete_folder("Out").map(drop),
            ws.delete_folder("Lab").map(drop),
            ws.new_request("Out", "x").map(drop),
            ws.move_request(Path::new("Lab/one.json"), "Out").map(drop),
            ws.rename_folder("Out", "In").map(drop),
        ] {
            let err = result.unwrap_err();
            assert!(err.message.contains("link"), "{}", err.message);
        }
        assert_eq!(fs::read(&target).unwrap(), b"{}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 1);
        assert!(ws.dir().join("Lab/one.json").is_file());
    }
}
