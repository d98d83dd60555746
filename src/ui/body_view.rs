//! The response body: pretty or raw, highlighted row by row (only the rows
//! on screen), with find, copy and save.

use super::app::ApxApp;
use super::file_dialog::{Pick, pick};
use crate::engine::RequestResult;
use crate::engine::http::Body;

impl ApxApp {
    pub(super) fn body_view(&mut self, ui: &mut egui::Ui, result: &RequestResult) {
        if let Body::File { path, len } = &result.body {
            ui.label(format!("{} bytes were written to {}", len, path.display()));
            return;
        }
        if result.body.is_empty() {
            ui.weak("Empty body.");
            return;
        }
        self.body_toolbar(ui, result);
        let Some(rendered) = &self.response.rendered else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Formatting…");
            });
            return;
        };
        let text = if self.response.raw {
            &rendered.raw
        } else {
            &rendered.pretty
        };
        let highlight = text.is_json && !self.response.raw;
        let theme = egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style());
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
        area.show_rows(ui, row_height, text.line_count(), |ui, rows| {
            for i in rows {
                let line = text.line(i);
                let response = if highlight {
                    let job = egui_extras::syntax_highlighting::highlight(
                        ui.ctx(),
                        ui.style(),
                        &theme,
                        line,
                        "json",
                    );
                    ui.add(egui::Label::new(job).extend())
                } else {
                    ui.add(egui::Label::new(egui::RichText::new(line).monospace()).extend())
                };
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
            if ui.button("Copy").clicked() {
                if let Some(bytes) = result.body.bytes() {
                    ui.ctx()
                        .copy_text(String::from_utf8_lossy(bytes).into_owned());
                    self.notice = Some("Body copied to the clipboard".into());
                }
            }
            if ui.button("Find…").on_hover_text("Ctrl+F").clicked() {
                self.response.find_open = !self.response.find_open;
                self.refresh_find();
            }
        });
        if self.response.find_open {
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
                if hits > 0 {
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
        ui.horizontal(|ui| {
            let l = ui.label("Save to");
            ui.add(
                egui::TextEdit::singleline(&mut self.response.save_path)
                    .hint_text("path/to/body.json")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
            if ui.button("Save").clicked() {
                self.save_body(result);
            }
            if ui.button("Choose…").clicked() {
                self.response.save_pick = Some(pick(Pick::Save));
            }
        });
        if let Some(rx) = &self.response.save_pick {
            if let Ok(choice) = rx.try_recv() {
                self.response.save_pick = None;
                if let Some(path) = choice {
                    self.response.save_path = path.display().to_string();
                    self.save_body(result);
                }
            }
        }
    }

    fn save_body(&mut self, result: &RequestResult) {
        let path = std::path::PathBuf::from(self.response.save_path.trim());
        let Some(bytes) = result.body.bytes() else {
            return;
        };
        self.notice = Some(
            match crate::core::workspace::atomic::write_atomic(&path, bytes) {
                Ok(()) => format!("Saved {} bytes to {}", bytes.len(), path.display()),
                Err(e) => format!("Could not save to {}: {e}", path.display()),
            },
        );
    }
}
