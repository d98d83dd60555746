//! The app never writes over a `devices.json` that turned corrupt while it
//! ran (a `git pull`, an editor): adding, editing and deleting a device
//! report the file and leave it byte-identical.

mod support;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use egui_kittest::kittest::Queryable;
use support::gui::{app, harness};

const GARBAGE: &[u8] = b"{\"format\": 1, \"devices\": [ {\"name\": \"fw\", }";

#[test]
fn device_edits_leave_a_corrupt_devices_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.add_device(Device {
        name: "fw".into(),
        folder: String::new(),
        platform: Platform::Asa,
        base_url: "https://10.0.0.1".into(),
        username: Some("admin".into()),
        trust: Trust::Verify,
        variables: Default::default(),
        allow_http: false,
    })
    .unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    assert_eq!(
        h.state().devices.len(),
        1,
        "loaded before it turned corrupt"
    );
    std::fs::write(ws.devices_path(), GARBAGE).unwrap();
    let untouched = |what: &str| {
        assert_eq!(
            std::fs::read(ws.devices_path()).unwrap(),
            GARBAGE,
            "{what} wrote over the corrupt file"
        );
    };

    // A new device, typed into the editor.
    h.get_by_label("+ Add device").click();
    h.run();
    let editor = h.state_mut().editor.as_mut().expect("the editor opened");
    editor.name = "fw2".into();
    editor.base_url = "https://10.0.0.2".into();
    h.run();
    h.get_by_label("Save device").click();
    h.run();
    untouched("adding a device");
    let error = h.state().editor.as_ref().and_then(|e| e.error.clone());
    let error = error.expect("the editor stays open with the error");
    assert!(error.message.contains("devices.json"), "{}", error.message);

    // The existing device, edited.
    let editor = h.state_mut().editor.as_mut().unwrap();
    editor.original = Some("fw".into());
    editor.name = "fw".into();
    editor.error = None;
    h.run();
    h.get_by_label("Save device").click();
    h.run();
    untouched("editing a device");
    let error = h.state().editor.as_ref().and_then(|e| e.error.clone());
    assert!(
        error.is_some_and(|e| e.message.contains("devices.json")),
        "editing reports the corrupt file"
    );
    h.get_by_label("Cancel").click();
    h.run();

    // The device, deleted.
    h.state_mut().confirm_delete = Some("fw".into());
    h.run();
    h.get_by_label("Delete").click();
    h.run();
    untouched("deleting a device");
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("devices.json"), "{notice}");
}
