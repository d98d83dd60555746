//! `{{variables}}` in saved requests, resolved against a device.
//!
//! Every device provides the built-ins `base_url`, `host`, `username` (when
//! it has one) and `device` (its name), plus its own `variables` from
//! `devices.json`, which override the built-ins. Variables are plain text in
//! the workspace: they are never meant for secrets (passwords live in the OS
//! keyring). An undefined variable is an error naming it; it is never sent
//! literally.

use std::collections::BTreeMap;

use url::Url;

use super::Device;
use super::saved::SavedRequest;
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::{
    Header, check_json, check_method, declares_json, merge_headers, resolve_target, substitute,
    with_api_port,
};

/// A saved request with its variables substituted, ready to be combined
/// with the platform's preset headers and sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub method: String,
    pub url: Url,
    /// The request's own headers, values substituted (presets not merged).
    pub headers: Vec<Header>,
    pub body: Option<Vec<u8>>,
    /// The request's platform, else the device's, else generic.
    pub platform: Platform,
    /// The request's auth, else the platform's ([`Platform::auth_for`]).
    pub auth: AuthMode,
}

/// The variables a request sees with this device (none without one):
/// built-ins `base_url` (alias `baseUrl`), `host`, `username`, `device`,
/// then the device's own, which win.
pub fn variables_for(device: Option<&Device>) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let Some(device) = device else {
        return vars;
    };
    vars.insert("base_url".to_string(), device.base_url.clone());
    // Postman collections' usual name for the same thing.
    vars.insert(
        "baseUrl".to_string(),
        device.base_url.trim_end_matches('/').to_string(),
    );
    vars.insert("host".to_string(), device.host());
    if let Some(user) = &device.username {
        vars.insert("username".to_string(), user.clone());
    }
    vars.insert("device".to_string(), device.name.clone());
    vars.extend(device.variables.iter().map(|(k, v)| (k.clone(), v.clone())));
    vars
}

/// Substitutes the variables of `device` into the URL, header values and
/// body, and resolves a path against the device's base URL. A body that is
/// to be sent as JSON must still parse after substitution.
pub fn prepare(request: &SavedRequest, device: Option<&Device>) -> Result<Prepared, Failure> {
    let mut vars = variables_for(device);
    let platform = request
        .platform
        .or(device.map(|d| d.platform))
        .unwrap_or(Platform::Generic);
    // FMC: `{{domainUUID}}` is the session's domain, known after the login;
    // the session fills it in (unless the device defines it).
    if platform == Platform::Fmc {
        vars.entry("domainUUID".to_string())
            .or_insert_with(|| "{domainUUID}".to_string());
    }
    // A URL without a port goes to the platform's API port (AsyncOS).
    let url = with_api_port(&substitute(&request.url, &vars)?, platform);
    let base = device.map(|d| with_api_port(&d.base_url, platform));
    let url = resolve_target(&url, base.as_deref())?;
    let headers = request
        .headers
        .iter()
        .map(|h| substitute_header(h, &vars))
        .collect::<Result<Vec<_>, _>>()?;
    let body = request
        .body
        .as_ref()
        .map(|b| substitute(&b.to_text(), &vars).map(String::into_bytes))
        .transpose()?;
    if let Some(body) = &body
        && declares_json(&merge_headers(platform.preset_headers(true), &headers))
    {
        check_json(body).map_err(|p| {
            Failure::usage(
                format!("malformed JSON body after substitution: {p}"),
                "Fix the body, or the variable values it uses (nothing was sent).",
            )
        })?;
    }
    let method = match request.method.trim() {
        "" => "GET".to_string(),
        m => check_method(m)?,
    };
    Ok(Prepared {
        method,
        url,
        headers,
        body,
        platform,
        auth: platform.auth_for(request.auth, device.is_some_and(|d| d.username.is_some())),
    })
}

/// Substitutes an enabled header's value (disabled ones are kept as they
/// are); a value may not become multi-line.
fn substitute_header(header: &Header, vars: &BTreeMap<String, String>) -> Result<Header, Failure> {
    if !header.enabled {
        return Ok(header.clone());
    }
    let value = substitute(&header.value, vars)?;
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Failure::usage(
            format!(
                "header {} holds a line break after substitution",
                header.name
            ),
            "Header values must be on one line: check the variables it uses.",
        ));
    }
    Ok(Header {
        value,
        ..header.clone()
    })
}
