//! The left panel: the device tree (folders, devices, their saved requests)
//! and the history. It owns its filter and list choice; everything else it
//! asks for as actions.

use std::collections::BTreeMap;

use super::actions::{Action, View};
use super::widgets::platform_badge;
use crate::core::history::HistoryLoad;
use crate::core::workspace::Device;

/// Which list the left panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SideTab {
    #[default]
    Devices,
    History,
}

/// The left panel's own state.
#[derive(Default)]
pub struct SideState {
    pub filter: String,
    pub tab: SideTab,
    /// The history as last read (None: to be read).
    pub history: Option<HistoryLoad>,
    pub history_loading: bool,
    /// The history's search field.
    pub history_search: String,
}

/// What the tree marks: the active tab's device and saved file.
pub struct Marks<'a> {
    pub device: Option<&'a str>,
    pub saved: Option<&'a std::path::Path>,
}

pub fn ui(ui: &mut egui::Ui, state: &mut SideState, view: &View, marks: &Marks) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.selectable_value(&mut state.tab, SideTab::Devices, "Devices");
        ui.selectable_value(&mut state.tab, SideTab::History, "History");
    });
    ui.separator();
    match state.tab {
        SideTab::Devices => device_tree(ui, state, view, marks, &mut actions),
        SideTab::History => super::history_panel::ui(ui, state, &mut actions),
    }
    actions
}

fn device_tree(
    ui: &mut egui::Ui,
    state: &mut SideState,
    view: &View,
    marks: &Marks,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut state.filter)
                .hint_text("name, host or platform")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    if ui.button("+ Add device").clicked() {
        actions.push(Action::NewDevice(String::new()));
    }
    if let Some(problem) = view.problem {
        super::failure_panel::failure_frame(ui, problem, None);
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let filter = state.filter.to_lowercase();
        let mut folders: BTreeMap<&str, Vec<&Device>> = BTreeMap::new();
        for d in view.devices {
            let hay = format!("{} {} {} {}", d.name, d.host(), d.platform, d.folder).to_lowercase();
            if filter.is_empty() || hay.contains(&filter) {
                folders.entry(d.folder.as_str()).or_default().push(d);
            }
        }
        if folders.is_empty() {
            ui.add_space(8.0);
            ui.weak(if view.devices.is_empty() {
                "No devices yet. Add one with “Add device”, or start apx with --demo to try the built-in appliances."
            } else {
                "No device matches the filter."
            });
        }
        for (folder, mut devices) in folders {
            devices.sort_by(|a, b| a.name.cmp(&b.name));
            if folder.is_empty() {
                for d in &devices {
                    device_row(ui, d, marks, actions);
                }
            } else {
                let header = egui::CollapsingHeader::new(folder)
                    .id_salt(("folder", folder))
                    .default_open(true)
                    .show(ui, |ui| {
                        for d in &devices {
                            device_row(ui, d, marks, actions);
                        }
                    });
                header.header_response.context_menu(|ui| {
                    if ui.button("New device here…").clicked() {
                        actions.push(Action::NewDevice(folder.to_string()));
                        ui.close();
                    }
                });
            }
        }
        collections_tree(ui, view, marks, actions);
    });
}

fn device_row(ui: &mut egui::Ui, device: &Device, marks: &Marks, actions: &mut Vec<Action>) {
    let selected = marks.device == Some(device.name.as_str());
    let response = ui
        .horizontal(|ui| {
            platform_badge(ui, device.platform);
            // Long names and hosts are elided (full text on hover): the
            // panel keeps the width it was given.
            let row = ui
                .add(egui::Button::selectable(selected, device.name.as_str()).truncate())
                .on_hover_text(&device.name);
            ui.add(egui::Label::new(egui::RichText::new(device.host()).weak()).truncate());
            if matches!(device.trust, crate::core::tls::Trust::Insecure) {
                ui.colored_label(ui.visuals().warn_fg_color, "insecure")
                    .on_hover_text("Certificate verification is off for this device");
            }
            row
        })
        .inner;
    if response.clicked() {
        actions.push(Action::SelectDevice(device.name.clone()));
    }
    response.context_menu(|ui| {
        let name = &device.name;
        for (label, action) in [
            ("Edit…", Action::EditDevice(name.clone())),
            ("Duplicate", Action::DuplicateDevice(name.clone())),
            ("Move / rename…", Action::EditDevice(name.clone())),
            ("Delete…", Action::AskDelete(name.clone())),
        ] {
            if ui.button(label).clicked() {
                actions.push(action);
                ui.close();
            }
        }
    });
}

fn collections_tree(ui: &mut egui::Ui, view: &View, marks: &Marks, actions: &mut Vec<Action>) {
    let entries = &view.collections.requests;
    let problems = &view.collections.problems;
    if entries.is_empty() && problems.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.strong("Saved requests");
    let mut folders: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for entry in entries {
        folders
            .entry(entry.folder.as_str())
            .or_default()
            .push(entry);
    }
    for (folder, entries) in folders {
        let title = if folder.is_empty() {
            "(top level)"
        } else {
            folder
        };
        let header = egui::CollapsingHeader::new(title)
            .id_salt(("collection", folder))
            .default_open(false)
            .show(ui, |ui| {
                for entry in &entries {
                    let label = format!("{} {}", entry.request.method, entry.request.name);
                    let open = marks.saved == Some(entry.path.as_path());
                    if ui
                        .selectable_label(open, label)
                        .on_hover_text(&entry.request.url)
                        .clicked()
                    {
                        actions.push(Action::OpenSaved(Box::new((*entry).clone())));
                    }
                }
            });
        header.header_response.context_menu(|ui| {
            if ui.button("Run folder").clicked() {
                actions.push(Action::RunFolder(folder.to_string()));
                ui.close();
            }
        });
    }
    for problem in problems {
        super::failure_panel::failure_frame(ui, problem, None);
    }
}
