//! The diff window in the desktop app, headless (egui_kittest), against
//! demo ASAs: two rows of a fan-out ticked and compared (one device has an
//! object more), and two history entries of the same request before and
//! after a change; the ignore list, edited live, drops changes.

mod support;

use apx::core::diff::Op;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use serde_json::json;
use support::devices::pinned_in;
use support::gui::{
    app, choose_method, harness, pick_device, retype, settle, step_until, type_body, type_password,
};
use support::{appliance, runtime};

const OBJECTS: &str = "/api/objects/networkobjects";

/// A harness over a workspace holding `devices`, the demo password typed
/// for each.
fn ready(ws: &std::path::Path, devices: &[Device]) -> Harness<'static, ApxApp> {
    Workspace::new(ws).save_devices(devices).unwrap();
    let mut h = harness(app(ws));
    for d in devices {
        pick_device(&mut h, &d.name);
        type_password(&mut h, DEMO_PASSWORD);
    }
    h
}

/// Sends the active tab's `method` to `url` (with `body`, if any) and
/// waits for the answer; its status.
fn send(h: &mut Harness<'static, ApxApp>, method: &str, url: &str, body: &str) -> Option<u16> {
    choose_method(h, method);
    retype(h, "URL", url);
    type_body(h, body);
    h.get_by_label("Send").click();
    h.run_steps(2);
    step_until(h, "the answer", |a| {
        let r = &a.tabs.active().response;
        r.running.is_none() && r.result.is_some()
    });
    settle(h);
    h.state().tabs.active().response.result.as_ref()?.status
}

/// The diff window's changes: kind, pointer, old and new values.
fn changes(
    h: &Harness<'static, ApxApp>,
) -> Vec<(Op, String, serde_json::Value, serde_json::Value)> {
    let view = h.state().dialogs.diff.as_ref().expect("the diff window");
    view.changes()
        .expect("the comparison's result")
        .iter()
        .map(|c| (c.op, c.path.clone(), c.old.clone(), c.new.clone()))
        .collect()
}

/// Types `lines` into the diff window's ignore list, one a line.
fn ignore(h: &mut Harness<'static, ApxApp>, lines: &[&str]) {
    retype(h, "Ignore paths", lines[0]);
    for line in &lines[1..] {
        h.key_press(egui::Key::Enter);
        h.get_by_label("Ignore paths").type_text(line);
        h.run();
    }
    settle(h);
}

#[test]
fn two_fan_out_rows_are_compared_with_links_ignored_until_the_list_is_cleared() {
    let rt = runtime();
    let (a, b) = (
        appliance(&rt, apx::core::platform::Platform::Asa),
        appliance(&rt, apx::core::platform::Platform::Asa),
    );
    let dir = tempfile::tempdir().unwrap();
    let devices = [pinned_in("Pair", "fw-a", &a), pinned_in("Pair", "fw-b", &b)];
    let mut h = ready(dir.path(), &devices);
    pick_device(&mut h, "fw-a");
    let object = r#"{"name": "lab-host", "host": {"kind": "IPv4Address", "value": "10.9.9.9"}}"#;
    assert_eq!(send(&mut h, "POST", OBJECTS, object), Some(201));

    // The list from both devices: fw-a has one object more.
    choose_method(&mut h, "GET");
    retype(&mut h, "Request body", "");
    h.get_by_label("Pair").click_secondary();
    h.run();
    h.get_by_label("Send current request to this folder's devices")
        .click();
    h.run_steps(4);
    step_until(&mut h, "the fan-out", |a| {
        a.dialogs.runs.as_ref().is_some_and(|r| r.done())
    });
    let compare = |h: &Harness<'static, ApxApp>| {
        !h.get_by_label("Compare ticked rows")
            .accesskit_node()
            .is_disabled()
    };
    assert!(!compare(&h), "nothing ticked yet");
    h.get_by_label_contains("Compare fw-a").click();
    h.run();
    assert!(!compare(&h), "one row ticked");
    h.get_by_label_contains("Compare fw-b").click();
    h.run();
    assert!(compare(&h));
    h.get_by_label("Compare ticked rows").click();
    h.run();
    settle(&mut h);

    // The table fits the window: it does not widen it frame after frame.
    let title = h.get_by_label("Compare responses").rect();
    h.run_steps(10);
    assert_eq!(h.get_by_label("Compare responses").rect(), title);
    h.get_by_label_contains("Left: fw-a");
    h.get_by_label_contains("Right: fw-b");
    // Each selfLink names its own device's port: ignored by default.
    let removed = changes(&h)
        .into_iter()
        .find(|c| c.1 == "/items/lab-host")
        .expect("the object only fw-a has");
    assert_eq!(removed.0, Op::Remove);
    assert_eq!(removed.2["host"]["value"], "10.9.9.9");
    assert_eq!(
        changes(&h)
            .into_iter()
            .map(|c| (c.0, c.1, c.2, c.3))
            .collect::<Vec<_>>(),
        [
            (Op::Change, "/rangeInfo/total".into(), json!(7), json!(6)),
            (
                Op::Remove,
                "/items/lab-host".into(),
                removed.2.clone(),
                json!(null)
            ),
        ]
    );
    h.get_by_label("2 differences: 0 added, 1 removed, 1 changed");
    h.get_by_label("/rangeInfo/total");
    h.get_by_label("/items/lab-host");
    h.get_by_label("changed");
    h.get_by_label("removed");
    h.get_by_label("7");
    h.get_by_label("6");
    h.get_by_label_contains(r#""host":{"kind":"IPv4Address","value":"10.9.9.9"}"#);

    // Nothing ignored: every selfLink differs too.
    retype(&mut h, "Ignore paths", "");
    settle(&mut h);
    let all = changes(&h);
    assert!(all.iter().any(|c| c.1 == "/selfLink"), "{all:?}");
    assert!(
        all.iter().any(|c| c.1 == "/items/web-server/selfLink"),
        "{all:?}"
    );
    h.get_by_label("/items/web-server/selfLink");
    assert_eq!(all.len(), 2 + 1 + 6, "two, the list's link, six objects'");

    // The changes copied as `apx diff --json` prints them.
    ignore(&mut h, &["/**/selfLink", "/rangeInfo"]);
    assert_eq!(changes(&h).len(), 1);
    h.get_by_label("1 difference: 0 added, 1 removed, 0 changed");
    h.get_by_label("Copy as JSON").click();
    h.run();
    assert_eq!(
        h.state().notice.as_deref(),
        Some("Copied 1 difference as JSON")
    );

    // A pattern that is not a path says so.
    retype(&mut h, "Ignore paths", "selfLink");
    settle(&mut h);
    h.get_by_label_contains("Ignore paths: \"selfLink\" is not a path");
}

#[test]
fn two_history_entries_of_a_request_before_and_after_a_change_are_compared() {
    let rt = runtime();
    let asa = appliance(&rt, apx::core::platform::Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[pinned_in("Lab", "fw-lab", &asa)]);
    pick_device(&mut h, "fw-lab");
    assert_eq!(send(&mut h, "GET", OBJECTS, ""), Some(200));
    let gone = format!("{OBJECTS}/db-server");
    assert_eq!(send(&mut h, "DELETE", &gone, ""), Some(204));
    assert_eq!(send(&mut h, "GET", OBJECTS, ""), Some(200));

    h.get_by_label("History").click();
    h.run();
    settle(&mut h);
    // Newest first: the older GET is the second one listed.
    let listed = format!("GET {OBJECTS}");
    assert_eq!(h.query_all_by_label(&listed).count(), 2);
    h.query_all_by_label(&listed)
        .nth(1)
        .unwrap()
        .click_secondary();
    h.run();
    h.get_by_label("Compare with").click();
    h.run();
    // Only the other GET of the list is offered, not the DELETE.
    assert_eq!(h.query_all_by_label_contains("Older:").count(), 0);
    h.get_by_label_contains("Newer:").click();
    h.run();
    settle(&mut h);

    h.get_by_label_contains("Left: fw-lab at ");
    h.get_by_label_contains("Right: fw-lab at ");
    let found = changes(&h);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str(), &found[0].2, &found[0].3),
        (Op::Change, "/rangeInfo/total", &json!(6), &json!(5)),
        "the older on the left"
    );
    assert_eq!(
        (found[1].0, found[1].1.as_str()),
        (Op::Remove, "/items/db-server")
    );
    h.get_by_label("/items/db-server");
    h.get_by_label("/rangeInfo/total");

    // One more path ignored, live: its change is gone.
    ignore(&mut h, &["/**/selfLink", "/rangeInfo"]);
    assert_eq!(
        changes(&h).into_iter().map(|c| c.1).collect::<Vec<_>>(),
        ["/items/db-server"]
    );
    assert!(h.query_by_label("/rangeInfo/total").is_none());
    h.get_by_label("1 difference: 0 added, 1 removed, 0 changed");
}
