//! The File menu: import a Postman collection, quit.

use super::app::ApxApp;
use super::file_dialog::PathPicker;
use crate::core::interop::{FoundSecret, import_postman_file};

/// The "Import Postman collection" window's state.
#[derive(Default)]
pub struct ImportDialog {
    pub file: PathPicker,
    pub folder: String,
    pub report: Option<String>,
    /// Basic-auth passwords found in the file (never written to it), each
    /// offered for a device's keyring entry.
    pub passwords: Vec<PasswordOffer>,
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

impl ApxApp {
    pub(super) fn file_menu(&mut self, ui: &mut egui::Ui) {
        if ui.button("New device…").clicked() {
            self.open_new_device(String::new());
            ui.close();
        }
        if ui.button("Import Postman collection…").clicked() {
            self.import = Some(ImportDialog::default());
            ui.close();
        }
        if ui.button("Reload workspace").clicked() {
            self.reload_devices();
            self.collections_stamp = None;
            ui.close();
        }
        ui.separator();
        if ui.button("Quit").clicked() {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    pub(super) fn import_window(&mut self, ctx: &egui::Context) {
        let Some(mut dialog) = self.import.take() else {
            return;
        };
        let mut open = true;
        let mut run = false;
        egui::Window::new("Import Postman collection")
            .open(&mut open)
            .show(ctx, |ui| {
                dialog.file.ui(ui, "Collection", "Choose…");
                ui.horizontal(|ui| {
                    let l = ui.add_sized([110.0, 20.0], egui::Label::new("Into folder"));
                    ui.add(
                        egui::TextEdit::singleline(&mut dialog.folder)
                            .hint_text("default: the collection's name"),
                    )
                    .labelled_by(l.id);
                });
                run = ui.button("Import").clicked();
                if let Some(report) = &dialog.report {
                    ui.separator();
                    ui.label(report);
                }
                self.password_offers(ui, &mut dialog.passwords);
            });
        if run {
            let (report, secrets) = self.import_postman_file(&dialog.file.path, &dialog.folder);
            dialog.report = Some(report);
            let device = self
                .selected
                .clone()
                .filter(|d| !self.transient.contains(d))
                .unwrap_or_default();
            dialog.passwords = secrets
                .into_iter()
                .filter(|s| s.kind == "basic password")
                .map(|found| PasswordOffer {
                    found,
                    device: device.clone(),
                    outcome: None,
                    pending: None,
                })
                .collect();
            self.collections_stamp = None;
        }
        if open {
            self.import = Some(dialog);
        }
    }

    /// Offers each password found for a device's OS keyring entry (the
    /// workspace's own devices: demo devices live only in memory).
    fn password_offers(&self, ui: &mut egui::Ui, offers: &mut [PasswordOffer]) {
        let devices: Vec<&str> = self
            .devices
            .iter()
            .filter(|d| !self.transient.contains(&d.name))
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
                    let device = self.devices.iter().find(|d| d.name == offer.device);
                    // The password is bound to the file's user where it names one.
                    let key = device.map(|d| self.keyring_key(d, offer.found.user.as_deref()));
                    offer.pending = key.map(|key| {
                        self.engine.keyring(crate::engine::KeyringOp::Store {
                            key,
                            password: offer.found.secret.clone(),
                        })
                    });
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

    /// Imports a collection file as `apx import postman` does; returns the
    /// report to show and the secrets found in it (none of them written).
    fn import_postman_file(&self, path: &str, folder: &str) -> (String, Vec<FoundSecret>) {
        let into = Some(folder.trim()).filter(|f| !f.is_empty());
        match import_postman_file(&self.workspace, std::path::Path::new(path.trim()), into) {
            Ok(outcome) => (outcome.summary(), outcome.import.secrets),
            Err(f) => (format!("{}\n{}", f.message, f.hint), Vec::new()),
        }
    }
}
