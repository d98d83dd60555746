//! The platforms' sessions as Ansible tasks: each platform's login (from
//! its preset's login request), where its token comes from, the FMC
//! domain, and the logout. The values written here are apx's own
//! templates (user, password, token), never workspace data (but the FMC
//! domain's name, `!unsafe`).

use serde_json::Value;

use super::ansible_export::{Yaml, quoted, unsafe_str};
use crate::core::error::Failure;
use crate::core::platform::tokens::Tokens;
use crate::core::platform::{FlowRequest, Platform};
use crate::core::request::Header;
use crate::core::secret::Secret;

pub(super) const PASSWORD: &str = "{{ apx_password }}";
pub(super) const TOKEN: &str = "{{ apx_token }}";
pub(super) const USER: &str = "{{ apx_user }}";

/// How a platform logs in, where its token comes from, how it logs out.
pub(super) struct Flow {
    /// Writes the login task from the platform's login request.
    pub(super) login: fn(&mut Yaml, &FlowRequest, Platform),
    pub(super) request: FlowRequest,
    /// The Jinja expression of the token in the login's result.
    pub(super) token: &'static str,
    pub(super) logout: Option<FlowRequest>,
}

/// The token flow of each platform, from its preset (login and logout
/// requests, built with apx's templates for the user, password and token):
/// one line per platform. FDM's paths name the device's API version.
pub(super) fn flow(platform: Platform, api_version: Option<&str>) -> Result<Flow, Failure> {
    let none = || {
        Failure::usage(
            format!("the {platform} platform has no token login to export"),
            "Use --auth basic or none for its requests, or set the device's platform.",
        )
    };
    let (login, token): (fn(&mut Yaml, &FlowRequest, Platform), _) = match platform {
        Platform::Asa => (preset_login, "apx_login.x_auth_token"),
        Platform::Fxos => (preset_login, "apx_login.json.token"),
        // Ansible's uri registers response headers lower-cased, `-` as `_`.
        Platform::Fmc => (preset_login, "apx_login.x_auth_access_token"),
        Platform::Fdm => (preset_login, "apx_login.json.access_token"),
        Platform::Wsa | Platform::Sma | Platform::Esa => {
            (asyncos_login, "apx_login.json.data.jwtToken")
        }
        Platform::Generic => return Err(none()),
    };
    let versioned = |mut request: FlowRequest| {
        request.path = platform.session_path(&request.path, None, api_version);
        request
    };
    let request = platform
        .login_request(USER, &Secret::new(PASSWORD))
        .ok_or_else(none)?;
    Ok(Flow {
        login,
        request: versioned(request),
        token,
        logout: platform
            .logout_request(&Tokens::access(Secret::new(TOKEN)))
            .map(versioned),
    })
}

/// FMC: the session's domain uuid as `apx_domain`, the login's default
/// (`DOMAIN_UUID`) or the one named `wanted` in its `DOMAINS`, checked to
/// be hex digits and dashes before it goes into a path.
pub(super) fn fmc_domain(out: &mut Yaml, wanted: Option<&str>) {
    out.line(4, "- name: Keep the session's domain");
    let (uuid, missing) = match wanted {
        None => (
            "apx_login.domain_uuid | default('')".to_string(),
            "the FMC login gave no domain uuid (DOMAIN_UUID)".to_string(),
        ),
        Some(name) => {
            out.line(5, "vars:");
            out.line(6, &format!("apx_domain_name: {}", unsafe_str(name)));
            (
                "apx_login.domains | default('[]') | from_json | selectattr('name', 'equalto', apx_domain_name) | map(attribute='uuid') | first | default('')".to_string(),
                format!("the FMC has no domain {name:?} for this user (its login's DOMAINS)"),
            )
        }
    };
    out.line(5, "ansible.builtin.set_fact:");
    out.line(6, &format!("apx_domain: \"{{{{ {uuid} }}}}\""));
    out.line(4, "- name: Check the domain is a uuid");
    out.line(5, "ansible.builtin.assert:");
    // `$` also matches before a final newline; trimming the value must
    // leave it as it is.
    out.line(
        6,
        "that: \"apx_domain is match('^[0-9A-Fa-f-]{1,64}$') and apx_domain == apx_domain | trim\"",
    );
    out.line(6, &format!("fail_msg: {}", unsafe_str(&missing)));
}

/// A login whose credentials travel in headers, as Basic or in a JSON body
/// (ASA token service, FXOS, FMC, FDM): the preset's request as it is.
fn preset_login(out: &mut Yaml, login: &FlowRequest, platform: Platform) {
    out.line(4, &format!("- name: Log in ({})", platform.label()));
    flow_uri(out, login, &platform.preset_headers(false));
    if login.basic {
        basic_auth(out, 6);
    }
}

/// AsyncOS: base64 user and password in a JSON body (Jinja's `b64encode`,
/// where the preset encodes the values it is given), the JWT in the answer.
fn asyncos_login(out: &mut Yaml, login: &FlowRequest, platform: Platform) {
    out.line(4, &format!("- name: Log in ({})", platform.label()));
    let bare = FlowRequest {
        headers: Vec::new(),
        body: None,
        ..login.clone()
    };
    flow_uri(out, &bare, &platform.preset_headers(true));
    out.line(6, "body_format: json");
    out.line(6, "body:");
    out.line(7, "data:");
    out.line(8, "userName: \"{{ apx_user | b64encode }}\"");
    out.line(8, "passphrase: \"{{ apx_password | b64encode }}\"");
}

/// A login or logout request of the platform's flow, at `apx_origin`. Its
/// header and body values are apx's own templates (the user and password
/// variables, the token), never workspace data; a JSON body (FDM's grants)
/// is written as YAML for Ansible to encode.
pub(super) fn flow_uri(out: &mut Yaml, request: &FlowRequest, presets: &[Header]) {
    out.line(5, "ansible.builtin.uri:");
    out.line(6, &format!("url: \"{{{{ apx_origin }}}}{}\"", request.path));
    out.line(6, &format!("method: {}", request.method));
    out.line(6, "status_code: [200, 201, 204]");
    if !presets.is_empty() || !request.headers.is_empty() {
        out.line(6, "headers:");
        for header in presets {
            out.line(
                7,
                &format!("{}: {}", quoted(&header.name), quoted(&header.value)),
            );
        }
        for (name, value) in &request.headers {
            out.line(7, &format!("{}: {}", quoted(name), quoted(value.expose())));
        }
    }
    if let Some(body) = &request.body {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => {
                out.line(6, "body_format: json");
                out.line(6, "body:");
                for (name, value) in &fields {
                    let value = match value {
                        Value::String(text) => quoted(text),
                        other => other.to_string(),
                    };
                    out.line(7, &format!("{}: {value}", quoted(name)));
                }
            }
            _ => {
                out.line(6, "body_format: raw");
                out.line(
                    6,
                    &format!("body: {}", quoted(&String::from_utf8_lossy(body))),
                );
            }
        }
    }
}

/// HTTP Basic credentials from `apx_user` and `apx_password`.
pub(super) fn basic_auth(out: &mut Yaml, indent: usize) {
    out.line(indent, &format!("url_username: \"{USER}\""));
    out.line(indent, &format!("url_password: \"{PASSWORD}\""));
    out.line(indent, "force_basic_auth: true");
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::ansible_export::{AnsibleTarget, export_ansible};
    use crate::core::platform::Platform;
    use crate::core::workspace::Device;
    use crate::core::workspace::saved::SavedRequest;
    use crate::core::workspace::tests::asa;

    fn get(url: &str) -> SavedRequest {
        SavedRequest::get("Read", url)
    }

    /// The playbook of `requests` on `device`.
    fn playbook(device: Device, requests: &[SavedRequest]) -> String {
        let target = AnsibleTarget {
            device,
            pinned_der: None,
        };
        let export = export_ansible(requests, &[target]).unwrap();
        let (_, text) = export
            .files
            .into_iter()
            .find(|(path, _)| path == Path::new("playbook.yml"))
            .unwrap();
        text
    }

    /// A device of `platform` whose variable `x` holds a template.
    fn firepower(platform: Platform) -> Device {
        Device {
            platform,
            variables: [("x".to_string(), "{{ y }}".to_string())].into(),
            ..asa("fp")
        }
    }

    #[test]
    fn an_fmc_play_logs_in_with_basic_fills_the_domain_and_revokes() {
        let networks = get("/api/fmc_config/v1/domain/{domainUUID}/object/networks?q={{x}}");
        let text = playbook(firepower(Platform::Fmc), std::slice::from_ref(&networks));
        let login = "url: \"{{ apx_origin }}/api/fmc_platform/v1/auth/generatetoken\"\n            method: POST\n";
        assert!(text.contains(login), "{text}");
        assert!(text.contains("force_basic_auth: true"), "{text}");
        assert!(
            text.contains("apx_token: \"{{ apx_login.x_auth_access_token }}\""),
            "{text}"
        );
        // The login's default domain, checked to be a uuid before any use.
        assert!(
            text.contains("apx_domain: \"{{ apx_login.domain_uuid | default('') }}\""),
            "{text}"
        );
        assert!(
            text.contains(
                "that: \"apx_domain is match('^[0-9A-Fa-f-]{1,64}$') and apx_domain == apx_domain | trim\""
            ),
            "{text}"
        );
        // The URL's workspace parts stay !unsafe around the domain.
        let parts = "apx_url:\n              - !unsafe \"https://10.0.0.1/api/fmc_config/v1/domain/\"\n              - !unsafe \"/object/networks?q={{%20y%20}}\"\n";
        assert!(text.contains(parts), "{text}");
        assert!(
            text.contains("url: \"{{ apx_url | join(apx_domain) }}\""),
            "{text}"
        );
        assert!(
            text.contains("\"X-auth-access-token\": \"{{ apx_token }}\""),
            "{text}"
        );
        let always = text.split("    always:\n").nth(1).unwrap();
        assert!(
            always.contains("/api/fmc_platform/v1/auth/revokeaccess\"\n            method: POST"),
            "{text}"
        );
        assert!(
            always.contains("\"X-auth-access-token\": \"{{ apx_token }}\""),
            "{text}"
        );

        // A device's domain is found by name in the login's DOMAINS.
        let lab = Device {
            domain: Some("Global/Lab {{ x }}".into()),
            ..firepower(Platform::Fmc)
        };
        let text = playbook(lab, &[networks]);
        assert!(
            text.contains("apx_domain_name: !unsafe \"Global/Lab {{ x }}\""),
            "{text}"
        );
        assert!(
            text.contains("from_json | selectattr('name', 'equalto', apx_domain_name)"),
            "{text}"
        );
        // Without a domain in any URL, none is looked for.
        let text = playbook(
            firepower(Platform::Fmc),
            &[get("/api/fmc_platform/v1/info/serverversion")],
        );
        assert!(!text.contains("apx_domain"), "{text}");
        assert!(
            text.contains(
                "url: !unsafe \"https://10.0.0.1/api/fmc_platform/v1/info/serverversion\""
            ),
            "{text}"
        );
    }

    #[test]
    fn an_fdm_play_sends_the_password_grant_and_revokes_the_bearer_token() {
        let device = Device {
            api_version: Some("v6".into()),
            ..firepower(Platform::Fdm)
        };
        let text = playbook(
            device,
            &[get("/api/fdm/latest/operational/systeminfo/default")],
        );
        let login = text.split("- name: Log in").nth(1).unwrap();
        assert!(
            login.contains(
                "url: \"{{ apx_origin }}/api/fdm/v6/fdm/token\"\n            method: POST\n"
            ),
            "{text}"
        );
        assert!(login.contains("body_format: json\n"), "{text}");
        for field in [
            "\"grant_type\": \"password\"",
            "\"username\": \"{{ apx_user }}\"",
            "\"password\": \"{{ apx_password }}\"",
        ] {
            assert!(login.contains(field), "{field}: {text}");
        }
        assert!(
            text.contains("apx_token: \"{{ apx_login.json.access_token }}\""),
            "{text}"
        );
        assert!(
            text.contains(
                "url: !unsafe \"https://10.0.0.1/api/fdm/v6/operational/systeminfo/default\""
            ),
            "{text}"
        );
        assert!(
            text.contains("\"Authorization\": \"Bearer {{ apx_token }}\""),
            "{text}"
        );
        let always = text.split("    always:\n").nth(1).unwrap();
        assert!(always.contains("/api/fdm/v6/fdm/token\""), "{text}");
        for field in [
            "\"grant_type\": \"revoke_token\"",
            "\"access_token\": \"{{ apx_token }}\"",
            "\"token_to_revoke\": \"{{ apx_token }}\"",
        ] {
            assert!(always.contains(field), "{field}: {text}");
        }
        assert!(!text.contains("apx_domain"), "{text}");
    }

    #[test]
    fn a_hostile_api_version_is_refused() {
        let device = Device {
            api_version: Some("{{ x }}".into()),
            ..firepower(Platform::Fdm)
        };
        let target = AnsibleTarget {
            device,
            pinned_der: None,
        };
        let err = export_ansible(&[get("/api/fdm/latest/object/networks")], &[target]).unwrap_err();
        assert_eq!(err.kind.exit_code(), 2, "{err:?}");
    }
}
