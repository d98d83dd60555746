//! Firepower Management Center REST API: a Basic login answered with
//! `X-auth-access-token`, `X-auth-refresh-token`, `DOMAIN_UUID` and `DOMAINS`
//! headers; 30-minute tokens refreshed at most 3 times; `{domainUUID}` in
//! paths; `{"error": {category, messages: [{description}], severity}}` bodies.

use std::time::Duration;

use serde_json::Value;

use super::tokens::{Domain, Tokens};
use super::{FlowRequest, header_value};
use crate::core::error::{DecodedBody, ErrorFormat};
use crate::core::secret::Secret;

/// How long an access token lives (the FMC REST API quick start guide).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How many times one login's token may be refreshed.
pub const MAX_REFRESHES: u32 = 3;
/// Requests the FMC accepts per minute from one client before it answers 429.
pub const REQUESTS_PER_MINUTE: usize = 120;
/// The most `DOMAINS` entries kept from a login answer.
const MAX_DOMAINS: usize = 1024;

pub const LOGIN_PATH: &str = "/api/fmc_platform/v1/auth/generatetoken";
pub const REFRESH_PATH: &str = "/api/fmc_platform/v1/auth/refreshtoken";
pub const REVOKE_PATH: &str = "/api/fmc_platform/v1/auth/revokeaccess";

/// `POST generatetoken` with Basic credentials and no body.
pub fn login_request() -> FlowRequest {
    FlowRequest {
        method: "POST",
        path: LOGIN_PATH.into(),
        headers: Vec::new(),
        body: None,
        basic: true,
    }
}

/// `POST refreshtoken` carrying both tokens.
pub fn refresh_request(tokens: &Tokens) -> Option<FlowRequest> {
    Some(FlowRequest {
        method: "POST",
        path: REFRESH_PATH.into(),
        headers: vec![
            ("X-auth-access-token".into(), tokens.access.clone()),
            ("X-auth-refresh-token".into(), tokens.refresh.clone()?),
        ],
        body: None,
        basic: false,
    })
}

/// `POST revokeaccess` with the access token.
pub fn logout_request(tokens: &Tokens) -> FlowRequest {
    FlowRequest {
        method: "POST",
        path: REVOKE_PATH.into(),
        headers: vec![("X-auth-access-token".into(), tokens.access.clone())],
        body: None,
        basic: false,
    }
}

/// The tokens and domains of a `generatetoken` or `refreshtoken` answer.
pub fn tokens_from_headers(headers: &[(String, String)]) -> Option<Tokens> {
    let access = header_value(headers, "x-auth-access-token").filter(|t| !t.is_empty())?;
    let refresh = header_value(headers, "x-auth-refresh-token").filter(|t| !t.is_empty());
    Some(Tokens {
        access: Secret::new(access),
        refresh: refresh.map(Secret::new),
        lifetime: Some(TOKEN_LIFETIME),
        domain_uuid: header_value(headers, "domain_uuid")
            .map(str::trim)
            .filter(|d| is_uuid_like(d))
            .map(str::to_string),
        domains: header_value(headers, "domains")
            .map(parse_domains)
            .unwrap_or_default(),
    })
}

/// `DOMAINS`: a JSON list of `{"name", "uuid"}`; entries of another shape are skipped.
pub fn parse_domains(text: &str) -> Vec<Domain> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let text = |key: &str| item.get(key)?.as_str().map(str::to_string);
            Some(Domain {
                name: text("name")?,
                uuid: text("uuid").filter(|u| is_uuid_like(u))?,
            })
        })
        .take(MAX_DOMAINS)
        .collect()
}

/// Whether a domain uuid from the appliance may go into a path: hex digits
/// and dashes, at most 64 (anything else, a `/` or `?` say, is dropped).
fn is_uuid_like(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The spellings of the domain placeholder in a URL: the API reference's
/// `{domainUUID}` and the variable `{{domainUUID}}`, as typed or as a URL
/// parser percent-encodes them.
const PLACEHOLDERS: [&str; 4] = [
    "{{domainUUID}}",
    "%7B%7BdomainUUID%7D%7D",
    "{domainUUID}",
    "%7BdomainUUID%7D",
];

/// `text` with every domain placeholder replaced by `uuid`.
pub fn fill_domain(text: &str, uuid: &str) -> String {
    let mut out = text.to_string();
    for placeholder in PLACEHOLDERS {
        out = replace_ignore_case(&out, placeholder, uuid);
    }
    out
}

/// Whether `text` holds a domain placeholder.
pub fn has_domain_placeholder(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    PLACEHOLDERS
        .iter()
        .any(|p| lower.contains(&p.to_ascii_lowercase()))
}

/// Replaces `needle` (ASCII, any case) in `text`.
fn replace_ignore_case(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Decodes `{"error": {"category", "messages": [{"description"}], "severity"}}`:
/// the first description is the message, the others and the category and
/// severity are details.
pub fn decode(value: &Value) -> Option<DecodedBody> {
    let error = value.get("error")?.as_object()?;
    let messages = error.get("messages")?.as_array()?;
    let descriptions: Vec<String> = messages
        .iter()
        .filter_map(|m| m.get("description")?.as_str().map(str::to_string))
        .collect();
    let (message, rest) = descriptions.split_first()?;
    let mut details: Vec<String> = rest.to_vec();
    for key in ["category", "severity"] {
        if let Some(v) = error.get(key).and_then(Value::as_str) {
            details.push(format!("{key}: {v}"));
        }
    }
    Some(DecodedBody {
        format: ErrorFormat::Fmc,
        code: None,
        message: message.clone(),
        details,
    })
}

pub fn status_hint(status: u16, during_login: bool) -> Option<String> {
    let hint = match status {
        401 if during_login => {
            "The FMC refused the login: check the username and password, and that the user's role may use the REST API."
        }
        401 => {
            "The FMC no longer accepts this session's token. Logging into the FMC web UI with the same user ends that user's API session: use a dedicated API user."
        }
        403 => "This FMC user's role may not perform the operation, or not in this domain.",
        404 => {
            "No such resource: check the path (and the domain UUID in it) against the FMC API explorer (/api/api-explorer)."
        }
        422 => "The FMC rejected the object: the messages name the field at fault.",
        429 => {
            "The FMC allows 120 requests a minute: apx waited and retried; raise --retries or slow down."
        }
        _ => return None,
    };
    Some(hint.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn h(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn reads_tokens_and_domains_from_headers() {
        let headers = vec![
            h("X-auth-access-token", "acc"),
            h("X-auth-refresh-token", "ref"),
            h("DOMAIN_UUID", "e276abec-e0f2-11e3-8169-6d9ed49b625f"),
            h(
                "DOMAINS",
                r#"[{"name":"Global","uuid":"0a-1"},{"name":"Global/Lab","uuid":"0b-2"},{"bad":1}]"#,
            ),
        ];
        let t = tokens_from_headers(&headers).unwrap();
        assert_eq!(t.access.expose(), "acc");
        assert_eq!(t.refresh.as_ref().map(Secret::expose), Some("ref"));
        assert_eq!(t.lifetime, Some(TOKEN_LIFETIME));
        assert_eq!(
            t.domain_uuid.as_deref(),
            Some("e276abec-e0f2-11e3-8169-6d9ed49b625f")
        );
        assert_eq!(t.domains.len(), 2);
        assert_eq!(t.domains[1].name, "Global/Lab");
        assert!(tokens_from_headers(&[h("X-auth-access-token", "")]).is_none());
        assert!(parse_domains("not json").is_empty());
        assert!(parse_domains(r#"[{"name":"x","uuid":"../../evil?"}]"#).is_empty());
        let hostile = tokens_from_headers(&[
            h("X-auth-access-token", "acc"),
            h("DOMAIN_UUID", "abc/../x"),
        ])
        .unwrap();
        assert_eq!(hostile.domain_uuid, None);
    }

    #[test]
    fn refresh_carries_both_tokens() {
        let t = tokens_from_headers(&[
            h("X-auth-access-token", "acc"),
            h("X-auth-refresh-token", "ref"),
        ])
        .unwrap();
        let r = refresh_request(&t).unwrap();
        assert_eq!(r.path, REFRESH_PATH);
        let names: Vec<_> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["X-auth-access-token", "X-auth-refresh-token"]);
        assert_eq!(logout_request(&t).path, REVOKE_PATH);
    }

    #[test]
    fn fills_every_spelling_of_the_domain() {
        let uuid = "abc-123";
        for path in [
            "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
            "/api/fmc_config/v1/domain/{{domainUUID}}/object/networks",
            "/api/fmc_config/v1/domain/%7BdomainUUID%7D/object/networks",
            "/api/fmc_config/v1/domain/%7b%7bdomainUUID%7d%7d/object/networks",
        ] {
            assert!(has_domain_placeholder(path), "{path}");
            assert_eq!(
                fill_domain(path, uuid),
                "/api/fmc_config/v1/domain/abc-123/object/networks"
            );
        }
        assert!(!has_domain_placeholder("/api/fmc_config/v1/domain/x"));
    }

    #[test]
    fn decodes_error_body() {
        let v = json!({"error":{"category":"FRAMEWORK","messages":[{"description":"User authentication failed."},{"description":"second"}],"severity":"ERROR"}});
        let d = decode(&v).unwrap();
        assert_eq!(d.format, ErrorFormat::Fmc);
        assert_eq!(d.code, None);
        assert_eq!(d.message, "User authentication failed.");
        assert_eq!(
            d.details,
            vec!["second", "category: FRAMEWORK", "severity: ERROR"]
        );
        assert!(decode(&json!({"error":{"messages":[]}})).is_none());
        assert!(decode(&json!({"error":{"message":"x"}})).is_none());
    }

    #[test]
    fn the_401_hint_names_the_web_ui() {
        assert!(status_hint(401, false).unwrap().contains("web UI"));
    }
}
