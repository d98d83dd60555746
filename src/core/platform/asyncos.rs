//! AsyncOS API (WSA, SMA, ESA): JWT login with base64 credentials,
//! `jwtToken` header refreshes, `{"error":{message, code, explanation}}` bodies,
//! and the two-factor login at `/login/two_factor`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::FlowRequest;
use crate::core::error::{DecodedBody, ErrorFormat};
use crate::core::secret::Secret;

/// `POST {base}/login` with `{"data":{"userName": b64, "passphrase": b64}}`.
pub fn login_request(base: &str, user: &str, password: &Secret) -> FlowRequest {
    credentials_request(format!("{base}/login"), user, password)
}

/// `POST {base}/login/two_factor`: the guide gives the one body shape for
/// both logins, the passcode in `passphrase`, base64-encoded.
pub fn two_factor_request(base: &str, user: &str, passcode: &Secret) -> FlowRequest {
    credentials_request(format!("{base}/login/two_factor"), user, passcode)
}

/// Whether a login answer asks for a second factor:
/// `data.is2FactorRedirectRequired` as JSON `true` or the string `"true"`.
pub fn second_factor_required(body: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    match value
        .get("data")
        .and_then(|d| d.get("is2FactorRedirectRequired"))
    {
        Some(Value::Bool(required)) => *required,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn credentials_request(path: String, user: &str, secret: &Secret) -> FlowRequest {
    let body = json!({"data": {
        "userName": STANDARD.encode(user),
        "passphrase": STANDARD.encode(secret.expose()),
    }});
    FlowRequest {
        method: "POST",
        path,
        headers: vec![("Content-Type".into(), Secret::new("application/json"))],
        body: Some(body.to_string().into_bytes()),
        basic: false,
    }
}

/// `data.jwtToken` of the login answer.
pub fn token_from_body(body: &[u8]) -> Option<Secret> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value
        .get("data")?
        .get("jwtToken")?
        .as_str()
        .filter(|t| !t.is_empty())
        .map(Secret::new)
}

pub fn decode(value: &Value) -> Option<DecodedBody> {
    let error = value.get("error")?.as_object()?;
    let text = |key: &str| match error.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let message = text("message")?;
    let details = text("explanation").into_iter().collect();
    Some(DecodedBody {
        format: ErrorFormat::Asyncos,
        code: text("code"),
        message,
        details,
    })
}

/// The largest answer [`nothing_matched`] looks into: "nothing matched" is
/// a few bytes; a large body always holds records.
const MAX_EMPTY_ANSWER: usize = 64 * 1024;

/// Whether an answer says the query matched no records. The guide: "If the
/// message body contains empty braces ({}), it means that the API could not
/// find any records matching the query" — the whole body, its `data`, or
/// `data.resultSet` empty (`meta.totalCount` is -1 there, as for every query
/// that is not a table, so it is no count of matches).
pub fn nothing_matched(body: &[u8]) -> bool {
    if body.len() > MAX_EMPTY_ANSWER {
        return false;
    }
    let Ok(Value::Object(answer)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let empty = |v: &Value| match v {
        Value::Object(o) => o.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    let data = answer.get("data");
    answer.is_empty()
        || data.is_some_and(empty)
        || data.and_then(|d| d.get("resultSet")).is_some_and(empty)
}

pub fn status_hint(status: u16, during_login: bool) -> Option<String> {
    let hint = match status {
        401 if during_login => {
            "The appliance refused the login: check the username and password (sent base64-encoded) and that the account's role may use the AsyncOS API."
        }
        401 => {
            "No valid credentials or jwtToken: the JWT may have expired with the user inactivity timeout; log in again."
        }
        403 => "This user role may not query this resource.",
        404 => {
            "Nothing matches the URI: check the counter name and that every query attribute is one the resource accepts (names are case sensitive)."
        }
        400 => {
            "Bad request: reporting queries need startDate and endDate (e.g. 2024-01-30T00:00:00.000Z) and, on SMA, device_type."
        }
        406 => "AsyncOS requires `Accept: application/json`.",
        503 => {
            "The AsyncOS API is unavailable: check it is enabled on this interface (`interfaceconfig`, ports 6443/6080)."
        }
        _ => return None,
    };
    Some(hint.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_body_is_base64() {
        let req = login_request("/wsa/api/v2.0", "admin", &Secret::new("ironport"));
        assert_eq!(req.path, "/wsa/api/v2.0/login");
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["data"]["userName"], "YWRtaW4=");
        assert_eq!(body["data"]["passphrase"], "aXJvbnBvcnQ=");
    }

    #[test]
    fn two_factor_body_carries_the_passcode_base64() {
        let req = two_factor_request("/esa/api/v2.0", "admin", &Secret::new("123456"));
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/esa/api/v2.0/login/two_factor");
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["data"]["userName"], "YWRtaW4=");
        assert_eq!(body["data"]["passphrase"], "MTIzNDU2");
    }

    #[test]
    fn second_factor_is_asked_by_string_or_boolean_true() {
        let answer = |flag: Value| {
            json!({"data": {"userName": "admin", "is2FactorRedirectRequired": flag}}).to_string()
        };
        assert!(second_factor_required(answer(json!(true)).as_bytes()));
        assert!(second_factor_required(answer(json!("true")).as_bytes()));
        assert!(second_factor_required(answer(json!("True")).as_bytes()));
        assert!(!second_factor_required(answer(json!(false)).as_bytes()));
        assert!(!second_factor_required(answer(json!("false")).as_bytes()));
        assert!(!second_factor_required(answer(json!(1)).as_bytes()));
        assert!(!second_factor_required(br#"{"data":{"jwtToken":"x"}}"#));
        assert!(!second_factor_required(
            br#"{"is2FactorRedirectRequired":true}"#
        ));
        assert!(!second_factor_required(b"not json"));
    }

    #[test]
    fn empty_braces_mean_nothing_matched() {
        assert!(nothing_matched(b"{}"));
        assert!(nothing_matched(b" { } "));
        assert!(nothing_matched(
            br#"{"meta": {"totalCount": -1}, "data": {}}"#
        ));
        assert!(nothing_matched(
            br#"{"meta": {"totalCount": -1}, "data": {"type": "web_top_users", "resultSet": []}}"#
        ));
        assert!(nothing_matched(br#"{"data": {"resultSet": {}}}"#));
        // -1 is the default count of every summary, which has records.
        assert!(!nothing_matched(
            br#"{"meta": {"totalCount": -1}, "data": {"resultSet": {"total": 3}}}"#
        ));
        assert!(!nothing_matched(br#"{"data": {"jwtToken": "x"}}"#));
        assert!(!nothing_matched(b"[]"));
        assert!(!nothing_matched(b""));
        assert!(!nothing_matched(b"not json"));
        let big = format!(
            r#"{{"data": {{}}, "pad": "{}"}}"#,
            "x".repeat(MAX_EMPTY_ANSWER)
        );
        assert!(!nothing_matched(big.as_bytes()));
    }

    #[test]
    fn decodes_error_body() {
        let v = json!({"error": {"message": "Unexpected attribute - starts_with.", "code": "404", "explanation": "404 = Nothing matches the given URI."}});
        let d = decode(&v).unwrap();
        assert_eq!(d.code.as_deref(), Some("404"));
        assert_eq!(d.message, "Unexpected attribute - starts_with.");
        assert_eq!(d.details, vec!["404 = Nothing matches the given URI."]);
    }
}
