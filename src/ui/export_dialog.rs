//! "Export collection": a folder of saved requests written as a Postman
//! v2.1 collection or a curl script (as `apx export` does; no secret in
//! either), to a typed or chosen file.

use std::path::Path;

use super::actions::Action;
use super::file_dialog::PathPicker;
use super::inbox::PickTarget;
use super::menus::WINDOW_POS;
use crate::core::error::Failure;
use crate::core::interop::{curl_script, postman_folder};
use crate::core::workspace::collections::Collections;
use crate::core::workspace::saved::SavedRequest;
use crate::core::workspace::{Device, atomic};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Postman,
    Curl,
}

#[derive(Default)]
pub struct ExportDialog {
    /// The folder exported (empty: every saved request).
    pub folder: String,
    pub format: ExportFormat,
    pub file: PathPicker,
    /// What the last export did, or why it failed.
    pub outcome: Option<Result<String, Failure>>,
    pub running: bool,
}

impl ExportDialog {
    pub fn window(&mut self, ctx: &egui::Context) -> Option<Action> {
        let mut action = None;
        let mut open = true;
        // Below the menu bar (at the top left it would cover the File menu),
        // growing downwards so that its buttons stay put.
        egui::Window::new("Export collection")
            .default_pos(WINDOW_POS)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let l = ui.add_sized([110.0, 20.0], egui::Label::new("Folder"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.folder)
                            .hint_text("every saved request"),
                    )
                    .labelled_by(l.id);
                });
                ui.horizontal(|ui| {
                    ui.add_sized([110.0, 20.0], egui::Label::new("Format"));
                    ui.radio_value(&mut self.format, ExportFormat::Postman, "Postman v2.1");
                    ui.radio_value(&mut self.format, ExportFormat::Curl, "curl script");
                });
                if self.file.ui(ui, "Save to", "Choose...") {
                    action = Some(Action::Pick {
                        target: PickTarget::ExportFile,
                        save: true,
                    });
                }
                ui.weak("No password or token is written: credentials stay variables.");
                ui.horizontal(|ui| {
                    let ready = !self.running && !self.file.path.trim().is_empty();
                    if ui.add_enabled(ready, egui::Button::new("Export")).clicked() {
                        self.running = true;
                        self.outcome = None;
                        action = Some(Action::ExportCollection);
                    }
                    if self.running {
                        ui.spinner();
                    }
                });
                match &self.outcome {
                    Some(Ok(done)) => {
                        ui.label(done);
                    }
                    Some(Err(failure)) => super::failure_panel::failure_frame(ui, failure, None),
                    None => {}
                }
            });
        if !open {
            action = Some(Action::CloseDialogs);
        }
        action
    }
}

/// Writes the export (disk I/O: never in a frame); says what it wrote.
pub fn export(
    collections: &Collections,
    folder: &str,
    format: ExportFormat,
    path: &Path,
    device_for: impl Fn(&SavedRequest) -> Option<Device>,
) -> Result<String, Failure> {
    let (text, count) = match format {
        ExportFormat::Postman => {
            let exported = postman_folder(collections, folder)?;
            (exported.text, exported.count)
        }
        ExportFormat::Curl => curl_script(collections, folder, device_for)?,
    };
    atomic::write_atomic(path, text.as_bytes()).map_err(|e| {
        Failure::usage(
            format!("cannot write {}: {e}", path.display()),
            "Check the folder exists and is writable.",
        )
    })?;
    let plural = if count == 1 { "" } else { "s" };
    Ok(format!(
        "Exported {count} request{plural} to {}",
        path.display()
    ))
}
