//! `apx device` and the workspace file through the binary.

mod support;

use apx::core::platform::Platform;
use support::{add_device_with, appliance, apx_command, apx_in, run_all, runtime};

#[test]
fn add_list_send_by_device_and_remove() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    add_device_with(dir.path(), &[], "fw1", &asa, &["--folder", "Lab/DC1"]);
    let file = std::fs::read_to_string(dir.path().join("saved_requests/devices.json")).unwrap();
    assert!(file.contains("\"folder\": \"Lab/DC1\""), "{file}");
    assert!(!file.contains(apx::demo::DEMO_PASSWORD));

    let list = apx_in(dir.path(), &["device", "list", "--json"]);
    assert_eq!(list.code, 0);
    let devices = list.json();
    assert_eq!(devices[0]["name"], "fw1");
    assert_eq!(devices[0]["trust"]["mode"], "pin");

    let send = apx_in(
        dir.path(),
        &[
            "send",
            "--json",
            "--device",
            "fw1",
            "--password-env",
            "APX_PASSWORD",
            "/api/monitoring/serialnumber",
        ],
    );
    assert_eq!(send.code, 0, "{}", send.stdout);
    assert_eq!(send.json()["body"]["serialNumber"], "9A5KDN3LR2B");
    assert_eq!(
        asa.stats.logins.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "device defaults to token auth"
    );

    let dup = apx_in(
        dir.path(),
        &[
            "device",
            "add",
            "fw1",
            "--platform",
            "asa",
            "--url",
            &asa.url,
        ],
    );
    assert_eq!(dup.code, 2);
    let remove = apx_in(dir.path(), &["device", "remove", "fw1"]);
    assert_eq!(remove.code, 0, "{}", remove.stderr);
    let list = apx_in(dir.path(), &["device", "list", "--json"]);
    assert_eq!(list.json(), serde_json::json!([]));
}

/// Every command that writes `devices.json` (add, remove) or a saved
/// request (import) refuses a corrupt workspace file, exit 2, and leaves it
/// byte-identical.
#[test]
fn corrupt_workspace_is_exit_2_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("saved_requests");
    std::fs::create_dir_all(ws.join("ASA")).unwrap();
    let garbage = b"{\"format\": 1, \"devices\": [ {\"name\": \"x\", }";
    std::fs::write(ws.join("devices.json"), garbage).unwrap();
    let add = [
        "device",
        "add",
        "fw2",
        "--platform",
        "asa",
        "--url",
        "https://10.0.0.1",
        "--json",
    ];
    let remove = ["device", "remove", "x", "--json"];
    for args in [&add[..], &remove[..]] {
        let run = apx_in(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        let message = run.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("devices.json:1:"), "{args:?}: {message}");
        assert_eq!(std::fs::read(ws.join("devices.json")).unwrap(), garbage);
    }

    // An import of a request named as a corrupt saved file writes beside it.
    let bad_request = b"{\"format\": 2, \"name\": \"Good\", \"url\": ";
    std::fs::write(ws.join("ASA/good.json"), bad_request).unwrap();
    let collection = serde_json::json!({
        "info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "Good", "request": {"method": "GET", "url": "https://10.0.0.1/api"}}],
    });
    std::fs::write(dir.path().join("c.json"), collection.to_string()).unwrap();
    let import = apx_in(
        dir.path(),
        &["import", "postman", "c.json", "--into", "ASA"],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert_eq!(
        std::fs::read(ws.join("ASA/good.json")).unwrap(),
        bad_request
    );
}

#[test]
fn set_password_without_a_keyring_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let add = apx_in(
        dir.path(),
        &[
            "device",
            "add",
            "fw3",
            "--platform",
            "asa",
            "--url",
            "https://10.0.0.1",
        ],
    );
    assert_eq!(add.code, 0);
    let missing_var = apx_in(
        dir.path(),
        &[
            "device",
            "set-password",
            "fw3",
            "--password-env",
            "NOPE_NOT_SET",
        ],
    );
    assert_eq!(missing_var.code, 2);
    assert!(
        missing_var.stderr.contains("NOPE_NOT_SET"),
        "{}",
        missing_var.stderr
    );
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("saved_requests"))
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [".devices.lock", ".gitignore", "devices.json"],
        "no password file"
    );
}

/// AsyncOS serves its API on 6443 (HTTPS) and 6080 (HTTP): a URL typed
/// without a port gets it; a typed port is kept.
#[test]
fn asyncos_devices_default_to_the_api_ports() {
    let dir = tempfile::tempdir().unwrap();
    for (name, url) in [
        ("wsa1", "https://wsa.example"),
        ("wsa2", "http://10.0.0.9/"),
        ("wsa3", "https://wsa.example:443"),
    ] {
        let add = apx_in(
            dir.path(),
            &["device", "add", name, "--platform", "wsa", "--url", url],
        );
        assert_eq!(add.code, 0, "{}", add.stderr);
    }
    let list = apx_in(dir.path(), &["device", "list", "--json"]);
    let urls: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["base_url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        urls,
        [
            "https://wsa.example:6443",
            "http://10.0.0.9:6080/",
            "https://wsa.example:443"
        ]
    );
}

/// Twenty `device add` at once (or the app and the CLI together) each
/// re-read the file under a lock: none is lost.
#[test]
fn parallel_adds_keep_every_device() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (1..=20).map(|i| format!("fw{i:02}")).collect();
    let commands = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let url = format!("https://10.0.0.{}", i + 1);
            apx_command(
                dir.path(),
                &["device", "add", name, "--platform", "asa", "--url", &url],
            )
        })
        .collect();
    for run in run_all(commands) {
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let list = apx_in(dir.path(), &["device", "list", "--json"]);
    let listed: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, names);
}

/// A pin typed by hand in devices.json, lower case and without colons,
/// still matches the certificate; a malformed one is named.
#[test]
fn a_hand_written_pin_is_normalised() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("saved_requests");
    std::fs::create_dir_all(&ws).unwrap();
    let devices = |pin: &str| {
        serde_json::json!({"format": 1, "devices": [{
            "name": "fw", "platform": "asa", "base_url": asa.url, "username": "admin",
            "trust": {"mode": "pin", "sha256": pin}
        }]})
        .to_string()
    };
    let typed = asa.sha256.replace(':', "").to_ascii_lowercase();
    std::fs::write(ws.join("devices.json"), devices(&typed)).unwrap();
    let send = || {
        apx_in(
            dir.path(),
            &[
                "send",
                "--json",
                "--device",
                "fw",
                "--password-env",
                "APX_PASSWORD",
                "/api/monitoring/serialnumber",
            ],
        )
    };
    let ok = send();
    assert_eq!(ok.code, 0, "{}", ok.stdout);

    let bad = devices(&format!("{typed}00"));
    std::fs::write(ws.join("devices.json"), &bad).unwrap();
    let refused = send();
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("devices.json") && message.contains("\"fw\""),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(ws.join("devices.json")).unwrap(),
        bad
    );
}
