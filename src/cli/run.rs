//! `apx run PATH`: one saved request, or every saved request of a folder
//! (recursively, in name order). Requests to the same device share one
//! engine job, so one session: one login, the token reused (and a refreshed
//! one adopted), one logout. A request that cannot be prepared, or a file
//! that cannot be read, is reported while the others still run.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::args::{ConnectionArgs, RunArgs};
use super::output::{SendDocument, Shown, failure_text, print_filtered, print_json, redirect_note};
use super::send::session_spec;
use super::{Context, blocking_run, report};
use crate::core::error::{Failure, FailureKind};
use crate::core::filter::Output;
use crate::core::history;
use crate::core::platform::Platform;
use crate::core::request::origin;
use crate::core::workspace::collections::{Collections, SavedEntry, scan};
use crate::core::workspace::saved::SavedRequest;
use crate::core::workspace::variables::prepare;
use crate::core::workspace::{Device, Workspace};
use crate::engine::session_choice::SessionKey;
use crate::engine::session_plan::{Planned, SessionPlan};
use crate::engine::{JobRequest, RequestResult, history_record};

/// What happened to one request (or a file or folder not read: unreadable,
/// a link, too deep), in run order.
pub(super) enum Outcome {
    /// A result, and `--filter`'s output on its body.
    Sent(Box<RequestResult>, Option<Output>),
    NotSent {
        name: String,
        failure: Failure,
    },
}

impl Outcome {
    pub(super) fn exit_code(&self) -> u8 {
        match self {
            Outcome::Sent(result, filtered) => result
                .exit_code()
                .max(super::filter::exit_code(filtered.as_ref())),
            Outcome::NotSent { failure, .. } => failure.kind.exit_code(),
        }
    }
}

pub fn run(ctx: &Context, args: RunArgs) -> u8 {
    if let Err(failure) = super::filter::check(args.filter.as_deref()) {
        return report(ctx, &failure);
    }
    let workspace = Workspace::new(&ctx.workspace);
    let collections = match collect(&workspace, &args.path) {
        Ok(c) => c,
        Err(failure) => return report(ctx, &failure),
    };
    if let Some(selector) = &args.fanout.devices {
        return super::fanout::run(ctx, &args, selector, collections);
    }
    let mut outcomes: Vec<Option<Outcome>> = Vec::new();
    let groups = plan(
        &workspace,
        &mut HashMap::new(),
        &args.connection,
        ctx.json,
        &collections.requests,
        &mut outcomes,
    );
    for group in groups {
        let results = blocking_run(group.job);
        record_history(ctx, &results, group.device.as_deref());
        for (slot, result) in group.slots.into_iter().zip(results) {
            let filtered = super::filter::apply(args.filter.as_deref(), &result);
            outcomes[slot] = Some(Outcome::Sent(Box::new(result), filtered));
        }
    }
    let mut outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    outcomes.extend(
        collections
            .problems
            .into_iter()
            .map(|failure| Outcome::NotSent {
                name: "(not read)".to_string(),
                failure,
            }),
    );
    if ctx.json {
        print_documents(&outcomes);
    } else {
        print_table(&outcomes);
    }
    outcomes.iter().map(Outcome::exit_code).max().unwrap_or(0)
}

/// The saved requests PATH names: a file, or a folder walked recursively.
pub(super) fn collect(workspace: &Workspace, path: &Path) -> Result<Collections, Failure> {
    let resolved = if path.exists() {
        path.to_path_buf()
    } else {
        workspace.dir().join(path)
    };
    if resolved.is_dir() {
        let collections = scan(&resolved);
        if collections.requests.is_empty() && collections.problems.is_empty() {
            return Err(Failure::usage(
                format!("no saved requests in {}", resolved.display()),
                "Saved requests are the .json files of a workspace folder.",
            ));
        }
        return Ok(collections);
    }
    if resolved.is_file() {
        let absolute = std::fs::canonicalize(&resolved).unwrap_or(resolved);
        let request = workspace.load_request(&absolute)?;
        return Ok(Collections {
            requests: vec![SavedEntry {
                folder: String::new(),
                path: absolute,
                request,
            }],
            ..Collections::default()
        });
    }
    Err(Failure::usage(
        format!(
            "{} not found (nor in the workspace {})",
            path.display(),
            workspace.dir().display()
        ),
        "Give a saved request file or a folder of them, as a path or relative to the workspace.",
    ))
}

/// The devices read so far, by name (or why not): a fan-out reads each
/// once, not once per device.
pub(super) type DevicesRead = HashMap<String, Result<Device, Failure>>;

/// Prepares every request and groups them into one job per session, in
/// order of first appearance; a request that cannot be prepared gets its
/// outcome at once. With `json`, bodies are checked as JSON as they arrive.
pub(super) fn plan(
    workspace: &Workspace,
    devices: &mut DevicesRead,
    conn: &ConnectionArgs,
    json: bool,
    entries: &[SavedEntry],
    outcomes: &mut Vec<Option<Outcome>>,
) -> Vec<Planned<usize>> {
    let mut sessions = SessionPlan::default();
    for entry in entries {
        let slot = outcomes.len();
        outcomes.push(None);
        // `--platform` overrides the request's and the device's platform:
        // its preset headers and JSON check apply, not only its login.
        let overridden = conn.platform.as_deref().and_then(Platform::parse);
        let request = &SavedRequest {
            platform: overridden.or(entry.request.platform),
            ..entry.request.clone()
        };
        let device_name = conn.device.clone().or_else(|| request.device.clone());
        let device = match &device_name {
            Some(name) => match devices
                .entry(name.clone())
                .or_insert_with(|| workspace.device(name))
            {
                Ok(device) => Some(device.clone()),
                Err(failure) => {
                    outcomes[slot] = Some(not_sent(&request.name, failure.clone()));
                    continue;
                }
            },
            None => None,
        };
        let prepared = match prepare(request, device.as_ref()) {
            Ok(p) => p,
            Err(failure) => {
                outcomes[slot] = Some(not_sent(&request.name, failure));
                continue;
            }
        };
        // An unknown `--platform` name is reported by `session_spec`.
        let platform = prepared.platform;
        let key = SessionKey {
            device: device_name.clone(),
            platform,
            auth: conn
                .auth
                .clone()
                .or_else(|| request.auth.map(|a| a.id().to_string())),
            origin: origin(&prepared.url),
        };
        let overrides = ConnectionArgs {
            platform: Some(conn.platform.clone().unwrap_or(platform.id().to_string())),
            auth: key.auth.clone(),
            ..conn.clone()
        };
        let url = prepared.url.clone();
        let sink = super::send::memory_sink(json, conn.max_body);
        let job_request = JobRequest::from_prepared(request.name.clone(), prepared, sink);
        let filed = sessions.add(key, slot, job_request, || {
            session_spec(workspace.dir(), &overrides, device.as_ref(), &url)
        });
        if let Err(failure) = filed {
            outcomes[slot] = Some(not_sent(&request.name, failure));
        }
    }
    sessions.into_planned()
}

pub(super) fn not_sent(name: &str, failure: Failure) -> Outcome {
    Outcome::NotSent {
        name: name.to_string(),
        failure,
    }
}

/// Appends each result to the workspace's history; a failure to write is a
/// warning, never a changed exit code. Nothing is recorded when the
/// workspace folder does not exist (a send must not create one).
pub(super) fn record_history(ctx: &Context, results: &[RequestResult], device: Option<&str>) {
    if !ctx.workspace.is_dir() {
        return;
    }
    for result in results {
        let entry = history_record::entry(result, device);
        if let Err(e) = history::append(&ctx.workspace, &entry) {
            eprintln!("warning: history not written: {}", e.message);
            return;
        }
    }
}

/// `--json`: one array of `send` documents, each with its `name`; each
/// distinct warning once on stderr.
fn print_documents(outcomes: &[Outcome]) {
    let mut warned = BTreeSet::new();
    for outcome in outcomes {
        if let Outcome::Sent(result, _) = outcome {
            for warning in result.warnings.iter().filter(|w| warned.insert(*w)) {
                eprintln!("warning: {warning}");
            }
        }
    }
    let documents: Vec<SendDocument<'_>> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Sent(result, filtered) => {
                SendDocument::from_result(result, true).with_filter(filtered.as_ref())
            }
            Outcome::NotSent { name, failure } => SendDocument {
                name: Some(name),
                ..SendDocument::usage(failure)
            },
        })
        .collect();
    print_json(&documents);
}

/// Prints a result's warnings on stderr, each (and each unverified host)
/// once per run.
pub(super) fn warn_once(result: &RequestResult, warned: &mut BTreeSet<String>) {
    for warning in &result.warnings {
        if warned.insert(warning.clone()) {
            eprintln!("warning: {warning}");
        }
    }
    if let Some(h) = result.handshake.as_ref().filter(|h| h.insecure)
        && warned.insert(h.host.clone())
    {
        eprintln!(
            "warning: TLS certificate NOT verified (--insecure); {} presented SHA-256 {}",
            h.host,
            h.chain.first().map_or("?", |c| c.sha256.as_str())
        );
    }
}

/// A result's status column: the HTTP status, else the failure's kind.
pub(super) fn status_cell(result: &RequestResult) -> String {
    match (result.status, &result.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(failure)) => kind_id(failure.kind),
        (None, None) => "-".to_string(),
    }
}

/// The summary table on stdout; warnings and decoded errors on stderr.
fn print_table(outcomes: &[Outcome]) {
    let mut warned = BTreeSet::new();
    let (out, err) = (Shown::stdout(), Shown::stderr());
    let rows: Vec<[String; 4]> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Sent(result, _) => {
                warn_once(result, &mut warned);
                let name = err.line(&result.name);
                if let Some(note) = redirect_note(result) {
                    eprintln!("{name}: {note}");
                }
                if let Some(failure) = &result.error {
                    eprintln!("{name}: {}", failure_text(failure, err));
                }
                [
                    out.line(&result.name).into_owned(),
                    status_cell(result),
                    format!("{:.1}", result.elapsed.as_secs_f64() * 1000.0),
                    result.body.len().to_string(),
                ]
            }
            Outcome::NotSent { name, failure } => {
                eprintln!("{}: {}", err.line(name), failure_text(failure, err));
                [
                    out.line(name).into_owned(),
                    format!("{} (not sent)", kind_id(failure.kind)),
                    "-".to_string(),
                    "-".to_string(),
                ]
            }
        })
        .collect();
    let header = [
        "NAME".to_string(),
        "STATUS".to_string(),
        "TIME ms".to_string(),
        "SIZE".to_string(),
    ];
    let width = |col: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    for row in std::iter::once(&header).chain(&rows) {
        println!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}",
            row[0], row[1], row[2], row[3]
        );
    }
    for outcome in outcomes {
        if let Outcome::Sent(result, Some(filtered)) = outcome {
            print_filtered(Some(&result.name), filtered);
        }
    }
}

/// The failure kind as in `--json` (`tls`, `usage`, …).
pub(super) fn kind_id(kind: FailureKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
