//! The platforms' sessions as Ansible tasks: each platform's login (from
//! its preset's login request), where its token comes from, the FMC
//! domain, and the logout. The values written here are apx's own
//! templates (user, password, token), never workspace data.

use super::ansible_export::{Yaml, quoted};
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
/// one line per platform.
pub(super) fn flow(platform: Platform) -> Result<Flow, Failure> {
    let none = || {
        Failure::usage(
            format!("the {platform} platform has no token login to export"),
            "Use --auth basic or none for its requests, or set the device's platform.",
        )
    };
    let (login, token): (fn(&mut Yaml, &FlowRequest, Platform), _) = match platform {
        Platform::Asa => (header_login, "apx_login.x_auth_token"),
        Platform::Fxos => (header_login, "apx_login.json.token"),
        Platform::Wsa | Platform::Sma | Platform::Esa => {
            (asyncos_login, "apx_login.json.data.jwtToken")
        }
        Platform::Generic => return Err(none()),
        Platform::Fmc | Platform::Fdm => {
            return Err(Failure::usage(
                format!("export ansible does not write the {platform} login yet"),
                "Export curl (`apx export curl`) runs the FMC login; for FDM, send with apx.",
            ));
        }
    };
    let request = platform
        .login_request(USER, &Secret::new(PASSWORD))
        .ok_or_else(none)?;
    Ok(Flow {
        login,
        request,
        token,
        logout: platform.logout_request(&Tokens::access(Secret::new(TOKEN))),
    })
}

/// A login whose credentials travel in headers or as Basic (ASA token
/// service, FXOS), the preset's request as it is.
fn header_login(out: &mut Yaml, login: &FlowRequest, platform: Platform) {
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
/// header values are apx's own templates (the user and password variables,
/// the token), never workspace data.
pub(super) fn flow_uri(out: &mut Yaml, request: &FlowRequest, presets: &[Header]) {
    out.line(5, "ansible.builtin.uri:");
    out.line(6, &format!("url: \"{{{{ apx_origin }}}}{}\"", request.path));
    out.line(6, &format!("method: {}", request.method));
    out.line(6, "status_code: [200, 201, 204]");
    if presets.is_empty() && request.headers.is_empty() {
        return;
    }
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

/// HTTP Basic credentials from `apx_user` and `apx_password`.
pub(super) fn basic_auth(out: &mut Yaml, indent: usize) {
    out.line(indent, &format!("url_username: \"{USER}\""));
    out.line(indent, &format!("url_password: \"{PASSWORD}\""));
    out.line(indent, "force_basic_auth: true");
}
