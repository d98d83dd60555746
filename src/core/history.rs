//! The history of sent requests: `<workspace>/.history.jsonl`, one JSON
//! object per line, newest last. Holds what reopening a request needs (its
//! own headers and body, the response's status, headers and body) but no
//! credential: no credential header, session tokens redacted, bodies only
//! up to [`MAX_BODY`] bytes. Only the newest
//! [`KEEP`] entries are kept: the file is compacted (atomically) once it
//! grows past [`COMPACT_AFTER`] lines.
//!
//! The file is created readable by its owner only, and listed in the
//! workspace's `.gitignore`; it is never read or written through a link.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::error::Failure;
use crate::core::workspace::files;

/// The history file's name inside the workspace.
pub const HISTORY_FILE: &str = ".history.jsonl";
/// Entries kept.
pub const KEEP: usize = 500;
/// Line count past which the file is cut back to [`KEEP`] entries.
pub const COMPACT_AFTER: usize = 600;
/// Larger response bodies are not recorded (`body_truncated` is set).
pub const MAX_BODY: usize = 64 * 1024;

/// One sent request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Unix seconds when the request finished.
    pub timestamp: u64,
    /// The saved request's name, if it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    pub method: String,
    /// The URL as sent (credential query values redacted).
    pub url: String,
    /// The request's own headers as sent (not the platform's presets),
    /// without any credential header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    /// The request body as text, recorded like response bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// Set when the request had a body that is not recorded (larger than
    /// [`MAX_BODY`], or text that may hold a secret).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub request_body_dropped: bool,
    /// The HTTP status, or None when no response came back.
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<HistoryError>,
    pub elapsed_ms: f64,
    /// The response headers (session tokens and cookies redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// Response body size in bytes.
    pub size: u64,
    /// The response body as text, when it is at most [`MAX_BODY`] bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Set when the body was larger than [`MAX_BODY`] and so not recorded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
}

/// Why a request failed, in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryError {
    /// `http`, `auth`, `tls`, `connect`, `timeout`, `usage` or `cancelled`.
    pub kind: String,
    pub message: String,
}

/// The history as read: entries (newest last) and the count of lines that
/// could not be parsed and were skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryLoad {
    pub entries: Vec<HistoryEntry>,
    pub skipped: usize,
}

/// The history file of the workspace in `workspace_dir`.
pub fn path(workspace_dir: &Path) -> PathBuf {
    workspace_dir.join(HISTORY_FILE)
}

/// Appends one entry (one line), compacting the file when it has grown
/// past [`COMPACT_AFTER`] lines. Two programs appending at once may lose an
/// entry during a compaction, never corrupt the file.
pub fn append(workspace_dir: &Path, entry: &HistoryEntry) -> Result<(), Failure> {
    crate::core::ui_thread::assert_not_in_frame("the history file");
    let path = path(workspace_dir);
    let mut line = serde_json::to_string(entry)
        .map_err(|e| Failure::usage(format!("cannot encode a history entry: {e}"), ""))?;
    line.push('\n');
    files::ensure_gitignore(workspace_dir)?;
    let mut file = files::open_append(&path)?;
    file.write_all(line.as_bytes())
        .map_err(|e| unwritable(&path, &e))?;
    // Read back through the same handle: the file that was appended to.
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_end(&mut bytes))
        .map_err(|e| unreadable(&path, &e))?;
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    if lines <= COMPACT_AFTER {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&bytes);
    let kept: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = kept.len().saturating_sub(KEEP);
    let mut compacted = kept[start..].join("\n");
    compacted.push('\n');
    files::write(&path, compacted.as_bytes())
}

/// Reads the history, newest last (at most [`KEEP`] entries); an absent
/// file is an empty history.
pub fn load(workspace_dir: &Path) -> Result<HistoryLoad, Failure> {
    crate::core::ui_thread::assert_not_in_frame("the history file");
    let Some(bytes) = files::read(&path(workspace_dir))? else {
        return Ok(HistoryLoad::default());
    };
    let mut load = HistoryLoad::default();
    for line in bytes.split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(entry) => load.entries.push(entry),
            Err(_) => load.skipped += 1,
        }
    }
    let excess = load.entries.len().saturating_sub(KEEP);
    load.entries.drain(..excess);
    Ok(load)
}

/// Deletes the history.
pub fn clear(workspace_dir: &Path) -> Result<(), Failure> {
    crate::core::ui_thread::assert_not_in_frame("the history file");
    let file = path(workspace_dir);
    match fs::remove_file(&file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(unwritable(&file, &e)),
    }
}

fn unreadable(path: &Path, e: &io::Error) -> Failure {
    Failure::usage(
        format!("cannot read {}: {e}", path.display()),
        "Check the file's permissions, or clear the history.",
    )
}

fn unwritable(path: &Path, e: &io::Error) -> Failure {
    Failure::usage(
        format!("cannot write {}: {e}", path.display()),
        "Check the workspace folder exists and is writable.",
    )
}
