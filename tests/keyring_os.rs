//! The real OS keyring (Secret Service over D-Bus), when one is running;
//! otherwise the test says it skipped. To run it for real:
//! `dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; cargo test --test keyring_os'`

use apx::core::platform::Platform;
use apx::core::secret::Secret;
use apx::core::workspace::Device;
use apx::engine::keyring::{self, KeyringKey, Lookup};

#[test]
fn round_trip_through_the_secret_service() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        println!("skipped: no D-Bus session (no Secret Service to test against)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let device = Device {
        name: format!("apx-test-{}", std::process::id()),
        folder: String::new(),
        platform: Platform::Asa,
        base_url: "https://10.0.0.1".into(),
        username: Some("admin".into()),
        trust: Default::default(),
        variables: Default::default(),
        allow_http: false,
    };
    let key = KeyringKey::new(dir.path(), &device, None);
    if let Err(e) = keyring::set_password(&key, &Secret::new("os-pw")) {
        println!(
            "skipped: the Secret Service is not usable here: {}",
            e.message
        );
        return;
    }
    assert_eq!(
        keyring::password(&key).unwrap(),
        Lookup::Found(Secret::new("os-pw"))
    );
    keyring::delete_password(&key).unwrap();
    assert_eq!(keyring::password(&key).unwrap(), Lookup::Missing);
}
