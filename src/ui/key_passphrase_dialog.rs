//! The passphrase of an encrypted client key, asked in a small modal dialog
//! when a send needs it; kept in memory until apx closes, and in the OS
//! keyring (by the key file's path) when asked.

use std::path::PathBuf;

use super::actions::Action;
use crate::core::secret::Secret;

/// The passphrase being typed (masked) for the key at `key`.
pub struct KeyPassphraseDialog {
    pub key: PathBuf,
    input: String,
    remember: bool,
}

impl KeyPassphraseDialog {
    pub fn new(key: PathBuf) -> Self {
        KeyPassphraseDialog {
            key,
            input: String::new(),
            remember: false,
        }
    }

    pub fn window(&mut self, ctx: &egui::Context) -> Option<Action> {
        let mut action = None;
        let modal = egui::Modal::new(egui::Id::unique("key-passphrase")).show(ctx, |ui| {
            ui.heading("Client key passphrase");
            ui.label(format!(
                "The client certificate's key {} is encrypted: type its passphrase.",
                self.key.display()
            ));
            let field = ui.horizontal(|ui| {
                let label = ui.label("Key passphrase");
                ui.add(egui::TextEdit::singleline(&mut self.input).password(true))
                    .labelled_by(label.id)
            });
            ui.checkbox(&mut self.remember, "Remember in the OS keyring");
            let entered = field.inner.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                let go = ui.add_enabled(!self.input.is_empty(), egui::Button::new("Continue"));
                if go.clicked() || (entered && !self.input.is_empty()) {
                    action = Some(Action::SendWithKeyPassphrase {
                        key: self.key.clone(),
                        passphrase: Secret::new(std::mem::take(&mut self.input)),
                        remember: self.remember,
                    });
                }
                if ui.button("Cancel").clicked() {
                    action = Some(Action::CloseDialogs);
                }
            });
        });
        if modal.should_close() && action.is_none() {
            action = Some(Action::CloseDialogs);
        }
        action
    }
}
