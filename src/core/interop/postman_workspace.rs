//! A Postman collection file saved into a workspace: the one import that
//! `apx import postman` and the app's File > Import share, and its summary.

use std::io::Read;
use std::path::Path;

use super::postman_import::{PostmanImport, import_postman, join_folder};
use super::{clean, clip, label};
use crate::core::error::Failure;
use crate::core::workspace::Workspace;
use crate::core::workspace::import::Imported;

/// Larger collection files are refused (what is read is held in memory).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// A collection imported into a workspace.
pub struct PostmanOutcome {
    /// What the file held; the requests' folders are the workspace
    /// folders they went into, their names those of the file.
    pub import: PostmanImport,
    /// The folder the collection went into (empty: the top of the workspace).
    pub folder: String,
    /// The files written, and the requests saved under another name.
    pub saved: Imported,
}

/// Reads the collection at `file` and saves its requests as new files in
/// folder `into` (`None`: one named for the collection; `""`: the top),
/// sub-folders for its folders. Nothing is written unless the whole file
/// reads; no saved request is replaced; no secret is written.
pub fn import_postman_file(
    workspace: &Workspace,
    file: &Path,
    into: Option<&str>,
) -> Result<PostmanOutcome, Failure> {
    crate::core::ui_thread::assert_not_in_frame("a Postman import");
    let in_file = |failure: Failure| Failure {
        message: format!("{}: {}", file.display(), failure.message),
        ..failure
    };
    let bytes = read_capped(file)?;
    let mut import = import_postman(&bytes).map_err(in_file)?;
    let folder = match into {
        Some(folder) => folder.trim().trim_matches('/').to_string(),
        None => join_folder("", &import.name),
    };
    workspace.check_folder(&folder)?;
    for (sub, _) in &mut import.requests {
        *sub = match (folder.is_empty(), sub.is_empty()) {
            (_, true) => folder.clone(),
            (true, false) => std::mem::take(sub),
            (false, false) => format!("{folder}/{sub}"),
        };
    }
    let saved = workspace.import_requests(&import.requests)?;
    Ok(PostmanOutcome {
        import,
        folder,
        saved,
    })
}

/// The file's bytes, when it is not larger than [`MAX_FILE_BYTES`].
fn read_capped(file: &Path) -> Result<Vec<u8>, Failure> {
    let unreadable = |e: std::io::Error| {
        Failure::usage(
            format!("cannot read {}: {e}", file.display()),
            "Check the path and its permissions.",
        )
    };
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Failure::usage(
            format!(
                "{} is larger than {} MiB",
                file.display(),
                MAX_FILE_BYTES >> 20
            ),
            "This is not a Postman collection apx can import; split the collection in Postman.",
        ));
    }
    Ok(bytes)
}

impl PostmanOutcome {
    /// The text for people: what was written where, what was renamed, what
    /// was not carried over, which secrets were kept out (never a value).
    pub fn summary(&self) -> String {
        let count = self.saved.files.len();
        let plural = if count == 1 { "" } else { "s" };
        let mut text = format!(
            "imported {count} request{plural} from {:?} into {}",
            self.import.name,
            place(&self.folder)
        );
        let renamed = &self.saved.renamed;
        if !renamed.is_empty() {
            let (n, whose) = match renamed.len() {
                1 => ("1 request".to_string(), "its"),
                n => (format!("{n} requests"), "their"),
            };
            text.push_str(&format!(
                "\n{n} renamed: {whose} folder already has a request of that name:"
            ));
            for r in renamed {
                text.push_str(&format!(
                    "\n  - '{}' in {} saved as '{}'",
                    r.from,
                    place(&r.folder),
                    r.to
                ));
            }
        }
        let import = &self.import;
        if !import.skipped.is_empty() {
            text.push_str("\nnot carried over:");
            for line in &import.skipped {
                text.push_str(&format!("\n  - {line}"));
            }
        }
        if !import.secrets.is_empty() {
            let n = import.secrets.len();
            let plural = if n == 1 { "" } else { "s" };
            text.push_str(&format!(
                "\n{n} secret{plural} found in the file were NOT written to disk (the requests refer to {{{{variables}}}} instead):"
            ));
            for secret in &import.secrets {
                let user = secret
                    .user
                    .as_deref()
                    .map(|u| format!(" (user {})", label(u)))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "\n  - {} on {}{user}",
                    secret.kind, secret.request
                ));
            }
        }
        if !import.variables.is_empty() {
            text.push_str(
                "\ncollection variables the requests may use as {{name}} (not saved; define them as device variables in the app, or under \"variables\" in devices.json):",
            );
            for (name, value) in &import.variables {
                text.push_str(&format!(
                    "\n  {} = {}",
                    label(name),
                    clip(&clean(value), 200)
                ));
            }
        }
        text
    }
}

/// `folder "Lab/ASA"`, or the top of the workspace.
fn place(folder: &str) -> String {
    if folder.is_empty() {
        "the top of the workspace".to_string()
    } else {
        format!("folder {folder:?}")
    }
}
