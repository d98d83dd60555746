//! The demo appliances hold clients to the documents' rules; apx, through
//! the real binary, keeps them (and is told off when a user breaks them).

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::demo::ApplianceConfig;
use support::{appliance, appliance_with, apx_in, folder_of, localhost_cert, runtime, send_json};

#[test]
fn asa_wants_json_content_type_and_a_sessions_own_token() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let text = send_json(
        &asa,
        "token",
        "/api/commands/writemem",
        &["-X", "POST", "-H", "Content-Type: text/plain"],
    );
    assert_eq!(text.code, 1, "{}", text.stdout);
    let doc = text.json();
    assert_eq!(doc["status"], 415);
    assert_eq!(doc["error"]["code"], "UNSUPPORTED-MEDIA-TYPE");

    // Deleting another session's token is refused; apx's own logout works.
    let other = send_json(
        &asa,
        "token",
        "/api/tokenservices/0123456789abcdef0123456789abcdef",
        &["-X", "DELETE"],
    );
    assert_eq!(other.json()["status"], 403, "{}", other.stdout);
    assert_eq!(asa.stats.logins.load(SeqCst), 2);
    assert_eq!(asa.stats.logouts.load(SeqCst), 2, "each run ended its own");
}

#[test]
fn asyncos_wants_json_accept_and_closes_each_connection() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let ok = send_json(&wsa, "token", "/wsa/api/v2.0/health", &[]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(ok.json()["headers"]["connection"], "close");

    let html = send_json(
        &wsa,
        "token",
        "/wsa/api/v2.0/health",
        &["-H", "Accept: text/html"],
    );
    assert_eq!(html.code, 1);
    let doc = html.json();
    assert_eq!(doc["status"], 406);
    assert_eq!(doc["error"]["format"], "asyncos");
}

/// `run` of `n` health checks on a WSA whose calls take `step` of the
/// JWT's simulated 30 minutes; the appliance's stats after it.
fn long_run(step_minutes: u64, n: usize) -> apx::demo::Appliance {
    let rt = runtime();
    let config = ApplianceConfig {
        jwt_refresh_after: None,
        clock_step: Some(Duration::from_secs(step_minutes * 60)),
        ..ApplianceConfig::demo()
    };
    let wsa = appliance_with(&rt, Platform::Wsa, config, &localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    let ws = folder_of(dir.path(), "wsa", &wsa, "/wsa/api/v2.0/health", n);
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            &ws,
            "run",
            "wsa",
            "--json",
            "--password-env",
            "APX_PASSWORD",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert!(
        doc.as_array().unwrap().iter().all(|d| d["status"] == 200),
        "{doc}"
    );
    // The stats outlive the runtime that served the run.
    drop(rt);
    wsa
}

#[test]
fn asyncos_jwts_renewed_in_their_last_minutes_carry_a_long_run() {
    // 13 minutes a call: at 26 the JWT has 4 left and is renewed.
    let wsa = long_run(13, 8);
    assert!(wsa.stats.refreshes.load(SeqCst) >= 2);
    assert_eq!(wsa.stats.logins.load(SeqCst), 1, "renewed, never expired");
}

#[test]
fn asyncos_jwts_that_ran_out_mean_a_new_login() {
    // 31 minutes a call: every JWT has run out by the next call.
    let wsa = long_run(31, 3);
    assert_eq!(wsa.stats.logins.load(SeqCst), 3);
}
