//! The certificate tab: the presented chain, its flags, the diagnosis, and
//! the one-click "trust this certificate for this device".

use super::actions::{Action, View};
use super::failure_panel::app_hint;
use super::tabs::ResponseState;
use crate::core::error::Remedy;
use crate::core::tls::{CertFacts, Trust};
use crate::core::workspace::Device;

fn flag(ui: &mut egui::Ui, ok: bool, good: &str, bad: &str) {
    if ok {
        ui.colored_label(
            egui::Color32::from_rgb(0x2e, 0x9d, 0x42),
            format!("OK: {good}"),
        );
    } else {
        ui.colored_label(ui.visuals().warn_fg_color, format!("NO: {bad}"));
    }
}

/// The device the shown certificate may be pinned for: the one the request
/// went to, if the handshake was with its host.
pub fn trust_target<'a>(response: &ResponseState, view: &'a View<'a>) -> Option<&'a Device> {
    let device = view.device(response.device.as_deref())?;
    let base = url::Url::parse(&device.base_url).ok()?;
    let host = base.host_str()?;
    let handshake = response.handshake.as_ref()?;
    (handshake.host == host.trim_start_matches('[').trim_end_matches(']')).then_some(device)
}

/// "Trust this certificate for this device", for the device the shown
/// certificate may be pinned for; nothing when there is none.
pub fn trust_button(
    ui: &mut egui::Ui,
    response: &ResponseState,
    view: &View,
    actions: &mut Vec<Action>,
) {
    let leaf = response.handshake.as_ref().and_then(|h| h.chain.first());
    let (Some(target), Some(leaf)) = (trust_target(response, view), leaf) else {
        return;
    };
    let sha256 = &leaf.sha256;
    let pinned = matches!(&target.trust, Trust::Pin { sha256: s } if s == sha256);
    let button = egui::Button::new("Trust this certificate for this device");
    if ui
        .add_enabled(!pinned && response.running.is_none(), button)
        .on_hover_text(format!(
            "Pins SHA-256 {sha256} for {} and sends again. Compare it with the fingerprint on the appliance's console first.",
            target.name
        ))
        .clicked()
    {
        actions.push(Action::TrustCertificate);
    }
    if pinned {
        ui.weak("This certificate is pinned for the device.");
    }
}

pub fn ui(ui: &mut egui::Ui, response: &ResponseState, view: &View, actions: &mut Vec<Action>) {
    let Some(handshake) = response.handshake.clone() else {
        ui.weak("No TLS handshake: plain HTTP, or the connection failed before TLS.");
        return;
    };
    ui.horizontal_wrapped(|ui| {
        if handshake.insecure {
            ui.colored_label(ui.visuals().warn_fg_color, "NOT verified (insecure)");
        } else {
            flag(ui, handshake.verified(), "verified", "not verified");
        }
        flag(ui, !handshake.self_signed(), "CA-issued", "self-signed");
        flag(ui, !handshake.expired(), "within validity", "expired");
        flag(
            ui,
            handshake.hostname_matches(),
            &format!("valid for {}", handshake.host),
            &format!("not valid for {}", handshake.host),
        );
    });
    if let Some(problem) = &handshake.problem {
        ui.label(egui::RichText::new(problem.message()).strong());
        let hint = problem
            .remedy()
            .map_or_else(|| problem.hint(), |r| app_hint(r).to_string());
        ui.label(format!("Hint: {hint}"));
    }
    // A failure the certificate explains offers the trust button in its panel.
    let offered_above = response
        .result
        .as_ref()
        .and_then(|r| r.error.as_ref())
        .is_some_and(|e| e.remedy == Some(Remedy::TrustCertificate));
    if let Some(leaf) = handshake.chain.first() {
        ui.horizontal(|ui| {
            if trust_target(response, view).is_none() {
                if ui.button("Add this host as a device…").clicked() {
                    actions.push(Action::AddHostAsDevice {
                        sha256: leaf.sha256.clone(),
                    });
                }
            } else if !offered_above {
                trust_button(ui, response, view, actions);
            }
        });
    }
    egui::ScrollArea::vertical()
        .id_salt("chain")
        .show(ui, |ui| {
            for (i, cert) in handshake.chain.iter().enumerate() {
                cert_card(ui, i, cert);
            }
        });
}

fn cert_card(ui: &mut egui::Ui, index: usize, c: &CertFacts) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let role = if index == 0 { "Leaf" } else { "Issuer" };
        ui.strong(format!("[{index}] {role}: {}", c.subject));
        egui::Grid::new(("cert", index))
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Issuer");
                ui.label(&c.issuer);
                ui.end_row();
                ui.label("Valid");
                ui.label(format!("{}  to  {}", c.not_before, c.not_after));
                ui.end_row();
                ui.label("SHA-256");
                ui.add(egui::Label::new(egui::RichText::new(&c.sha256).monospace()).wrap());
                ui.end_row();
                ui.label("SAN");
                ui.label(if c.san.is_empty() {
                    "(none)".to_string()
                } else {
                    c.san.join(", ")
                });
                ui.end_row();
                ui.label("Self-signed");
                ui.label(if c.self_signed { "yes" } else { "no" });
                ui.end_row();
            });
    });
}
