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

/// `apx proxy set-password` stores a proxy's credentials in the real
/// keyring; a send through that proxy answers its 407 with them, and after
/// `apx proxy forget` the 407 comes back with the hint naming the command.
#[test]
fn the_cli_stores_proxy_credentials_and_the_proxy_takes_them() {
    use support::proxy::{Mode, Proxy};
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return unavailable("there is no D-Bus session (no Secret Service to test against)");
    }
    let dir = tempfile::tempdir().unwrap();
    let rt = support::runtime();
    let asa = support::appliance(&rt, Platform::Asa);
    let secret = "pr0xy-Keyr1ng";
    let proxy = Proxy::start(
        &rt,
        Mode::Auth(format!(
            "Basic {}",
            support::base64_of(&format!("ops:{secret}"))
        )),
    );
    let proxy_url = proxy.url();
    // The session bus stays: this binary is to use the real keyring.
    let apx = |args: &[&str], env: &[(&str, &str)]| {
        support::Run::from(support::output_within(
            std::process::Command::new(env!("CARGO_BIN_EXE_apx"))
                .args(args)
                .current_dir(dir.path())
                .env("APX_PASSWORD", apx::demo::DEMO_PASSWORD)
                .envs(env.iter().copied()),
        ))
    };
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let send = support::send_args(
        &asa,
        &["--json", "--auth", "basic", "--proxy", &proxy_url],
        &url,
    );
    let stored = apx(
        &[
            "proxy",
            "set-password",
            &proxy_url,
            "--user",
            "ops",
            "--password-env",
            "PROXY_PW",
        ],
        &[("PROXY_PW", secret)],
    );
    if stored.code != 0 {
        return unavailable(&format!("set-password failed: {}", stored.stderr));
    }
    let ok = apx(&send, &[]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert_eq!(proxy.tunnels(), 1);
    let forgot = apx(&["proxy", "forget", &proxy_url], &[]);
    assert_eq!(forgot.code, 0, "{}", forgot.stderr);
    let refused = apx(&send, &[]);
    assert_eq!(refused.code, 3, "{}", refused.stdout);
    let error = &refused.json()["error"];
    assert!(
        error["message"].as_str().unwrap().contains("407"),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("apx proxy set-password")
    );
    let mut seen = [&stored, &ok, &forgot, &refused]
        .iter()
        .map(|r| format!("{}{}", r.stdout, r.stderr))
        .collect::<String>();
    for file in support::files_under(dir.path()) {
        seen.push_str(&String::from_utf8_lossy(&std::fs::read(file).unwrap()));
    }
    assert_eq!(
        support::leaked_forms(&seen, &[secret]),
        Vec::<String>::new()
    );
}
