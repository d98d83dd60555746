//! The File menu: import a Postman collection, quit.

use super::app::ApxApp;
use super::file_dialog::PathPicker;
use crate::core::interop::import_postman;

/// The "Import Postman collection" window's state.
#[derive(Default)]
pub struct ImportDialog {
    pub file: PathPicker,
    pub folder: String,
    pub report: Option<String>,
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
            });
        if run {
            dialog.report = Some(self.import_postman_file(&dialog.file.path, &dialog.folder));
            self.collections_stamp = None;
        }
        if open {
            self.import = Some(dialog);
        }
    }

    /// Imports a collection file; returns the report to show.
    fn import_postman_file(&mut self, path: &str, folder: &str) -> String {
        let bytes = match std::fs::read(path.trim()) {
            Ok(b) => b,
            Err(e) => return format!("Cannot read {path}: {e}"),
        };
        let import = match import_postman(&bytes) {
            Ok(i) => i,
            Err(f) => return format!("{}\n{}", f.message, f.hint),
        };
        let base = if folder.trim().is_empty() {
            import.name.clone()
        } else {
            folder.trim().to_string()
        };
        let mut written = 0;
        let mut problems = Vec::new();
        for (sub, request) in &import.requests {
            let target = [base.as_str(), sub.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/");
            match self.workspace.save_request(&target, request) {
                Ok(_) => written += 1,
                Err(f) => problems.push(f.message),
            }
        }
        let mut report = format!("Imported {written} requests into “{base}”.");
        if !import.skipped.is_empty() {
            report.push_str(&format!(
                "\nNot carried over: {}",
                import.skipped.join("; ")
            ));
        }
        if !import.secrets.is_empty() {
            report.push_str(&format!(
                "\n{} secrets in the file were NOT written to disk. Store a device password with Edit device, “Remember in the OS keyring”.",
                import.secrets.len()
            ));
        }
        for p in problems {
            report.push_str(&format!("\n{p}"));
        }
        report
    }
}
