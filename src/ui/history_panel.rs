//! The history list: every request sent, newest first; clearable.

use std::time::{Duration, Instant};

use super::app::ApxApp;
use super::widgets::status_color;
use crate::core::history;

impl ApxApp {
    /// Re-reads the saved collections when the files changed on disk
    /// (checked at most once a second).
    pub fn refresh_collections(&mut self) {
        let due = self
            .collections_stamp
            .is_none_or(|(_, checked)| checked.elapsed() > Duration::from_secs(1));
        if !due {
            return;
        }
        let stamp = self.workspace.collections_stamp();
        if self.collections_stamp.map(|(s, _)| s) != Some(stamp) {
            self.collections = self.workspace.collections();
            self.history = None;
        }
        self.collections_stamp = Some((stamp, Instant::now()));
    }

    pub(super) fn history_list(&mut self, ui: &mut egui::Ui) {
        if self.history.is_none() {
            self.history = Some(history::load(self.workspace.dir()).unwrap_or_default());
        }
        ui.horizontal(|ui| {
            if ui.button("Clear history").clicked() {
                match history::clear(self.workspace.dir()) {
                    Ok(()) => self.notice = Some("History cleared".into()),
                    Err(e) => self.notice = Some(e.message),
                }
                self.history = None;
            }
            if ui.button("Reload").clicked() {
                self.history = None;
            }
        });
        let Some(load) = &self.history else {
            return;
        };
        if load.skipped > 0 {
            ui.weak(format!("{} unreadable history lines skipped", load.skipped));
        }
        if load.entries.is_empty() {
            ui.weak("Nothing sent yet. Every request you send is listed here (no credentials, bodies up to 64 KiB).");
            return;
        }
        let mut open = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for (i, entry) in load.entries.iter().enumerate().rev() {
                    ui.horizontal(|ui| {
                        match entry.status {
                            Some(s) => ui.colored_label(status_color(s), s.to_string()),
                            None => ui.colored_label(ui.visuals().error_fg_color, "ERR"),
                        };
                        let text = format!("{} {}", entry.method, entry.url);
                        if ui
                            .selectable_label(false, text)
                            .on_hover_text(history_hover(entry))
                            .clicked()
                        {
                            open = Some(i);
                        }
                    });
                }
            });
        if let Some(i) = open.and_then(|i| load.entries.get(i)).cloned() {
            self.draft.method = i.method.clone();
            self.draft.url = i.url.clone();
            self.draft.saved_path = None;
            if let Some(device) = i
                .device
                .filter(|d| self.devices.iter().any(|x| &x.name == d))
            {
                self.selected = Some(device);
            }
        }
    }
}

fn history_hover(entry: &history::HistoryEntry) -> String {
    let when = crate::core::tls::rfc3339(entry.timestamp as i64);
    let device = entry.device.as_deref().unwrap_or("no device");
    format!(
        "{when} · {device} · {:.0} ms · {} bytes",
        entry.elapsed_ms, entry.size
    )
}
