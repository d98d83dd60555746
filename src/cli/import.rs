//! `apx import postman FILE [--into FOLDER]`: a Postman collection into the
//! workspace as saved requests (the import the app's File menu uses too).
//! The whole file is read and checked before anything is written; no saved
//! request is replaced; secrets found in it are reported, never written.

use serde_json::json;

use super::args::ImportCommand;
use super::output::{Shown, print_json};
use super::{Context, report};
use crate::core::interop::{PostmanOutcome, import_postman_file};
use crate::core::workspace::Workspace;

pub fn run(ctx: &Context, command: ImportCommand) -> u8 {
    match command {
        ImportCommand::Postman { file, into } => {
            let workspace = Workspace::new(&ctx.workspace);
            match import_postman_file(&workspace, &file, into.as_deref()) {
                Ok(outcome) if ctx.json => {
                    print_json(&document(&outcome));
                    0
                }
                Ok(outcome) => {
                    println!("{}", Shown::stdout().body(&summary(&outcome)));
                    0
                }
                Err(failure) => report(ctx, &failure),
            }
        }
        ImportCommand::Openapi { source, connection } => {
            super::catalog::import(ctx, &source, &connection)
        }
    }
}

/// The `--json` document (secrets by request and kind, never a value).
fn document(outcome: &PostmanOutcome) -> serde_json::Value {
    let import = &outcome.import;
    let secrets: Vec<serde_json::Value> = import
        .secrets
        .iter()
        .map(|s| json!({"request": s.request, "kind": s.kind}))
        .collect();
    let renamed: Vec<serde_json::Value> = outcome
        .saved
        .renamed
        .iter()
        .map(|r| json!({"folder": r.folder, "from": r.from, "to": r.to}))
        .collect();
    json!({
        "imported": outcome.saved.files.len(),
        "folder": outcome.folder,
        "files": outcome.saved.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "renamed": renamed,
        "skipped": import.skipped,
        "secrets_not_saved": secrets,
        "variables": import.variables,
    })
}

/// The summary, and how to keep a password the file held.
fn summary(outcome: &PostmanOutcome) -> String {
    let mut text = outcome.summary();
    if !outcome.import.secrets.is_empty() {
        text.push_str(
            "\nto keep a device's password, store it in the OS keyring: apx device set-password DEVICE --password-env VAR",
        );
    }
    text
}
