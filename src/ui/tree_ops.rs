//! The saved-requests tree's operations: what a node is, the dialog that
//! asks for a name, a folder or a confirmation, and the change it makes
//! (run off the UI thread by the app, through the workspace use cases).

use std::path::PathBuf;

use super::actions::{Action, View};
use crate::core::error::Failure;
use crate::core::workspace::Workspace;
use crate::core::workspace::collections::SavedEntry;

/// A node of the saved-requests tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A request: its file relative to the workspace, and its name.
    Request { path: PathBuf, name: String },
    /// A folder path (`Lab/Reports`).
    Folder(String),
}

impl Node {
    /// The folder a new request or folder goes in, when this is selected.
    pub fn folder(&self) -> String {
        match self {
            Node::Folder(folder) => folder.clone(),
            Node::Request { path, .. } => path
                .parent()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default(),
        }
    }

    /// The folder it is in (a folder's parent; empty: the top).
    pub fn parent(&self) -> String {
        match self {
            Node::Folder(folder) => folder.rsplit_once('/').map_or("", |(p, _)| p).to_string(),
            Node::Request { .. } => self.folder(),
        }
    }

    fn label(&self) -> String {
        match self {
            Node::Request { name, .. } => format!("request \"{name}\""),
            Node::Folder(folder) => format!("folder \"{folder}\""),
        }
    }

    /// Its name, as a rename starts from.
    fn name(&self) -> String {
        match self {
            Node::Request { name, .. } => name.clone(),
            Node::Folder(folder) => folder.rsplit('/').next().unwrap_or(folder).to_string(),
        }
    }
}

/// A change to the tree.
#[derive(Debug, Clone)]
pub enum TreeOp {
    NewRequest { folder: String, name: String },
    NewFolder { parent: String, name: String },
    Rename { node: Node, name: String },
    Duplicate(PathBuf),
    Move { node: Node, to: String },
    Delete(Node),
}

/// What a change did: a line for the status bar, and the request file it
/// moved (from, to; `to` None when deleted) for the tabs that show it.
pub struct Changed {
    pub notice: String,
    pub moved: Option<(PathBuf, Option<PathBuf>)>,
    /// A request it created, to open in a new tab.
    pub created: Option<SavedEntry>,
}

impl TreeOp {
    /// Carries out the change (disk I/O: never in a frame).
    pub fn apply(self, ws: &Workspace) -> Result<Changed, Failure> {
        let changed = |notice: String| Changed {
            notice,
            moved: None,
            created: None,
        };
        let shown = |p: &PathBuf| p.display().to_string();
        Ok(match self {
            TreeOp::NewRequest { folder, name } => {
                let path = ws.new_request(&folder, &name)?;
                let request = ws.load_request(&path)?;
                Changed {
                    notice: format!("Created {}", shown(&path)),
                    moved: None,
                    created: Some(SavedEntry {
                        folder,
                        path,
                        request,
                    }),
                }
            }
            TreeOp::NewFolder { parent, name } => {
                changed(format!("Created folder {}", ws.new_folder(&parent, &name)?))
            }
            TreeOp::Duplicate(path) => changed(format!(
                "Duplicated as {}",
                shown(&ws.duplicate_request(&path)?)
            )),
            TreeOp::Rename {
                node: Node::Request { path, .. },
                name,
            } => {
                let new = ws.rename_request(&path, &name)?;
                Changed {
                    notice: format!("Renamed to {name}"),
                    moved: Some((path, Some(new))),
                    created: None,
                }
            }
            TreeOp::Rename {
                node: Node::Folder(folder),
                name,
            } => changed(format!(
                "Renamed folder to {}",
                ws.rename_folder(&folder, &name)?
            )),
            TreeOp::Move {
                node: Node::Request { path, .. },
                to,
            } => {
                let new = ws.move_request(&path, &to)?;
                Changed {
                    notice: format!("Moved to {}", shown(&new)),
                    moved: Some((path, Some(new))),
                    created: None,
                }
            }
            TreeOp::Move {
                node: Node::Folder(folder),
                to,
            } => changed(format!("Moved folder to {}", ws.move_folder(&folder, &to)?)),
            TreeOp::Delete(Node::Request { path, name }) => {
                ws.delete_saved(&path)?;
                Changed {
                    notice: format!("Deleted request \"{name}\""),
                    moved: Some((path, None)),
                    created: None,
                }
            }
            TreeOp::Delete(Node::Folder(folder)) => {
                let n = ws.delete_folder(&folder)?;
                changed(format!("Deleted folder {folder} ({n} requests)"))
            }
        })
    }
}

/// What the tree dialog asks for.
#[derive(Debug, Clone)]
pub enum Ask {
    NewRequest,
    NewFolder,
    Rename(Node),
    Move(Node),
    Delete(Node),
}

/// The tree's dialog: a name or a folder typed, or a delete confirmed.
pub struct TreeDialog {
    pub ask: Ask,
    /// The folder a new request or folder goes in.
    pub folder: String,
    /// The name (new, rename) or the target folder (move).
    pub text: String,
    pub error: Option<Failure>,
    /// A change under way.
    pub running: bool,
    focused: bool,
}

impl TreeDialog {
    pub fn new(ask: Ask, folder: String) -> TreeDialog {
        let text = match &ask {
            Ask::Rename(node) => node.name(),
            Ask::Move(node) => node.parent(),
            _ => String::new(),
        };
        TreeDialog {
            ask,
            folder,
            text,
            error: None,
            running: false,
            focused: false,
        }
    }

    /// The change the dialog asks for, as it stands.
    fn op(&self) -> TreeOp {
        let text = self.text.trim().to_string();
        let folder = self.folder.trim().trim_matches('/').to_string();
        match &self.ask {
            Ask::NewRequest => TreeOp::NewRequest { folder, name: text },
            Ask::NewFolder => TreeOp::NewFolder {
                parent: folder,
                name: text,
            },
            Ask::Rename(node) => TreeOp::Rename {
                node: node.clone(),
                name: text,
            },
            Ask::Move(node) => TreeOp::Move {
                node: node.clone(),
                to: text.trim_matches('/').to_string(),
            },
            Ask::Delete(node) => TreeOp::Delete(node.clone()),
        }
    }

    pub fn window(&mut self, ctx: &egui::Context, view: &View) -> Option<Action> {
        let mut action = None;
        let (title, button) = match &self.ask {
            Ask::NewRequest => ("New request".to_string(), "Create"),
            Ask::NewFolder => ("New folder".to_string(), "Create"),
            Ask::Rename(node) => (format!("Rename {}", node.label()), "Rename"),
            Ask::Move(node) => (format!("Move {}", node.label()), "Move"),
            Ask::Delete(node) => (format!("Delete {}?", node.label()), "Delete"),
        };
        let modal = egui::Modal::new(egui::Id::unique("tree-dialog")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(&title);
            match &self.ask {
                Ask::Delete(node) => doomed(ui, node, view),
                Ask::NewRequest | Ask::NewFolder => {
                    self.field(ui, "Name");
                    ui.horizontal(|ui| {
                        let l = ui.add_sized([80.0, 20.0], egui::Label::new("In folder"));
                        ui.add(
                            egui::TextEdit::singleline(&mut self.folder)
                                .hint_text("top level")
                                .desired_width(280.0),
                        )
                        .labelled_by(l.id);
                    });
                }
                Ask::Rename(_) => self.field(ui, "New name"),
                Ask::Move(_) => self.field(ui, "To folder"),
            }
            if let Some(error) = &self.error {
                super::failure_panel::failure_frame(ui, error, None);
            }
            ui.horizontal(|ui| {
                let go = ui.add_enabled(!self.running, egui::Button::new(button));
                if go.clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    action = Some(Action::Tree(self.op()));
                }
                if ui.button("Cancel").clicked() {
                    action = Some(Action::CloseDialogs);
                }
                if self.running {
                    ui.spinner();
                }
            });
        });
        if modal.should_close() && action.is_none() {
            action = Some(Action::CloseDialogs);
        }
        if matches!(action, Some(Action::Tree(_))) {
            self.running = true;
            self.error = None;
        }
        action
    }

    /// The dialog's one text field, focused when it opens.
    fn field(&mut self, ui: &mut egui::Ui, label: &str) {
        ui.horizontal(|ui| {
            let l = ui.add_sized([80.0, 20.0], egui::Label::new(label));
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.text).desired_width(280.0))
                .labelled_by(l.id);
            if !self.focused {
                field.request_focus();
                self.focused = true;
            }
        });
    }
}

/// Names what a delete removes: the request, or the folder's requests.
fn doomed(ui: &mut egui::Ui, node: &Node, view: &View) {
    match node {
        Node::Request { path, .. } => {
            ui.label(format!("The file {} will be deleted.", path.display()));
        }
        Node::Folder(folder) => {
            let inside = format!("{folder}/");
            let requests: Vec<&str> = view
                .collections
                .requests
                .iter()
                .filter(|e| e.folder == *folder || e.folder.starts_with(&inside))
                .map(|e| e.request.name.as_str())
                .collect();
            ui.label(format!(
                "The folder and its {} saved requests will be deleted:",
                requests.len()
            ));
            const SHOWN: usize = 12;
            for name in requests.iter().take(SHOWN) {
                ui.label(format!("- {name}"));
            }
            if requests.len() > SHOWN {
                ui.weak(format!("and {} more", requests.len() - SHOWN));
            }
            ui.weak("A folder holding anything else (a link, another file) is not deleted.");
        }
    }
}
