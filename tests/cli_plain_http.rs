//! Credentials over plain `http://`: refused for ASA and FXOS (their guides
//! require HTTPS) unless `--allow-http`, and warned about wherever they go
//! unencrypted (stderr and `"warnings"` in `--json`).

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use apx::core::platform::Platform;
use apx::demo::server::{RunningServer, serve_plain};
use apx::demo::{ApplianceConfig, Stats, asa};
use support::send_with;

/// The demo ASA served over plain HTTP, and its counters.
fn plain_asa(rt: &tokio::runtime::Runtime) -> (RunningServer, Arc<Stats>) {
    let stats = Arc::new(Stats::default());
    let handler = asa::handler(ApplianceConfig::demo(), stats.clone());
    let server = rt.block_on(serve_plain(handler, None)).unwrap();
    (server, stats)
}

fn seen(stats: &Stats) -> u32 {
    stats.logins.load(Ordering::SeqCst)
        + stats.failed_logins.load(Ordering::SeqCst)
        + stats.requests.load(Ordering::SeqCst)
}

#[test]
fn asa_over_plain_http_is_refused_before_anything_is_sent() {
    let rt = support::runtime();
    let (server, stats) = plain_asa(&rt);
    let url = format!("{}/api/monitoring/serialnumber", server.url());
    let run = support::apx(&send_with(Platform::Asa, &["--json"], &url));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "usage");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("HTTPS only"), "{message}");
    assert!(
        doc["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--allow-http")
    );
    assert_eq!(seen(&stats), 0, "nothing may reach the appliance");

    // Without credentials too: the guide requires HTTPS for the API.
    let run = support::apx(&["send", "--platform", "fxos", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn allowed_plain_http_warns_that_credentials_travel_unencrypted() {
    let rt = support::runtime();
    let (server, stats) = plain_asa(&rt);
    let url = format!("{}/api/monitoring/serialnumber", server.url());
    let run = support::apx(&send_with(Platform::Asa, &["--json", "--allow-http"], &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 200);
    let warnings = doc["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].as_str().unwrap().contains("unencrypted"),
        "{warnings:?}"
    );
    assert!(run.stderr.contains("warning: "), "{}", run.stderr);
    assert_eq!(stats.logins.load(Ordering::SeqCst), 1);

    // Text mode says it on stderr; Basic auth is named.
    let args = ["--allow-http", "--auth", "basic"];
    let run = support::apx(&send_with(Platform::Asa, &args, &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: Basic credentials travel unencrypted over plain HTTP"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_device_may_allow_plain_http_and_https_carries_no_warning() {
    let rt = support::runtime();
    let (server, _stats) = plain_asa(&rt);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().to_str().unwrap();
    let url = server.url();
    let add = support::apx(
        &[
            &support::device_add_args("lab-asa", Platform::Asa, &url)[..],
            &["--workspace", ws, "--allow-http"],
        ]
        .concat(),
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let run = support::apx(&[
        "send",
        "--workspace",
        ws,
        "--json",
        "--device",
        "lab-asa",
        "--password-env",
        "APX_PASSWORD",
        "/api/monitoring/serialnumber",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["warnings"].as_array().unwrap().len(), 1);

    let asa = support::appliance(&rt, Platform::Asa);
    let run = support::send_json(&asa, "token", "/api/monitoring/serialnumber", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["warnings"], serde_json::json!([]));
}
