//! A resolved request → a `curl` command line a person can paste into a
//! POSIX shell. Credentials appear only as shell variables
//! (`"$APX_PASSWORD"`, and `$APX_TOKEN` set by the exported login), never
//! inline.

use super::curl_login::token_steps;
use super::shell_words::{double_quote_inner, quote};
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::{Header, is_credential_header};
use crate::core::tls::Trust;

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
}

/// The curl command line: leading `#` comments where curl cannot do what
/// apx does, then `curl` with one option per continued line. With token
/// auth, the platform's login comes before it and its logout after.
pub fn export_curl(input: &CurlInput) -> String {
    let mut comments = Vec::new();
    let mut tls = Vec::new();
    match &input.trust {
        Trust::Verify => {}
        Trust::Ca { file } => {
            tls.push("--cacert".to_string());
            tls.push(quote(&file.display().to_string()));
        }
        Trust::Pin { sha256 } => {
            comments.push(format!(
                "# apx pins the leaf certificate SHA256 {sha256}; curl cannot pin a certificate fingerprint, so -k below skips verification"
            ));
            tls.push("-k".into());
        }
        Trust::Insecure => tls.push("-k".into()),
    }
    let mut first = vec!["curl".to_string()];
    first.extend(tls.iter().cloned());
    let user = input
        .user
        .as_deref()
        .map_or_else(|| "$APX_USER".to_string(), double_quote_inner);
    let mut lines = Vec::new();
    let mut steps = None;
    match input.auth {
        AuthMode::None => {}
        AuthMode::Basic => {
            first.push("-u".into());
            first.push(format!("\"{user}:$APX_PASSWORD\""));
        }
        AuthMode::Token => {
            let tls_words: String = tls.iter().map(|w| format!("{w} ")).collect();
            let origin = url::Url::parse(&input.url)
                .map(|u| crate::core::request::origin(&u))
                .unwrap_or_default();
            steps = token_steps(input.platform, &user, &origin, &tls_words);
            match (&steps, input.platform.token_header()) {
                (Some(steps), Some(name)) => {
                    comments.push(steps.comment.clone());
                    lines.push(format!("-H \"{}: $APX_TOKEN\"", double_quote_inner(name)));
                }
                _ => comments.push(format!(
                    "# token auth: the {} platform has no login flow; no credentials are sent",
                    input.platform
                )),
            }
        }
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
    first.push(quote(&input.url));
    let headers = input.headers.iter().filter(|h| h.enabled);
    let mut has_content_type = false;
    for header in headers {
        has_content_type |= header.name.eq_ignore_ascii_case("content-type");
        // `Name:` would make curl drop the header; `Name;` sends it empty.
        if is_credential_header(&header.name) && !header.value.is_empty() {
            // A credential travels as a shell variable, never inline.
            let var = header.name.to_ascii_uppercase().replace('-', "_");
            lines.push(format!("-H \"{}: $APX_{var}\"", header.name));
            continue;
        }
        let line = if header.value.is_empty() {
            format!("{};", header.name)
        } else {
            format!("{}: {}", header.name, header.value)
        };
        lines.push(format!("-H {}", quote(&line)));
    }
    if let Some(body) = body {
        if !has_content_type {
            // curl would add a form Content-Type that apx does not send.
            lines.push("-H 'Content-Type:'".into());
        }
        lines.push(format!("--data-raw {}", quote(body)));
    }
    let mut out = String::new();
    for comment in comments {
        out.push_str(&comment);
        out.push('\n');
    }
    if let Some(steps) = &steps {
        out.push_str(&steps.login);
        out.push('\n');
    }
    out.push_str(&first.join(" "));
    for line in lines {
        out.push_str(" \\\n  ");
        out.push_str(&line);
    }
    if let Some(logout) = steps.and_then(|s| s.logout) {
        out.push('\n');
        out.push_str(&logout);
    }
    out
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
        }
    }

    #[test]
    fn plain_get() {
        assert_eq!(
            export_curl(&input()),
            "curl https://10.0.0.1/api/monitoring/serialnumber \\\n  -H 'User-Agent: REST API Agent'"
        );
    }

    #[test]
    fn token_auth_uses_the_platform_header() {
        let mut i = input();
        i.auth = AuthMode::Token;
        i.platform = Platform::Fxos;
        let out = export_curl(&i);
        assert!(out.starts_with("# FXOS: log in"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with("APX_TOKEN=$(curl -s -X POST"), "{out}");
        assert!(out.contains("-H \"TOKEN: $APX_TOKEN\""), "{out}");
        assert!(
            lines
                .last()
                .unwrap()
                .ends_with(" https://10.0.0.1/api/logout"),
            "{out}"
        );
        i.platform = Platform::Generic;
        assert!(!export_curl(&i).contains("APX_TOKEN\""));
    }

    #[test]
    fn methods_and_empty_headers() {
        let mut i = input();
        i.method = "head".into();
        assert!(export_curl(&i).contains("curl -I "));
        i.method = "GET".into();
        i.body = Some("x".into());
        i.headers = vec![Header::new("X-Empty", "")];
        let out = export_curl(&i);
        assert!(out.contains("-X GET "), "{out}");
        assert!(out.contains("-H 'X-Empty;'"), "{out}");
        assert!(out.contains("-H 'Content-Type:'"), "{out}");
    }
}
