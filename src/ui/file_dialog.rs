//! A typed path with a "Choose…" button: the file dialog runs in the
//! background (see [`super::inbox::pick`]) and its pick fills the field.

/// A typed path, and whether a dialog is open for it.
#[derive(Default)]
pub struct PathPicker {
    pub path: String,
    pub waiting: bool,
}

impl PathPicker {
    /// Draws the field and button; true when the button asks for a dialog.
    pub fn ui(&mut self, ui: &mut egui::Ui, label: &str, button: &str) -> bool {
        ui.horizontal(|ui| {
            let l = ui.add_sized([110.0, 20.0], egui::Label::new(label));
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(230.0))
                .labelled_by(l.id);
            let asked = ui
                .add_enabled(!self.waiting, egui::Button::new(button))
                .clicked();
            self.waiting |= asked;
            asked
        })
        .inner
    }

    /// A dialog's answer: a chosen file fills the field.
    pub fn picked(&mut self, path: Option<std::path::PathBuf>) {
        self.waiting = false;
        if let Some(path) = path {
            self.path = path.display().to_string();
        }
    }
}
