//! `send --devices SELECTOR` and `run PATH --devices SELECTOR`: the same
//! request(s) to every device the selector names, one session per device,
//! at most `--concurrency` devices at a time (the engine's fan-out). A
//! device whose request cannot be built (no password, say) gets its rows
//! while the others are sent.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, mpsc};

use super::args::{ConnectionArgs, RunArgs, SendArgs};
use super::output::{SendDocument, Shown, print_filtered};
use super::run::{Outcome, kind_id, not_sent, plan, record_history, status_cell, warn_once};
use super::{Context, report};
use crate::core::error::Failure;
use crate::core::fanout::select;
use crate::core::filter::Output;
use crate::core::workspace::collections::Collections;
use crate::core::workspace::{Device, Workspace};
use crate::engine::fanout::Pacing;
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
    // The devices, read once (not once per device).
    let devices = match selected(ctx, selector) {
        Ok(devices) => devices,
        Err(failure) => return report(ctx, &failure),
    };
    let names: Vec<String> = devices.iter().map(|d| d.name.clone()).collect();
    // Each device's job, or why it could not be built (no password, say).
    let mut unbuilt: Vec<Option<Failure>> = Vec::new();
    let jobs = devices
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
    let mut printer = Printer::new(ctx.json, false);
    execute(ctx, &names, jobs, args.fanout.concurrency, |d, results| {
        let outcomes = match unbuilt[d].take() {
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
        printer.add(&DeviceOutcomes {
            device: names[d].clone(),
            outcomes,
        });
    });
    printer.finish()
}

/// `run PATH --devices SELECTOR`: the saved requests planned for each
/// device as `run` plans them for one (a session per origin and auth).
pub fn run(ctx: &Context, args: &RunArgs, selector: &str, collections: Collections) -> u8 {
    let devices = match selected(ctx, selector) {
        Ok(devices) => devices,
        Err(failure) => return report(ctx, &failure),
    };
    let names: Vec<String> = devices.iter().map(|d| d.name.clone()).collect();
    let workspace = Workspace::new(&ctx.workspace);
    // The devices read once; a request naming another is read when planned.
    let mut read: super::run::DevicesRead = devices
        .into_iter()
        .map(|d| (d.name.clone(), Ok(d)))
        .collect();
    let mut jobs = Vec::new();
    let mut slots: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut outcomes = Vec::new();
    for device in &names {
        let conn = ConnectionArgs {
            device: Some(device.clone()),
            ..args.connection.clone()
        };
        let mut planned = Vec::new();
        let groups = plan(
            &workspace,
            &mut read,
            &conn,
            ctx.json,
            &collections.requests,
            &mut planned,
        );
        let (device_jobs, device_slots): (Vec<Job>, Vec<Vec<usize>>) =
            groups.into_iter().map(|g| (g.job, g.slots)).unzip();
        jobs.push(device_jobs);
        slots.push(device_slots);
        outcomes.push(planned);
    }
    let mut slots: Vec<Option<Vec<Vec<usize>>>> = slots.into_iter().map(Some).collect();
    let mut outcomes: Vec<Option<Vec<Option<Outcome>>>> = outcomes.into_iter().map(Some).collect();
    let mut printer = Printer::new(ctx.json, true);
    execute(ctx, &names, jobs, args.fanout.concurrency, |d, results| {
        let mut planned = outcomes[d].take().unwrap_or_default();
        let slots = slots[d].take().unwrap_or_default();
        for (result, slot) in results
            .into_iter()
            .zip(slots)
            .flat_map(|(r, s)| r.into_iter().zip(s))
        {
            let filtered = super::filter::apply(args.filter.as_deref(), &result);
            planned[slot] = Some(Outcome::Sent(Box::new(result), filtered));
        }
        let mut outcomes: Vec<Outcome> = planned.into_iter().flatten().collect();
        outcomes.extend(collections.problems.iter().map(|failure| Outcome::NotSent {
            name: "(not read)".to_string(),
            failure: failure.clone(),
        }));
        printer.add(&DeviceOutcomes {
            device: names[d].clone(),
            outcomes,
        });
    });
    printer.finish()
}

/// The devices SELECTOR names in the workspace.
fn selected(ctx: &Context, selector: &str) -> Result<Vec<Device>, Failure> {
    let devices = Workspace::new(&ctx.workspace).load_devices()?;
    Ok(select(selector, &devices)?.into_iter().cloned().collect())
}

/// Runs each device's jobs on one engine, at most `concurrency` devices at
/// a time, and records the results in the history under the device. Each
/// device's results go to `done` in device order as soon as it and every
/// device before it have finished: memory holds the devices under way (and
/// any that finished ahead of them), never the whole fleet's answers.
fn execute(
    ctx: &Context,
    names: &[String],
    jobs: Vec<Vec<Job>>,
    concurrency: u16,
    mut done: impl FnMut(usize, Vec<Vec<RequestResult>>),
) {
    let mut results: Vec<Vec<Vec<RequestResult>>> = jobs
        .iter()
        .map(|device| vec![Vec::new(); device.len()])
        .collect();
    let mut left: Vec<usize> = jobs.iter().map(Vec::len).collect();
    let mut next = 0;
    // Hands on the devices that are ready, in order; each one that had
    // jobs gives its place back once handed on.
    let mut hand_on = |results: &mut Vec<Vec<Vec<RequestResult>>>,
                       left: &[usize],
                       next: &mut usize,
                       pacing: Option<&Pacing>| {
        while *next < names.len() && left[*next] == 0 {
            let device = std::mem::take(&mut results[*next]);
            // The place goes to the next device before the history and the
            // printing, which take this thread's time: one device more is
            // held while they run.
            if let Some(pacing) = pacing.filter(|_| !device.is_empty()) {
                pacing.taken();
            }
            for job_results in &device {
                record_history(ctx, job_results, Some(&names[*next]));
            }
            done(*next, device);
            *next += 1;
        }
    };
    hand_on(&mut results, &left, &mut next, None);
    if next == names.len() {
        return;
    }
    let (tx, rx) = mpsc::channel();
    let engine = match Engine::start(EventSink::new(tx, Arc::new(|| {}))) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("apx: cannot start the async runtime: {e}");
            std::process::exit(3);
        }
    };
    let (ids, pacing) = engine.fan_out_paced(jobs, usize::from(concurrency));
    let place: HashMap<_, _> = ids
        .iter()
        .enumerate()
        .flat_map(|(d, jobs)| jobs.iter().enumerate().map(move |(j, id)| (*id, (d, j))))
        .collect();
    for event in rx.iter() {
        match event {
            Event::Finished { job, result, .. } => {
                if let Some(&(d, j)) = place.get(&job) {
                    results[d][j].push(*result);
                }
            }
            Event::JobDone { job } => {
                if let Some(&(d, _)) = place.get(&job) {
                    left[d] -= 1;
                    hand_on(&mut results, &left, &mut next, Some(&pacing));
                    if next == names.len() {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Prints each device's outcomes as they are handed on: `--json` as one
/// array written a device at a time, else a table printed at the end from
/// rows that hold no body. The exit code is the highest of them.
enum Printer {
    Json {
        named: bool,
        started: bool,
        warned: BTreeSet<String>,
        code: u8,
    },
    Table(Table),
}

impl Printer {
    fn new(json: bool, named: bool) -> Printer {
        if json {
            Printer::Json {
                named,
                started: false,
                warned: BTreeSet::new(),
                code: 0,
            }
        } else {
            Printer::Table(Table::default())
        }
    }

    fn add(&mut self, device: &DeviceOutcomes) {
        match self {
            Printer::Json {
                named,
                started,
                warned,
                code,
            } => {
                for outcome in &device.outcomes {
                    *code = (*code).max(outcome.exit_code());
                    let document = document(outcome, &device.device, *named, warned);
                    let separator = if std::mem::replace(started, true) {
                        ","
                    } else {
                        "["
                    };
                    print_piece(separator, Some(&document));
                }
            }
            Printer::Table(table) => table.add(device),
        }
    }

    fn finish(self) -> u8 {
        match self {
            Printer::Json { started, code, .. } => {
                print_piece(if started { "]\n" } else { "[]\n" }, None::<&()>);
                code
            }
            Printer::Table(table) => table.print(),
        }
    }
}

/// Writes `prefix`, then `value` as compact JSON, to stdout.
fn print_piece<T: serde::Serialize>(prefix: &str, value: Option<&T>) {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = out
        .write_all(prefix.as_bytes())
        .and_then(|()| match value {
            Some(value) => {
                super::output::write_json(&mut out, value).map_err(std::io::Error::other)
            }
            None => Ok(()),
        })
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("apx: cannot write output: {e}");
    }
}

/// One outcome as a `send` document with its `device` (and its `name` for
/// saved requests); each distinct warning once on stderr.
fn document<'a>(
    outcome: &'a Outcome,
    device: &'a str,
    named: bool,
    warned: &mut BTreeSet<String>,
) -> SendDocument<'a> {
    let document = match outcome {
        Outcome::Sent(result, filtered) => {
            for warning in &result.warnings {
                if warned.insert(warning.clone()) {
                    eprintln!("warning: {warning}");
                }
            }
            SendDocument::from_result(result, named).with_filter(filtered.as_ref())
        }
        Outcome::NotSent { name, failure } => SendDocument {
            name: named.then_some(name.as_str()),
            ..SendDocument::usage(failure)
        },
    };
    SendDocument {
        device: Some(device),
        ..document
    }
}

/// The human table: one row per device and request (device, request,
/// status, ms, the first line of the error), then `N devices: A ok, B
/// failed`; filter outputs after it.
#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
    filtered: Vec<(String, Output)>,
    warned: BTreeSet<String>,
    devices: usize,
    failed: usize,
    code: u8,
}

impl Table {
    fn add(&mut self, device: &DeviceOutcomes) {
        let out = Shown::stdout();
        self.devices += 1;
        let code = device
            .outcomes
            .iter()
            .map(Outcome::exit_code)
            .max()
            .unwrap_or(0);
        self.failed += usize::from(code != 0);
        self.code = self.code.max(code);
        for outcome in &device.outcomes {
            let (request, status, ms, error) = match outcome {
                Outcome::Sent(result, filtered) => {
                    warn_once(result, &mut self.warned);
                    let request = if result.name.is_empty() {
                        let path = url::Url::parse(&result.url)
                            .map_or_else(|_| result.url.clone(), |u| u.path().to_string());
                        format!("{} {path}", result.method)
                    } else {
                        result.name.clone()
                    };
                    if let Some(filtered) = filtered {
                        let label = format!("{} {}", device.device, result.name);
                        self.filtered
                            .push((label.trim_end().to_string(), filtered.clone()));
                    }
                    let ms = format!("{:.1}", result.elapsed.as_secs_f64() * 1000.0);
                    (
                        request,
                        status_cell(result),
                        ms,
                        first_line(result.error.as_ref()),
                    )
                }
                Outcome::NotSent { name, failure } => (
                    name.clone(),
                    format!("{} (not sent)", kind_id(failure.kind)),
                    "-".to_string(),
                    first_line(Some(failure)),
                ),
            };
            self.rows.push([
                out.line(&device.device).into_owned(),
                out.line(&request).into_owned(),
                status,
                ms,
                out.line(&error).into_owned(),
            ]);
        }
    }

    fn print(self) -> u8 {
        let header = ["DEVICE", "REQUEST", "STATUS", "TIME ms", "ERROR"].map(String::from);
        let width = |col: usize| {
            self.rows
                .iter()
                .chain(std::iter::once(&header))
                .map(|r| r[col].chars().count())
                .max()
                .unwrap_or(0)
        };
        let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
        for row in std::iter::once(&header).chain(&self.rows) {
            let line = format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
                row[0], row[1], row[2], row[3], row[4]
            );
            println!("{}", line.trim_end());
        }
        for (label, filtered) in &self.filtered {
            print_filtered(Some(label), filtered);
        }
        println!(
            "{} devices: {} ok, {} failed",
            self.devices,
            self.devices - self.failed,
            self.failed
        );
        self.code
    }
}

/// The first line of a failure's message, or nothing.
fn first_line(failure: Option<&Failure>) -> String {
    failure
        .and_then(|f| f.message.lines().next())
        .unwrap_or("")
        .to_string()
}
