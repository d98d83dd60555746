//! The device editor's proxy and client certificate fields, and the app's
//! sends going through a device's proxy.

mod support;

use apx::core::platform::Platform;
use apx::core::reach::DeviceReach;
use apx::core::secret::Secret;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use egui_kittest::kittest::Queryable;
use support::gui::{harness, mock_keyring, retype, settle, step_until};
use support::proxy::{Mode, Proxy};
use support::{appliance, runtime};

/// Focuses the field labelled `label` and types `text` into it.
fn type_into(h: &mut egui_kittest::Harness<'static, ApxApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

#[test]
fn the_editor_keeps_a_proxy_and_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    mock_keyring();
    let app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    let mut h = harness(app);
    h.run();
    h.get_by_label("+ Add device").click();
    h.run();
    type_into(&mut h, "Name", "edge");
    type_into(&mut h, "Base URL", "https://10.0.0.1");
    type_into(&mut h, "Proxy", "http://user:pw@proxy:3128");
    type_into(&mut h, "Client cert", "/etc/apx/client.pem");
    type_into(&mut h, "Client key", "/etc/apx/client.key");
    h.get_by_label("Save device").click();
    settle(&mut h);
    h.get_by_label_contains("credentials in a proxy URL are refused");
    assert!(!dir.path().join("devices.json").exists());

    retype(&mut h, "Proxy", "http://proxy:3128");
    h.get_by_label("Save device").click();
    settle(&mut h);
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(file.contains("\"proxy\": \"http://proxy:3128\""), "{file}");
    assert!(
        file.contains("\"client_cert\": \"/etc/apx/client.pem\""),
        "{file}"
    );
    assert!(
        file.contains("\"client_key\": \"/etc/apx/client.key\""),
        "{file}"
    );
    assert!(h.state().dialogs.editor.is_none());
}

#[test]
fn the_app_sends_through_the_devices_proxy() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let proxy = Proxy::start(&rt, Mode::Open);
    let dir = tempfile::tempdir().unwrap();
    mock_keyring();
    let device = Device {
        name: "fw".into(),
        folder: String::new(),
        platform: Platform::Asa,
        base_url: asa.url.clone(),
        username: Some("admin".into()),
        trust: Trust::Pin {
            sha256: asa.sha256.clone(),
        },
        variables: Default::default(),
        allow_http: false,
        domain: None,
        api_version: None,
        reach: DeviceReach {
            proxy: Some(proxy.url()),
            ..Default::default()
        },
    };
    Workspace::new(dir.path()).add_device(device).unwrap();
    let mut app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    app.passwords
        .insert("fw".into(), Secret::new(DEMO_PASSWORD));
    app.tabs.active_mut().device = Some("fw".into());
    app.tabs.active_mut().draft.url = "/api/monitoring/serialnumber".into();
    let mut h = harness(app);
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", |a| {
        a.tabs.active().response.result.is_some()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200));
    assert!(
        proxy.tunnels() >= 1,
        "the device's proxy carried the session"
    );
}
