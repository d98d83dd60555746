//! Postman Collection v2.0 / v2.1 → saved requests. Folders become folder
//! paths; what cannot be carried over (scripts, other auth types, form
//! bodies) is listed; secrets are handed back apart from the requests.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::clean;
use super::postman_auth::{self, AuthSource, text};
use super::scrub::Scrubber;
use crate::core::error::Failure;
use crate::core::secret::Secret;
use crate::core::workspace::saved::SavedRequest;

/// What a Postman collection carried over.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostmanImport {
    /// The collection's `info.name`.
    pub name: String,
    /// Folder path (`""` at the top, `Sub/Folder` below) and request, in
    /// file order, named as in the file (several may share a name).
    pub requests: Vec<(String, SavedRequest)>,
    /// What could not be carried over, one line each.
    pub skipped: Vec<String>,
    /// Secrets found in the file; none of them is in `requests` or `variables`.
    pub secrets: Vec<FoundSecret>,
    /// Collection and path variables that do not look secret.
    pub variables: BTreeMap<String, String>,
}

/// A secret found in a collection, for the caller to offer to store
/// (the OS keyring) or to drop. Its value is only in `secret`.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundSecret {
    /// The request it was found on (the collection's name for a collection variable).
    pub request: String,
    /// Where it was: "basic password", "bearer token", "header X-Api-Key",
    /// "variable NAME", "path variable NAME", "body field NAME", "form field
    /// NAME", "query parameter NAME", "URL password", ….
    pub kind: String,
    /// The user that goes with a password (basic auth, a URL's user info).
    pub user: Option<String>,
    pub secret: Secret,
}

const CONVERT_HINT: &str = "In Postman: ⋯ on the collection → Export → Collection v2.1.";

/// Reads a Postman collection (v2.0 or v2.1, named by `info.schema`).
pub fn import_postman(json: &[u8]) -> Result<PostmanImport, Failure> {
    let root: Value = serde_json::from_slice(json).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        Failure::usage(
            format!("malformed JSON at {}:{}: {message}", e.line(), e.column()),
            "This is not a Postman collection file, or it was cut short. Nothing was imported.",
        )
    })?;
    check_schema(&root)?;
    let name = root
        .pointer("/info/name")
        .and_then(text)
        .map(|n| clean(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Postman import".into());
    let items = match root.get("item") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            return Err(Failure::usage(
                "the collection's \"item\" is not a list",
                CONVERT_HINT,
            ));
        }
    };
    let mut walker = Walker {
        out: PostmanImport {
            name: name.clone(),
            ..PostmanImport::default()
        },
        seen_auth: HashSet::new(),
    };
    walker.events(&root, "the collection");
    postman_auth::collection_variables(&mut walker.out, root.get("variable"), &name);
    let auth = own_auth(&root).map(|block| AuthSource {
        block,
        owner: name.clone(),
        label: "the collection".into(),
    });
    walker.walk(items, "", auth.as_ref());
    Ok(walker.out)
}

/// Accepts v2.0 and v2.1; says clearly what anything else is.
fn check_schema(root: &Value) -> Result<(), Failure> {
    if !root.is_object() {
        return Err(Failure::usage(
            "not a Postman collection: the file is not a JSON object",
            CONVERT_HINT,
        ));
    }
    match root.pointer("/info/schema").and_then(Value::as_str) {
        Some(s) if s.contains("/collection/v2.1") || s.contains("/collection/v2.0") => Ok(()),
        Some(s) => Err(Failure::usage(
            format!(
                "unsupported Postman schema {:?}: apx reads Collection v2.0 and v2.1",
                super::clip(s, 100)
            ),
            CONVERT_HINT,
        )),
        None if root.get("requests").is_some() || root.get("order").is_some() => {
            Err(Failure::usage(
                "this is a Postman Collection v1 file: apx reads v2.0 and v2.1",
                CONVERT_HINT,
            ))
        }
        None => Err(Failure::usage(
            "not a Postman collection: no info.schema",
            CONVERT_HINT,
        )),
    }
}

/// An item's own auth block; absent, null or `inherit` means the parent's.
fn own_auth(item: &Value) -> Option<&Value> {
    item.get("auth")
        .filter(|a| a.is_object() && a.get("type").and_then(Value::as_str) != Some("inherit"))
}

pub(super) struct Walker {
    pub out: PostmanImport,
    /// Auth blocks already applied (by address), so that a folder's
    /// secret is found once however many requests inherit it.
    seen_auth: HashSet<*const Value>,
}

impl Walker {
    fn walk(&mut self, items: &[Value], folder: &str, auth: Option<&AuthSource<'_>>) {
        for item in items {
            let Some(obj) = item.as_object() else {
                self.note(format!(
                    "an item of {} is not an object",
                    folder_label(folder)
                ));
                continue;
            };
            let name = obj.get("name").and_then(text).map(|n| clean(&n));
            let name = name.filter(|n| !n.is_empty());
            if let Some(children) = obj.get("item") {
                let name = name.unwrap_or_else(|| "Folder".into());
                let Some(children) = children.as_array() else {
                    self.note(format!("folder '{name}': its \"item\" is not a list"));
                    continue;
                };
                let path = join_folder(folder, &name);
                self.events(item, &format!("folder '{name}'"));
                let own = own_auth(item).map(|block| AuthSource {
                    block,
                    owner: path.clone(),
                    label: format!("folder '{name}'"),
                });
                self.walk(children, &path, own.as_ref().or(auth));
            } else if let Some(request) = obj.get("request") {
                let name = name.unwrap_or_else(|| "Unnamed request".into());
                self.events(item, &format!("'{name}'"));
                self.request(folder, name, obj, request, auth);
            } else {
                let name = name.unwrap_or_default();
                self.note(format!("item '{name}': neither a request nor a folder"));
            }
        }
    }

    pub(super) fn note(&mut self, line: String) {
        self.out.skipped.push(line);
    }

    /// Pre-request and test scripts cannot run in apx: each is listed.
    fn events(&mut self, item: &Value, owner: &str) {
        let Some(events) = item.get("event").and_then(Value::as_array) else {
            return;
        };
        for event in events {
            let exec = event.pointer("/script/exec");
            let has_code = match exec {
                Some(Value::String(s)) => !s.trim().is_empty(),
                Some(Value::Array(lines)) => lines
                    .iter()
                    .any(|l| l.as_str().is_some_and(|s| !s.trim().is_empty())),
                _ => false,
            };
            if has_code {
                let kind = match event.get("listen").and_then(Value::as_str) {
                    Some("prerequest") => "pre-request script".to_string(),
                    Some("test") => "test script".to_string(),
                    Some(other) => format!("{} script", super::clip(other, 40)),
                    None => "script".to_string(),
                };
                self.note(format!("{kind} on {owner}"));
            }
        }
    }

    fn request(
        &mut self,
        folder: &str,
        name: String,
        item: &Map<String, Value>,
        request: &Value,
        inherited: Option<&AuthSource<'_>>,
    ) {
        let empty = Map::new();
        let mut scrub = Scrubber::default();
        let (fields, url) = match request {
            Value::String(url) => (&empty, Some(scrub.url(url))),
            Value::Object(fields) => (fields, self.url(fields.get("url"), &name, &mut scrub)),
            _ => (&empty, None),
        };
        let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
            self.note(format!("'{name}': no URL (not imported)"));
            return;
        };
        let method = fields
            .get("method")
            .and_then(Value::as_str)
            .map_or_else(|| "GET".to_string(), |m| m.trim().to_ascii_uppercase());
        let method_ok = !method.is_empty()
            && method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !method_ok {
            let shown = super::clip(&method, 40);
            self.note(format!(
                "'{name}': method {shown:?} is not valid (not imported)"
            ));
            return;
        }
        let mut headers = self.headers(fields.get("header"), &name, &mut scrub);
        let body = self.body(fields.get("body"), &name, &mut headers, &mut scrub);
        // Prose: only a word that looks like a value follows a secret word.
        let description = fields
            .get("description")
            .or_else(|| item.get("description"))
            .and_then(description_text)
            .map(|text| scrub.prose(&text));
        postman_auth::hand_back(&mut self.out, scrub, &name, "");
        let own = own_auth(request).map(|block| AuthSource {
            block,
            owner: name.clone(),
            label: format!("'{name}'"),
        });
        let source = own.as_ref().or(inherited);
        let first = source.is_some_and(|s| self.seen_auth.insert(std::ptr::from_ref(s.block)));
        let auth = postman_auth::apply_auth(&mut self.out, source, first);
        headers.extend(auth.header);
        let saved = SavedRequest {
            name,
            description,
            device: None,
            platform: None,
            auth: auth.mode,
            method,
            url,
            headers,
            body,
        };
        self.out.requests.push((folder.to_string(), saved));
    }
}

/// A description: a string, or `{content, type}`.
fn description_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("content").and_then(Value::as_str)?.to_string(),
        _ => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

/// Appends a folder name as one path segment: `/` and `\` become `-`, and
/// leading dots go (they would make a hidden folder).
pub(super) fn join_folder(parent: &str, name: &str) -> String {
    let segment = name.replace(['/', '\\'], "-");
    let segment = match segment.trim().trim_start_matches('.').trim() {
        "" => "Folder",
        s => s,
    };
    if parent.is_empty() {
        segment.to_string()
    } else {
        format!("{parent}/{segment}")
    }
}

fn folder_label(folder: &str) -> String {
    if folder.is_empty() {
        "the collection".into()
    } else {
        format!("folder '{folder}'")
    }
}
