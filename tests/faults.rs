//! Faults from misbehaving servers: bad bytes, huge heads, slow drips,
//! compression bombs and redirects that would carry credentials away.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use apx::core::platform::Platform;
use apx::demo::server::{DemoRequest, DemoResponse, serve_tls};
use support::{apx, apx_in, localhost_cert, runtime, send_with};
use tokio::io::AsyncWriteExt;

/// Serves one fixed answer over TLS; returns (url, fingerprint, hit counter).
fn fixed(
    rt: &tokio::runtime::Runtime,
    answer: DemoResponse,
) -> (
    String,
    String,
    Arc<AtomicUsize>,
    apx::demo::server::RunningServer,
) {
    let cert = localhost_cert();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let handler = Arc::new(move |_: &DemoRequest| {
        counter.fetch_add(1, SeqCst);
        answer.clone()
    });
    let server = rt.block_on(serve_tls(&cert, handler, None)).unwrap();
    (
        server.url(),
        apx::core::tls::sha256_fingerprint(&cert.cert_der),
        hits,
        server,
    )
}

#[test]
fn invalid_utf8_is_shown_with_replacements_and_saved_intact() {
    let rt = runtime();
    let bytes = b"caf\xe9 \xff\xfe bytes".to_vec();
    let answer = DemoResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: bytes.clone(),
        delay: None,
    };
    let (url, fp, _, _server) = fixed(&rt, answer);
    let run = apx(&["send", "--json", "--pin", &fp, &format!("{url}/x")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["body"], "caf\u{fffd} \u{fffd}\u{fffd} bytes");
    let dir = tempfile::tempdir().unwrap();
    let saved = apx_in(
        dir.path(),
        &["send", "--pin", &fp, "-o", "out.bin", &format!("{url}/x")],
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), bytes);
}

#[test]
fn a_huge_header_block_is_read_or_refused_cleanly() {
    let rt = runtime();
    let mut answer = DemoResponse::json(200, &serde_json::json!({"ok": true}));
    for i in 0..90 {
        answer = answer.with_header(&format!("x-filler-{i}"), &"v".repeat(500));
    }
    let (url, fp, _, _server) = fixed(&rt, answer);
    let run = apx(&["send", "--json", "--pin", &fp, &format!("{url}/x")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.json()["headers"]["x-filler-89"].as_str().unwrap().len(),
        500
    );

    let mut too_many = DemoResponse::json(200, &serde_json::json!({}));
    for i in 0..300 {
        too_many = too_many.with_header(&format!("x-h-{i}"), "v");
    }
    let (url, fp, _, _server2) = fixed(&rt, too_many);
    let run = apx(&["send", "--json", "--pin", &fp, &format!("{url}/x")]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(run.json()["error"]["kind"], "connect");
}

#[test]
fn a_slow_drip_body_completes_and_a_slower_one_times_out() {
    let rt = runtime();
    let (port, fp) = support::raw_tls_server(&rt, |mut tls| async move {
        support::read_head(&mut tls).await;
        let _ = tls
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n",
            )
            .await;
        for chunk in [&b"[1, "[..], b"2, ", b"3, ", b"4]\n"] {
            let _ = tls.write_all(chunk).await;
            let _ = tls.flush().await;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        let _ = tls.shutdown().await;
    });
    let url = format!("https://127.0.0.1:{port}/drip");
    let ok = apx(&["send", "--json", "--pin", &fp, &url]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(ok.json()["body"], serde_json::json!([1, 2, 3, 4]));
    let late = apx(&["send", "--json", "--timeout", "0.3", "--pin", &fp, &url]);
    assert_eq!(late.code, 3);
    assert_eq!(late.json()["error"]["kind"], "timeout");
}

#[test]
fn a_gzip_bomb_is_never_inflated() {
    let rt = runtime();
    let bomb = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bomb.gz"
    ))
    .unwrap();
    let answer = DemoResponse {
        status: 200,
        headers: vec![
            ("content-encoding".into(), "gzip".into()),
            ("content-type".into(), "application/json".into()),
        ],
        body: bomb.clone(),
        delay: None,
    };
    let (url, fp, _, _server) = fixed(&rt, answer);
    let dir = tempfile::tempdir().unwrap();
    let run = apx_in(
        dir.path(),
        &["send", "--pin", &fp, "-o", "bomb.out", &format!("{url}/x")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::metadata(dir.path().join("bomb.out"))
        .unwrap()
        .len();
    assert_eq!(
        written,
        bomb.len() as u64,
        "20 MB of zeros stay 19 KB: apx asks for no compression and inflates none"
    );
}

/// A listener on 127.0.0.1 that counts the connections made to it (and
/// answers none): "nothing reached it" means not even a TCP handshake.
fn connection_counter(rt: &tokio::runtime::Runtime) -> (u16, Arc<AtomicUsize>) {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    rt.spawn(async move {
        while let Ok((_tcp, _)) = listener.accept().await {
            counter.fetch_add(1, SeqCst);
        }
    });
    (port, count)
}

#[test]
fn redirects_are_not_followed_so_credentials_stay_put() {
    let rt = runtime();
    // The places redirects point to: another HTTPS host (another port) and
    // a plain HTTP one; each counts every connection made to it.
    let (https_port, https_hits) = connection_counter(&rt);
    let (http_port, http_hits) = connection_counter(&rt);
    let to_https = DemoResponse::empty(302).with_header(
        "location",
        &format!("https://localhost:{https_port}/collect"),
    );
    let to_http = DemoResponse::empty(307)
        .with_header("location", &format!("http://127.0.0.1:{http_port}/collect"));
    let dir = tempfile::tempdir().unwrap();
    for (answer, other_hits) in [(to_https, &https_hits), (to_http, &http_hits)] {
        let (url, fp, hits, _server) = fixed(&rt, answer);
        let target = format!("{url}/api");
        let saved = support::save_request(dir.path(), "moved", None, &target);
        let saved = saved.to_str().unwrap();
        let send = |extra: &[&str]| {
            let mut args = vec!["send"];
            args.extend_from_slice(extra);
            args.extend_from_slice(&support::BASIC_AUTH);
            args.extend_from_slice(&["--pin", &fp, &target]);
            apx_in(dir.path(), &args)
        };
        let run = |extra: &[&str]| {
            let mut args = vec!["run", saved];
            args.extend_from_slice(extra);
            args.extend_from_slice(&support::BASIC_AUTH);
            args.extend_from_slice(&["--pin", &fp]);
            apx_in(dir.path(), &args)
        };
        let json = send(&["--json"]);
        assert_eq!(json.code, 0, "{}{}", json.stdout, json.stderr);
        assert!(matches!(json.json()["status"].as_u64(), Some(302 | 307)));
        let ran = run(&["--json"]);
        assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
        assert_eq!(ran.json()[0]["status"], json.json()["status"]);
        for text in [send(&[]), run(&[])] {
            assert_eq!(text.code, 0, "a 3xx answer exits 0\n{}", text.stderr);
            assert!(text.stderr.contains("not followed"), "{}", text.stderr);
        }
        assert_eq!(hits.load(SeqCst), 4, "each run asked the first host once");
        assert_eq!(
            other_hits.load(SeqCst),
            0,
            "not one connection, so no credential, went to the other host"
        );
    }

    let (loop_url, loop_fp, loop_hits, _loop_server) = fixed(
        &rt,
        DemoResponse::empty(301).with_header("location", "/again"),
    );
    let looped = apx(&[
        "send",
        "--json",
        "--pin",
        &loop_fp,
        &format!("{loop_url}/again"),
    ]);
    assert_eq!(looped.code, 0);
    assert_eq!(
        loop_hits.load(SeqCst),
        1,
        "a redirect loop costs one request"
    );
}

/// A login sent by hand (as an imported "Login" request is) is answered
/// with a live session token: shown to whoever sent it, but never written to
/// a file of the workspace. The files that may hold request data are
/// private, and the history is kept out of git.
#[test]
fn hand_sent_login_tokens_never_reach_the_workspace() {
    let rt = runtime();
    let fxos = support::appliance(&rt, Platform::Fxos);
    let wsa = support::appliance(&rt, Platform::Wsa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    for (name, a) in [("fxos", &fxos), ("wsa", &wsa)] {
        support::add_device(dir.path(), &["--workspace", ws_arg], name, a);
    }
    let password = apx::demo::DEMO_PASSWORD;
    let password_header = format!("password: {password}");
    let wsa_body = serde_json::json!({"data": {
        "userName": support::base64_of("admin"),
        "passphrase": support::base64_of(password),
    }})
    .to_string();
    let sends: [&[&str]; 2] = [
        &[
            "--device",
            "fxos",
            "--auth",
            "none",
            "-X",
            "POST",
            "-H",
            "username: admin",
            "-H",
            &password_header,
            "/api/login",
        ],
        &[
            "--device",
            "wsa",
            "--auth",
            "none",
            "-d",
            &wsa_body,
            "/wsa/api/v2.0/login",
        ],
    ];
    let mut bodies = Vec::new();
    for extra in sends {
        let mut args = vec!["--workspace", ws_arg, "send", "--json"];
        args.extend_from_slice(extra);
        let sent = apx_in(dir.path(), &args);
        assert_eq!(sent.code, 0, "{}{}", sent.stdout, sent.stderr);
        bodies.push(sent.json()["body"].clone());
    }
    // The same logins as saved requests, run as a folder.
    std::fs::create_dir_all(ws.join("Logins")).unwrap();
    let fxos_login = serde_json::json!({
        "format": 2, "name": "FXOS login", "device": "fxos", "auth": "none",
        "method": "POST", "url": "/api/login",
        "headers": [{"name": "username", "value": "{{username}}"},
                    {"name": "password", "value": password}],
    });
    let wsa_login = serde_json::json!({
        "format": 2, "name": "WSA login", "device": "wsa", "auth": "none",
        "method": "POST", "url": "/wsa/api/v2.0/login",
        "body": {"json": serde_json::from_str::<serde_json::Value>(&wsa_body).unwrap()},
    });
    for (file, request) in [("fxos.json", fxos_login), ("wsa.json", wsa_login)] {
        std::fs::write(ws.join("Logins").join(file), request.to_string()).unwrap();
    }
    let run = apx_in(
        dir.path(),
        &["--workspace", ws_arg, "run", "--json", "Logins"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for doc in run.json().as_array().unwrap() {
        bodies.push(doc["body"].clone());
    }
    let tokens: Vec<String> = bodies
        .iter()
        .map(|body| {
            let token = body["token"].as_str().or(body["data"]["jwtToken"].as_str());
            token
                .unwrap_or_else(|| panic!("no token in {body}"))
                .to_string()
        })
        .collect();
    assert_eq!(tokens.len(), 4);

    let history = std::fs::read_to_string(ws.join(".history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 4, "{history}");
    assert!(history.contains("(redacted)"), "{history}");
    for file in support::files_under(&ws) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for token in &tokens {
            assert!(
                !text.contains(token.as_str()),
                "a token in {}",
                file.display()
            );
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [ws.join(".history.jsonl"), ws.join("devices.json")] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
    let ignored = std::fs::read_to_string(ws.join(".gitignore")).unwrap();
    assert!(ignored.lines().any(|l| l == ".history.jsonl"), "{ignored}");
}

/// `--max-body` in the endless-body tests below, and the most memory the
/// whole process may then reach: far below what it would take to hold what
/// the server sends, a few times the cap.
const MAX_BODY: &str = "16M";
const MAX_RSS_MIB: u64 = 64;

/// A runaway is killed at this much memory, or after this long.
const RUNAWAY_MIB: u64 = 600;
const DEADLINE: Duration = Duration::from_secs(60);

/// Checks a watched run stopped by itself with a `too_large` failure after
/// the head came back with `status`, in bounded memory.
fn assert_stopped(watched: &support::Watched, status: u16, max_rss_mib: u64) -> serde_json::Value {
    let run = &watched.run;
    assert_eq!(watched.killed, None, "{}", run.stderr);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    let doc = doc.as_array().map_or(doc.clone(), |all| all[0].clone());
    assert_eq!(doc["error"]["kind"], "too_large", "{doc}");
    assert_eq!(doc["status"], status, "the head that came back is kept");
    eprintln!("peak resident memory: {} MiB", watched.peak_rss_mib);
    assert!(
        watched.peak_rss_mib < max_rss_mib,
        "peak resident memory {} MiB",
        watched.peak_rss_mib
    );
    doc
}

#[test]
fn an_endless_body_stops_at_max_body_in_bounded_memory() {
    let rt = runtime();
    let (port, fp) = support::chunked_body_server(&rt, 200, None);
    let url = format!("https://127.0.0.1:{port}/endless");
    let dir = tempfile::tempdir().unwrap();
    let send = support::apx_watched(
        dir.path(),
        &["send", "--json", "--max-body", MAX_BODY, "--pin", &fp, &url],
        RUNAWAY_MIB,
        DEADLINE,
    );
    let doc = assert_stopped(&send, 200, MAX_RSS_MIB);
    let hint = doc["error"]["hint"].as_str().unwrap();
    assert!(
        hint.contains("-o FILE") && hint.contains("--max-body"),
        "{hint}"
    );
    assert!(
        doc["error"]["message"].as_str().unwrap().contains("16 MiB"),
        "{doc}"
    );

    let saved = support::save_request(dir.path(), "endless", None, &url);
    let run = support::apx_watched(
        dir.path(),
        &[
            "run",
            "--json",
            "--max-body",
            MAX_BODY,
            "--pin",
            &fp,
            saved.to_str().unwrap(),
        ],
        RUNAWAY_MIB,
        DEADLINE,
    );
    assert_stopped(&run, 200, MAX_RSS_MIB);

    // Human output says what happened on stderr, and exits the same.
    let human = support::apx_watched(
        dir.path(),
        &["send", "--max-body", MAX_BODY, "--pin", &fp, &url],
        RUNAWAY_MIB,
        DEADLINE,
    );
    assert_eq!(human.run.code, 3, "{}", human.run.stderr);
    assert!(
        human.run.stderr.contains("Body too large"),
        "{}",
        human.run.stderr
    );
}

#[test]
fn an_endless_error_answer_stops_even_with_an_output_file() {
    let rt = runtime();
    let (port, fp) = support::chunked_body_server(&rt, 500, None);
    let dir = tempfile::tempdir().unwrap();
    let watched = support::apx_watched(
        dir.path(),
        &[
            "send",
            "--json",
            "--max-body",
            MAX_BODY,
            "--pin",
            &fp,
            "-o",
            "out.bin",
            &format!("https://127.0.0.1:{port}/fail"),
        ],
        RUNAWAY_MIB,
        DEADLINE,
    );
    assert_stopped(&watched, 500, MAX_RSS_MIB);
    assert!(!dir.path().join("out.bin").exists());
}

#[test]
fn an_endless_login_answer_is_stopped_whatever_max_body_says() {
    let rt = runtime();
    let (port, fp) = support::chunked_body_server(&rt, 200, None);
    let dir = tempfile::tempdir().unwrap();
    let watched = support::apx_watched(
        dir.path(),
        &send_with(
            Platform::Fxos,
            &[
                "--json",
                "--auth",
                "token",
                "--max-body",
                "1G",
                "--pin",
                &fp,
            ],
            &format!("https://127.0.0.1:{port}/api/platform"),
        ),
        RUNAWAY_MIB,
        DEADLINE,
    );
    let doc = assert_stopped(&watched, 200, MAX_RSS_MIB);
    assert!(
        doc["error"]["message"].as_str().unwrap().contains("login"),
        "{doc}"
    );
}
