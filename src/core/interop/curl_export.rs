//! A resolved request → a `curl` command line a person can paste into a
//! POSIX shell. Every word is quoted; credentials appear only as shell
//! variables (`"$APX_PASSWORD"`, and `$APX_TOKEN` set by the exported
//! login), never inline, and reach curl on its stdin, never its argv.

use super::curl_login::token_steps;
use super::curl_stdin::{Stdin, TOKEN, basic_credentials, basic_header};
use super::shell_words::{comment, quote};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::{
    HEADER_NAME_HINT, Header, is_credential_header, is_header_name, merge_headers,
};
use crate::core::tls::{CertFacts, Trust};
use crate::core::workspace::variables::Prepared;

/// A request with everything resolved: the URL is absolute, the headers are
/// the ones to send (presets merged, variables substituted).
#[derive(Debug, Clone, PartialEq)]
pub struct CurlInput {
    pub method: String,
    pub url: String,
    /// Disabled headers are left out of the command.
    pub headers: Vec<Header>,
    pub body: Option<String>,
    /// For basic auth; `$APX_USER` when None.
    pub user: Option<String>,
    pub auth: AuthMode,
    /// Names the session-token header for token auth.
    pub platform: Platform,
    pub trust: Trust,
    /// With a pinned leaf: its public key's hash (see [`pinned_key`]), which
    /// curl can pin; None when it is not known.
    pub pinned_key: Option<String>,
}

impl CurlInput {
    /// A prepared request as it goes out: the platform's preset headers
    /// merged, the body as text. `auth` and `user` are the session's.
    pub fn from_prepared(
        prepared: Prepared,
        auth: AuthMode,
        user: Option<String>,
        trust: Trust,
        pinned_key: Option<String>,
    ) -> CurlInput {
        let headers = merge_headers(
            prepared.platform.preset_headers(prepared.body.is_some()),
            &prepared.headers,
        );
        CurlInput {
            method: prepared.method,
            url: prepared.url.to_string(),
            headers,
            body: prepared
                .body
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
            user,
            auth,
            platform: prepared.platform,
            trust,
            pinned_key,
        }
    }
}

/// The public key curl can pin for `trust`: the SubjectPublicKeyInfo hash
/// of `leaf` when the trust pins exactly that leaf.
pub fn pinned_key(trust: &Trust, leaf: &CertFacts) -> Option<String> {
    match trust {
        Trust::Pin { sha256 } if leaf.sha256 == *sha256 && !leaf.spki_sha256.is_empty() => {
            Some(leaf.spki_sha256.clone())
        }
        _ => None,
    }
}

/// The curl command line: leading `#` comments where curl cannot do what
/// apx does, then `curl` with one option per continued line. With token
/// auth, the platform's login comes before it and its logout after. A
/// header name that is not an HTTP token, or a line break in a header
/// value or the user name, is refused.
pub fn export_curl(input: &CurlInput) -> Result<String, Failure> {
    check(input)?;
    let mut comments = Vec::new();
    let mut curl = vec!["curl".to_string(), "--globoff".to_string()];
    match (&input.trust, &input.pinned_key) {
        (Trust::Verify, _) => {}
        (Trust::Ca { file }, _) => {
            curl.push("--cacert".into());
            curl.push(quote(&file.display().to_string()));
        }
        (Trust::Pin { sha256 }, Some(key)) => {
            comments.push(comment(&format!(
                "apx pins the leaf certificate SHA256 {sha256}; curl pins its public key: -k skips the CA check, --pinnedpubkey refuses any other key"
            )));
            curl.push("-k".into());
            curl.push("--pinnedpubkey".into());
            curl.push(quote(&format!("sha256//{key}")));
        }
        (Trust::Pin { sha256 }, None) => {
            let origin = origin(&input.url);
            comments.push(comment(&format!(
                "apx pins the leaf certificate SHA256 {sha256}, but its public key is not known (the device did not answer, or presented another certificate), so curl verifies the certificate as usual and refuses a self-signed one."
            )));
            comments.push(comment(&format!(
                "To pin the key: check the device with `apx probe {origin}` (or send the request once in apx), then export again."
            )));
        }
        (Trust::Insecure, _) => curl.push("-k".into()),
    }
    let curl = curl.join(" ");
    let user = input
        .user
        .as_deref()
        .map_or_else(|| "\"$APX_USER\"".to_string(), quote);
    let mut stdin = Stdin::default();
    let mut login = None;
    let mut logout = None;
    match input.auth {
        AuthMode::None => {}
        AuthMode::Basic => {
            login = Some(basic_credentials(&user));
            basic_header(&mut stdin);
        }
        AuthMode::Token => {
            let steps = token_steps(input.platform, &user, &origin(&input.url), &curl);
            match (steps, input.platform.token_header()) {
                (Some(steps), Some(name)) => {
                    comments.push(steps.comment);
                    login = Some(steps.login);
                    logout = steps.logout;
                    stdin.header(name, TOKEN);
                }
                _ => comments.push(comment(&format!(
                    "token auth: apx cannot write the {} login as shell lines; no credentials are sent",
                    input.platform
                ))),
            }
        }
    }
    let mut lines = Vec::new();
    let mut has_content_type = false;
    for header in input.headers.iter().filter(|h| h.enabled) {
        has_content_type |= header.name.eq_ignore_ascii_case("content-type");
        if is_credential_header(&header.name) && !header.value.is_empty() {
            // A credential travels as a shell variable, never inline.
            stdin.header(&header.name, &format!("\"${}\"", variable(&header.name)));
            continue;
        }
        // `Name:` would make curl drop the header; `Name;` sends it empty.
        let line = if header.value.is_empty() {
            format!("{};", header.name)
        } else {
            format!("{}: {}", header.name, header.value)
        };
        lines.push(format!("-H {}", quote(&line)));
    }
    let mut first = vec![format!("{}{curl}", stdin.pipe())];
    if !stdin.is_empty() {
        comments.push(comment(
            "credentials reach curl on its stdin (-H @-, written by the shell's builtin printf), never its command line",
        ));
        first.push("-H @-".into());
    }
    let body = input.body.as_deref().filter(|b| !b.is_empty());
    let method = input.method.trim().to_ascii_uppercase();
    match (method.as_str(), body.is_some()) {
        ("GET", false) | ("POST", true) => {}
        ("HEAD", false) => first.push("-I".into()),
        _ => {
            first.push("-X".into());
            first.push(quote(&method));
        }
    }
    if input.platform == Platform::Fmc && login.is_some() && input.auth == AuthMode::Token {
        // The exported FMC login sets `$APX_DOMAIN`: it goes between the
        // quoted parts of the URL (a URL holds no NUL to mark them with).
        let marked = crate::core::platform::fmc::fill_domain(&input.url, "\0");
        let parts: Vec<String> = marked.split('\0').map(quote).collect();
        first.push(parts.join("\"$APX_DOMAIN\""));
    } else {
        first.push(quote(&input.url));
    }
    if let Some(body) = body {
        if !has_content_type {
            // curl would add a form Content-Type that apx does not send.
            lines.push("-H 'Content-Type:'".into());
        }
        lines.push(format!("--data-raw {}", quote(body)));
    }
    let mut out = String::new();
    for line in comments.iter().chain(&login) {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&first.join(" "));
    for line in lines {
        out.push_str(" \\\n  ");
        out.push_str(&line);
    }
    if let Some(logout) = logout {
        out.push('\n');
        out.push_str(&logout);
    }
    Ok(out)
}

/// Refuses what no shell quoting makes right: a header name that is not an
/// HTTP token (curl would send it as is), and line breaks where curl reads
/// lines (header values, the user name) or NUL bytes (no argv holds one).
fn check(input: &CurlInput) -> Result<(), Failure> {
    let breaks = |text: &str| text.contains(['\r', '\n', '\0']);
    for header in input.headers.iter().filter(|h| h.enabled) {
        if !is_header_name(&header.name) {
            return Err(Failure::usage(
                format!(
                    "header name {:?} is not an HTTP token; nothing was exported",
                    super::clip(&header.name, 60)
                ),
                HEADER_NAME_HINT,
            ));
        }
        if breaks(&header.value) {
            return Err(Failure::usage(
                format!(
                    "header {} holds a line break; nothing was exported",
                    header.name
                ),
                "Header values must be on one line.",
            ));
        }
    }
    if input.user.as_deref().is_some_and(breaks) {
        return Err(Failure::usage(
            "the user name holds a line break; nothing was exported",
            "Fix the device's user name.",
        ));
    }
    if input.body.as_deref().is_some_and(|b| b.contains('\0')) {
        return Err(Failure::usage(
            "the body holds a NUL byte, which no shell command line can carry; nothing was exported",
            "Send it with apx (`apx send -d @FILE`).",
        ));
    }
    Ok(())
}

/// The shell variable a credential header's value comes from:
/// `X-Auth-Token` → `APX_X_AUTH_TOKEN`; anything but a letter or digit
/// becomes `_`.
fn variable(header_name: &str) -> String {
    let name: String = header_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("APX_{name}")
}

/// `https://host:port` of a URL, or "" when it does not parse.
fn origin(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| crate::core::request::origin(&u))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CurlInput {
        CurlInput {
            method: "GET".into(),
            url: "https://10.0.0.1/api/monitoring/serialnumber".into(),
            headers: vec![Header::new("User-Agent", "REST API Agent")],
            body: None,
            user: Some("admin".into()),
            auth: AuthMode::None,
            platform: Platform::Asa,
            trust: Trust::Verify,
            pinned_key: None,
        }
    }

    #[test]
    fn plain_get() {
        assert_eq!(
            export_curl(&input()).unwrap(),
            "curl --globoff https://10.0.0.1/api/monitoring/serialnumber \\\n  -H 'User-Agent: REST API Agent'"
        );
    }

    #[test]
    fn token_auth_uses_the_platform_header() {
        let mut i = input();
        i.auth = AuthMode::Token;
        i.platform = Platform::Fxos;
        let out = export_curl(&i).unwrap();
        assert!(out.starts_with("# FXOS: log in"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[2].starts_with("APX_TOKEN=$(printf "), "{out}");
        assert!(
            out.contains(
                "\nprintf '%s\\n' 'TOKEN: '\"$APX_TOKEN\" | curl --globoff -H @- https://"
            ),
            "{out}"
        );
        assert!(
            lines
                .last()
                .unwrap()
                .ends_with(" https://10.0.0.1/api/logout"),
            "{out}"
        );
        i.platform = Platform::Generic;
        assert!(!export_curl(&i).unwrap().contains("APX_TOKEN"));
    }

    #[test]
    fn methods_and_empty_headers() {
        let mut i = input();
        i.method = "head".into();
        assert!(export_curl(&i).unwrap().contains("curl --globoff -I "));
        i.method = "GET".into();
        i.body = Some("x".into());
        i.headers = vec![Header::new("X-Empty", "")];
        let out = export_curl(&i).unwrap();
        assert!(out.contains("-X GET "), "{out}");
        assert!(out.contains("-H 'X-Empty;'"), "{out}");
        assert!(out.contains("-H 'Content-Type:'"), "{out}");
    }

    #[test]
    fn credential_headers_come_from_variables_of_safe_names() {
        let mut i = input();
        i.headers = vec![
            Header::new("X-Auth-Token", "literal-secret"),
            Header::new("`id`$x'-Api-Key", "s"),
            Header::new("0-Token", "s"),
        ];
        let out = export_curl(&i).unwrap();
        assert!(!out.contains("literal-secret"), "{out}");
        assert!(
            out.contains("'X-Auth-Token: '\"$APX_X_AUTH_TOKEN\""),
            "{out}"
        );
        assert!(
            out.contains(r#"'`id`$x'\''-Api-Key: '"$APX__ID__X__API_KEY""#),
            "{out}"
        );
        assert!(out.contains("'0-Token: '\"$APX_0_TOKEN\""), "{out}");
    }

    #[test]
    fn unsafe_input_is_refused() {
        for (name, value) in [
            ("X Token", "v"),
            ("X-$(id)", "v"),
            ("", "v"),
            ("X-A", "a\nb"),
        ] {
            let mut i = input();
            i.headers = vec![Header::new(name, value)];
            let err = export_curl(&i).unwrap_err();
            assert_eq!(err.kind.exit_code(), 2, "{name:?}");
            // A disabled header is not exported, so not checked.
            i.headers[0].enabled = false;
            assert!(export_curl(&i).is_ok(), "{name:?}");
        }
        let mut i = input();
        i.user = Some("admin\nX-Evil: 1".into());
        assert!(export_curl(&i).is_err());
        let mut i = input();
        i.body = Some("a\0b".into());
        assert!(export_curl(&i).is_err());
    }

    #[test]
    fn a_pin_becomes_a_public_key_pin_or_verification() {
        let mut i = input();
        i.trust = Trust::Pin {
            sha256: "AB:CD".into(),
        };
        let unknown = export_curl(&i).unwrap();
        assert!(!unknown.contains("-k"), "{unknown}");
        assert!(
            unknown.contains("`apx probe https://10.0.0.1`"),
            "{unknown}"
        );
        i.pinned_key = Some("q+/8=".into());
        let known = export_curl(&i).unwrap();
        assert!(
            known.contains("curl --globoff -k --pinnedpubkey sha256//q+/8= https://"),
            "{known}"
        );
        // A fingerprint from a hostile devices.json stays in its comment.
        i.trust = Trust::Pin {
            sha256: "AB\ntouch pwned".into(),
        };
        let out = export_curl(&i).unwrap();
        assert!(!out.lines().any(|l| l.starts_with("touch")), "{out}");
    }

    #[test]
    fn the_pinned_key_is_the_pinned_leafs() {
        let leaf = CertFacts {
            subject: String::new(),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            sha256: "AB:CD".into(),
            san: Vec::new(),
            self_signed: true,
            is_ca: false,
            spki_sha256: "KEY=".into(),
            not_before_unix: 0,
            not_after_unix: 0,
        };
        let pin = |sha256: &str| Trust::Pin {
            sha256: sha256.into(),
        };
        assert_eq!(pinned_key(&pin("AB:CD"), &leaf).as_deref(), Some("KEY="));
        assert_eq!(pinned_key(&pin("AB:CE"), &leaf), None);
        assert_eq!(pinned_key(&Trust::Insecure, &leaf), None);
    }
}
