//! The desktop app under egui_kittest, headless: one harness builder and
//! the stepping and typing helpers for every GUI test file.

use std::time::{Duration, Instant};

use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// keyring's mock store, so that no test reaches the desktop's keyring.
pub fn mock_keyring() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        keyring_core::set_default_store(keyring_core::mock::Store::new().expect("mock store"))
    });
}

/// jq filters' worker process: the real binary (this harness is not `apx`).
pub fn filter_worker() {
    apx::engine::filter_process::set_program(env!("CARGO_BIN_EXE_apx"));
}

/// The app over the workspace `dir` (default settings, no demo), with the
/// mock keyring.
pub fn app(dir: &std::path::Path) -> ApxApp {
    mock_keyring();
    ApxApp::new(
        dir.to_path_buf(),
        apx::ui::settings::Settings::default(),
        false,
    )
    .expect("the app opens")
}

/// A 1280×820 harness drawing `app`, once the workspace scan has arrived.
pub fn harness(app: ApxApp) -> Harness<'static, ApxApp> {
    harness_sized(app, egui::Vec2::new(1280.0, 820.0))
}

/// [`harness`] with a window of `size`.
pub fn harness_sized(app: ApxApp, size: egui::Vec2) -> Harness<'static, ApxApp> {
    mock_keyring();
    filter_worker();
    let mut h = Harness::builder()
        .with_size(size)
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut ApxApp| app.draw(ui), app);
    settle(&mut h);
    h
}

/// Steps frames until no background work is under way. The first frame
/// applies input queued by a click, so that the work it starts is seen.
pub fn settle(h: &mut Harness<'static, ApxApp>) {
    h.step();
    step_until(h, "the background work", |a| a.tree.loaded && !a.is_busy());
}

/// Steps frames until `done` holds (the network is real, so wait for it).
pub fn step_until(h: &mut Harness<'static, ApxApp>, what: &str, done: impl Fn(&ApxApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..5 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Replaces the text of the field labelled `label` by typing.
pub fn retype(h: &mut Harness<'static, ApxApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// Types `value` into the View menu's number setting `label` and closes
/// the menu.
pub fn set_view_setting(h: &mut Harness<'static, ApxApp>, label: &str, value: &str) {
    h.get_by_label("View").click();
    h.run();
    retype(h, label, value);
    h.key_press(egui::Key::Escape);
    h.run();
}

/// Picks `name` in the device tree for the active tab, as a click would.
pub fn pick_device(h: &mut Harness<'static, ApxApp>, name: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::Button, name)
        .click();
    h.run();
}

/// Types `password` on the active tab's Auth section (kept for this run).
pub fn type_password(h: &mut Harness<'static, ApxApp>, password: &str) {
    if h.query_by_label("Password").is_none() {
        h.get_by_label("Auth").click();
        h.run();
    }
    retype(h, "Password", password);
}

/// Chooses `method` in the request builder's Method list.
pub fn choose_method(h: &mut Harness<'static, ApxApp>, method: &str) {
    h.get_by_label("Method").click();
    h.run();
    h.get_by_label(method).click();
    h.run();
}

/// Types `body` into the request builder's Body section.
pub fn type_body(h: &mut Harness<'static, ApxApp>, body: &str) {
    if h.query_by_label("Request body").is_none() {
        h.get_by_label("Body").click();
        h.run();
    }
    retype(h, "Request body", body);
}

/// A server that answers after 30 s, and a device pinned to it.
pub fn slow_device(
    rt: &tokio::runtime::Runtime,
) -> (
    apx::demo::server::RunningServer,
    apx::core::workspace::Device,
) {
    let cert = super::localhost_cert();
    let handler = std::sync::Arc::new(|_: &apx::demo::server::DemoRequest| {
        apx::demo::server::DemoResponse::json(200, &serde_json::json!({}))
            .with_delay(Duration::from_secs(30))
    });
    let server = rt
        .block_on(apx::demo::server::serve_tls(&cert, handler, None))
        .unwrap();
    let url = server.url();
    let d = apx::core::workspace::Device {
        username: None,
        trust: super::devices::pin(&apx::core::tls::sha256_fingerprint(&cert.cert_der)),
        ..super::devices::device("slow", apx::core::platform::Platform::Generic, &url)
    };
    (server, d)
}
