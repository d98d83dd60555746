//! Saved requests on disk (format, migration, corrupt files), variables,
//! history, and the collections shipped in `saved_requests/`.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use apx::core::history::{self, HistoryEntry};
use apx::core::platform::{AuthMode, Platform};
use apx::core::request::Header;
use apx::core::tls::Trust;
use apx::core::workspace::saved::{RequestBody, SavedRequest};
use apx::core::workspace::variables::{prepare, variables_for};
use apx::core::workspace::{Device, Workspace};
use serde_json::json;

fn request(name: &str) -> SavedRequest {
    SavedRequest {
        name: name.into(),
        description: Some("Creates a host object".into()),
        device: Some("fw1".into()),
        platform: Some(Platform::Asa),
        auth: Some(AuthMode::Token),
        method: "POST".into(),
        url: "/api/objects/networkobjects".into(),
        headers: vec![
            Header::new("Accept", "application/json"),
            Header {
                enabled: false,
                ..Header::new("X-Debug", "1")
            },
        ],
        body: Some(RequestBody::Json(
            json!({"name": "web-2", "kind": "object#NetworkObj", "host": {"value": "10.1.1.11", "kind": "IPv4Address"}}),
        )),
    }
}

fn device() -> Device {
    Device {
        folder: "Lab".into(),
        variables: BTreeMap::from([("object".to_string(), "web-2".to_string())]),
        ..support::devices::device("fw1", Platform::Asa, "https://10.0.0.1:8443")
    }
}

#[test]
fn saved_request_round_trips_byte_identically() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let saved = request("Create object: web-2");
    let path = ws.save_request("Lab/ASA", &saved).unwrap();
    assert_eq!(path, dir.path().join("Lab/ASA/create-object-web-2.json"));
    let first = fs::read_to_string(&path).unwrap();
    assert!(
        first.starts_with("{\n  \"format\": 2,\n  \"name\": "),
        "{first}"
    );
    assert!(first.ends_with("}\n"), "{first}");
    let body_at = |key: &str| first.find(key).unwrap();
    assert!(
        body_at("\"web-2\"") < body_at("\"object#NetworkObj\""),
        "JSON key order kept"
    );

    let loaded = ws
        .load_request(Path::new("Lab/ASA/create-object-web-2.json"))
        .unwrap();
    assert_eq!(loaded, saved);
    let again = ws.save_request("Lab/ASA", &loaded).unwrap();
    assert_eq!(again, path, "the same name overwrites its file");
    assert_eq!(fs::read_to_string(&path).unwrap(), first);
}

#[test]
fn clashing_names_get_a_suffix_and_devices_json_is_never_taken() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let a = ws.save_request("", &request("Show Version")).unwrap();
    let b = ws.save_request("", &request("show version")).unwrap();
    assert_eq!(a.file_name().unwrap(), "show-version.json");
    assert_eq!(b.file_name().unwrap(), "show-version-2.json");
    // After a gap, the request of the same name still finds its own file.
    fs::remove_file(&a).unwrap();
    assert_eq!(ws.save_request("", &request("show version")).unwrap(), b);
    let devices = ws.save_request("", &request("Devices")).unwrap();
    assert_eq!(devices.file_name().unwrap(), "devices-2.json");
    assert!(!ws.devices_path().exists());
    let odd = ws.save_request("", &request("«Ünïcode» only?")).unwrap();
    assert_eq!(odd.file_name().unwrap(), "n-code-only.json");
    assert!(ws.save_request("", &request("  ")).is_err());
    assert!(ws.save_request("../out", &request("x")).is_err());
    assert!(ws.save_request(".hidden", &request("x")).is_err());

    ws.delete_request(Path::new("show-version-2.json")).unwrap();
    assert!(!b.exists());
    assert!(ws.delete_request(Path::new("show-version-2.json")).is_err());
    assert!(ws.delete_request(Path::new("devices.json")).is_err());
}

#[test]
fn format_1_is_migrated_in_memory_only() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let v1 = br#"{
  "format": 1,
  "name": "Old style",
  "device": "fw1",
  "method": "POST",
  "url": "/api/cli",
  "headers": {"Accept": "application/json", "X-Count": 2},
  "body": "{\"commands\": [\"show clock\"]}"
}
"#;
    fs::create_dir_all(dir.path().join("Old")).unwrap();
    let path = dir.path().join("Old/old-style.json");
    fs::write(&path, v1).unwrap();
    let loaded = ws.load_request(&path).unwrap();
    assert_eq!(
        loaded.headers,
        vec![
            Header::new("Accept", "application/json"),
            Header::new("X-Count", "2")
        ]
    );
    assert_eq!(
        loaded.body,
        Some(RequestBody::Json(json!({"commands": ["show clock"]})))
    );
    assert_eq!(ws.collections().requests[0].request, loaded);
    assert_eq!(fs::read(&path).unwrap(), v1, "not rewritten on load");
    // Saving writes format 2 to the same file.
    assert_eq!(ws.save_request("Old", &loaded).unwrap(), path);
    assert!(fs::read_to_string(&path).unwrap().contains("\"format\": 2"));
}

#[test]
fn corrupt_and_unknown_files_are_problems_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.save_request("ASA", &request("Good")).unwrap();
    ws.save_request("ASA/Deeper", &request("Nested")).unwrap();
    ws.save_request("", &request("Top")).unwrap();
    let garbage = b"{\n  \"format\": 2,\n  \"name\": \"x\",\n  \"url\": }\n";
    let bad = dir.path().join("ASA/bad.json");
    fs::write(&bad, garbage).unwrap();
    let newer = dir.path().join("ASA/newer.json");
    fs::write(&newer, br#"{"format": 9, "name": "future"}"#).unwrap();
    fs::create_dir_all(dir.path().join(".git")).unwrap();
    fs::write(dir.path().join(".git/x.json"), b"nonsense").unwrap();
    fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
    fs::write(ws.devices_path(), br#"{"format": 1, "devices": []}"#).unwrap();

    let collections = ws.collections();
    let found: Vec<(&str, &Path)> = collections
        .requests
        .iter()
        .map(|e| (e.folder.as_str(), e.path.as_path()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("", Path::new("top.json")),
            ("ASA", Path::new("ASA/good.json")),
            ("ASA/Deeper", Path::new("ASA/Deeper/nested.json")),
        ]
    );
    let messages: Vec<&str> = collections
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("bad.json:4:10"), "{messages:?}");
    assert!(messages[1].contains("newer.json") && messages[1].contains("format 9"));
    let err = ws.load_request(Path::new("ASA/bad.json")).unwrap_err();
    assert!(err.message.contains("bad.json:4:"), "{}", err.message);
    assert_eq!(fs::read(&bad).unwrap(), garbage);
}

#[test]
fn stamp_changes_when_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let empty = ws.collections_stamp();
    assert_eq!(
        empty,
        ws.collections_stamp(),
        "stable while nothing changes"
    );
    let path = ws.save_request("ASA", &request("One")).unwrap();
    let one = ws.collections_stamp();
    assert_ne!(one, empty);
    fs::write(&path, b"{}").unwrap();
    assert_ne!(ws.collections_stamp(), one, "edited outside the app");
    fs::remove_file(&path).unwrap();
    let emptied = ws.collections_stamp();
    assert_ne!(emptied, one);
    assert_ne!(emptied, empty, "an empty folder is part of the tree");
    fs::remove_dir(path.parent().unwrap()).unwrap();
    assert_eq!(ws.collections_stamp(), empty);
}

#[test]
fn variables_come_from_the_device_and_override_built_ins() {
    let mut saved = request("Get {{object}}");
    saved.method = "get".into();
    saved.url = "/api/objects/networkobjects/{{object}}?by={{ username }}".into();
    saved.headers = vec![Header::new("X-Device", "{{device}} at {{host}}")];
    saved.body = Some(RequestBody::Json(json!({"base": "{{base_url}}"})));
    let d = device();
    let vars = variables_for(Some(&d));
    assert_eq!(vars["host"], "10.0.0.1:8443");
    assert!(variables_for(None).is_empty());

    let p = prepare(&saved, Some(&d)).unwrap();
    assert_eq!(p.method, "GET");
    assert_eq!(
        p.url.as_str(),
        "https://10.0.0.1:8443/api/objects/networkobjects/web-2?by=admin"
    );
    assert_eq!(
        p.headers,
        vec![Header::new("X-Device", "fw1 at 10.0.0.1:8443")]
    );
    let body: serde_json::Value = serde_json::from_slice(&p.body.unwrap()).unwrap();
    assert_eq!(body, json!({"base": "https://10.0.0.1:8443"}));
    assert_eq!((p.platform, p.auth), (Platform::Asa, AuthMode::Token));

    // The device's own variables override the built-ins.
    let mut other = device();
    other
        .variables
        .insert("host".into(), "fw1.lab.example".into());
    let p = prepare(&saved, Some(&other)).unwrap();
    assert_eq!(p.headers[0].value, "fw1 at fw1.lab.example");

    // Platform and auth follow the device when the request has none.
    let mut plain = request("plain");
    plain.platform = None;
    plain.auth = None;
    plain.body = None;
    let mut fxos = device();
    fxos.platform = Platform::Fxos;
    let p = prepare(&plain, Some(&fxos)).unwrap();
    assert_eq!((p.platform, p.auth), (Platform::Fxos, AuthMode::Token));
    let absolute = SavedRequest {
        url: "https://h.example/x".into(),
        ..plain.clone()
    };
    let p = prepare(&absolute, None).unwrap();
    assert_eq!((p.platform, p.auth), (Platform::Generic, AuthMode::None));

    // An AsyncOS device written without a port (by hand, or before apx
    // added one) is still reached on the API port.
    let mut wsa = device();
    wsa.platform = Platform::Wsa;
    wsa.base_url = "https://wsa.lab.example".into();
    let health = SavedRequest {
        url: "/wsa/api/v2.0/health".into(),
        ..plain.clone()
    };
    let p = prepare(&health, Some(&wsa)).unwrap();
    assert_eq!(
        p.url.as_str(),
        "https://wsa.lab.example:6443/wsa/api/v2.0/health"
    );
}

#[test]
fn undefined_variables_and_missing_devices_are_errors() {
    let mut saved = request("x");
    saved.url = "/api/{{nope}}".into();
    let err = prepare(&saved, Some(&device())).unwrap_err();
    assert!(err.message.contains("{{nope}}"), "{}", err.message);
    saved.url = "/api/objects".into();
    saved.body = Some(RequestBody::Text("{\"a\": {{missing_value}}}".into()));
    let err = prepare(&saved, Some(&device())).unwrap_err();
    assert!(err.message.contains("{{missing_value}}"), "{}", err.message);
    saved.body = None;
    let err = prepare(&saved, None).unwrap_err();
    assert!(err.message.contains("not a full URL"), "{}", err.message);
    // A value that breaks the JSON body is caught before sending.
    let mut d = device();
    d.variables.insert("object".into(), "a\"b".into());
    saved.body = Some(RequestBody::Json(json!({"name": "{{object}}"})));
    let err = prepare(&saved, Some(&d)).unwrap_err();
    assert!(
        err.message.contains("malformed JSON body"),
        "{}",
        err.message
    );
}

fn entry(i: usize) -> HistoryEntry {
    HistoryEntry {
        timestamp: 1_700_000_000 + i as u64,
        name: None,
        device: Some("fw1".into()),
        method: "GET".into(),
        url: format!("https://10.0.0.1/api/{i}"),
        status: Some(200),
        error: None,
        elapsed_ms: 1.5,
        size: 2,
        body: Some("{}".into()),
        ..HistoryEntry::default()
    }
}

#[test]
fn history_appends_loads_clears_and_keeps_500() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    assert!(history::load(ws).unwrap().entries.is_empty());
    history::append(ws, &entry(0)).unwrap();
    history::append(ws, &entry(1)).unwrap();
    let file = history::path(ws);
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("not json\n");
    fs::write(&file, text).unwrap();
    history::append(ws, &entry(2)).unwrap();
    let load = history::load(ws).unwrap();
    assert_eq!(load.entries, vec![entry(0), entry(1), entry(2)]);
    assert_eq!(load.skipped, 1);
    history::clear(ws).unwrap();
    assert!(!file.exists());
    history::clear(ws).unwrap();

    for i in 0..650 {
        history::append(ws, &entry(i)).unwrap();
        let lines = fs::read_to_string(&file).unwrap().lines().count();
        assert!(lines <= 600, "{lines} lines after {i}");
    }
    let load = history::load(ws).unwrap();
    assert_eq!(load.entries.len(), 500);
    assert_eq!(load.entries.last(), Some(&entry(649)));
    assert_eq!(load.entries.first(), Some(&entry(150)));
}

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("saved_requests")
}

#[test]
fn shipped_collections_load_and_prepare_against_the_demo_devices() {
    let ws = Workspace::new(shipped());
    let devices = ws.load_devices().unwrap();
    let collections = ws.collections();
    assert!(
        collections.problems.is_empty(),
        "{:?}",
        collections.problems
    );
    let folders: std::collections::BTreeSet<&str> = collections
        .requests
        .iter()
        .map(|e| e.folder.as_str())
        .collect();
    assert_eq!(
        folders,
        [
            "ASA",
            "ASA maintenance",
            "ESA",
            "FDM",
            "FMC",
            "FXOS",
            "SMA",
            "WSA"
        ]
        .into()
    );
    assert!(collections.requests.len() >= 47);
    let copy = tempfile::tempdir().unwrap();
    for entry in &collections.requests {
        let name = entry.request.device.as_deref().unwrap();
        let device = devices.iter().find(|d| d.name == name).unwrap();
        // ASA for "ASA" and "ASA maintenance".
        let platform = entry.folder.split(' ').next().unwrap();
        assert_eq!(name, format!("Demo {platform}"));
        let prepared = prepare(&entry.request, Some(device))
            .unwrap_or_else(|e| panic!("{}: {}", entry.path.display(), e.message));
        let body = String::from_utf8(prepared.body.unwrap_or_default()).unwrap();
        assert!(!prepared.url.as_str().contains("{{") && !body.contains("{{"));
        // Each file is exactly what apx itself would write.
        let written = Workspace::new(copy.path())
            .save_request(&entry.folder, &entry.request)
            .unwrap();
        assert_eq!(
            fs::read_to_string(&written).unwrap(),
            fs::read_to_string(shipped().join(&entry.path)).unwrap(),
            "{}",
            entry.path.display()
        );
    }
    let backup = collections
        .requests
        .iter()
        .find(|e| e.request.url == "/api/backup")
        .unwrap();
    let asa = devices.iter().find(|d| d.name == "Demo ASA").unwrap();
    let body = prepare(&backup.request, Some(asa)).unwrap().body.unwrap();
    assert!(String::from_utf8(body).unwrap().contains("\"demo-backup\""));
    // As apx writes it into a workspace that has none.
    let fresh = tempfile::tempdir().unwrap();
    history::append(fresh.path(), &entry(0)).unwrap();
    assert_eq!(
        fs::read_to_string(shipped().join(".gitignore")).unwrap(),
        fs::read_to_string(fresh.path().join(".gitignore")).unwrap()
    );
}

/// The file's permission bits.
#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn linked_folders_and_files_are_skipped_and_reported() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path().join("ws"));
    ws.save_request("ASA", &request("Version")).unwrap();
    // A loop, a folder elsewhere, and a request file elsewhere.
    symlink(".", ws.dir().join("a")).unwrap();
    Workspace::new(outside.path())
        .save_request("", &request("Elsewhere"))
        .unwrap();
    symlink(outside.path(), ws.dir().join("Shared")).unwrap();
    symlink(
        outside.path().join("elsewhere.json"),
        ws.dir().join("ASA/elsewhere.json"),
    )
    .unwrap();

    let collections = ws.collections();
    let found: Vec<&Path> = collections
        .requests
        .iter()
        .map(|e| e.path.as_path())
        .collect();
    assert_eq!(found, [Path::new("ASA/version.json")]);
    let messages: Vec<&str> = collections
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    for name in ["ASA/elsewhere.json", "ws/a:", "ws/Shared:"] {
        assert!(
            messages
                .iter()
                .any(|m| m.contains("symbolic link") && m.contains(name)),
            "{name}: {messages:?}"
        );
    }
    // The app's poll walks the same tree, and sees a skipped link go.
    let stamp = ws.collections_stamp();
    assert_eq!(ws.collections_stamp(), stamp);
    fs::remove_file(ws.dir().join("a")).unwrap();
    assert_ne!(ws.collections_stamp(), stamp);

    // Saving never goes through a linked folder or file either.
    let err = ws.save_request("Shared", &request("New")).unwrap_err();
    assert!(err.message.contains("symbolic link"), "{}", err.message);
    assert!(!outside.path().join("new.json").exists());
    let before = fs::read(outside.path().join("elsewhere.json")).unwrap();
    // A linked file is someone else's, even for a request of its name.
    let written = ws.save_request("ASA", &request("Elsewhere")).unwrap();
    assert_eq!(written, ws.dir().join("ASA/elsewhere-2.json"));
    assert_eq!(
        fs::read(outside.path().join("elsewhere.json")).unwrap(),
        before
    );
}

#[cfg(unix)]
#[test]
fn a_linked_devices_file_is_neither_read_nor_written() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path().join("ws"));
    let elsewhere = dir.path().join("devices.json");
    let content = r#"{"format": 1, "devices": []}"#;
    fs::write(&elsewhere, content).unwrap();
    fs::create_dir_all(ws.dir()).unwrap();
    std::os::unix::fs::symlink(&elsewhere, ws.devices_path()).unwrap();
    for err in [
        ws.load_devices().unwrap_err(),
        ws.add_device(device()).unwrap_err(),
        ws.save_devices(&[device()]).unwrap_err(),
    ] {
        assert!(err.message.contains("symbolic link"), "{}", err.message);
    }
    assert_eq!(fs::read_to_string(&elsewhere).unwrap(), content);
}

#[cfg(unix)]
#[test]
fn the_history_is_never_written_or_read_through_a_link() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    fs::create_dir_all(&ws).unwrap();
    let target = dir.path().join("bashrc");
    fs::write(&target, "export PATH\n").unwrap();
    symlink(&target, history::path(&ws)).unwrap();
    let err = history::append(&ws, &entry(0)).unwrap_err();
    assert!(err.message.contains("symbolic link"), "{}", err.message);
    assert!(err.message.contains(".history.jsonl"), "{}", err.message);
    assert_eq!(fs::read_to_string(&target).unwrap(), "export PATH\n");
    assert!(
        fs::symlink_metadata(history::path(&ws))
            .unwrap()
            .is_symlink()
    );
    let err = history::load(&ws).unwrap_err();
    assert!(err.message.contains("symbolic link"), "{}", err.message);
    // Clearing removes the link, never its target.
    history::clear(&ws).unwrap();
    assert!(target.exists());
}

#[cfg(unix)]
#[test]
fn workspace_files_are_private_and_history_is_git_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path().join("ws"));
    ws.add_device(device()).unwrap();
    let saved = ws.save_request("ASA", &request("Version")).unwrap();
    history::append(ws.dir(), &entry(0)).unwrap();
    for file in [ws.devices_path(), saved.clone(), history::path(ws.dir())] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    let ignore = ws.dir().join(".gitignore");
    let text = fs::read_to_string(&ignore).unwrap();
    assert!(text.lines().any(|l| l == ".history.jsonl"), "{text}");

    // An existing file keeps its mode; an existing .gitignore is the user's.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&saved, fs::Permissions::from_mode(0o640)).unwrap();
    ws.save_request("ASA", &request("Version")).unwrap();
    assert_eq!(mode(&saved), 0o640);
    let other = Workspace::new(dir.path().join("other"));
    fs::create_dir_all(other.dir()).unwrap();
    fs::write(other.dir().join(".gitignore"), "mine\n").unwrap();
    other.add_device(device()).unwrap();
    history::append(other.dir(), &entry(0)).unwrap();
    assert_eq!(
        fs::read_to_string(other.dir().join(".gitignore")).unwrap(),
        "mine\n"
    );
}

#[test]
fn one_depth_rule_for_saving_and_reading() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let folder = |depth: usize| {
        (1..=depth)
            .map(|i| format!("f{i}"))
            .collect::<Vec<_>>()
            .join("/")
    };
    ws.save_request(&folder(16), &request("Deepest")).unwrap();
    let err = ws
        .save_request(&folder(17), &request("Too deep"))
        .unwrap_err();
    assert!(
        err.message.contains("17") && err.hint.contains("16"),
        "{}: {}",
        err.message,
        err.hint
    );
    assert!(!dir.path().join(folder(17)).exists(), "nothing written");
    // A deeper folder made by hand is reported, not silently ignored.
    let deeper = dir.path().join(folder(17));
    fs::create_dir_all(&deeper).unwrap();
    fs::copy(
        dir.path().join(folder(16)).join("deepest.json"),
        deeper.join("hidden.json"),
    )
    .unwrap();
    let collections = ws.collections();
    assert_eq!(collections.requests.len(), 1);
    assert_eq!(collections.requests[0].folder, folder(16));
    assert_eq!(collections.problems.len(), 1, "{:?}", collections.problems);
    assert!(
        collections.problems[0].message.contains("f17"),
        "{}",
        collections.problems[0].message
    );
}

#[test]
fn saved_files_with_bad_headers_or_schemes_are_problems() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let cases = [
        (
            "crlf.json",
            r#"[{"name": "X-A", "value": "1\r\nX-Injected: 2"}]"#,
            "/api/x",
        ),
        (
            "nul.json",
            r#"[{"name": "X-A", "value": "a\u0000b"}]"#,
            "/api/x",
        ),
        (
            "name.json",
            r#"[{"name": "Bad Name", "value": "1"}]"#,
            "/api/x",
        ),
        (
            "colon.json",
            r#"[{"name": "X-A:", "value": "1"}]"#,
            "/api/x",
        ),
        (
            "disabled.json",
            r#"[{"name": "X-A", "value": "1\n2", "enabled": false}]"#,
            "/api/x",
        ),
        ("file.json", "[]", "file:///etc/passwd"),
        ("gopher.json", "[]", "gopher://10.0.0.1:70/x"),
    ];
    for (file, headers, url) in cases {
        let text = format!(
            r#"{{"format": 2, "name": "{file}", "method": "GET", "url": "{url}", "headers": {headers}}}"#
        );
        fs::write(dir.path().join(file), text).unwrap();
    }
    ws.save_request("", &request("Fine")).unwrap();
    let collections = ws.collections();
    assert_eq!(collections.requests.len(), 1, "{:?}", collections.requests);
    assert_eq!(collections.problems.len(), cases.len());
    for (file, ..) in cases {
        assert!(
            collections
                .problems
                .iter()
                .any(|p| p.message.contains(file)),
            "{file}: {:?}",
            collections.problems
        );
    }
    let err = ws.load_request(Path::new("gopher.json")).unwrap_err();
    assert!(err.message.contains("gopher"), "{}", err.message);
    // The v1 format is checked too.
    fs::write(
        dir.path().join("v1.json"),
        br#"{"format": 1, "name": "v1", "method": "GET", "url": "/x", "headers": {"X-A": "1\n2"}}"#,
    )
    .unwrap();
    assert!(ws.load_request(Path::new("v1.json")).is_err());
}

#[test]
fn the_scheme_is_checked_after_substitution() {
    let mut d = device();
    d.variables
        .insert("base_url".into(), "file:///etc/passwd".into());
    d.variables.insert("elsewhere".into(), "gopher://x".into());
    let mut saved = request("x");
    saved.body = None;
    for url in ["{{base_url}}", "{{elsewhere}}/x"] {
        saved.url = url.into();
        let err = prepare(&saved, Some(&d)).unwrap_err();
        assert!(
            err.message.contains("file:") || err.message.contains("gopher:"),
            "{url}: {}",
            err.message
        );
    }
    // Without a device, a full URL of another scheme is refused as well.
    saved.url = "gopher://10.0.0.1/x".into();
    assert!(prepare(&saved, None).is_err());
    // A device whose base URL was edited by hand.
    let mut hand = device();
    hand.base_url = "file:///etc".into();
    saved.url = "/passwd".into();
    assert!(prepare(&saved, Some(&hand)).is_err());
}

#[test]
fn pins_are_normalised_on_load_and_invalid_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let hex = "ab".repeat(32);
    let file = |pin: &str| {
        format!(
            r#"{{"format": 1, "devices": [{{"name": "fw", "platform": "asa", "base_url": "https://10.0.0.1", "trust": {{"mode": "pin", "sha256": "{pin}"}}}}]}}"#
        )
    };
    fs::write(ws.devices_path(), file(&hex)).unwrap();
    let expected = vec!["AB"; 32].join(":");
    assert_eq!(
        ws.device("fw").unwrap().trust,
        Trust::Pin { sha256: expected }
    );
    let bad = file("not-a-fingerprint");
    fs::write(ws.devices_path(), &bad).unwrap();
    let err = ws.load_devices().unwrap_err();
    assert!(
        err.message.contains("devices.json") && err.message.contains("\"fw\""),
        "{}",
        err.message
    );
    assert!(
        ws.add_device(Device {
            name: "other".into(),
            ..device()
        })
        .is_err()
    );
    assert_eq!(fs::read_to_string(ws.devices_path()).unwrap(), bad);
}

/// Saving a request whose file name a corrupt file holds writes beside it:
/// the corrupt file is reported, never replaced.
#[test]
fn saving_over_a_corrupt_files_name_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    fs::create_dir_all(dir.path().join("ASA")).unwrap();
    let garbage = b"{\"format\": 2, \"name\": \"Good\", \"url\": ";
    let bad = dir.path().join("ASA/good.json");
    fs::write(&bad, garbage).unwrap();
    let saved = ws.save_request("ASA", &request("Good")).unwrap();
    assert_ne!(saved, bad);
    assert_eq!(fs::read(&bad).unwrap(), garbage);
    assert_eq!(ws.load_request(&saved).unwrap().name, "Good");
    assert_eq!(
        ws.save_request("ASA", &request("Good")).unwrap(),
        saved,
        "saved again: the same file, still beside the corrupt one"
    );
    assert_eq!(fs::read(&bad).unwrap(), garbage);
    let problems = ws.collections().problems;
    assert!(
        problems.iter().any(|p| p.message.contains("good.json:")),
        "{:?}",
        problems.iter().map(|p| &p.message).collect::<Vec<_>>()
    );
}
