//! The workspace's own files. A workspace may come from elsewhere (a `git
//! clone`), so a file in it is never opened or written through a symbolic
//! link: a link could point at `~/.bashrc`. Files that may hold request
//! data (saved requests, `devices.json`, the history) are created readable
//! by their owner only; an existing file keeps its permissions.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use super::atomic::{self, NotRegular};
use crate::core::error::Failure;
use crate::core::history::HISTORY_FILE;

/// The lock file that serialises changes to `devices.json`.
pub const DEVICES_LOCK: &str = ".devices.lock";

/// Opens `path` to read and append, creating it (owner-only) when absent.
pub fn open_append(path: &Path) -> Result<File, Failure> {
    open(
        path,
        OpenOptions::new().read(true).append(true).create(true),
    )
    .map_err(|e| unwritable(path, &e))
}

/// The largest workspace file apx reads (a full history is about 35 MB);
/// anything larger is refused rather than read into memory.
pub const MAX_FILE: u64 = 128 << 20;

/// The content of `path`; `Ok(None)` when there is no such file. A file
/// over [`MAX_FILE`] is refused.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, Failure> {
    let file = match open(path, OpenOptions::new().read(true)) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(path, &e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Failure::usage(
            format!(
                "{}: larger than {} MiB, not read",
                path.display(),
                MAX_FILE >> 20
            ),
            "This is not a file apx wrote; move it out of the workspace.",
        ));
    }
    Ok(Some(bytes))
}

/// Opens (creating) `path` to hold a lock on it.
pub fn open_lock(path: &Path) -> Result<File, Failure> {
    open(path, OpenOptions::new().write(true).create(true)).map_err(|e| unwritable(path, &e))
}

/// Writes `path` atomically; a new file is owner-only.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    atomic::write_private(path, bytes).map_err(|e| unwritable(path, &e))
}

/// Gives the workspace in `dir` a `.gitignore` naming the history (and the
/// lock file) when it has none. An existing `.gitignore` is the user's and
/// is never changed.
pub fn ensure_gitignore(dir: &Path) -> Result<(), Failure> {
    let path = dir.join(".gitignore");
    let ignored = format!("{HISTORY_FILE}\n{DEVICES_LOCK}\n");
    atomic::write_new(&path, ignored.as_bytes())
        .map(drop)
        .map_err(|e| unwritable(&path, &e))
}

/// Opens without following a link at `path` (`O_NOFOLLOW` on Unix), and
/// only a regular file: a FIFO or device is refused, not waited on.
fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    refuse_irregular(path)?;
    match options.open(path) {
        Ok(file) => {
            let meta = file.metadata()?;
            if meta.is_file() {
                Ok(file)
            } else {
                Err(NotRegular::of(&meta).into())
            }
        }
        // A link gives ELOOP (EMLINK on some systems): say what it is.
        Err(e) => Err(refuse_irregular(path).err().unwrap_or(e)),
    }
}

/// An error when something other than a regular file is at `path`.
fn refuse_irregular(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_file() => Err(NotRegular::of(&meta).into()),
        _ => Ok(()),
    }
}

/// "cannot write …", saying so when the file is a link.
pub(super) fn unwritable(path: &Path, e: &io::Error) -> Failure {
    refused(path, e).unwrap_or_else(|| {
        Failure::usage(
            format!("cannot write {}: {e}", path.display()),
            "Check the folder exists and is writable.",
        )
    })
}

/// "cannot read …", saying so when the file is a link.
pub(super) fn unreadable(path: &Path, e: &io::Error) -> Failure {
    refused(path, e).unwrap_or_else(|| {
        Failure::usage(
            format!("cannot read {}: {e}", path.display()),
            "Check the path and its permissions.",
        )
    })
}

fn refused(path: &Path, e: &io::Error) -> Option<Failure> {
    let reason = NotRegular::in_error(e)?;
    Some(Failure::usage(
        format!(
            "{}: {reason}; apx does not follow links in a workspace",
            path.display()
        ),
        "A workspace may come from elsewhere (a git clone), and a link in it can point anywhere. Replace it with a regular file or folder.",
    ))
}

/// The problem for a link met while walking the workspace: not followed.
pub(super) fn link_skipped(path: &Path) -> Failure {
    Failure::usage(
        format!("{}: a symbolic link, skipped", path.display()),
        "apx does not follow links in a workspace (a link can point anywhere, or loop). Copy the folder or file in instead.",
    )
}
