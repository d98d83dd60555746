//! The desktop app (eframe/egui). Knows the engine's messages, never the
//! HTTP client: requests run on the engine's runtime and come back as events.

pub mod actions;
pub mod app;
mod body_text;
mod body_view;
pub mod catalog_browser;
mod certificate_view;
pub mod commands;
mod curl;
pub mod device_editor;
pub mod device_tree;
pub mod dialogs;
pub mod diff_view;
pub mod draft;
pub mod export_dialog;
mod failure_panel;
mod file_dialog;
mod highlight;
mod history_panel;
mod inbox;
mod key_passphrase_dialog;
pub mod menus;
mod passcode_dialog;
mod request_panel;
mod response_panel;
pub mod run_window;
pub mod save_dialog;
pub mod settings;
pub mod side_panel;
pub mod tabs;
pub mod tree_ops;
mod tree_rows;
mod widgets;
pub mod workspace_dialog;

use std::path::PathBuf;

pub use app::ApxApp;

/// Opens the window and runs until it is closed.
pub fn run(workspace: PathBuf, demo: bool) -> Result<(), String> {
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("apx")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([900.0, 560.0]),
        ..Default::default()
    };
    eframe::run_native(
        "apx",
        options,
        Box::new(move |cc| {
            let settings = cc
                .storage
                .and_then(|s| eframe::get_value(s, settings::STORAGE_KEY))
                .unwrap_or_default();
            let app = ApxApp::new(workspace, settings, demo)?;
            app.close_on_interrupt(&cc.egui_ctx);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
