//! `--devices SELECTOR` on `send` and `run` through the real binary against
//! demo ASAs: a folder with its subfolders (not `Fleetwood`), one device
//! unreachable and one with a wrong password, `--json` documents with their
//! device, exit codes; and the engine's fan-out scheduler (bounded
//! concurrency, cancel before a device's turn).

mod support;

use std::path::Path;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, mpsc};

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::core::workspace::saved::SavedRequest;
use apx::demo::Appliance;
use apx::engine::{Engine, Event, EventSink, Job};
use serde_json::Value;
use support::devices::{pin, session};
use support::fleet::Fleet;
use support::requests;

/// The fleet, its devices saved in its workspace.
fn fleet() -> Fleet {
    let f = Fleet::start();
    Workspace::new(&f.ws).save_devices(&f.devices()).unwrap();
    f
}

const SERIAL: &str = "/api/monitoring/serialnumber";

/// The line of `stdout` that starts with `device`.
fn line_of<'a>(stdout: &'a str, device: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(device))
        .unwrap_or_else(|| panic!("no line for {device}:\n{stdout}"))
}

#[test]
fn send_to_a_folder_reports_each_device_and_the_worst_exit_code() {
    let f = fleet();
    let run = f.apx(&[
        "send",
        "--password-env",
        "APX_PASSWORD",
        "--devices",
        "Fleet",
        SERIAL,
    ]);
    assert_eq!(
        run.code, 3,
        "connection refused is the worst: {}{}",
        run.stdout, run.stderr
    );
    let header = run.stdout.lines().next().unwrap();
    for column in ["DEVICE", "REQUEST", "STATUS", "TIME ms", "ERROR"] {
        assert!(header.contains(column), "{header}");
    }
    for ok in ["fw-a", "fw-b"] {
        let line = line_of(&run.stdout, ok);
        assert!(line.contains(&format!("GET {SERIAL}")), "{line}");
        assert!(line.contains(" 200 "), "{line}");
    }
    let down = line_of(&run.stdout, "fw-down");
    assert!(down.contains("connect"), "{down}");
    assert!(down.to_lowercase().contains("refused"), "{down}");
    let bad = line_of(&run.stdout, "fw-badpw");
    assert!(bad.contains("401") || bad.contains("auth"), "{bad}");
    assert!(
        !run.stdout.contains("fw-w"),
        "Fleet does not select Fleetwood:\n{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.lines().last(),
        Some("4 devices: 2 ok, 2 failed"),
        "{}",
        run.stdout
    );
    assert_eq!(f.a.stats.logins.load(SeqCst), 1);
    assert_eq!(f.b.stats.logins.load(SeqCst), 1);
    assert_eq!(f.w.stats.logins.load(SeqCst), 0);
    assert_eq!(f.badpw.stats.logins.load(SeqCst), 0);
}

#[test]
fn send_json_is_an_array_of_documents_with_their_device() {
    let f = fleet();
    let run = f.apx(&[
        "--json",
        "send",
        "--password-env",
        "APX_PASSWORD",
        "--devices",
        "fw-w, fw-badpw",
        "--concurrency",
        "1",
        SERIAL,
    ]);
    assert_eq!(
        run.code, 1,
        "the wrong password: {}{}",
        run.stdout, run.stderr
    );
    let docs = run.json();
    let docs = docs.as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["device"], "fw-w", "in the order given");
    assert_eq!(docs[0]["status"], 200);
    assert!(docs[0]["body"]["serialNumber"].is_string(), "{}", docs[0]);
    assert!(
        docs[0].get("name").is_none(),
        "no name for an ad-hoc request"
    );
    assert_eq!(docs[1]["device"], "fw-badpw");
    assert_eq!(docs[1]["error"]["kind"], "auth", "{}", docs[1]);
}

fn saved(ws: &Path, name: &str, url: &str) {
    let request = SavedRequest {
        platform: Some(Platform::Asa),
        ..requests::get(name, url)
    };
    Workspace::new(ws).save_request("Checks", &request).unwrap();
}

#[test]
fn run_a_folder_on_devices_names_each_document_one_session_per_device() {
    let f = fleet();
    saved(&f.ws, "Serial", SERIAL);
    saved(
        &f.ws,
        "Version",
        "/api/monitoring/device/components/version",
    );
    let run = f.apx(&[
        "--json",
        "run",
        "--password-env",
        "APX_PASSWORD",
        "--devices",
        "fw-b,fw-a",
        "Checks",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let docs = run.json();
    let pairs: Vec<(Value, Value, Value)> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["device"].clone(), d["name"].clone(), d["status"].clone()))
        .collect();
    let expected = [
        ("fw-b", "Serial"),
        ("fw-b", "Version"),
        ("fw-a", "Serial"),
        ("fw-a", "Version"),
    ];
    assert_eq!(pairs.len(), expected.len(), "{pairs:?}");
    for ((device, name, status), (d, n)) in pairs.iter().zip(expected) {
        assert_eq!((device.as_str(), name.as_str()), (Some(d), Some(n)));
        assert_eq!(status, 200, "{device} {name}");
    }
    for a in [&f.a, &f.b] {
        assert_eq!(a.stats.logins.load(SeqCst), 1, "one session per device");
        assert_eq!(a.stats.logouts.load(SeqCst), 1);
    }
    let text = f.apx(&[
        "run",
        "--password-env",
        "APX_PASSWORD",
        "--devices",
        "fw-a",
        "Checks",
    ]);
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    assert!(
        line_of(&text.stdout, "fw-a").contains("Serial"),
        "{}",
        text.stdout
    );
    assert_eq!(
        text.stdout.lines().last(),
        Some("1 devices: 1 ok, 0 failed")
    );
}

#[test]
fn bad_selectors_and_flags_are_usage_errors() {
    let f = fleet();
    let unknown = f.apx(&["send", "--devices", "Flee", SERIAL]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("Flee"), "{}", unknown.stderr);
    let missing = f.apx(&["--json", "send", "--devices", "fw-a,nope", SERIAL]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope")
    );
    for args in [
        ["send", "--devices", "Fleet", "--concurrency", "0", SERIAL].as_slice(),
        &["send", "--devices", "Fleet", "--device", "fw-a", SERIAL],
        &["send", "--concurrency", "2", SERIAL],
        &["send", "--devices", "Fleet", "-o", "out.json", SERIAL],
    ] {
        let run = f.apx(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    assert_eq!(f.a.stats.requests.load(SeqCst), 0, "nothing sent");
}

#[test]
fn a_device_without_a_password_gets_its_row() {
    let f = fleet();
    // No --password-env, no keyring, no terminal: no password for anyone.
    let run = f.apx(&["send", "--devices", "fw-a,fw-w", SERIAL]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    for device in ["fw-a", "fw-w"] {
        let line = line_of(&run.stdout, device);
        assert!(line.contains("usage (not sent)"), "{line}");
        assert!(line.contains("no password available"), "{line}");
    }
    assert_eq!(run.stdout.lines().last(), Some("2 devices: 0 ok, 2 failed"));
    assert_eq!(
        f.a.stats.logins.load(SeqCst) + f.w.stats.logins.load(SeqCst),
        0
    );
}

/// A job for `a`: one GET of the serial number with the demo credentials.
fn job(a: &Appliance) -> Job {
    use apx::engine::session::PreparedRequest;
    let url = url::Url::parse(&format!("{}{SERIAL}", a.url)).unwrap();
    Job {
        session: session(a),
        requests: vec![apx::engine::JobRequest {
            name: String::new(),
            request: PreparedRequest {
                method: "GET".into(),
                url,
                headers: Platform::Asa.preset_headers(false),
                body: None,
            },
            sink: apx::engine::http::Sink::Memory(1 << 20),
            all_pages: false,
        }],
        keyring: None,
        keep: None,
    }
}

#[test]
fn the_scheduler_runs_at_most_n_devices_at_a_time() {
    let f = fleet();
    let (tx, rx) = mpsc::channel();
    let engine = Engine::start(EventSink::new(tx, Arc::new(|| {}))).unwrap();
    let ids = engine.fan_out(vec![vec![job(&f.a)], vec![job(&f.b)], vec![job(&f.w)]], 2);
    let ids: Vec<u64> = ids.into_iter().flatten().collect();
    let (mut running, mut most, mut done) = (0, 0, 0);
    for event in rx.iter() {
        match event {
            Event::Started { .. } => {
                running += 1;
                most = most.max(running);
            }
            Event::Finished { result, .. } => assert_eq!(result.status, Some(200)),
            Event::JobDone { job } => {
                assert!(ids.contains(&job));
                running -= 1;
                done += 1;
                if done == ids.len() {
                    break;
                }
            }
            _ => {}
        }
    }
    assert!(most <= 2, "{most} devices at once");
    for a in [&f.a, &f.b, &f.w] {
        assert_eq!(a.stats.logins.load(SeqCst), 1);
    }
}

#[test]
fn cancel_all_stops_the_device_under_way_and_the_waiting_ones_send_nothing() {
    let f = fleet();
    // A device that accepts the connection and never answers: it holds the
    // only place until cancelled.
    let (port, sha256) = support::raw_tls_server(&f.rt, |tls| async move {
        std::future::pending::<()>().await;
        drop(tls);
    });
    let mut hung = job(&f.a);
    let url = url::Url::parse(&format!("https://127.0.0.1:{port}{SERIAL}")).unwrap();
    hung.session.origin = apx::core::request::origin(&url);
    hung.session.trust = pin(&sha256);
    hung.requests[0].request.url = url;
    let (tx, rx) = mpsc::channel();
    let engine = Engine::start(EventSink::new(tx, Arc::new(|| {}))).unwrap();
    let ids = engine.fan_out(vec![vec![hung], vec![job(&f.a)], vec![job(&f.b)]], 1);
    let mut finished = Vec::new();
    let mut done = 0;
    for event in rx.iter() {
        match event {
            Event::Started { job, .. } => {
                assert_eq!(job, ids[0][0], "the others wait their turn");
                engine.cancel_all(ids.iter().flatten().copied().collect());
            }
            Event::Finished { result, .. } => finished.push(result),
            Event::JobDone { .. } => {
                done += 1;
                if done == 3 {
                    break;
                }
            }
            _ => {}
        }
    }
    assert_eq!(finished.len(), 3);
    for result in &finished {
        let kind = result.error.as_ref().map(|e| e.kind);
        assert_eq!(
            kind,
            Some(apx::core::error::FailureKind::Cancelled),
            "{result:?}"
        );
    }
    for a in [&f.a, &f.b] {
        assert_eq!(a.stats.logins.load(SeqCst), 0, "cancelled before its turn");
    }
}

/// A fleet's answers are printed a device at a time, in device order, and
/// dropped: memory holds the devices under way, not the whole fleet's
/// bodies (24 devices of 8 MiB each would be 192 MiB held to the end).
#[test]
fn fan_out_memory_is_bounded_by_concurrency_not_by_fleet_size() {
    let rt = support::runtime();
    let (port, fp) = support::chunked_body_server(&rt, 200, Some(128));
    let url = format!("https://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let devices: Vec<_> = (0..24)
        .map(|i| apx::core::workspace::Device {
            folder: "Big".into(),
            username: None,
            trust: pin(&fp),
            ..support::devices::device(&format!("big-{i:02}"), Platform::Generic, &url)
        })
        .collect();
    Workspace::new(dir.path()).save_devices(&devices).unwrap();
    let ws = dir.path().to_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["--workspace", ws, "send", "--devices", "Big"];
        args.extend(["--concurrency", "2", "--max-body", "16M"]);
        if json {
            args.insert(0, "--json");
        }
        args.push("/bulk");
        let watched =
            support::apx_watched(dir.path(), &args, 600, std::time::Duration::from_secs(120));
        assert!(watched.killed.is_none(), "{:?}", watched.killed);
        assert_eq!(watched.run.code, 0, "{}", watched.run.stderr);
        assert!(
            watched.peak_rss_mib < 120,
            "json={json}: peak {} MiB for 24 bodies of 8 MiB",
            watched.peak_rss_mib
        );
        if json {
            let doc = watched.run.json();
            let names: Vec<&str> = doc
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["device"].as_str().unwrap())
                .collect();
            let expected: Vec<String> = (0..24).map(|i| format!("big-{i:02}")).collect();
            assert_eq!(names, expected, "device order");
        } else {
            assert!(
                watched.run.stdout.contains("24 devices: 24 ok, 0 failed"),
                "{}",
                watched.run.stdout
            );
        }
    }
}
