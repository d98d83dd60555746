//! The request being edited in the request builder.

use std::path::PathBuf;

use crate::core::openapi::Operation;
use crate::core::platform::catalog::Endpoint;
use crate::core::platform::{AuthMode, Platform};
use crate::core::pretty_json;
use crate::core::request::{Header, JsonProblem, check_json};
use crate::core::workspace::saved::{RequestBody, SavedRequest};

/// The editable request. `platform` and `auth` of None follow the device.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub auth: Option<AuthMode>,
    pub platform: Option<Platform>,
    pub body: String,
    /// The file this draft was opened from, relative to the workspace.
    pub saved_path: Option<PathBuf>,
    /// Follow the collection's pages and show them merged (not saved with
    /// the request).
    pub all_pages: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            name: String::new(),
            method: "GET".into(),
            url: String::new(),
            headers: Vec::new(),
            auth: None,
            platform: None,
            body: String::new(),
            saved_path: None,
            all_pages: false,
        }
    }
}

/// An endpoint's example body, pretty-printed (empty without one).
fn example_body(endpoint: &Endpoint) -> String {
    endpoint
        .body
        .map(|b| pretty_json::pretty(b.as_bytes()).unwrap_or_else(|| b.to_string()))
        .unwrap_or_default()
}

pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

impl Draft {
    /// Starts from a catalog endpoint: its method, path, summary as the
    /// name, and its example body (pretty-printed).
    pub fn use_endpoint(&mut self, endpoint: &Endpoint) {
        self.method = endpoint.method.to_string();
        self.url = endpoint.path.to_string();
        self.name = endpoint.summary.to_string();
        self.body = example_body(endpoint);
        self.saved_path = None;
    }

    /// Starts from a catalog operation: its method, path, summary as the
    /// name, and its body skeleton (pretty-printed).
    pub fn use_operation(&mut self, operation: &Operation) {
        self.method = operation.method.clone();
        self.url = operation.path.clone();
        self.name = operation.summary.clone();
        self.body = operation
            .body
            .as_deref()
            .map(|b| pretty_json::pretty(b.as_bytes()).unwrap_or_else(|| b.to_string()))
            .unwrap_or_default();
        self.saved_path = None;
    }

    /// Whether the draft is a catalog endpoint as the catalog filled it in
    /// (not opened from a file, its method, path and body untouched).
    pub fn is_untouched(&self, endpoint: &Endpoint) -> bool {
        self.saved_path.is_none()
            && self.method == endpoint.method
            && self.url.trim() == endpoint.path
            && self.body == example_body(endpoint)
    }

    pub fn from_saved(saved: &SavedRequest, path: Option<PathBuf>) -> Draft {
        Draft {
            name: saved.name.clone(),
            method: saved.method.clone(),
            url: saved.url.clone(),
            headers: saved.headers.clone(),
            auth: saved.auth,
            platform: saved.platform,
            body: saved
                .body
                .as_ref()
                .map(RequestBody::to_text)
                .unwrap_or_default(),
            saved_path: path,
            all_pages: false,
        }
    }

    pub fn to_saved(&self, device: Option<&str>) -> SavedRequest {
        SavedRequest {
            name: self.name.clone(),
            description: None,
            device: device.map(str::to_string),
            platform: self.platform,
            auth: self.auth,
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: RequestBody::from_text(&self.body),
        }
    }

    /// The JSON problem of the body, when the body must be JSON.
    pub fn body_problem(&self, platform: Platform) -> Option<JsonProblem> {
        let declared = crate::core::request::declares_json(&self.headers);
        let must_be_json = declared || platform.bodies_are_json();
        if self.body.trim().is_empty() || !must_be_json || self.body.contains("{{") {
            return None;
        }
        check_json(self.body.as_bytes()).err()
    }

    /// Query parameters of the URL, decoded.
    pub fn params(&self) -> Vec<(String, String)> {
        match self.url.split_once('?') {
            Some((_, query)) => url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Rewrites the URL's query from parameters.
    pub fn set_params(&mut self, params: &[(String, String)]) {
        let base = self.url.split('?').next().unwrap_or_default().to_string();
        if params.is_empty() {
            self.url = base;
            return;
        }
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .finish();
        self.url = format!("{base}?{query}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_round_trip_through_the_url() {
        let mut d = Draft {
            url: "/api/x?limit=5&q=a%20b".into(),
            ..Draft::default()
        };
        assert_eq!(
            d.params(),
            vec![("limit".into(), "5".into()), ("q".into(), "a b".into())]
        );
        d.set_params(&[("offset".into(), "0".into())]);
        assert_eq!(d.url, "/api/x?offset=0");
        d.set_params(&[]);
        assert_eq!(d.url, "/api/x");
    }

    #[test]
    fn invalid_json_body_has_a_position() {
        let d = Draft {
            body: "{\n  \"a\": }".into(),
            ..Draft::default()
        };
        let p = d.body_problem(Platform::Asa).unwrap();
        assert_eq!((p.line, p.column), (2, 8));
        assert!(d.body_problem(Platform::Generic).is_none());
    }
}
