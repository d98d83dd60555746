//! Atomic file writes: a temporary file in the same folder, then a rename,
//! so that readers see the old content or the new, never a partial one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file being written beside its destination; it replaces the destination
/// only when committed, and vanishes if dropped before (a failed download
/// leaves the previous file as it was). Readers see the old file or the
/// whole new one; only [`write_atomic`] also syncs it to disk first.
pub struct Replacement {
    temp: Option<tempfile::TempPath>,
    path: PathBuf,
}

impl Replacement {
    /// Creates the temporary file (and missing folders), with the
    /// permissions of the file it replaces, or the umask's for a new one.
    /// A destination that exists but is not a regular file (a symbolic link,
    /// `/dev/stdout`, a FIFO) is written through in place: renaming over it
    /// would replace the link or the device itself.
    pub fn create(path: &Path) -> io::Result<(fs::File, Replacement)> {
        let existing = fs::symlink_metadata(path).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            let pending = Replacement {
                temp: None,
                path: path.to_path_buf(),
            };
            return Ok((file, pending));
        }
        // As `File::create` would (tempfile's own default is 0600).
        let (file, temp) = temp_beside(path, existing.as_ref(), 0o666)?;
        let pending = Replacement {
            temp: Some(temp),
            path: path.to_path_buf(),
        };
        Ok((file, pending))
    }

    /// Puts the written file in place of the destination.
    pub fn commit(self) -> io::Result<()> {
        match self.temp {
            Some(temp) => temp.persist(&self.path).map_err(|e| e.error),
            None => Ok(()),
        }
    }
}

/// The temporary file beside `path` (missing folders created), with the
/// permissions of `existing`, or else `new_mode` less the umask (Unix).
fn temp_beside(
    path: &Path,
    existing: Option<&fs::Metadata>,
    #[cfg_attr(not(unix), allow(unused_variables))] new_mode: u32,
) -> io::Result<(fs::File, tempfile::TempPath)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(new_mode));
    }
    let (file, temp) = builder.tempfile_in(dir)?.into_parts();
    if let Some(old) = existing {
        fs::set_permissions(&temp, old.permissions())?;
    }
    Ok((file, temp))
}

/// Writes `bytes` to `path` atomically (synced before the rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (file, pending) = Replacement::create(path)?;
    finish(file, pending, bytes)
}

/// As [`write_atomic`], for a file that may hold request data: a new file
/// is readable by its owner only (0600 on Unix), and a destination that is
/// a symbolic link or not a regular file is refused with [`NotRegular`],
/// never written through. The rename replaces whatever is at `path` by
/// then (a link put there meanwhile, never its target).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let existing = fs::symlink_metadata(path).ok();
    if let Some(meta) = existing.as_ref().filter(|m| !m.is_file()) {
        return Err(NotRegular::of(meta).into());
    }
    let (file, temp) = temp_beside(path, existing.as_ref(), 0o600)?;
    let pending = Replacement {
        temp: Some(temp),
        path: path.to_path_buf(),
    };
    finish(file, pending, bytes)
}

/// Writes `bytes` to `path` unless something (a link included) is there
/// already, which is left untouched. Atomic: the file appears whole or
/// not at all, readable by its owner only (0600 on Unix). Returns whether
/// it was written.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if fs::symlink_metadata(path).is_ok() {
        return Ok(false);
    }
    let (mut file, temp) = temp_beside(path, None, 0o600)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    match temp.persist_noclobber(path) {
        Ok(()) => Ok(true),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

fn finish(mut file: fs::File, pending: Replacement, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    if pending.temp.is_some() {
        file.sync_all()?;
    }
    pending.commit()
}

/// Why a file was neither written nor opened: it is a symbolic link, a
/// folder or a special file, where a regular file was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotRegular(&'static str);

impl NotRegular {
    pub fn of(meta: &fs::Metadata) -> NotRegular {
        let kind = meta.file_type();
        NotRegular(if kind.is_symlink() {
            "a symbolic link"
        } else if kind.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        })
    }

    /// The reason behind `error`, when it is one.
    pub fn in_error(error: &io::Error) -> Option<NotRegular> {
        error.get_ref()?.downcast_ref::<NotRegular>().copied()
    }
}

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "it is {}", self.0)
    }
}

impl std::error::Error for NotRegular {}

impl From<NotRegular> for io::Error {
    fn from(reason: NotRegular) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_new_file_never_replaces_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        assert!(write_new(&path, b"first").unwrap());
        assert!(!write_new(&path, b"second").unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"first");
        #[cfg(unix)]
        {
            let link = dir.path().join("dangling.json");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
            assert!(!write_new(&link, b"x").unwrap());
            assert!(!dir.path().join("nowhere").exists());
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn an_uncommitted_replacement_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body.json");
        fs::write(&path, b"previous").unwrap();
        let (mut file, pending) = Replacement::create(&path).unwrap();
        file.write_all(b"partial").unwrap();
        drop(pending);
        assert_eq!(fs::read(&path).unwrap(), b"previous");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"through the link").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"through the link");
        write_atomic(&target, b"replaced").unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let fresh = dir.path().join("fresh.json");
        write_atomic(&fresh, b"new").unwrap();
        let mode = fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044 & !umask(), "{mode:o}");
    }

    /// The process's umask, as `File::create` shows it.
    #[cfg(unix)]
    fn umask() -> u32 {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        fs::File::create(&probe).unwrap();
        !fs::metadata(&probe).unwrap().permissions().mode() & 0o666
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
}
