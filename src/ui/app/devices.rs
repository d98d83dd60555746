//! Adding, changing, duplicating and deleting devices, their passwords
//! and pinned certificates.

use super::{ApxApp, view};
use crate::core::error::Failure;
use crate::core::secret::Secret;
use crate::core::tls::Trust;
use crate::core::workspace::Device;
use crate::engine::KeyringOp;
use crate::engine::keyring::KeyringKey;
use crate::ui::device_tree::device_origin;
use crate::ui::inbox::{Msg, StoredDevice};

impl ApxApp {
    /// Writes a device in the background (or, for a demo device, keeps it
    /// in memory); the outcome arrives as [`Msg::DeviceStored`].
    pub(super) fn store_device(&mut self, mut stored: StoredDevice) {
        let old_name = stored
            .original
            .clone()
            .unwrap_or(stored.device.name.clone());
        if self.tree.transient.contains(&old_name) {
            self.tree.transient.remove(&old_name);
            self.tree.devices.retain(|d| d.name != old_name);
            self.tree.put_transient(stored.device.clone());
            self.device_stored(stored);
            return;
        }
        let exists = self.tree.find(&old_name).is_some();
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || {
            stored.outcome = check_ca(&stored.device).and_then(|()| {
                if exists {
                    workspace.update_device(&old_name, stored.device.clone())
                } else {
                    workspace.add_device(stored.device.clone())
                }
            });
            Msg::DeviceStored(Box::new(stored))
        });
    }

    pub(super) fn device_stored(&mut self, stored: StoredDevice) {
        let StoredDevice {
            original,
            device,
            outcome,
            password,
            remember,
            proxy_credentials,
            from_editor,
            resend,
        } = stored;
        if let Err(failure) = outcome {
            match (&mut self.dialogs.editor, from_editor) {
                (Some(editor), true) => editor.error = Some(failure),
                _ => {
                    self.notice = Some(format!(
                        "Could not save {}: {}",
                        device.name, failure.message
                    ))
                }
            }
            return;
        }
        let name = device.name.clone();
        let old_name = original.unwrap_or(name.clone());
        // Its address, credentials or trust may have changed: a session
        // kept open under the old settings is logged out.
        self.engine.close_sessions(Some(old_name.clone()));
        let transient = self.tree.transient.contains(&name);
        // A typed password follows a rename, never a move to another address.
        let moved = self
            .tree
            .find(&old_name)
            .is_none_or(|previous| device_origin(previous) != device_origin(&device));
        // A renamed device keeps its keyring password; one moved to another
        // address does not (it is bound to the old one).
        if !transient
            && old_name != name
            && let Some(previous) = self.tree.find(&old_name)
        {
            let key = self.keyring_key(previous, None);
            self.engine.keyring(KeyringOp::Rename {
                key,
                new_name: name.clone(),
            });
        }
        if !transient {
            self.tree.devices.retain(|d| d.name != old_name);
            self.tree.devices.push(device.clone());
            self.watch();
            self.scan();
        }
        if let Some(p) = self.passwords.remove(&old_name).filter(|_| !moved) {
            self.passwords.insert(name.clone(), p);
        }
        if let Some(password) = password {
            if remember && !transient {
                let key = self.keyring_key(&device, None);
                self.engine.keyring(KeyringOp::Store {
                    key,
                    password: password.clone(),
                });
            }
            self.passwords.insert(name.clone(), password);
        }
        if let Some((proxy, credentials)) = proxy_credentials {
            self.engine.keyring(KeyringOp::ProxyCredentials {
                proxy,
                credentials: Some(credentials),
            });
        }
        for tab in &mut self.tabs.list {
            if tab.device.as_deref() == Some(old_name.as_str()) {
                tab.device = Some(name.clone());
            }
        }
        if from_editor {
            self.dialogs.editor = None;
            self.tabs.active_mut().device = Some(name.clone());
            self.notice = Some(format!("Saved device {name}"));
        }
        if resend {
            self.tabs.active_mut().device = Some(name.clone());
            self.send();
            let scope = if transient {
                "for this run (demo device)"
            } else {
                "in the workspace"
            };
            if let Trust::Pin { sha256 } = &device.trust {
                self.notice = Some(format!("Pinned {sha256} {scope}; sent again."));
            }
        }
    }

    pub(super) fn save_editor(&mut self) {
        let Some(editor) = &mut self.dialogs.editor else {
            return;
        };
        match editor
            .device()
            .and_then(|d| Ok((d, editor.proxy_credentials()?)))
        {
            Ok((device, proxy_credentials)) => {
                let stored = StoredDevice {
                    original: editor.original.clone(),
                    device,
                    outcome: Ok(()),
                    password: Some(editor.password.clone())
                        .filter(|p| !p.is_empty())
                        .map(Secret::new),
                    remember: editor.remember,
                    proxy_credentials,
                    from_editor: true,
                    resend: false,
                };
                self.store_device(stored);
            }
            Err(failure) => editor.error = Some(failure),
        }
    }

    pub(super) fn duplicate_device(&mut self, name: &str) {
        let Some(mut copy) = self.tree.find(name).cloned() else {
            return;
        };
        let mut n = 2;
        while self.tree.find(&format!("{name} ({n})")).is_some() {
            n += 1;
        }
        copy.name = format!("{name} ({n})");
        self.notice = Some(format!("Duplicated as {}", copy.name));
        self.store_device(StoredDevice {
            original: None,
            device: copy,
            outcome: Ok(()),
            password: None,
            remember: false,
            proxy_credentials: None,
            from_editor: false,
            resend: false,
        });
    }

    pub(super) fn delete_device(&mut self, name: &str) {
        self.dialogs.confirm_delete = None;
        if self.tree.transient.remove(name) {
            self.tree.devices.retain(|d| d.name != name);
            self.forget_device(name);
            return;
        }
        let workspace = self.workspace.clone();
        let name = name.to_string();
        self.inbox.outbox().spawn(move || Msg::DeviceDeleted {
            outcome: workspace.remove_device(&name),
            name,
        });
    }

    pub(super) fn forget_device(&mut self, name: &str) {
        self.engine.close_sessions(Some(name.to_string()));
        self.tree.devices.retain(|d| d.name != name);
        self.passwords.remove(name);
        for tab in &mut self.tabs.list {
            if tab.device.as_deref() == Some(name) {
                tab.device = None;
            }
        }
        self.notice = Some(format!("Deleted {name}"));
    }

    /// Pins the presented leaf certificate for the device the active tab's
    /// request went to, and sends again once stored.
    pub(super) fn trust_presented_certificate(&mut self) {
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let response = &self.tabs.active().response;
        let Some(sha256) = response
            .handshake
            .as_ref()
            .and_then(|h| h.chain.first())
            .map(|leaf| leaf.sha256.clone())
        else {
            return;
        };
        let Some(mut device) = crate::ui::certificate_view::trust_target(response, &v).cloned()
        else {
            return;
        };
        device.trust = Trust::Pin { sha256 };
        self.store_device(StoredDevice {
            original: None,
            device,
            outcome: Ok(()),
            password: None,
            remember: false,
            proxy_credentials: None,
            from_editor: false,
            resend: true,
        });
    }

    /// Stores a password found in an imported file in a device's keyring
    /// entry, bound to the file's user where it names one.
    pub(super) fn store_found_password(&mut self, index: usize) {
        let Some(dialog) = &mut self.dialogs.import else {
            return;
        };
        let Some(offer) = dialog.passwords.get_mut(index) else {
            return;
        };
        let Some(device) = self.tree.devices.iter().find(|d| d.name == offer.device) else {
            return;
        };
        let key = KeyringKey::new(self.workspace.dir(), device, offer.found.user.as_deref());
        offer.pending = Some(self.engine.keyring(KeyringOp::Store {
            key,
            password: offer.found.secret.clone(),
        }));
    }
}

/// A CA file named by a device must hold certificates (read in the
/// background, never in a frame).
fn check_ca(device: &Device) -> Result<(), Failure> {
    match &device.trust {
        Trust::Ca { file } => crate::engine::tls::load_pem_certs(file).map(|_| ()),
        _ => Ok(()),
    }
}
