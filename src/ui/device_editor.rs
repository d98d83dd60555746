//! The device editor window: name, folder, platform, base URL, username,
//! password (optionally remembered in the OS keyring), TLS trust, proxy
//! (its credentials go to the OS keyring) and client certificate.

use std::path::PathBuf;

use super::actions::Action;
use super::file_dialog::PathPicker;
use super::inbox::PickTarget;
use crate::core::error::Failure;
use crate::core::platform::Platform;
use crate::core::reach::{DeviceReach, ProxyCredentials, parse_proxy, url_label};
use crate::core::request::with_api_port;
use crate::core::secret::Secret;
use crate::core::tls::{Trust, normalize_fingerprint};
use crate::core::workspace::Device;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustChoice {
    Verify,
    Ca,
    Pin,
    Insecure,
}

/// The editor's fields, as typed.
pub struct DeviceEditor {
    /// The device being edited; None for a new one.
    pub original: Option<String>,
    pub name: String,
    pub folder: String,
    pub platform: Platform,
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub remember: bool,
    pub trust: TrustChoice,
    pub ca_file: PathPicker,
    pub pin: String,
    pub variables: std::collections::BTreeMap<String, String>,
    pub allow_http: bool,
    /// FMC domain name (empty: the user's default domain).
    pub domain: String,
    /// FMC: the domains the device's last login listed, offered to pick from.
    pub known_domains: Vec<String>,
    /// FDM API version (empty: `latest`).
    pub api_version: String,
    /// The device's proxy URL (empty: the environment's, if any).
    pub proxy: String,
    /// Credentials for the proxy, stored in the OS keyring under its
    /// `scheme://host:port` on save (empty: keep what is stored).
    pub proxy_user: String,
    pub proxy_password: String,
    pub client_cert: PathPicker,
    pub client_key: PathPicker,
    pub error: Option<Failure>,
}

impl DeviceEditor {
    pub fn new_in(folder: String) -> Self {
        DeviceEditor {
            original: None,
            name: String::new(),
            folder,
            platform: Platform::Asa,
            base_url: "https://".into(),
            username: String::new(),
            password: String::new(),
            remember: false,
            trust: TrustChoice::Verify,
            ca_file: PathPicker::default(),
            pin: String::new(),
            variables: Default::default(),
            allow_http: false,
            domain: String::new(),
            known_domains: Vec::new(),
            api_version: String::new(),
            proxy: String::new(),
            proxy_user: String::new(),
            proxy_password: String::new(),
            client_cert: PathPicker::default(),
            client_key: PathPicker::default(),
            error: None,
        }
    }

    pub fn edit(device: &Device) -> Self {
        let mut e = DeviceEditor::new_in(device.folder.clone());
        e.original = Some(device.name.clone());
        e.name = device.name.clone();
        e.platform = device.platform;
        e.base_url = device.base_url.clone();
        e.username = device.username.clone().unwrap_or_default();
        e.variables = device.variables.clone();
        e.allow_http = device.allow_http;
        e.domain = device.domain.clone().unwrap_or_default();
        e.api_version = device.api_version.clone().unwrap_or_default();
        e.proxy = device.reach.proxy.clone().unwrap_or_default();
        let shown = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        e.client_cert.path = shown(&device.reach.client_cert).unwrap_or_default();
        e.client_key.path = shown(&device.reach.client_key).unwrap_or_default();
        match &device.trust {
            Trust::Verify => {}
            Trust::Ca { file } => {
                e.trust = TrustChoice::Ca;
                e.ca_file.path = file.display().to_string();
            }
            Trust::Pin { sha256 } => {
                e.trust = TrustChoice::Pin;
                e.pin = sha256.clone();
            }
            Trust::Insecure => e.trust = TrustChoice::Insecure,
        }
        e
    }

    /// The device as typed (its CA file is read when it is stored, in the
    /// background).
    pub fn device(&self) -> Result<Device, Failure> {
        let trust = match self.trust {
            TrustChoice::Verify => Trust::Verify,
            TrustChoice::Ca => {
                let file = PathBuf::from(self.ca_file.path.trim());
                Trust::Ca { file }
            }
            TrustChoice::Pin => Trust::Pin {
                sha256: normalize_fingerprint(&self.pin)?,
            },
            TrustChoice::Insecure => Trust::Insecure,
        };
        let device = Device {
            name: self.name.trim().to_string(),
            folder: self.folder.trim().trim_matches('/').to_string(),
            platform: self.platform,
            base_url: with_api_port(self.base_url.trim(), self.platform),
            username: Some(self.username.trim().to_string()).filter(|u| !u.is_empty()),
            trust,
            variables: self.variables.clone(),
            allow_http: self.allow_http,
            domain: optional(&self.domain).filter(|_| self.platform == Platform::Fmc),
            api_version: optional(&self.api_version).filter(|_| self.platform == Platform::Fdm),
            reach: DeviceReach {
                proxy: optional(&self.proxy),
                client_cert: optional(&self.client_cert.path).map(PathBuf::from),
                client_key: optional(&self.client_key.path).map(PathBuf::from),
            },
        };
        device.validate()?;
        Ok(device)
    }

    /// The proxy credentials typed, with the `scheme://host:port` they are
    /// stored under; None when no proxy password was typed.
    pub fn proxy_credentials(&self) -> Result<Option<(String, ProxyCredentials)>, Failure> {
        if self.proxy_password.is_empty() {
            return Ok(None);
        }
        let Some(proxy) = optional(&self.proxy) else {
            return Err(Failure::usage(
                "a proxy password needs a proxy",
                "Give the proxy URL (http://HOST:PORT or socks5://HOST:PORT), or clear Proxy password.",
            ));
        };
        let label = url_label(&parse_proxy(&proxy)?);
        let credentials = ProxyCredentials::new(
            self.proxy_user.trim(),
            Secret::new(self.proxy_password.clone()),
        )?;
        Ok(Some((label, credentials)))
    }
}

/// A trimmed field, None when empty.
fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// A labelled single-line text field.
fn field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.add_sized([110.0, 20.0], egui::Label::new(label));
        ui.add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(300.0),
        )
        .labelled_by(l.id)
    })
    .inner
}

/// Draws the editor window; Save and Cancel become actions (closing the
/// window is a cancel).
pub fn window(ctx: &egui::Context, editor: &mut DeviceEditor) -> Option<Action> {
    let mut open = true;
    let mut action = None;
    let title = if editor.original.is_some() {
        "Edit device"
    } else {
        "New device"
    };
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| action = editor_form(ui, editor));
    if !open {
        return Some(Action::CloseDialogs);
    }
    action
}

/// The delete confirmation for `name`.
pub fn delete_confirmation(ctx: &egui::Context, name: &str) -> Option<Action> {
    let mut action = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm-delete")).show(ctx, |ui| {
        ui.heading("Delete device?");
        ui.label(format!(
            "“{name}” will be removed from the workspace, with its keyring password."
        ));
        ui.horizontal(|ui| {
            if ui.button("Delete").clicked() {
                action = Some(Action::DeleteDevice(name.to_string()));
            }
            if ui.button("Keep").clicked() {
                action = Some(Action::CloseDialogs);
            }
        });
    });
    if modal.should_close() && action.is_none() {
        action = Some(Action::CloseDialogs);
    }
    action
}

fn editor_form(ui: &mut egui::Ui, e: &mut DeviceEditor) -> Option<Action> {
    let mut action = None;
    field(ui, "Name", &mut e.name, "asa-dc1");
    field(ui, "Folder", &mut e.folder, "Lab/DC1 (optional)");
    ui.horizontal(|ui| {
        let l = ui.add_sized([110.0, 20.0], egui::Label::new("Platform"));
        egui::ComboBox::from_id_salt("editor-platform")
            .selected_text(e.platform.label())
            .show_ui(ui, |ui| {
                for p in Platform::ALL {
                    ui.selectable_value(&mut e.platform, p, p.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
    field(
        ui,
        "Base URL",
        &mut e.base_url,
        "https://10.0.0.1 (AsyncOS: port 6443)",
    );
    if e.base_url
        .trim()
        .to_ascii_lowercase()
        .starts_with("http://")
    {
        ui.horizontal(|ui| {
            ui.add_space(114.0);
            let text = if e.platform.requires_https() {
                "Allow plain HTTP (this platform's API requires HTTPS)"
            } else {
                "Allow plain HTTP"
            };
            ui.checkbox(&mut e.allow_http, text);
        });
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Over plain HTTP the password and session tokens travel unencrypted.",
        );
    }
    match e.platform {
        Platform::Fmc => {
            field(
                ui,
                "Domain",
                &mut e.domain,
                "Global/Lab (empty: the user's default domain)",
            );
            if !e.known_domains.is_empty() {
                ui.horizontal(|ui| {
                    let l = ui.add_sized([110.0, 20.0], egui::Label::new("Known domains"));
                    egui::ComboBox::from_id_salt("editor-domains")
                        .selected_text("From the last login")
                        .show_ui(ui, |ui| {
                            for name in &e.known_domains {
                                ui.selectable_value(&mut e.domain, name.clone(), name);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                });
            }
        }
        Platform::Fdm => {
            field(ui, "API version", &mut e.api_version, "latest (or v6, v7)");
        }
        _ => {}
    }
    field(ui, "Username", &mut e.username, "admin");
    ui.horizontal(|ui| {
        let l = ui.add_sized([110.0, 20.0], egui::Label::new("Password"));
        ui.add(
            egui::TextEdit::singleline(&mut e.password)
                .password(true)
                .desired_width(300.0),
        )
        .labelled_by(l.id);
    });
    ui.horizontal(|ui| {
        ui.add_space(114.0);
        ui.checkbox(&mut e.remember, "Remember in the OS keyring")
            .on_hover_text("Otherwise the password is kept in memory until apx closes. It is never written to the workspace.");
    });
    ui.separator();
    ui.label("TLS trust");
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(&mut e.trust, TrustChoice::Verify, "Verify (system roots)");
        ui.radio_value(&mut e.trust, TrustChoice::Ca, "CA file");
        ui.radio_value(&mut e.trust, TrustChoice::Pin, "Pinned fingerprint");
        ui.radio_value(&mut e.trust, TrustChoice::Insecure, "Insecure");
    });
    match e.trust {
        TrustChoice::Verify => {
            ui.weak("The appliance's certificate must chain to a root this system trusts.");
        }
        TrustChoice::Ca => {
            if e.ca_file.ui(ui, "CA PEM file", "Choose…") {
                action = Some(Action::Pick {
                    target: PickTarget::CaFile,
                    save: false,
                });
            }
        }
        TrustChoice::Pin => {
            field(
                ui,
                "SHA-256",
                &mut e.pin,
                "AB:CD:… (from the Certificate tab or `apx probe`)",
            );
        }
        TrustChoice::Insecure => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Certificates of this device are NOT verified: anyone on the path can impersonate it. Prefer pinning its fingerprint.",
            );
        }
    }
    ui.separator();
    ui.label("Proxy and client certificate");
    field(
        ui,
        "Proxy",
        &mut e.proxy,
        "http://proxy:3128 (empty: HTTPS_PROXY, if set)",
    );
    if !e.proxy.trim().is_empty() {
        field(
            ui,
            "Proxy user",
            &mut e.proxy_user,
            "if the proxy asks for one",
        );
        ui.horizontal(|ui| {
            let l = ui.add_sized([110.0, 20.0], egui::Label::new("Proxy password"));
            ui.add(
                egui::TextEdit::singleline(&mut e.proxy_password)
                    .password(true)
                    .hint_text("stored in the OS keyring (empty: keep)")
                    .desired_width(300.0),
            )
            .labelled_by(l.id);
        });
    }
    for (picker, label, target) in [
        (&mut e.client_cert, "Client cert", PickTarget::ClientCert),
        (&mut e.client_key, "Client key", PickTarget::ClientKey),
    ] {
        if picker.ui(ui, label, "Choose...") {
            action = Some(Action::Pick {
                target,
                save: false,
            });
        }
    }
    ui.weak("PEM files, for appliances that demand mutual TLS. Proxy credentials are kept in the OS keyring for the proxy, never in the workspace.");
    if let Some(error) = &e.error {
        super::failure_panel::failure_frame(ui, error, None);
    }
    ui.separator();
    ui.horizontal(|ui| {
        if ui.button("Save device").clicked() {
            action = Some(Action::SaveDevice);
        }
        if ui.button("Cancel").clicked() {
            action = Some(Action::CloseDialogs);
        }
    });
    action
}
