//! `apx proxy set-password|forget`: a proxy's credentials in the OS
//! keyring, under its `scheme://host:port`, never in files or argv.

use super::args::ProxyCommand;
use super::output::print_json;
use super::{Context, report};
use crate::core::error::Failure;
use crate::core::reach::{ProxyCredentials, parse_proxy, url_label};
use crate::core::secret::Secret;
use crate::engine::keyring;

pub fn run(ctx: &Context, command: ProxyCommand) -> u8 {
    let outcome = match command {
        ProxyCommand::SetPassword {
            proxy,
            user,
            password_env,
        } => set_password(&proxy, &user, &password_env).map(|label| {
            (
                format!("credentials for the proxy {label} stored in the OS keyring"),
                serde_json::json!({"stored": label}),
            )
        }),
        ProxyCommand::Forget { proxy } => forget(&proxy).map(|label| {
            (
                format!("keyring credentials of the proxy {label} removed"),
                serde_json::json!({"removed": label}),
            )
        }),
    };
    match outcome {
        Ok((text, json)) => {
            if ctx.json {
                print_json(&json);
            } else {
                println!("{text}");
            }
            0
        }
        Err(failure) => report(ctx, &failure),
    }
}

/// Stores the credentials; the proxy's label.
fn set_password(proxy: &str, user: &str, var: &str) -> Result<String, Failure> {
    let label = url_label(&parse_proxy(proxy)?);
    let password = std::env::var(var).map_err(|_| {
        Failure::usage(
            format!("environment variable {var} is not set"),
            format!("Export it first: read -rs {var}; export {var}"),
        )
    })?;
    let credentials = ProxyCredentials::new(user, Secret::new(password))?;
    keyring::set_proxy_credentials(&label, &credentials)?;
    Ok(label)
}

fn forget(proxy: &str) -> Result<String, Failure> {
    let label = url_label(&parse_proxy(proxy)?);
    keyring::forget_proxy(&label)?;
    Ok(label)
}
