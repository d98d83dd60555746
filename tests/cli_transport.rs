//! Transport failures: refused, timeout, a body cut mid-stream, large bodies,
//! bodies dripped in small pieces.

mod support;

use std::sync::Arc;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::demo::server::{DemoResponse, serve_tls};
use support::{appliance, apx, localhost_cert, runtime, send_args, send_json};
use tokio::io::AsyncWriteExt;

#[test]
fn refused_connection_is_exit_3() {
    let closed = support::RefusedPort::new();
    let run = apx(&["send", "--json", &format!("{}/api", closed.url())]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    // No response came back.
    assert_eq!(run.json()["status"], serde_json::Value::Null);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "connect");
    assert_eq!(error["message"], "connection refused");
}

#[test]
fn slow_server_times_out() {
    let rt = runtime();
    let cert = localhost_cert();
    let handler = Arc::new(|_: &apx::demo::server::DemoRequest| {
        DemoResponse::json(200, &serde_json::json!({})).with_delay(Duration::from_secs(10))
    });
    let server = rt.block_on(serve_tls(&cert, handler, None)).unwrap();
    let fp = apx::core::tls::sha256_fingerprint(&cert.cert_der);
    // The server answers after 10 s: a timeout proves 0.5 s was used
    // (the default, 30 s, would have seen the answer).
    let run = apx(&[
        "send",
        "--json",
        "--timeout",
        "0.5",
        "--pin",
        &fp,
        &format!("{}/slow", server.url()),
    ]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(run.json()["error"]["kind"], "timeout");
}

/// A TLS server that promises 100000 bytes and sends 1000.
fn truncating_server(rt: &tokio::runtime::Runtime) -> (u16, String) {
    support::raw_tls_server(rt, |mut tls| async move {
        support::read_head(&mut tls).await;
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
        let _ = tls.write_all(head.as_bytes()).await;
        let _ = tls.write_all(&[b' '; 1000]).await;
        let _ = tls.shutdown().await;
    })
}

#[test]
fn body_cut_mid_stream_is_an_error_not_a_truncated_success() {
    let rt = runtime();
    let (port, fp) = truncating_server(&rt);
    let url = format!("https://127.0.0.1:{port}/big");
    let run = apx(&["send", "--json", "--pin", &fp, &url]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    // The head came back (status 200); the body did not.
    assert_eq!(run.json()["status"], 200);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "connect");
    assert!(
        error["message"].as_str().unwrap().contains("mid-body"),
        "{error}"
    );

    // The previous file survives a cut download, and no partial file is left.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.bin"), b"previous body").unwrap();
    let to_file = support::apx_in(dir.path(), &["send", "--pin", &fp, "-o", "out.bin", &url]);
    assert_eq!(to_file.code, 3, "{}", to_file.stderr);
    assert_eq!(
        std::fs::read(dir.path().join("out.bin")).unwrap(),
        b"previous body"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn twenty_megabyte_body_with_json_and_to_file() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(&asa, "basic", "/api/demo/large?mb=20", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let length: usize = doc["headers"]["content-length"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(length >= 20_000_000, "{length}");
    assert!(doc["body"]["items"].as_array().unwrap().len() > 1000);

    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/demo/large?mb=20", asa.url);
    let out = support::apx_in(
        dir.path(),
        &send_args(&asa, &["--auth", "basic", "-o", "big.json"], &url),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read(dir.path().join("big.json")).unwrap();
    assert_eq!(written.len(), length);
    serde_json::from_slice::<serde_json::Value>(&written).unwrap();
}

#[test]
fn usage_errors_exit_2_and_stay_json() {
    let bad_url = apx(&["send", "--json", "ht!tp://nope"]);
    assert_eq!(bad_url.code, 2);
    assert_eq!(bad_url.json()["error"]["kind"], "usage");
    let bad_flag = apx(&["send", "--json", "--bogus", "https://127.0.0.1/"]);
    assert_eq!(bad_flag.code, 2);
    assert_eq!(bad_flag.json()["error"]["kind"], "usage");
    assert_eq!(
        bad_flag.json()["error"]["message"],
        "unexpected argument '--bogus' found"
    );
    // The message names what is missing.
    let no_target = apx(&["send", "--json"]);
    assert_eq!(no_target.code, 2);
    assert_eq!(
        no_target.json()["error"]["message"],
        "the following required arguments were not provided: <TARGET>"
    );
    let bad_header = apx(&["send", "--json", "-H", "nocolon", "https://127.0.0.1/"]);
    assert_eq!(bad_header.code, 2);
    let unknown_device = apx(&["send", "--json", "--device", "nope", "/api"]);
    assert_eq!(unknown_device.code, 2);
    assert!(
        unknown_device.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown device")
    );
}

#[test]
fn max_body_caps_what_is_held_in_memory_but_not_a_file() {
    let rt = runtime();
    let cert = localhost_cert();
    let handler = Arc::new(|r: &apx::demo::server::DemoRequest| {
        let size = if r.path == "/big" { 2048 } else { 500 };
        DemoResponse::text(200, &"x".repeat(size))
    });
    let server = rt.block_on(serve_tls(&cert, handler, None)).unwrap();
    let fp = apx::core::tls::sha256_fingerprint(&cert.cert_der);
    let send = |path: &str, extra: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("{}{path}", server.url());
        let mut args = vec!["send", "--json", "--max-body", "1K", "--pin", &fp];
        args.extend_from_slice(extra);
        args.push(&url);
        let run = support::apx_in(dir.path(), &args);
        (run, dir)
    };
    let (big, _) = send("/big", &[]);
    assert_eq!(big.code, 3, "{}", big.stdout);
    assert_eq!(big.json()["error"]["kind"], "too_large");
    assert_eq!(big.json()["status"], 200);
    assert!(
        big.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 KiB")
    );
    let (small, _) = send("/small", &[]);
    assert_eq!(small.code, 0, "{}", small.stdout);
    assert_eq!(small.json()["body"].as_str().unwrap().len(), 500);
    // With -o a 2xx body streams to disk, whatever its size.
    let (to_file, dir) = send("/big", &["-o", "big.txt"]);
    assert_eq!(to_file.code, 0, "{}", to_file.stdout);
    assert_eq!(
        std::fs::read(dir.path().join("big.txt")).unwrap().len(),
        2048
    );
}

#[test]
fn numeric_options_out_of_range_are_usage_errors() {
    let url = "https://127.0.0.1:1/api";
    let cases: [&[&str]; 12] = [
        &["send", "--timeout", "1e20", url],
        &["send", "--timeout", "NaN", url],
        &["send", "--timeout", "-1", url],
        &["send", "--timeout", "0", url],
        &["run", "--timeout", "1e20", "nothing.json"],
        &["probe", "--timeout", "1e20", url],
        &["probe", "--timeout", "inf", url],
        &["send", "--max-body", "12X", url],
        &["send", "--max-body", "0", url],
        &["send", "--max-body", "99999999999G", url],
        &["send", "--max-body", "1.5M", url],
        &["run", "--max-body", "-1", "nothing.json"],
    ];
    for args in cases {
        let human = apx(args);
        assert_eq!(human.code, 2, "{args:?}: {}", human.stderr);
        let mut json = vec!["--json"];
        json.extend_from_slice(args);
        let run = apx(&json);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        let doc = run.json();
        assert_eq!(doc["error"]["kind"], "usage", "{args:?}");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("--timeout") || message.contains("--max-body"),
            "{args:?}: {message}"
        );
    }
}

/// A TLS server answering `/N` with `bodies[N]` in flushed pieces of 997
/// bytes (cutting characters and escapes), its length announced; or, for
/// `/N/chunked`, each piece an HTTP chunk.
fn dripping_server(rt: &tokio::runtime::Runtime, bodies: Vec<Vec<u8>>) -> (u16, String) {
    let bodies = Arc::new(bodies);
    support::raw_tls_server(rt, move |mut tls| {
        let bodies = bodies.clone();
        async move {
            let head = support::read_head(&mut tls).await;
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            let chunked = path.ends_with("/chunked");
            let index: usize = path[1..].trim_end_matches("/chunked").parse().unwrap();
            let body = &bodies[index];
            let framing = if chunked {
                "Transfer-Encoding: chunked".to_string()
            } else {
                format!("Content-Length: {}", body.len())
            };
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n");
            let _ = tls.write_all(head.as_bytes()).await;
            for piece in body.chunks(997) {
                let framed = if chunked {
                    [format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat()
                } else {
                    piece.to_vec()
                };
                if tls.write_all(&framed).await.is_err() || tls.flush().await.is_err() {
                    return;
                }
            }
            if chunked {
                let _ = tls.write_all(b"0\r\n\r\n").await;
            }
            let _ = tls.shutdown().await;
        }
    })
}

#[test]
fn json_bodies_dripped_in_small_pieces_are_embedded_as_they_came() {
    let rt = runtime();
    let json = support::awkward_json(3000);
    let trailing = format!("{json}x");
    // A byte that is no UTF-8, inside the last string.
    let mut broken = json.clone().into_bytes();
    let at = json.rfind("caf").unwrap() + 3;
    broken.insert(at, 0xc3);
    let bodies = vec![
        json.clone().into_bytes(),
        trailing.clone().into_bytes(),
        broken.clone(),
    ];
    let (port, fp) = dripping_server(&rt, bodies);
    for framing in ["", "/chunked"] {
        let send = |index: usize| {
            let url = format!("https://127.0.0.1:{port}/{index}{framing}");
            let run = apx(&["send", "--json", "--pin", &fp, &url]);
            assert_eq!(run.code, 0, "{}{}", run.stderr, run.stdout);
            run
        };
        let valid = send(0);
        let expected: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(valid.json()["body"], expected);
        // As it came: numbers, escapes and spacing untouched, no line break.
        assert!(
            valid
                .stdout
                .contains(&format!("\"body\":{}", json.trim_end())),
            "{framing}"
        );
        assert_eq!(valid.stdout.lines().count(), 1);
        assert_eq!(
            send(1).json()["body"],
            serde_json::Value::from(trailing.as_str())
        );
        let lossy = String::from_utf8_lossy(&broken).into_owned();
        assert_eq!(send(2).json()["body"], serde_json::Value::from(lossy));
    }
}
