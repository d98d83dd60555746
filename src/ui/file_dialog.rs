//! File choosing that never blocks the UI: an rfd dialog on a worker thread,
//! always next to a typed path (with no desktop portal, rfd returns at once,
//! exactly like a cancel).

use std::path::PathBuf;
use std::sync::mpsc;

/// A typed path with a "Choose…" button.
#[derive(Default)]
pub struct PathPicker {
    pub path: String,
    pending: Option<mpsc::Receiver<Option<PathBuf>>>,
}

impl PathPicker {
    /// Draws the field and button; a chosen file fills the field.
    pub fn ui(&mut self, ui: &mut egui::Ui, label: &str, button: &str) {
        self.poll();
        ui.horizontal(|ui| {
            let l = ui.add_sized([110.0, 20.0], egui::Label::new(label));
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(230.0))
                .labelled_by(l.id);
            let waiting = self.pending.is_some();
            if ui
                .add_enabled(!waiting, egui::Button::new(button))
                .clicked()
            {
                self.pending = Some(pick(Pick::Open));
            }
        });
    }

    fn poll(&mut self) {
        if let Some(rx) = &self.pending
            && let Ok(choice) = rx.try_recv()
        {
            if let Some(path) = choice {
                self.path = path.display().to_string();
            }
            self.pending = None;
        }
    }
}

/// What kind of dialog to show.
#[derive(Clone, Copy)]
pub enum Pick {
    Open,
    Save,
}

/// Shows a dialog on a worker thread; the answer arrives on the channel.
pub fn pick(kind: Pick) -> mpsc::Receiver<Option<PathBuf>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let dialog = rfd::FileDialog::new();
        let choice = match kind {
            Pick::Open => dialog.pick_file(),
            Pick::Save => dialog.save_file(),
        };
        let _ = tx.send(choice);
    });
    rx
}
