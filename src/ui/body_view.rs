//! The response body: pretty or raw, highlighted row by row off the UI
//! thread (only the rows on screen), with find, copy and save.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::app::ApxApp;
use super::body_text::in_background;
use super::file_dialog::{Pick, pick};
use super::highlight::Look;
use super::widgets::human_size;
use crate::engine::RequestResult;
use crate::engine::http::Body;

impl ApxApp {
    pub(super) fn body_view(&mut self, ui: &mut egui::Ui, result: &RequestResult) {
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
                self.save_row(ui, result);
                return;
            }
            Body::Memory(_) if result.body.is_empty() => {
                ui.weak("Empty body.");
                return;
            }
            Body::Memory(_) => {}
        }
        self.body_toolbar(ui, result);
        let Some(rendered) = &self.response.rendered else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Formatting…");
            });
            return;
        };
        let text = rendered.text(self.response.raw).clone();
        let highlight = text.is_json && !self.response.raw;
        let look = Look::of(ui);
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
        let current_hit = self
            .response
            .find_hits
            .get(self.response.find_index)
            .copied();
        let mut area = egui::ScrollArea::both()
            .id_salt("body")
            .auto_shrink([false, false]);
        if let Some(row) = self.response.scroll_to.take() {
            area = area.vertical_scroll_offset(
                (row as f32 - 3.0).max(0.0) * (row_height + ui.spacing().item_spacing.y),
            );
        }
        let highlighter = &mut self.highlighter;
        let mut all_highlighted = true;
        area.show_rows(ui, row_height, text.line_count(), |ui, rows| {
            let jobs = if highlight {
                highlighter.rows(ui.ctx(), &text, rows.clone(), &look)
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
        self.response.highlighted = highlight && all_highlighted;
    }

    fn body_toolbar(&mut self, ui: &mut egui::Ui, result: &RequestResult) {
        ui.horizontal(|ui| {
            let mut raw = self.response.raw;
            ui.selectable_value(&mut raw, false, "Pretty");
            ui.selectable_value(&mut raw, true, "Raw");
            if raw != self.response.raw {
                self.response.raw = raw;
                self.refresh_find();
            }
            ui.separator();
            if ui.button("Copy").clicked()
                && let Some(bytes) = result.body.bytes()
            {
                ui.ctx()
                    .copy_text(String::from_utf8_lossy(bytes).into_owned());
                self.notice = Some("Body copied to the clipboard".into());
            }
            if ui.button("Find…").on_hover_text("Ctrl+F").clicked() {
                self.response.find_open = !self.response.find_open;
                self.refresh_find();
            }
        });
        if self.response.find_open {
            self.find_row(ui);
        }
        self.save_row(ui, result);
    }

    fn find_row(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let l = ui.label("Find");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.response.find).desired_width(220.0))
                .labelled_by(l.id);
            if field.changed() {
                self.refresh_find();
            }
            let hits = self.response.find_hits.len();
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if self.response.find_pending.is_some() {
                ui.spinner();
            } else if hits > 0 {
                ui.label(format!("{} of {hits}", self.response.find_index + 1));
                if ui.small_button("Previous").clicked() {
                    self.response.find_index = (self.response.find_index + hits - 1) % hits;
                    self.response.scroll_to =
                        Some(self.response.find_hits[self.response.find_index]);
                }
                if ui.small_button("Next").clicked() || enter {
                    self.response.find_index = (self.response.find_index + 1) % hits;
                    self.response.scroll_to =
                        Some(self.response.find_hits[self.response.find_index]);
                }
            } else if !self.response.find.is_empty() {
                ui.weak("no match");
            }
        });
    }

    /// Keeps the find hits in step with the shown text: the search runs on a
    /// worker thread (a newer one cancels it), and its hits arrive with the
    /// events.
    pub fn refresh_find(&mut self) {
        let wake = self.waker();
        let r = &mut self.response;
        r.find_hits.clear();
        r.find_index = 0;
        r.find_pending = None;
        if let Some(previous) = r.find_cancel.take() {
            previous.store(true, Ordering::Relaxed);
        }
        let Some(rendered) = r.rendered.as_ref().filter(|_| r.find_open) else {
            return;
        };
        if r.find.is_empty() {
            return;
        }
        let text = Arc::clone(rendered.text(r.raw));
        let needle = r.find.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        r.find_cancel = Some(cancel.clone());
        r.find_pending = Some(in_background(
            move || text.find(&needle, &cancel).unwrap_or_default(),
            wake,
        ));
    }

    fn save_row(&mut self, ui: &mut egui::Ui, result: &RequestResult) {
        ui.horizontal(|ui| {
            let l = ui.label("Save to");
            ui.add(
                egui::TextEdit::singleline(&mut self.response.save_path)
                    .hint_text("path/to/body.json")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
            let saving = self.response.save_pending.is_some();
            if ui.add_enabled(!saving, egui::Button::new("Save")).clicked() {
                self.save_body(result);
            }
            if ui.button("Choose…").clicked() {
                self.response.save_pick = Some(pick(Pick::Save));
            }
            if saving {
                ui.spinner();
            }
        });
        if let Some(rx) = &self.response.save_pick
            && let Ok(choice) = rx.try_recv()
        {
            self.response.save_pick = None;
            if let Some(path) = choice {
                self.response.save_path = path.display().to_string();
                self.save_body(result);
            }
        }
    }

    /// Writes the body out on a worker thread (a spilled body can be
    /// hundreds of megabytes); the outcome arrives as a notice.
    fn save_body(&mut self, result: &RequestResult) {
        let path = PathBuf::from(self.response.save_path.trim());
        if path.as_os_str().is_empty() {
            self.notice = Some("Type a path to save the body to, or Choose… one.".into());
            return;
        }
        let body = result.body.clone();
        let work = move || match save(&body, &path) {
            Ok(n) => format!("Saved {n} bytes to {}", path.display()),
            Err(e) => format!("Could not save to {}: {e}", path.display()),
        };
        self.response.save_pending = Some(in_background(work, self.waker()));
    }
}

/// Writes a body to `path` atomically; the number of bytes written.
fn save(body: &Body, path: &std::path::Path) -> std::io::Result<u64> {
    use crate::core::workspace::atomic::{Replacement, write_atomic};
    let source: &std::path::Path = match body {
        Body::Memory(bytes) => return write_atomic(path, bytes).map(|()| bytes.len() as u64),
        Body::Spilled { file, .. } => file,
        Body::File { path, .. } => path,
    };
    let (mut out, pending) = Replacement::create(path)?;
    let n = std::io::copy(&mut std::fs::File::open(source)?, &mut out)?;
    pending.commit()?;
    Ok(n)
}
