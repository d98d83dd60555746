//! Folder runs and the history in the desktop app, headless
//! (egui_kittest): driven by labels and clicks against in-process HTTPS
//! appliances.

mod support;

use apx::core::error::FailureKind;
use apx::core::history::{self, HistoryEntry};
use apx::core::platform::Platform;
use apx::core::request::Header;
use apx::core::tls::Trust;
use apx::core::workspace::saved::{RequestBody, SavedRequest};
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::devices::pinned_in;
use support::gui::{
    harness, mock_keyring, pick_device, settle, slow_device, step_until, type_password,
};
use support::requests;
use support::{appliance, runtime};

fn request(name: &str, device: &str, method: &str, url: &str) -> SavedRequest {
    SavedRequest {
        device: Some(device.into()),
        method: method.into(),
        ..requests::get(name, url)
    }
}

/// An app over a temporary workspace holding `devices` and `requests`
/// saved in the folder `Checks`.
fn app_with(dir: &std::path::Path, devices: &[Device], requests: &[SavedRequest]) -> ApxApp {
    mock_keyring();
    let ws = Workspace::new(dir);
    for d in devices {
        ws.add_device(d.clone()).unwrap();
    }
    for r in requests {
        ws.save_request("Checks", r).unwrap();
    }
    ApxApp::new(dir.to_path_buf(), Settings::default(), false).unwrap()
}

/// A harness over that app, the demo password typed on the Auth tab for
/// each device (picked in the tree in turn), as a person would.
fn ready(
    dir: &std::path::Path,
    devices: &[Device],
    requests: &[SavedRequest],
) -> Harness<'static, ApxApp> {
    let mut h = harness(app_with(dir, devices, requests));
    for d in devices {
        pick_device(&mut h, &d.name);
        type_password(&mut h, DEMO_PASSWORD);
    }
    h
}

fn run_done(app: &ApxApp) -> bool {
    app.dialogs.runs.as_ref().is_some_and(|r| r.done())
}

fn tab_finished(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    r.running.is_none() && r.result.is_some() && r.rendered.is_some()
}

/// Opens the saved request `name` from the Checks collection.
fn open_saved(h: &mut Harness<'static, ApxApp>, label: &str) {
    if h.query_by_label(label).is_none() {
        h.get_by_label("Checks").click();
        h.run();
    }
    h.get_by_label(label).click();
    h.run();
}

/// The demo ASA before its certificate is trusted: every row of the run is
/// a TLS failure; a row opens its response in a tab with the certificate
/// and the trust action; once trusted, "Re-run failed" sends them again.
#[test]
fn a_run_with_tls_failures_opens_a_row_trusts_and_reruns_the_failed() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = Device {
        trust: Trust::Verify,
        ..pinned_in("Lab", "lab-asa", &asa)
    };
    let requests = [
        request(
            "Serial number",
            "lab-asa",
            "GET",
            "/api/monitoring/serialnumber",
        ),
        request(
            "Version",
            "lab-asa",
            "GET",
            "/api/monitoring/device/components/version",
        ),
        request("Write memory", "lab-asa", "POST", "/api/commands/writemem"),
    ];
    let mut h = ready(dir.path(), &[d], &requests);
    h.get_by_label("Checks").click_secondary();
    h.run();
    h.get_by_label("Run folder").click();
    h.run();
    step_until(&mut h, "the run", run_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    assert_eq!(run.rows.len(), 3);
    for row in &run.rows {
        let error = row.result.as_ref().unwrap().error.clone().unwrap();
        assert_eq!(error.kind, FailureKind::Tls, "{}", error.message);
    }
    h.get_by_label_contains("3 of 3 done");
    h.get_by_label_contains("0 passed, 3 failed, 0 not sent");
    assert!(h.query_all_by_label("TLS failure").count() >= 3);
    assert!(
        !h.get_by_label("Re-run failed")
            .accesskit_node()
            .is_disabled(),
        "Re-run failed is offered"
    );

    // A row opens its full response: the certificate and the trust action.
    h.get_by_label("Serial number").click();
    h.run();
    assert_eq!(h.state().tabs.list.len(), 2);
    let tab = h.state().tabs.active();
    assert_eq!(tab.draft.name, "Serial number");
    assert_eq!(tab.device.as_deref(), Some("lab-asa"));
    assert_eq!(
        tab.response.tab,
        apx::ui::tabs::ResponseTab::Certificate,
        "a TLS failure opens on its certificate"
    );
    h.get_by_label_contains(&asa.sha256);
    h.get_by_label("Trust this certificate for this device")
        .click();
    h.run_steps(2);
    step_until(&mut h, "the request sent again once trusted", |a| {
        tab_finished(a) && a.tabs.active().response.result.as_ref().unwrap().status == Some(200)
    });
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(file.contains(&asa.sha256), "the pin is saved: {file}");

    // Only the failed rows go again, and now pass.
    h.get_by_label("Re-run failed").click();
    h.run();
    step_until(&mut h, "the re-run", run_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    for row in &run.rows {
        let result = row.result.as_ref().unwrap();
        assert_eq!(result.status, Some(200), "{:?}", result.error);
    }
    h.get_by_label_contains("3 of 3 done");
    h.get_by_label_contains("3 passed, 0 failed, 0 not sent");
    assert!(
        h.get_by_label("Re-run failed")
            .accesskit_node()
            .is_disabled()
    );
}

/// A history entry reopens exactly what it sent (method, URL, its own
/// headers without the credential one, body, device), not the previous
/// draft's body and headers, and shows the response it recorded.
#[test]
fn a_history_entry_reopens_its_own_request_and_response() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut lab = pinned_in("Lab", "lab-asa", &asa);
    // Saved, the key header refers to the device's variable.
    lab.variables
        .insert("x_api_key".into(), "s3cr3t-key".into());
    let devices = [lab, pinned_in("Lab", "asa-2", &asa)];
    let mut cli = request("Show version", "lab-asa", "POST", "/api/cli");
    cli.headers = vec![
        Header::new("X-Trace", "cli-1"),
        Header::new("X-Api-Key", "s3cr3t-key"),
    ];
    cli.body = Some(RequestBody::Json(
        serde_json::json!({"commands": ["show version"]}),
    ));
    let mut backup = request("Backup", "asa-2", "POST", "/api/backup");
    backup.headers = vec![Header::new("X-Trace", "backup-2")];
    backup.body = Some(RequestBody::Json(
        serde_json::json!({"location": "disk0:/backup.cfg"}),
    ));
    let mut h = ready(dir.path(), &devices, &[cli, backup]);

    open_saved(&mut h, "POST Show version");
    h.get_by_label("Send").click();
    step_until(&mut h, "the CLI answer", tab_finished);
    let sent = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(sent.status, Some(200), "{:?}", sent.error);
    settle(&mut h);

    // Another draft, with its own body, headers and device.
    open_saved(&mut h, "POST Backup");
    assert_eq!(h.state().tabs.active().device.as_deref(), Some("asa-2"));
    assert!(h.state().tabs.active().draft.body.contains("backup.cfg"));

    h.get_by_label("History").click();
    h.run();
    settle(&mut h);
    // Listed by path; the host is on hover.
    let entry = "POST /api/cli".to_string();
    h.get_by_label(&entry).click();
    h.run();
    settle(&mut h);

    let tab = h.state().tabs.active();
    assert_eq!(tab.draft.method, "POST");
    assert_eq!(tab.draft.url, format!("{}/api/cli", asa.url));
    assert_eq!(
        tab.draft.headers,
        vec![Header::new("X-Trace", "cli-1")],
        "its own headers, not the credential one nor the previous draft's"
    );
    let body: serde_json::Value = serde_json::from_str(&tab.draft.body).unwrap();
    assert_eq!(body, serde_json::json!({"commands": ["show version"]}));
    assert_eq!(tab.device.as_deref(), Some("lab-asa"));
    let shown = tab.response.result.as_ref().unwrap();
    assert_eq!(shown.status, Some(200));
    assert_eq!(shown.body.bytes(), sent.body.bytes());
    assert!(!shown.headers.is_empty(), "the recorded response headers");
    h.get_by_label("200 OK");

    let recorded = std::fs::read_to_string(history::path(dir.path())).unwrap();
    assert!(!recorded.contains("s3cr3t-key"), "{recorded}");

    // The search narrows the list by status, method, URL or device.
    h.get_by_label("Search").focus();
    h.run();
    h.get_by_label("Search").type_text("404");
    h.run();
    h.get_by_label("No history entry matches the search.");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Search").type_text("lab-asa");
    h.run();
    h.get_by_label(&entry);
}

/// A 2,000-character URL in the history does not widen the side panel:
/// it is elided, the builder keeps its place.
#[test]
fn a_long_url_in_the_history_keeps_the_side_panel_width() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("https://10.0.0.1/api/{}", "x".repeat(2000));
    history::append(
        dir.path(),
        &HistoryEntry {
            timestamp: 1_700_000_000,
            method: "GET".into(),
            url: long.clone(),
            status: Some(200),
            ..HistoryEntry::default()
        },
    )
    .unwrap();
    let mut h = ready(dir.path(), &[], &[]);
    h.run();
    let send_before = h.get_by_label("Send").rect();
    h.get_by_label("History").click();
    h.run();
    settle(&mut h);
    let entry = h.get_by_label_contains("xxxxxxxxxx").rect();
    let send_after = h.get_by_label("Send").rect();
    assert_eq!(send_before, send_after, "the builder did not move");
    assert!(
        entry.right() < send_after.left(),
        "the entry stays in the panel: {entry:?}"
    );
}

/// A run shows its progress and stops; run again against a device chosen
/// in the window, every request goes there.
#[test]
fn a_run_stops_and_runs_again_against_a_chosen_device() {
    let rt = runtime();
    let (_server, slow) = slow_device(&rt);
    let asa = appliance(&rt, Platform::Asa);
    let lab = pinned_in("Lab", "lab-asa", &asa);
    let requests = [
        request(
            "Serial number",
            "slow",
            "GET",
            "/api/monitoring/serialnumber",
        ),
        request(
            "Version",
            "slow",
            "GET",
            "/api/monitoring/device/components/version",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[slow, lab], &requests);
    h.get_by_label("Checks").click_secondary();
    h.run();
    h.get_by_label("Run folder").click();
    // A window is laid out unseen on its first frame.
    h.run_steps(4);
    h.get_by_label_contains("0 of 2 done");
    h.get_by_label("Stop").click();
    step_until(&mut h, "the stop", run_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    let first = run.rows[0].result.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(first.kind, FailureKind::Cancelled);
    assert!(run.rows[1].result.is_none());
    h.get_by_label_contains("2 of 2 done");
    h.get_by_label_contains("0 passed, 1 failed, 1 not sent");

    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Run on")
        .click();
    h.run();
    // The list's entry, drawn over the device tree's.
    h.query_all_by_label("lab-asa").last().unwrap().click();
    h.run();
    h.get_by_label("Run again").click();
    h.run();
    step_until(&mut h, "the run on the chosen device", run_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    for row in &run.rows {
        assert_eq!(row.device.as_deref(), Some("lab-asa"));
        let result = row.result.as_ref().unwrap();
        assert_eq!(result.status, Some(200), "{:?}", result.error);
    }
    h.get_by_label_contains("2 passed, 0 failed, 0 not sent");
}
