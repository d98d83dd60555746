//! `send --all-pages` through the real binary: the demo ASA's network
//! objects walked page by page in one login and printed as one document,
//! a failing page, and hostile paging (a next link to another origin, pages
//! that do not advance, pages that together pass --max-body).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use apx::core::platform::Platform;
use apx::demo::certs::CertKey;
use apx::demo::server::{DemoRequest, DemoResponse, Handler, RunningServer, serve_tls};
use serde_json::{Value, json};
use support::{
    DEMO_ASA_OBJECTS, Run, appliance, apx, localhost_cert, runtime, send_args, send_json, send_with,
};

const OBJECTS: &str = "/api/objects/networkobjects";

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn all_pages_merges_every_asa_object_in_one_login() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let path = format!("{OBJECTS}?limit=2");
    let run = send_json(&asa, "token", &path, &["--all-pages", "-v"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["pages"], 3, "{doc}");
    assert_eq!(doc["status"], 200);
    assert_eq!(names(&doc["body"]), DEMO_ASA_OBJECTS);
    // The first page's document: its rangeInfo, the user's limit.
    assert_eq!(
        doc["body"]["rangeInfo"],
        json!({"offset": 0, "limit": 2, "total": 6})
    );
    assert_eq!(doc["body"]["kind"], "collection#NetworkObj");
    // One login, three pages, one logout.
    assert_eq!(asa.stats.logins.load(Ordering::SeqCst), 1);
    assert_eq!(asa.stats.issued().len(), 1);
    assert_eq!(asa.stats.requests.load(Ordering::SeqCst), 3);
    assert_eq!(asa.stats.logouts.load(Ordering::SeqCst), 1);
    // -v: the progress, and each page's offset with the limit kept.
    assert!(run.stderr.contains("page 2 of 3"), "{}", run.stderr);
    assert!(run.stderr.contains("page 3 of 3"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{OBJECTS}?limit=2&offset=4")),
        "{}",
        run.stderr
    );

    // Without --json: the merged document on stdout, the page count on stderr.
    let run = send_plain(&asa, &path, &["--all-pages"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(names(&body), DEMO_ASA_OBJECTS);
    assert!(run.stderr.contains("3 pages"), "{}", run.stderr);

    // Without --all-pages, one page as before (no "pages" field).
    let run = send_json(&asa, "token", &path, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(names(&doc["body"]), DEMO_ASA_OBJECTS[..2]);
    assert!(doc.get("pages").is_none(), "{doc}");
}

#[test]
fn objects_added_through_the_api_are_walked_too() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    for i in 0..9 {
        let body = json!({"name": format!("added-{i}"), "host": {"kind": "IPv4Address", "value": format!("10.9.0.{i}")}})
            .to_string();
        let run = send_json(&asa, "token", OBJECTS, &["-X", "POST", "-d", &body]);
        assert_eq!(run.code, 0, "{}", run.stdout);
    }
    let logins = asa.stats.logins.load(Ordering::SeqCst);
    let run = send_json(
        &asa,
        "token",
        &format!("{OBJECTS}?limit=4"),
        &["--all-pages"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["pages"], 4);
    let got = names(&doc["body"]);
    assert_eq!(got.len(), 15);
    assert_eq!(got[..6], DEMO_ASA_OBJECTS);
    assert_eq!(got[14], "added-8");
    assert_eq!(asa.stats.logins.load(Ordering::SeqCst), logins + 1);
}

#[test]
fn a_post_is_not_walked() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(
        &asa,
        "token",
        OBJECTS,
        &["--all-pages", "-X", "POST", "-d", r#"{"name": "x"}"#],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["error"]["kind"], "usage");
    assert_eq!(asa.stats.logins.load(Ordering::SeqCst), 0);
}

/// `send` with the demo credentials and the appliance's pin, human output.
fn send_plain(a: &apx::demo::Appliance, path: &str, extra: &[&str]) -> Run {
    let url = format!("{}{path}", a.url);
    apx(&send_args(a, extra, &url))
}

/// An HTTPS server answering with `answer`, counting the requests it sees.
struct Server {
    server: RunningServer,
    seen: Arc<AtomicUsize>,
}

fn server(
    rt: &tokio::runtime::Runtime,
    cert: &CertKey,
    answer: impl Fn(&DemoRequest) -> DemoResponse + Send + Sync + 'static,
) -> Server {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let handler: Handler = Arc::new(move |req: &DemoRequest| {
        counter.fetch_add(1, Ordering::SeqCst);
        answer(req)
    });
    let server = rt.block_on(serve_tls(cert, handler, None)).unwrap();
    Server { server, seen }
}

/// `send --all-pages --json` to `url` with Basic credentials (so that a
/// page sent elsewhere would carry them), pinned to `cert`.
fn walk(url: &str, cert: &CertKey, extra: &[&str]) -> Run {
    let pin = apx::core::tls::sha256_fingerprint(&cert.cert_der);
    let args = [
        &["--json", "--all-pages", "--auth", "basic", "--pin", &pin][..],
        extra,
    ]
    .concat();
    apx(&send_with(Platform::Generic, &args, url))
}

fn offset(req: &DemoRequest) -> u64 {
    req.query_param("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_failing_page_stops_the_walk_with_its_error() {
    let rt = runtime();
    let cert = localhost_cert();
    let s = server(&rt, &cert, |req| match offset(req) {
        0 => DemoResponse::json(
            200,
            &json!({"rangeInfo": {"offset": 0, "limit": 2, "total": 6}, "items": [1, 2]}),
        ),
        _ => DemoResponse::json(
            500,
            &json!({"messages": [{"level": "Error", "code": "SERVER-ERROR", "details": "page two broke"}]}),
        ),
    });
    let url = format!("{}/api/objects?limit=2", s.server.url());
    let run = walk(&url, &cert, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 500, "{doc}");
    assert_eq!(doc["pages"], 2);
    assert_eq!(doc["error"]["kind"], "http");
    assert!(
        doc["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("limit=2&offset=2"),
        "{doc}"
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 2, "the walk went on");
}

#[test]
fn a_next_link_to_another_origin_is_refused() {
    let rt = runtime();
    let cert = localhost_cert();
    // Same certificate, same host, another port: only the origin differs.
    let elsewhere = server(&rt, &cert, |_| {
        DemoResponse::json(200, &json!({"items": [], "paging": {}}))
    });
    let next = format!("{}/api/objects?offset=2&limit=2", elsewhere.server.url());
    let s = server(&rt, &cert, move |_| {
        DemoResponse::json(
            200,
            &json!({"items": [1, 2], "paging": {"offset": 0, "limit": 2, "count": 4, "pages": 2, "next": [next]}}),
        )
    });
    let run = walk(&format!("{}/api/objects", s.server.url()), &cert, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("another origin"), "{doc}");
    assert!(
        message.contains(&elsewhere.server.url()),
        "names the origin: {doc}"
    );
    assert_eq!(elsewhere.seen.load(Ordering::SeqCst), 0, "credentials left");
    assert_eq!(s.seen.load(Ordering::SeqCst), 1);
}

#[test]
fn pages_that_do_not_advance_stop_instead_of_looping() {
    let rt = runtime();
    let cert = localhost_cert();
    // Always the first page, whatever offset is asked for.
    let stuck = server(&rt, &cert, |_| {
        DemoResponse::json(
            200,
            &json!({"rangeInfo": {"offset": 0, "limit": 1, "total": 1000}, "items": [1]}),
        )
    });
    let run = walk(&format!("{}/api/objects", stuck.server.url()), &cert, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let doc = run.json();
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("repeats offset 0"),
        "{doc}"
    );
    assert_eq!(stuck.seen.load(Ordering::SeqCst), 2);
    // A next link back to itself.
    let looping = server(&rt, &cert, |_| {
        DemoResponse::json(
            200,
            &json!({"items": [1], "paging": {"next": ["/api/objects"]}}),
        )
    });
    let run = walk(&format!("{}/api/objects", looping.server.url()), &cert, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("loop")
    );
    assert_eq!(looping.seen.load(Ordering::SeqCst), 1);
}

#[test]
fn max_body_caps_the_pages_together() {
    let rt = runtime();
    let cert = localhost_cert();
    // 100 pages of about 1 KiB each.
    let s = server(&rt, &cert, |req| {
        let offset = offset(req);
        DemoResponse::json(
            200,
            &json!({"rangeInfo": {"offset": offset, "limit": 1, "total": 100}, "items": ["x".repeat(1000)]}),
        )
    });
    let url = format!("{}/api/objects?limit=1", s.server.url());
    let run = walk(&url, &cert, &["--max-body", "10K"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "too_large", "{doc}");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the pages together passed the 10 KiB limit"),
        "{doc}"
    );
    let seen = s.seen.load(Ordering::SeqCst);
    assert!((10..=11).contains(&seen), "{seen} pages were sent");
    // The same walk within the cap.
    let run = walk(&url, &cert, &["--max-body", "200K"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["pages"], 100);
    assert_eq!(doc["body"]["items"].as_array().unwrap().len(), 100);
}

#[test]
fn output_file_gets_the_merged_document() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("objects.json");
    let run = send_json(
        &asa,
        "token",
        &format!("{OBJECTS}?limit=5"),
        &["--all-pages", "-o", file.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["pages"], 2);
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(names(&written), DEMO_ASA_OBJECTS);
}
