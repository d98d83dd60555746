//! Cisco ASA REST API: token service, `messages` error bodies, status hints.

use serde_json::Value;

use super::FlowRequest;
use crate::core::error::{DecodedBody, ErrorFormat};
use crate::core::secret::Secret;

/// `POST /api/tokenservices` with Basic credentials and an empty body; the
/// token comes back in the `X-Auth-Token` header of a 204.
pub fn login_request() -> FlowRequest {
    FlowRequest {
        method: "POST",
        path: "/api/tokenservices".into(),
        headers: Vec::new(),
        body: None,
        basic: true,
    }
}

/// `DELETE /api/tokenservices/TOKEN` (the URL holds the token: redact it).
pub fn logout_request(token: &Secret) -> FlowRequest {
    FlowRequest {
        method: "DELETE",
        path: format!("/api/tokenservices/{}", token.expose()),
        headers: vec![("X-Auth-Token".into(), token.clone())],
        body: None,
        basic: false,
    }
}

/// Decodes `{"messages":[{level, code, details, context}]}`, or one bare
/// `{code, details, context, level}` as the ASA guide prints an error
/// response (or a bare list of them); the first error-level message (else
/// the first) becomes the message.
pub fn decode(value: &Value) -> Option<DecodedBody> {
    let bare;
    let messages: &[Value] = match value {
        Value::Object(o) if o.contains_key("messages") => value["messages"].as_array()?,
        Value::Object(_) if is_message(value) => {
            bare = [value.clone()];
            &bare
        }
        Value::Array(list) if list.iter().all(is_message) => list,
        _ => return None,
    };
    if messages.is_empty() {
        return None;
    }
    let primary = messages
        .iter()
        .position(|m| text(m, "level").is_some_and(|l| l.eq_ignore_ascii_case("error")))
        .unwrap_or(0);
    let line = |m: &Value| {
        let mut s = String::new();
        if let Some(level) = text(m, "level") {
            s.push_str(&format!("[{level}] "));
        }
        if let Some(code) = text(m, "code") {
            s.push_str(&format!("{code}: "));
        }
        s.push_str(&text(m, "details").unwrap_or_default());
        if let Some(context) = text(m, "context") {
            s.push_str(&format!(" (context: {context})"));
        }
        s.trim_end().to_string()
    };
    let first = &messages[primary];
    let message = text(first, "details")
        .or_else(|| text(first, "code"))
        .unwrap_or_else(|| "ASA returned an error message".into());
    let mut details: Vec<String> = Vec::new();
    if let Some(context) = text(first, "context") {
        details.push(format!("context: {context}"));
    }
    details.extend(
        messages
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != primary)
            .map(|(_, m)| line(m)),
    );
    Some(DecodedBody {
        format: ErrorFormat::Asa,
        code: text(first, "code"),
        message,
        details,
    })
}

/// The text of a message's field; a number (some agents send `code` as
/// one) as its digits.
fn text(m: &Value, key: &str) -> Option<String> {
    match m.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether a bare object is an ASA message: a `level` and a `code` or
/// `details` (other platforms' bodies have neither `level` nor both).
fn is_message(m: &Value) -> bool {
    m.is_object()
        && text(m, "level").is_some()
        && (text(m, "code").is_some() || text(m, "details").is_some())
}

pub fn status_hint(status: u16, during_login: bool) -> Option<String> {
    let hint = match status {
        401 if during_login => {
            "The ASA refused the login: check the username and password, and that `aaa authentication http console` covers this account."
        }
        401 => {
            "Credentials or token refused: check the password, and the account's privilege level (3 for monitoring, 5 for GET requests, 15 for changes)."
        }
        403 => {
            "The account lacks the privilege for this: level 3 allows monitoring, 5 GET requests, 15 configuration changes."
        }
        503 if during_login => {
            "The ASA has no free REST session: the 25 sessions per context are in use. Log out idle sessions (DELETE /api/tokenservices/TOKEN) or wait for them to expire."
        }
        503 => {
            "The REST agent is unavailable: check `rest-api agent` is enabled and the image installed (`rest-api image disk0:/...`)."
        }
        404 => {
            "No such resource on this ASA: check the path against the ASA's built-in API documentation (https://<asa>/doc)."
        }
        400 => {
            "The ASA rejected the request: the message and context name the attribute at fault. Every call needs `User-Agent: REST API Agent`."
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
    fn decodes_error_and_keeps_warnings() {
        let body = json!({"messages":[
            {"level":"Warning","code":"W1","details":"careful"},
            {"level":"Error","code":"DUPLICATE","context":"objectId","details":"Object exists"}
        ]});
        let d = decode(&body).unwrap();
        assert_eq!(d.code.as_deref(), Some("DUPLICATE"));
        assert_eq!(d.message, "Object exists");
        assert_eq!(
            d.details,
            vec!["context: objectId", "[Warning] W1: careful"]
        );
    }

    #[test]
    fn decodes_the_bare_object_the_guide_prints() {
        let body = json!({"code": "RESOURCE-NOT-FOUND", "details": "Object web-9 not found", "context": "objectId", "level": "Error"});
        let d = decode(&body).unwrap();
        assert_eq!(d.format, ErrorFormat::Asa);
        assert_eq!(d.code.as_deref(), Some("RESOURCE-NOT-FOUND"));
        assert_eq!(d.message, "Object web-9 not found");
        assert_eq!(d.details, vec!["context: objectId"]);

        let numeric = decode(&json!({"code": 551, "level": "Error"})).unwrap();
        assert_eq!(numeric.code.as_deref(), Some("551"));
        assert_eq!(numeric.message, "551");

        let list = json!([
            {"level": "Info", "code": "I1", "details": "fyi"},
            {"level": "Error", "code": "E1", "details": "broken"}
        ]);
        let d = decode(&list).unwrap();
        assert_eq!(d.message, "broken");
        assert_eq!(d.details, vec!["[Info] I1: fyi"]);
    }

    #[test]
    fn ignores_other_shapes() {
        assert!(decode(&json!({"code": "x", "details": "no level"})).is_none());
        assert!(decode(&json!({"level": "Error"})).is_none());
        assert!(decode(&json!([1, 2])).is_none());
        assert!(decode(&json!([])).is_none());
        assert!(decode(&json!({"error":{"message":"x"}})).is_none());
        assert!(decode(&json!({"messages":[]})).is_none());
        assert!(decode(&json!({"messages":"nope"})).is_none());
    }
}
