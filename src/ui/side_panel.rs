//! The left panel: the device tree (folders, devices; only the rows on
//! screen are drawn, from rows cached in [`super::tree_rows`]), the
//! saved-requests tree (a collection manager: context menus, drag and drop)
//! and the history. It owns its filter, list choice and closed folders;
//! everything else it asks for as actions.

use std::collections::{BTreeMap, BTreeSet};

use super::actions::{Action, Fleet, View};
use super::tree_ops::{Ask, Node, TreeOp};
use super::tree_rows::{Row, TreeRows};
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
    /// The device tree's rows and closed folders.
    rows: TreeRows,
    /// Devices picked with Ctrl+click for a fan-out, in name order.
    pub picked: BTreeSet<String>,
}

/// The devices picked for a fan-out, and what a frame's clicks change.
struct Picks<'a> {
    picked: &'a BTreeSet<String>,
    toggled: Option<String>,
    cleared: bool,
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
    // Picked devices that are gone (deleted, renamed) are not picked.
    state
        .picked
        .retain(|name| view.devices.iter().any(|d| &d.name == name));
    if !state.picked.is_empty() {
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} picked (right-click one to send to them all)",
                state.picked.len()
            ));
            if ui.small_button("Clear").clicked() {
                state.picked.clear();
            }
        });
    }
    // The folders closed are kept with the window's state (egui's memory),
    // as egui's collapsing headers keep theirs.
    let closed = egui::Id::unique("device tree: closed folders");
    if !state.rows.restored() {
        let last = ui.data_mut(|d| d.get_persisted(closed)).unwrap_or_default();
        state.rows.restore(last);
    }
    state.rows.refresh(view.devices, &state.filter);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_viewport(ui, |ui, viewport| {
            if state.rows.rows().is_empty() {
                ui.add_space(8.0);
                ui.weak(if view.devices.is_empty() {
                    "No devices yet. Add one with “Add device”, or start apx with --demo to try the built-in appliances."
                } else {
                    "No device matches the filter."
                });
            }
            let mut picks = Picks {
                picked: &state.picked,
                toggled: None,
                cleared: false,
            };
            let toggled = tree_rows(ui, viewport, &state.rows, view, marks, &mut picks, actions);
            let (picked, cleared) = (picks.toggled, picks.cleared);
            if cleared {
                state.picked.clear();
            }
            if let Some(name) = picked
                && !state.picked.remove(&name)
            {
                state.picked.insert(name);
            }
            if let Some(folder) = toggled {
                state.rows.toggle(&folder);
                let now = state.rows.closed().cloned().unwrap_or_default();
                ui.data_mut(|d| d.insert_persisted(closed, now));
            }
            collections_tree(ui, state, view, marks, actions);
        });
}

/// Draws the rows of the device tree that are on screen (`viewport`: the
/// visible part of the scroll area's content), and one more at each end so
/// that Tab and Shift+Tab reach past the edge; leaves the space of all of
/// them. Returns the folder whose header was clicked.
fn tree_rows(
    ui: &mut egui::Ui,
    viewport: egui::Rect,
    rows: &TreeRows,
    view: &View,
    marks: &Marks,
    picks: &mut Picks,
    actions: &mut Vec<Action>,
) -> Option<String> {
    let all = rows.rows();
    let spacing = ui.spacing();
    let (gap, indent) = (spacing.item_spacing.y, spacing.indent);
    // As tall as a button, as each row holds one.
    let height = spacing
        .interact_size
        .y
        .max(ui.text_style_height(&egui::TextStyle::Button) + 2.0 * spacing.button_padding.y);
    let stride = height + gap;
    let top = ui.cursor().top();
    let (left, width) = (ui.max_rect().left(), ui.available_width());
    // The viewport is relative to the content's top, the rows to `top`.
    let shown = viewport.translate(egui::vec2(0.0, ui.max_rect().top() - top));
    let first = ((shown.top() / stride).floor().max(0.0) as usize).saturating_sub(1);
    let end = ((shown.bottom() / stride).ceil().max(0.0) as usize + 1).min(all.len());
    let mut toggled = None;
    for (i, row) in all.iter().enumerate().take(end).skip(first) {
        let rect = egui::Rect::from_min_size(
            egui::pos2(left, top + i as f32 * stride),
            egui::vec2(width, height),
        );
        let (salt, nested) = match row {
            Row::Folder { name, .. } => (("folder", name.as_str()), false),
            Row::Device { index, nested } => {
                (("device", view.devices[*index].name.as_str()), *nested)
            }
        };
        let mut row_ui = ui.new_child(
            egui::UiBuilder::new()
                .scope_id(ui.make_persistent_id(salt))
                .max_rect(if nested {
                    rect.with_min_x(left + indent)
                } else {
                    rect
                })
                .layout(egui::Layout::left_to_right(egui::Align::Center)),
        );
        if nested {
            // The line down the left of a folder's devices.
            let y = rect.y_range().expand(gap / 2.0);
            let stroke = row_ui.visuals().widgets.noninteractive.bg_stroke;
            row_ui.painter().vline(left + indent / 2.0, y, stroke);
        }
        let response = match row {
            Row::Folder { name, open } => {
                let response = folder_header(&mut row_ui, name, *open);
                if response.clicked() {
                    toggled = Some(name.clone());
                }
                folder_menu(&response, name, view, actions);
                response
            }
            Row::Device { index, .. } => {
                let device = &view.devices[*index];
                device_row(
                    &mut row_ui,
                    device,
                    rows.host(*index),
                    marks,
                    picks,
                    view,
                    actions,
                )
            }
        };
        // Focus moved here by the keyboard (from the row before, maybe
        // off screen): bring the row on screen.
        if response.gained_focus() {
            response.scroll_to_me(None);
        }
    }
    if !all.is_empty() {
        let size = egui::vec2(width, all.len() as f32 * stride - gap);
        ui.advance_cursor_after_rect(egui::Rect::from_min_size(egui::pos2(left, top), size));
    }
    toggled
}

/// A folder's header: the open/closed arrow and its name (elided, whole on
/// hover); a click opens or closes it.
fn folder_header(ui: &mut egui::Ui, folder: &str, open: bool) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), egui::Sense::click());
    let role = egui::accesskit::Role::DisclosureTriangle;
    response.widget_info(|| egui::WidgetInfo::labeled(role, ui.is_enabled(), folder));
    ui.ctx()
        .accesskit_node_builder(response.id, |node| node.set_expanded(open));
    let indent = ui.spacing().indent;
    let galley = egui::WidgetText::from(folder).into_galley(
        ui,
        Some(egui::TextWrapMode::Truncate),
        rect.width() - indent,
        egui::TextStyle::Button,
    );
    let visuals = *ui.style().interact(&response);
    let (mut icon, _) = ui.spacing().icon_rectangles(rect);
    icon.set_center(egui::pos2(rect.left() + indent / 2.0, rect.center().y));
    let openness = if open { 1.0 } else { 0.0 };
    egui::collapsing_header::paint_default_icon(
        ui,
        openness,
        &response.clone().with_new_rect(icon),
    );
    let text = egui::pos2(
        rect.left() + indent,
        rect.center().y - galley.size().y / 2.0,
    );
    let elided = galley.elided;
    ui.painter().galley(text, galley, visuals.text_color());
    if elided {
        response.on_hover_text(folder)
    } else {
        response
    }
}

/// A folder header's context menu.
fn folder_menu(header: &egui::Response, folder: &str, view: &View, actions: &mut Vec<Action>) {
    header.context_menu(|ui| {
        if ui.button("New device here…").clicked() {
            actions.push(Action::NewDevice(folder.to_string()));
            ui.close();
        }
        fleet_items(
            ui,
            &Fleet::Folder(folder.into()),
            "this folder's devices",
            view,
            actions,
        );
    });
}

/// The fan-out items of a context menu: the current request, or a
/// collection, to `whom`.
fn fleet_items(
    ui: &mut egui::Ui,
    fleet: &Fleet,
    whom: &str,
    view: &View,
    actions: &mut Vec<Action>,
) {
    if ui
        .button(format!("Send current request to {whom}"))
        .clicked()
    {
        actions.push(Action::FanOut(fleet.clone()));
        ui.close();
    }
    if !view.collections.folders.is_empty() {
        ui.menu_button(format!("Run collection on {whom}"), |ui| {
            for collection in &view.collections.folders {
                if ui.button(collection).clicked() {
                    actions.push(Action::FanOutCollection {
                        devices: fleet.clone(),
                        collection: collection.clone(),
                    });
                    ui.close();
                }
            }
        });
    }
}

/// A device: its platform badge, its name (a click picks it for the tab,
/// Ctrl+click adds it to or takes it from the devices picked for a
/// fan-out, a right click offers the rest), its host and a trust warning.
/// The name and host are elided to the row's width (the whole name on
/// hover).
fn device_row(
    ui: &mut egui::Ui,
    device: &Device,
    host: &str,
    marks: &Marks,
    picks: &mut Picks,
    view: &View,
    actions: &mut Vec<Action>,
) -> egui::Response {
    let picked = picks.picked.contains(&device.name);
    let selected = picked || marks.device == Some(device.name.as_str());
    platform_badge(ui, device.platform);
    let response = ui
        .add(egui::Button::selectable(selected, device.name.as_str()).truncate())
        .on_hover_text(&device.name);
    ui.add(egui::Label::new(egui::RichText::new(host).weak()).truncate());
    if matches!(device.trust, crate::core::tls::Trust::Insecure) {
        ui.colored_label(ui.visuals().warn_fg_color, "insecure")
            .on_hover_text("Certificate verification is off for this device");
    }
    if response.clicked() {
        if ui.input(|i| i.modifiers.command) {
            picks.toggled = Some(device.name.clone());
        } else {
            picks.cleared = true;
            actions.push(Action::SelectDevice(device.name.clone()));
        }
    }
    response.context_menu(|ui| {
        if !picks.picked.is_empty() {
            let names: Vec<String> = picks.picked.iter().cloned().collect();
            let whom = format!("the {} picked devices", names.len());
            fleet_items(ui, &Fleet::Devices(names), &whom, view, actions);
            ui.separator();
        }
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
    response
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
