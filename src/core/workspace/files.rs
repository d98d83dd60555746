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

/// Opens without following a link at `path` (`O_NOFOLLOW` on Unix, the
/// reparse point itself on Windows), and only a regular file: a link, a
/// FIFO or a device is refused, not followed or waited on. A new file is
/// 0600 on Unix; on Windows it takes the folder's inherited ACL (in the
/// user's profile: the user, SYSTEM and Administrators only).
fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        /// `FILE_FLAG_OPEN_REPARSE_POINT` (winbase.h): open a symbolic link
        /// or junction itself, whose metadata then says it is no file.
        const OPEN_REPARSE_POINT: u32 = 0x0020_0000;
        options.custom_flags(OPEN_REPARSE_POINT);
    }
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

/// These run on Linux and (cross-built, under wine in `.ci/run`) Windows.
#[cfg(test)]
mod tests {
    use super::*;

    /// A symbolic link to a file, as each system makes one.
    fn link_file(target: &Path, link: &Path) -> io::Result<()> {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, link);
        #[cfg(windows)]
        return std::os::windows::fs::symlink_file(target, link);
    }

    #[test]
    fn a_link_is_neither_read_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.txt");
        fs::write(&target, b"not for apx").unwrap();
        let link = dir.path().join("devices.json");
        link_file(&target, &link)
            .expect("a symbolic link (on Windows: Developer Mode or an administrator)");
        for failure in [
            read(&link).unwrap_err(),
            open_append(&link).unwrap_err(),
            open_lock(&link).unwrap_err(),
            write(&link, b"x").unwrap_err(),
        ] {
            assert!(
                failure.message.contains("a symbolic link"),
                "{}",
                failure.message
            );
        }
        assert_eq!(fs::read(&target).unwrap(), b"not for apx");
    }

    #[test]
    fn a_new_file_is_private_and_keeps_its_line_endings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.json");
        write(&path, b"{\n}\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\n}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
    }

    #[test]
    fn the_device_lock_excludes_a_second_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEVICES_LOCK);
        let first = open_lock(&path).unwrap();
        first.lock().unwrap();
        let second = open_lock(&path).unwrap();
        assert!(matches!(
            second.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        drop(first);
        second.try_lock().unwrap();
    }
}
