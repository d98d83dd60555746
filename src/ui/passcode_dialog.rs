//! The passcode of a two-factor login (AsyncOS), asked in a small modal
//! dialog when the appliance wants one; it goes with one send (or one
//! re-run of the rows of one device of a folder run that asked for it) and
//! is never kept.

use super::actions::Action;
use crate::core::secret::Secret;

/// The passcode being typed (masked).
#[derive(Default)]
pub struct PasscodeDialog {
    input: String,
    /// For the run window's rows of this device, not the active tab.
    for_run: Option<String>,
}

impl PasscodeDialog {
    /// The dialog for the run window's rows of `device` whose login asked
    /// for a passcode (a code typed for one device goes to no other).
    pub fn for_run(device: String) -> Self {
        PasscodeDialog {
            for_run: Some(device),
            ..Default::default()
        }
    }

    pub fn window(&mut self, ctx: &egui::Context) -> Option<Action> {
        let mut action = None;
        let modal = egui::Modal::new(egui::Id::unique("two-factor-passcode")).show(ctx, |ui| {
            ui.heading("Second factor");
            ui.label(match &self.for_run {
                Some(device) => format!(
                    "The account on {device} needs a second factor: type its current passcode."
                ),
                None => "This account needs a second factor: type the current passcode.".into(),
            });
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
                    action = Some(match &self.for_run {
                        Some(device) => Action::RerunWithPasscode {
                            device: device.clone(),
                            passcode,
                        },
                        None => Action::SendWithPasscode(passcode),
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
