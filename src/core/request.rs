//! The request model: method, URL, headers with enabled flags, body; and the
//! checks that run before anything is sent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::core::error::{Failure, Remedy};
use crate::core::platform::{AuthMode, Platform};

/// One header line; disabled headers stay in the model but are not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
    #[serde(default = "enabled", skip_serializing_if = "is_enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

fn is_enabled(e: &bool) -> bool {
    *e
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Header {
            name: name.into(),
            value: value.into(),
            enabled: true,
        }
    }

    /// Parses `Name: value` as given to `-H`.
    pub fn parse(line: &str) -> Result<Header, Failure> {
        let (name, value) = line.split_once(':').ok_or_else(|| {
            Failure::usage(
                format!("malformed header {line:?}: expected 'Name: value'"),
                "Write headers as -H 'Name: value'.",
            )
        })?;
        let header = Header::new(name.trim(), value.trim());
        header.validate()?;
        Ok(header)
    }

    /// Checks that the name is an HTTP token (RFC 9110 `tchar`s) and that
    /// the value holds no line break (it cannot add a line to the request)
    /// and no other control character.
    pub fn validate(&self) -> Result<(), Failure> {
        let name = &self.name;
        if !is_header_name(name) {
            return Err(Failure::usage(
                format!("malformed header name {name:?}"),
                HEADER_NAME_HINT,
            ));
        }
        if self.value.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(Failure::usage(
                format!("header {name} holds a line break"),
                "Header values must be on one line.",
            ));
        }
        // RFC 9110 field values: visible characters, spaces and tabs.
        if self
            .value
            .bytes()
            .any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(Failure::usage(
                format!("header {name} holds a control character"),
                "Header values are visible characters, spaces and tabs only.",
            ));
        }
        Ok(())
    }
}

/// Whether `name` is an HTTP token (RFC 9110 `tchar`s), as a header name
/// must be. Tokens may hold shell metacharacters (`` ` `` `$` `'` `|` `&`).
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// What a header name may hold, for error hints.
pub const HEADER_NAME_HINT: &str = "A header name is letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ only (no spaces, quotes, parentheses or colons).";

/// Presets first, then `extra`; an extra header replaces every preset header
/// of the same (case-insensitive) name.
pub fn merge_headers(presets: Vec<Header>, extra: &[Header]) -> Vec<Header> {
    let mut merged: Vec<Header> = presets
        .into_iter()
        .filter(|p| !extra.iter().any(|e| e.name.eq_ignore_ascii_case(&p.name)))
        .collect();
    merged.extend(extra.iter().cloned());
    merged
}

/// Whether a header carries a credential, so that its value is never
/// stored or exported (`Authorization`, session-token headers, API keys).
pub fn is_credential_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "x-auth-token" | "token" | "jwttoken"
    ) || crate::core::interop::looks_secret(&lower)
}

/// Response headers as they are shown, printed and recorded: a session
/// token or cookie the appliance sends back (a refreshed `jwtToken`, say)
/// becomes `(redacted)`. The session adopts the token before this.
pub fn redact_response_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            if is_credential_header(&name) || name.eq_ignore_ascii_case("set-cookie") {
                (name, "(redacted)".to_string())
            } else {
                (name, value)
            }
        })
        .collect()
}

/// The headers with each literal credential value replaced by `mask(name)`;
/// values that refer to a `{{variable}}` (`Bearer {{token}}`) are kept.
pub fn mask_credentials(headers: &[Header], mask: impl Fn(&str) -> String) -> Vec<Header> {
    headers
        .iter()
        .map(|h| {
            let literal = !h.value.contains("{{");
            if is_credential_header(&h.name) && literal && !h.value.is_empty() {
                Header {
                    value: mask(&h.name),
                    ..h.clone()
                }
            } else {
                h.clone()
            }
        })
        .collect()
}

/// `{{name}}` for a header name: lower case, `-` as `_`.
pub fn variable_for_header(name: &str) -> String {
    format!("{{{{{}}}}}", name.to_ascii_lowercase().replace('-', "_"))
}

/// Whether the enabled headers declare a JSON body.
pub fn declares_json(headers: &[Header]) -> bool {
    headers.iter().any(|h| {
        h.enabled
            && h.name.eq_ignore_ascii_case("content-type")
            && h.value.to_ascii_lowercase().contains("json")
    })
}

/// A parse error in a JSON body, with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Checks that `body` is one JSON document.
pub fn check_json(body: &[u8]) -> Result<(), JsonProblem> {
    // An empty body is no body (ASA `writemem` is a POST with none).
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    // Skipping a document is fast but does not check its strings' UTF-8
    // and places some errors a column early: a body it refuses, or that is
    // not UTF-8, is parsed in full for serde_json's exact error.
    let skipped = std::str::from_utf8(body)
        .ok()
        .map(serde_json::from_str::<serde::de::IgnoredAny>);
    if let Some(Ok(_)) = skipped {
        return Ok(());
    }
    let checked = serde_json::from_slice::<serde_json::Value>(body).map(|_| ());
    checked.map_err(|e| JsonProblem {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A URL as typed, with the platform's API port added when it names no
/// port (`https://wsa.example/x` → `https://wsa.example:6443/x` for
/// AsyncOS); anything else, a path included, is returned as it is.
pub fn with_api_port(typed: &str, platform: Platform) -> String {
    let text = typed.trim();
    let port = Url::parse(text)
        .ok()
        .and_then(|url| platform.api_port(url.scheme()));
    let (Some(port), Some(start)) = (port, text.find("://").map(|i| i + 3)) else {
        return typed.to_string();
    };
    let end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| start + i);
    let authority = &text[start..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let has_port = match host.strip_prefix('[') {
        Some(v6) => v6.contains("]:"),
        None => host.contains(':'),
    };
    if has_port {
        return typed.to_string();
    }
    format!("{}:{port}{}", &text[..end], &text[end..])
}

/// Resolves a CLI/GUI target: a full `http(s)` URL, or a path joined to `base`.
pub fn resolve_target(target: &str, base: Option<&str>) -> Result<Url, Failure> {
    let target = target.trim();
    let looks_absolute = target.contains("://");
    let url = match (looks_absolute, base) {
        (true, Some(base)) => {
            let url = Url::parse(target).map_err(|e| bad_url(target, &e.to_string()))?;
            let base_url = Url::parse(base).map_err(|e| bad_url(base, &e.to_string()))?;
            if url.origin() != base_url.origin() {
                return Err(Failure::usage(
                    format!("{target} is not on the device ({})", origin(&base_url)),
                    "The device's credentials and trust are only sent to its own base URL: give a path, or drop --device.",
                ));
            }
            url
        }
        (true, None) => Url::parse(target).map_err(|e| bad_url(target, &e.to_string()))?,
        (false, Some(base)) => {
            let base_url = Url::parse(base).map_err(|e| bad_url(base, &e.to_string()))?;
            join_path(&base_url, target)?
        }
        (false, None) => {
            return Err(Failure::usage(
                format!("{target:?} is not a full URL"),
                "Give a URL like https://10.0.0.1/api/..., or a path together with --device.",
            ));
        }
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad_url(target, "only http and https are supported"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad_url(target, "the URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Failure::usage(
            "the URL holds credentials (user:password@host)",
            "apx never keeps credentials in URLs: give the user with -u or the device, the password with --password-env or the keyring.",
        ));
    }
    Ok(url)
}

/// Joins a path (with optional query) below the base URL's path.
fn join_path(base: &Url, path: &str) -> Result<Url, Failure> {
    let mut joined = base.clone();
    let (path_part, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let prefix = base.path().trim_end_matches('/');
    let suffix = path_part.trim_start_matches('/');
    joined.set_path(&format!("{prefix}/{suffix}"));
    joined.set_query(query.or(base.query()));
    if joined.path().contains("/../") {
        return Err(bad_url(path, "the path climbs out of the base URL"));
    }
    Ok(joined)
}

fn bad_url(url: &str, why: &str) -> Failure {
    Failure::usage(
        format!("malformed URL {url:?}: {why}"),
        "Give a URL like https://10.0.0.1:443/api/objects/networkobjects.",
    )
}

/// The platform that makes a session HTTPS-only: the first of `platforms`
/// (the request's, the device's) whose guide requires HTTPS (ASA, FXOS),
/// unless plain HTTP is `allowed`. A request cannot lift the rule of the
/// device it goes to by naming another platform.
pub fn https_only(platforms: &[Platform], allowed: bool) -> Option<Platform> {
    platforms
        .iter()
        .copied()
        .find(|p| p.requires_https())
        .filter(|_| !allowed)
}

/// Refuses plain `http://` when the session is HTTPS-only (see
/// [`https_only`]).
pub fn check_plain_http(url: &Url, https_only: Option<Platform>) -> Result<(), Failure> {
    let Some(platform) = https_only.filter(|_| url.scheme() == "http") else {
        return Ok(());
    };
    Err(Failure::usage(
        format!(
            "{} takes its API over HTTPS only: {} refused (nothing was sent)",
            platform.label(),
            origin(url)
        ),
        "Use https://, or allow plain HTTP for this device (--allow-http; in the app, Edit device > Allow plain HTTP): credentials would travel unencrypted.",
    )
    .with_remedy(Remedy::AllowPlainHttp))
}

/// The warning for credentials that travel unencrypted: a request to an
/// `http://` URL with an auth mode that sends them (Basic, a login) or a
/// credential header with a value.
pub fn plain_http_warning(url: &Url, auth: AuthMode, headers: &[Header]) -> Option<String> {
    if url.scheme() != "http" {
        return None;
    }
    let what = match auth {
        AuthMode::Basic => "Basic credentials",
        AuthMode::Token => "the login and its session token",
        AuthMode::None => {
            let header = headers
                .iter()
                .find(|h| h.enabled && !h.value.is_empty() && is_credential_header(&h.name))?;
            return Some(format!(
                "the {} header travels unencrypted over plain HTTP to {}",
                header.name,
                origin(url)
            ));
        }
    };
    Some(format!(
        "{what} travel unencrypted over plain HTTP to {}",
        origin(url)
    ))
}

/// An HTTP method token, upper-cased; checked before anything is sent.
pub fn check_method(method: &str) -> Result<String, Failure> {
    let m = method.trim();
    if m.is_empty()
        || !m
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Failure::usage(
            format!("invalid method {method:?}"),
            "Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.",
        ));
    }
    Ok(m.to_ascii_uppercase())
}

/// The origin (`scheme://host:port`) of a URL, where login flows are sent.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Replaces `{{name}}` with the variable's value. An undefined variable is
/// an error naming it; it is never sent literally.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>) -> Result<String, Failure> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| {
            Failure::usage(
                "unclosed {{ in request",
                "Close variables as {{name}}, or escape a literal brace pair.",
            )
        })?;
        let name = after[..end].trim();
        let value = vars.get(name).ok_or_else(|| {
            Failure::usage(
                format!("undefined variable {{{{{name}}}}}"),
                format!("Define {name:?} on the device, or replace it in the request."),
            )
        })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers() {
        assert_eq!(
            Header::parse("Accept: application/json").unwrap(),
            Header::new("Accept", "application/json")
        );
        assert_eq!(Header::parse("X-A:b:c").unwrap().value, "b:c");
        assert!(Header::parse("no colon").is_err());
        assert!(Header::parse(": empty").is_err());
        assert!(Header::parse("Bad Name: x").is_err());
        assert!(Header::parse("X-A: a\tb").is_ok());
        for bad in ["X-A: v\x1b[2K", "X-A: \x7f", "X-A: a\0b", "X-A: a\rb"] {
            assert!(Header::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn extra_headers_override_presets_case_insensitively() {
        let merged = merge_headers(
            vec![
                Header::new("User-Agent", "REST API Agent"),
                Header::new("Accept", "a"),
            ],
            &[Header::new("accept", "b")],
        );
        assert_eq!(
            merged,
            vec![
                Header::new("User-Agent", "REST API Agent"),
                Header::new("accept", "b")
            ]
        );
    }

    #[test]
    fn credential_headers_are_masked() {
        let masked = mask_credentials(
            &[
                Header::new("Authorization", "Bearer abc"),
                Header::new("X-Auth-Token", "{{token}}"),
                Header::new("X-API-Key", "k"),
                Header::new("Accept", "application/json"),
            ],
            variable_for_header,
        );
        let values: Vec<&str> = masked.iter().map(|h| h.value.as_str()).collect();
        assert_eq!(
            values,
            [
                "{{authorization}}",
                "{{token}}",
                "{{x_api_key}}",
                "application/json"
            ]
        );
    }

    #[test]
    fn json_problem_has_position() {
        let p = check_json(b"{\n  \"a\": 1,\n  \"b\": }").unwrap_err();
        assert_eq!((p.line, p.column), (3, 8));
        assert!(check_json(b" [1, 2] ").is_ok());
    }

    #[test]
    fn resolves_targets() {
        let u = resolve_target("/api/objects?limit=5", Some("https://10.0.0.1:8443")).unwrap();
        assert_eq!(u.as_str(), "https://10.0.0.1:8443/api/objects?limit=5");
        let u = resolve_target("reporting/x", Some("https://h/wsa/api/v2.0/")).unwrap();
        assert_eq!(u.as_str(), "https://h/wsa/api/v2.0/reporting/x");
        assert!(resolve_target("/api", None).is_err());
        assert!(resolve_target("ftp://h/x", None).is_err());
        assert!(resolve_target("https://", None).is_err());
        assert_eq!(
            origin(&resolve_target("https://h:6443/x", None).unwrap()),
            "https://h:6443"
        );
    }

    #[test]
    fn substitutes_variables() {
        let vars = BTreeMap::from([("host".to_string(), "10.0.0.1".to_string())]);
        assert_eq!(
            substitute("https://{{ host }}/api", &vars).unwrap(),
            "https://10.0.0.1/api"
        );
        let err = substitute("{{missing}}", &vars).unwrap_err();
        assert!(err.message.contains("{{missing}}"), "{}", err.message);
        assert!(substitute("{{open", &vars).is_err());
    }

    #[test]
    fn plain_http_is_refused_for_asa_and_fxos_and_warned_about_elsewhere() {
        let http = Url::parse("http://10.0.0.1:8080/api").unwrap();
        let https = Url::parse("https://10.0.0.1/api").unwrap();
        for platform in [Platform::Asa, Platform::Fxos] {
            let only = https_only(&[platform], false);
            let refused = check_plain_http(&http, only).unwrap_err();
            assert!(
                refused.message.contains("http://10.0.0.1:8080"),
                "{}",
                refused.message
            );
            assert!(check_plain_http(&http, https_only(&[platform], true)).is_ok());
            assert!(check_plain_http(&https, only).is_ok());
            // A request naming another platform keeps the device's rule.
            assert_eq!(
                https_only(&[Platform::Generic, platform], false),
                Some(platform)
            );
        }
        assert!(check_plain_http(&http, https_only(&[Platform::Wsa], false)).is_ok());

        let warning = plain_http_warning(&http, AuthMode::Basic, &[]).unwrap();
        assert!(warning.contains("unencrypted"), "{warning}");
        assert!(plain_http_warning(&http, AuthMode::Token, &[]).is_some());
        assert_eq!(plain_http_warning(&http, AuthMode::None, &[]), None);
        let token = [Header::new("X-Auth-Token", "abc")];
        assert!(
            plain_http_warning(&http, AuthMode::None, &token)
                .unwrap()
                .contains("X-Auth-Token")
        );
        let off = [Header {
            enabled: false,
            ..Header::new("Authorization", "Basic x")
        }];
        assert_eq!(plain_http_warning(&http, AuthMode::None, &off), None);
        assert_eq!(plain_http_warning(&https, AuthMode::Basic, &token), None);
    }

    #[test]
    fn asyncos_urls_without_a_port_get_the_api_port() {
        use crate::core::platform::Platform;
        let wsa = |u| with_api_port(u, Platform::Wsa);
        assert_eq!(wsa("https://wsa.example"), "https://wsa.example:6443");
        assert_eq!(
            wsa(" https://wsa.example/wsa/api/v2.0/x?y=1 "),
            "https://wsa.example:6443/wsa/api/v2.0/x?y=1"
        );
        assert_eq!(wsa("http://10.0.0.5/a"), "http://10.0.0.5:6080/a");
        assert_eq!(wsa("https://[::1]/a"), "https://[::1]:6443/a");
        // A port the user typed, even the scheme's own, is kept.
        assert_eq!(
            wsa("https://wsa.example:443/a"),
            "https://wsa.example:443/a"
        );
        assert_eq!(wsa("https://[::1]:8443"), "https://[::1]:8443");
        assert_eq!(wsa("/wsa/api/v2.0/health"), "/wsa/api/v2.0/health");
        assert_eq!(
            with_api_port("https://asa.example", Platform::Asa),
            "https://asa.example"
        );
    }
}
