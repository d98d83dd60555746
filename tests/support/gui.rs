//! The desktop app under egui_kittest, headless: one harness builder for
//! every GUI test file.

use apx::ui::ApxApp;
use egui_kittest::Harness;

/// keyring's mock store, so that no test reaches the desktop's keyring.
pub fn mock_keyring() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        keyring_core::set_default_store(keyring_core::mock::Store::new().expect("mock store"))
    });
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

/// A 1280×820 harness drawing `app`.
pub fn harness(app: ApxApp) -> Harness<'static, ApxApp> {
    mock_keyring();
    Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 820.0))
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut ApxApp| app.draw(ui), app)
}
