//! `apx import postman FILE [--into FOLDER]`: a Postman collection into the
//! workspace as saved requests. The whole file is read and checked before
//! anything is written; secrets found in it are reported, never written.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::args::ImportCommand;
use super::output::print_json;
use super::{Context, report};
use crate::core::error::Failure;
use crate::core::interop::{PostmanImport, import_postman};
use crate::core::workspace::Workspace;
use crate::core::workspace::device::validate_folder;

pub fn run(ctx: &Context, command: ImportCommand) -> u8 {
    match command {
        ImportCommand::Postman { file, into } => match postman(ctx, &file, into.as_deref()) {
            Ok(()) => 0,
            Err(failure) => report(ctx, &failure),
        },
    }
}

fn postman(ctx: &Context, file: &Path, into: Option<&str>) -> Result<(), Failure> {
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::usage(
            format!("cannot read {}: {e}", file.display()),
            "Check the path and its permissions.",
        )
    })?;
    let import = import_postman(&bytes).map_err(|failure| Failure {
        message: format!("{}: {}", file.display(), failure.message),
        ..failure
    })?;
    let base = match into {
        Some(folder) => folder.trim().trim_matches('/').to_string(),
        None => match import
            .name
            .replace(['/', '\\'], "-")
            .trim()
            .trim_start_matches('.')
        {
            "" => "Postman import".to_string(),
            name => name.trim().to_string(),
        },
    };
    validate_folder(&base)?;
    if base.split('/').any(|s| s.starts_with('.')) {
        return Err(Failure::usage(
            format!("invalid folder {base:?}"),
            "Folder names may not start with '.' (such folders are hidden).",
        ));
    }
    let workspace = Workspace::new(&ctx.workspace);
    let mut files = Vec::with_capacity(import.requests.len());
    for (folder, request) in &import.requests {
        let target = match (base.is_empty(), folder.is_empty()) {
            (_, true) => base.clone(),
            (true, false) => folder.clone(),
            (false, false) => format!("{base}/{folder}"),
        };
        files.push(workspace.save_request(&target, request)?);
    }
    if ctx.json {
        print_json(&document(&import, &base, &files));
    } else {
        println!("{}", summary(&import, &base, &files));
    }
    Ok(())
}

/// The `--json` document.
fn document(import: &PostmanImport, folder: &str, files: &[PathBuf]) -> serde_json::Value {
    let secrets: Vec<serde_json::Value> = import
        .secrets
        .iter()
        .map(|s| json!({"request": s.request, "kind": s.kind}))
        .collect();
    json!({
        "imported": files.len(),
        "folder": folder,
        "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "skipped": import.skipped,
        "secrets_not_saved": secrets,
        "variables": import.variables,
    })
}

/// The text for people: what was written, what was not, and why.
fn summary(import: &PostmanImport, folder: &str, files: &[PathBuf]) -> String {
    let count = files.len();
    let plural = if count == 1 { "" } else { "s" };
    let place = if folder.is_empty() {
        "the top of the workspace".to_string()
    } else {
        format!("folder {folder:?}")
    };
    let mut text = format!(
        "imported {count} request{plural} from {:?} into {place}",
        import.name
    );
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
            "\n{n} secret{plural} found in the file were NOT written to disk:"
        ));
        for secret in &import.secrets {
            let user = secret
                .user
                .as_deref()
                .map(|u| format!(" (user {u})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "\n  - {} on {}{user}",
                secret.kind, secret.request
            ));
        }
        text.push_str(
            "\nto keep a device's password, store it in the OS keyring: apx device set-password DEVICE --password-env VAR",
        );
    }
    if !import.variables.is_empty() {
        text.push_str(
            "\ncollection variables the requests may use as {{name}} (not saved; define them as device variables in the app, or under \"variables\" in devices.json):",
        );
        for (name, value) in &import.variables {
            text.push_str(&format!("\n  {name} = {value}"));
        }
    }
    text
}
