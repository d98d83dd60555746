//! `apx device add|list|remove|set-password`.

use super::args::{DeviceAddArgs, DeviceCommand};
use super::output::{Shown, print_json};
use super::send::trust_from_args;
use super::{Context, report};
use crate::core::error::Failure;
use crate::core::platform::Platform;
use crate::core::request::with_api_port;
use crate::core::secret::Secret;
use crate::core::workspace::{Device, Workspace};
use crate::engine::keyring::{self, KeyringKey};

pub fn run(ctx: &Context, command: DeviceCommand) -> u8 {
    let workspace = Workspace::new(&ctx.workspace);
    let outcome = match command {
        DeviceCommand::Add(args) => add(&workspace, args).map(|d| {
            (
                format!("added {} ({}, {})", d.name, d.platform, d.base_url),
                serde_json::json!({"added": d}),
            )
        }),
        DeviceCommand::List => workspace.load_devices().map(|devices| {
            if ctx.json {
                (String::new(), serde_json::json!(devices))
            } else {
                (
                    list_text(&devices, Shown::stdout()),
                    serde_json::Value::Null,
                )
            }
        }),
        DeviceCommand::Remove { name } => workspace.remove_device(&name).map(|d| {
            let key = KeyringKey::new(workspace.dir(), &d, None);
            if let Err(e) = keyring::delete_password(&key) {
                tracing::debug!("keyring: {}", e.message);
            }
            (
                format!("removed {}", d.name),
                serde_json::json!({"removed": d.name}),
            )
        }),
        DeviceCommand::SetPassword { name, password_env } => {
            set_password(&workspace, &name, &password_env).map(|()| {
                (
                    format!("password for {name} stored in the OS keyring"),
                    serde_json::json!({"stored": name}),
                )
            })
        }
    };
    match outcome {
        Ok((text, json)) => {
            if ctx.json {
                print_json(&json);
            } else if !text.is_empty() {
                println!("{}", text.trim_end());
            }
            0
        }
        Err(failure) => report(ctx, &failure),
    }
}

fn add(workspace: &Workspace, args: DeviceAddArgs) -> Result<Device, Failure> {
    let platform = Platform::parse(&args.platform).ok_or_else(|| {
        Failure::usage(
            format!("unknown platform {:?}", args.platform),
            "Use one of asa, fxos, fmc, fdm, wsa, sma, esa, generic.",
        )
    })?;
    let device = Device {
        name: args.name,
        folder: args.folder.trim_matches('/').to_string(),
        platform,
        base_url: with_api_port(&args.url, platform),
        username: args.user,
        trust: trust_from_args(&args.trust)?.unwrap_or_default(),
        variables: Default::default(),
        allow_http: args.allow_http,
        domain: args.domain,
        api_version: args.api_version,
    };
    workspace.add_device(device.clone())?;
    Ok(device)
}

fn set_password(workspace: &Workspace, name: &str, var: &str) -> Result<(), Failure> {
    let device = workspace.device(name)?;
    let password = std::env::var(var).map_err(|_| {
        Failure::usage(
            format!("environment variable {var} is not set"),
            format!("Export it first: read -rs {var}; export {var}"),
        )
    })?;
    keyring::set_password(
        &KeyringKey::new(workspace.dir(), &device, None),
        &Secret::new(password),
    )
}

/// The device table; each cell as `shown` allows (devices.json may come
/// from elsewhere, and a name may hold an escape sequence).
fn list_text(devices: &[Device], shown: Shown) -> String {
    if devices.is_empty() {
        return "no devices yet: add one with `apx device add NAME --platform asa --url https://HOST`".into();
    }
    let rows: Vec<[String; 5]> = devices
        .iter()
        .map(|d| {
            let path = if d.folder.is_empty() {
                d.name.clone()
            } else {
                format!("{}/{}", d.folder, d.name)
            };
            [
                path,
                d.platform.to_string(),
                d.base_url.clone(),
                d.username.clone().unwrap_or_default(),
                d.trust.describe(),
            ]
            .map(|cell| shown.line(&cell).into_owned())
        })
        .collect();
    let header = ["DEVICE", "PLATFORM", "URL", "USER", "TLS"].map(String::from);
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    std::iter::once(&header)
        .chain(rows.iter())
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
