//! The menu bar (built from the command list, with shortcuts), the status
//! bar, and the "Import Postman collection" window.

use super::actions::{Action, View};
use super::commands::Command;
use super::file_dialog::PathPicker;
use super::inbox::PickTarget;
use super::settings::{SPILL_LIMIT, Settings, Theme};
use crate::core::interop::FoundSecret;

/// Where the File menu's windows (import, export) first open.
pub const WINDOW_POS: egui::Pos2 = egui::pos2(320.0, 60.0);

/// The "Import Postman collection" window's state.
#[derive(Default)]
pub struct ImportDialog {
    pub file: PathPicker,
    pub folder: String,
    pub report: Option<String>,
    /// Basic-auth passwords found in the file (never written to it), each
    /// offered for a device's keyring entry.
    pub passwords: Vec<PasswordOffer>,
    /// An import under way.
    pub running: bool,
}

/// A password found in an imported collection, and where it may go.
pub struct PasswordOffer {
    pub found: FoundSecret,
    /// The device whose keyring entry it would become.
    pub device: String,
    /// What storing it gave, once tried.
    pub outcome: Option<String>,
    /// The keyring change under way.
    pub pending: Option<crate::engine::JobId>,
}

pub fn menu_bar(ui: &mut egui::Ui, settings: &mut Settings, view: &View) -> Vec<Action> {
    let mut actions = Vec::new();
    egui::Panel::top("menu").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                for c in [
                    Command::NewTab,
                    Command::CloseTab,
                    Command::NewRequest,
                    Command::NewFolder,
                    Command::SaveRequest,
                    Command::NewDevice,
                    Command::OpenWorkspace,
                    Command::ExportCollection,
                    Command::ImportPostman,
                    Command::ReloadWorkspace,
                ] {
                    c.menu_item(ui, &mut actions);
                }
                ui.separator();
                Command::Quit.menu_item(ui, &mut actions);
            });
            ui.menu_button("Request", |ui| {
                for c in [
                    Command::Send,
                    Command::Cancel,
                    Command::CopyCurl,
                    Command::Find,
                    Command::FocusUrl,
                    Command::NextTab,
                    Command::PreviousTab,
                ] {
                    c.menu_item(ui, &mut actions);
                }
            });
            ui.menu_button("View", |ui| {
                Command::Palette.menu_item(ui, &mut actions);
                ui.separator();
                for theme in Theme::ALL {
                    if ui.radio(settings.theme == theme, theme.label()).clicked() {
                        actions.push(Action::Run(Command::Theme(theme)));
                    }
                }
                ui.separator();
                let spill = format!(
                    "Larger response bodies go to a temporary file instead of memory, up to {} GiB (or this limit, if higher); a larger body is stopped",
                    SPILL_LIMIT >> 30
                );
                number_setting(ui, "Body size limit", &mut settings.max_body_mb, 65_536, " MB", &spill);
                number_setting(
                    ui,
                    "Timeout",
                    &mut settings.timeout_secs,
                    3600,
                    " s",
                    "How long a request may take before it is stopped",
                );
                ui.checkbox(&mut settings.keep_sessions, "Keep sessions open")
                    .on_hover_text(
                        "Log in once per device and reuse the session between sends, instead of a login and a logout for every send",
                    );
                ui.add_enabled_ui(settings.keep_sessions, |ui| {
                    number_setting(
                        ui,
                        "Log out after",
                        &mut settings.session_idle_min,
                        1440,
                        " min idle",
                        "A kept session is logged out after this long without a send, and always when apx exits",
                    );
                });
                number_setting(
                    ui,
                    "Fan-out concurrency",
                    &mut settings.concurrency,
                    1024,
                    " devices",
                    "How many devices a fan-out sends to at a time",
                );
            });
            ui.separator();
            ui.weak(format!("Workspace: {}", view.workspace.display()));
        });
    });
    actions
}

/// A labelled number from 1 to `max`, with its unit and a hover text.
fn number_setting(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut u64,
    max: u64,
    unit: &str,
    hover: &str,
) {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::DragValue::new(value).range(1..=max).suffix(unit))
            .labelled_by(l.id)
            .on_hover_text(hover);
    });
}

/// The notice, else the main shortcuts; the sessions kept open on the right.
pub fn status_bar(ui: &mut egui::Ui, notice: Option<&str>, sessions: &[String]) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            match notice {
                Some(notice) => ui.label(notice),
                None => {
                    let hints: Vec<String> = [
                        Command::Send,
                        Command::SaveRequest,
                        Command::Find,
                        Command::NewTab,
                        Command::Palette,
                    ]
                    .iter()
                    .filter_map(|c| {
                        let s = c.shortcut()?;
                        Some(format!(
                            "{} {}",
                            ui.ctx().format_shortcut(&s),
                            c.name().trim_end_matches('…').to_lowercase()
                        ))
                    })
                    .collect();
                    ui.weak(hints.join(" · "))
                }
            };
            // After the notice: a right-to-left layout takes all the room left.
            if !sessions.is_empty() {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.weak(format!("Sessions open: {}", sessions.join(", ")))
                        .on_hover_text(
                            "Logged in and kept open between sends; logged out when idle (View menu) and when apx exits",
                        );
                });
            }
        });
    });
}

impl ImportDialog {
    pub fn window(&mut self, ctx: &egui::Context, view: &View) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut open = true;
        // Below the menu bar (at the top left it would cover the File menu),
        // growing downwards so that its buttons stay put.
        egui::Window::new("Import Postman collection")
            .default_pos(WINDOW_POS)
            .open(&mut open)
            .show(ctx, |ui| {
                if self.file.ui(ui, "Collection", "Choose…") {
                    actions.push(Action::Pick {
                        target: PickTarget::ImportFile,
                        save: false,
                    });
                }
                ui.horizontal(|ui| {
                    let l = ui.add_sized([110.0, 20.0], egui::Label::new("Into folder"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.folder)
                            .hint_text("default: the collection's name"),
                    )
                    .labelled_by(l.id);
                });
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!self.running, egui::Button::new("Import"))
                        .clicked()
                    {
                        self.running = true;
                        actions.push(Action::ImportPostman);
                    }
                    if self.running {
                        ui.spinner();
                    }
                });
                if let Some(report) = &self.report {
                    ui.separator();
                    ui.label(report);
                }
                password_offers(ui, &mut self.passwords, view, &mut actions);
            });
        if !open {
            actions.push(Action::CloseDialogs);
        }
        actions
    }
}

/// Offers each password found for a device's OS keyring entry (the
/// workspace's own devices: demo devices live only in memory).
fn password_offers(
    ui: &mut egui::Ui,
    offers: &mut [PasswordOffer],
    view: &View,
    actions: &mut Vec<Action>,
) {
    let devices: Vec<&str> = view
        .devices
        .iter()
        .filter(|d| !view.transient.contains(&d.name))
        .map(|d| d.name.as_str())
        .collect();
    if offers.is_empty() || devices.is_empty() {
        return;
    }
    ui.separator();
    ui.label("Store a password found in the file as a device's password, in the OS keyring:");
    for (i, offer) in offers.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let user = offer.found.user.as_deref().unwrap_or("?");
            ui.label(format!("“{}” (user {user})", offer.found.request));
            let l = ui.label("for device");
            egui::ComboBox::from_id_salt(("keyring-device", i))
                .selected_text(if offer.device.is_empty() {
                    "device…"
                } else {
                    offer.device.as_str()
                })
                .show_ui(ui, |ui| {
                    for name in &devices {
                        ui.selectable_value(&mut offer.device, name.to_string(), *name);
                    }
                })
                .response
                .labelled_by(l.id);
            let ready =
                !offer.device.is_empty() && offer.outcome.is_none() && offer.pending.is_none();
            if ui
                .add_enabled(ready, egui::Button::new("Store in keyring"))
                .clicked()
            {
                actions.push(Action::StoreFoundPassword(i));
            }
            if offer.pending.is_some() {
                ui.weak("storing…");
            }
            if let Some(outcome) = &offer.outcome {
                ui.weak(outcome);
            }
        });
    }
}
