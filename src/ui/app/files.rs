//! Saved requests, response bodies, imports and exports written or read
//! off the UI thread, and the paths picked for them.

use std::path::PathBuf;

use super::ApxApp;
use crate::ui::inbox::{Msg, PickTarget};

impl ApxApp {
    /// Writes the active tab's body out in the background (a spilled body
    /// can be hundreds of megabytes); the outcome arrives as a notice.
    pub(super) fn save_body(&mut self) {
        let r = &mut self.tabs.active_mut().response;
        let path = PathBuf::from(r.save_path.trim());
        let Some(body) = r.result.as_ref().map(|res| res.body.clone()) else {
            return;
        };
        if path.as_os_str().is_empty() {
            self.notice = Some("Type a path to save the body to, or Choose… one.".into());
            return;
        }
        r.save_pending = true;
        self.inbox
            .outbox()
            .spawn(move || match crate::ui::body_view::save(&body, &path) {
                Ok(n) => Msg::Notice(format!("Saved {n} bytes to {}", path.display())),
                Err(e) => Msg::Notice(format!("Could not save to {}: {e}", path.display())),
            });
    }

    pub(super) fn picked(&mut self, target: PickTarget, path: Option<PathBuf>) {
        match target {
            PickTarget::ImportFile => {
                if let Some(d) = &mut self.dialogs.import {
                    d.file.picked(path);
                }
            }
            PickTarget::CaFile => {
                if let Some(e) = &mut self.dialogs.editor {
                    e.ca_file.picked(path);
                }
            }
            PickTarget::ClientCert => {
                if let Some(e) = &mut self.dialogs.editor {
                    e.client_cert.picked(path);
                }
            }
            PickTarget::ClientKey => {
                if let Some(e) = &mut self.dialogs.editor {
                    e.client_key.picked(path);
                }
            }
            PickTarget::ExportFile | PickTarget::ExportFolder => {
                if let Some(d) = &mut self.dialogs.export {
                    d.file.picked(path);
                }
            }
            PickTarget::RunExport => {
                if let Some(run) = &mut self.dialogs.runs {
                    run.export_file.picked(path);
                }
            }
            PickTarget::Workspace => {
                if let Some(d) = &mut self.dialogs.workspace {
                    d.folder.picked(path);
                }
            }
            PickTarget::SaveBody(tab) => {
                if let (Some(path), Some(t)) = (path, self.tabs.by_id(tab)) {
                    t.response.save_path = path.display().to_string();
                    let active = self.tabs.active().id == tab;
                    if active {
                        self.save_body();
                    }
                }
            }
        }
    }

    pub(super) fn save_request(&mut self) {
        let Some(dialog) = &mut self.dialogs.save else {
            return;
        };
        let name = match dialog.checked_name() {
            Ok(name) => name,
            Err(e) => {
                dialog.error = Some(e);
                return;
            }
        };
        let folder = dialog.folder.trim().trim_matches('/').to_string();
        let tab = self.tabs.active();
        let mut draft = tab.draft.clone();
        draft.name = name.clone();
        let saved = draft.to_saved(tab.device.as_deref());
        let id = tab.id;
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || Msg::RequestSaved {
            tab: id,
            name,
            outcome: workspace.save_request(&folder, &saved),
        });
    }

    pub(super) fn import_postman(&mut self) {
        let Some(dialog) = &self.dialogs.import else {
            return;
        };
        let path = PathBuf::from(dialog.file.path.trim());
        let folder = dialog.folder.trim().to_string();
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || {
            let into = Some(folder.as_str()).filter(|f| !f.is_empty());
            match crate::core::interop::import_postman_file(&workspace, &path, into) {
                Ok(outcome) => Msg::Imported {
                    report: outcome.summary(),
                    secrets: outcome.import.secrets,
                },
                Err(f) => Msg::Imported {
                    report: format!("{}\n{}", f.message, f.hint),
                    secrets: Vec::new(),
                },
            }
        });
    }

    /// Writes the export dialog's folder out in the background.
    pub(super) fn export_collection(&mut self) {
        let Some(dialog) = &self.dialogs.export else {
            return;
        };
        let job = dialog.job();
        let devices = self.tree.devices.clone();
        let fallback = self.selected_device().cloned();
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || {
            let collections = workspace.collections();
            Msg::Exported(crate::ui::export_dialog::export(
                &collections,
                &job,
                &devices,
                fallback.as_ref(),
            ))
        });
    }
}
