//! Saved requests and devices → an Ansible inventory and playbook: one play
//! per device, `ansible.builtin.uri` tasks for the platform's login, the
//! requests and (in an `always:` block) the logout.
//!
//! Every string taken from the workspace (names, URLs, headers, bodies,
//! user names) is hostile: it is written as a double-quoted YAML scalar
//! (everything but printable ASCII escaped) tagged `!unsafe`,
//! so that Ansible never evaluates a `{{ }}` in it. The only templates are
//! apx's own: the password (`apx_password`, from Vault or `-e`; never
//! written), the session token, and `playbook_dir`.

use std::path::{Path, PathBuf};

use super::ansible_flow::{TOKEN, basic_auth, flow, flow_uri, fmc_domain};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform, fdm, fmc};
use crate::core::request::{HEADER_NAME_HINT, Header, is_credential_header, is_header_name};
use crate::core::tls::{Trust, sha256_fingerprint};
use crate::core::workspace::saved::SavedRequest;
use crate::core::workspace::variables::prepare;
use crate::core::workspace::{Device, atomic};

/// The Ansible variable the password comes from.
pub const PASSWORD_VAR: &str = "apx_password";

/// One device of the export and, when it is trusted by a pinned
/// certificate, that certificate (DER, as the device presented it).
#[derive(Debug, Clone, PartialEq)]
pub struct AnsibleTarget {
    pub device: Device,
    pub pinned_der: Option<Vec<u8>>,
}

/// The files of an export, relative to its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct AnsibleExport {
    pub files: Vec<(PathBuf, String)>,
    pub hosts: usize,
    pub requests: usize,
}

/// The command that runs an export written to `dir`.
pub fn ansible_command(dir: &Path) -> String {
    let dir = dir.display();
    format!("ansible-playbook -i {dir}/inventory.yml {dir}/playbook.yml -e {PASSWORD_VAR}=...")
}

/// The inventory, the playbook and the pinned certificates for `requests`
/// run on every target. A request that cannot be resolved against a device
/// (an undefined variable, a header that cannot be sent) fails the export.
pub fn export_ansible(
    requests: &[SavedRequest],
    targets: &[AnsibleTarget],
) -> Result<AnsibleExport, Failure> {
    if requests.is_empty() || targets.is_empty() {
        return Err(Failure::usage(
            "nothing to export: no saved request or no device",
            "Give a saved request (or a folder of them) and a device.",
        ));
    }
    let mut inventory = Yaml::default();
    inventory.line(
        0,
        "# Written by apx: one host per device. Ansible runs the API calls from this machine.",
    );
    inventory.line(0, "all:");
    inventory.line(1, "hosts:");
    let mut playbook = Yaml::default();
    playbook.line(0, "# Written by apx. Run it with:");
    playbook.line(0, &format!("#   {}", ansible_command(Path::new("DIR"))));
    playbook.line(0, "# The password comes from the variable apx_password (Ansible Vault or -e); it is never written here.");
    playbook.line(
        0,
        "# Every value from the apx workspace is !unsafe: Ansible never evaluates templates in it.",
    );
    let mut files = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        let device = &target.device;
        let host = host_name(index, &device.name);
        inventory.line(2, &format!("{host}:"));
        inventory.line(3, "ansible_connection: local");
        inventory.line(
            3,
            "ansible_python_interpreter: \"{{ ansible_playbook_python }}\"",
        );
        // Modules (and the password among their arguments) reach Python on
        // its stdin rather than in a temporary file.
        inventory.line(3, "ansible_pipelining: true");
        inventory.line(3, &format!("apx_device: {}", unsafe_str(&device.name)));
        let pem = match (&device.trust, &target.pinned_der) {
            (Trust::Pin { sha256 }, Some(der)) if sha256_fingerprint(der) == *sha256 => {
                let file = PathBuf::from("certs").join(format!("{host}.pem"));
                files.push((file.clone(), pem_certificate(der)));
                Some(file)
            }
            (Trust::Pin { sha256 }, _) => {
                return Err(Failure::new(
                    crate::core::error::FailureKind::Tls,
                    format!(
                        "{}: the pinned certificate (SHA-256 {sha256}) is not known; nothing was exported",
                        device.name
                    ),
                    "The export learns it from the device: check it answers with that certificate (`apx probe URL --pin ...`).",
                ));
            }
            _ => None,
        };
        play(&mut playbook, &host, device, pem.as_deref(), requests)?;
    }
    files.push((PathBuf::from("inventory.yml"), inventory.text));
    files.push((PathBuf::from("playbook.yml"), playbook.text));
    Ok(AnsibleExport {
        files,
        hosts: targets.len(),
        requests: requests.len(),
    })
}

/// Writes the export's files into `dir` (created when missing), each
/// atomically.
pub fn write_ansible(dir: &Path, export: &AnsibleExport) -> Result<(), Failure> {
    let cannot = |path: &Path, e: std::io::Error| {
        Failure::usage(
            format!("cannot write {}: {e}", path.display()),
            "Check the folder is writable.",
        )
    };
    for (file, text) in &export.files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| cannot(parent, e))?;
        }
        atomic::write_atomic(&path, text.as_bytes()).map_err(|e| cannot(&path, e))?;
    }
    Ok(())
}

/// One play: the device's session around its requests.
fn play(
    out: &mut Yaml,
    host: &str,
    device: &Device,
    pem: Option<&Path>,
    requests: &[SavedRequest],
) -> Result<(), Failure> {
    let prepared = requests
        .iter()
        .map(|r| prepare(r, Some(device)).map(|p| (r.name.as_str(), p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|f| f.with_detail(format!("device {}", device.name)))?;
    let origin = prepared
        .first()
        .map(|(_, p)| crate::core::request::origin(&p.url))
        .unwrap_or_default();
    // The session is the device platform's; a request of another platform
    // keeps its own preset headers.
    let platform = prepared
        .first()
        .map_or(device.platform, |(_, p)| p.platform);
    let api_version = device.api_version.as_deref();
    if let Some(version) = api_version {
        fdm::check_api_version(version)?;
    }
    let flow = if prepared.iter().any(|(_, p)| p.auth == AuthMode::Token) {
        Some(flow(platform, api_version)?)
    } else {
        None
    };
    // FMC: `{domainUUID}` in a URL is the session's domain, known after the login.
    let domain = platform == Platform::Fmc
        && flow.is_some()
        && prepared
            .iter()
            .any(|(_, p)| fmc::has_domain_placeholder(p.url.as_str()));
    out.line(
        0,
        &format!("- name: {}", unsafe_str(&format!("apx: {}", device.name))),
    );
    out.line(1, &format!("hosts: {host}"));
    out.line(1, "gather_facts: false");
    out.line(1, "vars:");
    out.line(2, &format!("apx_origin: {}", unsafe_str(&origin)));
    if let Some(user) = &device.username {
        out.line(2, &format!("apx_user: {}", unsafe_str(user)));
    }
    out.line(1, "module_defaults:");
    out.line(2, "ansible.builtin.uri:");
    match (&device.trust, pem) {
        (Trust::Insecure, _) => out.line(3, "validate_certs: false"),
        (Trust::Ca { file }, _) => out.line(
            3,
            &format!("ca_path: {}", unsafe_str(&file.display().to_string())),
        ),
        (Trust::Pin { .. }, Some(pem)) => out.line(
            3,
            &format!("ca_path: \"{{{{ playbook_dir }}}}/{}\"", pem.display()),
        ),
        _ => out.line(3, "validate_certs: true"),
    }
    out.line(1, "tasks:");
    out.line(
        2,
        &format!(
            "- name: {}",
            unsafe_str(&format!("{} session", device.name))
        ),
    );
    out.line(3, "block:");
    if let Some(flow) = &flow {
        (flow.login)(out, &flow.request, platform);
        out.line(5, "register: apx_login");
        out.line(5, "no_log: true");
        out.line(4, "- name: Keep the session token");
        out.line(5, "ansible.builtin.set_fact:");
        out.line(6, &format!("apx_token: \"{{{{ {} }}}}\"", flow.token));
        out.line(5, "no_log: true");
        if domain {
            fmc_domain(out, device.domain.as_deref());
        }
    }
    for (name, request) in &prepared {
        let headers = crate::core::request::merge_headers(
            request.platform.preset_headers(request.body.is_some()),
            &request.headers,
        );
        out.line(4, &format!("- name: {}", unsafe_str(name)));
        // `-vvv` would print the task's arguments, the token among them.
        let carries_secret = request.auth == AuthMode::Token
            || headers
                .iter()
                .any(|h| h.enabled && is_credential_header(&h.name) && !h.value.is_empty());
        if carries_secret {
            out.line(5, "no_log: true");
        }
        let url = platform.session_path(request.url.as_str(), None, api_version);
        let marked = if domain {
            // A URL holds no NUL to mark the domain's places with.
            fmc::fill_domain(&url, "\0")
        } else {
            url
        };
        if marked.contains('\0') {
            out.line(5, "vars:");
            out.line(6, "apx_url:");
            for part in marked.split('\0') {
                out.line(7, &format!("- {}", unsafe_str(part)));
            }
        }
        out.line(5, "ansible.builtin.uri:");
        if marked.contains('\0') {
            out.line(6, "url: \"{{ apx_url | join(apx_domain) }}\"");
        } else {
            out.line(6, &format!("url: {}", unsafe_str(&marked)));
        }
        out.line(6, &format!("method: {}", unsafe_str(&request.method)));
        out.line(6, "status_code: [200, 201, 202, 204]");
        let mut lines = Vec::new();
        for header in headers.iter().filter(|h| h.enabled) {
            check_header(header)?;
            let value = if is_credential_header(&header.name) && !header.value.is_empty() {
                format!("\"{{{{ {} }}}}\"", variable(&header.name))
            } else {
                unsafe_str(&header.value)
            };
            lines.push(format!("{}: {value}", unsafe_str(&header.name)));
        }
        if request.auth == AuthMode::Token {
            let name = platform.token_header().unwrap_or("Authorization");
            let value = format!("{}{TOKEN}", platform.token_prefix());
            lines.push(format!("{}: {}", quoted(name), quoted(&value)));
        }
        if !lines.is_empty() {
            out.line(6, "headers:");
            for line in lines {
                out.line(7, &line);
            }
        }
        if request.auth == AuthMode::Basic {
            basic_auth(out, 6);
        }
        if let Some(body) = &request.body {
            out.line(6, "body_format: raw");
            out.line(
                6,
                &format!("body: {}", unsafe_str(&String::from_utf8_lossy(body))),
            );
        }
    }
    if let Some(logout) = flow.as_ref().and_then(|f| f.logout.as_ref()) {
        out.line(3, "always:");
        out.line(4, "- name: Log out");
        out.line(5, "when: apx_token is defined");
        out.line(5, "no_log: true");
        flow_uri(out, logout, &platform.preset_headers(false));
    }
    Ok(())
}

/// Refuses what no request can carry: a header name that is not an HTTP
/// token, a line break in a value.
fn check_header(header: &Header) -> Result<(), Failure> {
    if !is_header_name(&header.name) {
        return Err(Failure::usage(
            format!(
                "header name {:?} is not an HTTP token; nothing was exported",
                super::clip(&header.name, 60)
            ),
            HEADER_NAME_HINT,
        ));
    }
    if header.value.contains(['\r', '\n', '\0']) {
        return Err(Failure::usage(
            format!(
                "header {} holds a line break; nothing was exported",
                header.name
            ),
            "Header values must be on one line.",
        ));
    }
    Ok(())
}

/// The Ansible variable a credential header's value comes from:
/// `X-Api-Key` → `apx_header_x_api_key`.
fn variable(header_name: &str) -> String {
    let name: String = header_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("apx_header_{name}")
}

/// An inventory host name for the `index`th device: `apx_1_fw1`; anything
/// but an ASCII letter or digit becomes `_`, so that no host pattern
/// character (`:`, `,`, `!`, `&`, `*`, `[`) comes from a device name.
fn host_name(index: usize, device: &str) -> String {
    let slug: String = device
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("apx_{}_{slug}", index + 1)
}

/// A double-quoted YAML scalar holding exactly `text`: printable ASCII as
/// is (but `"` and `\\`), everything else escaped, since YAML folds some
/// characters (U+0085, U+2028) as line breaks.
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Workspace data: a quoted scalar Ansible never templates.
pub(super) fn unsafe_str(text: &str) -> String {
    format!("!unsafe {}", quoted(text))
}

/// A certificate as PEM.
fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    let chars: Vec<char> = text.chars().collect();
    for line in chars.chunks(64) {
        pem.extend(line);
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// YAML text built line by line, two spaces per level.
#[derive(Default)]
pub(super) struct Yaml {
    text: String,
}

impl Yaml {
    pub(super) fn line(&mut self, level: usize, line: &str) {
        self.text.push_str(&"  ".repeat(level));
        self.text.push_str(line);
        self.text.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::workspace::tests::asa;

    fn read() -> SavedRequest {
        SavedRequest {
            name: "Serial {{ x }}".into(),
            description: None,
            device: None,
            platform: None,
            auth: None,
            method: "GET".into(),
            url: "/api/monitoring/serialnumber".into(),
            headers: vec![Header::new("X-Api-Key", "literal")],
            body: None,
        }
    }

    fn playbook(export: &AnsibleExport) -> &str {
        &export
            .files
            .iter()
            .find(|(path, _)| path == Path::new("playbook.yml"))
            .unwrap()
            .1
    }

    #[test]
    fn an_asa_play_logs_in_sends_and_logs_out() {
        let target = AnsibleTarget {
            device: asa("fw 1"),
            pinned_der: None,
        };
        let export = export_ansible(&[read()], &[target]).unwrap();
        let text = playbook(&export);
        assert!(text.contains("  hosts: apx_1_fw_1\n"), "{text}");
        assert!(text.contains("validate_certs: false"), "{text}");
        assert!(
            text.contains("url: \"{{ apx_origin }}/api/tokenservices\"\n"),
            "{text}"
        );
        assert!(
            text.contains("apx_token: \"{{ apx_login.x_auth_token }}\""),
            "{text}"
        );
        assert!(
            text.contains("- name: !unsafe \"Serial {{ x }}\"\n          no_log: true\n"),
            "a task carrying the token hides its arguments from -vvv: {text}"
        );
        assert!(
            text.contains("\"X-Auth-Token\": \"{{ apx_token }}\""),
            "{text}"
        );
        // A credential header's value comes from a variable, never the file.
        assert!(!text.contains("literal"), "{text}");
        assert!(text.contains("{{ apx_header_x_api_key }}"), "{text}");
        let always = text.split("    always:\n").nth(1).unwrap();
        assert!(
            always.contains("/api/tokenservices/{{ apx_token }}\"\n            method: DELETE"),
            "{text}"
        );
    }

    #[test]
    fn a_pin_needs_the_pinned_certificate() {
        let mut device = asa("fw");
        device.trust = Trust::Pin {
            sha256: sha256_fingerprint(b"leaf"),
        };
        let unknown = AnsibleTarget {
            device: device.clone(),
            pinned_der: Some(b"other".to_vec()),
        };
        let err = export_ansible(&[read()], &[unknown]).unwrap_err();
        assert_eq!(err.kind.exit_code(), 3, "{err:?}");
        let known = AnsibleTarget {
            device,
            pinned_der: Some(b"leaf".to_vec()),
        };
        let export = export_ansible(&[read()], &[known]).unwrap();
        assert!(
            playbook(&export).contains("ca_path: \"{{ playbook_dir }}/certs/apx_1_fw.pem\""),
            "{}",
            playbook(&export)
        );
        let pem = &export.files[0];
        assert_eq!(pem.0, Path::new("certs/apx_1_fw.pem"));
        assert!(pem.1.starts_with("-----BEGIN CERTIFICATE-----\nbGVhZg==\n"));
    }

    #[test]
    fn trust_and_flows_follow_the_device() {
        let export = |device: Device| {
            let target = AnsibleTarget {
                device,
                pinned_der: None,
            };
            export_ansible(&[read()], &[target]).map(|e| playbook(&e).to_string())
        };
        let mut device = asa("fw");
        device.trust = Trust::Ca {
            file: "/etc/ca {{ x }}.pem".into(),
        };
        let text = export(device.clone()).unwrap();
        assert!(
            text.contains("ca_path: !unsafe \"/etc/ca {{ x }}.pem\""),
            "{text}"
        );
        device.trust = Trust::Verify;
        device.platform = Platform::Wsa;
        let text = export(device.clone()).unwrap();
        assert!(text.contains("validate_certs: true"), "{text}");
        assert!(text.contains("/wsa/api/v2.0/login\""), "{text}");
        assert!(
            text.contains("passphrase: \"{{ apx_password | b64encode }}\""),
            "{text}"
        );
        assert!(text.contains("\"jwtToken\": \"{{ apx_token }}\""), "{text}");
        assert!(!text.contains("always:"), "AsyncOS has no logout: {text}");
        device.platform = Platform::Generic;
        assert!(!export(device.clone()).unwrap().contains("apx_login"));
        let mut token = read();
        token.auth = Some(AuthMode::Token);
        let target = AnsibleTarget {
            device: device.clone(),
            pinned_der: None,
        };
        let err = export_ansible(&[token], &[target]).unwrap_err();
        assert_eq!(err.kind.exit_code(), 2, "{err:?}");
        let mut basic = read();
        basic.auth = Some(AuthMode::Basic);
        let target = AnsibleTarget {
            device,
            pinned_der: None,
        };
        let export = export_ansible(&[basic], &[target]).unwrap();
        let text = playbook(&export);
        assert!(
            text.contains("url_password: \"{{ apx_password }}\""),
            "{text}"
        );
        assert!(!text.contains("apx_login"), "{text}");
    }

    #[test]
    fn scalars_are_quoted_and_ascii() {
        assert_eq!(quoted("a\"b\\c\n"), r#""a\"b\\c\x0A""#);
        assert_eq!(quoted("\u{85}\u{2028}é😀"), r#""\x85\u2028\xE9\U0001F600""#);
        assert_eq!(unsafe_str("{{ x }}"), r#"!unsafe "{{ x }}""#);
        assert_eq!(host_name(0, "a:b,c!d&e*[f] g"), "apx_1_a_b_c_d_e__f__g");
    }
}
