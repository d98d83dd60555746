//! Saved requests → a Postman Collection v2.1. No secret is written:
//! credentials are `{{username}}`, `{{password}}` and `{{token}}` collection
//! variables, left empty for the Postman user to fill in.

use serde_json::{Value, json};

use crate::core::platform::AuthMode;
use crate::core::request::{is_credential_header, variable_for_header};
use crate::core::workspace::saved::{RequestBody, SavedRequest};

pub const POSTMAN_SCHEMA_V21: &str =
    "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// Builds a v2.1 collection named `name`; each request's folder path
/// (`""` or `Sub/Folder`) becomes nested folders. A request URL that is a
/// path below the device gets a `{{baseUrl}}` prefix.
pub fn export_postman(name: &str, requests: &[(String, SavedRequest)]) -> Value {
    let mut root = Folder::default();
    let mut needs = Needs::default();
    for (folder, request) in requests {
        let path: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
        root.insert(&path, request_item(request, &mut needs));
    }
    let mut variables = Vec::new();
    let wanted = [
        ("baseUrl", needs.base_url),
        ("username", needs.basic),
        ("password", needs.basic),
        ("token", needs.token),
    ];
    for (key, needed) in wanted {
        if needed {
            variables.push(json!({"key": key, "value": "", "type": "string"}));
        }
    }
    let mut collection = json!({
        "info": {"name": name, "schema": POSTMAN_SCHEMA_V21},
        "item": root.to_json(),
    });
    if !variables.is_empty() {
        collection["variable"] = Value::Array(variables);
    }
    collection
}

/// Which collection variables the requests refer to.
#[derive(Default)]
struct Needs {
    base_url: bool,
    basic: bool,
    token: bool,
}

#[derive(Default)]
struct Folder {
    items: Vec<Node>,
}

enum Node {
    Folder(String, Folder),
    Request(Value),
}

impl Folder {
    /// Adds an item below `path`, creating folders in first-seen order.
    fn insert(&mut self, path: &[&str], item: Value) {
        let Some((first, rest)) = path.split_first() else {
            self.items.push(Node::Request(item));
            return;
        };
        for node in &mut self.items {
            if let Node::Folder(name, folder) = node
                && name == first
            {
                folder.insert(rest, item);
                return;
            }
        }
        let mut folder = Folder::default();
        folder.insert(rest, item);
        self.items.push(Node::Folder((*first).to_string(), folder));
    }

    fn to_json(&self) -> Value {
        Value::Array(
            self.items
                .iter()
                .map(|node| match node {
                    Node::Folder(name, folder) => json!({"name": name, "item": folder.to_json()}),
                    Node::Request(item) => item.clone(),
                })
                .collect(),
        )
    }
}

fn request_item(request: &SavedRequest, needs: &mut Needs) -> Value {
    let mut headers: Vec<Value> = request
        .headers
        .iter()
        .map(|h| {
            let value = if is_credential_header(&h.name) && !h.value.contains("{{") {
                variable_for_header(&h.name)
            } else {
                h.value.clone()
            };
            let mut header = json!({"key": h.name, "value": value});
            if !h.enabled {
                header["disabled"] = Value::Bool(true);
            }
            header
        })
        .collect();
    let auth = match request.auth {
        Some(AuthMode::Basic) => {
            needs.basic = true;
            Some(json!({"type": "basic", "basic": [
                {"key": "username", "value": "{{username}}", "type": "string"},
                {"key": "password", "value": "{{password}}", "type": "string"},
            ]}))
        }
        Some(AuthMode::None) => Some(json!({"type": "noauth"})),
        Some(AuthMode::Token) => {
            // Postman cannot run the platform's login; the token header
            // takes a token the user obtains by hand.
            if let Some(platform) = request.platform
                && let Some(name) = platform.token_header()
            {
                needs.token = true;
                let value = format!("{}{{{{token}}}}", platform.token_prefix());
                headers.push(json!({"key": name, "value": value}));
            }
            None
        }
        None => None,
    };
    let mut fields = json!({
        "method": request.method,
        "header": headers,
        "url": url_object(&request.url, needs),
    });
    if let Some(auth) = auth {
        fields["auth"] = auth;
    }
    if let Some(body) = &request.body {
        fields["body"] = match body {
            RequestBody::Json(_) => json!({
                "mode": "raw",
                "raw": body.to_text(),
                "options": {"raw": {"language": "json"}},
            }),
            RequestBody::Text(text) => json!({"mode": "raw", "raw": text}),
        };
    }
    if let Some(description) = &request.description {
        fields["description"] = Value::String(description.clone());
    }
    json!({"name": request.name, "request": fields})
}

/// A v2.1 URL object: `raw` and its parts. Variables stay as written.
fn url_object(url: &str, needs: &mut Needs) -> Value {
    let url = url.trim();
    let raw = if url.contains("://") || url.starts_with("{{") {
        url.to_string()
    } else {
        needs.base_url = true;
        format!("{{{{baseUrl}}}}/{}", url.trim_start_matches('/'))
    };
    let without_fragment = raw.split('#').next().unwrap_or_default();
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (without_fragment, None),
    };
    let (protocol, rest) = match before_query.split_once("://") {
        Some((p, r)) => (Some(p), r),
        None => (None, before_query),
    };
    let (authority, path) = match rest.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (rest, None),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    };
    let mut object = json!({"raw": raw, "host": [host]});
    if let Some(protocol) = protocol {
        object["protocol"] = json!(protocol);
    }
    if let Some(port) = port {
        object["port"] = json!(port);
    }
    if let Some(path) = path {
        object["path"] = json!(path.split('/').collect::<Vec<_>>());
    }
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        let pairs: Vec<Value> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => json!({"key": key, "value": value}),
                None => json!({"key": pair, "value": null}),
            })
            .collect();
        object["query"] = Value::Array(pairs);
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs() -> Needs {
        Needs::default()
    }

    #[test]
    fn url_parts() {
        let u = url_object("https://10.0.0.1:8443/api/objects?limit=5&x", &mut needs());
        assert_eq!(u["protocol"], "https");
        assert_eq!(u["host"], json!(["10.0.0.1"]));
        assert_eq!(u["port"], "8443");
        assert_eq!(u["path"], json!(["api", "objects"]));
        assert_eq!(
            u["query"],
            json!([{"key": "limit", "value": "5"}, {"key": "x", "value": null}])
        );
        let mut n = needs();
        let u = url_object("/api/cli", &mut n);
        assert_eq!(u["raw"], "{{baseUrl}}/api/cli");
        assert_eq!(u["host"], json!(["{{baseUrl}}"]));
        assert!(n.base_url);
    }
}
