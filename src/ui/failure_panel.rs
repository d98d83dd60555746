//! The decoded error panel: title, platform code, message, details, the
//! hint in the app's words (its settings and buttons, not CLI flags), and
//! the raw body on demand.

use crate::core::error::{Failure, Remedy};

/// Draws a failure. With `raw`, offers to show the raw body.
pub fn failure_frame(ui: &mut egui::Ui, failure: &Failure, raw: Option<(&[u8], &mut bool)>) {
    failure_frame_with(ui, failure, raw, |_, _| {});
}

/// Draws a failure; `offer` adds, inside the frame, what the app offers
/// for the failure's remedy (a button).
pub fn failure_frame_with(
    ui: &mut egui::Ui,
    failure: &Failure,
    raw: Option<(&[u8], &mut bool)>,
    offer: impl FnOnce(&mut egui::Ui, Remedy),
) {
    let visuals = ui.visuals();
    let accent = visuals.error_fg_color;
    let fill = if visuals.dark_mode {
        egui::Color32::from_rgb(0x3a, 0x1d, 0x1d)
    } else {
        egui::Color32::from_rgb(0xfd, 0xec, 0xea)
    };
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, accent))
        .corner_radius(6.0)
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(accent, egui::RichText::new(failure.kind.title()).strong());
                let origin = match (&failure.format, &failure.code) {
                    (Some(format), Some(code)) => Some(format!("{} {code}", format_name(*format))),
                    (None, Some(code)) => Some(code.clone()),
                    _ => None,
                };
                if let Some(origin) = origin {
                    ui.monospace(format!("[{origin}]"));
                }
            });
            ui.label(egui::RichText::new(&failure.message).strong());
            for detail in &failure.details {
                ui.monospace(detail);
            }
            let hint = match failure.remedy {
                Some(remedy) => app_hint(remedy),
                None => &failure.hint,
            };
            if !hint.is_empty() {
                ui.horizontal_wrapped(|ui| {
                    ui.strong("Hint:");
                    ui.label(hint);
                });
            }
            if let Some(remedy) = failure.remedy {
                offer(ui, remedy);
            }
            if let Some((body, show)) = raw {
                ui.checkbox(show, "Show raw body");
                if *show {
                    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
                    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).wrap());
                }
            }
        });
}

/// What to do about a failure, in the app's terms.
pub fn app_hint(remedy: Remedy) -> &'static str {
    match remedy {
        Remedy::TrustCertificate => {
            "Compare the SHA-256 fingerprint on the Certificate tab with the one on the appliance's console, then trust this certificate for this device."
        }
        Remedy::RaiseTimeout => {
            "The appliance is slow or unreachable: check it responds, or raise View > Timeout."
        }
        Remedy::EnterPassword => {
            "Type the device's password in the Auth tab (Edit device > Password keeps it in the OS keyring)."
        }
        Remedy::EnterPasscode => {
            "Enter the current passcode from the account's authenticator: the request is sent again with it (it is never kept)."
        }
        Remedy::EnterKeyPassphrase => {
            "Enter the passphrase of the client certificate's encrypted key: the request is sent again with it (kept in memory, or in the OS keyring if you ask)."
        }
        Remedy::RaiseBodyLimit => {
            "The body passed what the app keeps: raise View > Body size limit, then send again."
        }
        Remedy::AllowPlainHttp => {
            "Use https://, or allow plain HTTP for this device (Edit device > Allow plain HTTP): credentials would travel unencrypted."
        }
    }
}

fn format_name(format: crate::core::error::ErrorFormat) -> &'static str {
    match format {
        crate::core::error::ErrorFormat::Asa => "ASA",
        crate::core::error::ErrorFormat::Fxos => "FXOS",
        crate::core::error::ErrorFormat::Asyncos => "AsyncOS",
        crate::core::error::ErrorFormat::Fmc => "FMC",
        crate::core::error::ErrorFormat::Fdm => "FDM",
    }
}
