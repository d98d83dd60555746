//! `apx diff A B [--ignore PATH]...` through the real binary: keyed
//! matching, ignored paths, `send --json` documents, exit codes, hostile
//! files.

mod support;

use std::path::Path;
use std::time::Duration;

use apx::core::platform::Platform;
use serde_json::json;
use support::{appliance, apx_in, apx_on_terminal, can_run, runtime, send_json};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn reordered_keyed_arrays_are_equal_and_changes_are_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.json",
        r#"{"items":[{"objectId":"web-server","host":"10.1.1.10"},{"objectId":"db","host":"10.1.1.20"}],"total":2}"#,
    );
    let same = write(
        dir.path(),
        "same.json",
        r#"{"total":2,"items":[{"host":"10.1.1.20","objectId":"db"},{"objectId":"web-server","host":"10.1.1.10"}]}"#,
    );
    let b = write(
        dir.path(),
        "b.json",
        r#"{"items":[{"objectId":"new/net","host":"10.9.9.9"},{"objectId":"web-server","host":"10.1.1.11"}],"total":2}"#,
    );
    let equal = apx_in(dir.path(), &["diff", &a, &same]);
    assert_eq!(equal.code, 0, "{}{}", equal.stdout, equal.stderr);
    assert_eq!(equal.stdout, "");

    let text = apx_in(dir.path(), &["diff", &a, &b]);
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert_eq!(
        text.stdout,
        concat!(
            "~ /items/web-server/host: \"10.1.1.10\" -> \"10.1.1.11\"\n",
            "- /items/db {\"objectId\":\"db\",\"host\":\"10.1.1.20\"}\n",
            "+ /items/new~1net {\"objectId\":\"new/net\",\"host\":\"10.9.9.9\"}\n",
        )
    );

    let doc = apx_in(dir.path(), &["--json", "diff", &a, &b]);
    assert_eq!(doc.code, 1);
    let doc = doc.json();
    assert_eq!(doc["equal"], false);
    assert_eq!(
        doc["changes"][0],
        json!({"op": "change", "path": "/items/web-server/host", "old": "10.1.1.10", "new": "10.1.1.11"})
    );
    assert_eq!(doc["changes"][1]["op"], "remove");
    assert_eq!(doc["changes"][2]["op"], "add");
    assert_eq!(doc["changes"][2]["old"], json!(null));
    let equal = apx_in(dir.path(), &["--json", "diff", &a, &same]);
    assert_eq!(equal.json(), json!({"equal": true, "changes": []}));
}

#[test]
fn before_and_after_a_change_on_the_demo_asa_ignoring_links() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let before = send_json(&asa, "token", "/api/objects/networkobjects", &[]);
    assert_eq!(before.code, 0, "{}", before.stderr);
    let body = r#"{"kind":"object#NetworkObj","name":"diff-test","host":{"kind":"IPv4Address","value":"10.7.7.7"}}"#;
    let created = send_json(&asa, "token", "/api/objects/networkobjects", &["-d", body]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let after = send_json(&asa, "token", "/api/objects/networkobjects", &[]);
    let a = write(dir.path(), "before.json", &before.stdout);
    let b = write(dir.path(), "after.json", &after.stdout);

    let run = apx_in(
        dir.path(),
        &[
            "--json",
            "diff",
            &a,
            &b,
            "--ignore",
            "/**/selfLink",
            "--ignore",
            "/rangeInfo",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{doc}");
    assert_eq!(changes[0]["op"], "add");
    assert_eq!(changes[0]["path"], "/items/diff-test");
    assert_eq!(changes[0]["new"]["host"]["value"], "10.7.7.7");
    assert!(
        changes[0]["new"].get("selfLink").is_some(),
        "values are whole"
    );

    // Without the ignores, the total changes too; elapsed_ms is not compared.
    let all = apx_in(dir.path(), &["--json", "diff", &a, &b]).json();
    let paths: Vec<&str> = all["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/rangeInfo/total", "/items/diff-test"]);
}

#[test]
fn bad_input_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", "{}");
    let not_json = write(dir.path(), "bad.json", "{\"a\":");
    let deep = write(
        dir.path(),
        "deep.json",
        &("[".repeat(100_000) + &"]".repeat(100_000)),
    );
    let missing = dir.path().join("missing.json");
    let cases: Vec<Vec<&str>> = vec![
        vec!["diff", &good, &not_json],
        vec!["diff", &good, &deep],
        vec!["diff", missing.to_str().unwrap(), &good],
        vec!["diff", &good, &good, "--ignore", "links"],
        vec!["diff", &good],
    ];
    for args in cases {
        let run = apx_in(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        let mut json = vec!["--json"];
        json.extend_from_slice(&args);
        let run = apx_in(dir.path(), &json);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(run.json()["error"]["kind"], "usage", "{args:?}");
    }
    #[cfg(unix)]
    {
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&good, &link).unwrap();
        let run = apx_in(dir.path(), &["diff", &good, link.to_str().unwrap()]);
        assert_eq!(run.code, 2, "a link is not followed: {}", run.stderr);
    }
}

#[test]
fn a_large_keyed_array_and_duplicate_keys_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<_> = (0..100_000)
        .map(|i| json!({"uuid": format!("u{i}"), "v": i}))
        .collect();
    let mut reversed = items.clone();
    reversed.reverse();
    let a = write(dir.path(), "a.json", &json!({"items": items}).to_string());
    let b = write(
        dir.path(),
        "b.json",
        &json!({"items": reversed}).to_string(),
    );
    let run = apx_in(dir.path(), &["diff", &a, &b]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Duplicate members: the last one counts, as everywhere in apx.
    let dup = write(dir.path(), "dup.json", r#"{"a":1,"a":2}"#);
    let two = write(dir.path(), "two.json", r#"{"a":2}"#);
    assert_eq!(apx_in(dir.path(), &["diff", &dup, &two]).code, 0);
}

#[test]
fn control_characters_are_escaped_on_a_terminal() {
    if !can_run("script") {
        eprintln!("skipped: no `script` to give apx a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", r#"{"k":"x"}"#);
    let b = write(dir.path(), "b.json", "{\"k\":\"\u{9b}2J\"}");
    let (code, screen) = apx_on_terminal(dir.path(), &["diff", &a, &b], Duration::from_secs(60));
    assert_eq!(code, 1);
    let text = String::from_utf8_lossy(&screen);
    assert!(!text.contains('\u{9b}'), "{text:?}");
    assert!(text.contains("\\u{9b}2J"), "{text:?}");
}
