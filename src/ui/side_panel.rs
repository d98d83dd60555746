//! The left panel: the device tree (folders, devices), the saved-requests
//! tree (a collection manager: context menus, drag and drop) and the history. It owns its filter and list choice; everything else it
//! asks for as actions.

use std::collections::BTreeMap;

use super::actions::{Action, View};
use super::tree_ops::{Ask, Node, TreeOp};
use super::widgets::platform_badge;
use crate::core::history::HistoryLoad;
use crate::core::workspace::Device;
use crate::core::workspace::collections::SavedEntry;

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
    /// The saved-requests tree's selected node (F2 renames it, Del deletes it).
    pub selected: Option<Node>,
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
                    if ui.button("Send current request to this folder's devices").clicked() {
                        actions.push(Action::FanOut(folder.to_string()));
                        ui.close();
                    }
                    if !view.collections.folders.is_empty() {
                        ui.menu_button("Run collection on this folder's devices", |ui| {
                            for collection in &view.collections.folders {
                                if ui.button(collection).clicked() {
                                    actions.push(Action::FanOutCollection {
                                        devices: folder.to_string(),
                                        collection: collection.clone(),
                                    });
                                    ui.close();
                                }
                            }
                        });
                    }
                });
            }
        }
        collections_tree(ui, state, view, marks, actions);
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

fn collections_tree(
    ui: &mut egui::Ui,
    state: &mut SideState,
    view: &View,
    marks: &Marks,
    actions: &mut Vec<Action>,
) {
    let entries = &view.collections.requests;
    let problems = &view.collections.problems;
    ui.add_space(6.0);
    let here = state
        .selected
        .as_ref()
        .map(Node::folder)
        .unwrap_or_default();
    ui.horizontal(|ui| {
        ui.strong("Saved requests");
        if ui.small_button("+ Request").clicked() {
            actions.push(Action::AskTree(Ask::NewRequest, here.clone()));
        }
        if ui.small_button("+ Folder").clicked() {
            actions.push(Action::AskTree(Ask::NewFolder, here.clone()));
        }
    });
    let mut folders: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for folder in &view.collections.folders {
        folders.entry(folder.as_str()).or_default();
    }
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
        let node = Node::Folder(folder.to_string());
        let header = egui::CollapsingHeader::new(title)
            .id_salt(("collection", folder))
            .default_open(false)
            .show(ui, |ui| {
                for entry in &entries {
                    request_row(ui, state, entry, marks, actions);
                }
                if entries.is_empty() {
                    ui.weak("(empty)");
                }
            });
        let mut response = header.header_response;
        if !folder.is_empty() {
            response = response.interact(egui::Sense::click_and_drag());
            response.dnd_set_drag_payload(node.clone());
            if response.clicked() {
                state.selected = Some(node.clone());
            }
            if state.selected.as_ref() == Some(&node) {
                let stroke = ui.visuals().selection.stroke;
                ui.painter()
                    .rect_stroke(response.rect, 2.0, stroke, egui::StrokeKind::Inside);
            }
        }
        // Not where it is already, nor a folder into itself.
        if let Some(dropped) = response.dnd_release_payload::<Node>()
            && dropped.parent() != folder
            && !matches!(&*dropped, Node::Folder(f) if f == folder || folder.starts_with(&format!("{f}/")))
        {
            actions.push(Action::Tree(TreeOp::Move {
                node: (*dropped).clone(),
                to: folder.to_string(),
            }));
        }
        response.context_menu(|ui| {
            let mut items = vec![
                (
                    "New request here...",
                    Action::AskTree(Ask::NewRequest, folder.into()),
                ),
                (
                    "New folder here...",
                    Action::AskTree(Ask::NewFolder, folder.into()),
                ),
            ];
            if !folder.is_empty() {
                items.extend([
                    (
                        "Rename...",
                        Action::AskTree(Ask::Rename(node.clone()), String::new()),
                    ),
                    (
                        "Move...",
                        Action::AskTree(Ask::Move(node.clone()), String::new()),
                    ),
                    (
                        "Delete...",
                        Action::AskTree(Ask::Delete(node.clone()), String::new()),
                    ),
                ]);
            }
            items.push(("Run folder", Action::RunFolder(folder.to_string())));
            menu_items(ui, items, actions);
        });
    }
    for problem in problems {
        super::failure_panel::failure_frame(ui, problem, None);
    }
}

/// A saved request: click opens it, drag moves it onto a folder, right
/// click offers the rest.
fn request_row(
    ui: &mut egui::Ui,
    state: &mut SideState,
    entry: &SavedEntry,
    marks: &Marks,
    actions: &mut Vec<Action>,
) {
    let node = Node::Request {
        path: entry.path.clone(),
        name: entry.request.name.clone(),
    };
    let label = format!("{} {}", entry.request.method, entry.request.name);
    let open = marks.saved == Some(entry.path.as_path());
    let chosen = open || state.selected.as_ref() == Some(&node);
    // Elided to the panel's width: the full name and the URL are on hover.
    let row = ui
        .add(egui::Button::selectable(chosen, label.as_str()).truncate())
        .interact(egui::Sense::click_and_drag())
        .on_hover_text(format!("{label}\n{}", entry.request.url));
    row.dnd_set_drag_payload(node.clone());
    if row.clicked() {
        state.selected = Some(node.clone());
        actions.push(Action::OpenSaved(Box::new(entry.clone())));
    }
    row.context_menu(|ui| {
        let items = vec![
            ("Open", Action::OpenSaved(Box::new(entry.clone()))),
            (
                "Rename...",
                Action::AskTree(Ask::Rename(node.clone()), String::new()),
            ),
            (
                "Duplicate",
                Action::Tree(TreeOp::Duplicate(entry.path.clone())),
            ),
            (
                "Move...",
                Action::AskTree(Ask::Move(node.clone()), String::new()),
            ),
            (
                "Delete...",
                Action::AskTree(Ask::Delete(node.clone()), String::new()),
            ),
        ];
        menu_items(ui, items, actions);
    });
}

fn menu_items(ui: &mut egui::Ui, items: Vec<(&str, Action)>, actions: &mut Vec<Action>) {
    for (label, action) in items {
        if ui.button(label).clicked() {
            actions.push(action);
            ui.close();
        }
    }
}
