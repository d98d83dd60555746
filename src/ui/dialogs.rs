//! The windows over the main view, each with its own state: the device
//! editor, the delete confirmation, "Save request", the saved-requests
//! tree's dialog, "Open workspace", the export, the Postman import, a folder run, the diff of two responses, and the command palette.

use super::actions::{Action, View};
use super::commands::Palette;
use super::device_editor::DeviceEditor;
use super::export_dialog::ExportDialog;
use super::menus::ImportDialog;
use super::run_window::RunWindow;
use super::save_dialog::SaveDialog;
use super::tree_ops::TreeDialog;
use super::workspace_dialog::WorkspaceDialog;

#[derive(Default)]
pub struct Dialogs {
    pub editor: Option<DeviceEditor>,
    pub confirm_delete: Option<String>,
    pub save: Option<SaveDialog>,
    pub import: Option<ImportDialog>,
    pub runs: Option<RunWindow>,
    pub palette: Option<Palette>,
    /// New request or folder, rename, move, or delete in the saved-requests tree.
    pub tree: Option<TreeDialog>,
    pub workspace: Option<WorkspaceDialog>,
    pub export: Option<ExportDialog>,
    /// The passcode of a two-factor login, being typed.
    pub passcode: Option<super::passcode_dialog::PasscodeDialog>,
    /// Two responses compared.
    pub diff: Option<super::diff_view::DiffView>,
    /// The passphrase of an encrypted client key, being typed.
    pub key_passphrase: Option<super::key_passphrase_dialog::KeyPassphraseDialog>,
}

impl Dialogs {
    /// Closes the modal ones (the import, export and run windows stay).
    pub fn close_modal(&mut self) {
        self.editor = None;
        self.confirm_delete = None;
        self.save = None;
        self.palette = None;
        self.tree = None;
        self.workspace = None;
        self.passcode = None;
        self.key_passphrase = None;
    }
}

/// Draws the open dialogs.
pub fn ui(
    ctx: &egui::Context,
    dialogs: &mut Dialogs,
    view: &View,
    recent: &[std::path::PathBuf],
) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(open) = &mut dialogs.workspace {
        actions.extend(open.window(ctx, recent));
    }
    if let Some(editor) = &mut dialogs.editor {
        actions.extend(super::device_editor::window(ctx, editor));
    }
    if let Some(passcode) = &mut dialogs.passcode {
        actions.extend(passcode.window(ctx));
    }
    if let Some(dialog) = &mut dialogs.key_passphrase {
        actions.extend(dialog.window(ctx));
    }
    if let Some(name) = &dialogs.confirm_delete {
        actions.extend(super::device_editor::delete_confirmation(ctx, name));
    }
    if let Some(tree) = &mut dialogs.tree {
        actions.extend(tree.window(ctx, view));
    }
    if let Some(save) = &mut dialogs.save {
        actions.extend(save.window(ctx));
    }
    if let Some(runs) = &mut dialogs.runs
        && !runs.window(ctx, view, &mut actions)
    {
        actions.push(Action::CloseRun);
    }
    if let Some(diff) = &mut dialogs.diff
        && !diff.window(ctx, &mut actions)
    {
        dialogs.diff = None;
    }
    if let Some(export) = &mut dialogs.export {
        match export.window(ctx) {
            Some(Action::CloseDialogs) => dialogs.export = None,
            asked => actions.extend(asked),
        }
    }
    if let Some(import) = &mut dialogs.import {
        let mut asked = import.window(ctx, view);
        if asked.iter().any(|a| matches!(a, Action::CloseDialogs)) {
            dialogs.import = None;
            asked.retain(|a| !matches!(a, Action::CloseDialogs));
        }
        actions.extend(asked);
    }
    if let Some(palette) = &mut dialogs.palette {
        let (chosen, close) = palette.ui(ctx, view);
        if close {
            dialogs.palette = None;
        }
        actions.extend(chosen);
    }
    actions
}
