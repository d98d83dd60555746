//! The response body: pretty or raw, highlighted row by row off the UI
//! thread (only the rows on screen), with find, copy and save.

use std::path::Path;

use super::actions::Action;
use super::highlight::{Look, RowHighlighter};
use super::inbox::PickTarget;
use super::tabs::ResponseState;
use super::widgets::human_size;
use crate::engine::RequestResult;
use crate::engine::http::Body;

pub fn ui(
    ui: &mut egui::Ui,
    response: &mut ResponseState,
    highlighter: &mut RowHighlighter,
    result: &RequestResult,
    actions: &mut Vec<Action>,
) {
    match &result.body {
        Body::File { path, len } => {
            ui.label(format!("{len} bytes were written to {}", path.display()));
            return;
        }
        Body::Spilled { len, .. } => {
            ui.label(format!(
                    "This body ({}) was larger than the in-memory limit (View > Body size limit), so it went to a temporary file. Save it to open it elsewhere.",
                    human_size(*len),
                ));
            save_row(ui, response, actions);
            return;
        }
        Body::Memory(_) if result.body.is_empty() => {
            ui.weak("Empty body.");
            return;
        }
        Body::Memory(_) => {}
    }
    body_toolbar(ui, response, result, actions);
    let filtering = !response.filter.trim().is_empty() && response.filtered.is_some();
    let Some(text) = response.shown_text().cloned() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Formatting…");
        });
        return;
    };
    let highlight = text.is_json && (filtering || !response.raw);
    let look = Look::of(ui);
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    let current_hit = response.find_hits.get(response.find_index).copied();
    let mut area = egui::ScrollArea::both()
        .id_salt("body")
        .auto_shrink([false, false]);
    if let Some(row) = response.scroll_to.take() {
        area = area.vertical_scroll_offset(
            (row as f32 - 3.0).max(0.0) * (row_height + ui.spacing().item_spacing.y),
        );
    }
    let mut all_highlighted = true;
    area.show_rows(ui, row_height, text.line_count(), |ui, rows| {
        let jobs = if highlight {
            highlighter.rows(&text, rows.clone(), &look)
        } else {
            Vec::new()
        };
        for (n, i) in rows.enumerate() {
            let label = match jobs.get(n) {
                Some(Some(job)) => egui::Label::new(job.clone()),
                _ => {
                    all_highlighted &= !highlight;
                    egui::Label::new(egui::RichText::new(text.line(i)).monospace())
                }
            };
            let response = ui.add(label.extend());
            if current_hit == Some(i) {
                ui.painter().rect_stroke(
                    response.rect.expand(1.0),
                    2.0,
                    egui::Stroke::new(1.5, ui.visuals().selection.stroke.color),
                    egui::StrokeKind::Outside,
                );
            }
        }
    });
    response.highlighted = highlight && all_highlighted;
}

fn body_toolbar(
    ui: &mut egui::Ui,
    response: &mut ResponseState,
    result: &RequestResult,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let mut raw = response.raw;
        ui.selectable_value(&mut raw, false, "Pretty");
        ui.selectable_value(&mut raw, true, "Raw");
        if raw != response.raw {
            response.raw = raw;
            actions.push(Action::RefreshFind);
        }
        ui.separator();
        if ui.button("Copy").clicked()
            && let Some(bytes) = result.body.bytes()
        {
            ui.ctx()
                .copy_text(String::from_utf8_lossy(bytes).into_owned());
            actions.push(Action::Notice("Body copied to the clipboard".into()));
        }
        if ui.button("Find…").on_hover_text("Ctrl+F").clicked() {
            response.find_open = !response.find_open;
            actions.push(Action::RefreshFind);
        }
    });
    if response.find_open {
        find_row(ui, response, actions);
    }
    save_row(ui, response, actions);
    filter_row(ui, response, actions);
}

/// The jq filter field: its results replace the body below as it is typed;
/// its error is shown in place.
fn filter_row(ui: &mut egui::Ui, response: &mut ResponseState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let l = ui.label("jq filter");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut response.filter)
                    .hint_text(".items[] | .name")
                    .code_editor()
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
        if field.changed() {
            actions.push(Action::RefreshFilter);
        }
        let active = response
            .filtered
            .as_ref()
            .filter(|_| !response.filter.trim().is_empty());
        if response.filter_pending {
            ui.spinner();
        } else if let Some(filtered) = active {
            let plural = if filtered.count == 1 { "" } else { "s" };
            ui.weak(format!("{} result{plural}", filtered.count));
        }
    });
    let error = response
        .filtered
        .as_ref()
        .filter(|_| !response.filter.trim().is_empty())
        .and_then(|f| f.error.as_deref());
    if let Some(error) = error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Filter error: {error}"),
        );
    }
}

fn find_row(ui: &mut egui::Ui, response: &mut ResponseState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let l = ui.label("Find");
        let field = ui
            .add(egui::TextEdit::singleline(&mut response.find).desired_width(220.0))
            .labelled_by(l.id);
        if field.changed() {
            actions.push(Action::RefreshFind);
        }
        let hits = response.find_hits.len();
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if response.find_pending {
            ui.spinner();
        } else if hits > 0 {
            ui.label(format!("{} of {hits}", response.find_index + 1));
            if ui.small_button("Previous").clicked() {
                response.find_index = (response.find_index + hits - 1) % hits;
                response.scroll_to = Some(response.find_hits[response.find_index]);
            }
            if ui.small_button("Next").clicked() || enter {
                response.find_index = (response.find_index + 1) % hits;
                response.scroll_to = Some(response.find_hits[response.find_index]);
            }
        } else if !response.find.is_empty() {
            ui.weak("no match");
        }
    });
}

fn save_row(ui: &mut egui::Ui, response: &mut ResponseState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let l = ui.label("Save to");
        ui.add(
            egui::TextEdit::singleline(&mut response.save_path)
                .hint_text("path/to/body.json")
                .desired_width(220.0),
        )
        .labelled_by(l.id);
        let saving = response.save_pending;
        if ui.add_enabled(!saving, egui::Button::new("Save")).clicked() {
            actions.push(Action::SaveBody);
        }
        if ui.button("Choose…").clicked() {
            actions.push(Action::Pick {
                target: PickTarget::SaveBody(0),
                save: true,
            });
        }
        if saving {
            ui.spinner();
        }
    });
}

/// Writes a body to `path` atomically; the number of bytes written.
pub fn save(body: &Body, path: &Path) -> std::io::Result<u64> {
    use crate::core::workspace::atomic::{Replacement, write_atomic};
    let source: &Path = match body {
        Body::Memory(bytes) => return write_atomic(path, bytes).map(|()| bytes.len() as u64),
        Body::Spilled { file, .. } => file,
        Body::File { path, .. } => path,
    };
    let (mut out, pending) = Replacement::create(path)?;
    let n = std::io::copy(&mut std::fs::File::open(source)?, &mut out)?;
    pending.commit()?;
    Ok(n)
}
