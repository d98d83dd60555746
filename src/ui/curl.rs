//! curl in the GUI: "Copy as curl", and a curl command pasted into the URL
//! field becomes a request (and, for an unknown host, a device to save).

use super::app::ApxApp;
use super::device_editor::{DeviceEditor, TrustChoice};
use super::draft::Draft;
use crate::core::interop::{CurlInput, export_curl, import_curl, looks_like_curl, pinned_key};
use crate::core::request::{merge_headers, origin};
use crate::core::tls::{CertFacts, Trust};
use crate::core::workspace::variables::prepare;

impl ApxApp {
    /// The draft as a curl command line; credentials stay shell variables. A
    /// pinned device's public key comes from the last response's handshake.
    pub fn curl_command(&self) -> Result<String, crate::core::error::Failure> {
        let device = self.selected_device();
        let prepared = prepare(
            &self.draft.to_saved(device.map(|d| d.name.as_str())),
            device,
        )?;
        let platform = self.platform();
        let headers = merge_headers(
            platform.preset_headers(prepared.body.is_some()),
            &prepared.headers,
        );
        let trust = device.map(|d| d.trust.clone()).unwrap_or_default();
        let pinned_key = self
            .presented_leaf(&prepared.url)
            .and_then(|leaf| pinned_key(&trust, leaf));
        export_curl(&CurlInput {
            method: prepared.method,
            url: prepared.url.to_string(),
            headers,
            body: prepared
                .body
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            user: device.and_then(|d| d.username.clone()),
            auth: self.auth(),
            platform,
            trust,
            pinned_key,
        })
    }

    /// The leaf certificate of the last response's handshake, if that
    /// response came from the selected device and `url`'s host. (No network
    /// here: the UI thread never waits for a handshake.)
    fn presented_leaf(&self, url: &url::Url) -> Option<&CertFacts> {
        let handshake = self.response.handshake.as_ref()?;
        let from_device = self.response.device.is_some() && self.response.device == self.selected;
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        (from_device && handshake.host == host)
            .then(|| handshake.chain.first())
            .flatten()
    }

    pub fn copy_as_curl(&mut self, ctx: &egui::Context) {
        self.notice = Some(match self.curl_command() {
            Ok(command) => {
                ctx.copy_text(command);
                "curl command copied (the password is $APX_PASSWORD, never inline)".into()
            }
            Err(f) => format!("Cannot build the curl command: {}", f.message),
        });
    }

    /// When `text` (the URL field, or what was pasted into it) is a curl
    /// command, turns it into the draft.
    pub fn import_pasted_curl(&mut self, text: &str) {
        if !looks_like_curl(text) {
            return;
        }
        let imported = match import_curl(text) {
            Ok(i) => i,
            Err(f) => {
                self.notice = Some(format!("Not a curl command apx understands: {}", f.message));
                return;
            }
        };
        self.draft = Draft::from_saved(&imported.request, None);
        let url = url::Url::parse(&imported.request.url).ok();
        let known = url.as_ref().and_then(|u| {
            let o = origin(u);
            self.devices
                .iter()
                .find(|d| url::Url::parse(&d.base_url).is_ok_and(|b| origin(&b) == o))
        });
        let mut notes = vec!["curl command imported".to_string()];
        match (known.map(|d| d.name.clone()), &url) {
            (Some(name), Some(u)) => {
                self.selected = Some(name.clone());
                self.draft.url =
                    u.path().to_string() + &u.query().map(|q| format!("?{q}")).unwrap_or_default();
                if let Some(p) = imported.password {
                    self.passwords.insert(name.clone(), p);
                    notes.push(format!("password kept in memory for {name}"));
                }
            }
            (None, Some(u)) => {
                self.selected = None;
                let mut editor = DeviceEditor::new_in(String::new());
                editor.name = u.host_str().unwrap_or_default().to_string();
                editor.base_url = origin(u);
                editor.username = imported.user.clone().unwrap_or_default();
                editor.password = imported
                    .password
                    .map(|p| p.expose().to_string())
                    .unwrap_or_default();
                match &imported.trust {
                    Some(Trust::Insecure) => editor.trust = TrustChoice::Insecure,
                    Some(Trust::Ca { file }) => {
                        editor.trust = TrustChoice::Ca;
                        editor.ca_file.path = file.display().to_string();
                    }
                    _ => {}
                }
                self.editor = Some(editor);
                notes.push("save the host as a device to send with its credentials".into());
            }
            _ => {}
        }
        if !imported.skipped.is_empty() {
            notes.push(format!("not carried over: {}", imported.skipped.join("; ")));
        }
        self.notice = Some(notes.join("; "));
    }
}
