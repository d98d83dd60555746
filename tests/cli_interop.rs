//! `apx import postman` and `apx export curl|postman` against temporary
//! workspaces, and an exported curl command executed by the real `curl`
//! against an in-process ASA.

mod support;

use std::path::{Path, PathBuf};

use apx::core::interop::import_postman;
use apx::core::platform::{AuthMode, Platform};
use apx::core::workspace::Workspace;
use apx::core::workspace::saved::{RequestBody, SavedRequest};
use apx::demo::DEMO_PASSWORD;
use serde_json::json;
use support::requests;
use support::{ArgvLog, appliance, apx_in, can_run, device_add_args, leaked_forms, runtime, sh_in};

const FIXTURE_SECRETS: [&str; 3] = [
    "Fixture-Pa55word!",
    "Fixture-Bearer-T0ken",
    "Fixture-Var-S3cret",
];

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/postman_asa_v21.json")
}

#[test]
fn import_postman_writes_requests_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    let fixture = fixture();
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "--json",
            "import",
            "postman",
            fixture.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["imported"], 7);
    assert_eq!(doc["folder"], "ASA REST API");
    assert_eq!(doc["files"].as_array().unwrap().len(), 7);
    for file in doc["files"].as_array().unwrap() {
        assert!(Path::new(file.as_str().unwrap()).is_file(), "{file}");
    }
    assert_eq!(doc["skipped"].as_array().unwrap().len(), 4);
    assert_eq!(
        doc["secrets_not_saved"],
        json!([
            {"request": "ASA REST API", "kind": "variable adminPassword"},
            {"request": "Objects", "kind": "basic password"},
            {"request": "Login", "kind": "bearer token"},
        ])
    );
    assert!(!run.stdout.contains("Fixture-"), "{}", run.stdout);

    // What was written reads back as the collection's requests.
    let workspace = Workspace::new(&ws);
    let expected = import_postman(&std::fs::read(&fixture).unwrap()).unwrap();
    for (file, (_, request)) in doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&expected.requests)
    {
        let loaded = workspace
            .load_request(Path::new(file.as_str().unwrap()))
            .unwrap();
        assert_eq!(&loaded, request);
    }

    // Human text, into another folder.
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "import",
            "postman",
            fixture.to_str().unwrap(),
            "--into",
            "Lab/ASA",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for expected in [
        "imported 7 requests",
        "into folder \"Lab/ASA\"",
        "pre-request script on 'Login'",
        "auth type 'oauth2' on 'Cloud inventory'",
        "3 secrets found in the file were NOT written to disk",
        "basic password on Objects (user admin)",
        "apx device set-password",
        "baseUrl = https://10.0.0.1",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} not in\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("Fixture-"), "{}", run.stdout);

    let files = support::files_under(&ws);
    assert!(files.len() >= 14, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for secret in FIXTURE_SECRETS {
            assert!(
                !text.contains(secret),
                "{secret} written to {}",
                file.display()
            );
        }
    }
}

/// Every secret `postman_hostile.json` plants, as a user would store it.
const PLANTED: [&str; 30] = [
    "Hostile-Var-Url-Pass",
    "Hostile-Secret-Typed-Var",
    "Hostile-Var-Token",
    "SG9zdGlsZS1QYXNzcGhyYXNlLTE=",
    "Hostile-Passphrase-1",
    "Hostile-Json-Pw",
    "8675309421",
    "Hostile-Api-Key-In-Array",
    "Hostile-Credential-In-List",
    "Hostile-Broken-\"Json\"-Secret",
    "5551234987",
    "Hostile Form/Pw&1",
    "Hostile-Raw-Form-Pw",
    "Hostile-Path-Token",
    "Hostile-Typed-Path",
    "Hostile-Url-Pass",
    "Hostile-Query-Key",
    "Hostile-Query-Token",
    "Hostile-Fragment-Token",
    "Hostile-Built-Query",
    "Hostile-Session-Id",
    "Hostile-Cookie",
    "Hostile-Access-Token",
    "Hostile-Prefix{{suffix}}",
    "Hostile-Disabled-Header",
    "Hostile-In-Header-Key",
    "YWRtaW46SG9zdGlsZS1CYXNpYy1IZWFkZXI=",
    "Hostile-Basic-Header",
    "Hostile-Basic-Auth-Pw",
    "Hostile-Bearer",
];

/// A collection with a secret in every place one can be (the body of an
/// AsyncOS login, JSON and form bodies, the URL, session headers, path and
/// collection variables, auth): imported as text and as `--json`, no secret
/// is in any file of the workspace nor in what the command printed, and
/// the saved requests refer to `{{variables}}` instead.
#[test]
fn import_postman_never_writes_or_prints_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/postman_hostile.json");
    for json in [false, true] {
        let ws = dir.path().join(if json { "ws-json" } else { "ws-text" });
        let mut args = vec!["--workspace", ws.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        args.extend(["import", "postman", fixture.to_str().unwrap()]);
        let run = apx_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let printed = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(
            leaked_forms(&printed, &PLANTED),
            Vec::<String>::new(),
            "{printed}"
        );
        assert!(!printed.contains("Hostile"), "{printed}");
        if json {
            let doc = run.json();
            assert_eq!(doc["imported"], 10);
            let secrets = doc["secrets_not_saved"].as_array().unwrap();
            assert_eq!(secrets.len(), 27);
            for (request, kind) in [
                ("AsyncOS login", "body field passphrase"),
                ("Raw form login", "form field password"),
                ("URL secrets", "query parameter api_key"),
                ("URL secrets", "path variable token"),
                ("Session headers", "header X-Session"),
                ("Planted secrets", "variable lab"),
            ] {
                assert!(
                    secrets.contains(&json!({"request": request, "kind": kind})),
                    "{request}: {kind} not in {secrets:?}"
                );
            }
        } else {
            for expected in [
                "27 secrets found in the file were NOT written to disk",
                "body field passphrase on AsyncOS login",
                "URL password on URL secrets (user admin)",
                "header Cookie on Session headers",
                "baseUrl = https://svc:{{password}}@10.0.0.2",
            ] {
                assert!(
                    run.stdout.contains(expected),
                    "{expected:?} not in\n{}",
                    run.stdout
                );
            }
        }
        let files = support::files_under(&ws);
        // Ten requests, and the .gitignore that keeps the history out of git.
        assert_eq!(files.len(), 11, "{files:?}");
        for file in files {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            assert_eq!(
                leaked_forms(&text, &PLANTED),
                Vec::<String>::new(),
                "{}:\n{text}",
                file.display()
            );
            assert!(!text.contains("Hostile"), "{}:\n{text}", file.display());
        }
        let saved = Workspace::new(&ws).collections();
        assert!(saved.problems.is_empty(), "{:?}", saved.problems);
        let by_name = |name: &str| {
            saved
                .requests
                .iter()
                .find(|e| e.request.name == name)
                .map(|e| e.request.clone())
                .unwrap()
        };
        assert_eq!(
            by_name("AsyncOS login").body,
            Some(RequestBody::Json(
                json!({"data": {"userName": "YWRtaW4=", "passphrase": "{{passphrase}}"}})
            ))
        );
        assert!(
            by_name("URL secrets")
                .url
                .starts_with("https://admin:{{password}}@10.0.0.1/api/{{token}}/"),
        );
        let session = by_name("Session headers");
        assert_eq!(session.headers[0].value, "{{x_session}}");
    }
}

/// An import never replaces a saved request: one of the same name is
/// saved as `NAME (2)` (the next free number), and the summary says so.
#[test]
fn import_postman_keeps_a_request_already_saved_under_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    let workspace = Workspace::new(&ws);
    let mine = SavedRequest {
        description: Some("my own".into()),
        ..requests::get("Get network object", "/api/mine")
    };
    let kept = workspace
        .save_request("ASA REST API/Objects", &mine)
        .unwrap();
    let kept_bytes = std::fs::read(&kept).unwrap();
    let fixture = fixture();
    let import = |json: bool| {
        let mut args = vec!["--workspace", ws_arg];
        if json {
            args.push("--json");
        }
        args.extend(["import", "postman", fixture.to_str().unwrap()]);
        let run = apx_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        run
    };
    let doc = import(true).json();
    assert_eq!(doc["imported"], 7);
    assert_eq!(
        doc["renamed"],
        json!([{"folder": "ASA REST API/Objects", "from": "Get network object", "to": "Get network object (2)"}])
    );
    assert_eq!(std::fs::read(&kept).unwrap(), kept_bytes);
    let files: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 7);
    assert!(!files.contains(&kept.to_str().unwrap()), "{files:?}");
    let renamed = workspace.load_request(Path::new(files[2])).unwrap();
    assert_eq!(renamed.name, "Get network object (2)");
    assert!(renamed.url.ends_with("/{{objectId}}"), "{}", renamed.url);

    // Again, as text: every request is there already.
    let run = import(false);
    for expected in [
        "imported 7 requests",
        "7 requests renamed: their folder already has a request of that name",
        "'Get network object' in folder \"ASA REST API/Objects\" saved as 'Get network object (3)'",
        "'Login' in folder \"ASA REST API\" saved as 'Login (2)'",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} not in\n{}",
            run.stdout
        );
    }
    assert_eq!(std::fs::read(&kept).unwrap(), kept_bytes);
    let saved = workspace.collections();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    assert_eq!(saved.requests.len(), 15);
}

/// A thousand requests of one name, imported twice: each gets its own
/// number and file, none replaced. The name is longer than a file name
/// holds, so that all of them compete for one file name.
#[test]
fn import_postman_numbers_a_thousand_requests_of_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let name = format!("Same{}", " long-name".repeat(9));
    let items: Vec<serde_json::Value> = (0..1000)
        .map(|i| json!({"name": name, "request": format!("https://h/{i}")}))
        .collect();
    let collection = json!({
        "info": {"name": "Many", "schema": apx::core::interop::POSTMAN_SCHEMA_V21},
        "item": items,
    });
    let file = dir.path().join("many.json");
    std::fs::write(&file, collection.to_string()).unwrap();
    let args = [
        "--workspace",
        ws.to_str().unwrap(),
        "--json",
        "import",
        "postman",
        file.to_str().unwrap(),
    ];
    for round in 0..2 {
        let run = apx_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let doc = run.json();
        assert_eq!(doc["imported"], 1000);
        assert_eq!(doc["renamed"].as_array().unwrap().len(), 999 + round);
    }
    let saved = Workspace::new(&ws).collections();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    let mut names: Vec<String> = saved.requests.into_iter().map(|e| e.request.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 2000);
    assert!(names.contains(&format!("{name} (2000)")));
    let file = format!("{}.json", apx::core::workspace::collections::slug(&name));
    let first = std::fs::read_to_string(ws.join("Many").join(file)).unwrap();
    assert!(first.contains("\"https://h/0\""), "{first}");
}

#[test]
fn corrupt_postman_file_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let original = std::fs::read(fixture()).unwrap();
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, &original[..original.len() / 2]).unwrap();
    let unsupported = dir.path().join("v1.json");
    std::fs::write(
        &unsupported,
        br#"{"name": "old", "order": [], "requests": []}"#,
    )
    .unwrap();
    for (file, expected) in [(&corrupt, "malformed JSON at "), (&unsupported, "v1")] {
        let args = [
            "--workspace",
            ws.to_str().unwrap(),
            "--json",
            "import",
            "postman",
        ];
        let mut args = args.to_vec();
        args.push(file.to_str().unwrap());
        let run = apx_in(dir.path(), &args);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        let doc = run.json();
        assert_eq!(doc["error"]["kind"], "usage");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
        assert!(
            message.contains(file.file_name().unwrap().to_str().unwrap()),
            "{message}"
        );
        assert!(
            !ws.exists() || support::files_under(&ws).is_empty(),
            "something was written"
        );
    }
    let run = apx_in(dir.path(), &["import", "postman", "missing.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read missing.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn export_postman_round_trips_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    let fixture = fixture();
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "import",
            "postman",
            fixture.to_str().unwrap(),
            "--into",
            "Lab/ASA",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    let out = dir.path().join("out.json");
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "export",
            "postman",
            "Lab/ASA",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("exported 7 requests"), "{}", run.stdout);
    let text = std::fs::read_to_string(&out).unwrap();
    for secret in FIXTURE_SECRETS {
        assert!(!text.contains(secret));
    }
    let again = import_postman(text.as_bytes()).unwrap();
    assert_eq!(again.name, "ASA");
    let mut expected = import_postman(&std::fs::read(&fixture).unwrap())
        .unwrap()
        .requests;
    let mut got = again.requests;
    let key = |(folder, r): &(String, SavedRequest)| (folder.clone(), r.name.clone());
    expected.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, expected);

    // stdout by default: the collection itself.
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "export",
            "postman",
            "Lab/ASA/Objects",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let collection: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(collection["info"]["name"], "Objects");
    let names: Vec<&str> = collection["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Get network object", "Network objects"]);

    let run = apx_in(
        dir.path(),
        &["--workspace", ws_arg, "export", "postman", "Nowhere"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
}

#[test]
fn exported_curl_runs_against_the_demo_asa() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    std::fs::write(dir.path().join("asa-ca.pem"), &asa.cert_pem).unwrap();
    let run = apx_in(
        dir.path(),
        &[
            &["--workspace", ws_arg][..],
            &device_add_args("lab-asa", Platform::Asa, &asa.url),
            &["--cacert", "asa-ca.pem"],
        ]
        .concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // apx sends brackets as they are; curl would take them for a glob.
    let saved = SavedRequest {
        device: Some("lab-asa".into()),
        auth: Some(AuthMode::Basic),
        method: "POST".into(),
        body: Some(RequestBody::Json(
            json!({"commands": ["show version | include Software Version"]}),
        )),
        ..requests::get("Show version", "/api/cli?trace[0]=1")
    };
    let path = Workspace::new(&ws).save_request("Exports", &saved).unwrap();

    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "--json",
            "export",
            "curl",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let command = run.json()["curl"].as_str().unwrap().to_string();
    assert!(command.contains("--cacert "), "{command}");
    assert!(command.contains("\"$APX_PASSWORD\""), "{command}");
    assert!(!command.contains(" -u "), "{command}");
    assert!(
        command.contains("-H 'User-Agent: REST API Agent'"),
        "{command}"
    );
    assert!(!command.contains(DEMO_PASSWORD), "{command}");
    let text = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws_arg,
            "export",
            "curl",
            path.to_str().unwrap(),
            "--device",
            "lab-asa",
        ],
    );
    assert_eq!(text.stdout.trim_end(), command);

    if !can_run("curl") {
        return;
    }
    let argv = ArgvLog::new(dir.path());
    let output = sh_in(
        dir.path(),
        &format!("{command} -sS -w '\\n%{{http_code}}'"),
        &[("APX_PASSWORD", DEMO_PASSWORD), ("PATH", &argv.path())],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (body, status) = stdout.trim_end().rsplit_once('\n').unwrap_or(("", &stdout));
    assert_eq!(status, "200", "{command}\n{stdout}\n{stderr}");
    let answer: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        answer,
        json!({"response": ["Cisco Adaptive Security Appliance Software Version 9.20(2)\n"]})
    );
    let log = argv.read();
    assert!(log.contains("/curl\n"), "{log}");
    for secret in secret_forms("admin", &[DEMO_PASSWORD]) {
        assert!(!log.contains(&secret), "{secret} on an argv:\n{log}");
    }
}

/// With token auth (every platform preset's default) the export logs in,
/// sends with the token and logs out: the script runs as printed.
#[test]
fn exported_token_logins_run_against_each_platform() {
    if !can_run("curl") {
        return;
    }
    let rt = runtime();
    let cases = [
        (
            Platform::Asa,
            "/api/monitoring/serialnumber",
            "serialNumber",
        ),
        (Platform::Fxos, "/api/sys/firmware", "firmware"),
        (
            Platform::Fmc,
            "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
            "\"count\": 30",
        ),
        (
            Platform::Wsa,
            "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
            "web_services_summary",
        ),
    ];
    for (platform, path, expected) in cases {
        let appliance = appliance(&rt, platform);
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        let ws_arg = ws.to_str().unwrap();
        let add = apx_in(
            dir.path(),
            &[
                "--workspace",
                ws_arg,
                "device",
                "add",
                "box",
                "--platform",
                platform.id(),
                "--url",
                &appliance.url,
                "--user",
                "admin",
                "--pin",
                &appliance.sha256,
            ],
        );
        assert_eq!(add.code, 0, "{}", add.stderr);
        let saved = SavedRequest {
            device: Some("box".into()),
            ..requests::get("Read", path)
        };
        let file = Workspace::new(&ws).save_request("T", &saved).unwrap();
        let export = apx_in(
            dir.path(),
            &[
                "--workspace",
                ws_arg,
                "export",
                "curl",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(export.code, 0, "{}", export.stderr);
        let script = export.stdout;
        assert!(script.contains("\nAPX_TOKEN=$("), "{script}");
        assert!(!script.contains(DEMO_PASSWORD), "{script}");
        assert!(script.contains(" -k --pinnedpubkey sha256//"), "{script}");
        let argv = ArgvLog::new(dir.path());
        let output = sh_in(
            dir.path(),
            &format!("{script}\nprintf '\\ntoken=%s\\n' \"$APX_TOKEN\""),
            &[("APX_PASSWORD", DEMO_PASSWORD), ("PATH", &argv.path())],
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{script}\n{stdout}");
        assert!(stdout.contains(expected), "{platform}: {script}\n{stdout}");
        let token = stdout
            .lines()
            .find_map(|l| l.strip_prefix("token="))
            .unwrap_or_default();
        assert!(token.len() >= 16, "{platform}: no token\n{stdout}");
        let log = argv.read();
        assert!(log.contains("/curl\n"), "{log}");
        for secret in secret_forms("admin", &[DEMO_PASSWORD, token]) {
            assert!(
                !log.contains(&secret),
                "{platform}: {secret} on an argv:\n{log}"
            );
        }
        let stats = &appliance.stats;
        assert_eq!(
            stats.logins.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "{platform}"
        );
        let logouts = stats.logouts.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(logouts, u32::from(platform != Platform::Wsa), "{platform}");
    }
}

/// Writes a saved request file as a person (or a `git clone`) could: no
/// check, no masking.
fn write_request(ws: &Path, name: &str, saved: &SavedRequest) -> PathBuf {
    let mut document = serde_json::to_value(saved).unwrap();
    document["format"] = json!(2);
    let dir = ws.join("Hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&document).unwrap()).unwrap();
    path
}

/// `apx device add NAME --platform P --url URL --user USER EXTRA...` in `dir`.
fn add_device(dir: &Path, ws: &Path, name: &str, platform: Platform, url: &str, extra: &[&str]) {
    let mut args = vec![
        "--workspace",
        ws.to_str().unwrap(),
        "device",
        "add",
        name,
        "--platform",
        platform.id(),
        "--url",
        url,
    ];
    args.extend_from_slice(extra);
    let run = apx_in(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `apx export curl FILE` in `dir`.
fn export_curl(dir: &Path, ws: &Path, file: &Path) -> support::Run {
    apx_in(
        dir,
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "export",
            "curl",
            file.to_str().unwrap(),
        ],
    )
}

/// The forms a password or token could take on an argv: as is, and
/// base64-encoded (alone, and as Basic credentials).
fn secret_forms(user: &str, secrets: &[&str]) -> Vec<String> {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut forms = Vec::new();
    for secret in secrets {
        forms.push(secret.to_string());
        forms.push(b64(secret));
        forms.push(b64(&format!("{user}:{secret}")));
    }
    forms
}

fn request_at(url: &str, device: &str, auth: Option<AuthMode>) -> SavedRequest {
    SavedRequest {
        device: Some(device.into()),
        auth,
        ..requests::get("Read", url)
    }
}

/// Hostile header names, values, URL, user and body in a saved request: a
/// name that is not an HTTP token is refused (exit 2); everything else is
/// exported so that running the script executes nothing of it.
#[test]
fn hostile_saved_requests_export_nothing_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // Nothing listens there: the script's curl fails at once.
    let closed = support::RefusedPort::new();
    let url = closed.url();
    add_device(
        dir.path(),
        &ws,
        "box",
        Platform::Asa,
        &url,
        &["--user", "a'b\"$(touch pwned-user)`touch pwned-user2`\\"],
    );
    let tchar_but_hostile = "X`touch$IFS'pwned-name'`-Token";
    let mut saved = request_at(
        "/api/x'$(touch${IFS}pwned-url)'`touch${IFS}pwned-url2`?q=';touch${IFS}pwned-q;'",
        "box",
        Some(AuthMode::Basic),
    );
    saved.method = "POST".into();
    saved.headers = vec![
        apx::core::request::Header::new(tchar_but_hostile, "s3cret"),
        apx::core::request::Header::new(
            "X-Plain",
            "$(touch pwned-value) `touch pwned-tick` '; touch pwned-quote; '\"\\",
        ),
        apx::core::request::Header::new("X-Api-Key", "$(touch pwned-secret)"),
        apx::core::request::Header::new("Content-Type", "text/plain"),
    ];
    saved.body = Some(RequestBody::Text(
        "'$(touch pwned-body)'\"`touch pwned-body2`\"".into(),
    ));
    for auth in [AuthMode::Basic, AuthMode::Token, AuthMode::None] {
        saved.auth = Some(auth);
        let file = write_request(&ws, &format!("hostile-{}", auth.id()), &saved);
        let export = export_curl(dir.path(), &ws, &file);
        assert_eq!(export.code, 0, "{}", export.stderr);
        let script = export.stdout;
        assert!(!script.contains("s3cret"), "{script}");
        let run = sh_in(dir.path(), &script, &[("APX_PASSWORD", "pw")]);
        let made: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("pwned") || name.starts_with("PWNED"))
            .collect();
        assert!(
            made.is_empty(),
            "the script ran {made:?}:\n{script}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    saved.body = None;
    for name in [
        "X-$(touch pwned-dollar)-Token",
        "X \"quoted\"",
        "X Token",
        "X-Token\nEvil",
        "X-Token:",
        "",
        "X-Tök",
    ] {
        saved.auth = Some(AuthMode::Basic);
        saved.headers = vec![apx::core::request::Header::new(name, "v")];
        let file = write_request(&ws, "refused", &saved);
        let export = export_curl(dir.path(), &ws, &file);
        assert_eq!(
            export.code, 2,
            "{name:?}: {}{}",
            export.stdout, export.stderr
        );
        assert!(export.stdout.is_empty(), "{name:?}: {}", export.stdout);
        assert!(
            export.stderr.contains("header name"),
            "{name:?}: {}",
            export.stderr
        );
    }
}

/// A pinned device: the export pins the leaf's public key for curl
/// (`-k --pinnedpubkey`), so the script reaches its appliance and no other;
/// when the key cannot be learned, curl verifies as usual (no `-k`).
#[test]
fn exported_pins_hold_curl_to_the_pinned_key() {
    if !can_run("curl") {
        return;
    }
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let other = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let pin = ["--user", "admin", "--pin", &asa.sha256];
    add_device(dir.path(), &ws, "asa", Platform::Asa, &asa.url, &pin);
    add_device(dir.path(), &ws, "impostor", Platform::Asa, &other.url, &pin);
    let closed = support::RefusedPort::new();
    let gone = closed.url();
    add_device(dir.path(), &ws, "gone", Platform::Asa, &gone, &pin);
    let env = [("APX_PASSWORD", DEMO_PASSWORD)];
    let read = |device: &str| {
        let saved = request_at(
            "/api/monitoring/serialnumber",
            device,
            Some(AuthMode::Basic),
        );
        let export = export_curl(dir.path(), &ws, &write_request(&ws, device, &saved));
        assert_eq!(export.code, 0, "{}", export.stderr);
        export.stdout.trim_end().to_string()
    };

    let script = read("asa");
    assert!(script.contains(" -k --pinnedpubkey sha256//"), "{script}");
    let run = sh_in(dir.path(), &format!("{script} -sS"), &env);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("serialNumber"), "{script}\n{stdout}");
    // The same script aimed at another appliance: curl refuses its key.
    let moved = script.replace(&asa.url, &other.url);
    assert_ne!(moved, script);
    let run = sh_in(dir.path(), &format!("{moved} -sS"), &env);
    assert_eq!(
        run.status.code(),
        Some(90),
        "{moved}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        other
            .stats
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    // The leaf at the device's address is not the pinned one, or nothing
    // answers: no -k; curl verifies and refuses the self-signed certificate.
    for device in ["impostor", "gone"] {
        let script = read(device);
        assert!(!script.contains("-k"), "{script}");
        assert!(!script.contains("--pinnedpubkey"), "{script}");
        assert!(script.contains("apx probe"), "{script}");
        assert!(script.lines().next().unwrap().starts_with('#'), "{script}");
        let run = sh_in(dir.path(), &format!("{script} -sS"), &env);
        assert!(!run.status.success(), "{device}: {script}");
    }
    assert_eq!(
        other
            .stats
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}
