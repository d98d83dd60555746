//! `apx run`: the shipped collections against in-process appliances, one
//! session per device, `--json`, exit codes, and the history it writes.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::SeqCst;

use apx::core::platform::Platform;
use apx::core::workspace::saved::SavedRequest;
use apx::core::workspace::{Device, Workspace};
use apx::demo::{Appliance, ApplianceConfig, DEMO_PASSWORD};
use serde_json::Value;
use support::devices::{pin, pinned_in};
use support::requests;
use support::{Run, appliance, appliance_with, apx_in, localhost_cert, runtime};

fn device(a: &Appliance) -> Device {
    let variables = match a.platform {
        Platform::Asa => BTreeMap::from([("backup_passphrase".into(), "demo-backup".into())]),
        _ => BTreeMap::new(),
    };
    Device {
        variables,
        ..pinned_in("Demo", &a.name, a)
    }
}

/// A workspace in `dir/ws` with a device per appliance (named as the demo
/// devices) and a copy of the shipped collections.
fn workspace(dir: &Path, appliances: &[&Appliance]) -> PathBuf {
    let ws = dir.join("ws");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("saved_requests");
    for folder in [
        "ASA",
        "ASA maintenance",
        "FXOS",
        "WSA",
        "SMA",
        "FMC",
        "FDM",
        "ESA",
    ] {
        std::fs::create_dir_all(ws.join(folder)).unwrap();
        for file in std::fs::read_dir(shipped.join(folder)).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, ws.join(folder).join(file.file_name().unwrap())).unwrap();
        }
    }
    let devices: Vec<Device> = appliances.iter().map(|a| device(a)).collect();
    Workspace::new(&ws).save_devices(&devices).unwrap();
    ws
}

fn run(dir: &Path, ws: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "--workspace",
        ws.to_str().unwrap(),
        "run",
        "--password-env",
        "APX_PASSWORD",
    ];
    args.extend_from_slice(extra);
    apx_in(dir, &args)
}

/// A GET of `url` on `device`.
fn get(name: &str, device: Option<&str>, url: &str) -> SavedRequest {
    SavedRequest {
        device: device.map(str::to_string),
        ..requests::get(name, url)
    }
}

fn statuses(doc: &Value) -> Vec<Value> {
    doc.as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].clone())
        .collect()
}

#[test]
fn asa_folder_runs_in_one_session() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), &[&asa]);

    let text = run(dir.path(), &ws, &["ASA"]);
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    let header = text.stdout.lines().next().unwrap();
    for column in ["NAME", "STATUS", "TIME ms", "SIZE"] {
        assert!(header.contains(column), "{header}");
    }
    for name in [
        "Backup",
        "Create network object",
        "Serial number (CLI)",
        "Write memory",
    ] {
        assert!(text.stdout.contains(name), "{}", text.stdout);
    }
    assert_eq!(asa.stats.logins.load(SeqCst), 1, "one login for 7 requests");
    assert_eq!(asa.stats.logouts.load(SeqCst), 1);
    assert_eq!(asa.connections(), 1, "one connection, kept alive");

    // Again (the folder cleans up after itself), as JSON, by filesystem path.
    let json = run(
        dir.path(),
        &ws,
        &["--json", ws.join("ASA").to_str().unwrap()],
    );
    assert_eq!(json.code, 0, "{}{}", json.stdout, json.stderr);
    let doc = json.json();
    let names: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Backup",
            "Create network object",
            "Delete network object",
            "List network objects",
            "Serial number (CLI)",
            "Version",
            "Write memory"
        ]
    );
    assert_eq!(
        statuses(&doc),
        [201, 201, 204, 200, 200, 200, 200].map(Value::from)
    );
    assert!(
        doc[4]["body"]["response"][0]
            .as_str()
            .unwrap()
            .contains("9A5KDN3LR2B")
    );
    assert_eq!(asa.stats.logins.load(SeqCst), 2);

    // The restore (a real ASA reloads) is kept out of the ASA folder's run.
    let restore = run(dir.path(), &ws, &["--json", "ASA maintenance"]);
    assert_eq!(restore.code, 0, "{}{}", restore.stdout, restore.stderr);
    let doc = restore.json();
    assert_eq!(doc[0]["name"], "Restore backup (reloads the ASA)");
    assert_eq!(statuses(&doc), [200].map(Value::from));

    // One file, relative to the workspace, with --device naming the device.
    let one = run(
        dir.path(),
        &ws,
        &["--json", "--device", "Demo ASA", "ASA/version.json"],
    );
    assert_eq!(one.code, 0, "{}{}", one.stdout, one.stderr);
    assert_eq!(one.json()[0]["body"]["asaVersion"], "9.20(2)");
}

#[test]
fn every_shipped_collection_succeeds_against_the_demo() {
    let rt = runtime();
    let appliances: Vec<Appliance> = [
        Platform::Fxos,
        Platform::Wsa,
        Platform::Sma,
        Platform::Fmc,
        Platform::Fdm,
        Platform::Esa,
    ]
    .into_iter()
    .map(|p| appliance(&rt, p))
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let refs: Vec<&Appliance> = appliances.iter().collect();
    let ws = workspace(dir.path(), &refs);
    for folder in ["FXOS", "WSA", "SMA", "FMC", "FDM", "ESA"] {
        // Twice: a create/delete pair leaves the folder runnable again.
        for _ in 0..2 {
            let result = run(dir.path(), &ws, &["--json", folder]);
            assert_eq!(result.code, 0, "{folder}: {}", result.stdout);
            assert!(
                statuses(&result.json())
                    .iter()
                    .all(|s| s.as_u64().is_some_and(|s| (200..300).contains(&s))),
                "{folder}: {}",
                result.stdout
            );
        }
    }
    for a in &appliances {
        assert_eq!(a.stats.logins.load(SeqCst), 2, "{}", a.name);
    }
}

#[test]
fn wsa_refreshed_jwt_is_adopted_across_the_run() {
    let rt = runtime();
    let config = ApplianceConfig {
        jwt_refresh_after: Some(2),
        ..ApplianceConfig::demo()
    };
    let wsa = appliance_with(&rt, Platform::Wsa, config, &localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), &[&wsa]);
    let health = SavedRequest {
        device: Some("Demo WSA".into()),
        ..requests::get("Health", "/wsa/api/v2.0/health")
    };
    let store = Workspace::new(&ws);
    store.save_request("WSA", &health).unwrap();
    store
        .save_request(
            "WSA",
            &SavedRequest {
                name: "Health again".into(),
                ..health
            },
        )
        .unwrap();
    let result = run(dir.path(), &ws, &["--json", "WSA"]);
    assert_eq!(result.code, 0, "{}", result.stdout);
    let doc = result.json();
    let shipped = std::fs::read_dir(ws.join("WSA")).unwrap().count();
    assert_eq!(doc.as_array().unwrap().len(), shipped);
    assert!(statuses(&doc).iter().all(|s| s == 200), "{doc}");
    assert!(wsa.stats.refreshes.load(SeqCst) >= 2);
    assert_eq!(wsa.stats.logins.load(SeqCst), 1, "refreshed JWTs were used");
    // The refreshed tokens are live (AsyncOS has no logout): never printed.
    let refreshed: Vec<&Value> = doc
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["headers"].get("jwttoken"))
        .collect();
    assert!(!refreshed.is_empty(), "{doc}");
    assert!(refreshed.iter().all(|v| *v == "(redacted)"), "{doc}");
}

#[test]
fn exit_code_is_the_worst_result_and_the_others_still_run() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), &[&asa]);
    let store = Workspace::new(&ws);
    let bad_pin = Device {
        name: "Wrong pin".into(),
        trust: pin(&"00".repeat(32)),
        ..device(&asa)
    };
    store.add_device(bad_pin).unwrap();
    let asa_dev = Some("Demo ASA");
    store
        .save_request(
            "Checks/A",
            &get(
                "Version",
                asa_dev,
                "/api/monitoring/device/components/version",
            ),
        )
        .unwrap();
    store
        .save_request("Checks/A", &get("Missing", asa_dev, "/api/nope"))
        .unwrap();
    store
        .save_request(
            "Checks/B",
            &get("No device", None, "/api/monitoring/serialnumber"),
        )
        .unwrap();
    store
        .save_request("Checks/B", &get("Undefined", asa_dev, "/api/{{nope}}"))
        .unwrap();
    store
        .save_request(
            "Checks/C",
            &get(
                "Untrusted",
                Some("Wrong pin"),
                "/api/monitoring/serialnumber",
            ),
        )
        .unwrap();

    let http = run(dir.path(), &ws, &["Checks/A"]);
    assert_eq!(http.code, 1, "{}{}", http.stdout, http.stderr);
    assert!(
        http.stderr.contains("Missing: error: HTTP error"),
        "{}",
        http.stderr
    );

    let usage = run(dir.path(), &ws, &["--json", "Checks/B"]);
    assert_eq!(usage.code, 2);
    let doc = usage.json();
    assert_eq!(doc[0]["name"], "No device");
    assert_eq!(doc[0]["error"]["kind"], "usage");
    assert!(
        doc[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("{{nope}}")
    );

    std::fs::write(ws.join("Checks/broken.json"), b"{\"format\": 2,").unwrap();
    let all = run(dir.path(), &ws, &["--json", "Checks"]);
    assert_eq!(all.code, 3, "{}", all.stdout);
    let doc = all.json();
    let kinds: Vec<&Value> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["error"]["kind"])
        .collect();
    let null = Value::Null;
    assert_eq!(
        kinds,
        [
            &Value::from("http"),
            &null,
            &Value::from("usage"),
            &Value::from("usage"),
            &Value::from("tls"),
            &Value::from("usage")
        ]
    );
    assert_eq!(doc[1]["status"], 200, "the others still ran");
    assert!(
        doc[5]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("broken.json:1:")
    );

    let nothing = run(dir.path(), &ws, &["Nowhere"]);
    assert_eq!(nothing.code, 2);
    assert!(nothing.stderr.contains("Nowhere"), "{}", nothing.stderr);
}

#[test]
fn history_records_runs_and_sends_without_secrets() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), &[&asa]);
    let result = run(dir.path(), &ws, &["ASA"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let send = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "send",
            "--device",
            "Demo ASA",
            "--password-env",
            "APX_PASSWORD",
            "/api/monitoring/serialnumber",
        ],
    );
    assert_eq!(send.code, 0, "{}", send.stderr);

    let text = std::fs::read_to_string(ws.join(".history.jsonl")).unwrap();
    assert!(!text.contains(DEMO_PASSWORD));
    assert!(!text.to_ascii_lowercase().contains("x-auth-token"));
    let entries = apx::core::history::load(&ws).unwrap();
    assert_eq!((entries.entries.len(), entries.skipped), (8, 0));
    let first = &entries.entries[0];
    assert_eq!(first.name.as_deref(), Some("Backup"));
    assert_eq!(first.device.as_deref(), Some("Demo ASA"));
    assert_eq!((first.method.as_str(), first.status), ("POST", Some(201)));
    assert!(first.url.ends_with("/api/backup"));
    let last = entries.entries.last().unwrap();
    assert!(last.body.as_deref().unwrap().contains("9A5KDN3LR2B"));
    assert!(last.size > 0 && last.elapsed_ms > 0.0);

    // A send with no workspace folder creates none.
    let bare_dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let bare = apx_in(
        bare_dir.path(),
        &[
            "send",
            "--platform",
            "asa",
            "--auth",
            "none",
            "--pin",
            &asa.sha256,
            &url,
        ],
    );
    assert_eq!(bare.code, 1, "{}", bare.stderr);
    assert!(!bare_dir.path().join("saved_requests").exists());
}

#[test]
fn platform_override_brings_the_platform_headers_and_json_check() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let store = Workspace::new(&ws);
    // A generic device: alone, its requests carry no ASA headers.
    let generic = Device {
        name: "plain".into(),
        platform: Platform::Generic,
        ..device(&asa)
    };
    store.save_devices(&[generic]).unwrap();
    let request = |name: &str, method: &str, url: &str, body: Option<&str>| SavedRequest {
        device: Some("plain".into()),
        method: method.into(),
        body: body.map(|b| apx::core::workspace::saved::RequestBody::Text(b.into())),
        ..requests::get(name, url)
    };
    store
        .save_request(
            "G/a",
            &request("Serial", "GET", "/api/monitoring/serialnumber", None),
        )
        .unwrap();
    let json = run(
        dir.path(),
        &ws,
        &["G", "--platform", "asa", "--auth", "token", "--json"],
    );
    assert_eq!(json.code, 0, "{}\n{}", json.stdout, json.stderr);
    assert_eq!(statuses(&json.json()), vec![Value::from(200)]);

    // Under --platform asa a body must be JSON: refused before anything is sent.
    store
        .save_request(
            "G/b",
            &request("Broken", "POST", "/api/cli", Some("{not json")),
        )
        .unwrap();
    let broken = run(dir.path(), &ws, &["G", "--platform", "asa", "--json"]);
    assert_eq!(broken.code, 2, "{}", broken.stdout);
    let doc = broken.json();
    let refused = doc
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Broken")
        .unwrap();
    assert_eq!(refused["error"]["kind"], "usage", "{refused}");
    assert_eq!(refused["status"], Value::Null);
}

/// A workspace cloned from elsewhere may hold links: a folder linked to
/// itself, a history linked to a dotfile. Neither is followed, and the run
/// says what it skipped.
#[cfg(unix)]
#[test]
fn links_in_the_workspace_are_never_followed() {
    use std::os::unix::fs::symlink;
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let store = Workspace::new(&ws);
    store.save_devices(&[device(&asa)]).unwrap();
    let version = get(
        "Version",
        Some("Demo ASA"),
        "/api/monitoring/device/components/version",
    );
    store.save_request("Checks", &version).unwrap();
    symlink(".", ws.join("Checks/a")).unwrap();
    let bashrc = dir.path().join("bashrc");
    std::fs::write(&bashrc, "alias ll='ls -l'\n").unwrap();
    symlink(&bashrc, ws.join(".history.jsonl")).unwrap();

    let result = run(dir.path(), &ws, &["--json", "Checks"]);
    assert_eq!(result.code, 2, "{}{}", result.stdout, result.stderr);
    let doc = result.json();
    let docs = doc.as_array().unwrap();
    assert_eq!(docs.len(), 2, "{doc}");
    assert_eq!(
        (&docs[0]["name"], &docs[0]["status"]),
        (&Value::from("Version"), &Value::from(200))
    );
    assert_eq!(docs[1]["error"]["kind"], "usage");
    let skipped = docs[1]["error"]["message"].as_str().unwrap();
    assert!(
        skipped.contains("Checks/a") && skipped.contains("symbolic link"),
        "{skipped}"
    );
    assert_eq!(asa.stats.requests.load(SeqCst), 1, "sent once");
    assert!(
        result.stderr.contains("history not written") && result.stderr.contains("symbolic link"),
        "{}",
        result.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&bashrc).unwrap(),
        "alias ll='ls -l'\n"
    );

    let text = run(dir.path(), &ws, &["Checks"]);
    assert_eq!(text.code, 2);
    assert!(text.stderr.contains("Checks/a"), "{}", text.stderr);
}

/// Saved files that would smuggle a header line or reach another scheme
/// are refused, naming the file, before anything is sent.
#[test]
fn saved_requests_that_smuggle_are_refused_before_sending() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let store = Workspace::new(&ws);
    let mut dev = device(&asa);
    dev.variables
        .insert("target".into(), "file:///etc/passwd".into());
    store.save_devices(&[dev]).unwrap();
    std::fs::create_dir_all(ws.join("Bad")).unwrap();
    let cases = [
        (
            "crlf.json",
            serde_json::json!([{"name": "X-A", "value": "1\r\nX-Injected: 2"}]),
            "/api/x",
        ),
        (
            "name.json",
            serde_json::json!([{"name": "X A", "value": "1"}]),
            "/api/x",
        ),
        (
            "gopher.json",
            serde_json::json!([]),
            "gopher://127.0.0.1:70/x",
        ),
        ("file.json", serde_json::json!([]), "file:///etc/passwd"),
        ("variable.json", serde_json::json!([]), "{{target}}"),
    ];
    for (file, headers, url) in &cases {
        let request = serde_json::json!({
            "format": 2, "name": file, "device": "Demo ASA",
            "method": "GET", "url": url, "headers": headers,
        });
        std::fs::write(ws.join("Bad").join(file), request.to_string()).unwrap();
    }
    let result = run(dir.path(), &ws, &["--json", "Bad"]);
    assert_eq!(result.code, 2, "{}", result.stdout);
    let doc = result.json();
    let messages: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["error"]["kind"], "usage", "{d}");
            d["error"]["message"].as_str().unwrap()
        })
        .collect();
    assert_eq!(messages.len(), cases.len(), "{messages:?}");
    for file in ["crlf.json", "name.json", "gopher.json", "file.json"] {
        assert!(
            messages.iter().any(|m| m.contains(file)),
            "{file}: {messages:?}"
        );
    }
    assert!(
        messages
            .iter()
            .any(|m| m.contains("file:///etc/passwd") && !m.contains(".json")),
        "{messages:?}"
    );
    assert_eq!(asa.connections(), 0, "nothing sent");
}
