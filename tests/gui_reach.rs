//! The device editor's proxy and client certificate fields, and the app's
//! sends going through a device's proxy.

mod support;

use apx::core::platform::Platform;
use apx::core::reach::DeviceReach;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use egui_kittest::kittest::Queryable;
use support::devices::pinned;
use support::gui::{app, harness, pick_device, retype, settle, step_until, type_password};
use support::proxy::{Mode, Proxy};
use support::{appliance, base64_of, files_under, leaked_forms, runtime};

#[test]
fn the_editor_keeps_a_proxy_and_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.get_by_label("+ Add device").click();
    h.run();
    retype(&mut h, "Name", "edge");
    retype(&mut h, "Base URL", "https://10.0.0.1");
    retype(&mut h, "Proxy", "http://user:pw@proxy:3128");
    retype(&mut h, "Client cert", "/etc/apx/client.pem");
    retype(&mut h, "Client key", "/etc/apx/client.key");
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
    let device = Device {
        reach: DeviceReach {
            proxy: Some(proxy.url()),
            ..Default::default()
        },
        ..pinned("fw", &asa)
    };
    Workspace::new(dir.path()).add_device(device).unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "fw");
    type_password(&mut h, DEMO_PASSWORD);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
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

/// Proxy credentials typed in the device editor go to the OS keyring (the
/// mock store here) under the proxy's `scheme://host:port`, and the
/// engine answers the proxy's 407 with them; they reach no file.
#[test]
fn proxy_credentials_typed_in_the_editor_open_the_proxy() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let secret = "pr0xy-Ed1tor";
    let proxy = Proxy::start(
        &rt,
        Mode::Auth(format!("Basic {}", base64_of(&format!("ops:{secret}")))),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.get_by_label("+ Add device").click();
    h.run();
    retype(&mut h, "Name", "fw");
    retype(&mut h, "Base URL", &asa.url);
    retype(&mut h, "Username", "admin");
    retype(&mut h, "Password", DEMO_PASSWORD);
    h.get_by_label("Pinned fingerprint").click();
    h.run();
    retype(&mut h, "SHA-256", &asa.sha256);
    assert!(h.query_by_label("Proxy password").is_none(), "no proxy yet");
    retype(&mut h, "Proxy", &proxy.url());
    retype(&mut h, "Proxy user", "ops");
    retype(&mut h, "Proxy password", secret);
    h.get_by_label("Save device").click();
    settle(&mut h);
    assert!(h.state().dialogs.editor.is_none());
    let label = format!("http://127.0.0.1:{}", proxy.port);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while apx::engine::keyring::proxy_credentials(&label)
        .unwrap()
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "stored in the keyring"
        );
        h.step();
    }
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", |a| {
        a.tabs.active().response.result.is_some()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200), "{:?}", result.error);
    assert_eq!(proxy.tunnels(), 1, "the proxy took the stored credentials");
    settle(&mut h);
    // Files (devices.json, history), the settings the app would persist,
    // and what the app shows of the exchange.
    let mut seen = serde_json::to_string(&h.state().settings_to_save()).unwrap();
    seen.push_str(&format!("{result:?}"));
    for file in files_under(dir.path()) {
        seen.push_str(&String::from_utf8_lossy(&std::fs::read(file).unwrap()));
    }
    assert!(
        seen.contains(&label),
        "devices.json keeps the proxy: {seen}"
    );
    assert_eq!(leaked_forms(&seen, &[secret]), Vec::<String>::new());
}

/// A device whose client key is encrypted: the send asks for the
/// passphrase in a masked dialog and goes again with it; remembered, it is
/// in the OS keyring (the mock store) by the key's path, and a fresh app
/// sends without asking. It reaches no file or settings.
#[test]
fn an_encrypted_client_key_asks_for_its_passphrase_and_can_keep_it() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let (ca, cert, key) = support::mtls::client_identity(keys.path(), "ops");
    let passphrase = "K3y-Ph4se-Gui";
    support::mtls::encrypt_key_file(&key, passphrase);
    let (url, pin) = support::mtls::mutual_tls_server(&rt, ca.der());
    let base = url.trim_end_matches("/api").to_string();
    let device = Device {
        username: None,
        trust: support::devices::pin(&pin),
        reach: DeviceReach {
            client_cert: Some(cert.into()),
            client_key: Some(key.clone().into()),
            ..Default::default()
        },
        ..support::devices::device("mtls", Platform::Generic, &base)
    };
    Workspace::new(dir.path()).add_device(device).unwrap();
    let send = |h: &mut egui_kittest::Harness<'static, apx::ui::ApxApp>| {
        pick_device(h, "mtls");
        retype(h, "URL", "/api");
        h.get_by_label("Send").click();
        step_until(h, "the response", |a| {
            a.tabs.active().response.result.is_some()
        });
    };
    let mut h = harness(app(dir.path()));
    send(&mut h);
    settle(&mut h);
    assert!(h.state().dialogs.key_passphrase.is_some(), "asked at once");
    retype(&mut h, "Key passphrase", passphrase);
    h.get_by_label("Remember in the OS keyring").click();
    h.run();
    h.get_by_label("Continue").click();
    step_until(&mut h, "the response", |a| {
        a.tabs.active().response.result.is_some()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200), "{:?}", result.error);
    let path = std::path::Path::new(&key);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while apx::engine::keyring::key_passphrase(path)
        .unwrap()
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "stored in the keyring"
        );
        h.step();
    }
    let settings = serde_json::to_string(&h.state().settings_to_save()).unwrap();
    drop(h);

    let mut fresh = harness(app(dir.path()));
    send(&mut fresh);
    let again = fresh.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(again.status, Some(200), "{:?}", again.error);
    assert!(fresh.state().dialogs.key_passphrase.is_none());
    let mut seen = settings;
    for file in files_under(dir.path()) {
        seen.push_str(&String::from_utf8_lossy(&std::fs::read(file).unwrap()));
    }
    assert_eq!(leaked_forms(&seen, &[passphrase]), Vec::<String>::new());
}

/// A SOCKS5 proxy that asks for a username and password gets the ones
/// typed in the device editor (from the OS keyring's mock store).
#[test]
fn a_socks5_proxy_gets_the_editors_credentials() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let secret = "s0cks-Ed1tor";
    let (socks, opened) = support::proxy::socks5(&rt, Some(("ops", secret)));
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.get_by_label("+ Add device").click();
    h.run();
    retype(&mut h, "Name", "fw");
    retype(&mut h, "Base URL", &asa.url);
    retype(&mut h, "Username", "admin");
    retype(&mut h, "Password", DEMO_PASSWORD);
    h.get_by_label("Pinned fingerprint").click();
    h.run();
    retype(&mut h, "SHA-256", &asa.sha256);
    retype(&mut h, "Proxy", &socks);
    retype(&mut h, "Proxy user", "ops");
    retype(&mut h, "Proxy password", secret);
    h.get_by_label("Save device").click();
    settle(&mut h);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while apx::engine::keyring::proxy_credentials(&socks)
        .unwrap()
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "stored in the keyring"
        );
        h.step();
    }
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", |a| {
        a.tabs.active().response.result.is_some()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200), "{:?}", result.error);
    assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 1);
}
