//! The history list: every request sent, newest first; clearable. Read
//! and cleared in the background.

use super::actions::Action;
use super::side_panel::SideState;
use super::widgets::status_color;
use crate::core::history;

pub fn ui(ui: &mut egui::Ui, state: &mut SideState, actions: &mut Vec<Action>) {
    if state.history.is_none() && !state.history_loading {
        state.history_loading = true;
        actions.push(Action::LoadHistory);
    }
    ui.horizontal(|ui| {
        if ui.button("Clear history").clicked() {
            actions.push(Action::ClearHistory);
        }
        if ui.button("Reload").clicked() {
            state.history = None;
        }
    });
    let Some(load) = &state.history else {
        ui.spinner();
        return;
    };
    if load.skipped > 0 {
        ui.weak(format!("{} unreadable history lines skipped", load.skipped));
    }
    if load.entries.is_empty() {
        ui.weak("Nothing sent yet. Every request you send is listed here (no credentials, bodies up to 64 KiB).");
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for entry in load.entries.iter().rev() {
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
                        actions.push(Action::OpenHistory(Box::new(entry.clone())));
                    }
                });
            }
        });
}

fn history_hover(entry: &history::HistoryEntry) -> String {
    let when = crate::core::tls::rfc3339(entry.timestamp as i64);
    let device = entry.device.as_deref().unwrap_or("no device");
    format!(
        "{when} · {device} · {:.0} ms · {} bytes",
        entry.elapsed_ms, entry.size
    )
}
