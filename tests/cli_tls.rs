//! TLS trust and diagnosis: self-signed, pins, CA bundles, expiry, host names.

mod support;

use apx::core::platform::Platform;
use apx::demo::ApplianceConfig;
use apx::demo::certs;
use support::{appliance, appliance_with, apx, apx_in, runtime, send_with};

/// `send --json` with Basic auth as the demo admin of an ASA, trusting as
/// `trust` says.
fn send(url: &str, trust: &[&str]) -> support::Run {
    let args = [&["--json", "--auth", "basic"][..], trust].concat();
    apx(&send_with(Platform::Asa, &args, url))
}

#[test]
fn self_signed_is_refused_by_default_with_a_hint() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send(&format!("{}/api/monitoring/serialnumber", asa.url), &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["status"], serde_json::Value::Null);
    assert_eq!(doc["error"]["kind"], "tls");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("self-signed"),
        "{doc}"
    );
    assert!(
        doc["error"]["hint"].as_str().unwrap().contains("--pin"),
        "{doc}"
    );
    assert_eq!(
        asa.stats.requests.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[test]
fn right_pin_is_accepted_wrong_pin_refused() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let lower_no_colons = asa.sha256.replace(':', "").to_lowercase();
    let ok = send(&url, &["--pin", &lower_no_colons]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);

    let wrong = "00".repeat(32);
    let refused = send(&url, &["--pin", &wrong]);
    assert_eq!(refused.code, 3);
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("does not match the pinned"), "{message}");
    assert!(message.contains(&asa.sha256), "{message}");
}

#[test]
fn ca_bundle_is_accepted() {
    let rt = runtime();
    let ca = certs::Ca::new("apx test CA").unwrap();
    let leaf = ca.issue(&["localhost", "127.0.0.1"]).unwrap();
    let asa = appliance_with(&rt, Platform::Asa, ApplianceConfig::demo(), &leaf);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let run = apx_in(
        dir.path(),
        &send_with(
            Platform::Asa,
            &["--json", "--auth", "basic", "--cacert", "ca.pem"],
            &url,
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    // Without the bundle, the issuer is unknown (and not self-signed).
    let refused = send(&url, &[]);
    assert_eq!(refused.code, 3);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown CA")
    );
}

#[test]
fn expired_certificate_says_how_long_ago() {
    let rt = runtime();
    let cert =
        certs::self_signed_with_validity(&["localhost", "127.0.0.1"], (2020, 1, 1), (2021, 1, 1))
            .unwrap();
    let asa = appliance_with(&rt, Platform::Asa, ApplianceConfig::demo(), &cert);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("own.pem"), &cert.cert_pem).unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let run = apx_in(
        dir.path(),
        &send_with(
            Platform::Asa,
            &["--json", "--auth", "basic", "--cacert", "own.pem"],
            &url,
        ),
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    let message = run.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("expired") && message.contains("days ago"),
        "{message}"
    );

    let probe = apx(&["probe", "--json", &asa.url]);
    assert_eq!(probe.code, 3);
    assert_eq!(probe.json()["expired"], true);
}

#[test]
fn wrong_host_names_what_the_certificate_holds() {
    let rt = runtime();
    let cert = certs::self_signed(&["asa.other.example"]).unwrap();
    let asa = appliance_with(&rt, Platform::Asa, ApplianceConfig::demo(), &cert);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("own.pem"), &cert.cert_pem).unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let run = apx_in(
        dir.path(),
        &send_with(
            Platform::Asa,
            &["--json", "--auth", "basic", "--cacert", "own.pem"],
            &url,
        ),
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    let message = run.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("not valid for 127.0.0.1") && message.contains("asa.other.example"),
        "{message}"
    );
}

#[test]
fn probe_reports_the_chain_without_sending_credentials() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = apx(&["probe", "--json", &asa.url]);
    assert_eq!(run.code, 3, "self-signed does not verify: {}", run.stdout);
    let doc = run.json();
    for field in [
        "url",
        "tls_version",
        "cipher",
        "verified",
        "verify_error",
        "self_signed",
        "expired",
        "hostname_matches",
        "chain",
        "hint",
    ] {
        assert!(doc.get(field).is_some(), "missing {field}: {doc}");
    }
    assert_eq!(doc["verified"], false);
    assert_eq!(doc["self_signed"], true);
    assert_eq!(doc["hostname_matches"], true);
    // The refused chain still tells the protocol and cipher on offer.
    assert!(
        doc["tls_version"].as_str().unwrap().starts_with("TLS"),
        "{doc}"
    );
    assert!(doc["cipher"].as_str().unwrap().contains("TLS"), "{doc}");
    let leaf = &doc["chain"][0];
    assert_eq!(leaf["sha256"], asa.sha256.as_str());
    assert!(
        leaf["san"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "127.0.0.1")
    );
    for field in ["subject", "issuer", "not_before", "not_after"] {
        assert!(leaf[field].is_string(), "{field}");
    }
    assert_eq!(
        asa.stats.requests.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert_eq!(
        asa.stats.logins.load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    let pinned = apx(&["probe", "--json", "--pin", &asa.sha256, &asa.url]);
    assert_eq!(pinned.code, 0, "{}", pinned.stdout);
    let doc = pinned.json();
    assert_eq!(doc["verified"], true);
    assert!(
        doc["tls_version"].as_str().unwrap().starts_with("TLS"),
        "{doc}"
    );
}

#[test]
fn insecure_is_allowed_per_call_and_always_reported() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let run = send(&url, &["--insecure"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["insecure"], true);
    let human = apx(&send_with(
        Platform::Asa,
        &["--auth", "basic", "--insecure"],
        &url,
    ));
    assert_eq!(human.code, 0);
    assert!(human.stderr.contains("NOT verified"), "{}", human.stderr);
}

#[test]
fn a_port_that_does_not_speak_tls_is_a_tls_failure_with_a_hint() {
    let rt = runtime();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = tcp.read(&mut buf).await;
            let answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            let _ = tcp.write_all(answer.as_bytes()).await;
        }
    });
    let url = format!("https://127.0.0.1:{port}/api/monitoring/serialnumber");
    let sent = apx(&["send", "--json", &url]);
    assert_eq!(sent.code, 3, "{}", sent.stdout);
    let error = &sent.json()["error"];
    assert_eq!(error["kind"], "tls", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("did not answer with TLS"),
        "{error}"
    );
    assert!(
        error["hint"].as_str().unwrap().contains("http://"),
        "{error}"
    );

    let probed = apx(&["probe", "--json", &url]);
    assert_eq!(probed.code, 3, "{}", probed.stdout);
    assert_eq!(probed.json()["error"]["kind"], "tls");
}
