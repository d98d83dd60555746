//! Atomic file writes: a temporary file in the same folder, then a rename,
//! so that readers see the old content or the new, never a partial one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file being written beside its destination; it replaces the destination
/// only when committed, and vanishes if dropped before (a failed download
/// leaves the previous file as it was).
pub struct Replacement {
    temp: Option<tempfile::TempPath>,
    path: PathBuf,
}

impl Replacement {
    /// Creates the temporary file (and missing folders). A destination that
    /// exists and is not a regular file (`/dev/null`, a FIFO) is written in
    /// place: renaming over it would replace the device.
    pub fn create(path: &Path) -> io::Result<(fs::File, Replacement)> {
        if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            let file = fs::OpenOptions::new().write(true).open(path)?;
            let pending = Replacement {
                temp: None,
                path: path.to_path_buf(),
            };
            return Ok((file, pending));
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir)?;
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
        let (file, temp) = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".tmp")
            .tempfile_in(dir)?
            .into_parts();
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

/// Writes `bytes` to `path` atomically (synced before the rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (mut file, pending) = Replacement::create(path)?;
    file.write_all(bytes)?;
    if pending.temp.is_some() {
        file.sync_all()?;
    }
    pending.commit()
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
