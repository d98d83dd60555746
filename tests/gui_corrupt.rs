//! The app never writes over a `devices.json` that turned corrupt while it
//! ran (a `git pull`, an editor): adding, editing and deleting a device
//! through the UI report the file and leave it byte-identical.

mod support;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use egui_kittest::kittest::Queryable;
use support::devices::device;
use support::gui::{app, harness, retype, settle};

const GARBAGE: &[u8] = b"{\"format\": 1, \"devices\": [ {\"name\": \"fw\", }";

#[test]
fn device_edits_leave_a_corrupt_devices_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.add_device(device("fw", Platform::Asa, "https://10.0.0.1"))
        .unwrap();
    let mut h = harness(app(dir.path()));
    assert_eq!(
        h.state().tree.devices.len(),
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

    // A new device, typed into the editor: the editor stays open and says why.
    h.get_by_label("+ Add device").click();
    h.run();
    retype(&mut h, "Name", "fw2");
    retype(&mut h, "Base URL", "https://10.0.0.2");
    h.get_by_label("Save device").click();
    settle(&mut h);
    untouched("adding a device");
    assert!(
        h.query_all_by_label_contains("devices.json")
            .next()
            .is_some()
    );
    h.get_by_label("Cancel").click();
    h.run();

    // The existing device, edited from its context menu.
    h.query_all_by_label("fw").next().unwrap().click_secondary();
    h.run();
    h.get_by_label("Edit…").click();
    h.run();
    retype(&mut h, "Username", "root");
    h.get_by_label("Save device").click();
    settle(&mut h);
    untouched("editing a device");
    assert!(
        h.query_all_by_label_contains("devices.json")
            .next()
            .is_some()
    );
    h.get_by_label("Cancel").click();
    h.run();

    // The device, deleted after the confirmation.
    h.query_all_by_label("fw").next().unwrap().click_secondary();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label("Delete").click();
    settle(&mut h);
    untouched("deleting a device");
    assert!(
        h.query_all_by_label_contains("devices.json")
            .next()
            .is_some()
    );
}
