//! The history list: every request sent, newest first, filtered by a
//! search field; clearable. Read and cleared in the background. An entry
//! reopens what was sent, with the response as recorded, or is compared
//! with another response to the same request.

use std::time::Duration;

use super::actions::Action;
use super::diff_view::DiffSide;
use super::draft::Draft;
use super::side_panel::SideState;
use super::widgets::status_color;
use crate::core::error::{Failure, FailureKind};
use crate::core::history::HistoryEntry;
use crate::core::request::Header;
use crate::engine::RequestResult;
use crate::engine::http::Body;

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
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(&mut state.history_search)
                .hint_text("method, URL, status or device")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
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
    let search = state.history_search.to_lowercase();
    let mut shown = 0;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let listed = load.entries.iter().enumerate().rev();
            for (index, entry) in listed.filter(|(_, e)| matches(e, &search)) {
                shown += 1;
                ui.horizontal(|ui| {
                    match entry.status {
                        Some(s) => ui.colored_label(status_color(s), s.to_string()),
                        None => ui.colored_label(ui.visuals().error_fg_color, "ERR"),
                    };
                    let text = format!("{} {}", entry.method, shown_url(&entry.url));
                    // Elided to the panel's width: the full text is on hover.
                    let row = ui
                        .add(egui::Button::selectable(false, text.as_str()).truncate())
                        .on_hover_text(format!(
                            "{} {}\n{}",
                            entry.method,
                            entry.url,
                            history_hover(entry)
                        ));
                    if row.clicked() {
                        actions.push(Action::OpenHistory {
                            entry: Box::new(entry.clone()),
                            new_tab: false,
                        });
                    }
                    row.context_menu(|ui| {
                        if ui.button("Open in new tab").clicked() {
                            actions.push(Action::OpenHistory {
                                entry: Box::new(entry.clone()),
                                new_tab: true,
                            });
                            ui.close();
                        }
                        ui.menu_button("Compare with", |ui| {
                            compare_menu(ui, &load.entries, index, actions);
                        });
                    });
                });
            }
            if shown == 0 {
                ui.weak("No history entry matches the search.");
            }
        });
}

/// At most this many responses are offered to compare with.
const MAX_OFFERED: usize = 30;

/// The other responses to the request of entry `index` (the same method
/// and path: another device's, or before or after a change), newest
/// first; one clicked opens both in the diff window, the older on the
/// left.
fn compare_menu(
    ui: &mut egui::Ui,
    entries: &[HistoryEntry],
    index: usize,
    actions: &mut Vec<Action>,
) {
    let this = &entries[index];
    let same =
        |e: &HistoryEntry| e.method == this.method && shown_url(&e.url) == shown_url(&this.url);
    let others: Vec<usize> = (0..entries.len())
        .rev()
        .filter(|&i| i != index && same(&entries[i]))
        .take(MAX_OFFERED)
        .collect();
    if others.is_empty() {
        ui.weak("No other response to this request in the history");
    }
    for i in others {
        let other = &entries[i];
        let when = if i > index { "Newer" } else { "Older" };
        let status = other.status.map_or_else(|| "ERR".into(), |s| s.to_string());
        let text = format!(
            "{when}: {} - {} - {status}",
            crate::core::tls::rfc3339(other.timestamp as i64),
            other.device.as_deref().unwrap_or("no device"),
        );
        if ui.button(text).clicked() {
            let (older, newer) = if i < index {
                (other, this)
            } else {
                (this, other)
            };
            let sides = [DiffSide::of_history(older), DiffSide::of_history(newer)];
            actions.push(Action::Compare(Box::new(sides)));
            ui.close();
        }
    }
}

/// The URL as listed: its path and query, which is what tells entries
/// apart (the host is on hover); the whole text when it does not parse.
fn shown_url(url: &str) -> &str {
    match url.find("://") {
        Some(scheme) => {
            let rest = &url[scheme + 3..];
            rest.find('/').map_or(url, |path| &rest[path..])
        }
        None => url,
    }
}

/// Whether an entry's method, URL, status or device contains `search`
/// (lower case).
fn matches(entry: &HistoryEntry, search: &str) -> bool {
    if search.is_empty() {
        return true;
    }
    let status = entry
        .status
        .map_or_else(|| "err".to_string(), |s| s.to_string());
    let device = entry.device.as_deref().unwrap_or_default();
    format!("{} {} {status} {device}", entry.method, entry.url)
        .to_lowercase()
        .contains(search)
}

fn history_hover(entry: &HistoryEntry) -> String {
    let when = crate::core::tls::rfc3339(entry.timestamp as i64);
    let device = entry.device.as_deref().unwrap_or("no device");
    format!(
        "{when} - {device} - {:.0} ms - {} bytes",
        entry.elapsed_ms, entry.size
    )
}

/// What an entry sent, as a draft, and the response it recorded.
pub fn reopen(entry: &HistoryEntry) -> (Draft, RequestResult) {
    let draft = Draft {
        name: entry.name.clone().unwrap_or_default(),
        method: entry.method.clone(),
        url: entry.url.clone(),
        headers: entry
            .request_headers
            .iter()
            .map(|(name, value)| Header::new(name, value))
            .collect(),
        body: entry.request_body.clone().unwrap_or_default(),
        ..Draft::default()
    };
    let error = entry.error.as_ref().map(|e| {
        let kind = serde_json::from_value(serde_json::Value::from(e.kind.as_str()))
            .unwrap_or(FailureKind::Http);
        Failure::new(kind, e.message.clone(), "")
    });
    let body = entry.body.clone().unwrap_or_default();
    let result = RequestResult {
        name: draft.name.clone(),
        method: entry.method.clone(),
        url: entry.url.clone(),
        status: entry.status,
        elapsed: Duration::try_from_secs_f64(entry.elapsed_ms / 1000.0).unwrap_or_default(),
        headers: entry.response_headers.clone(),
        body: Body::Memory(body.into()),
        body_json: None,
        error,
        handshake: None,
        warnings: Vec::new(),
        retries: 0,
        domains: Vec::new(),
        pages: None,
        sent: Default::default(),
    };
    (draft, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_listed_by_path_and_query() {
        assert_eq!(shown_url("https://fw:8443/api/cli?x=1"), "/api/cli?x=1");
        assert_eq!(shown_url("https://fw"), "https://fw");
        assert_eq!(shown_url("not a url"), "not a url");
    }

    #[test]
    fn search_matches_method_url_status_and_device() {
        let entry = HistoryEntry {
            method: "POST".into(),
            url: "https://fw/api/backup".into(),
            status: Some(201),
            device: Some("asa-dc1".into()),
            ..HistoryEntry::default()
        };
        for hit in ["", "post", "backup", "201", "dc1"] {
            assert!(matches(&entry, hit), "{hit}");
        }
        assert!(!matches(&entry, "404"));
    }
}
