//! "Export collection": a folder of saved requests written as a Postman
//! v2.1 collection or a curl script to a typed or chosen file, or as an
//! Ansible inventory and playbook for chosen devices into a folder (as
//! `apx export` does; no secret in any).

use std::path::{Path, PathBuf};

use super::actions::Action;
use super::file_dialog::PathPicker;
use super::inbox::PickTarget;
use super::menus::WINDOW_POS;
use crate::core::error::Failure;
use crate::core::fanout::select;
use crate::core::interop::{ansible_command, curl_script, folder_requests, postman_folder};
use crate::core::workspace::collections::Collections;
use crate::core::workspace::saved::SavedRequest;
use crate::core::workspace::{Device, atomic};
use crate::engine::ansible::export_ansible_dir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Postman,
    Curl,
    Ansible,
}

#[derive(Default)]
pub struct ExportDialog {
    /// The folder exported (empty: every saved request).
    pub folder: String,
    pub format: ExportFormat,
    /// Ansible: the devices, as `--devices` takes them (a device-tree
    /// folder, or names separated by commas).
    pub devices: String,
    /// The file written (the folder, for Ansible).
    pub file: PathPicker,
    /// What the last export did, or why it failed.
    pub outcome: Option<Result<String, Failure>>,
    pub running: bool,
}

impl ExportDialog {
    pub fn window(&mut self, ctx: &egui::Context) -> Option<Action> {
        let mut action = None;
        let mut open = true;
        // Below the menu bar (at the top left it would cover the File menu),
        // growing downwards so that its buttons stay put.
        egui::Window::new("Export collection")
            .default_pos(WINDOW_POS)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let l = ui.add_sized([110.0, 20.0], egui::Label::new("Folder"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.folder)
                            .hint_text("every saved request"),
                    )
                    .labelled_by(l.id);
                });
                ui.horizontal(|ui| {
                    ui.add_sized([110.0, 20.0], egui::Label::new("Format"));
                    ui.radio_value(&mut self.format, ExportFormat::Postman, "Postman v2.1");
                    ui.radio_value(&mut self.format, ExportFormat::Curl, "curl script");
                    ui.radio_value(&mut self.format, ExportFormat::Ansible, "Ansible playbook");
                });
                let ansible = self.format == ExportFormat::Ansible;
                if ansible {
                    ui.horizontal(|ui| {
                        let l = ui.add_sized([110.0, 20.0], egui::Label::new("On devices"));
                        ui.add(
                            egui::TextEdit::singleline(&mut self.devices)
                                .hint_text("Lab/DC1, or fw1,fw2"),
                        )
                        .labelled_by(l.id);
                    });
                }
                let (label, target) = if ansible {
                    ("Save in folder", PickTarget::ExportFolder)
                } else {
                    ("Save to", PickTarget::ExportFile)
                };
                if self.file.ui(ui, label, "Choose...") {
                    action = Some(Action::Pick { target, save: true });
                }
                if ansible {
                    ui.weak("Writes inventory.yml and playbook.yml; the password comes from the Ansible variable apx_password (Vault or -e).");
                } else {
                    ui.weak("No password or token is written: credentials stay variables.");
                }
                ui.horizontal(|ui| {
                    let ready = !self.running
                        && !self.file.path.trim().is_empty()
                        && (!ansible || !self.devices.trim().is_empty());
                    if ui.add_enabled(ready, egui::Button::new("Export")).clicked() {
                        self.running = true;
                        self.outcome = None;
                        action = Some(Action::ExportCollection);
                    }
                    if self.running {
                        ui.spinner();
                    }
                });
                match &self.outcome {
                    Some(Ok(done)) => {
                        ui.label(done);
                    }
                    Some(Err(failure)) => super::failure_panel::failure_frame(ui, failure, None),
                    None => {}
                }
            });
        if !open {
            action = Some(Action::CloseDialogs);
        }
        action
    }
}

/// What the dialog asks for, handed to a background thread.
pub struct ExportJob {
    pub folder: String,
    pub format: ExportFormat,
    pub devices: String,
    pub path: PathBuf,
}

impl ExportDialog {
    pub fn job(&self) -> ExportJob {
        ExportJob {
            folder: self.folder.clone(),
            format: self.format,
            devices: self.devices.clone(),
            path: PathBuf::from(self.file.path.trim()),
        }
    }
}

/// Writes the export (disk and, for pinned devices in an Ansible export,
/// network I/O: never in a frame); says what it wrote. Each request of a
/// curl script goes to its own device, else to `fallback`.
pub fn export(
    collections: &Collections,
    job: &ExportJob,
    devices: &[Device],
    fallback: Option<&Device>,
) -> Result<String, Failure> {
    let (folder, path) = (job.folder.as_str(), job.path.as_path());
    let device_for = |request: &SavedRequest| {
        let named = request
            .device
            .as_ref()
            .and_then(|name| devices.iter().find(|d| d.name == *name));
        named.or(fallback).cloned()
    };
    let (text, count) = match job.format {
        ExportFormat::Postman => {
            let exported = postman_folder(collections, folder)?;
            (exported.text, exported.count)
        }
        ExportFormat::Curl => curl_script(collections, folder, device_for)?,
        ExportFormat::Ansible => {
            return export_ansible(collections, folder, &job.devices, devices, path);
        }
    };
    atomic::write_atomic(path, text.as_bytes()).map_err(|e| {
        Failure::usage(
            format!("cannot write {}: {e}", path.display()),
            "Check the folder exists and is writable.",
        )
    })?;
    let plural = if count == 1 { "" } else { "s" };
    Ok(format!(
        "Exported {count} request{plural} to {}",
        path.display()
    ))
}

/// Writes the Ansible export of `folder` for the devices `selector` names
/// into the folder `dir` (disk and network I/O: never in a frame).
fn export_ansible(
    collections: &Collections,
    folder: &str,
    selector: &str,
    devices: &[Device],
    dir: &Path,
) -> Result<String, Failure> {
    let requests: Vec<SavedRequest> = folder_requests(collections, folder)?
        .into_iter()
        .map(|(_, request)| request)
        .collect();
    let chosen: Vec<Device> = select(selector, devices)?.into_iter().cloned().collect();
    let export = export_ansible_dir(&requests, &chosen, dir)?;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Ok(format!(
        "Exported {} request{} for {} device{}. Run: {}",
        export.requests,
        plural(export.requests),
        export.hosts,
        plural(export.hosts),
        ansible_command(dir)
    ))
}
