//! The passcode of a two-factor login (AsyncOS), asked in a small modal
//! dialog when the appliance wants one; it goes with one send (or one
//! re-run of a folder run's failed rows) and is never kept.

use super::actions::Action;
use crate::core::secret::Secret;

/// The passcode being typed (masked).
#[derive(Default)]
pub struct PasscodeDialog {
    input: String,
    /// For the run window's failed rows, not the active tab.
    for_run: bool,
}

impl PasscodeDialog {
    /// The dialog for the run window's failed rows.
    pub fn for_run() -> Self {
        PasscodeDialog {
            for_run: true,
            ..Default::default()
        }
    }

    pub fn window(&mut self, ctx: &egui::Context) -> Option<Action> {
        let mut action = None;
        let modal = egui::Modal::new(egui::Id::unique("two-factor-passcode")).show(ctx, |ui| {
            ui.heading("Second factor");
            ui.label("This account needs a second factor: type the current passcode.");
            let field = ui.horizontal(|ui| {
                let label = ui.label("Passcode");
                ui.add(egui::TextEdit::singleline(&mut self.input).password(true))
                    .labelled_by(label.id)
            });
            let entered = field.inner.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                let go =
                    ui.add_enabled(!self.input.trim().is_empty(), egui::Button::new("Continue"));
                if go.clicked() || (entered && !self.input.trim().is_empty()) {
                    let passcode = Secret::new(std::mem::take(&mut self.input).trim());
                    action = Some(match self.for_run {
                        true => Action::RerunWithPasscode(passcode),
                        false => Action::SendWithPasscode(passcode),
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
