//! `apx send`: one request, built from flags and the device, run by the engine.

use std::path::Path;
use std::sync::Arc;

use super::args::{ConnectionArgs, ReachArgs, SendArgs, TrustArgs};
use super::output::{SendDocument, print_failure, print_json, print_result, print_warnings_of};
use super::{Context, blocking_run};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::reach::{ClientIdentity, ProxyChoice, parse_proxy};
use crate::core::request::{
    Header, check_json, check_method, declares_json, merge_headers, resolve_target, with_api_port,
};
use crate::core::secret::Secret;
use crate::core::tls::{Trust, normalize_fingerprint};
use crate::core::workspace::{Device, Workspace};
use crate::engine::http::Sink;
use crate::engine::keyring::{self, KeyringKey, Lookup};
use crate::engine::session::{PreparedRequest, SecondFactor, SessionSpec};
use crate::engine::session_choice::SessionChoice;
use crate::engine::tls;
use crate::engine::{Job, JobRequest};

pub fn run(ctx: &Context, args: SendArgs) -> u8 {
    if let Some(selector) = &args.fanout.devices {
        return super::fanout::send(ctx, &args, selector);
    }
    let workspace = Workspace::new(&ctx.workspace);
    let job = match super::filter::check(args.filter.as_deref())
        .and_then(|()| {
            let name = args.connection.device.as_deref();
            name.map(|name| workspace.device(name)).transpose()
        })
        .and_then(|device| build_job(ctx, &args, device.as_ref()))
    {
        Ok(job) => job,
        Err(failure) => {
            if ctx.json {
                print_json(&SendDocument::usage(&failure));
            } else {
                print_failure(&failure);
            }
            return failure.kind.exit_code();
        }
    };
    let platform = job.session.platform;
    let results = blocking_run(job);
    let mut worst = 0;
    for result in &results {
        let filtered = super::filter::apply(args.filter.as_deref(), result);
        worst = worst
            .max(result.exit_code())
            .max(super::filter::exit_code(filtered.as_ref()));
        if ctx.json {
            print_warnings_of(result);
            print_json(&SendDocument::from_result(result, false).with_filter(filtered.as_ref()));
        } else {
            print_result(result, platform, filtered.as_ref());
        }
    }
    super::run::record_history(ctx, &results, args.connection.device.as_deref());
    worst
}

/// The job for `args` sent to `device`, or to no device.
pub(super) fn build_job(
    ctx: &Context,
    args: &SendArgs,
    device: Option<&Device>,
) -> Result<Job, Failure> {
    // A URL without a port goes to the platform's API port (AsyncOS).
    let platform = platform_of(&args.connection, device)?;
    let base = device.map(|d| with_api_port(&d.base_url, platform));
    let url = resolve_target(&with_api_port(&args.target, platform), base.as_deref())?;
    let session = session_spec(&ctx.workspace, &args.connection, device, &url)?;
    let body = args.data.as_deref().map(read_body).transpose()?;
    let extra = args
        .headers
        .iter()
        .map(|h| Header::parse(h))
        .collect::<Result<Vec<_>, _>>()?;
    let headers = merge_headers(session.platform.preset_headers(body.is_some()), &extra);
    if let Some(body) = &body
        && declares_json(&headers)
    {
        check_json(body).map_err(|p| {
            Failure::usage(
                format!("malformed JSON body: {p}"),
                "Fix the body (nothing was sent), or set another Content-Type with -H.",
            )
        })?;
    }
    let method = check_method(args.method.as_deref().unwrap_or(if body.is_some() {
        "POST"
    } else {
        "GET"
    }))?;
    let max_body = args.connection.max_body;
    let sink = match &args.output {
        Some(path) => Sink::File {
            path: path.clone(),
            error_limit: max_body,
        },
        None => memory_sink(ctx.json, max_body),
    };
    Ok(Job {
        session,
        requests: vec![JobRequest {
            name: String::new(),
            request: PreparedRequest {
                method,
                url,
                headers,
                body,
            },
            sink,
            all_pages: args.all_pages,
        }],
        keyring: None,
        keep: None,
    })
}

/// Where a body goes when no file is given: into memory, checked as JSON
/// while it arrives when a `--json` document is to embed it.
pub(super) fn memory_sink(json: bool, max_body: u64) -> Sink {
    if json {
        Sink::MemoryJson(max_body)
    } else {
        Sink::Memory(max_body)
    }
}

/// The platform: `--platform`, else the device's, else generic.
fn platform_of(conn: &ConnectionArgs, device: Option<&Device>) -> Result<Platform, Failure> {
    match &conn.platform {
        Some(p) => Platform::parse(p).ok_or_else(|| {
            Failure::usage(
                format!("unknown platform {p:?}"),
                "Use one of asa, fxos, fmc, fdm, wsa, sma, esa, generic.",
            )
        }),
        None => Ok(device.map_or(Platform::Generic, |d| d.platform)),
    }
}

/// The session for a device (or none), with the command line overriding it.
pub fn session_spec(
    workspace: &Path,
    conn: &ConnectionArgs,
    device: Option<&Device>,
    url: &url::Url,
) -> Result<SessionSpec, Failure> {
    let platform = platform_of(conn, device)?;
    let auth = match &conn.auth {
        Some(a) => Some(AuthMode::parse(a).ok_or_else(|| {
            Failure::usage(format!("unknown auth {a:?}"), "Use none, basic or token.")
        })?),
        None => None,
    };
    let choice = SessionChoice {
        device,
        platform: Some(platform),
        auth,
        user: conn.user.clone(),
        trust: trust_from_args(&conn.trust)?,
        allow_http: conn.allow_http,
        domain: conn.domain.clone(),
        api_version: conn.api_version.clone(),
        retries: Some(conn.retries),
        proxy: proxy_from_args(&conn.reach)?,
        client_identity: identity_from_args(&conn.reach),
    };
    let user = choice.user();
    let password = match choice.auth() {
        AuthMode::None => None,
        _ => Some(password(
            conn.password_env.as_deref(),
            device.map(|d| KeyringKey::new(workspace, d, user.as_deref())),
            user.as_deref(),
        )?),
    };
    let mut spec = choice.spec(url, conn.timeout, password);
    spec.second_factor = second_factor(conn.otp_env.as_deref())?;
    spec.reach.key_passphrase = key_passphrase(&conn.reach, spec.reach.client_identity.as_ref())?;
    Ok(spec)
}

/// The passcode of a two-factor login: `--otp-env`, else a prompt on a
/// terminal when the login asks for one, else none.
fn second_factor(env: Option<&str>) -> Result<SecondFactor, Failure> {
    if let Some(var) = env {
        return std::env::var(var)
            .map(|p| SecondFactor::Passcode(Secret::new(p)))
            .map_err(|_| {
                Failure::usage(
                    format!("environment variable {var} is not set"),
                    format!("Export it first: read -rs {var}; export {var}"),
                )
            });
    }
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Ok(SecondFactor::Unavailable);
    }
    Ok(SecondFactor::Ask(Arc::new(|user: &str| {
        rpassword::prompt_password(format!("Passcode (second factor) for {user}: "))
            .ok()
            .map(Secret::new)
    })))
}

/// The passphrase of the client key when it is encrypted:
/// `--key-passphrase-env`, else the one the OS keyring keeps for the key
/// file (the app's "Remember"), else a prompt on a terminal, else none
/// (loading the key then says how to give one).
pub fn key_passphrase(
    args: &ReachArgs,
    identity: Option<&ClientIdentity>,
) -> Result<Option<Secret>, Failure> {
    if let Some(var) = &args.key_passphrase_env {
        return std::env::var(var)
            .map(|p| Some(Secret::new(p)))
            .map_err(|_| {
                Failure::usage(
                    format!("environment variable {var} is not set"),
                    format!("Export it first: read -rs {var}; export {var}"),
                )
            });
    }
    use std::io::IsTerminal;
    let Some(identity) = identity else {
        return Ok(None);
    };
    if !tls::key_file_is_encrypted(&identity.key) {
        return Ok(None);
    }
    match keyring::key_passphrase(&identity.key) {
        Ok(Some(stored)) => return Ok(Some(stored)),
        Ok(None) => {}
        Err(failure) => tracing::debug!("key passphrase: {}", failure.message),
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let prompt = format!("Passphrase of the key {}: ", identity.key.display());
    Ok(rpassword::prompt_password(prompt).ok().map(Secret::new))
}

/// The proxy the flags ask for, if any: `--no-proxy` or `--proxy URL`.
pub fn proxy_from_args(args: &ReachArgs) -> Result<Option<ProxyChoice>, Failure> {
    if args.no_proxy {
        return Ok(Some(ProxyChoice::Direct));
    }
    args.proxy
        .as_deref()
        .map(|p| parse_proxy(p).map(ProxyChoice::Url))
        .transpose()
}

/// The client certificate the flags give, if any (clap requires both).
pub fn identity_from_args(args: &ReachArgs) -> Option<ClientIdentity> {
    Some(ClientIdentity {
        cert: absolute(args.cert.as_ref()?),
        key: absolute(args.key.as_ref()?),
    })
}

/// A path as given, made absolute when it exists (a device keeps it).
pub fn absolute(path: &Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The trust the flags ask for, if any.
pub fn trust_from_args(args: &TrustArgs) -> Result<Option<Trust>, Failure> {
    if args.insecure {
        return Ok(Some(Trust::Insecure));
    }
    if let Some(file) = &args.cacert {
        crate::engine::tls::load_pem_certs(file)?;
        let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        return Ok(Some(Trust::Ca { file }));
    }
    match &args.pin {
        Some(pin) => Ok(Some(Trust::Pin {
            sha256: normalize_fingerprint(pin)?,
        })),
        None => Ok(None),
    }
}

/// `--password-env`, else the device's keyring entry (bound to its
/// address and user), else a prompt on a terminal.
fn password(
    env: Option<&str>,
    key: Option<KeyringKey>,
    user: Option<&str>,
) -> Result<Secret, Failure> {
    if let Some(var) = env {
        return std::env::var(var).map(Secret::new).map_err(|_| {
            Failure::usage(
                format!("environment variable {var} is not set"),
                format!("Export it first: read -rs {var}; export {var}"),
            )
        });
    }
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal();
    if let Some(key) = &key {
        match keyring::password(key) {
            Ok(Lookup::Legacy) if terminal && confirm_legacy(key) => {
                if let Some(p) = keyring::migrate_legacy(key)? {
                    return Ok(p);
                }
            }
            Ok(found) => {
                if let Some(p) = found.into_password(key)? {
                    return Ok(p);
                }
            }
            Err(e) => tracing::debug!("keyring: {}", e.message),
        }
    }
    if terminal {
        let prompt = format!("Password for {}: ", user.unwrap_or("the device"));
        if let Ok(p) = rpassword::prompt_password(prompt) {
            return Ok(Secret::new(p));
        }
    }
    Err(Failure::usage(
        "no password available",
        "Give --password-env VAR, store one with `apx device set-password NAME --password-env VAR`, or run in a terminal to be prompted.",
    ))
}

/// Asks on the terminal whether an earlier apx's keyring password (bound to
/// no address) may be bound to this device's address and user.
fn confirm_legacy(key: &KeyringKey) -> bool {
    eprint!(
        "The OS keyring holds a password for {:?} stored by an earlier apx, bound to no address.\nUse it for {}@{} from now on? [y/N] ",
        key.device, key.user, key.origin
    );
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok()
        && matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
}

/// `-d BODY` or `-d @FILE`.
fn read_body(data: &str) -> Result<Vec<u8>, Failure> {
    match data.strip_prefix('@') {
        Some(path) => std::fs::read(path).map_err(|e| {
            Failure::usage(
                format!("cannot read body file {path}: {e}"),
                "Check the path after @.",
            )
        }),
        None => Ok(data.as_bytes().to_vec()),
    }
}
