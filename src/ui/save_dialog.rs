//! "Save request" (Ctrl+S): a name and a collection folder.

use super::app::ApxApp;
use crate::core::error::Failure;

pub struct SaveDialog {
    pub name: String,
    pub folder: String,
    pub error: Option<Failure>,
}

impl ApxApp {
    pub fn open_save_dialog(&mut self) {
        let folder = self
            .draft
            .saved_path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.display().to_string())
            .or_else(|| {
                self.selected_device()
                    .map(|d| d.platform.id().to_ascii_uppercase())
            })
            .unwrap_or_default();
        let name = if self.draft.name.is_empty() {
            self.draft
                .url
                .split('?')
                .next()
                .unwrap_or_default()
                .trim_matches('/')
                .replace('/', " ")
        } else {
            self.draft.name.clone()
        };
        self.save_dialog = Some(SaveDialog {
            name,
            folder,
            error: None,
        });
    }

    pub(super) fn save_dialog(&mut self, ctx: &egui::Context) {
        let Some(mut dialog) = self.save_dialog.take() else {
            return;
        };
        let mut keep = true;
        let mut save = false;
        let modal = egui::Modal::new(egui::Id::unique("save-request")).show(ctx, |ui| {
            ui.heading("Save request");
            ui.horizontal(|ui| {
                let l = ui.add_sized([70.0, 20.0], egui::Label::new("Name"));
                ui.add(egui::TextEdit::singleline(&mut dialog.name).desired_width(260.0))
                    .labelled_by(l.id);
            });
            ui.horizontal(|ui| {
                let l = ui.add_sized([70.0, 20.0], egui::Label::new("Collection"));
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.folder)
                        .hint_text("ASA or Lab/Reports")
                        .desired_width(260.0),
                )
                .labelled_by(l.id);
            });
            ui.weak("Saved as JSON under the workspace; no password or token is written.");
            if let Some(error) = &dialog.error {
                super::failure_panel::failure_frame(ui, error, None);
            }
            ui.horizontal(|ui| {
                save = ui.button("Save").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
        if modal.should_close() {
            keep = false;
        }
        if save {
            match self.save_draft(&dialog.name, &dialog.folder) {
                Ok(()) => keep = false,
                Err(e) => dialog.error = Some(e),
            }
        }
        if keep {
            self.save_dialog = Some(dialog);
        }
    }

    fn save_draft(&mut self, name: &str, folder: &str) -> Result<(), Failure> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Failure::usage(
                "the request needs a name",
                "Type a name, e.g. “List network objects”.",
            ));
        }
        self.draft.name = name.to_string();
        let device = self.selected.clone();
        let saved = self.draft.to_saved(device.as_deref());
        let path = self
            .workspace
            .save_request(folder.trim().trim_matches('/'), &saved)?;
        let relative = path
            .strip_prefix(self.workspace.dir())
            .map(|p| p.to_path_buf())
            .unwrap_or(path);
        self.notice = Some(format!("Saved {}", relative.display()));
        self.draft.saved_path = Some(relative);
        self.collections_stamp = None;
        Ok(())
    }
}
