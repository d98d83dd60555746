//! The jq filter above the response body, driven by typing into it: live
//! results highlighted like a body, and errors shown in place.

mod support;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::demo::{Appliance, DEMO_PASSWORD};
use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::devices::pinned_in;
use support::gui::{app, harness, pick_device, retype, step_until, type_password};
use support::{appliance, runtime};

/// The app over `dir` with a device pinned to `a`, its password typed, and
/// the network objects answered in the active tab.
fn answered(dir: &std::path::Path, a: &Appliance) -> Harness<'static, ApxApp> {
    let device = pinned_in("Lab", "lab-asa", a);
    Workspace::new(dir).add_device(device.clone()).unwrap();
    let mut h = harness(app(dir));
    pick_device(&mut h, &device.name);
    type_password(&mut h, DEMO_PASSWORD);
    retype(&mut h, "URL", "/api/objects/networkobjects?limit=3");
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", |app| {
        let r = &app.tabs.active().response;
        r.running.is_none() && r.rendered.is_some()
    });
    h
}

/// Retypes the filter while a run may still be under way (its spinner
/// keeps the window repainting, so frames are stepped, not run to rest).
fn retype_running(h: &mut Harness<'static, ApxApp>, text: &str) {
    h.get_by_label("jq filter").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label("jq filter").type_text(text);
    h.step();
}

/// Whether the filter's results for the text now typed have arrived.
fn filtered(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    !r.filter_pending && r.filtered.is_some()
}

#[test]
fn typing_a_filter_shows_its_results_highlighted_in_place_of_the_body() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = answered(dir.path(), &asa);
    h.get_by_label_contains("\"rangeInfo\"");

    retype(&mut h, "jq filter", ".items[] | .name");
    step_until(&mut h, "the filter's results", filtered);
    for name in ["web-server", "db-server", "dmz-net"] {
        h.get_by_label(&format!("\"{name}\""));
    }
    h.get_by_label("3 results");
    assert!(h.query_by_label_contains("\"rangeInfo\"").is_none());
    step_until(&mut h, "the highlighted rows", |a| {
        a.tabs.active().response.highlighted
    });

    // Live: each keystroke runs the newer filter; the last one's results show.
    retype(&mut h, "jq filter", "[.items[].objectId] | length");
    step_until(&mut h, "the newer results", |a| {
        filtered(a) && a.tabs.active().response.filtered.as_ref().unwrap().count == 1
    });
    h.get_by_label("3");
    h.get_by_label("1 result");

    // Sent again, the filter stays and applies to the new answer.
    h.get_by_label("Send").click();
    h.step();
    assert!(h.state().tabs.active().response.filtered.is_none());
    step_until(&mut h, "the new answer, filtered", |a| {
        a.tabs.active().response.result.is_some() && filtered(a)
    });
    h.get_by_label("3");
    // Really sent again (over the session kept open since the first send).
    assert_eq!(
        asa.stats.requests.load(std::sync::atomic::Ordering::SeqCst),
        2
    );

    // Cleared, the body is back.
    h.get_by_label("jq filter").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run();
    h.get_by_label_contains("\"rangeInfo\"");
}

#[test]
fn compile_and_runtime_errors_are_shown_in_place() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = answered(dir.path(), &asa);

    retype(&mut h, "jq filter", ".items[] | select(.name ==");
    step_until(&mut h, "the compile error", filtered);
    let error = h.get_by_label_contains("Filter error:");
    let text = format!("{error:?}");
    assert!(text.contains("expected"), "{text}");
    h.get_by_label("0 results");

    retype(&mut h, "jq filter", ".items[] | .name, (.name | tonumber)");
    step_until(&mut h, "the runtime error", |a| {
        filtered(a) && a.tabs.active().response.filtered.as_ref().unwrap().count == 1
    });
    h.get_by_label_contains("Filter error:");
    h.get_by_label("\"web-server\"");
    h.get_by_label("1 result");

    // The field is fixed: the error goes away.
    retype(&mut h, "jq filter", ".items[0].name");
    step_until(&mut h, "the fixed filter", |a| {
        filtered(a)
            && a.tabs
                .active()
                .response
                .filtered
                .as_ref()
                .unwrap()
                .error
                .is_none()
    });
    assert!(h.query_by_label_contains("Filter error:").is_none());
    h.get_by_label("\"web-server\"");
}

#[test]
fn a_newer_filter_supersedes_a_slower_older_one() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = answered(dir.path(), &asa);

    retype_running(&mut h, "last(range(30000000))");
    retype_running(&mut h, ".kind");
    // Every run has reported, the slow one last: its results are not shown.
    support::gui::settle(&mut h);
    let r = &h.state().tabs.active().response;
    assert!(!r.filter_pending);
    assert_eq!(r.filtered.as_ref().unwrap().count, 1);
    h.get_by_label("\"collection#NetworkObj\"");
    assert!(h.query_by_label("29999999").is_none());
}

#[test]
fn a_filter_that_recurses_without_end_is_an_error_in_place_not_a_crash() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = answered(dir.path(), &asa);

    retype(&mut h, "jq filter", "def f: 1 + f; f");
    step_until(&mut h, "the overflow's error", filtered);
    let error = format!("{:?}", h.get_by_label_contains("Filter error:"));
    assert!(error.contains("overflowed its stack"), "{error}");
    h.get_by_label("0 results");

    // The app lives on: the next filter works.
    retype(&mut h, "jq filter", ".items[0].name");
    step_until(&mut h, "the good filter's results", |a| {
        filtered(a) && a.tabs.active().response.filtered.as_ref().unwrap().count == 1
    });
    assert!(h.query_by_label_contains("Filter error:").is_none());
    h.get_by_label("\"web-server\"");

    // A filter that loops without output is stopped when the next one is
    // typed: nothing is left running.
    retype_running(&mut h, "def f: f; f");
    retype_running(&mut h, ".kind");
    support::gui::settle(&mut h);
    assert_eq!(
        h.state()
            .tabs
            .active()
            .response
            .filtered
            .as_ref()
            .unwrap()
            .count,
        1
    );
    h.get_by_label("\"collection#NetworkObj\"");
}
