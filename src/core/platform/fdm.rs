//! Firepower Device Manager (the FTD's on-box REST API): an OAuth password
//! grant at `/api/fdm/latest/fdm/token`, `Authorization: Bearer`, refresh and
//! revoke grants at the same endpoint, `--api-version` in place of `latest`,
//! `{"error": {severity, key, messages: [{description, code, location}]}}`
//! bodies and the token endpoint's `{"message", "status_code"}`.

use std::time::Duration;

use serde_json::{Value, json};

use super::FlowRequest;
use super::tokens::Tokens;
use crate::core::error::{DecodedBody, ErrorFormat, Failure};
use crate::core::secret::Secret;

pub const TOKEN_PATH: &str = "/api/fdm/latest/fdm/token";
/// The path prefix `--api-version` rewrites.
const LATEST: &str = "/api/fdm/latest/";
/// The longest `expires_in` believed (a day): a token is refreshed before then.
const MAX_LIFETIME: u64 = 86_400;

fn token_request(body: Value) -> FlowRequest {
    FlowRequest {
        method: "POST",
        path: TOKEN_PATH.into(),
        headers: vec![("Content-Type".into(), Secret::new("application/json"))],
        body: Some(body.to_string().into_bytes()),
        basic: false,
    }
}

/// `{"grant_type": "password", "username", "password"}`.
pub fn login_request(user: &str, password: &Secret) -> FlowRequest {
    token_request(json!({
        "grant_type": "password",
        "username": user,
        "password": password.expose(),
    }))
}

/// `{"grant_type": "refresh_token", "refresh_token"}`.
pub fn refresh_request(tokens: &Tokens) -> Option<FlowRequest> {
    let refresh = tokens.refresh.as_ref()?;
    Some(token_request(json!({
        "grant_type": "refresh_token",
        "refresh_token": refresh.expose(),
    })))
}

/// `{"grant_type": "revoke_token", "access_token", "token_to_revoke"}`,
/// revoking the access token (the appliance ends its refresh token with it).
pub fn logout_request(tokens: &Tokens) -> FlowRequest {
    token_request(json!({
        "grant_type": "revoke_token",
        "access_token": tokens.access.expose(),
        "token_to_revoke": tokens.access.expose(),
    }))
}

/// The `access_token`, `refresh_token` and `expires_in` of a token answer.
pub fn tokens_from_body(body: &[u8]) -> Option<Tokens> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let text = |key: &str| {
        value
            .get(key)?
            .as_str()
            .filter(|t| !t.is_empty())
            .map(Secret::new)
    };
    let lifetime = value
        .get("expires_in")
        .and_then(Value::as_u64)
        .map(|s| Duration::from_secs(s.min(MAX_LIFETIME)));
    Some(Tokens {
        access: text("access_token")?,
        refresh: text("refresh_token"),
        lifetime,
        domain_uuid: None,
        domains: Vec::new(),
    })
}

/// Checks a `--api-version` value: `v6`, `v7`, `latest`, … (letters,
/// digits, `.`, `_` and `-`, at most 16).
pub fn check_api_version(version: &str) -> Result<(), Failure> {
    let ok = !version.is_empty()
        && version.len() <= 16
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(
            format!("invalid API version {version:?}"),
            "Give the version as it appears in FDM paths, e.g. v6 or latest.",
        ))
    }
}

/// `path` with `/api/fdm/latest/` naming `version` instead.
pub fn with_api_version(path: &str, version: &str) -> String {
    match path.find(LATEST) {
        Some(at) => format!(
            "{}/api/fdm/{version}/{}",
            &path[..at],
            &path[at + LATEST.len()..]
        ),
        None => path.to_string(),
    }
}

/// Decodes the API's `{"error": {"severity", "key", "messages": [...]}}`
/// and the token endpoint's `{"message", "status_code"}`.
pub fn decode(value: &Value) -> Option<DecodedBody> {
    if let Some(error) = value.get("error").and_then(Value::as_object) {
        let messages = error.get("messages")?.as_array()?;
        let text = |m: &Value, key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
        let first = messages.first()?;
        let message = text(first, "description")?;
        let mut details = Vec::new();
        if let Some(location) = text(first, "location") {
            details.push(format!("location: {location}"));
        }
        for m in &messages[1..] {
            let mut line = text(m, "description").unwrap_or_default();
            if let Some(code) = text(m, "code") {
                line = format!("{code}: {line}");
            }
            if let Some(location) = text(m, "location") {
                line.push_str(&format!(" (location: {location})"));
            }
            details.push(line.trim().to_string());
        }
        for key in ["key", "severity"] {
            if let Some(v) = error.get(key).and_then(Value::as_str) {
                details.push(format!("{key}: {v}"));
            }
        }
        return Some(DecodedBody {
            format: ErrorFormat::Fdm,
            code: text(first, "code"),
            message,
            details,
        });
    }
    let message = value.get("message")?.as_str()?;
    value.get("status_code")?.as_u64()?;
    Some(DecodedBody {
        format: ErrorFormat::Fdm,
        code: None,
        message: message.to_string(),
        details: Vec::new(),
    })
}

pub fn status_hint(status: u16, during_login: bool) -> Option<String> {
    let hint = match status {
        400 | 401 if during_login => {
            "FDM refused the login: check the username and password (a local FDM user or one its external authentication accepts)."
        }
        401 => {
            "FDM no longer accepts this access token: it expired or was revoked. apx refreshes once and retries; log in again if that fails."
        }
        403 => "This FDM user's role may not perform the operation.",
        404 => {
            "No such resource: check the path and the API version (--api-version) against the FDM API explorer (/#/api-explorer)."
        }
        422 => {
            "FDM rejected the object: the message names the field at fault (location) and why (code)."
        }
        429 => "FDM is throttling requests: apx waited and retried; raise --retries or slow down.",
        _ => return None,
    };
    Some(hint.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(req: &FlowRequest) -> Value {
        serde_json::from_slice(req.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn grants_are_json_bodies() {
        let login = login_request("admin", &Secret::new("pw\"1"));
        assert_eq!(login.path, TOKEN_PATH);
        assert_eq!(
            body(&login),
            json!({"grant_type":"password","username":"admin","password":"pw\"1"})
        );
        let tokens = tokens_from_body(
            br#"{"access_token":"a","refresh_token":"r","expires_in":1800,"refresh_expires_in":2400,"token_type":"Bearer"}"#,
        )
        .unwrap();
        assert_eq!(tokens.lifetime, Some(Duration::from_secs(1800)));
        assert_eq!(
            body(&refresh_request(&tokens).unwrap()),
            json!({"grant_type":"refresh_token","refresh_token":"r"})
        );
        assert_eq!(
            body(&logout_request(&tokens)),
            json!({"grant_type":"revoke_token","access_token":"a","token_to_revoke":"a"})
        );
        assert!(tokens_from_body(br#"{"access_token":""}"#).is_none());
    }

    #[test]
    fn api_version_replaces_latest() {
        assert_eq!(
            with_api_version("/api/fdm/latest/object/networks?limit=5", "v6"),
            "/api/fdm/v6/object/networks?limit=5"
        );
        assert_eq!(
            with_api_version("/apispec/ngfw.json", "v6"),
            "/apispec/ngfw.json"
        );
        assert!(check_api_version("v6").is_ok());
        assert!(check_api_version("../x").is_err());
        assert!(check_api_version("").is_err());
    }

    #[test]
    fn decodes_both_shapes() {
        let v = json!({"error":{"severity":"ERROR","key":"Validation","messages":[
            {"description":"Validation failed due to a duplicate name: \"NET1\"","code":"duplicateName","location":"name"},
            {"description":"second","code":"other"}]}});
        let d = decode(&v).unwrap();
        assert_eq!(d.format, ErrorFormat::Fdm);
        assert_eq!(d.code.as_deref(), Some("duplicateName"));
        assert_eq!(
            d.message,
            "Validation failed due to a duplicate name: \"NET1\""
        );
        assert_eq!(
            d.details,
            vec![
                "location: name",
                "other: second",
                "key: Validation",
                "severity: ERROR"
            ]
        );
        let t =
            decode(&json!({"message":"Failed to authenticate user","status_code":400})).unwrap();
        assert_eq!(
            (t.message.as_str(), t.code),
            ("Failed to authenticate user", None)
        );
        assert!(decode(&json!({"message":"no status code"})).is_none());
    }
}
