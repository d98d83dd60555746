//! The desktop app, headless (egui_kittest): widgets found by label, real
//! requests to in-process HTTPS appliances.

mod support;

use std::sync::Arc;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::demo::{Appliance, DEMO_PASSWORD};
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::devices::{device, pinned_in};
use support::gui::{
    choose_method, harness, mock_keyring, pick_device, retype, set_view_setting, settle,
    slow_device, step_until, type_body, type_password,
};
use support::{appliance, runtime};

/// `lab-PLATFORM` in the folder Lab, pinned to appliance `a`'s certificate.
fn lab(a: &Appliance) -> Device {
    pinned_in("Lab", &format!("lab-{}", a.platform.id()), a)
}

/// A device `name` in the folder Lab that no test sends to (no user).
fn unanswered(name: &str, platform: Platform) -> Device {
    Device {
        folder: "Lab".into(),
        username: None,
        ..device(name, platform, "https://10.0.0.1")
    }
}

/// An app over a temporary workspace holding `devices` (none picked yet).
fn app_with(dir: &std::path::Path, devices: &[Device]) -> ApxApp {
    mock_keyring();
    let ws = Workspace::new(dir);
    for d in devices {
        ws.add_device(d.clone()).unwrap();
    }
    ApxApp::new(dir.to_path_buf(), Settings::default(), false).unwrap()
}

/// A harness over `dir` holding `devices`, the first picked in the tree
/// and the demo password typed on its Auth section, as a person would.
fn ready(dir: &std::path::Path, devices: &[Device]) -> Harness<'static, ApxApp> {
    let mut h = harness(app_with(dir, devices));
    if let Some(first) = devices.first() {
        pick_device(&mut h, &first.name);
        type_password(&mut h, DEMO_PASSWORD);
    }
    h
}

fn finished(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    r.running.is_none() && r.result.is_some() && r.rendered.is_some()
}

#[test]
fn add_a_device_with_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[]);
    h.run();
    h.get_by_label("+ Add device").click();
    h.run();
    h.get_by_label("Name").focus();
    h.run();
    h.get_by_label("Name").type_text("asa-dc1");
    h.get_by_label("Folder").focus();
    h.run();
    h.get_by_label("Folder").type_text("Lab/DC1");
    h.get_by_label("Base URL").focus();
    h.run();
    h.get_by_label("Base URL").type_text("10.0.0.1");
    h.run();
    h.get_by_label("Save device").click();
    settle(&mut h);
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(file.contains("\"name\": \"asa-dc1\""), "{file}");
    assert!(file.contains("\"folder\": \"Lab/DC1\""), "{file}");
    assert!(h.state().dialogs.editor.is_none());
    assert_eq!(h.state().tabs.active().device.as_deref(), Some("asa-dc1"));
    assert!(h.query_all_by_label("asa-dc1").count() >= 1);
}

#[test]
fn editor_rejects_a_malformed_url_and_keeps_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[]);
    h.run();
    h.get_by_label("+ Add device").click();
    h.run();
    h.get_by_label("Name").focus();
    h.run();
    h.get_by_label("Name").type_text("bad");
    h.get_by_label("Base URL").focus();
    h.run();
    h.get_by_label("Base URL").type_text("://nope");
    h.run();
    h.get_by_label("Save device").click();
    settle(&mut h);
    assert!(h.state().dialogs.editor.as_ref().unwrap().error.is_some());
    h.get_by_label_contains("malformed URL");
    assert!(!dir.path().join("devices.json").exists());
}

#[test]
fn send_to_an_https_appliance_and_see_the_highlighted_body() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = lab(&asa);
    let mut h = ready(dir.path(), &[d]);
    // Sessions not kept (View menu): the send logs in and out.
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Keep sessions open").click();
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", finished);
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200));
    h.get_by_label_contains("\"serialNumber\"");
    h.get_by_label_contains("200 OK");
    // syntect runs on a worker thread; the rows on screen come back coloured.
    step_until(&mut h, "the highlighted rows", |a| {
        a.tabs.active().response.highlighted
    });
    // The session's timeline: login, request, logout; the token redacted.
    h.get_by_label("Timeline").click();
    h.run();
    h.get_by_label_contains("/api/tokenservices/(redacted)");
    assert_eq!(
        asa.stats.logins.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[test]
fn a_failing_request_shows_the_decoded_error_panel() {
    let rt = runtime();
    let fxos = appliance(&rt, Platform::Fxos);
    let dir = tempfile::tempdir().unwrap();
    let d = lab(&fxos);
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/api/no/such/object");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", finished);
    h.get_by_label("[FXOS 404]");
    assert!(h.query_all_by_label("Object not found").count() >= 1);
    h.get_by_label_contains("check the path against the FXOS REST API reference");
    let before = h.query_all_by_label_contains("\"error-nr\"").count();
    h.get_by_label("Show raw body").click();
    h.run();
    assert!(
        h.query_all_by_label_contains("\"error-nr\"").count() > before,
        "the raw body is shown"
    );
}

#[test]
fn self_signed_chain_is_shown_and_trusting_it_pins_and_retries() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let dir = tempfile::tempdir().unwrap();
    let d = Device {
        trust: Trust::Verify,
        ..lab(&wsa)
    };
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/wsa/api/v2.0/health");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the TLS failure", finished);
    assert_eq!(
        h.state().tabs.active().response.tab,
        apx::ui::tabs::ResponseTab::Certificate
    );
    h.get_by_label("NO: self-signed");
    h.get_by_label_contains(&wsa.sha256);
    assert!(
        h.query_all_by_label_contains("self-signed and not trusted")
            .count()
            >= 1
    );
    h.get_by_label("Trust this certificate for this device")
        .click();
    h.run_steps(2);
    step_until(&mut h, "the retry", |a| {
        finished(a)
            && a.tabs
                .active()
                .response
                .result
                .as_ref()
                .is_some_and(|r| r.status.is_some())
    });
    assert_eq!(
        h.state()
            .tabs
            .active()
            .response
            .result
            .as_ref()
            .unwrap()
            .status,
        Some(200)
    );
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(file.contains(&wsa.sha256), "the pin is saved: {file}");
}

#[test]
fn cancel_stops_a_slow_request() {
    let rt = runtime();
    let (_server, d) = slow_device(&rt);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/slow");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the request to start", |a| {
        a.tabs
            .active()
            .response
            .running
            .as_ref()
            .is_some_and(|r| r.started.elapsed() > Duration::from_millis(300))
    });
    h.get_by_label("Cancel request").click();
    step_until(&mut h, "the cancellation", |a| {
        a.tabs.active().response.running.is_none()
    });
    let result = h.state().tabs.active().response.result.as_ref();
    let kind = result.and_then(|r| r.error.as_ref()).map(|e| e.kind);
    assert_eq!(kind, Some(apx::core::error::FailureKind::Cancelled));
}

#[test]
fn invalid_json_body_disables_send_and_shows_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let d = device("fw", Platform::Asa, "https://127.0.0.1:9");
    let mut h = ready(dir.path(), &[d]);
    choose_method(&mut h, "POST");
    retype(&mut h, "URL", "/api/cli");
    type_body(&mut h, "{\n  \"commands\": [\"show version\",]\n}");
    h.get_by_label_contains("Invalid JSON at 2:");
    let send = h.get_by_label("Send");
    assert!(send.accesskit_node().is_disabled());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run();
    assert!(
        h.state().tabs.active().response.running.is_none(),
        "nothing was sent"
    );
    h.get_by_label("Format");
}

#[test]
fn catalog_fills_method_path_and_body() {
    let dir = tempfile::tempdir().unwrap();
    let d = device("fw", Platform::Asa, "https://127.0.0.1:9");
    let mut h = ready(dir.path(), &[d]);
    h.run();
    h.get_by_label("Catalog").click();
    h.run();
    h.get_by_label("POST /api/cli").click();
    h.run();
    let draft = &h.state().tabs.active().draft;
    assert_eq!(draft.method, "POST");
    assert_eq!(draft.url, "/api/cli");
    assert!(draft.body.contains("show version | include Serial"));
}

#[test]
fn keyboard_send_with_ctrl_enter() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = lab(&asa);
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/api/objects/networkobjects?limit=1");
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the response", finished);
    assert_eq!(
        h.state()
            .tabs
            .active()
            .response
            .result
            .as_ref()
            .unwrap()
            .status,
        Some(200)
    );
    h.get_by_label_contains("\"rangeInfo\"");
}

#[test]
fn delete_asks_for_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device {
        folder: "Lab".into(),
        username: None,
        ..device("old-fw", Platform::Asa, "https://10.0.0.9")
    };
    let mut h = harness(app_with(dir.path(), &[d]));
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "old-fw")
        .click_secondary();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label_contains("will be removed from the workspace");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Delete")
        .click();
    settle(&mut h);
    assert!(h.state().tree.devices.is_empty());
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(!file.contains("old-fw"));
}

#[test]
fn filter_narrows_the_device_tree() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(
        dir.path(),
        &[
            unanswered("edge-asa", Platform::Asa),
            unanswered("proxy-wsa", Platform::Wsa),
        ],
    );
    let mut h = harness(app);
    h.run();
    h.get_by_label("Filter").focus();
    h.run();
    h.get_by_label("Filter").type_text("wsa");
    h.run();
    let in_tree = egui::accesskit::Role::Button;
    assert!(h.query_by_role_and_label(in_tree, "edge-asa").is_none());
    h.get_by_role_and_label(in_tree, "proxy-wsa");
}

#[test]
fn settings_persist_without_secrets() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = lab(&asa);
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Headers").click();
    h.run();
    h.get_by_label("+ Add header").click();
    h.run();
    retype(&mut h, "Header name 1", "Authorization");
    retype(&mut h, "Header value 1", "Bearer hunter2-secret");
    let shown =
        |h: &Harness<'static, ApxApp>, label: &str| h.get_by_label(label).accesskit_node().value();
    assert_eq!(shown(&h, "Header name 1").as_deref(), Some("Authorization"));
    assert_eq!(
        shown(&h, "Header value 1").as_deref(),
        Some("Bearer hunter2-secret")
    );
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", finished);
    let saved = serde_json::to_string(&h.state().settings_to_save()).unwrap();
    assert!(saved.contains("lab-asa"), "{saved}");
    assert!(saved.contains("/api/monitoring/serialnumber"), "{saved}");
    assert!(
        !saved.contains(DEMO_PASSWORD) && !saved.contains("hunter2"),
        "{saved}"
    );
    let restored: Settings = serde_json::from_str(&saved).unwrap();
    let app = ApxApp::new(dir.path().to_path_buf(), restored, false).unwrap();
    let h = harness(app);
    let tab = h.state().tabs.active();
    assert_eq!(tab.device.as_deref(), Some("lab-asa"));
    assert_eq!(tab.draft.url, "/api/monitoring/serialnumber");
    assert!(
        h.state().passwords.is_empty(),
        "passwords are never restored"
    );
}

#[test]
fn copy_as_curl_and_paste_a_curl_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device {
        trust: Trust::Insecure,
        ..device("fw", Platform::Asa, "https://10.0.0.1")
    };
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Basic").click();
    h.run();
    h.get_by_label("Copy as curl").click();
    h.step();
    let command = copied(&h).expect("a command on the clipboard");
    assert!(
        command.contains("https://10.0.0.1/api/monitoring/serialnumber"),
        "{command}"
    );
    assert!(
        command.contains("$APX_PASSWORD") && !command.contains(DEMO_PASSWORD),
        "{command}"
    );
    assert!(command.contains("-k"), "{command}");
    h.run();
    h.get_by_label_contains("curl command copied");

    // A vendor-guide curl command pasted into the URL field.
    h.get_by_label("URL").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("URL").type_text("curl -k -u admin:secret -X POST -H 'Content-Type: application/json' -d '{\"commands\":[\"show version\"]}' https://10.0.0.1/api/cli");
    h.run();
    let state = h.state();
    assert_eq!(state.tabs.active().draft.method, "POST");
    assert_eq!(state.tabs.active().draft.url, "/api/cli");
    assert!(state.tabs.active().draft.body.contains("show version"));
    assert_eq!(
        state.tabs.active().device.as_deref(),
        Some("fw"),
        "the known host's device is selected"
    );
    assert_eq!(
        state.passwords.get("fw").map(|p| p.expose()),
        Some("secret")
    );

    // An exported token script (login, request, logout) pasted whole: the
    // request is what comes in, not the login.
    choose_method(&mut h, "GET");
    retype(&mut h, "URL", "/api/objects/networkobjects?limit=5");
    type_body(&mut h, "");
    h.get_by_label("Auth").click();
    h.run();
    h.get_by_label("Token").click();
    h.run();
    h.get_by_label("Copy as curl").click();
    h.step();
    let script = copied(&h).expect("a script on the clipboard");
    assert!(script.lines().count() >= 3, "{script}");
    // Into a new tab's empty draft.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    h.run();
    h.get_by_label("URL").focus();
    h.run();
    h.event(egui::Event::Paste(script.clone()));
    h.run();
    let state = h.state();
    assert_eq!(state.tabs.active().draft.method, "GET", "{script}");
    assert_eq!(
        state.tabs.active().draft.url,
        "/api/objects/networkobjects?limit=5",
        "{script}"
    );
    assert_eq!(
        state.tabs.active().draft.auth,
        Some(apx::core::platform::AuthMode::Token)
    );
}

/// A pinned device's curl pins the public key of the leaf its last
/// response presented; before any response (no network on the UI thread),
/// curl verifies as usual, with no -k.
#[test]
fn copy_as_curl_pins_the_key_of_the_last_response() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let other = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut second = lab(&other);
    second.name = "second".into();
    let mut h = ready(dir.path(), &[lab(&asa), second]);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Basic").click();
    h.run();
    let before = copy_as_curl(&mut h);
    assert!(
        !before.contains("-k") && before.contains("apx probe"),
        "{before}"
    );
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", finished);
    let script = copy_as_curl(&mut h);
    assert!(script.contains(" -k --pinnedpubkey sha256//"), "{script}");
    let run = support::sh_in(
        dir.path(),
        &format!("{script} -sS"),
        &[("APX_PASSWORD", DEMO_PASSWORD)],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("serialNumber"), "{script}\n{stdout}");
    // Another device: the last response did not come from it.
    pick_device(&mut h, "second");
    let other_script = copy_as_curl(&mut h);
    assert!(!other_script.contains("-k"), "{other_script}");
}

#[test]
fn find_in_the_body_runs_off_the_ui_thread_and_counts_hits() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = lab(&asa);
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/api/objects/networkobjects");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", finished);
    h.get_by_label("Find…").click();
    h.run();
    h.get_by_label("Find").focus();
    h.run();
    h.get_by_label("Find").type_text("OBJECT#");
    // The frame that takes the typing starts the search; the hits come back
    // from a worker in a later frame (a search in the frame has them now).
    h.step();
    let response = &h.state().tabs.active().response;
    assert!(response.find_pending && response.find_hits.is_empty());
    assert!(h.query_by_label_contains("1 of ").is_none());
    step_until(&mut h, "the find hits", |a| {
        !a.tabs.active().response.find_hits.is_empty()
    });
    let rendered = h.state().tabs.active().response.rendered.as_ref().unwrap();
    let expected: Vec<usize> = (0..rendered.pretty.line_count())
        .filter(|&i| rendered.pretty.line(i).contains("object#"))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(h.state().tabs.active().response.find_hits, expected);
    h.get_by_label_contains(&format!("1 of {}", expected.len()));
}

#[test]
fn a_body_over_the_memory_limit_goes_to_a_temporary_file_and_saves_whole() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = lab(&asa);
    let mut h = ready(dir.path(), &[d]);
    set_view_setting(&mut h, "Body size limit", "1");
    assert_eq!(h.state().settings.max_body_mb, 1);
    retype(&mut h, "URL", "/api/demo/large?mb=2");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", |a| {
        a.tabs.active().response.running.is_none() && a.tabs.active().response.result.is_some()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    let apx::engine::http::Body::Spilled { file, len } = &result.body else {
        panic!("expected a spilled body, got {:?}", result.body);
    };
    assert!(*len > 1 << 20);
    assert_eq!(std::fs::metadata(&**file).unwrap().len(), *len);
    h.get_by_label_contains("went to a temporary file");
    let target = dir.path().join("big.json");
    h.get_by_label("Save to").focus();
    h.run();
    h.get_by_label("Save to")
        .type_text(target.to_str().unwrap());
    h.run();
    h.get_by_label("Save").click();
    step_until(&mut h, "the save", |a| {
        a.notice.as_deref().is_some_and(|n| n.starts_with("Saved"))
    });
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&**file).unwrap()
    );
    let temp = file.to_path_buf();
    drop(result);
    drop(h);
    assert!(!temp.exists(), "the temporary file goes with the result");
}

#[test]
fn picking_a_device_of_another_platform_starts_from_its_catalog() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let wsa = appliance(&rt, Platform::Wsa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app_with(dir.path(), &[lab(&asa), lab(&wsa)]));
    let asa_first = apx::core::platform::catalog::endpoints(Platform::Asa)[0].path;
    let wsa_first = apx::core::platform::catalog::endpoints(Platform::Wsa)[0].path;
    pick_device(&mut h, "lab-asa");
    assert_eq!(h.state().tabs.active().draft.url, asa_first);
    pick_device(&mut h, "lab-wsa");
    assert_eq!(h.state().tabs.active().device.as_deref(), Some("lab-wsa"));
    assert_eq!(h.state().tabs.active().draft.url, wsa_first);
    // A path the user typed is theirs: it stays.
    retype(&mut h, "URL", "/wsa/api/v2.0/custom");
    pick_device(&mut h, "lab-asa");
    assert_eq!(h.state().tabs.active().draft.url, "/wsa/api/v2.0/custom");
    // So does a catalog path with an edited body.
    let first = &apx::core::platform::catalog::endpoints(Platform::Asa)[0];
    h.get_by_label("Catalog").click();
    h.run();
    let path = first.path.split('?').next().unwrap();
    h.get_by_label(&format!("{} {path}", first.method)).click();
    h.run();
    type_body(&mut h, "{\"edited\": true}");
    pick_device(&mut h, "lab-wsa");
    assert_eq!(h.state().tabs.active().draft.url, first.path);
}

/// Clicks Copy as curl; the command the clipboard received.
fn copy_as_curl(h: &mut Harness<'static, ApxApp>) -> String {
    h.get_by_label("Copy as curl").click();
    h.step();
    copied(h).expect("a command on the clipboard")
}

/// The text the app put on the clipboard in the last frame.
fn copied(h: &Harness<'static, ApxApp>) -> Option<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
}

#[test]
fn plain_http_needs_the_device_to_allow_it_and_then_warns() {
    use std::sync::atomic::Ordering;
    let rt = runtime();
    let stats = Arc::new(apx::demo::Stats::default());
    let handler = apx::demo::asa::handler(apx::demo::ApplianceConfig::demo(), stats.clone());
    let server = rt
        .block_on(apx::demo::server::serve_plain(handler, None))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[]);
    h.run();
    h.get_by_label("+ Add device").click();
    h.run();
    retype(&mut h, "Name", "plain-asa");
    retype(&mut h, "Base URL", &server.url());
    retype(&mut h, "Username", "admin");
    retype(&mut h, "Password", DEMO_PASSWORD);
    h.get_by_label_contains("travel unencrypted");
    h.get_by_label("Save device").click();
    settle(&mut h);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Send").click();
    step_until(&mut h, "the refusal", |app| {
        app.tabs.active().response.result.is_some()
    });
    h.get_by_label_contains("takes its API over HTTPS only");
    assert_eq!(stats.requests.load(Ordering::SeqCst), 0);
    assert_eq!(stats.logins.load(Ordering::SeqCst), 0);
    assert_eq!(h.query_all_by_label_contains("--allow-http").count(), 0);

    h.get_by_label("Edit device").click();
    h.run();
    h.get_by_label("Allow plain HTTP (this platform's API requires HTTPS)")
        .click();
    h.run();
    h.get_by_label("Save device").click();
    settle(&mut h);
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(file.contains("\"allow_http\": true"), "{file}");
    h.get_by_label("Send").click();
    step_until(&mut h, "the answer", finished);
    assert_eq!(
        h.state()
            .tabs
            .active()
            .response
            .result
            .as_ref()
            .unwrap()
            .status,
        Some(200)
    );
    h.get_by_label_contains("Warning: the login and its session token travel unencrypted");
}

/// File > Import Postman collection… is `apx import postman`: no secret of
/// the collection reaches the workspace or the report, and importing again
/// renames the new requests rather than replace the saved ones.
#[test]
fn import_a_postman_collection_from_the_file_menu() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postman_hostile.json");
    let mut h = ready(dir.path(), &[]);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import Postman collection…").click();
    h.run();
    h.get_by_label("Collection").focus();
    h.run();
    h.get_by_label("Collection")
        .type_text(fixture.to_str().unwrap());
    h.run();
    for round in 0..2 {
        h.get_by_label("Import").click();
        settle(&mut h);
        let dialog = h.state().dialogs.import.as_ref().unwrap();
        let report = dialog.report.clone().unwrap();
        assert!(report.contains("imported 10 requests"), "{report}");
        assert!(report.contains("27 secrets found in the file were NOT written"));
        assert_eq!(
            report.contains("10 requests renamed"),
            round == 1,
            "{report}"
        );
        assert!(!report.contains("Hostile"), "{report}");
        assert_eq!(dialog.passwords.len(), 1);
    }
    let saved = Workspace::new(dir.path()).collections();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    assert_eq!(saved.requests.len(), 20);
    for entry in saved.requests {
        let text = std::fs::read_to_string(dir.path().join(&entry.path)).unwrap();
        assert!(!text.contains("Hostile"), "{text}");
    }
}

/// Each tab keeps its device, draft and the response that answered it:
/// switching device or tab never shows a response under another name.
#[test]
fn tabs_keep_their_device_and_response() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let wsa = appliance(&rt, Platform::Wsa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[lab(&asa), lab(&wsa)]);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Send").click();
    step_until(&mut h, "the ASA response", finished);
    h.get_by_label_contains("lab-asa · GET");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    h.run();
    assert_eq!(h.state().tabs.list.len(), 2);
    pick_device(&mut h, "lab-wsa");
    type_password(&mut h, DEMO_PASSWORD);
    assert!(h.query_by_label_contains("lab-asa · GET").is_none());
    retype(&mut h, "URL", "/wsa/api/v2.0/health");
    h.get_by_label("Send").click();
    step_until(&mut h, "the WSA response", finished);
    h.get_by_label_contains("lab-wsa · GET");

    // Back to the first tab: its own device and response.
    h.key_press_modifiers(egui::Modifiers::CTRL, egui::Key::Tab);
    h.run();
    assert_eq!(h.state().tabs.active, 0);
    h.get_by_label_contains("lab-asa · GET");
    h.get_by_label_contains("\"serialNumber\"");
    // The device switched in one tab: the response stays labelled with the
    // device that answered.
    h.get_by_label("lab-wsa").click();
    h.run();
    h.get_by_label_contains("lab-asa · GET");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::W);
    h.run();
    assert_eq!(h.state().tabs.list.len(), 1);
    h.get_by_label_contains("lab-wsa · GET");
}

/// Ctrl+K opens the palette; a fuzzy query picks a device or a command.
#[test]
fn command_palette_switches_device_and_runs_commands() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(
        dir.path(),
        &[
            unanswered("edge-asa", Platform::Asa),
            unanswered("proxy-wsa", Platform::Wsa),
        ],
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    h.get_by_label("Command").type_text("prxwsa");
    h.run();
    h.get_by_label("Switch device: proxy-wsa");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().tabs.active().device.as_deref(), Some("proxy-wsa"));
    assert!(h.query_by_label("Command").is_none(), "the palette closed");

    let shift = egui::Modifiers::COMMAND | egui::Modifiers::SHIFT;
    h.key_press_modifiers(shift, egui::Key::P);
    h.run();
    h.get_by_label("Command").type_text("new tab");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().tabs.list.len(), 2);
}

/// Ctrl+Enter sends wherever the focus is, the body editor included.
#[test]
fn ctrl_enter_sends_from_the_body_editor() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[lab(&asa)]);
    h.get_by_label("Catalog").click();
    h.run();
    h.get_by_label("POST /api/cli").click();
    h.run();
    h.get_by_label("Body").click();
    h.run();
    h.get_by_label("Request body").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the response", finished);
    h.get_by_label_contains("lab-asa · POST");
}

/// The Auth tab says what happens after the requests, per platform.
#[test]
fn auth_tab_says_asyncos_has_no_logout() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(
        dir.path(),
        &[
            device("fw", Platform::Asa, "https://10.0.0.1"),
            device("proxy", Platform::Wsa, "https://10.0.0.1"),
        ],
    );
    h.get_by_label_contains("logs out when the session ends (DELETE /api/tokenservices");
    h.get_by_label_contains("The session stays open between sends and ends after 5 min");
    h.get_by_label("proxy").click();
    h.run();
    h.get_by_label_contains("AsyncOS has no logout");
    assert!(h.query_by_label_contains("logs out when").is_none());
}

/// A device added by another program (a `git pull`) appears without a
/// reload: the workspace is watched.
#[test]
fn a_device_written_by_another_program_appears() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[]);
    Workspace::new(dir.path())
        .add_device(Device {
            username: None,
            ..device("pulled-fw", Platform::Asa, "https://10.0.0.7")
        })
        .unwrap();
    step_until(&mut h, "the watcher", |a| {
        a.tree.find("pulled-fw").is_some()
    });
    h.get_by_label("pulled-fw");
}

/// Open tabs come back at the next start: drafts only.
#[test]
fn tabs_are_remembered_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let d = device("fw", Platform::Asa, "https://10.0.0.1");
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/api/one");
    h.get_by_label("+").click();
    h.run();
    retype(&mut h, "URL", "/api/two");
    h.get_by_label("Password").focus();
    h.run();
    h.get_by_label("Password").type_text("hunter2");
    h.run();
    let saved = serde_json::to_string(&h.state().settings_to_save()).unwrap();
    assert!(!saved.contains("hunter2"), "{saved}");
    let restored: Settings = serde_json::from_str(&saved).unwrap();
    let h = harness(ApxApp::new(dir.path().to_path_buf(), restored, false).unwrap());
    let urls: Vec<&str> = h
        .state()
        .tabs
        .list
        .iter()
        .map(|t| t.draft.url.as_str())
        .collect();
    assert_eq!(urls, ["/api/one", "/api/two"]);
    assert_eq!(h.state().tabs.active, 1);
}

/// A password typed for a device stays with its address: after the device
/// is pointed elsewhere (here in the editor; a `git pull` alike), nothing
/// is sent to the new address until a password is given for it.
#[test]
fn a_typed_password_does_not_follow_the_device_to_another_address() {
    use std::sync::atomic::Ordering;
    let rt = runtime();
    let first = appliance(&rt, Platform::Asa);
    let other = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[lab(&first)]);
    h.query_all_by_label("lab-asa")
        .next()
        .unwrap()
        .click_secondary();
    h.run();
    h.get_by_label("Edit…").click();
    h.run();
    retype(&mut h, "Base URL", &other.url);
    retype(&mut h, "SHA-256", &other.sha256);
    h.get_by_label("Save device").click();
    settle(&mut h);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Send").click();
    step_until(&mut h, "the refusal", |a| {
        let r = &a.tabs.active().response;
        r.running.is_none() && (r.result.is_some() || r.input_error.is_some())
    });
    assert!(
        h.query_all_by_label_contains("no password")
            .next()
            .is_some(),
        "the send is refused for want of a password"
    );
    let seen = other.stats.logins.load(Ordering::SeqCst)
        + other.stats.failed_logins.load(Ordering::SeqCst)
        + other.stats.requests.load(Ordering::SeqCst);
    assert_eq!(seen, 0, "the other address got a request");
}

#[test]
fn a_tls_failure_offers_the_trust_button_not_cli_flags() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(
        dir.path(),
        &[Device {
            trust: Trust::Verify,
            ..lab(&wsa)
        }],
    );
    retype(&mut h, "URL", "/wsa/api/v2.0/health");
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the TLS failure", finished);
    assert!(
        h.query_all_by_label_contains("self-signed and not trusted")
            .count()
            >= 1
    );
    assert_eq!(h.query_all_by_label_contains("--pin").count(), 0);
    assert_eq!(h.query_all_by_label_contains("apx probe").count(), 0);
    h.get_by_label("Trust this certificate for this device")
        .click();
    h.run_steps(2);
    step_until(&mut h, "the retry", |a| {
        finished(a)
            && a.tabs
                .active()
                .response
                .result
                .as_ref()
                .and_then(|r| r.status)
                == Some(200)
    });
}

#[test]
fn a_timeout_points_at_the_timeout_setting() {
    let rt = runtime();
    let (_server, d) = slow_device(&rt);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[d]);
    retype(&mut h, "URL", "/slow");
    set_view_setting(&mut h, "Timeout", "1");
    assert_eq!(h.state().settings.timeout(), Duration::from_secs(1));
    h.get_by_label("Send").click();
    step_until(&mut h, "the timeout", finished);
    h.get_by_label_contains("View > Timeout");
    assert_eq!(h.query_all_by_label_contains("--timeout").count(), 0);
}

#[test]
fn a_missing_password_opens_the_auth_tab_at_the_password_field() {
    let rt = runtime();
    let fxos = appliance(&rt, Platform::Fxos);
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app_with(dir.path(), &[lab(&fxos)]));
    pick_device(&mut h, "lab-fxos");
    h.get_by_label("Send").click();
    step_until(&mut h, "the refusal", finished);
    assert_eq!(h.query_all_by_label_contains("--password-env").count(), 0);
    h.get_by_label("Enter the password").click();
    h.run();
    assert_eq!(
        h.state().tabs.active().section,
        apx::ui::tabs::RequestTab::Auth
    );
    assert!(
        h.get_by_label("Password").accesskit_node().is_focused(),
        "the password field has the focus"
    );
}

#[test]
fn the_demo_appliances_start_in_the_background_and_answer_the_first_tab() {
    support::gui::mock_keyring();
    let dir = tempfile::tempdir().unwrap();
    // `--demo`: the servers start off the UI thread (a frame's guard would
    // fail a bind in it); their devices reach the tree through the inbox.
    let app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), true).unwrap();
    assert!(
        app.demo.is_empty(),
        "the window waited for the demo servers"
    );
    let mut h = support::gui::harness(app);
    step_until(&mut h, "the demo appliances", |a| a.demo.len() >= 6);
    h.run();
    h.get_by_label_contains("Demo appliances running");
    // An empty workspace: the first tab was given the first demo device,
    // and its catalog's first endpoint.
    assert_eq!(h.state().tabs.active().device.as_deref(), Some("Demo ASA"));
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", finished);
    // A new self-signed certificate at every start: refused until trusted.
    h.get_by_label("Trust this certificate for this device")
        .click();
    settle(&mut h);
    step_until(&mut h, "the response", finished);
    h.get_by_label_contains("200 OK");
    // The status bar has room for both: the notice, and the open session
    // (kept once the job ends, which may be a frame after its answer).
    step_until(&mut h, "the kept session", |a| !a.open_sessions.is_empty());
    let notice = h.get_by_label_contains("Pinned").rect();
    let sessions = h.get_by_label("Sessions open: Demo ASA").rect();
    assert!(
        notice.width() > 100.0,
        "the notice was squeezed out: {notice:?}"
    );
    assert!(notice.max.x <= sessions.min.x, "{notice:?} {sessions:?}");
}

#[test]
fn two_sends_share_one_kept_session_which_is_logged_out_when_the_app_closes() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(dir.path(), &[lab(&asa)]);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    for _ in 0..2 {
        h.get_by_label("Send").click();
        settle(&mut h);
        step_until(&mut h, "the response", finished);
    }
    h.get_by_label_contains("200 OK");
    assert_eq!(
        asa.stats.logins.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        asa.stats.logouts.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    step_until(&mut h, "the kept session", |a| !a.open_sessions.is_empty());
    h.get_by_label_contains("Sessions open: lab-asa");
    // The second send's timeline says it used the kept session.
    h.get_by_label("Timeline").click();
    h.run();
    h.get_by_label_contains("session kept open from an earlier send");
    // Closing the app logs the session out: the ASA's count is back to none.
    drop(h);
    assert_eq!(
        asa.stats.logouts.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}
