//! Firepower FXOS REST API: `/api/login` with credential headers, the `TOKEN`
//! header, `{error-code, error-description, error-nr}` bodies.

use std::time::Duration;

use serde_json::Value;

use super::FlowRequest;
use super::tokens::Tokens;
use crate::core::error::{DecodedBody, ErrorFormat};
use crate::core::secret::Secret;

/// `POST /api/login` with `username` and `password` headers, sent as typed
/// (FXOS refuses URL-encoded passwords).
pub fn login_request(user: &str, password: &Secret) -> FlowRequest {
    FlowRequest {
        method: "POST",
        path: "/api/login".into(),
        headers: vec![
            ("username".into(), Secret::new(user)),
            ("password".into(), password.clone()),
        ],
        body: None,
        basic: false,
    }
}

pub fn logout_request(token: &Secret) -> FlowRequest {
    FlowRequest {
        method: "POST",
        path: "/api/logout".into(),
        headers: vec![("TOKEN".into(), token.clone())],
        body: None,
        basic: false,
    }
}

/// The longest `refreshPeriod` taken as given (a day); more is a day.
const MAX_REFRESH_PERIOD: u64 = 86_400;

/// The `token` and `refreshPeriod` of `{"refreshPeriod": "...", "token":
/// "..."}`: the token lapses after that many seconds, so the session logs
/// in again before then; `"0"` (the guide's example) or none: it does not.
pub fn tokens_from_body(body: &[u8]) -> Option<Tokens> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let access = value
        .get("token")?
        .as_str()
        .filter(|t| !t.is_empty())
        .map(Secret::new)?;
    let seconds = match value.get("refreshPeriod") {
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    Some(Tokens {
        lifetime: seconds
            .filter(|s| *s > 0)
            .map(|s| Duration::from_secs(s.min(MAX_REFRESH_PERIOD))),
        ..Tokens::access(access)
    })
}

fn error_code(value: &Value) -> Option<String> {
    match value.get("error-code")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// 552 "Authorization required" means the token is invalid or expired.
pub fn token_rejected(status: u16, body: &[u8]) -> bool {
    status == 552
        || serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| error_code(&v))
            .is_some_and(|c| c == "552")
}

pub fn decode(value: &Value) -> Option<DecodedBody> {
    let code = error_code(value)?;
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    let description = text("error-description");
    let mut details = Vec::new();
    if let Some(nr) = text("error-nr") {
        details.push(format!("error-nr: {nr}"));
    }
    Some(DecodedBody {
        format: ErrorFormat::Fxos,
        message: description.unwrap_or_else(|| format!("FXOS error {code}")),
        code: Some(code),
        details,
    })
}

pub fn status_hint(status: u16, during_login: bool) -> Option<String> {
    let hint = match status {
        400 if during_login => {
            "FXOS refused the login (551): check the username and password; the password must be sent as typed, not URL-encoded."
        }
        400 => {
            "FXOS rejected the request: 551 means the login failed, 552 that the TOKEN is missing or expired (log in again); otherwise check the path and body."
        }
        403 => "Permission denied: this FXOS user's role may not perform the operation.",
        404 => "The object was not found: check the path against the FXOS REST API reference.",
        405 => "This FXOS resource does not support the method.",
        406 => "FXOS requires `Accept: application/json` on every request.",
        415 => {
            "FXOS requires `Content-Type: application/json` on JSON bodies (`multipart/binary` for bundle uploads)."
        }
        555 => {
            "No session was found for this TOKEN: it has expired or was logged out. Log in again."
        }
        552 => "The TOKEN is missing or no longer valid: log in again with POST /api/login.",
        500 => {
            "FXOS hit an internal error while serving the request; check the chassis, then retry."
        }
        _ => return None,
    };
    Some(hint.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_error_body() {
        let v = json!({"error-code":"551","error-description":"Authentication failed","error-nr":"unidentified-fail"});
        let d = decode(&v).unwrap();
        assert_eq!(d.code.as_deref(), Some("551"));
        assert_eq!(d.message, "Authentication failed");
        assert_eq!(d.details, vec!["error-nr: unidentified-fail"]);
    }

    #[test]
    fn recognises_invalid_token() {
        assert!(token_rejected(400, br#"{"error-code":"552"}"#));
        assert!(!token_rejected(400, br#"{"error-code":"551"}"#));
        assert!(!token_rejected(400, b"not json"));
    }

    #[test]
    fn reads_login_token_and_refresh_period() {
        let t = tokens_from_body(br#"{"refreshPeriod":"0","token":"abc"}"#).unwrap();
        assert_eq!(t.access.expose(), "abc");
        assert_eq!(t.lifetime, None);
        let t = tokens_from_body(br#"{"refreshPeriod":"600","token":"abc"}"#).unwrap();
        assert_eq!(t.lifetime, Some(Duration::from_secs(600)));
        let t = tokens_from_body(br#"{"refreshPeriod":7200,"token":"abc"}"#).unwrap();
        assert_eq!(t.lifetime, Some(Duration::from_secs(7200)));
        let t = tokens_from_body(br#"{"refreshPeriod":"99999999","token":"abc"}"#).unwrap();
        assert_eq!(t.lifetime, Some(Duration::from_secs(86_400)));
        let t = tokens_from_body(br#"{"refreshPeriod":"soon","token":"abc"}"#).unwrap();
        assert_eq!(t.lifetime, None);
        assert!(tokens_from_body(br#"{"token":""}"#).is_none());
        assert!(tokens_from_body(br#"{"refreshPeriod":"600"}"#).is_none());
    }
}
