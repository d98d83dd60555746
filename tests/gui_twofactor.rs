//! AsyncOS two-factor login in the desktop app (egui_kittest, headless)
//! against the demo WSA: a login that asks for a second factor opens the
//! passcode dialog, and the request goes through with the passcode typed.

mod support;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::demo::{ApplianceConfig, DEMO_PASSCODE, DEMO_PASSWORD, TwoFactorFlag};
use apx::ui::ApxApp;
use egui_kittest::kittest::Queryable;
use support::devices::pinned;
use support::gui::{app, harness, pick_device, retype, step_until, type_password};
use support::runtime;

fn status(app: &ApxApp) -> Option<u16> {
    let r = &app.tabs.active().response;
    r.running.is_none().then_some(())?;
    r.result.as_ref()?.status
}

fn failed(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    r.running.is_none() && r.result.as_ref().is_some_and(|r| r.error.is_some())
}

#[test]
fn a_two_factor_login_asks_for_the_passcode_in_a_dialog() {
    let rt = runtime();
    let config = ApplianceConfig {
        two_factor: Some(TwoFactorFlag::Text),
        ..ApplianceConfig::demo()
    };
    let wsa = support::appliance_with(&rt, Platform::Wsa, config, &support::localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    Workspace::new(dir.path())
        .add_device(pinned("lab-wsa", &wsa))
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "lab-wsa");
    type_password(&mut h, DEMO_PASSWORD);
    retype(&mut h, "URL", "/wsa/api/v2.0/health");
    h.get_by_label("Send").click();
    step_until(&mut h, "the login to ask for a second factor", failed);
    assert!(
        h.query_by_label("Passcode").is_some(),
        "no passcode dialog opened"
    );
    // Cancelled, the dialog comes back from the failure's button.
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Passcode").is_none(), "the dialog stayed");
    h.get_by_label("Enter the passcode").click();
    h.run();
    retype(&mut h, "Passcode", DEMO_PASSCODE);
    h.get_by_label("Continue").click();
    step_until(&mut h, "the request with the passcode", |a| {
        status(a) == Some(200)
    });
    assert!(h.query_by_label("Passcode").is_none(), "the dialog stayed");
    let settings = serde_json::to_string(&h.state().settings_to_save()).unwrap();
    assert!(!settings.contains(DEMO_PASSCODE), "{settings}");
    use std::sync::atomic::Ordering::SeqCst;
    assert_eq!(wsa.stats.logins.load(SeqCst), 1);
    assert_eq!(wsa.stats.requests.load(SeqCst), 1);
}

/// A folder run whose login asks for a second factor: once the run is
/// done, the passcode dialog opens, and its failed rows run again with the
/// passcode typed.
#[test]
fn a_folder_run_asks_for_the_passcode_and_reruns_with_it() {
    use apx::core::workspace::saved::SavedRequest;
    let rt = runtime();
    let config = ApplianceConfig {
        two_factor: Some(TwoFactorFlag::Boolean),
        ..ApplianceConfig::demo()
    };
    let wsa = support::appliance_with(&rt, Platform::Wsa, config, &support::localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.add_device(pinned("lab-wsa", &wsa)).unwrap();
    for (name, url) in [
        ("Health", "/wsa/api/v2.0/health"),
        ("Health again", "/wsa/api/v2.0/health"),
    ] {
        let request = SavedRequest {
            device: Some("lab-wsa".into()),
            ..support::requests::get(name, url)
        };
        ws.save_request("Checks", &request).unwrap();
    }
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "lab-wsa");
    type_password(&mut h, DEMO_PASSWORD);
    h.get_by_label("Checks").click_secondary();
    h.run();
    h.get_by_label("Run folder").click();
    h.run();
    step_until(&mut h, "the passcode dialog", |a| {
        a.dialogs.passcode.is_some()
    });
    let run = h.state().dialogs.runs.as_ref().unwrap();
    assert!(run.rows.iter().all(|r| r.failed()), "no row went through");
    // The code is for one device's account: the dialog names it.
    h.get_by_label_contains("The account on lab-wsa needs a second factor");
    retype(&mut h, "Passcode", DEMO_PASSCODE);
    h.get_by_label("Continue").click();
    step_until(&mut h, "the rows with the passcode", |a| {
        a.dialogs
            .runs
            .as_ref()
            .is_some_and(|r| r.done() && r.rows.iter().all(|row| !row.failed()))
    });
    assert!(h.query_by_label("Passcode").is_none(), "the dialog stayed");
    let run = h.state().dialogs.runs.as_ref().unwrap();
    for row in &run.rows {
        assert_eq!(row.result.as_ref().unwrap().status, Some(200));
    }
    let settings = serde_json::to_string(&h.state().settings_to_save()).unwrap();
    assert!(!settings.contains(DEMO_PASSCODE), "{settings}");
}
