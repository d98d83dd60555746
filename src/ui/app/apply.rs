//! Carrying out actions and the command list's commands.

use super::ApxApp;
use crate::core::platform::catalog;
use crate::core::request::origin;
use crate::engine::session::SecondFactor;
use crate::ui::actions::Action;
use crate::ui::commands::{Command, Palette};
use crate::ui::draft::Draft;
use crate::ui::inbox::{Msg, PickTarget};
use crate::ui::tabs::ResponseTab;
use crate::ui::tree_ops::{Ask, Node, TreeDialog};

impl ApxApp {
    /// Carries out an action.
    pub fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::Run(command) => self.run(command, ctx),
            Action::OpenCatalog => self.open_catalog(),
            Action::FetchCatalog => self.fetch_catalog(),
            Action::UseOperation(operation) => {
                let tab = self.tabs.active_mut();
                tab.draft.use_operation(&operation);
                if !tab.draft.body.is_empty() {
                    tab.section = crate::ui::tabs::RequestTab::Body;
                }
                let form = crate::ui::catalog_browser::OperationForm::new(*operation);
                tab.operation = (!form.is_empty()).then_some(form);
            }
            Action::SelectDevice(name) => self.select_device(&name),
            Action::OpenSaved(entry) => {
                let tab = self.tabs.active_mut();
                tab.draft = Draft::from_saved(&entry.request, Some(entry.path.clone()));
                if !tab.draft.body.is_empty() {
                    tab.section = crate::ui::tabs::RequestTab::Body;
                }
                if let Some(device) = &entry.request.device
                    && self.tree.find(device).is_some()
                {
                    self.tabs.active_mut().device = Some(device.clone());
                }
            }
            Action::OpenHistory { entry, new_tab } => self.open_history(&entry, new_tab),
            Action::SwitchTab(i) => self.tabs.active = i.min(self.tabs.list.len() - 1),
            Action::CloseTab(i) => self.close_tab(i),
            Action::NewDevice(folder) => {
                self.dialogs.editor = Some(crate::ui::device_editor::DeviceEditor::new_in(folder));
            }
            Action::EditDevice(name) => {
                if let Some(d) = self.tree.find(&name) {
                    let mut editor = crate::ui::device_editor::DeviceEditor::edit(d);
                    editor.known_domains =
                        self.known_domains.get(&name).cloned().unwrap_or_default();
                    self.dialogs.editor = Some(editor);
                }
            }
            Action::DuplicateDevice(name) => self.duplicate_device(&name),
            Action::AskDelete(name) => self.dialogs.confirm_delete = Some(name),
            Action::DeleteDevice(name) => self.delete_device(&name),
            Action::SaveDevice => self.save_editor(),
            Action::SaveRequest => self.save_request(),
            Action::ImportCurl(text) => self.import_curl(&text),
            Action::SetPassword { device, password } => {
                // A session opened with the old password is not reused.
                self.engine.close_sessions(Some(device.clone()));
                match password {
                    Some(p) => self.passwords.insert(device, p),
                    None => self.passwords.remove(&device),
                };
            }
            Action::TrustCertificate => self.trust_presented_certificate(),
            Action::EnterPassword => {
                let tab = self.tabs.active_mut();
                tab.section = crate::ui::tabs::RequestTab::Auth;
                tab.focus_password = true;
            }
            Action::AddHostAsDevice { sha256 } => {
                let mut editor = crate::ui::device_editor::DeviceEditor::new_in(String::new());
                let answered = self.tabs.active().response.result.as_ref();
                if let Some(url) = answered.and_then(|r| url::Url::parse(&r.url).ok()) {
                    editor.base_url = origin(&url);
                    editor.name = url.host_str().unwrap_or_default().to_string();
                }
                editor.trust = crate::ui::device_editor::TrustChoice::Pin;
                editor.pin = sha256;
                self.dialogs.editor = Some(editor);
            }
            Action::RunFolder(folder) => self.run_folder(&folder),
            Action::FanOut(fleet) => self.fan_out(&fleet),
            Action::FanOutCollection {
                devices,
                collection,
            } => self.fan_out_collection(&devices, &collection),
            Action::OpenRunRow(row) => self.open_run_row(row),
            Action::RerunRows(only_failed) => self.rerun(only_failed),
            Action::RerunWithPasscode { device, passcode } => {
                self.dialogs.passcode = None;
                let rows = self.rows_wanting_passcode(&device);
                self.rerun_rows(rows, SecondFactor::Passcode(passcode));
            }
            Action::StopRun => self.stop_run(),
            Action::Compare(sides) => self.open_diff(*sides),
            Action::RefreshDiff => self.refresh_diff(),
            Action::CloseRun => {
                self.stop_run();
                self.dialogs.runs = None;
            }
            Action::OpenWorkspace(dir) => {
                let outbox = self.inbox.outbox().clone();
                self.inbox.outbox().spawn(move || Msg::WorkspaceChecked {
                    outcome: crate::ui::workspace_dialog::check(&dir)
                        .map(|()| crate::ui::inbox::watch(&dir, &outbox)),
                    dir,
                });
            }
            Action::AskTree(ask, folder) => {
                self.dialogs.tree = Some(TreeDialog::new(ask, folder));
            }
            Action::Tree(op) => {
                let workspace = self.workspace.clone();
                self.inbox
                    .outbox()
                    .spawn(move || Msg::TreeChanged(op.apply(&workspace)));
            }
            Action::ClearHistory => {
                let dir = self.workspace.dir().to_path_buf();
                self.inbox.outbox().spawn(move || {
                    Msg::Notice(match crate::core::history::clear(&dir) {
                        Ok(()) => "History cleared".into(),
                        Err(e) => e.message,
                    })
                });
                self.side.history = None;
                self.side.history_loading = false;
            }
            Action::LoadHistory => {
                let dir = self.workspace.dir().to_path_buf();
                self.inbox.outbox().spawn(move || {
                    Msg::History(crate::core::history::load(&dir).unwrap_or_default())
                });
            }
            Action::ImportPostman => self.import_postman(),
            Action::ExportCollection => self.export_collection(),
            Action::ExportRun { csv } => self.export_run(csv),
            Action::StoreFoundPassword(i) => self.store_found_password(i),
            Action::RefreshFind => {
                let id = self.tabs.active().id;
                self.refresh_find(id);
            }
            Action::RefreshFilter => {
                let id = self.tabs.active().id;
                self.refresh_filter(id);
                self.refresh_find(id);
            }
            Action::SaveBody => self.save_body(),
            Action::Pick { target, save } => {
                let target = match target {
                    PickTarget::SaveBody(_) => PickTarget::SaveBody(self.tabs.active().id),
                    other => other,
                };
                crate::ui::inbox::pick(self.inbox.outbox(), target, save);
            }
            Action::Notice(text) => self.notice = Some(text),
            Action::CloseDialogs => self.dialogs.close_modal(),
            Action::AskPasscode => self.dialogs.passcode = Some(Default::default()),
            Action::AskKeyPassphrase => self.ask_key_passphrase(),
            Action::SendWithKeyPassphrase {
                key,
                passphrase,
                remember,
            } => {
                self.dialogs.key_passphrase = None;
                if remember {
                    self.engine
                        .keyring(crate::engine::KeyringOp::KeyPassphrase {
                            path: key.clone(),
                            passphrase: passphrase.clone(),
                        });
                }
                self.key_passphrases.insert(key, passphrase);
                self.send();
            }
            Action::SendWithPasscode(passcode) => {
                self.dialogs.passcode = None;
                self.send_with(SecondFactor::Passcode(passcode));
            }
        }
    }

    /// Runs an entry of the command list.
    pub fn run(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Send => self.send(),
            Command::Cancel => {
                if let Some(running) = &self.tabs.active().response.running {
                    self.engine.cancel(running.job);
                }
            }
            Command::SaveRequest => {
                let tab = self.tabs.active();
                let platform = self.selected_device().map(|d| d.platform);
                self.dialogs.save = Some(crate::ui::save_dialog::SaveDialog::for_draft(
                    &tab.draft, platform,
                ));
            }
            Command::Find => {
                let r = &mut self.tabs.active_mut().response;
                r.find_open = true;
                r.tab = ResponseTab::Body;
            }
            Command::FocusUrl => self.tabs.active_mut().focus_url = true,
            Command::NewTab => {
                let device = self.tabs.active().device.clone();
                let mut draft = Draft::default();
                let platform = device
                    .as_ref()
                    .and_then(|n| self.tree.find(n))
                    .map(|d| d.platform);
                if let Some(e) = platform.and_then(|p| catalog::endpoints(p).first()) {
                    draft.use_endpoint(e);
                }
                self.tabs.open(device, draft).focus_url = true;
            }
            Command::CloseTab => self.close_tab(self.tabs.active),
            Command::NextTab => self.tabs.cycle(1),
            Command::PreviousTab => self.tabs.cycle(-1),
            Command::Palette => self.dialogs.palette = Some(Palette::default()),
            Command::CopyCurl => {
                self.notice = Some(match self.curl_command() {
                    Ok(command) => {
                        ctx.copy_text(command);
                        "curl command copied (the password is $APX_PASSWORD, never inline)".into()
                    }
                    Err(f) => format!("Cannot build the curl command: {}", f.message),
                });
            }
            Command::NewDevice => {
                self.dialogs.editor =
                    Some(crate::ui::device_editor::DeviceEditor::new_in(String::new()));
            }
            Command::NewRequest | Command::NewFolder => {
                let ask = if command == Command::NewRequest {
                    Ask::NewRequest
                } else {
                    Ask::NewFolder
                };
                let folder = self.side.selected.as_ref().map(Node::folder);
                self.dialogs.tree = Some(TreeDialog::new(ask, folder.unwrap_or_default()));
            }
            Command::RenameSelected | Command::DeleteSelected => {
                let Some(node) = self.side.selected.clone() else {
                    self.notice = Some("Select a saved request or folder first.".into());
                    return;
                };
                let ask = if command == Command::RenameSelected {
                    Ask::Rename(node)
                } else {
                    Ask::Delete(node)
                };
                self.dialogs.tree = Some(TreeDialog::new(ask, String::new()));
            }
            Command::OpenWorkspace => self.dialogs.workspace = Some(Default::default()),
            Command::ExportCollection => {
                let folder = self.side.selected.as_ref().map(Node::folder);
                self.dialogs.export = Some(crate::ui::export_dialog::ExportDialog {
                    folder: folder.unwrap_or_default(),
                    devices: self.tabs.active().device.clone().unwrap_or_default(),
                    ..Default::default()
                });
            }
            Command::ImportPostman => self.dialogs.import = Some(Default::default()),
            Command::ReloadWorkspace => {
                self.watch();
                self.scan();
            }
            Command::Theme(theme) => self.settings.theme = theme,
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    pub(super) fn close_tab(&mut self, index: usize) {
        if let Some(closed) = self.tabs.close(index)
            && let Some(running) = &closed.response.running
        {
            self.engine.cancel(running.job);
        }
    }
}
