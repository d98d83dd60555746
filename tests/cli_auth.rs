//! Auth flows and decoded errors, through the real binary against in-process
//! HTTPS appliances.

mod support;

use std::sync::atomic::Ordering::SeqCst;

use apx::core::platform::Platform;
use support::{appliance, runtime, send_args, send_json, send_with};

#[test]
fn asa_token_flow_logs_in_uses_token_and_logs_out() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(&asa, "token", "/api/objects/networkobjects?limit=2", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["error"], serde_json::Value::Null);
    assert_eq!(doc["body"]["rangeInfo"]["limit"], 2);
    assert_eq!(doc["request"]["method"], "GET");
    assert!(doc["elapsed_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(asa.stats.logins.load(SeqCst), 1);
    assert_eq!(asa.stats.requests.load(SeqCst), 1);
    assert_eq!(asa.stats.logouts.load(SeqCst), 1);
}

#[test]
fn asa_basic_auth_needs_no_login() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(&asa, "basic", "/api/monitoring/serialnumber", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["body"]["serialNumber"], "9A5KDN3LR2B");
    assert_eq!(asa.stats.logins.load(SeqCst), 0);
}

#[test]
fn asa_refused_login_is_auth_error_with_hint() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let url = format!("{}/api/objects/networkobjects", asa.url);
    let run = support::apx(&[
        "send",
        "--json",
        "--platform",
        "asa",
        "--auth",
        "token",
        "-u",
        "admin",
        "--password-env",
        "WRONG_PASSWORD",
        "--pin",
        &asa.sha256,
        &url,
    ]);
    // WRONG_PASSWORD is unset: a usage error, nothing sent.
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["error"]["kind"], "usage");

    let out = refused_login(&asa);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["error"]["kind"], "auth");
    // The login's answer came back: its status is the document's.
    assert_eq!(doc["status"], 401);
    assert_eq!(doc["error"]["format"], "asa");
    assert_eq!(doc["error"]["code"], "AUTHENTICATION-FAILED");
    assert!(
        doc["error"]["hint"].as_str().unwrap().contains("password"),
        "{doc}"
    );
    assert_eq!(asa.stats.requests.load(SeqCst), 0);
}

#[test]
fn asa_error_body_is_decoded_with_all_messages() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let body = r#"{"kind":"object#NetworkObj","name":"dup-test","host":{"kind":"IPv4Address","value":"10.9.9.9"}}"#;
    let first = send_json(&asa, "basic", "/api/objects/networkobjects", &["-d", body]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json()["status"], 201);
    let second = send_json(&asa, "basic", "/api/objects/networkobjects", &["-d", body]);
    assert_eq!(second.code, 1);
    let error = &second.json()["error"];
    assert_eq!(error["kind"], "http");
    assert_eq!(error["format"], "asa");
    assert_eq!(error["code"], "DUPLICATE");
    let details: Vec<&str> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        details.iter().any(|d| d.contains("HTTP 400")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("context: objectId")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("[Warning]")),
        "{details:?}"
    );
}

#[test]
fn fxos_token_flow_and_decoded_errors() {
    let rt = runtime();
    let fxos = appliance(&rt, Platform::Fxos);
    let ok = send_json(&fxos, "token", "/api/sys/firmware", &[]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(fxos.stats.logins.load(SeqCst), 1);
    assert_eq!(fxos.stats.logouts.load(SeqCst), 1);

    let not_acceptable = send_json(
        &fxos,
        "token",
        "/api/sys/firmware",
        &["-H", "Accept: text/html"],
    );
    assert_eq!(not_acceptable.code, 1);
    let error = &not_acceptable.json()["error"];
    assert_eq!(error["format"], "fxos");
    assert_eq!(error["code"], "406");
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("Accept: application/json"),
        "{error}"
    );
}

#[test]
fn fxos_refused_login_decodes_551() {
    let rt = runtime();
    let fxos = appliance(&rt, Platform::Fxos);
    let out = refused_login(&fxos);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["error"]["kind"], "auth");
    // FXOS answers a refused login with 400 and its error code 551.
    assert_eq!(doc["status"], 400, "{doc}");
    assert_eq!(doc["error"]["format"], "fxos");
    assert_eq!(doc["error"]["code"], "551");
    assert_eq!(doc["error"]["message"], "Authentication failed");
}

#[test]
fn asyncos_refused_login_is_auth_error() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let out = refused_login(&wsa);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["error"]["kind"], "auth");
    assert_eq!(doc["status"], 401, "{doc}");
    assert_eq!(doc["error"]["format"], "asyncos");
    assert_eq!(doc["error"]["message"], "Authentication failed.");
    assert_eq!(wsa.stats.failed_logins.load(SeqCst), 1);
    assert_eq!(wsa.stats.requests.load(SeqCst), 0);
}

/// `send --json` with token auth and a wrong password, in a temporary
/// workspace (nothing lands in the shipped one).
fn refused_login(a: &apx::demo::Appliance) -> support::Run {
    let path = match a.platform {
        Platform::Asa => "/api/objects/networkobjects",
        Platform::Fxos => "/api/sys/firmware",
        _ => "/wsa/api/v2.0/reporting/web_services_summary",
    };
    let url = format!("{}{path}", a.url);
    let dir = tempfile::tempdir().unwrap();
    support::apx_env(
        dir.path(),
        &send_args(a, &["--json", "--auth", "token"], &url),
        &[("APX_PASSWORD", "not-the-password")],
    )
}

#[test]
fn asyncos_jwt_login_and_error_shapes() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let report = "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa";
    let ok = send_json(&wsa, "token", report, &[]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(wsa.stats.logins.load(SeqCst), 1);

    let missing = send_json(
        &wsa,
        "token",
        "/wsa/api/v2.0/reporting/web_services_summary?endDate=2024-01-31T00:00:00.000Z",
        &[],
    );
    assert_eq!(missing.code, 1);
    let error = &missing.json()["error"];
    assert_eq!(error["format"], "asyncos");
    assert_eq!(error["code"], "400");
    assert!(
        error["message"].as_str().unwrap().contains("startDate"),
        "{error}"
    );

    let unexpected = send_json(&wsa, "basic", &format!("{report}&starts_with=x"), &[]);
    assert_eq!(unexpected.code, 1);
    assert_eq!(
        unexpected.json()["error"]["message"],
        "Unexpected attribute - starts_with."
    );
}

#[test]
fn malformed_json_body_is_refused_before_sending() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(
        &asa,
        "token",
        "/api/objects/networkobjects",
        &["-d", "{\"name\": }"],
    );
    assert_eq!(run.code, 2);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "usage");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("line 1, column 10"),
        "{error}"
    );
    assert_eq!(asa.connections(), 0, "nothing may be sent");
}

#[test]
fn verbose_log_shows_the_exchange_but_no_secret() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let url = format!("{}/api/objects/networkobjects", asa.url);
    let run = support::apx(&send_args(&asa, &["-v", "--auth", "token"], &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("POST https://127.0.0.1"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("/api/tokenservices/(redacted)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("< 204"), "{}", run.stderr);
    assert!(!run.stderr.contains(apx::demo::DEMO_PASSWORD));
    let hex_run = run
        .stderr
        .as_bytes()
        .windows(24)
        .any(|w| w.iter().all(u8::is_ascii_hexdigit));
    assert!(!hex_run, "a token-like string leaked:\n{}", run.stderr);
}

/// Cisco's ASA guide sets `Content-Type: application/json` on every call:
/// the token login, `writemem` with an empty body, and the logout.
#[test]
fn asa_calls_carry_the_json_content_type_even_without_a_body() {
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncWriteExt;
    let rt = runtime();
    let heads: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = heads.clone();
    let (port, fp) = support::raw_tls_server(&rt, move |mut tls| {
        let seen = seen.clone();
        async move {
            loop {
                let head = support::read_head(&mut tls).await;
                if head.is_empty() {
                    return;
                }
                let answer = if head.starts_with("POST /api/tokenservices ") {
                    "HTTP/1.1 204 No Content\r\nX-Auth-Token: T1\r\n\r\n"
                } else if head.starts_with("DELETE ") {
                    "HTTP/1.1 204 No Content\r\n\r\n"
                } else {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                };
                seen.lock().unwrap().push(head);
                if tls.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    });
    let url = format!("https://127.0.0.1:{port}/api/commands/writemem");
    let run = support::apx(&send_with(
        Platform::Asa,
        &["--auth", "token", "--pin", &fp, "-X", "POST", "-d", ""],
        &url,
    ));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let heads = heads.lock().unwrap();
    let lines: Vec<&str> = heads.iter().map(|h| h.lines().next().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "POST /api/tokenservices HTTP/1.1",
            "POST /api/commands/writemem HTTP/1.1",
            "DELETE /api/tokenservices/T1 HTTP/1.1"
        ]
    );
    for head in heads.iter() {
        let head = head.to_ascii_lowercase();
        assert!(
            head.contains("content-type: application/json\r\n"),
            "{head}"
        );
        assert!(head.contains("user-agent: rest api agent\r\n"), "{head}");
    }
    // The request and the logout carry the token instead of Basic.
    for head in &heads[1..] {
        let head = head.to_ascii_lowercase();
        assert!(head.contains("x-auth-token: t1\r\n"), "{head}");
        assert!(!head.contains("authorization"), "{head}");
    }
}
