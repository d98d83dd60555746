//! The window's chrome: keyboard shortcuts, menu bar, status bar, and the
//! settings remembered between runs.

use super::app::{ApxApp, ResponseTab};
use super::settings::Settings;

impl ApxApp {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let send = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
        let save = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
        let find = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
        let url = KeyboardShortcut::new(Modifiers::COMMAND, Key::L);
        if ctx.input_mut(|i| i.consume_shortcut(&send)) {
            self.send();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&save)) {
            self.open_save_dialog();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&find)) {
            self.response.find_open = true;
            self.response.tab = ResponseTab::Body;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&url)) {
            self.focus_url = true;
        }
        if self.is_running() && ctx.input(|i| i.key_pressed(Key::Escape)) {
            self.cancel();
        }
    }

    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| self.file_menu(ui));
                ui.menu_button("View", |ui| {
                    for theme in super::settings::Theme::ALL {
                        if ui
                            .radio(self.settings.theme == theme, theme.label())
                            .clicked()
                        {
                            self.settings.theme = theme;
                        }
                    }
                    ui.separator();
                    ui.horizontal(|ui| {
                        let l = ui.label("Body size limit");
                        ui.add(
                            egui::DragValue::new(&mut self.settings.max_body_mb)
                                .range(1..=65_536)
                                .suffix(" MB"),
                        )
                        .labelled_by(l.id)
                        .on_hover_text(format!(
                            "Larger response bodies go to a temporary file instead of memory, up to {} GiB (or this limit, if higher); a larger body is stopped",
                            super::settings::SPILL_LIMIT >> 30
                        ));
                    });
                });
                ui.separator();
                ui.weak(format!("Workspace: {}", self.workspace.dir().display()));
            });
        });
    }

    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                match &self.notice {
                    Some(notice) => ui.label(notice.as_str()),
                    None => ui.weak(
                        "Ctrl+Enter send · Esc cancel · Ctrl+S save · Ctrl+F find · Ctrl+L URL",
                    ),
                };
            });
        });
    }

    /// The settings to persist (no secrets).
    pub fn settings_to_save(&self) -> Settings {
        let mut s = self.settings.clone();
        s.last_device = self.selected.clone();
        s.last_method = Some(self.draft.method.clone());
        // A curl command left in the field may hold `-u user:password`.
        s.last_url = Some(self.draft.url.clone())
            .filter(|u| !u.is_empty() && !u.trim_start().starts_with("curl "))
            .filter(|u| url::Url::parse(u).map_or(true, |p| p.password().is_none()));
        s
    }
}
