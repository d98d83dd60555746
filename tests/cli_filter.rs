//! `--filter EXPR` (send, run) through the real binary against the demo ASA.

mod support;

use apx::core::platform::Platform;
use serde_json::json;
use support::{add_device, appliance, apx_in, runtime, save_request, send_args, send_json};

const OBJECTS: &str = "/api/objects/networkobjects";

#[test]
fn send_prints_each_result_as_json_one_a_line() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let url = format!("{}{OBJECTS}?limit=3", asa.url);
    let dir = tempfile::tempdir().unwrap();
    let run = apx_in(
        dir.path(),
        &send_args(
            &asa,
            &[
                "--auth",
                "token",
                "--filter",
                ".items[] | {name, host: .host.value}",
            ],
            &url,
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        concat!(
            "{\"name\":\"web-server\",\"host\":\"10.1.1.10\"}\n",
            "{\"name\":\"db-server\",\"host\":\"10.1.1.20\"}\n",
            "{\"name\":\"dmz-net\",\"host\":\"192.168.50.0/24\"}\n",
        )
    );
    assert!(run.stderr.contains("HTTP 200"), "{}", run.stderr);
}

#[test]
fn send_json_keeps_the_body_and_adds_filtered() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(
        &asa,
        "token",
        &format!("{OBJECTS}?limit=2"),
        &["--filter", ".items[].objectId, .rangeInfo.total"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["body"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(doc["filtered"], json!(["web-server", "db-server", 6]));
    assert!(doc.get("filter_error").is_none(), "{doc}");
}

#[test]
fn a_filter_that_does_not_compile_is_exit_2_and_nothing_is_sent() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(
        &asa,
        "token",
        OBJECTS,
        &["--filter", ".items[] | select(.name =="],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "usage");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("does not compile"), "{message}");
    assert!(message.contains("expected"), "{message}");

    let url = format!("{}{OBJECTS}", asa.url);
    let dir = tempfile::tempdir().unwrap();
    let run = apx_in(
        dir.path(),
        &[
            "send",
            "--platform",
            "asa",
            "--pin",
            &asa.sha256,
            "--filter",
            ".a | nosuch(1)",
            &url,
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("at character 6: undefined filter nosuch"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // `-o` writes the body as it is: no filter on top of it.
    let run = apx_in(
        dir.path(),
        &["send", "--filter", ".", "-o", "body.json", &url],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(asa.connections(), 0, "nothing was sent");
}

#[test]
fn a_filter_that_fails_on_the_body_sets_filter_error_and_exit_1() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let run = send_json(
        &asa,
        "token",
        &format!("{OBJECTS}?limit=2"),
        &["--filter", ".items[] | .name, (.name | tonumber)"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["filtered"], json!(["web-server"]));
    let error = doc["filter_error"].as_str().unwrap();
    assert!(error.contains("web-server"), "{error}");
    assert!(doc["error"].is_null());

    // Endless output stops at the cap, and says so.
    let run = send_json(&asa, "token", OBJECTS, &["--filter", "repeat(.kind)"]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_eq!(
        doc["filtered"].as_array().unwrap().len(),
        apx::core::filter::MAX_RESULTS
    );
    assert!(
        doc["filter_error"]
            .as_str()
            .unwrap()
            .contains("stopped after")
    );
}

#[test]
fn run_filters_each_saved_request() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let global = ["--workspace", ws.to_str().unwrap()];
    add_device(dir.path(), &global, "asa", &asa);
    let saved = save_request(
        &ws,
        "Version",
        None,
        "/api/monitoring/device/components/version",
    );
    let saved = saved.to_str().unwrap();
    let args = |json: bool| {
        let mut args = global.to_vec();
        args.extend_from_slice(&["run", "--device", "asa", "--password-env", "APX_PASSWORD"]);
        if json {
            args.push("--json");
        }
        args.extend_from_slice(&["--filter", ".asaVersion", saved]);
        args
    };
    let doc = apx_in(dir.path(), &args(true));
    assert_eq!(doc.code, 0, "{}{}", doc.stdout, doc.stderr);
    let doc = doc.json();
    assert_eq!(doc[0]["name"], "Version");
    assert_eq!(doc[0]["filtered"], json!(["9.20(2)"]));
    assert_eq!(doc[0]["body"]["deviceType"], "ASAv");

    let text = apx_in(dir.path(), &args(false));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.starts_with("NAME"), "{}", text.stdout);
    assert!(text.stdout.ends_with("\n\"9.20(2)\"\n"), "{}", text.stdout);

    let mut bad = args(true);
    let at = bad.iter().position(|a| *a == ".asaVersion").unwrap();
    bad[at] = ".[";
    let bad = apx_in(dir.path(), &bad);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert_eq!(bad.json()["error"]["kind"], "usage");
}

#[test]
fn a_filter_that_recurses_without_end_is_a_filter_error_not_a_crash() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    for code in ["def f: 1 + f; f", "def f: [f]; f"] {
        let run = send_json(&asa, "token", OBJECTS, &["--filter", code]);
        assert_eq!(run.code, 1, "{code}: {}", run.stderr);
        let doc = run.json();
        assert_eq!(doc["status"], 200);
        let error = doc["filter_error"].as_str().unwrap();
        assert!(error.contains("overflowed its stack"), "{code}: {error}");
    }
    // Human output says it too, and a good filter still works after it.
    let url = format!("{}{OBJECTS}?limit=1", asa.url);
    let dir = tempfile::tempdir().unwrap();
    let filter = |code: &str| {
        apx_in(
            dir.path(),
            &send_args(&asa, &["--auth", "token", "--filter", code], &url),
        )
    };
    let run = filter("def f: 1 + f; f");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("overflowed its stack"),
        "{}",
        run.stderr
    );
    let run = filter(".items[0].name");
    assert_eq!((run.code, run.stdout.as_str()), (0, "\"web-server\"\n"));

    // The deepest nesting within the length cap is parsed in the worker
    // too (on the CLI's main thread it overflowed): a plain usage error.
    let half = apx::core::filter::MAX_EXPR_CHARS / 2 - 1;
    let run = filter(&("(".repeat(half) + &")".repeat(half)));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("does not compile"), "{}", run.stderr);
}
