//! The response viewer: status, progress, the decoded error panel and the
//! Body, Headers, Certificate and Timeline tabs of one tab's response,
//! labelled with the device and request it answered.

use super::actions::{Action, View};
use super::commands::Command;
use super::failure_panel::failure_frame_with;
use super::highlight::RowHighlighter;
use super::tabs::{ResponseState, ResponseTab};
use super::widgets::{human_size, pill, status_color};
use crate::core::error::Remedy;
use crate::core::platform::reason_phrase;
use crate::engine::session::Step;

pub fn ui(
    ui: &mut egui::Ui,
    response: &mut ResponseState,
    highlighter: &mut RowHighlighter,
    view: &View,
) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(running) = response.running.clone() {
        ui.horizontal(|ui| {
            ui.spinner();
            let elapsed = running.started.elapsed().as_secs_f64();
            let status = running
                .status
                .map(|s| format!("HTTP {s} · "))
                .unwrap_or_default();
            let total = running
                .total
                .map(|t| format!(" of {}", human_size(t)))
                .unwrap_or_default();
            let page = match running.page {
                Some((number, Some(of))) => format!("page {number} of {of} · "),
                Some((number, None)) => format!("page {number} · "),
                None => String::new(),
            };
            ui.label(format!(
                "{page}{status}{elapsed:.1} s · {}{total} received",
                human_size(running.received)
            ));
            if ui.button("Cancel").clicked() {
                actions.push(Action::Run(Command::Cancel));
            }
        });
    }
    if let Some(failure) = response.input_error.clone() {
        failure_frame_with(ui, &failure, None, |ui, remedy| {
            offer(ui, remedy, response, view, &mut actions)
        });
        return actions;
    }
    let Some(result) = response.result.clone() else {
        if response.running.is_none() {
            empty_state(ui, view);
        }
        return actions;
    };
    ui.horizontal(|ui| {
        let from = response.device.as_deref().unwrap_or("no device");
        ui.weak(format!("{from} · {} {}", result.method, result.url));
    });
    ui.horizontal(|ui| {
        if let Some(status) = result.status {
            pill(
                ui,
                &format!("{status} {}", reason_phrase(status)),
                status_color(status),
            );
        }
        ui.label(format!("{:.1} ms", result.elapsed.as_secs_f64() * 1000.0));
        ui.label(human_size(result.body.len()));
        if let Some(n) = result.pages {
            ui.label(match n {
                1 => "1 page".to_string(),
                n => format!("{n} pages"),
            });
        }
        if result.handshake.as_ref().is_some_and(|h| h.insecure) {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Certificate NOT verified (insecure)",
            );
        }
    });
    for warning in &result.warnings {
        ui.colored_label(ui.visuals().warn_fg_color, format!("Warning: {warning}"));
    }
    let platform = view.device(response.device.as_deref()).map(|d| d.platform);
    if let Some(note) = platform
        .zip(result.status)
        .and_then(|(p, status)| p.deploy_note(&result.method, status))
    {
        ui.label(format!("Note: {note}"));
    }
    if let Some(note) = platform
        .zip(result.status)
        .zip(result.body.bytes())
        .and_then(|((p, status), body)| p.no_records_note(status, body))
    {
        ui.label(format!("Note: {note}"));
    }
    if let Some(failure) = &result.error {
        let body = result.body.bytes().filter(|b| !b.is_empty());
        let mut show = response.show_error_body;
        failure_frame_with(ui, failure, body.map(|b| (b, &mut show)), |ui, remedy| {
            offer(ui, remedy, response, view, &mut actions)
        });
        response.show_error_body = show;
    }
    ui.horizontal(|ui| {
        for (tab, label) in [
            (ResponseTab::Body, "Body"),
            (ResponseTab::Headers, "Headers"),
            (ResponseTab::Certificate, "Certificate"),
            (ResponseTab::Timeline, "Timeline"),
        ] {
            ui.selectable_value(&mut response.tab, tab, label);
        }
    });
    match response.tab {
        ResponseTab::Body => super::body_view::ui(ui, response, highlighter, &result, &mut actions),
        ResponseTab::Headers => headers_view(ui, &result.headers),
        ResponseTab::Certificate => super::certificate_view::ui(ui, response, view, &mut actions),
        ResponseTab::Timeline => timeline_view(ui, response),
    }
    actions
}

/// The app's way out of a failure, where it has a button for it.
fn offer(
    ui: &mut egui::Ui,
    remedy: Remedy,
    response: &ResponseState,
    view: &View,
    actions: &mut Vec<Action>,
) {
    match remedy {
        Remedy::TrustCertificate => {
            super::certificate_view::trust_button(ui, response, view, actions)
        }
        Remedy::EnterPassword => {
            if ui.button("Enter the password").clicked() {
                actions.push(Action::EnterPassword);
            }
        }
        Remedy::EnterPasscode => {
            if ui.button("Enter the passcode").clicked() {
                actions.push(Action::AskPasscode);
            }
        }
        Remedy::EnterKeyPassphrase => {
            if ui.button("Enter the key passphrase").clicked() {
                actions.push(Action::AskKeyPassphrase);
            }
        }
        Remedy::AllowPlainHttp => {
            let device = view
                .device(response.device.as_deref())
                .filter(|d| !view.transient.contains(&d.name));
            if let Some(device) = device
                && ui.button("Edit device").clicked()
            {
                actions.push(Action::EditDevice(device.name.clone()));
            }
        }
        Remedy::RaiseTimeout | Remedy::RaiseBodyLimit => {}
    }
}

fn empty_state(ui: &mut egui::Ui, view: &View) {
    ui.add_space(20.0);
    ui.vertical_centered(|ui| {
            ui.heading("No response yet");
            ui.label("Pick a device on the left, choose an endpoint from the Catalog (or type a path), then Send (Ctrl+Enter).");
            if view.devices.is_empty() {
                ui.label("Start apx with --demo to try the built-in ASA, FXOS, WSA and SMA appliances.");
            }
        });
}

fn timeline_view(ui: &mut egui::Ui, response: &ResponseState) {
    if response.timeline.is_empty() {
        ui.weak("No exchange yet.");
        return;
    }
    egui::Grid::new("timeline")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for h in ["Step", "Request", "Status", "Time", "Note"] {
                ui.strong(h);
            }
            ui.end_row();
            for r in &response.timeline {
                ui.label(format!("{:?}", r.step));
                ui.monospace(format!("{} {}", r.method, r.url).trim_start());
                match r.status {
                    Some(s) => ui.colored_label(status_color(s), s.to_string()),
                    // Nothing was exchanged: the kept session was used.
                    None if r.step == Step::Reuse => ui.label("-"),
                    None => ui.label("failed"),
                };
                ui.label(format!("{:.1} ms", r.elapsed_ms));
                ui.label(r.note.as_deref().unwrap_or(""));
                ui.end_row();
            }
        });
}

fn headers_view(ui: &mut egui::Ui, headers: &[(String, String)]) {
    if headers.is_empty() {
        ui.weak("No headers: no response came back.");
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("resp-headers")
        .show(ui, |ui| {
            egui::Grid::new("resp-headers-grid")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (name, value) in headers {
                        ui.monospace(name);
                        ui.add(egui::Label::new(egui::RichText::new(value).monospace()).wrap());
                        ui.end_row();
                    }
                });
        });
}
