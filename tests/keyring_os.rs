//! The real OS keyring (Secret Service over D-Bus), when one is running;
//! otherwise the test says it skipped. To run it for real:
//! `dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; cargo test --test keyring_os'`

use apx::core::secret::Secret;
use apx::engine::keyring;

#[test]
fn round_trip_through_the_secret_service() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        println!("skipped: no D-Bus session (no Secret Service to test against)");
        return;
    }
    let name = format!("apx-test-{}", std::process::id());
    if let Err(e) = keyring::set_password(&name, &Secret::new("os-pw")) {
        println!(
            "skipped: the Secret Service is not usable here: {}",
            e.message
        );
        return;
    }
    assert_eq!(keyring::password(&name).unwrap().unwrap().expose(), "os-pw");
    keyring::delete_password(&name).unwrap();
    assert_eq!(keyring::password(&name).unwrap(), None);
}
