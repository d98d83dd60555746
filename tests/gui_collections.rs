//! The saved-requests tree as a collection manager, driven through the UI
//! (context menus, F2, Del, drag and drop, the File menu): after each
//! operation the files on disk are exactly the ones expected, and nothing
//! else changed.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::ui::ApxApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::devices::device;
use support::gui::{app, harness, retype, settle, type_password};
use support::requests;

/// Every file and folder below `dir` (the lock file aside), with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".devices.lock" {
                continue;
            }
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// What changed between two snapshots: (gone, new or changed).
fn diff(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> (Vec<String>, Vec<String>) {
    let gone = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    let new = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    (gone, new)
}

/// A workspace with `ASA/show-version.json`, `ASA/list-objects.json` and
/// `Lab/ping.json`, and the app over it.
fn seeded() -> (tempfile::TempDir, Harness<'static, ApxApp>) {
    let dir = seed();
    let h = harness(app(dir.path()));
    (dir, h)
}

fn seed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.save_request(
        "ASA",
        &requests::get("Show version", "/api/monitoring/version"),
    )
    .unwrap();
    ws.save_request("ASA", &requests::get("List objects", "/api/objects"))
        .unwrap();
    ws.save_request("Lab", &requests::get("Ping", "/ping"))
        .unwrap();
    dir
}

fn name_in(dir: &Path, file: &str) -> String {
    Workspace::new(dir)
        .load_request(Path::new(file))
        .unwrap()
        .name
}

/// Opens the collapsed folder `folder` of the tree.
fn expand(h: &mut Harness<'static, ApxApp>, folder: &str) {
    h.get_by_label(folder).click();
    h.run();
}

fn context_menu(h: &mut Harness<'static, ApxApp>, node: &str, item: &str) {
    h.get_by_label(node).click_secondary();
    h.run();
    h.get_by_label(item).click();
    h.run();
}

fn button(h: &mut Harness<'static, ApxApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

#[test]
fn new_folder_and_new_request_from_the_tree() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    h.get_by_label("+ Folder").click();
    h.run();
    retype(&mut h, "Name", "Reports");
    button(&mut h, "Create");
    let after = snapshot(dir.path());
    assert_eq!(diff(&before, &after), (vec![], vec!["Reports/".into()]));
    assert!(h.state().dialogs.tree.is_none());

    // Ctrl+N asks for a request, in the folder typed.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    retype(&mut h, "Name", "Audit log");
    retype(&mut h, "In folder", "Reports");
    button(&mut h, "Create");
    let later = snapshot(dir.path());
    assert_eq!(
        diff(&after, &later),
        (vec![], vec!["Reports/audit-log.json".into()])
    );
    assert_eq!(name_in(dir.path(), "Reports/audit-log.json"), "Audit log");
    let tabs = &h.state().tabs;
    assert_eq!(tabs.list.len(), 2, "the new request opens in a new tab");
    assert_eq!(
        tabs.active().draft.saved_path.as_deref(),
        Some(Path::new("Reports/audit-log.json"))
    );

    // A second one of the same name is "NAME (2)", never an overwrite.
    h.get_by_label("+ Request").click();
    h.run();
    retype(&mut h, "Name", "Audit log");
    retype(&mut h, "In folder", "Reports");
    button(&mut h, "Create");
    let last = snapshot(dir.path());
    assert_eq!(
        diff(&later, &last),
        (vec![], vec!["Reports/audit-log-2.json".into()])
    );
    assert_eq!(
        name_in(dir.path(), "Reports/audit-log-2.json"),
        "Audit log (2)"
    );
}

#[test]
fn f2_renames_the_selected_request_and_its_file() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    expand(&mut h, "ASA");
    h.get_by_label("GET Show version").click();
    h.run();
    h.key_press(egui::Key::F2);
    h.run();
    retype(&mut h, "New name", "Show details");
    button(&mut h, "Rename");
    let after = snapshot(dir.path());
    assert_eq!(
        diff(&before, &after),
        (
            vec!["ASA/show-version.json".into()],
            vec!["ASA/show-details.json".into()]
        )
    );
    assert_eq!(name_in(dir.path(), "ASA/show-details.json"), "Show details");
    assert_eq!(
        h.state().tabs.active().draft.saved_path.as_deref(),
        Some(Path::new("ASA/show-details.json")),
        "the tab showing it follows"
    );
    assert!(h.query_by_label("GET Show details").is_some());
}

#[test]
fn f2_renames_the_selected_folder_with_what_it_holds() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    h.get_by_label("Lab").click();
    h.run();
    h.key_press(egui::Key::F2);
    h.run();
    retype(&mut h, "New name", "Tests");
    button(&mut h, "Rename");
    let after = snapshot(dir.path());
    assert_eq!(
        diff(&before, &after),
        (
            vec!["Lab/".into(), "Lab/ping.json".into()],
            vec!["Tests/".into(), "Tests/ping.json".into()]
        )
    );
    assert_eq!(after["Tests/ping.json"], before["Lab/ping.json"]);
    assert!(h.query_by_label("Tests").is_some());
}

#[test]
fn a_refused_rename_says_why_and_changes_nothing() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    expand(&mut h, "ASA");
    context_menu(&mut h, "GET Show version", "Rename...");
    retype(&mut h, "New name", "list objects");
    button(&mut h, "Rename");
    assert!(
        h.query_all_by_label_contains("already in").next().is_some(),
        "the dialog says the name is taken"
    );
    assert!(h.state().dialogs.tree.is_some());
    h.get_by_label("Cancel").click();
    h.run();
    expand(&mut h, "Lab");
    context_menu(&mut h, "Lab", "Rename...");
    retype(&mut h, "New name", "../escape");
    button(&mut h, "Rename");
    assert!(
        h.query_all_by_label_contains("invalid folder name")
            .next()
            .is_some()
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn duplicate_then_move_from_the_context_menu() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    expand(&mut h, "ASA");
    context_menu(&mut h, "GET Show version", "Duplicate");
    settle(&mut h);
    let duplicated = snapshot(dir.path());
    assert_eq!(
        diff(&before, &duplicated),
        (vec![], vec!["ASA/show-version-2.json".into()])
    );
    assert_eq!(
        name_in(dir.path(), "ASA/show-version-2.json"),
        "Show version (2)"
    );

    context_menu(&mut h, "GET Show version (2)", "Move...");
    retype(&mut h, "To folder", "Lab");
    button(&mut h, "Move");
    let moved = snapshot(dir.path());
    assert_eq!(
        diff(&duplicated, &moved),
        (
            vec!["ASA/show-version-2.json".into()],
            vec!["Lab/show-version-2.json".into()]
        )
    );
    assert_eq!(
        moved["Lab/show-version-2.json"], duplicated["ASA/show-version-2.json"],
        "moved byte for byte"
    );

    // A folder moves with what it holds.
    context_menu(&mut h, "Lab", "Move...");
    retype(&mut h, "To folder", "ASA");
    button(&mut h, "Move");
    let nested = snapshot(dir.path());
    let (gone, new) = diff(&moved, &nested);
    assert_eq!(
        gone,
        ["Lab/", "Lab/ping.json", "Lab/show-version-2.json"].map(String::from)
    );
    assert_eq!(
        new,
        [
            "ASA/Lab/",
            "ASA/Lab/ping.json",
            "ASA/Lab/show-version-2.json"
        ]
        .map(String::from)
    );
}

#[test]
fn delete_confirms_naming_what_goes() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    expand(&mut h, "Lab");
    h.get_by_label("GET Ping").click();
    h.run();
    h.key_press(egui::Key::Delete);
    h.run();
    h.get_by_label_contains("Lab/ping.json will be deleted");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(snapshot(dir.path()), before, "cancel deletes nothing");
    h.get_by_label("GET Ping").click();
    h.run();
    h.key_press(egui::Key::Delete);
    h.run();
    button(&mut h, "Delete");
    let before = {
        let after = snapshot(dir.path());
        assert_eq!(
            diff(&before, &after),
            (vec!["Lab/ping.json".into()], vec![])
        );
        after
    };
    assert_eq!(h.state().tabs.active().draft.saved_path, None);

    context_menu(&mut h, "ASA", "Delete...");
    h.get_by_label_contains("its 2 saved requests will be deleted");
    h.get_by_label("- Show version");
    h.get_by_label("- List objects");
    button(&mut h, "Delete");
    let after = snapshot(dir.path());
    assert_eq!(
        diff(&before, &after).0,
        ["ASA/", "ASA/list-objects.json", "ASA/show-version.json"].map(String::from)
    );
    assert!(diff(&before, &after).1.is_empty());
    assert!(h.query_by_label("ASA").is_none());
}

#[cfg(unix)]
#[test]
fn a_folder_holding_a_link_is_not_deleted_nor_followed() {
    let dir = seed();
    // Behind the link: a folder of saved requests, as a link would find it.
    let outside = tempfile::tempdir().unwrap();
    Workspace::new(outside.path())
        .save_request("", &requests::get("Keep", "/keep"))
        .unwrap();
    std::fs::remove_file(outside.path().join(".gitignore")).unwrap();
    let outside_before = snapshot(outside.path());
    std::os::unix::fs::symlink(outside.path(), dir.path().join("Lab/out")).unwrap();
    let mut h = harness(app(dir.path()));
    let before = snapshot(dir.path());
    context_menu(&mut h, "Lab", "Delete...");
    button(&mut h, "Delete");
    assert!(
        h.query_all_by_label_contains("the folder was not deleted")
            .next()
            .is_some()
    );
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(snapshot(outside.path()), outside_before);
}

#[test]
fn drag_a_request_or_a_folder_onto_a_folder_moves_it() {
    let (dir, mut h) = seeded();
    let before = snapshot(dir.path());
    expand(&mut h, "ASA");
    let from = h.get_by_label("GET Show version").rect().center();
    let to = h.get_by_label("Lab").rect().center();
    h.drag_at(from);
    h.run();
    for step in 1..=4 {
        h.hover_at(from + (to - from) * (step as f32 / 4.0));
        h.run();
    }
    h.drop_at(to);
    settle(&mut h);
    let after = snapshot(dir.path());
    assert_eq!(
        diff(&before, &after),
        (
            vec!["ASA/show-version.json".into()],
            vec!["Lab/show-version.json".into()]
        )
    );

    // A folder dragged onto another moves into it.
    let from = h.get_by_label("Lab").rect().center();
    let to = h.get_by_label("ASA").rect().center();
    h.drag_at(from);
    h.run();
    for step in 1..=4 {
        h.hover_at(from + (to - from) * (step as f32 / 4.0));
        h.run();
    }
    h.drop_at(to);
    settle(&mut h);
    let nested = snapshot(dir.path());
    assert_eq!(
        diff(&after, &nested).1,
        ["ASA/Lab/", "ASA/Lab/ping.json", "ASA/Lab/show-version.json"].map(String::from)
    );
    assert_eq!(diff(&after, &nested).0.len(), 3);
}

#[test]
fn open_a_workspace_with_corrupt_files_reports_them_untouched() {
    let (_first, mut h) = seeded();
    let other = tempfile::tempdir().unwrap();
    let devices = b"{\"format\": 1, \"devices\": [ {\"name\": }";
    let broken = b"{\"format\": 2, \"name\": \"half\", \"method\": ";
    std::fs::write(other.path().join("devices.json"), devices).unwrap();
    std::fs::create_dir(other.path().join("ASA")).unwrap();
    std::fs::write(other.path().join("ASA/broken.json"), broken).unwrap();
    let before = snapshot(other.path());

    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open workspace...").click();
    h.run();
    retype(&mut h, "Folder", other.path().to_str().unwrap());
    button(&mut h, "Open");
    assert_eq!(h.state().workspace.dir(), other.path());
    assert!(h.state().dialogs.workspace.is_none());
    assert!(
        h.query_all_by_label_contains("devices.json:1:")
            .next()
            .is_some(),
        "the corrupt devices.json is reported"
    );
    assert!(
        h.query_all_by_label_contains("broken.json")
            .next()
            .is_some(),
        "the corrupt saved request is reported"
    );
    assert!(h.query_by_label("GET Show version").is_none());
    assert!(h.query_by_label("ASA").is_some());
    assert_eq!(snapshot(other.path()), before, "nothing was rewritten");
    assert_eq!(
        h.state()
            .settings
            .recent_workspaces
            .first()
            .map(|p| p.as_path()),
        Some(other.path())
    );

    // A typo is refused in the dialog; a recent workspace opens in one click.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open workspace...").click();
    h.run();
    retype(&mut h, "Folder", "/no/such/folder");
    button(&mut h, "Open");
    assert!(
        h.query_all_by_label_contains("cannot open /no/such/folder")
            .next()
            .is_some()
    );
    assert_eq!(h.state().workspace.dir(), other.path());
    h.get_by_label(&other.path().display().to_string()).click();
    settle(&mut h);
    assert!(h.state().dialogs.workspace.is_none());
}

#[test]
fn export_a_folder_as_postman_and_as_a_curl_script_without_secrets() {
    let dir = seed();
    Workspace::new(dir.path())
        .add_device(device("fw", Platform::Asa, "https://10.0.0.1"))
        .unwrap();
    let mut h = harness(app(dir.path()));
    assert_eq!(h.state().tabs.active().device.as_deref(), Some("fw"));
    type_password(&mut h, "s3cret-pw");
    let out = tempfile::tempdir().unwrap();
    let workspace_before = snapshot(dir.path());

    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export collection...").click();
    h.run();
    retype(&mut h, "Folder", "ASA");
    for (format, file) in [("Postman v2.1", "asa.json"), ("curl script", "asa.sh")] {
        h.get_by_label(format).click();
        h.run();
        let path = out.path().join(file);
        retype(&mut h, "Save to", path.to_str().unwrap());
        h.get_by_label("Export").click();
        settle(&mut h);
        h.get_by_label_contains("Exported 2 requests");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("s3cret-pw"), "{text}");
        assert!(text.contains("Show version") && text.contains("List objects"));
        assert!(!text.contains("Ping"), "{text}");
        if file.ends_with(".sh") {
            assert!(text.starts_with("#!/bin/sh\n"), "{text}");
            assert!(
                text.contains("https://10.0.0.1/api/monitoring/version"),
                "{text}"
            );
        } else {
            assert!(text.contains("collection/v2.1.0"), "{text}");
        }
    }
    assert_eq!(snapshot(dir.path()), workspace_before);
    // The window leaves the menu bar within reach.
    h.get_by_label("File").click();
    h.run();
    assert!(h.query_by_label("Open workspace...").is_some());
}

/// A saved request with a long name does not widen the side panel: it is
/// elided to one line (the full text on hover), the builder keeps its place.
#[test]
fn a_long_request_name_keeps_the_side_panel_width() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("Long {}", "x".repeat(200));
    Workspace::new(dir.path())
        .save_request("Checks", &requests::get(&name, "/api/one"))
        .unwrap();
    let mut h = harness(app(dir.path()));
    let send_before = h.get_by_label("Send").rect();
    h.get_by_label("Checks").click();
    h.run();
    let row = h.get_by_label_contains("xxxxxxxxxx").rect();
    let send_after = h.get_by_label("Send").rect();
    assert_eq!(send_before, send_after, "the builder did not move");
    assert!(
        row.right() < send_after.left(),
        "the row stays in the panel: {row:?}"
    );
    assert!(row.height() < 30.0, "one line, elided: {row:?}");
}
