//! The real OS keyring (Secret Service over D-Bus). `.ci/run` runs the suite
//! in a D-Bus session with an unlocked GNOME Keyring, so in CI (`CI` set)
//! this test fails when it cannot reach its subject; elsewhere, with no
//! session bus, it says it skipped. By hand:
//! `dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; cargo test --test keyring_os'`

mod support;

use apx::core::platform::Platform;
use apx::core::secret::Secret;
use apx::core::workspace::Device;
use apx::engine::keyring::{self, KeyringKey, Lookup};
use support::devices::device;

/// Skips outside CI; fails in CI, where the Secret Service must be there.
fn unavailable(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must test the real keyring, but {why}"
    );
    println!("skipped: {why}");
}

#[test]
fn round_trip_through_the_secret_service() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return unavailable("there is no D-Bus session (no Secret Service to test against)");
    }
    let dir = tempfile::tempdir().unwrap();
    let device = device(
        &format!("apx-test-{}", std::process::id()),
        Platform::Asa,
        "https://10.0.0.1",
    );
    let key = KeyringKey::new(dir.path(), &device, None);
    if let Err(e) = keyring::set_password(&key, &Secret::new("os-pw")) {
        return unavailable(&format!("the Secret Service is not usable: {}", e.message));
    }
    assert_eq!(
        keyring::password(&key).unwrap(),
        Lookup::Found(Secret::new("os-pw"))
    );
    let moved = Device {
        base_url: "https://10.9.9.9".into(),
        ..device.clone()
    };
    assert!(matches!(
        keyring::password(&KeyringKey::new(dir.path(), &moved, None)).unwrap(),
        Lookup::Elsewhere { .. }
    ));
    keyring::delete_password(&key).unwrap();
    assert_eq!(keyring::password(&key).unwrap(), Lookup::Missing);
}

/// `apx device set-password` through the real binary and the real keyring,
/// then a send that takes the password from it.
#[test]
fn the_cli_stores_and_uses_a_keyring_password() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return unavailable("there is no D-Bus session (no Secret Service to test against)");
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().to_str().unwrap();
    let name = format!("apx-cli-{}", std::process::id());
    let rt = support::runtime();
    let asa = support::appliance(&rt, Platform::Asa);
    // The session bus stays: this binary is to use the real keyring.
    let apx = |args: &[&str], env: &[(&str, &str)]| {
        let out = support::output_within(
            std::process::Command::new(env!("CARGO_BIN_EXE_apx"))
                .args(args)
                .envs(env.iter().copied())
                .env_remove("APX_PASSWORD"),
        );
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = apx(
        &[
            &support::device_add_args(&name, Platform::Asa, &asa.url)[..],
            &["--workspace", ws, "--pin", &asa.sha256],
        ]
        .concat(),
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = apx(
        &[
            "device",
            "set-password",
            &name,
            "--workspace",
            ws,
            "--password-env",
            "PW",
        ],
        &[("PW", apx::demo::DEMO_PASSWORD)],
    );
    if code != Some(0) {
        return unavailable(&format!("set-password failed: {err}"));
    }
    let (code, out, err) = apx(
        &[
            "send",
            "--json",
            "--workspace",
            ws,
            "--device",
            &name,
            "/api/monitoring/serialnumber",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, _, err) = apx(&["device", "remove", &name, "--workspace", ws], &[]);
    assert_eq!(code, Some(0), "{err}");
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&text).contains(apx::demo::DEMO_PASSWORD));
    }
}
