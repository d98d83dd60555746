//! curl in the GUI: "Copy as curl", and a curl command pasted into the URL
//! field becomes a request (and, for an unknown host, a device to save).

use super::actions::View;
use super::device_editor::{DeviceEditor, TrustChoice};
use super::tabs::Tab;
use crate::core::interop::{CurlInput, export_curl, import_curl, pinned_key};
use crate::core::request::origin;
use crate::core::secret::Secret;
use crate::core::tls::{CertFacts, Trust};
use crate::core::workspace::variables::prepare;

/// A tab's draft as a curl command line; credentials stay shell variables.
/// A pinned device's public key comes from the tab's last handshake.
pub fn curl_command(tab: &Tab, view: &View) -> Result<String, crate::core::error::Failure> {
    let device = view.device(tab.device.as_deref());
    let prepared = prepare(&tab.draft.to_saved(device.map(|d| d.name.as_str())), device)?;
    let trust = device.map(|d| d.trust.clone()).unwrap_or_default();
    let pinned_key = presented_leaf(tab, &prepared.url).and_then(|leaf| pinned_key(&trust, leaf));
    export_curl(&CurlInput::from_prepared(
        prepared,
        view.auth(&tab.draft, tab.device.as_deref()),
        device.and_then(|d| d.username.clone()),
        trust,
        pinned_key,
    ))
}

/// The leaf certificate of the tab's last handshake, if that response came
/// from the tab's device and `url`'s host. (No network here: the UI thread
/// never waits for a handshake.)
fn presented_leaf<'a>(tab: &'a Tab, url: &url::Url) -> Option<&'a CertFacts> {
    let handshake = tab.response.handshake.as_ref()?;
    let from_device = tab.response.device.is_some() && tab.response.device == tab.device;
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    (from_device && handshake.host == host)
        .then(|| handshake.chain.first())
        .flatten()
}

/// A curl command turned into a request.
pub struct Imported {
    pub draft: super::draft::Draft,
    /// The workspace device of the command's host, if known.
    pub device: Option<String>,
    /// A password from `-u user:password`, for that device, this run only.
    pub password: Option<Secret>,
    /// For an unknown host: the device editor, filled in.
    pub editor: Option<DeviceEditor>,
    pub notice: String,
}

/// Turns a curl command (the URL field, or what was pasted into it) into a
/// request; an error says why it could not.
pub fn import(text: &str, view: &View) -> Result<Imported, String> {
    let imported = import_curl(text)
        .map_err(|f| format!("Not a curl command apx understands: {}", f.message))?;
    let mut draft = super::draft::Draft::from_saved(&imported.request, None);
    let url = url::Url::parse(&imported.request.url).ok();
    let known = url.as_ref().and_then(|u| {
        let o = origin(u);
        view.devices
            .iter()
            .find(|d| url::Url::parse(&d.base_url).is_ok_and(|b| origin(&b) == o))
    });
    let mut notes = vec!["curl command imported".to_string()];
    let mut out = Imported {
        draft: super::draft::Draft::default(),
        device: None,
        password: None,
        editor: None,
        notice: String::new(),
    };
    match (known.map(|d| d.name.clone()), &url) {
        (Some(name), Some(u)) => {
            draft.url =
                u.path().to_string() + &u.query().map(|q| format!("?{q}")).unwrap_or_default();
            if let Some(p) = imported.password {
                out.password = Some(p);
                notes.push(format!("password kept in memory for {name}"));
            }
            out.device = Some(name);
        }
        (None, Some(u)) => {
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
            out.editor = Some(editor);
            notes.push("save the host as a device to send with its credentials".into());
        }
        _ => {}
    }
    if !imported.skipped.is_empty() {
        notes.push(format!("not carried over: {}", imported.skipped.join("; ")));
    }
    out.draft = draft;
    out.notice = notes.join("; ");
    Ok(out)
}
