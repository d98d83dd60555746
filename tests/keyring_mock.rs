//! Passwords in the keyring, with keyring's mock store (process-global, so
//! these tests live in their own file): the device editor's "remember", the
//! engine's lookup when sending, and nothing on disk.

mod support;

use std::sync::Once;

use apx::core::platform::Platform;
use apx::core::secret::Secret;
use apx::engine::keyring;
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn mock_store() {
    static INIT: Once = Once::new();
    INIT.call_once(|| keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap()));
}

#[test]
fn set_get_and_delete_a_device_password() {
    mock_store();
    assert_eq!(keyring::password("kr-device").unwrap(), None);
    keyring::set_password("kr-device", &Secret::new("pw-1")).unwrap();
    assert_eq!(
        keyring::password("kr-device").unwrap().unwrap().expose(),
        "pw-1"
    );
    keyring::delete_password("kr-device").unwrap();
    assert_eq!(keyring::password("kr-device").unwrap(), None);
    keyring::delete_password("kr-device").unwrap();
}

#[test]
fn remembered_password_is_used_for_sending_and_never_written() {
    mock_store();
    let rt = support::runtime();
    let asa = support::appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut ApxApp| app.draw(ui), app);
    h.run();
    h.get_by_label("+ Add device").click();
    h.run();
    for (field, text) in [
        ("Name", "kr-asa"),
        ("Username", "admin"),
        ("Password", apx::demo::DEMO_PASSWORD),
    ] {
        h.get_by_label(field).focus();
        h.run();
        h.get_by_label(field).type_text(text);
        h.run();
    }
    {
        let editor = h.state_mut().editor.as_mut().unwrap();
        editor.base_url = asa.url.clone();
        editor.trust = apx::ui::device_editor::TrustChoice::Pin;
        editor.pin = asa.sha256.clone();
    }
    h.get_by_label("Remember in the OS keyring").click();
    h.run();
    h.get_by_label("Save device").click();
    h.run();
    assert!(h.state().editor.is_none(), "saved");
    assert_eq!(
        keyring::password("kr-asa").unwrap().unwrap().expose(),
        apx::demo::DEMO_PASSWORD
    );
    let devices = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(!devices.contains(apx::demo::DEMO_PASSWORD), "{devices}");

    // A fresh app knows no typed password: the engine reads the keyring.
    let mut app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    app.selected = Some("kr-asa".into());
    app.draft.url = "/api/monitoring/serialnumber".into();
    assert!(app.passwords.is_empty());
    app.send();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.response.result.is_none() || app.response.running.is_some() {
        assert!(std::time::Instant::now() < deadline, "timed out");
        app.drain_events();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(app.response.result.as_ref().unwrap().status, Some(200));
}

#[test]
fn an_imported_basic_password_can_go_to_a_device_keyring_entry() {
    mock_store();
    let dir = tempfile::tempdir().unwrap();
    let ws = apx::core::workspace::Workspace::new(dir.path());
    ws.add_device(apx::core::workspace::Device {
        name: "kr-import".into(),
        folder: "Lab".into(),
        platform: Platform::Asa,
        base_url: "https://10.0.0.1".into(),
        username: Some("admin".into()),
        trust: Default::default(),
        variables: Default::default(),
    })
    .unwrap();
    let mut app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    app.selected = Some("kr-import".into());
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut ApxApp| app.draw(ui), app);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import Postman collection…").click();
    h.run();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/postman_asa_v21.json"
    );
    h.get_by_label("Collection").focus();
    h.run();
    h.get_by_label("Collection").type_text(fixture);
    h.run();
    h.get_by_label("Import").click();
    h.run();
    h.get_by_label_contains("were NOT written to disk");
    assert_eq!(keyring::password("kr-import").unwrap(), None);
    h.get_by_label("Store in keyring").click();
    h.run();
    h.get_by_label("stored for kr-import");
    assert_eq!(
        keyring::password("kr-import").unwrap().unwrap().expose(),
        "Fixture-Pa55word!"
    );
    for entry in walk(dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(!text.contains("Fixture-Pa55word!"), "{}", entry.display());
    }
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
