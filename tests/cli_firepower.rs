//! FMC and FDM through the real binary against the demo appliances over
//! HTTPS: each token flow (login, call, refresh after expiry, the FMC's
//! refresh limit then a new login, revoke), domains by name, the API
//! version, every recorded error shape, and `429`s with and without
//! `Retry-After`.

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::demo::fmc::{GLOBAL_UUID, LAB_UUID};
use apx::demo::{ApplianceConfig, RateLimit};
use serde_json::Value;
use support::{
    add_device_with, appliance, appliance_with, apx_env, apx_in, folder_of, localhost_cert,
    runtime, send_args, send_json,
};

const NETWORKS: &str = "/api/fmc_config/v1/domain/{domainUUID}/object/networks";

fn count(counter: &std::sync::atomic::AtomicU32) -> u32 {
    counter.load(SeqCst)
}

/// Simulated minutes that pass with each authenticated call.
fn stepping(minutes: u64) -> ApplianceConfig {
    ApplianceConfig {
        clock_step: Some(Duration::from_secs(minutes * 60)),
        ..ApplianceConfig::demo()
    }
}

fn statuses(doc: &Value) -> Vec<u64> {
    doc.as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_u64().unwrap_or(0))
        .collect()
}

#[test]
fn fmc_logs_in_fills_the_domain_and_revokes() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let run = send_json(&fmc, "token", NETWORKS, &["-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["body"]["paging"]["count"], 30, "the Global domain");
    assert_eq!(doc["body"]["paging"]["pages"], 2);
    assert!(
        doc["body"]["links"]["self"]
            .as_str()
            .unwrap()
            .contains(GLOBAL_UUID)
    );
    assert_eq!(doc["retries"], 0);
    let sent = doc["request"]["url"].as_str().unwrap();
    assert!(
        sent.ends_with(&format!("/domain/{GLOBAL_UUID}/object/networks")),
        "{sent}"
    );
    assert!(run.stderr.contains("/auth/generatetoken"), "{}", run.stderr);
    assert!(run.stderr.contains("/auth/revokeaccess"), "{}", run.stderr);
    assert_eq!(count(&fmc.stats.logins), 1);
    assert_eq!(count(&fmc.stats.logouts), 1);
    // The token header is the session's alone; tokens are never printed.
    for token in fmc.stats.issued() {
        assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
    }
}

#[test]
fn fmc_domains_are_chosen_by_name() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let lab = send_json(&fmc, "token", NETWORKS, &["--domain", "Global/Lab"]);
    assert_eq!(lab.code, 0, "{}", lab.stdout);
    assert_eq!(lab.json()["body"]["paging"]["count"], 3);
    assert!(lab.stdout.contains(LAB_UUID));

    // The variable spelling, through a device that keeps its domain.
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    add_device_with(
        dir.path(),
        &["--workspace", ws_arg],
        "lab",
        &fmc,
        &["--domain", "Global/Lab"],
    );
    let devices = std::fs::read_to_string(ws.join("devices.json")).unwrap();
    assert!(devices.contains("\"domain\": \"Global/Lab\""), "{devices}");
    let by_device = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "send",
            "--json",
            "--device",
            "lab",
            "--password-env",
            "APX_PASSWORD",
            "/api/fmc_config/v1/domain/{{domainUUID}}/object/hosts",
        ],
    );
    assert_eq!(
        by_device.code, 0,
        "{}{}",
        by_device.stdout, by_device.stderr
    );
    assert!(
        by_device.stdout.contains("lab-host-1"),
        "{}",
        by_device.stdout
    );

    let unknown = send_json(&fmc, "token", NETWORKS, &["--domain", "Global/Nope"]);
    assert_eq!(unknown.code, 1, "{}", unknown.stdout);
    let error = &unknown.json()["error"];
    assert_eq!(error["kind"], "auth");
    let hint = error["hint"].as_str().unwrap();
    assert!(hint.contains("Global, Global/Lab"), "{hint}");
    // The login that listed the domains is still revoked.
    assert_eq!(count(&fmc.stats.logins), count(&fmc.stats.logouts));
}

#[test]
fn fmc_refreshes_after_expiry_three_times_then_logs_in_again() {
    let rt = runtime();
    let fmc = appliance_with(&rt, Platform::Fmc, stepping(20), &localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    let ws = folder_of(
        dir.path(),
        "fmc",
        &fmc,
        "/api/fmc_platform/v1/info/serverversion",
        10,
    );
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            &ws,
            "-v",
            "run",
            "fmc",
            "--json",
            "--password-env",
            "APX_PASSWORD",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        statuses(&run.json()).iter().all(|s| *s == 200),
        "{}",
        run.stdout
    );
    // Tokens expire every 30 simulated minutes: three refreshes on a 401,
    // then the fourth expiry needs a new login.
    assert_eq!(count(&fmc.stats.refreshes), 3);
    assert_eq!(count(&fmc.stats.logins), 2);
    assert_eq!(count(&fmc.stats.logouts), 1);
    assert_eq!(
        run.stderr.matches("/auth/refreshtoken").count(),
        3,
        "{}",
        run.stderr
    );
}

#[test]
fn fdm_refreshes_after_expiry_and_revokes() {
    let rt = runtime();
    let fdm = appliance_with(&rt, Platform::Fdm, stepping(16), &localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    let ws = folder_of(
        dir.path(),
        "fdm",
        &fdm,
        "/api/fdm/latest/object/networks",
        4,
    );
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            &ws,
            "-v",
            "run",
            "fdm",
            "--json",
            "--password-env",
            "APX_PASSWORD",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let docs = run.json();
    assert!(statuses(&docs).iter().all(|s| *s == 200), "{}", run.stdout);
    assert_eq!(docs[0]["body"]["paging"]["count"], 12);
    assert_eq!(count(&fdm.stats.logins), 1);
    assert_eq!(count(&fdm.stats.refreshes), 1);
    assert_eq!(count(&fdm.stats.logouts), 1, "revoked at the end");
}

#[test]
fn fdm_api_version_replaces_latest() {
    let rt = runtime();
    let fdm = appliance(&rt, Platform::Fdm);
    let path = "/api/fdm/latest/operational/systeminfo/default";
    let v6 = send_json(&fdm, "token", path, &["--api-version", "v6", "-v"]);
    assert_eq!(v6.code, 0, "{}{}", v6.stdout, v6.stderr);
    assert!(v6.stderr.contains("/api/fdm/v6/fdm/token"), "{}", v6.stderr);
    assert!(
        v6.stderr.contains("/api/fdm/v6/operational/systeminfo"),
        "{}",
        v6.stderr
    );
    // A version the appliance does not serve: its login path is not found.
    let v99 = send_json(&fdm, "token", path, &["--api-version", "v99"]);
    assert_eq!(v99.code, 1, "{}", v99.stdout);
    assert_eq!(v99.json()["error"]["kind"], "auth");
    assert_eq!(v99.json()["status"], 404);
    let bad = send_json(&fdm, "token", path, &["--api-version", "../v6"]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
}

#[test]
fn every_error_shape_is_decoded() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let fdm = appliance(&rt, Platform::Fdm);
    let wrong = [("APX_PASSWORD", "wrong")];
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("{}{NETWORKS}", fmc.url);
    let fmc_login = apx_env(tmp.path(), &send_args(&fmc, &["--json"], &url), &wrong);
    assert_eq!(fmc_login.code, 1);
    let e = &fmc_login.json()["error"];
    assert_eq!(
        (e["kind"].as_str(), e["format"].as_str()),
        (Some("auth"), Some("fmc"))
    );
    assert_eq!(e["message"], "User authentication failed.");
    assert_eq!(e["code"], "401");

    let url = format!("{}/api/fdm/latest/object/networks", fdm.url);
    let fdm_login = apx_env(tmp.path(), &send_args(&fdm, &["--json"], &url), &wrong);
    assert_eq!(fdm_login.code, 1);
    let e = &fdm_login.json()["error"];
    assert_eq!(
        (e["kind"].as_str(), e["format"].as_str()),
        (Some("auth"), Some("fdm"))
    );
    assert_eq!(e["message"], "Failed to authenticate user");
    assert_eq!(e["code"], "400");

    let duplicate = send_json(
        &fdm,
        "token",
        "/api/fdm/latest/object/networks",
        &[
            "-d",
            r#"{"name": "fdm-net-1", "value": "10.1.0.0/24", "type": "networkobject"}"#,
        ],
    );
    assert_eq!(duplicate.code, 1);
    let doc = duplicate.json();
    assert_eq!(doc["status"], 422);
    let e = &doc["error"];
    assert_eq!(
        (e["kind"].as_str(), e["format"].as_str()),
        (Some("http"), Some("fdm"))
    );
    assert_eq!(e["code"], "duplicateName");
    assert_eq!(
        e["message"],
        "Validation failed due to a duplicate name: \"fdm-net-1\""
    );
    assert!(
        e["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "location: name"),
        "{e}"
    );

    let fmc_duplicate = send_json(
        &fmc,
        "token",
        NETWORKS,
        &[
            "-d",
            r#"{"name": "global-net-1", "value": "10.1.0.0/24", "type": "Network"}"#,
        ],
    );
    assert_eq!(fmc_duplicate.code, 1);
    let e = &fmc_duplicate.json()["error"];
    assert_eq!(
        (e["format"].as_str(), e["code"].as_str()),
        (Some("fmc"), Some("400"))
    );
    assert!(
        e["message"].as_str().unwrap().contains("already exists"),
        "{e}"
    );
    assert!(
        e["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "category: FRAMEWORK"),
        "{e}"
    );

    let basic = send_json(&fmc, "basic", NETWORKS, &[]);
    assert_eq!(basic.code, 2, "{}", basic.stdout);
    assert_eq!(basic.json()["error"]["kind"], "usage");
}

/// A FMC that takes one request a second.
fn throttled(retry_after: bool) -> ApplianceConfig {
    ApplianceConfig {
        rate_limit: Some(RateLimit {
            requests: 1,
            window: Duration::from_secs(1),
            retry_after,
        }),
        ..ApplianceConfig::demo()
    }
}

#[test]
fn a_429_is_waited_out_after_retry_after() {
    let rt = runtime();
    let fmc = appliance_with(&rt, Platform::Fmc, throttled(true), &localhost_cert());
    let run = send_json(
        &fmc,
        "token",
        "/api/fmc_platform/v1/info/serverversion",
        &["-v"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["retries"], 1);
    assert!(
        run.stderr
            .contains("429 Too Many Requests: retry 1 of 3 in 1.0 s"),
        "{}",
        run.stderr
    );
    assert!(count(&fmc.stats.throttled) >= 1);
}

#[test]
fn a_429_without_retry_after_backs_off_and_retries_are_bounded() {
    let rt = runtime();
    let fmc = appliance_with(&rt, Platform::Fmc, throttled(false), &localhost_cert());
    let run = send_json(
        &fmc,
        "token",
        "/api/fmc_platform/v1/info/serverversion",
        &["-v"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["retries"], 1);
    assert!(
        run.stderr.contains("retry 1 of 3 in 1.0 s"),
        "{}",
        run.stderr
    );

    let fmc = appliance_with(&rt, Platform::Fmc, throttled(true), &localhost_cert());
    let none = send_json(
        &fmc,
        "token",
        "/api/fmc_platform/v1/info/serverversion",
        &["--retries", "0"],
    );
    assert_eq!(none.code, 1, "{}", none.stdout);
    let doc = none.json();
    assert_eq!(
        (doc["status"].as_u64(), doc["retries"].as_u64()),
        (Some(429), Some(0))
    );
    assert_eq!(doc["error"]["format"], "fmc");
}

#[test]
fn a_change_is_noted_as_needing_a_deployment() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let fdm = appliance(&rt, Platform::Fdm);
    let body = r#"{"name": "apx-note", "value": "10.77.0.0/24", "type": "Network"}"#;
    for (a, path) in [(&fmc, NETWORKS), (&fdm, "/api/fdm/latest/object/networks")] {
        let url = format!("{}{path}", a.url);
        let tmp = tempfile::tempdir().unwrap();
        let created = apx_in(tmp.path(), &send_args(a, &["-d", body], &url));
        assert_eq!(created.code, 0, "{}", created.stderr);
        assert!(
            created.stderr.contains("note: The change takes effect"),
            "{}",
            created.stderr
        );
        let read = apx_in(tmp.path(), &send_args(a, &[], &url));
        assert_eq!(read.code, 0, "{}", read.stderr);
        assert!(!read.stderr.contains("deployment"), "{}", read.stderr);
    }
}

#[test]
fn all_pages_walks_fmc_and_fdm_paging_in_one_session() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let fdm = appliance(&rt, Platform::Fdm);
    for (a, path, total) in [
        (&fmc, format!("{NETWORKS}?expanded=true"), 30),
        (
            &fdm,
            "/api/fdm/latest/object/networks?limit=5".to_string(),
            12,
        ),
    ] {
        let run = send_json(a, "token", &path, &["--all-pages"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let doc = run.json();
        assert_eq!(
            doc["body"]["items"].as_array().map(Vec::len),
            Some(total),
            "{}",
            a.name
        );
        assert!(doc["pages"].as_u64().unwrap() >= 2, "{}", a.name);
        assert_eq!(count(&a.stats.logins), 1, "{}: one login", a.name);
        assert_eq!(count(&a.stats.logouts), 1, "{}", a.name);
    }
}
