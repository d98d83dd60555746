//! Small shared widgets: platform badges and status pills.

use egui::{Color32, RichText};

use crate::core::platform::Platform;

fn platform_color(platform: Platform) -> Color32 {
    match platform {
        Platform::Asa => Color32::from_rgb(0x1f, 0x6f, 0xb2),
        Platform::Fxos => Color32::from_rgb(0x6a, 0x3d, 0x9a),
        Platform::Fmc => Color32::from_rgb(0x0d, 0x6e, 0x7a),
        Platform::Fdm => Color32::from_rgb(0x4b, 0x5d, 0x16),
        Platform::Wsa => Color32::from_rgb(0x1b, 0x7f, 0x5f),
        Platform::Sma => Color32::from_rgb(0x8a, 0x5a, 0x00),
        Platform::Esa => Color32::from_rgb(0xa0, 0x3a, 0x3a),
        Platform::Generic => Color32::from_gray(0x60),
    }
}

/// A small coloured tag with the platform id.
pub fn platform_badge(ui: &mut egui::Ui, platform: Platform) -> egui::Response {
    pill(
        ui,
        &platform.id().to_ascii_uppercase(),
        platform_color(platform),
    )
    .on_hover_text(platform.label())
}

/// White text on a rounded coloured background.
pub fn pill(ui: &mut egui::Ui, text: &str, fill: Color32) -> egui::Response {
    egui::Frame::new()
        .fill(fill)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(5, 1))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(Color32::WHITE).small().strong())
        })
        .response
}

/// The colour of an HTTP status class.
pub fn status_color(status: u16) -> Color32 {
    match status {
        200..=299 => Color32::from_rgb(0x2e, 0x7d, 0x32),
        300..=399 => Color32::from_rgb(0x15, 0x65, 0xc0),
        400..=499 => Color32::from_rgb(0xd8, 0x6a, 0x00),
        _ => Color32::from_rgb(0xc6, 0x28, 0x28),
    }
}

/// "1.2 KB", "3.4 MB".
pub fn human_size(bytes: u64) -> String {
    match bytes {
        0..=1023 => format!("{bytes} B"),
        1024..=1_048_575 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}
