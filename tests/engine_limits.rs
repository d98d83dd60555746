//! The engine's body caps, as the app uses them: memory up to a limit, then
//! a temporary file that is bounded too; and bodies checked as JSON while
//! they arrive (`send --json`).

mod support;

use std::sync::Arc;
use std::time::Duration;

use apx::core::error::{Failure, FailureKind};
use apx::core::json_check::Verdict;
use apx::core::tls::Trust;
use apx::demo::server::{DemoRequest, DemoResponse, serve_tls};
use apx::engine::http::{Body, Sink, Transport, WireRequest, WireResponse};
use support::{localhost_cert, runtime};

/// One GET of `url` through a transport pinned to `sha256`.
fn fetch(
    rt: &tokio::runtime::Runtime,
    url: &str,
    sha256: &str,
    sink: Sink,
) -> Result<WireResponse, Failure> {
    let transport = Transport::new(&Trust::Pin {
        sha256: sha256.to_string(),
    })?;
    let request = WireRequest {
        method: reqwest::Method::GET,
        url: url::Url::parse(url).unwrap(),
        headers: Vec::new(),
        body: None,
        basic: None,
    };
    let mut progress = |_: apx::engine::http::Progress<'_>| {};
    rt.block_on(async {
        let exchange = transport.exchange(&request, &sink, &mut progress);
        tokio::time::timeout(Duration::from_secs(60), exchange).await
    })
    .expect("an answer within a minute")
}

#[test]
fn a_body_that_spills_to_disk_is_bounded_there_too() {
    let rt = runtime();
    // 8 MiB, no length announced: the cap stops it as it streams.
    let (port, fp) = support::chunked_body_server(&rt, 200, Some(128));
    let spill = Sink::Spill {
        memory: 64 << 10,
        disk: 4 << 20,
    };
    let failure = fetch(&rt, &format!("https://127.0.0.1:{port}/"), &fp, spill).unwrap_err();
    assert_eq!(failure.kind, FailureKind::TooLarge, "{failure:?}");
    assert_eq!(failure.status, Some(200));
    assert!(failure.message.contains("4 MiB"), "{}", failure.message);
}

#[test]
fn bodies_within_the_caps_arrive_and_an_announced_large_one_is_refused() {
    let rt = runtime();
    let cert = localhost_cert();
    let handler = Arc::new(|_: &DemoRequest| DemoResponse::text(200, &"x".repeat(1 << 20)));
    let server = rt.block_on(serve_tls(&cert, handler, None)).unwrap();
    let fp = apx::core::tls::sha256_fingerprint(&cert.cert_der);
    let url = format!("{}/mib", server.url());

    let spilled = fetch(
        &rt,
        &url,
        &fp,
        Sink::Spill {
            memory: 64 << 10,
            disk: 4 << 20,
        },
    )
    .unwrap();
    assert!(
        matches!(spilled.body, Body::Spilled { len, .. } if len == 1 << 20),
        "{:?}",
        spilled.body
    );
    let in_memory = fetch(&rt, &url, &fp, Sink::Memory(1 << 20)).unwrap();
    assert_eq!(in_memory.body.len(), 1 << 20);
    let refused = fetch(&rt, &url, &fp, Sink::Memory((1 << 20) - 1)).unwrap_err();
    assert_eq!(refused.kind, FailureKind::TooLarge);
    assert_eq!(refused.status, Some(200));
}

#[test]
fn a_json_sink_checks_the_body_while_it_arrives_within_its_cap() {
    let rt = runtime();
    let cert = localhost_cert();
    // About 850 KB: TLS records (16 KiB) cut it at arbitrary bytes.
    let json = support::awkward_json(5000);
    let served = json.clone();
    let handler = Arc::new(move |r: &DemoRequest| DemoResponse {
        body: match r.path.as_str() {
            "/json" => served.clone().into_bytes(),
            "/trailing" => format!("{served}x").into_bytes(),
            "/blank" => b" \r\n\t".to_vec(),
            _ => b"<html>not json</html>".to_vec(),
        },
        ..DemoResponse::empty(200).with_header("Content-Type", "application/json")
    });
    let server = rt.block_on(serve_tls(&cert, handler, None)).unwrap();
    let fp = apx::core::tls::sha256_fingerprint(&cert.cert_der);
    let url = |path: &str| format!("{}{path}", server.url());
    for (path, verdict) in [
        ("/json", Verdict::Json),
        ("/trailing", Verdict::NotJson),
        ("/blank", Verdict::Blank),
        ("/html", Verdict::NotJson),
    ] {
        let answer = fetch(&rt, &url(path), &fp, Sink::MemoryJson(8 << 20)).unwrap();
        assert_eq!(answer.json, Some(verdict), "{path}");
        if path == "/json" {
            assert_eq!(answer.body.bytes(), Some(json.as_bytes()));
        }
    }
    // Only a sink that asks has its body checked.
    let plain = fetch(&rt, &url("/json"), &fp, Sink::Memory(8 << 20)).unwrap();
    assert_eq!(plain.json, None);
    assert_eq!(plain.body.bytes(), Some(json.as_bytes()));

    // The cap holds as it streams (no length announced).
    let (port, fp) = support::chunked_body_server(&rt, 200, Some(128));
    let url = format!("https://127.0.0.1:{port}/");
    let failure = fetch(&rt, &url, &fp, Sink::MemoryJson(1 << 20)).unwrap_err();
    assert_eq!(failure.kind, FailureKind::TooLarge, "{failure:?}");
}
