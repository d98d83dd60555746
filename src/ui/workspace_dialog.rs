//! "Open workspace": a folder typed or chosen (the folder dialog may be
//! missing: without a desktop portal it answers at once, like a cancel),
//! or one of the recent workspaces.

use std::path::PathBuf;

use super::actions::Action;
use super::file_dialog::PathPicker;
use super::inbox::PickTarget;
use crate::core::error::Failure;

#[derive(Default)]
pub struct WorkspaceDialog {
    pub folder: PathPicker,
    pub error: Option<Failure>,
    /// The folder being checked.
    pub opening: bool,
}

impl WorkspaceDialog {
    pub fn window(&mut self, ctx: &egui::Context, recent: &[PathBuf]) -> Option<Action> {
        let mut action = None;
        let modal = egui::Modal::new(egui::Id::unique("open-workspace")).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading("Open workspace");
            if self.folder.ui(ui, "Folder", "Choose...") {
                action = Some(Action::Pick {
                    target: PickTarget::Workspace,
                    save: false,
                });
            }
            if !recent.is_empty() {
                ui.label("Recent workspaces");
                for dir in recent {
                    if ui.button(dir.display().to_string()).clicked() {
                        self.folder.path = dir.display().to_string();
                        action = Some(Action::OpenWorkspace(dir.clone()));
                    }
                }
            }
            if let Some(error) = &self.error {
                super::failure_panel::failure_frame(ui, error, None);
            }
            ui.horizontal(|ui| {
                let typed = self.folder.path.trim();
                let open = ui.add_enabled(
                    !typed.is_empty() && !self.opening,
                    egui::Button::new("Open"),
                );
                if open.clicked() {
                    action = Some(Action::OpenWorkspace(PathBuf::from(typed)));
                }
                if ui.button("Cancel").clicked() {
                    action = Some(Action::CloseDialogs);
                }
                if self.opening {
                    ui.spinner();
                }
            });
        });
        if modal.should_close() && action.is_none() {
            action = Some(Action::CloseDialogs);
        }
        if matches!(action, Some(Action::OpenWorkspace(_))) {
            self.opening = true;
            self.error = None;
        }
        action
    }
}

/// Whether `dir` can be a workspace: an existing folder (disk I/O: never
/// in a frame). A new workspace is made with `apx` itself, not by a typo.
pub fn check(dir: &std::path::Path) -> Result<(), Failure> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Failure::usage(
            format!("{} is not a folder", dir.display()),
            "A workspace is a folder (holding devices.json and saved requests).",
        )),
        Err(e) => Err(Failure::usage(
            format!("cannot open {}: {e}", dir.display()),
            "Type the path of an existing folder, or choose one.",
        )),
    }
}
