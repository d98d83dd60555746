//! Turns an engine result into a history entry (shared by the CLI and GUI).

use std::time::{SystemTime, UNIX_EPOCH};

use super::RequestResult;
use super::http::Body;
use crate::core::history::{HistoryEntry, HistoryError, MAX_BODY};

/// The history entry of one result: no header values, no credentials; the
/// body only when it is in memory and at most 64 KiB.
pub fn entry(result: &RequestResult, device: Option<&str>) -> HistoryEntry {
    let (body, body_truncated) = match &result.body {
        Body::Memory(bytes) if bytes.len() <= MAX_BODY => {
            let text = (!bytes.is_empty()).then(|| String::from_utf8_lossy(bytes).into_owned());
            (text, false)
        }
        Body::Memory(_) | Body::Spilled { .. } => (None, true),
        Body::File { .. } => (None, false),
    };
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
        url: result.url.clone(),
        status: result.status,
        error,
        elapsed_ms: (result.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        size: result.body.len(),
        body,
        body_truncated,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn answered(url: &str, body: &str) -> RequestResult {
        RequestResult {
            name: String::new(),
            method: "POST".into(),
            url: url.into(),
            status: Some(200),
            elapsed: Duration::from_millis(5),
            headers: Vec::new(),
            body: Body::Memory(bytes::Bytes::from(body.to_string())),
            error: None,
            handshake: None,
        }
    }

    #[test]
    fn session_tokens_in_bodies_are_redacted_at_any_depth() {
        let fxos = entry(
            &answered("https://fx/api/login", r#"{"refreshPeriod": "0", "token": "f00d"}"#),
            None,
        );
        let body = fxos.body.unwrap();
        assert!(!body.contains("f00d"), "{body}");
        assert!(body.contains("\"refreshPeriod\":\"0\"") || body.contains("\"refreshPeriod\": \"0\""), "{body}");
        let nested = r#"{"data": {"userName": "admin", "jwtToken": "e.y.j", "sessions": [{"access_token": "a1", "Password": {"old": "p1"}, "expires_in": 1800}]}}"#;
        let wsa = entry(&answered("https://wsa/login", nested), None);
        let body = wsa.body.unwrap();
        for secret in ["e.y.j", "a1", "p1"] {
            assert!(!body.contains(secret), "{body}");
        }
        assert!(body.contains("admin") && body.contains("1800"), "{body}");
        // A body without secrets is recorded byte for byte.
        let plain = "{\n  \"serialNumber\": \"9A5KDN3LR2B\"\n}";
        assert_eq!(entry(&answered("https://asa/x", plain), None).body.as_deref(), Some(plain));
    }

    #[test]
    fn other_bodies_that_may_hold_a_secret_are_not_recorded() {
        for body in ["token=f00d&x=1", "<auth><Token>f00d</Token></auth>", "{\"token\": \"f00d\", broken"] {
            let recorded = entry(&answered("https://h/x", body), None);
            assert_eq!(recorded.body, None, "{body}");
            assert_eq!(recorded.size, body.len() as u64);
        }
        let harmless = entry(&answered("https://h/x", "all good"), None);
        assert_eq!(harmless.body.as_deref(), Some("all good"));
    }

    #[test]
    fn secret_query_values_are_redacted_in_the_url() {
        let recorded = entry(&answered("https://h/api/x?limit=5&access_token=f00d", "{}"), None);
        assert!(!recorded.url.contains("f00d"), "{}", recorded.url);
        assert!(recorded.url.contains("limit=5"), "{}", recorded.url);
    }
}
