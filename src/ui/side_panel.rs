//! The left panel: the device tree (folders, devices, their saved requests)
//! and the history.

use std::collections::BTreeMap;

use super::app::{ApxApp, SideTab};
use super::draft::Draft;
use super::widgets::platform_badge;
use crate::core::platform::catalog;
use crate::core::workspace::Device;

impl ApxApp {
    pub(super) fn side_panel(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.side_tab, SideTab::Devices, "Devices");
            ui.selectable_value(&mut self.side_tab, SideTab::History, "History");
        });
        ui.separator();
        match self.side_tab {
            SideTab::Devices => self.device_tree(ui),
            SideTab::History => self.history_list(ui),
        }
    }

    fn device_tree(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("name, host or platform")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        });
        if ui.button("+ Add device").clicked() {
            self.open_new_device(String::new());
        }
        if let Some(problem) = &self.workspace_problem {
            super::failure_panel::failure_frame(ui, problem, None);
        }
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            let filter = self.filter.to_lowercase();
            let mut folders: BTreeMap<String, Vec<Device>> = BTreeMap::new();
            for d in &self.devices {
                let hay = format!("{} {} {} {}", d.name, d.host(), d.platform, d.folder).to_lowercase();
                if filter.is_empty() || hay.contains(&filter) {
                    folders.entry(d.folder.clone()).or_default().push(d.clone());
                }
            }
            if folders.is_empty() {
                ui.add_space(8.0);
                ui.weak(if self.devices.is_empty() {
                    "No devices yet. Add one with “Add device”, or start apx with --demo to try the built-in appliances."
                } else {
                    "No device matches the filter."
                });
            }
            for (folder, mut devices) in folders {
                devices.sort_by(|a, b| a.name.cmp(&b.name));
                if folder.is_empty() {
                    for d in &devices {
                        self.device_row(ui, d);
                    }
                } else {
                    let header = egui::CollapsingHeader::new(folder.clone())
                        .id_salt(("folder", &folder))
                        .default_open(true)
                        .show(ui, |ui| {
                            for d in &devices {
                                self.device_row(ui, d);
                            }
                        });
                    header.header_response.context_menu(|ui| {
                        if ui.button("New device here…").clicked() {
                            self.open_new_device(folder.clone());
                            ui.close();
                        }
                    });
                }
            }
            self.collections_tree(ui);
        });
    }

    fn device_row(&mut self, ui: &mut egui::Ui, device: &Device) {
        let selected = self.selected.as_deref() == Some(device.name.as_str());
        let response = ui
            .horizontal(|ui| {
                platform_badge(ui, device.platform);
                let row = ui.selectable_label(selected, &device.name);
                ui.weak(device.host());
                if matches!(device.trust, crate::core::tls::Trust::Insecure) {
                    ui.colored_label(ui.visuals().warn_fg_color, "insecure")
                        .on_hover_text("Certificate verification is off for this device");
                }
                row
            })
            .inner;
        if response.clicked() {
            self.select_device(&device.name);
        }
        response.context_menu(|ui| {
            if ui.button("Edit…").clicked() {
                self.open_edit_device(&device.name);
                ui.close();
            }
            if ui.button("Duplicate").clicked() {
                self.duplicate_device(&device.name);
                ui.close();
            }
            if ui.button("Move / rename…").clicked() {
                self.open_edit_device(&device.name);
                ui.close();
            }
            if ui.button("Delete…").clicked() {
                self.confirm_delete = Some(device.name.clone());
                ui.close();
            }
        });
    }

    pub fn select_device(&mut self, name: &str) {
        if self.selected.as_deref() == Some(name) {
            return;
        }
        let before = self.selected_device().map(|d| d.platform);
        self.selected = Some(name.to_string());
        self.password_input.clear();
        self.draft.platform = None;
        self.draft.auth = None;
        // An endpoint of the previous device's platform, as its catalog
        // filled it in, means nothing to another platform: start from the
        // new one's catalog instead. The user's own work stays.
        let after = self.selected_device().map(|d| d.platform);
        let from_old_catalog = before.is_some_and(|p| {
            catalog::endpoints(p)
                .iter()
                .any(|e| self.draft.is_untouched(e))
        });
        let empty = self.draft.url.trim().is_empty() && self.draft.saved_path.is_none();
        if before != after
            && (empty || from_old_catalog)
            && let Some(first) = after.and_then(|p| catalog::endpoints(p).first())
        {
            self.draft.use_endpoint(first);
        }
    }

    fn duplicate_device(&mut self, name: &str) {
        let Some(mut copy) = self.devices.iter().find(|d| d.name == name).cloned() else {
            return;
        };
        let mut n = 2;
        while self
            .devices
            .iter()
            .any(|d| d.name == format!("{name} ({n})"))
        {
            n += 1;
        }
        copy.name = format!("{name} ({n})");
        let copy_name = copy.name.clone();
        match self.store_device(Some(&copy_name), copy) {
            Ok(()) => self.notice = Some(format!("Duplicated as {copy_name}")),
            Err(f) => self.notice = Some(f.message),
        }
    }

    fn collections_tree(&mut self, ui: &mut egui::Ui) {
        self.refresh_collections();
        let entries = self.collections.requests.clone();
        let problems = self.collections.problems.clone();
        if entries.is_empty() && problems.is_empty() {
            return;
        }
        ui.add_space(6.0);
        ui.strong("Saved requests");
        let mut folders: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for entry in entries {
            folders.entry(entry.folder.clone()).or_default().push(entry);
        }
        for (folder, entries) in folders {
            let title = if folder.is_empty() {
                "(top level)".to_string()
            } else {
                folder.clone()
            };
            let header = egui::CollapsingHeader::new(title.clone())
                .id_salt(("collection", &folder))
                .default_open(false)
                .show(ui, |ui| {
                    for entry in &entries {
                        let label = format!("{} {}", entry.request.method, entry.request.name);
                        let open = self.draft.saved_path.as_deref() == Some(entry.path.as_path());
                        if ui
                            .selectable_label(open, label)
                            .on_hover_text(&entry.request.url)
                            .clicked()
                        {
                            self.open_saved(entry);
                        }
                    }
                });
            header.header_response.context_menu(|ui| {
                if ui.button("Run folder").clicked() {
                    self.run_folder(&folder);
                    ui.close();
                }
            });
        }
        for problem in &problems {
            super::failure_panel::failure_frame(ui, problem, None);
        }
    }

    fn open_saved(&mut self, entry: &crate::core::workspace::collections::SavedEntry) {
        self.draft = Draft::from_saved(&entry.request, Some(entry.path.clone()));
        if let Some(device) = &entry.request.device
            && self.devices.iter().any(|d| &d.name == device)
        {
            self.selected = Some(device.clone());
        }
        if !self.draft.body.is_empty() {
            self.request_tab = super::app::RequestTab::Body;
        }
    }
}
