//! ASA backup and restore through the real binary against the demo ASA:
//! `POST /api/restore`, the optional `context`, and errors that come as
//! the one bare object the ASA guide prints.

mod support;

use apx::core::platform::Platform;
use support::{appliance, runtime, send_json};

fn post(a: &apx::demo::Appliance, path: &str, body: &str) -> support::Run {
    send_json(a, "token", path, &["-X", "POST", "-d", body])
}

#[test]
fn a_backup_restores_with_its_passphrase_and_context() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let device = r#"{"location": "disk0:/backup.tar.gz", "passphrase": "pw-1"}"#;
    let backup = post(&asa, "/api/backup", device);
    assert_eq!(backup.code, 0, "{}", backup.stderr);
    assert_eq!(backup.json()["status"], 201);
    let restore = post(&asa, "/api/restore", device);
    assert_eq!(restore.code, 0, "{}", restore.stderr);
    let doc = restore.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["body"]["messages"][0]["code"], "RESTORE-STARTED");

    let context =
        r#"{"location": "disk0:/admin.tar.gz", "passphrase": "pw-2", "context": "admin"}"#;
    assert_eq!(post(&asa, "/api/backup", context).code, 0);
    assert_eq!(post(&asa, "/api/restore", context).json()["status"], 200);
}

#[test]
fn bare_error_objects_are_decoded() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let unknown = post(
        &asa,
        "/api/backup",
        r#"{"location": "disk0:/x.tar.gz", "passphrase": "p", "context": "nope"}"#,
    );
    assert_eq!(unknown.code, 1, "{}", unknown.stdout);
    let doc = unknown.json();
    assert_eq!(doc["status"], 400);
    // The body is {"code", "details", "context", "level"}, no messages list.
    assert!(doc["body"].get("messages").is_none(), "{doc}");
    let error = &doc["error"];
    assert_eq!(error["format"], "asa");
    assert_eq!(error["code"], "INVALID-CONTEXT");
    assert_eq!(error["message"], "Context nope does not exist");
    let details = error["details"].as_array().unwrap();
    assert!(details.contains(&"context: context".into()), "{error}");

    let device = r#"{"location": "disk0:/b.tar.gz", "passphrase": "right"}"#;
    assert_eq!(post(&asa, "/api/backup", device).code, 0);
    let wrong = post(
        &asa,
        "/api/restore",
        r#"{"location": "disk0:/b.tar.gz", "passphrase": "wrong"}"#,
    );
    assert_eq!(wrong.code, 1);
    let error = &wrong.json()["error"];
    assert_eq!(error["code"], "DECRYPTION-FAILED");
    assert_eq!(error["format"], "asa");

    let missing = post(
        &asa,
        "/api/restore",
        r#"{"location": "disk0:/never.tar.gz", "passphrase": "right"}"#,
    );
    assert_eq!(missing.json()["error"]["code"], "FILE-NOT-FOUND");

    // Human output names the decoded error too.
    let url = format!("{}/api/restore", asa.url);
    let human = support::apx(&[
        "send",
        "--platform",
        "asa",
        "--auth",
        "token",
        "-u",
        "admin",
        "--password-env",
        "APX_PASSWORD",
        "--pin",
        &asa.sha256,
        "-X",
        "POST",
        "-d",
        r#"{"location": "disk0:/b.tar.gz", "passphrase": "right", "context": "ctx-lab"}"#,
        &url,
    ]);
    assert_eq!(human.code, 1);
    assert!(
        human.stderr.contains("CONTEXT-MISMATCH"),
        "{}",
        human.stderr
    );
}
