//! `send --devices SELECTOR` and `run PATH --devices SELECTOR`: the same
//! request(s) to every device the selector names, one session per device,
//! at most `--concurrency` devices at a time (the engine's fan-out). A
//! device whose request cannot be built (no password, say) gets its rows
//! while the others are sent.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, mpsc};

use super::args::{ConnectionArgs, RunArgs, SendArgs};
use super::output::{SendDocument, Shown, print_filtered, print_json};
use super::run::{Outcome, kind_id, not_sent, plan, record_history, status_cell, warn_once};
use super::{Context, report};
use crate::core::error::Failure;
use crate::core::fanout::select;
use crate::core::workspace::Workspace;
use crate::core::workspace::collections::Collections;
use crate::engine::{Engine, Event, EventSink, Job, RequestResult};

/// One device's outcomes, in request order.
struct DeviceOutcomes {
    device: String,
    outcomes: Vec<Outcome>,
}

/// `send TARGET --devices SELECTOR`.
pub fn send(ctx: &Context, args: &SendArgs, selector: &str) -> u8 {
    if args.output.is_some() {
        let failure = Failure::usage(
            "--output cannot be used with --devices",
            "Every device would write the same file: use --json and split the documents.",
        );
        return report(ctx, &failure);
    }
    if let Err(failure) = super::filter::check(args.filter.as_deref()) {
        return report(ctx, &failure);
    }
    let names = match selected(ctx, selector) {
        Ok(names) => names,
        Err(failure) => return report(ctx, &failure),
    };
    // Each device's job, or why it could not be built (no password, say).
    let mut unbuilt: Vec<Option<Failure>> = Vec::new();
    let jobs = names
        .iter()
        .map(
            |device| match super::send::build_job(ctx, args, Some(device)) {
                Ok(job) => {
                    unbuilt.push(None);
                    vec![job]
                }
                Err(failure) => {
                    unbuilt.push(Some(failure));
                    Vec::new()
                }
            },
        )
        .collect();
    let results = execute(ctx, &names, jobs, args.fanout.concurrency);
    let devices = names
        .into_iter()
        .zip(unbuilt)
        .zip(results)
        .map(|((device, unbuilt), results)| {
            let outcomes = match unbuilt {
                Some(failure) => vec![not_sent(&args.target, failure)],
                None => results
                    .into_iter()
                    .flatten()
                    .map(|result| {
                        let filtered = super::filter::apply(args.filter.as_deref(), &result);
                        Outcome::Sent(Box::new(result), filtered)
                    })
                    .collect(),
            };
            DeviceOutcomes { device, outcomes }
        })
        .collect();
    finish(ctx, devices, false)
}

/// `run PATH --devices SELECTOR`: the saved requests planned for each
/// device as `run` plans them for one (a session per origin and auth).
pub fn run(ctx: &Context, args: &RunArgs, selector: &str, collections: Collections) -> u8 {
    let names = match selected(ctx, selector) {
        Ok(names) => names,
        Err(failure) => return report(ctx, &failure),
    };
    let workspace = Workspace::new(&ctx.workspace);
    let mut jobs = Vec::new();
    let mut slots: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut outcomes = Vec::new();
    for device in &names {
        let conn = ConnectionArgs {
            device: Some(device.clone()),
            ..args.connection.clone()
        };
        let mut planned = Vec::new();
        let groups = plan(&workspace, &conn, &collections.requests, &mut planned);
        let (device_jobs, device_slots): (Vec<Job>, Vec<Vec<usize>>) =
            groups.into_iter().map(|g| (g.job, g.slots)).unzip();
        jobs.push(device_jobs);
        slots.push(device_slots);
        outcomes.push(planned);
    }
    let results = execute(ctx, &names, jobs, args.fanout.concurrency);
    let devices = names
        .into_iter()
        .zip(results.into_iter().zip(slots).zip(outcomes))
        .map(|(device, ((results, slots), mut outcomes))| {
            let sent = results.into_iter().zip(slots);
            for (result, slot) in sent.flat_map(|(r, s): (Vec<_>, Vec<_>)| r.into_iter().zip(s)) {
                let filtered = super::filter::apply(args.filter.as_deref(), &result);
                outcomes[slot] = Some(Outcome::Sent(Box::new(result), filtered));
            }
            let mut outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
            outcomes.extend(collections.problems.iter().map(|failure| Outcome::NotSent {
                name: "(not read)".to_string(),
                failure: failure.clone(),
            }));
            DeviceOutcomes { device, outcomes }
        })
        .collect();
    finish(ctx, devices, true)
}

/// The names of the devices SELECTOR names in the workspace.
fn selected(ctx: &Context, selector: &str) -> Result<Vec<String>, Failure> {
    let devices = Workspace::new(&ctx.workspace).load_devices()?;
    Ok(select(selector, &devices)?
        .into_iter()
        .map(|d| d.name.clone())
        .collect())
}

/// Runs each device's jobs on one engine, at most `concurrency` devices at
/// a time; returns each device's jobs' results and records them in the
/// history under the device.
fn execute(
    ctx: &Context,
    names: &[String],
    jobs: Vec<Vec<Job>>,
    concurrency: u16,
) -> Vec<Vec<Vec<RequestResult>>> {
    let mut results: Vec<Vec<Vec<RequestResult>>> = jobs
        .iter()
        .map(|device| vec![Vec::new(); device.len()])
        .collect();
    let pending: usize = jobs.iter().map(Vec::len).sum();
    if pending == 0 {
        return results;
    }
    let (tx, rx) = mpsc::channel();
    let engine = match Engine::start(EventSink::new(tx, Arc::new(|| {}))) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("apx: cannot start the async runtime: {e}");
            std::process::exit(3);
        }
    };
    let ids = engine.fan_out(jobs, usize::from(concurrency));
    let place: HashMap<_, _> = ids
        .iter()
        .enumerate()
        .flat_map(|(d, jobs)| jobs.iter().enumerate().map(move |(j, id)| (*id, (d, j))))
        .collect();
    let mut pending = pending;
    for event in rx.iter() {
        match event {
            Event::Finished { job, result, .. } => {
                if let Some(&(d, j)) = place.get(&job) {
                    results[d][j].push(*result);
                }
            }
            Event::JobDone { job } if place.contains_key(&job) => {
                pending -= 1;
                if pending == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    for (device, results) in names.iter().zip(&results) {
        for job_results in results {
            record_history(ctx, job_results, Some(device));
        }
    }
    results
}

/// Prints the outcomes; the exit code is the highest of them.
fn finish(ctx: &Context, devices: Vec<DeviceOutcomes>, named: bool) -> u8 {
    if ctx.json {
        print_documents(&devices, named);
    } else {
        print_table(&devices);
    }
    devices
        .iter()
        .flat_map(|d| &d.outcomes)
        .map(Outcome::exit_code)
        .max()
        .unwrap_or(0)
}

/// `--json`: one array of `send` documents, each with its `device` (and
/// its `name` for saved requests); each distinct warning once on stderr.
fn print_documents(devices: &[DeviceOutcomes], named: bool) {
    let mut warned = BTreeSet::new();
    let mut documents = Vec::new();
    for device in devices {
        for outcome in &device.outcomes {
            let document = match outcome {
                Outcome::Sent(result, filtered) => {
                    for warning in result.warnings.iter().filter(|w| warned.insert(*w)) {
                        eprintln!("warning: {warning}");
                    }
                    SendDocument::from_result(result, named).with_filter(filtered.as_ref())
                }
                Outcome::NotSent { name, failure } => SendDocument {
                    name: named.then_some(name.as_str()),
                    ..SendDocument::usage(failure)
                },
            };
            documents.push(SendDocument {
                device: Some(&device.device),
                ..document
            });
        }
    }
    print_json(&documents);
}

/// One line per device and request (device, request, status, ms, the
/// first line of the error), then `N devices: A ok, B failed`.
fn print_table(devices: &[DeviceOutcomes]) {
    let out = Shown::stdout();
    let header = ["DEVICE", "REQUEST", "STATUS", "TIME ms", "ERROR"].map(String::from);
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut warned = BTreeSet::new();
    for device in devices {
        for outcome in &device.outcomes {
            let (request, status, ms, error) = match outcome {
                Outcome::Sent(result, _) => {
                    warn_once(result, &mut warned);
                    let request = if result.name.is_empty() {
                        let path = url::Url::parse(&result.url)
                            .map_or_else(|_| result.url.clone(), |u| u.path().to_string());
                        format!("{} {path}", result.method)
                    } else {
                        result.name.clone()
                    };
                    let status = status_cell(result);
                    let ms = format!("{:.1}", result.elapsed.as_secs_f64() * 1000.0);
                    (request, status, ms, first_line(result.error.as_ref()))
                }
                Outcome::NotSent { name, failure } => (
                    name.clone(),
                    format!("{} (not sent)", kind_id(failure.kind)),
                    "-".to_string(),
                    first_line(Some(failure)),
                ),
            };
            rows.push([
                out.line(&device.device).into_owned(),
                out.line(&request).into_owned(),
                status,
                ms,
                out.line(&error).into_owned(),
            ]);
        }
    }
    let width = |col: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
            row[0], row[1], row[2], row[3], row[4]
        );
        println!("{}", line.trim_end());
    }
    for device in devices {
        for outcome in &device.outcomes {
            if let Outcome::Sent(result, Some(filtered)) = outcome {
                let label = format!("{} {}", device.device, result.name);
                print_filtered(Some(label.trim_end()), filtered);
            }
        }
    }
    let failed = devices
        .iter()
        .filter(|d| d.outcomes.iter().any(|o| o.exit_code() != 0))
        .count();
    println!(
        "{} devices: {} ok, {failed} failed",
        devices.len(),
        devices.len() - failed
    );
}

/// The first line of a failure's message, or nothing.
fn first_line(failure: Option<&Failure>) -> String {
    failure
        .and_then(|f| f.message.lines().next())
        .unwrap_or("")
        .to_string()
}
