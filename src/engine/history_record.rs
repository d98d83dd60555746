//! Turns an engine result into a history entry (shared by the CLI and GUI).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::RequestResult;
use super::http::Body;
use crate::core::history::{HistoryEntry, HistoryError, MAX_BODY};
use crate::core::interop::looks_secret;
use crate::core::request::is_credential_header;

/// What a secret's value becomes in the history.
const REDACTED: &str = "(redacted)";

/// The history entry of one result: no credential header; the request's
/// body and the response's only when at most 64 KiB (the response's only
/// when in memory). A session token in either (a login sent by hand) is
/// not kept: see [`recorded_body`].
pub fn entry(result: &RequestResult, device: Option<&str>) -> HistoryEntry {
    let (body, body_truncated) = match &result.body {
        Body::Memory(bytes) if bytes.len() <= MAX_BODY => (recorded_body(bytes), false),
        Body::Memory(_) | Body::Spilled { .. } => (None, true),
        Body::File { .. } => (None, false),
    };
    let request_body = result
        .sent
        .body
        .as_deref()
        .filter(|b| b.len() <= MAX_BODY)
        .and_then(recorded_body);
    let request_body_dropped =
        request_body.is_none() && result.sent.body.as_ref().is_some_and(|b| !b.is_empty());
    let error = result.error.as_ref().map(|f| HistoryError {
        kind: serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        message: f.message.clone(),
    });
    HistoryEntry {
        timestamp: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        name: (!result.name.is_empty()).then(|| result.name.clone()),
        device: device.map(str::to_string),
        method: result.method.clone(),
        url: recorded_url(&result.url),
        request_headers: result.sent.headers.clone(),
        request_body,
        request_body_dropped,
        status: result.status,
        error,
        elapsed_ms: (result.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        response_headers: result.headers.clone(),
        size: result.body.len(),
        body,
        body_truncated,
    }
}

/// The body as recorded. In JSON, the value of every key named like a
/// credential (`token`, `jwtToken`, `access_token`, `password`, …), at any
/// depth, and every string that mentions such a word, becomes
/// `"(redacted)"`; any other body that mentions such a word
/// is not recorded at all. Bodies without one are kept byte for byte.
fn recorded_body(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    match serde_json::from_str::<Value>(&text) {
        Ok(mut value) => {
            if redact(&mut value) {
                serde_json::to_string_pretty(&value).ok()
            } else {
                Some(text.into_owned())
            }
        }
        Err(_) if looks_secret(&text) => None,
        Err(_) => Some(text.into_owned()),
    }
}

/// Redacts the values of credential-named keys in place; whether any was.
fn redact(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut redacted = false;
            for (key, value) in map.iter_mut() {
                if is_credential_header(key) {
                    if !matches!(value, Value::Null | Value::Bool(_)) {
                        *value = Value::from(REDACTED);
                        redacted = true;
                    }
                } else {
                    redacted |= redact(value);
                }
            }
            redacted
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, v| redact(v) | any),
        // Free text such as a CLI line `username admin password X`.
        Value::String(text) if looks_secret(text) => {
            *text = REDACTED.to_string();
            true
        }
        _ => false,
    }
}

/// The URL as recorded: the values of credential-named query parameters
/// (`?access_token=…`) redacted.
fn recorded_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    if !pairs.iter().any(|(name, _)| is_credential_header(name)) {
        return url.to_string();
    }
    parsed
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().map(|(name, value)| {
            let value = if is_credential_header(name) {
                REDACTED
            } else {
                value
            };
            (name, value)
        }));
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn secrets_inside_json_strings_are_redacted() {
        let body =
            r#"{"commands":["username admin password S3cret! privilege 15","show version"]}"#;
        let recorded = recorded_body(body.as_bytes()).unwrap();
        assert!(!recorded.contains("S3cret"), "{recorded}");
        assert!(recorded.contains("show version"), "{recorded}");
    }

    fn answered(url: &str, body: &str) -> RequestResult {
        RequestResult {
            name: String::new(),
            method: "POST".into(),
            url: url.into(),
            status: Some(200),
            elapsed: Duration::from_millis(5),
            headers: Vec::new(),
            body: Body::Memory(bytes::Bytes::from(body.to_string())),
            body_json: None,
            error: None,
            handshake: None,
            warnings: Vec::new(),
            retries: 0,
            domains: Vec::new(),
            sent: Default::default(),
            pages: None,
        }
    }

    #[test]
    fn session_tokens_in_bodies_are_redacted_at_any_depth() {
        let fxos = entry(
            &answered(
                "https://fx/api/login",
                r#"{"refreshPeriod": "0", "token": "f00d"}"#,
            ),
            None,
        );
        let body = fxos.body.unwrap();
        assert!(!body.contains("f00d"), "{body}");
        assert!(
            body.contains("\"refreshPeriod\":\"0\"") || body.contains("\"refreshPeriod\": \"0\""),
            "{body}"
        );
        let nested = r#"{"data": {"userName": "admin", "jwtToken": "e.y.j", "grants": [{"access_token": "a1", "Password": {"old": "p1"}, "expires_in": 1800}]}}"#;
        let wsa = entry(&answered("https://wsa/login", nested), None);
        let body = wsa.body.unwrap();
        for secret in ["e.y.j", "a1", "p1"] {
            assert!(!body.contains(secret), "{body}");
        }
        assert!(body.contains("admin") && body.contains("1800"), "{body}");
        // A body without secrets is recorded byte for byte.
        let plain = "{\n  \"serialNumber\": \"9A5KDN3LR2B\"\n}";
        assert_eq!(
            entry(&answered("https://asa/x", plain), None)
                .body
                .as_deref(),
            Some(plain)
        );
    }

    #[test]
    fn other_bodies_that_may_hold_a_secret_are_not_recorded() {
        for body in [
            "token=f00d&x=1",
            "<auth><Token>f00d</Token></auth>",
            "{\"token\": \"f00d\", broken",
        ] {
            let recorded = entry(&answered("https://h/x", body), None);
            assert_eq!(recorded.body, None, "{body}");
            assert_eq!(recorded.size, body.len() as u64);
        }
        let harmless = entry(&answered("https://h/x", "all good"), None);
        assert_eq!(harmless.body.as_deref(), Some("all good"));
    }

    #[test]
    fn the_request_is_recorded_like_the_response() {
        let mut sent = answered("https://h/api/login", "{}");
        sent.sent = crate::engine::Sent {
            headers: vec![("X-Trace".into(), "1".into())],
            body: Some(br#"{"username": "admin", "password": "pw1"}"#.to_vec()),
        };
        let recorded = entry(&sent, Some("fw"));
        assert_eq!(recorded.request_headers, sent.sent.headers);
        let body = recorded.request_body.unwrap();
        assert!(!body.contains("pw1") && body.contains("admin"), "{body}");
        assert!(!recorded.request_body_dropped);
        sent.sent.body = Some(vec![b'x'; MAX_BODY + 1]);
        let recorded = entry(&sent, Some("fw"));
        assert_eq!(recorded.request_body, None);
        assert!(recorded.request_body_dropped);
    }

    #[test]
    fn secret_query_values_are_redacted_in_the_url() {
        let recorded = entry(
            &answered("https://h/api/x?limit=5&access_token=f00d", "{}"),
            None,
        );
        assert!(!recorded.url.contains("f00d"), "{}", recorded.url);
        assert!(recorded.url.contains("limit=5"), "{}", recorded.url);
    }
}
