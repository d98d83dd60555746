//! What the user's commands do: send, cancel, trust a certificate, save.

use std::time::Instant;

use super::app::{ApxApp, ResponseState, Running};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::origin;
use crate::core::tls::Trust;
use crate::core::workspace::variables::prepare;
use crate::engine::session::SessionSpec;
use crate::engine::{Job, JobRequest};

impl ApxApp {
    /// The platform the draft sends with: its own, else the device's.
    pub fn platform(&self) -> Platform {
        self.draft
            .platform
            .or_else(|| self.selected_device().map(|d| d.platform))
            .unwrap_or(Platform::Generic)
    }

    /// The auth the draft sends with: its own, else the platform's default
    /// (Basic for generic requests with a username).
    pub fn auth(&self) -> AuthMode {
        self.draft.auth.unwrap_or_else(|| {
            let platform = self.platform();
            match platform.default_auth() {
                AuthMode::None
                    if self
                        .selected_device()
                        .and_then(|d| d.username.as_ref())
                        .is_some() =>
                {
                    AuthMode::Basic
                }
                mode => mode,
            }
        })
    }

    /// Why Send is disabled, if it is.
    pub fn send_blocker(&self) -> Option<String> {
        if self.is_running() {
            return Some("a request is running".into());
        }
        if self.draft.url.trim().is_empty() {
            return Some("enter a path or URL".into());
        }
        self.draft
            .body_problem(self.platform())
            .map(|p| format!("the body is not valid JSON ({p})"))
    }

    pub fn send(&mut self) {
        if self.send_blocker().is_some() {
            return;
        }
        let job = match self.build_job() {
            Ok(job) => job,
            Err(failure) => {
                self.response = ResponseState {
                    input_error: Some(failure),
                    ..ResponseState::default()
                };
                return;
            }
        };
        let id = self.engine.run(job);
        let keep_tab = self.response.tab;
        self.response = ResponseState {
            device: self.selected.clone(),
            running: Some(Running {
                job: id,
                started: Instant::now(),
                status: None,
                received: 0,
                total: None,
            }),
            tab: keep_tab,
            ..ResponseState::default()
        };
        self.notice = None;
    }

    fn build_job(&self) -> Result<Job, Failure> {
        let device = self.selected_device();
        let saved = self.draft.to_saved(device.map(|d| d.name.as_str()));
        let prepared = prepare(&saved, device)?;
        let platform = self.platform();
        let auth = self.auth();
        let password = device.and_then(|d| self.passwords.get(&d.name).cloned());
        let keyring = device
            .filter(|d| !self.transient.contains(&d.name))
            .map(|d| self.keyring_key(d, None));
        if auth != AuthMode::None && password.is_none() && keyring.is_none() {
            return Err(Failure::usage(
                "no password for this request",
                "Select a device and type its password in the Auth tab, or set Auth to None.",
            ));
        }
        Ok(Job {
            session: SessionSpec {
                platform,
                origin: origin(&prepared.url),
                auth,
                user: device.and_then(|d| d.username.clone()),
                password,
                trust: device.map(|d| d.trust.clone()).unwrap_or_default(),
                timeout: self.timeout,
                https_only: crate::core::request::https_only(
                    &[
                        prepared.platform,
                        device.map_or(prepared.platform, |d| d.platform),
                    ],
                    device.is_some_and(|d| d.allow_http),
                ),
            },
            requests: vec![JobRequest::from_prepared(
                self.draft.name.clone(),
                prepared,
                self.settings.body_sink(),
            )],
            keyring,
        })
    }

    pub fn cancel(&mut self) {
        if let Some(running) = &self.response.running {
            self.engine.cancel(running.job);
        }
    }

    /// The device the shown certificate may be pinned for: the one the
    /// request went to, if the handshake was with its host.
    pub fn trust_target(&self) -> Option<crate::core::workspace::Device> {
        let name = self.response.device.as_ref()?;
        let device = self.devices.iter().find(|d| &d.name == name)?;
        let host = url::Url::parse(&device.base_url)
            .ok()?
            .host_str()?
            .to_string();
        let handshake = self.response.handshake.as_ref()?;
        (handshake.host == host.trim_start_matches('[').trim_end_matches(']'))
            .then(|| device.clone())
    }

    /// Pins the presented leaf certificate for the device the request went to,
    /// selects it, and sends again.
    pub fn trust_presented_certificate(&mut self) {
        let Some(sha256) = self
            .response
            .handshake
            .as_ref()
            .and_then(|h| h.chain.first())
            .map(|leaf| leaf.sha256.clone())
        else {
            return;
        };
        let Some(mut device) = self.trust_target() else {
            return;
        };
        self.selected = Some(device.name.clone());
        device.trust = Trust::Pin {
            sha256: sha256.clone(),
        };
        if let Err(failure) = self.store_device(None, device) {
            self.notice = Some(format!("Could not save the pin: {}", failure.message));
            return;
        }
        self.send();
        let scope = if self
            .transient
            .contains(self.selected.as_deref().unwrap_or_default())
        {
            "for this run (demo device)"
        } else {
            "in the workspace"
        };
        self.notice = Some(format!("Pinned {sha256} {scope}; sent again."));
    }

    /// Saves or replaces a device: in the workspace file, or in memory for
    /// the demo devices.
    pub fn store_device(
        &mut self,
        original: Option<&str>,
        device: crate::core::workspace::Device,
    ) -> Result<(), Failure> {
        device.validate()?;
        let old_name = original.unwrap_or(&device.name).to_string();
        if self.transient.contains(&old_name) {
            self.transient.remove(&old_name);
            self.devices.retain(|d| d.name != old_name);
            self.transient.insert(device.name.clone());
            self.devices.push(device.clone());
        } else if self.devices.iter().any(|d| d.name == old_name) {
            let previous = self.devices.iter().find(|d| d.name == old_name).cloned();
            self.workspace.update_device(&old_name, device.clone())?;
            self.reload_devices();
            // A renamed device keeps its keyring password; one moved to
            // another address does not (it is bound to the old one).
            if let Some(previous) = previous.filter(|_| old_name != device.name) {
                let key = self.keyring_key(&previous, None);
                self.engine.keyring(crate::engine::KeyringOp::Rename {
                    key,
                    new_name: device.name.clone(),
                });
            }
        } else {
            self.workspace.add_device(device.clone())?;
            self.reload_devices();
        }
        if old_name != device.name
            && let Some(password) = self.passwords.remove(&old_name)
        {
            self.passwords.insert(device.name.clone(), password);
        }
        if self.selected.as_deref() == Some(old_name.as_str()) {
            self.selected = Some(device.name.clone());
        }
        Ok(())
    }
}
