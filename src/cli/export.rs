//! `apx export curl FILE [--device NAME]`: a saved request as a curl command
//! line (credentials as shell variables; a pinned device's public key
//! learned by a handshake that sends nothing); `apx export postman FOLDER [-o FILE]`:
//! a workspace folder as a Postman Collection v2.1 (no secrets); `apx export
//! ansible PATH (--device NAME | --devices SELECTOR) -o DIR`: an inventory and
//! a playbook (see [`crate::engine::ansible`]).

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::args::ExportCommand;
use super::output::{Shown, print_json};
use super::{Context, block_on, report};
use crate::core::error::Failure;
use crate::core::fanout::select;
use crate::core::interop::{
    CurlInput, PostmanFolder, ansible_command, export_curl, pinned_key, postman_folder,
};
use crate::core::tls::Trust;
use crate::core::workspace::variables::prepare;
use crate::core::workspace::{Workspace, atomic};
use crate::engine::ansible::export_ansible_dir;
use crate::engine::probe::presented_leaf;

pub fn run(ctx: &Context, command: ExportCommand) -> u8 {
    let workspace = Workspace::new(&ctx.workspace);
    let outcome = match command {
        ExportCommand::Curl { file, device } => curl(&workspace, &file, device.as_deref())
            .map(|command| (command.clone(), json!({"curl": command}))),
        ExportCommand::Postman { folder, output } => {
            postman(&workspace, &folder, output.as_deref())
        }
        ExportCommand::Ansible {
            path,
            device,
            devices,
            output,
        } => ansible(
            &workspace,
            &path,
            device.as_deref(),
            devices.as_deref(),
            &output,
        ),
    };
    match outcome {
        Ok((text, document)) => {
            if ctx.json {
                print_json(&document);
            } else {
                // The script holds the workspace's text: on a terminal, an
                // escape sequence in it could show another command.
                println!("{}", Shown::stdout().body(text.trim_end()));
            }
            0
        }
        Err(failure) => report(ctx, &failure),
    }
}

/// The saved request resolved against its device, as curl would send it.
fn curl(workspace: &Workspace, file: &Path, device: Option<&str>) -> Result<String, Failure> {
    let request = workspace.load_request(file)?;
    let device = device
        .map(str::to_string)
        .or_else(|| request.device.clone())
        .map(|name| workspace.device(&name))
        .transpose()?;
    let prepared = prepare(&request, device.as_ref())?;
    let trust = device.as_ref().map(|d| d.trust.clone()).unwrap_or_default();
    let pinned_key = match trust {
        Trust::Pin { .. } => {
            let reach = device.as_ref().map(|d| d.reach.reach()).unwrap_or_default();
            block_on(presented_leaf(
                &prepared.url,
                &trust,
                &reach,
                PIN_PROBE_TIMEOUT,
            ))?
            .and_then(|leaf| pinned_key(&trust, &leaf))
        }
        _ => None,
    };
    let auth = prepared.auth;
    export_curl(&CurlInput::from_prepared(
        prepared,
        auth,
        device.and_then(|d| d.username),
        trust,
        pinned_key,
    ))
}

/// How long the export waits for a pinned device's handshake, which tells
/// the public key curl can pin.
const PIN_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The saved requests PATH names on the devices chosen, as an Ansible
/// inventory and playbook in `dir`; prints the command that runs them.
fn ansible(
    workspace: &Workspace,
    path: &Path,
    device: Option<&str>,
    selector: Option<&str>,
    dir: &Path,
) -> Result<(String, serde_json::Value), Failure> {
    let collections = super::run::collect(workspace, path)?;
    for problem in &collections.problems {
        eprintln!("warning: {}", problem.message);
    }
    let requests: Vec<_> = collections
        .requests
        .into_iter()
        .map(|entry| entry.request)
        .collect();
    let devices = match (device, selector) {
        (Some(name), _) => vec![workspace.device(name)?],
        (None, Some(selector)) => {
            let all = workspace.load_devices()?;
            select(selector, &all)?.into_iter().cloned().collect()
        }
        (None, None) => unreachable!("clap requires --device or --devices"),
    };
    let export = export_ansible_dir(&requests, &devices, dir)?;
    let command = ansible_command(dir);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Ok((
        format!(
            "exported {} request{} for {} device{} to {}\nrun: {command}",
            export.requests,
            plural(export.requests),
            export.hosts,
            plural(export.hosts),
            dir.display()
        ),
        json!({
            "exported": export.requests,
            "devices": export.hosts,
            "dir": dir.display().to_string(),
            "command": command,
        }),
    ))
}

/// Every saved request under `folder`, as one collection named after the
/// folder's last segment.
fn postman(
    workspace: &Workspace,
    folder: &str,
    output: Option<&Path>,
) -> Result<(String, serde_json::Value), Failure> {
    let collections = workspace.collections();
    for problem in &collections.problems {
        eprintln!("warning: {}", problem.message);
    }
    let PostmanFolder {
        collection,
        text,
        count,
    } = postman_folder(&collections, folder)?;
    let plural = if count == 1 { "" } else { "s" };
    match output {
        Some(path) => {
            atomic::write_atomic(path, text.as_bytes()).map_err(|e| {
                Failure::usage(
                    format!("cannot write {}: {e}", path.display()),
                    "Check the folder exists and is writable.",
                )
            })?;
            Ok((
                format!("exported {count} request{plural} to {}", path.display()),
                json!({"exported": count, "file": path.display().to_string()}),
            ))
        }
        None => Ok((
            text,
            json!({"exported": count, "file": null, "collection": collection}),
        )),
    }
}
