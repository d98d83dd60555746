//! Many saved requests added at once (an import). Each target folder is
//! listed once, so the request names and file names it holds are known; a
//! request whose name is taken there is saved as `NAME (2)` (the next free
//! number), and each request gets a new file, written atomically, never
//! replacing one. The work grows with the number of requests and files,
//! however many share a name.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::PathBuf;

use super::collections::{encode, read_request, slug};
use super::files::{ensure_gitignore, unreadable, unwritable};
use super::saved::SavedRequest;
use super::{DEVICES_FILE, Workspace, atomic};
use crate::core::error::Failure;

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// One new file per request, in the order given.
    pub files: Vec<PathBuf>,
    /// The requests saved under another name than their own, because
    /// their folder already had a request of that name.
    pub renamed: Vec<Renamed>,
}

/// A request saved as `to` because `from` was taken in `folder`.
#[derive(Debug, Clone, PartialEq)]
pub struct Renamed {
    pub folder: String,
    pub from: String,
    pub to: String,
}

impl Workspace {
    /// Saves each `(folder, request)` as a new file. Every folder is checked
    /// before anything is written; should a write fail, the requests before
    /// it stay saved (the failure says how many).
    pub fn import_requests(
        &self,
        requests: &[(String, SavedRequest)],
    ) -> Result<Imported, Failure> {
        for (folder, request) in requests {
            self.check_folder(folder)?;
            if request.name.trim().is_empty() {
                return Err(Failure::usage(
                    "a saved request needs a name",
                    "Give the request a name before saving it.",
                ));
            }
        }
        if !requests.is_empty() {
            fs::create_dir_all(self.dir()).map_err(|e| unwritable(self.dir(), &e))?;
            ensure_gitignore(self.dir())?;
        }
        let mut folders: HashMap<&str, Folder> = HashMap::new();
        let mut imported = Imported::default();
        for (folder_name, request) in requests {
            let folder = match folders.entry(folder_name) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(Folder::list(self.dir().join(folder_name))?),
            };
            let name = folder
                .names
                .claim(&request.name, |n| format!("{} ({n})", request.name));
            if name != request.name {
                imported.renamed.push(Renamed {
                    folder: folder_name.clone(),
                    from: request.name.clone(),
                    to: name.clone(),
                });
            }
            let request = SavedRequest {
                name,
                ..request.clone()
            };
            let path = folder.write(&request).map_err(|failure| Failure {
                hint: format!(
                    "{} {} of the {} requests were saved before this one.",
                    failure.hint,
                    imported.files.len(),
                    requests.len()
                ),
                ..failure
            })?;
            imported.files.push(path);
        }
        Ok(imported)
    }
}

/// One target folder: the request names and file names it holds.
struct Folder {
    dir: PathBuf,
    names: FreeNames,
    files: FreeNames,
}

impl Folder {
    /// Lists `dir` (absent: empty), reading each request file once for its
    /// name. A file that cannot be read keeps its file name all the same.
    fn list(dir: PathBuf) -> Result<Folder, Failure> {
        let mut folder = Folder {
            names: FreeNames::default(),
            files: FreeNames::default(),
            dir,
        };
        folder.files.take(DEVICES_FILE);
        let entries = match fs::read_dir(&folder.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(folder),
            Err(e) => return Err(unreadable(&folder.dir, &e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| unreadable(&folder.dir, &e))?;
            let file = entry.file_name().to_string_lossy().into_owned();
            let request_file = file.ends_with(".json") && !file.starts_with('.');
            if request_file
                && file != DEVICES_FILE
                && let Ok(request) = read_request(&entry.path())
            {
                folder.names.take(&request.name);
            }
            folder.files.take(&file);
        }
        Ok(folder)
    }

    /// Writes `request` to a new file named for it (`slug.json`,
    /// `slug-2.json`, …); a file that appears meanwhile is left alone and
    /// the next name tried.
    fn write(&mut self, request: &SavedRequest) -> Result<PathBuf, Failure> {
        let text = encode(request)?;
        let base = slug(&request.name);
        loop {
            let file = self
                .files
                .claim(&format!("{base}.json"), |n| format!("{base}-{n}.json"));
            let path = self.dir.join(file);
            match atomic::write_new(&path, text.as_bytes()) {
                Ok(true) => return Ok(path),
                Ok(false) => continue,
                Err(e) => return Err(unwritable(&path, &e)),
            }
        }
    }
}

/// Names taken in one folder, compared case-insensitively, and for each
/// name claimed the next number to try: claiming one name many times tries
/// each number once.
#[derive(Default)]
struct FreeNames {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl FreeNames {
    /// Marks `name` taken; false when it already was.
    fn take(&mut self, name: &str) -> bool {
        self.taken.insert(name.to_lowercase())
    }

    /// `first` when free, else the first free `numbered(n)` for n = 2, 3, …;
    /// marks it taken.
    fn claim(&mut self, first: &str, numbered: impl Fn(usize) -> String) -> String {
        if self.take(first) {
            return first.to_string();
        }
        let key = first.to_lowercase();
        let mut n = self.next.get(&key).copied().unwrap_or(2);
        loop {
            let candidate = numbered(n);
            n += 1;
            if self.take(&candidate) {
                self.next.insert(key, n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn request(name: &str, url: &str) -> SavedRequest {
        SavedRequest::get(name, url)
    }

    /// Claiming one name n times tries each number once: the work grows
    /// with n, not n².
    #[test]
    fn claiming_one_name_many_times_is_linear() {
        for count in [100, 1000] {
            let mut names = FreeNames::default();
            names.take("same (7)");
            let tries = Cell::new(0);
            let numbered = |n: usize| {
                tries.set(tries.get() + 1);
                format!("Same ({n})")
            };
            let claimed: Vec<String> = (0..count).map(|_| names.claim("Same", numbered)).collect();
            assert_eq!(claimed[0], "Same");
            assert_eq!(claimed[1], "Same (2)");
            assert_eq!(claimed[6], "Same (8)");
            assert_eq!(claimed[count - 1], format!("Same ({})", count + 1));
            assert!(
                tries.get() <= count,
                "{count} claims took {} tries",
                tries.get()
            );
        }
    }

    #[test]
    fn names_and_files_already_there_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        let old = ws.save_request("Lab", &request("Same", "/old")).unwrap();
        std::fs::write(dir.path().join("Lab/same-2.json"), "not a request").unwrap();
        let requests: Vec<(String, SavedRequest)> = ["Same", "SAME", "Other", "Same"]
            .iter()
            .enumerate()
            .map(|(i, name)| ("Lab".to_string(), request(name, &format!("/new/{i}"))))
            .collect();
        let imported = ws.import_requests(&requests).unwrap();
        let files: Vec<String> = imported
            .files
            .iter()
            .map(|f| f.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            files,
            [
                "Lab/same-2-2.json",
                "Lab/same-3.json",
                "Lab/other.json",
                "Lab/same-4.json"
            ]
        );
        let renamed: Vec<(&str, &str)> = imported
            .renamed
            .iter()
            .map(|r| (r.from.as_str(), r.to.as_str()))
            .collect();
        assert_eq!(
            renamed,
            [
                ("Same", "Same (2)"),
                ("SAME", "SAME (3)"),
                ("Same", "Same (4)")
            ]
        );
        assert_eq!(ws.load_request(&old).unwrap().url, "/old");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("Lab/same-2.json")).unwrap(),
            "not a request"
        );
        let loaded = ws.load_request(&imported.files[3]).unwrap();
        assert_eq!(
            (loaded.name.as_str(), loaded.url.as_str()),
            ("Same (4)", "/new/3")
        );
    }

    #[test]
    fn folders_are_checked_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        for (folder, name) in [("ok/.hidden", "r"), ("a//b", "r"), ("ok", " ")] {
            let requests = [
                ("ok".to_string(), request("first", "/")),
                (folder.to_string(), request(name, "/")),
            ];
            assert!(
                ws.import_requests(&requests).is_err(),
                "{folder:?} {name:?}"
            );
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }
}
