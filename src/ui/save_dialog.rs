//! "Save request" (Ctrl+S): a name and a collection folder.

use super::actions::Action;
use super::draft::Draft;
use crate::core::error::Failure;
use crate::core::platform::Platform;

pub struct SaveDialog {
    pub name: String,
    pub folder: String,
    pub error: Option<Failure>,
}

impl SaveDialog {
    /// Starts from the draft: its name (else its path), and its file's
    /// folder (else the device platform's).
    pub fn for_draft(draft: &Draft, platform: Option<Platform>) -> SaveDialog {
        let folder = draft
            .saved_path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.display().to_string())
            .or_else(|| platform.map(|p| p.id().to_ascii_uppercase()))
            .unwrap_or_default();
        let name = if draft.name.is_empty() {
            draft
                .url
                .split('?')
                .next()
                .unwrap_or_default()
                .trim_matches('/')
                .replace('/', " ")
        } else {
            draft.name.clone()
        };
        SaveDialog {
            name,
            folder,
            error: None,
        }
    }

    /// The name to save under, or why not.
    pub fn checked_name(&self) -> Result<String, Failure> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Failure::usage(
                "the request needs a name",
                "Type a name, e.g. “List network objects”.",
            ));
        }
        Ok(name.to_string())
    }

    pub fn window(&mut self, ctx: &egui::Context) -> Option<Action> {
        let mut action = None;
        let modal = egui::Modal::new(egui::Id::unique("save-request")).show(ctx, |ui| {
            ui.heading("Save request");
            ui.horizontal(|ui| {
                let l = ui.add_sized([70.0, 20.0], egui::Label::new("Name"));
                ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(260.0))
                    .labelled_by(l.id);
            });
            ui.horizontal(|ui| {
                let l = ui.add_sized([70.0, 20.0], egui::Label::new("Collection"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.folder)
                        .hint_text("ASA or Lab/Reports")
                        .desired_width(260.0),
                )
                .labelled_by(l.id);
            });
            ui.weak("Saved as JSON under the workspace; no password or token is written.");
            if let Some(error) = &self.error {
                super::failure_panel::failure_frame(ui, error, None);
            }
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    action = Some(Action::SaveRequest);
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
