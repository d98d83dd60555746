//! Passwords in the keyring, with keyring's mock store (process-global, so
//! these tests live in their own file): the device editor's "remember", the
//! engine's lookup when sending, and nothing on disk.

mod support;

use apx::core::platform::Platform;
use apx::core::secret::Secret;
use apx::engine::keyring::{self, KeyringKey, Lookup};
use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::devices::device;
use support::gui::{app, harness, mock_keyring, pick_device, retype};

#[test]
fn set_get_and_delete_a_device_password() {
    mock_keyring();
    let dir = tempfile::tempdir().unwrap();
    let key = KeyringKey::new(
        dir.path(),
        &device("kr-device", Platform::Asa, "https://10.0.0.1"),
        None,
    );
    assert_eq!(keyring::password(&key).unwrap(), Lookup::Missing);
    keyring::set_password(&key, &Secret::new("pw-1")).unwrap();
    assert_eq!(
        keyring::password(&key).unwrap(),
        Lookup::Found(Secret::new("pw-1"))
    );
    keyring::delete_password(&key).unwrap();
    assert_eq!(keyring::password(&key).unwrap(), Lookup::Missing);
    keyring::delete_password(&key).unwrap();
}

#[test]
fn a_password_goes_only_where_it_was_stored_for() {
    mock_keyring();
    let (ws1, ws2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fw = device("kr-bound", Platform::Asa, "https://10.0.0.1");
    let key = KeyringKey::new(ws1.path(), &fw, None);
    keyring::set_password(&key, &Secret::new("bound-pw")).unwrap();
    assert_eq!(key.origin, "https://10.0.0.1");

    // A `git pull` moved the device: the password is not handed out.
    let moved = KeyringKey::new(
        ws1.path(),
        &device("kr-bound", Platform::Asa, "https://10.6.6.6:8443"),
        None,
    );
    let lookup = keyring::password(&moved).unwrap();
    assert_eq!(
        lookup,
        Lookup::Elsewhere {
            origin: "https://10.0.0.1".into(),
            user: "admin".into()
        }
    );
    let refused = lookup.into_password(&moved).unwrap_err();
    assert!(
        refused.message.contains("not sent elsewhere"),
        "{}",
        refused.message
    );
    assert!(
        refused.hint.contains("apx device set-password kr-bound"),
        "{}",
        refused.hint
    );
    // Nor to another user of the same device.
    let other_user = KeyringKey::new(ws1.path(), &fw, Some("root"));
    assert!(matches!(
        keyring::password(&other_user).unwrap(),
        Lookup::Elsewhere { .. }
    ));

    // Another workspace's device of the same name has no password, and
    // removing it there leaves this one's.
    let elsewhere = KeyringKey::new(ws2.path(), &fw, None);
    assert_eq!(keyring::password(&elsewhere).unwrap(), Lookup::Missing);
    keyring::delete_password(&elsewhere).unwrap();
    assert_eq!(
        keyring::password(&key).unwrap(),
        Lookup::Found(Secret::new("bound-pw"))
    );

    // Storing again for the new address replaces the old binding.
    keyring::set_password(&moved, &Secret::new("new-pw")).unwrap();
    assert_eq!(
        keyring::password(&moved).unwrap(),
        Lookup::Found(Secret::new("new-pw"))
    );
    assert!(matches!(
        keyring::password(&key).unwrap(),
        Lookup::Elsewhere { .. }
    ));
    keyring::delete_password(&key).unwrap();
    assert_eq!(keyring::password(&moved).unwrap(), Lookup::Missing);
}

#[test]
fn an_earlier_entry_is_used_only_once_confirmed_and_then_migrated() {
    mock_keyring();
    let dir = tempfile::tempdir().unwrap();
    let key = KeyringKey::new(
        dir.path(),
        &device("kr-legacy", Platform::Asa, "https://10.0.0.2"),
        None,
    );
    // How apx stored passwords before they were bound to an address.
    let legacy = keyring_core::Entry::new("apx", "kr-legacy").unwrap();
    legacy.set_password("old-pw").unwrap();
    let lookup = keyring::password(&key).unwrap();
    assert_eq!(lookup, Lookup::Legacy);
    let refused = lookup.into_password(&key).unwrap_err();
    assert!(
        refused.message.contains("earlier apx"),
        "{}",
        refused.message
    );
    assert_eq!(
        keyring::migrate_legacy(&key).unwrap(),
        Some(Secret::new("old-pw"))
    );
    assert_eq!(
        keyring::password(&key).unwrap(),
        Lookup::Found(Secret::new("old-pw"))
    );
    assert!(matches!(
        legacy.get_password(),
        Err(keyring_core::Error::NoEntry)
    ));
}

#[test]
fn remembered_password_is_used_for_sending_and_never_written() {
    mock_keyring();
    let rt = support::runtime();
    let asa = support::appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.get_by_label("+ Add device").click();
    h.run();
    h.get_by_label("Pinned fingerprint").click();
    h.run();
    for (field, text) in [
        ("Name", "kr-asa"),
        ("Base URL", asa.url.as_str()),
        ("Username", "admin"),
        ("Password", apx::demo::DEMO_PASSWORD),
        ("SHA-256", asa.sha256.as_str()),
    ] {
        retype(&mut h, field, text);
    }
    h.get_by_label("Remember in the OS keyring").click();
    h.run();
    h.get_by_label("Save device").click();
    wait_for(|| {
        h.step();
        h.state().dialogs.editor.is_none()
    });
    let saved = apx::core::workspace::Workspace::new(dir.path())
        .device("kr-asa")
        .unwrap();
    wait_for(|| {
        h.step();
        keyring::password(&KeyringKey::new(dir.path(), &saved, None)).unwrap()
            == Lookup::Found(Secret::new(apx::demo::DEMO_PASSWORD))
    });
    let devices = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(!devices.contains(apx::demo::DEMO_PASSWORD), "{devices}");

    // A fresh app knows no typed password: the engine reads the keyring.
    let mut h = send_from_a_fresh_app(dir.path());
    assert!(h.state().passwords.is_empty());
    assert_eq!(answer(&mut h).status, Some(200));

    // The workspace now points the device at another appliance (a pulled
    // change): the stored password is not sent there.
    let other = support::appliance(&rt, Platform::Asa);
    let ws = apx::core::workspace::Workspace::new(dir.path());
    let mut moved = ws.device("kr-asa").unwrap();
    moved.base_url = other.url.clone();
    moved.trust = apx::core::tls::Trust::Pin {
        sha256: other.sha256.clone(),
    };
    ws.update_device("kr-asa", moved).unwrap();
    let mut h = send_from_a_fresh_app(dir.path());
    let error = answer(&mut h).error.unwrap();
    assert!(
        error.message.contains("not sent elsewhere"),
        "{}",
        error.message
    );
    let stats = &other.stats;
    let seen = stats.logins.load(std::sync::atomic::Ordering::SeqCst)
        + stats
            .failed_logins
            .load(std::sync::atomic::Ordering::SeqCst)
        + stats.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(seen, 0, "the other appliance got a request");
}

/// A fresh app on the workspace's "kr-asa" (picked in the tree), sending
/// its serial number request with Ctrl+Enter.
fn send_from_a_fresh_app(dir: &std::path::Path) -> Harness<'static, ApxApp> {
    let mut h = harness(app(dir));
    pick_device(&mut h, "kr-asa");
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h
}

/// The active tab's result, once it came back.
fn answer(h: &mut Harness<'static, ApxApp>) -> apx::engine::RequestResult {
    wait_for(|| {
        h.step();
        let r = &h.state().tabs.active().response;
        r.result.is_some() && r.running.is_none()
    });
    h.state().tabs.active().response.result.clone().unwrap()
}

/// Polls `done` for up to 20 s.
fn wait_for(mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn an_imported_basic_password_can_go_to_a_device_keyring_entry() {
    mock_keyring();
    let dir = tempfile::tempdir().unwrap();
    let ws = apx::core::workspace::Workspace::new(dir.path());
    ws.add_device(device("kr-import", Platform::Asa, "https://10.0.0.1"))
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "kr-import");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import Postman collection…").click();
    h.run();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/postman_asa_v21.json"
    );
    retype(&mut h, "Collection", fixture);
    h.get_by_label("Import").click();
    wait_for(|| {
        h.step();
        h.query_by_label_contains("were NOT written to disk")
            .is_some()
    });
    let saved = ws.device("kr-import").unwrap();
    let key = KeyringKey::new(dir.path(), &saved, None);
    assert_eq!(keyring::password(&key).unwrap(), Lookup::Missing);
    h.get_by_label("Store in keyring").click();
    wait_for(|| {
        h.step();
        h.query_by_label("password for kr-import stored in the OS keyring")
            .is_some()
    });
    assert_eq!(
        keyring::password(&key).unwrap(),
        Lookup::Found(Secret::new("Fixture-Pa55word!"))
    );
    for entry in support::files_under(dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(!text.contains("Fixture-Pa55word!"), "{}", entry.display());
    }
}
