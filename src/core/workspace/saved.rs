//! A saved request: one human-readable JSON file per request under the
//! workspace; folders are collections.

use serde::{Deserialize, Serialize};

use crate::core::platform::{AuthMode, Platform};
use crate::core::request::Header;

/// A request as saved. Holds no secret: credentials come from the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedRequest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The device it runs against unless another is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Overrides the device's platform preset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Overrides the platform's default auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthMode>,
    pub method: String,
    /// A path joined to the device's base URL, or a full URL; may hold `{{variables}}`.
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RequestBody>,
}

impl SavedRequest {
    /// A `GET` of `url` named `name`, nothing else set (for tests).
    #[cfg(test)]
    pub(crate) fn get(name: &str, url: &str) -> SavedRequest {
        SavedRequest {
            name: name.into(),
            description: None,
            device: None,
            platform: None,
            auth: None,
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }
}

/// A request body: JSON is stored as JSON (readable diffs), anything else as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestBody {
    Json(serde_json::Value),
    Text(String),
}

impl RequestBody {
    /// Stores `text` as JSON when it parses as JSON, else as text.
    pub fn from_text(text: &str) -> Option<RequestBody> {
        if text.trim().is_empty() {
            return None;
        }
        Some(match serde_json::from_str(text) {
            Ok(value) => RequestBody::Json(value),
            Err(_) => RequestBody::Text(text.to_string()),
        })
    }

    /// The body as it is edited and sent (JSON pretty-printed).
    pub fn to_text(&self) -> String {
        match self {
            RequestBody::Json(value) => {
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
            }
            RequestBody::Text(text) => text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_keep_json_as_json() {
        let body = RequestBody::from_text(r#"{"b": 1, "a": [2]}"#).unwrap();
        assert!(matches!(body, RequestBody::Json(_)));
        assert_eq!(body.to_text(), "{\n  \"b\": 1,\n  \"a\": [\n    2\n  ]\n}");
        assert_eq!(
            RequestBody::from_text("x=1"),
            Some(RequestBody::Text("x=1".into()))
        );
        assert_eq!(RequestBody::from_text("  "), None);
    }
}
