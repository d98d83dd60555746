//! `apx catalog` and `apx import openapi`: a platform's or device's API
//! catalog, listed and searched, or imported from a spec (a file, or the
//! one the device serves).

use std::path::Path;

use serde_json::json;

use super::args::{CatalogArgs, ConnectionArgs};
use super::output::{Shown, print_json};
use super::send::session_spec;
use super::{Context, blocking_run, report};
use crate::core::error::Failure;
use crate::core::openapi::Operation;
use crate::core::platform::Platform;
use crate::core::workspace::Workspace;
use crate::core::workspace::catalogs::CatalogKey;
use crate::engine::spec_fetch::{spec_job, spec_url, store_spec, version_of};

/// `apx catalog`.
pub fn list(ctx: &Context, args: CatalogArgs) -> u8 {
    let workspace = Workspace::new(&ctx.workspace);
    let catalog = match key(args.platform.as_deref(), args.device.as_deref())
        .and_then(|key| workspace.catalog(&key))
    {
        Ok(catalog) => catalog,
        Err(failure) => return report(ctx, &failure),
    };
    let found: Vec<&Operation> = catalog
        .search(args.text.as_deref().unwrap_or(""))
        .into_iter()
        .map(|i| &catalog.operations()[i])
        .collect();
    if ctx.json {
        print_json(&json!(
            found.iter().map(|o| document(o)).collect::<Vec<_>>()
        ));
    } else {
        let shown = Shown::stdout();
        for op in found {
            let line = format!("{} {}  {}", op.method, op.path, op.summary);
            println!("{}", shown.line(line.trim_end()));
        }
    }
    0
}

/// One operation of `catalog --json`.
fn document(op: &Operation) -> serde_json::Value {
    let parameters: Vec<serde_json::Value> = op
        .parameters
        .iter()
        .map(|p| json!({"name": p.name, "in": p.location, "required": p.required}))
        .collect();
    json!({
        "method": op.method,
        "path": op.path,
        "summary": op.summary,
        "tag": op.tag,
        "operation_id": op.operation_id,
        "parameters": parameters,
    })
}

/// `apx import openapi SOURCE (--platform P | --device NAME)`.
pub fn import(ctx: &Context, source: &str, connection: &ConnectionArgs) -> u8 {
    let workspace = Workspace::new(&ctx.workspace);
    let outcome =
        key(connection.platform.as_deref(), connection.device.as_deref()).and_then(|key| {
            match (&key, source) {
                (CatalogKey::Device(name), "device") => fetch(ctx, &workspace, name, connection),
                (CatalogKey::Platform(_), "device") => Err(Failure::usage(
                    "`device` fetches the spec a device serves: name it with --device NAME",
                    "Or give a spec file with --platform P.",
                )),
                _ => workspace
                    .import_openapi_file(Path::new(source), &key)
                    .map(|(count, stored)| (count, source.to_string(), stored, None)),
            }
        });
    match outcome {
        Ok((count, source, stored, version)) => {
            if ctx.json {
                print_json(&json!({
                    "operations": count,
                    "source": source,
                    "stored": stored.display().to_string(),
                }));
            } else {
                println!(
                    "{}",
                    Shown::stdout().line(&format!(
                        "{count} operations from {source}{} stored in {}",
                        version.map_or(String::new(), |v| format!(" (version {v})")),
                        stored.display()
                    ))
                );
            }
            0
        }
        Err(failure) => report(ctx, &failure),
    }
}

/// The operations stored, from where, to where, and for which software
/// version of the device (a fetch's).
type Imported = (usize, String, std::path::PathBuf, Option<String>);

/// Fetches the spec the device serves, and its software version, through
/// its session and trust, keeps the spec in the cache and stores its
/// operations as the device's catalog for that version.
fn fetch(
    ctx: &Context,
    workspace: &Workspace,
    name: &str,
    connection: &ConnectionArgs,
) -> Result<Imported, Failure> {
    let device = workspace.device(name)?;
    let url = spec_url(&device)?;
    let session = session_spec(&ctx.workspace, connection, Some(&device), &url)?;
    let mut results = blocking_run(spec_job(&device, url.clone(), session, None));
    let spec = results
        .pop()
        .ok_or_else(|| Failure::usage("the fetch was not run", ""))?;
    let version = results.first().and_then(|r| version_of(device.platform, r));
    let stored = store_spec(workspace, name, version, spec)?;
    Ok((
        stored.operations,
        url.to_string(),
        stored.path,
        Some(stored.version),
    ))
}

/// `--platform P` or `--device NAME`, exactly one.
fn key(platform: Option<&str>, device: Option<&str>) -> Result<CatalogKey, Failure> {
    match (platform, device) {
        (Some(p), None) => Platform::parse(p).map(CatalogKey::Platform).ok_or_else(|| {
            Failure::usage(
                format!("unknown platform {p:?}"),
                format!("Use one of {}.", Platform::ALL.map(Platform::id).join(", ")),
            )
        }),
        (None, Some(name)) => Ok(CatalogKey::Device(name.to_string())),
        _ => Err(Failure::usage(
            "give either --platform P or --device NAME",
            "A catalog belongs to a platform or to one device.",
        )),
    }
}
