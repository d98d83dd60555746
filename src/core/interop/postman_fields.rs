//! The fields of one Postman request: its URL, headers and body, with
//! the secrets in them taken out by the request's [`Scrubber`].

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::postman_auth::{is_secret_variable, text, variable_value};
use super::postman_import::Walker;
use super::scrub::Scrubber;
use crate::core::request::Header;
use crate::core::workspace::saved::RequestBody;

impl Walker {
    /// The URL as text: `raw` (or the string), else built from its parts.
    /// Path variables (`:id`) become `{{id}}`: a secret one's value goes
    /// to the secrets, any other's to the variables.
    pub(super) fn url(
        &mut self,
        url: Option<&Value>,
        request: &str,
        scrub: &mut Scrubber,
    ) -> Option<String> {
        let fields = match url? {
            Value::String(s) => return Some(scrub.url(s)),
            Value::Object(fields) => fields,
            _ => return None,
        };
        let mut path_variables = HashSet::new();
        for variable in fields
            .get("variable")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(key) = variable.get("key").and_then(text).filter(|k| !k.is_empty()) else {
                continue;
            };
            let value = variable.get("value").and_then(text).unwrap_or_default();
            if is_secret_variable(&key, variable) {
                if super::scrub::holds_secret(&value) {
                    let kind = format!("path variable {}", super::label(&key));
                    scrub.reserve(kind, &key, &value);
                }
            } else if !value.is_empty() {
                let value = variable_value(&mut self.out, &key, &value, request);
                self.out.variables.entry(key.clone()).or_insert(value);
            }
            path_variables.insert(key);
        }
        let raw = match fields.get("raw").and_then(Value::as_str) {
            Some(raw) if !raw.trim().is_empty() => raw.to_string(),
            _ => build_url(fields, scrub),
        };
        for query in fields
            .get("query")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if query.get("disabled").and_then(Value::as_bool) == Some(true) {
                let key = query.get("key").and_then(text).unwrap_or_default();
                self.note(format!(
                    "disabled query parameter '{}' on '{request}' (dropped)",
                    super::label(&key)
                ));
            }
        }
        Some(scrub.url(&path_variables_to_apx(&raw, &path_variables)))
    }

    pub(super) fn headers(
        &mut self,
        headers: Option<&Value>,
        request: &str,
        scrub: &mut Scrubber,
    ) -> Vec<Header> {
        let entries: Vec<(String, String, bool)> = match headers {
            Some(Value::Array(list)) => list
                .iter()
                .map(|h| {
                    let key = h.get("key").and_then(text).unwrap_or_default();
                    let value = h.get("value").and_then(text).unwrap_or_default();
                    let disabled = h.get("disabled").and_then(Value::as_bool) == Some(true);
                    (key, value, disabled)
                })
                .collect(),
            // v2.0 also allows "Name: value" lines.
            Some(Value::String(lines)) => lines
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let (k, v) = l.split_once(':').unwrap_or((l, ""));
                    (k.to_string(), v.to_string(), false)
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        for (key, value, disabled) in entries {
            let parsed = (!key.contains(':'))
                .then(|| Header::parse(&format!("{key}: {value}")).ok())
                .flatten();
            match parsed {
                Some(mut header) => {
                    header.enabled = !disabled;
                    out.push(scrub.header(header));
                }
                None => {
                    // Only the name: a key such as "Token: abc" holds a value.
                    let key = super::clip(key.split(':').next().unwrap_or_default(), 60);
                    self.note(format!(
                        "header {key:?} on '{request}' is not a valid header"
                    ));
                }
            }
        }
        out
    }

    pub(super) fn body(
        &mut self,
        body: Option<&Value>,
        request: &str,
        headers: &mut Vec<Header>,
        scrub: &mut Scrubber,
    ) -> Option<RequestBody> {
        let body = body.filter(|b| b.get("disabled").and_then(Value::as_bool) != Some(true))?;
        match body.get("mode").and_then(Value::as_str) {
            Some("raw") => match RequestBody::from_text(&body.get("raw").and_then(text)?)? {
                RequestBody::Json(mut json) => {
                    scrub.json(&mut json);
                    Some(RequestBody::Json(json))
                }
                RequestBody::Text(text) => Some(RequestBody::Text(scrub.text(&text))),
            },
            Some("urlencoded") => {
                let pairs: Vec<String> = body
                    .get("urlencoded")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|p| p.get("disabled").and_then(Value::as_bool) != Some(true))
                    .map(|p| {
                        let key = p.get("key").and_then(text).unwrap_or_default();
                        let value = p.get("value").and_then(text).unwrap_or_default();
                        let value = scrub.field("form field", &key, &value).unwrap_or(value);
                        format!("{}={}", form_encode(&key), form_encode(&value))
                    })
                    .collect();
                if !headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case("content-type"))
                {
                    headers.push(Header::new(
                        "Content-Type",
                        "application/x-www-form-urlencoded",
                    ));
                }
                (!pairs.is_empty()).then(|| RequestBody::Text(pairs.join("&")))
            }
            Some(mode @ ("formdata" | "file" | "graphql")) => {
                let kind = match mode {
                    "formdata" => "form-data",
                    other => other,
                };
                self.note(format!(
                    "{kind} body on '{request}' (not supported; imported without a body)"
                ));
                None
            }
            _ => None,
        }
    }
}

/// `protocol://host:port/path?query` from a v2.1 URL object without `raw`
/// (the values of secret-looking query parameters replaced).
fn build_url(fields: &Map<String, Value>, scrub: &mut Scrubber) -> String {
    let join = |value: Option<&Value>, sep: &str| match value {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| text(p).or_else(|| p.get("value").and_then(text)))
            .collect::<Vec<_>>()
            .join(sep),
        Some(other) => text(other).unwrap_or_default(),
        None => String::new(),
    };
    let mut url = String::new();
    if let Some(protocol) = fields.get("protocol").and_then(text) {
        url.push_str(&format!("{protocol}://"));
    }
    url.push_str(&join(fields.get("host"), "."));
    if let Some(port) = fields.get("port").and_then(text) {
        url.push_str(&format!(":{port}"));
    }
    let path = join(fields.get("path"), "/");
    if !path.is_empty() {
        url.push('/');
        url.push_str(path.trim_start_matches('/'));
    }
    let query: Vec<String> = fields
        .get("query")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|q| q.get("disabled").and_then(Value::as_bool) != Some(true))
        .filter_map(|q| {
            let key = q.get("key").and_then(text)?;
            Some(match q.get("value").and_then(text) {
                Some(value) => {
                    let value = scrub
                        .field("query parameter", &key, &value)
                        .unwrap_or(value);
                    format!("{key}={value}")
                }
                None => key,
            })
        })
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

/// Replaces each path segment `:key` naming one of `keys` with `{{key}}`
/// (the query is left alone).
fn path_variables_to_apx(url: &str, keys: &HashSet<String>) -> String {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let path: Vec<String> = path
        .split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(key) if keys.contains(key) => format!("{{{{{key}}}}}"),
            _ => segment.to_string(),
        })
        .collect();
    let mut out = path.join("/");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Form-encodes text, keeping `{{variables}}` as written.
fn form_encode(text: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&encode(&rest[..start]));
        out.push_str(&rest[start..start + len + 2]);
        rest = &rest[start + len + 2..];
    }
    out.push_str(&encode(rest));
    out
}
