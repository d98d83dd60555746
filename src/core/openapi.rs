//! Swagger 2.0 and OpenAPI 3.x documents (JSON or YAML) read into catalog
//! [`Operation`]s: method, path, summary, tag, parameters and a body
//! skeleton. Only what the catalog needs is read: the document is indexed
//! as text ([`document`]) and each path item and `$ref` target is parsed
//! when it is read. Every input is hostile: the size is capped before
//! parsing, nesting is capped by the parsers (YAML anchors and aliases are
//! refused), local `$ref`s are followed at most [`MAX_REF_DEPTH`]
//! deep (a cycle ends there), skeletons stop at [`MAX_SCHEMA_DEPTH`] and
//! [`MAX_SKELETON_NODES`], and all operations together hold at most
//! [`MAX_OUTPUT`] bytes of text.

mod document;

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::error::{Failure, size_text};
use document::{Document, Members};

/// The largest spec read (FMC's is about 3.5 MB).
pub const MAX_SPEC_BYTES: usize = 32 << 20;
/// The most operations kept from one spec.
pub const MAX_OPERATIONS: usize = 20_000;
/// The most parameters read from one list (path- or operation-level).
const MAX_PARAMETERS: usize = 256;
/// How many `$ref`s in a row are followed before giving up (a cycle).
const MAX_REF_DEPTH: usize = 16;
/// How deep a body skeleton is built from a schema.
const MAX_SCHEMA_DEPTH: usize = 8;
/// The most properties of one object a skeleton lists.
const MAX_PROPERTIES: usize = 100;
/// The longest description kept, in bytes.
const MAX_DESCRIPTION: usize = 16 << 10;
/// The longest summary kept, in bytes.
const MAX_SUMMARY: usize = 1 << 10;
/// The most schema nodes one body skeleton is built from: a schema that
/// refers to itself from many properties would otherwise grow
/// exponentially within the depth limit.
const MAX_SKELETON_NODES: usize = 10_000;
/// The most text all operations together may hold (descriptions, bodies,
/// examples): a large example shared by `$ref` among thousands of
/// operations would otherwise be copied into each.
const MAX_OUTPUT: usize = 64 << 20;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// One operation of a spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// Below the device origin: the spec's base path and the operation's path.
    pub path: String,
    #[serde(default)]
    pub summary: String,
    /// The first tag, or empty.
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub operation_id: String,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub description: String,
    /// A JSON body to start from (the spec's example, else one built from
    /// the schema), where the operation takes a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A path, query or header parameter of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    #[serde(default)]
    pub required: bool,
    /// The values allowed, when the spec lists them.
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// Reads a spec's operations from its bytes (JSON or YAML).
pub fn parse_spec(bytes: &[u8]) -> Result<Vec<Operation>, Failure> {
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(invalid(format!(
            "the spec is {}, more than the {} apx reads",
            size_text(bytes.len() as u64),
            size_text(MAX_SPEC_BYTES as u64)
        )));
    }
    let text = json_text(bytes)?;
    let root = serde_json::from_str::<Members>(&text).map_err(|e| {
        match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
            Ok(_) => invalid("the spec is not an object".into()),
            Err(_) => invalid(format!("the spec is not valid JSON: {e}")),
        }
    })?;
    let doc = Document::new(root, text.len());
    let version = version(&doc)?;
    let base = base_path(&doc, version);
    let paths = doc
        .member("paths")
        .and_then(Members::parse)
        .ok_or_else(|| invalid("the spec has no \"paths\" object".into()))?;
    let spec = Spec {
        doc: &doc,
        version,
        nodes: Cell::new(0),
        left: Cell::new(MAX_OUTPUT),
    };
    let mut operations = Vec::new();
    for (path, item) in paths.last_of_each_name() {
        let item: Value = serde_json::from_str(item.get())
            .map_err(|e| invalid(format!("the path {path:?} cannot be read: {e}")))?;
        let Some(item) = spec.resolve(&item) else {
            continue;
        };
        let Some(item) = item.as_object() else {
            continue;
        };
        let shared = spec.parameters(item.get("parameters"));
        for method in METHODS {
            let Some(op) = item.get(method).and_then(Value::as_object) else {
                continue;
            };
            if operations.len() == MAX_OPERATIONS {
                return Err(invalid(format!(
                    "the spec has more than {MAX_OPERATIONS} operations"
                )));
            }
            operations.push(spec.operation(method, &join(&base, &path), op, &shared)?);
            doc.end_operation();
        }
    }
    if doc.exhausted() {
        return Err(invalid(format!(
            "the spec's $refs make apx parse more than {} of their targets",
            size_text(document::parse_budget(text.len()) as u64)
        )));
    }
    Ok(operations)
}

fn invalid(message: String) -> Failure {
    Failure::usage(
        message,
        "Give a Swagger 2.0 or OpenAPI 3.x document, JSON or YAML.",
    )
}

/// The spec as JSON text: itself when it starts like JSON, else read as
/// YAML (a superset) and written as JSON.
fn json_text(bytes: &[u8]) -> Result<Cow<'_, str>, Failure> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| invalid(format!("the spec is not UTF-8 text: {e}")))?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') {
        Ok(Cow::Borrowed(text))
    } else {
        if let Some(line) = yaml_anchor_line(text) {
            return Err(invalid(format!(
                "the YAML spec uses an anchor or alias (line {line}), which apx does not expand: \
                 one large value repeated by aliases could take any amount of memory; \
                 give the spec as JSON"
            )));
        }
        let value: Value = serde_yaml_ng::from_str(text)
            .map_err(|e| invalid(format!("the spec is not valid YAML: {e}")))?;
        Ok(Cow::Owned(value.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Version {
    Swagger2,
    OpenApi3,
}

fn version(doc: &Document) -> Result<Version, Failure> {
    let text = |key| match doc.value(key) {
        Some(Value::String(text)) => text,
        _ => String::new(),
    };
    if text("swagger").starts_with('2') {
        Ok(Version::Swagger2)
    } else if text("openapi").starts_with('3') {
        Ok(Version::OpenApi3)
    } else {
        Err(invalid(
            "the document names no \"swagger\": \"2.0\" or \"openapi\": \"3.x\"".into(),
        ))
    }
}

/// Swagger's `basePath`, or the path of OpenAPI's first server URL.
fn base_path(doc: &Document, version: Version) -> String {
    let raw = match version {
        Version::Swagger2 => doc.value("basePath"),
        Version::OpenApi3 => doc
            .value("servers")
            .and_then(|mut s| s.get_mut(0).map(Value::take))
            .and_then(|mut s| s.get_mut("url").map(Value::take)),
    };
    let raw = raw.as_ref().and_then(Value::as_str).unwrap_or("");
    let path = match raw.find("://") {
        Some(at) => raw[at + 3..].find('/').map_or("", |p| &raw[at + 3 + p..]),
        None => raw,
    };
    path.trim_end_matches('/').to_string()
}

fn join(base: &str, path: &str) -> String {
    if base.is_empty() || !base.starts_with('/') || base.contains('{') {
        path.to_string()
    } else {
        format!("{base}{path}")
    }
}

/// A value of the document: one being read, a `$ref`'s target, or an item
/// of a target that is a list.
enum Node<'v> {
    Borrowed(&'v Value),
    Target(Rc<Value>),
    Element(Rc<Value>, usize),
}

impl std::ops::Deref for Node<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        match self {
            Node::Borrowed(value) => value,
            Node::Target(value) => value,
            Node::Element(list, i) => list.get(*i).unwrap_or(&Value::Null),
        }
    }
}

struct Spec<'a> {
    doc: &'a Document<'a>,
    version: Version,
    /// Schema nodes the current body skeleton may still use.
    nodes: Cell<usize>,
    /// Bytes of text the operations may still hold.
    left: Cell<usize>,
}

impl Spec<'_> {
    /// Follows local `$ref`s (each target parsed from the document's text);
    /// `None` for a dangling, remote or cyclic one.
    fn resolve<'v>(&self, value: &'v Value) -> Option<Node<'v>> {
        let mut value = Node::Borrowed(value);
        for _ in 0..MAX_REF_DEPTH {
            let target = match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => self.doc.target(reference.strip_prefix('#')?)?,
                None => return Some(value),
            };
            value = Node::Target(target);
        }
        None
    }

    /// The parameters of a list (path- or operation-level), resolved: at
    /// most [`MAX_PARAMETERS`], each shared with the document, not copied.
    fn parameters<'v>(&self, list: Option<&'v Value>) -> Vec<Node<'v>> {
        let Some(list) = list.and_then(|l| self.resolve(l)) else {
            return Vec::new();
        };
        let count = list.as_array().map_or(0, Vec::len).min(MAX_PARAMETERS);
        (0..count)
            .filter_map(|i| match &list {
                Node::Borrowed(items) => self.resolve(&items[i]),
                Node::Target(items) => match self.resolve(&items[i])? {
                    Node::Borrowed(_) => Some(Node::Element(items.clone(), i)),
                    Node::Target(target) => Some(Node::Target(target)),
                    Node::Element(list, j) => Some(Node::Element(list, j)),
                },
                // `resolve` gives no element of a list.
                Node::Element(..) => None,
            })
            .collect()
    }

    fn operation(
        &self,
        method: &str,
        path: &str,
        op: &Map<String, Value>,
        shared: &[Node],
    ) -> Result<Operation, Failure> {
        let text = |key| op.get(key).and_then(Value::as_str).unwrap_or("").trim();
        let own = self.parameters(op.get("parameters"));
        // An operation's parameter overrides a path-level one of the same name and place.
        let key = |p: &Value| {
            (
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("in").and_then(Value::as_str).map(str::to_string),
            )
        };
        let overridden: HashSet<_> = own.iter().map(|o| key(o)).collect();
        let all: Vec<&Value> = shared
            .iter()
            .filter(|s| !overridden.contains(&key(s)))
            .map(|s| &**s)
            .chain(own.iter().map(|o| &**o))
            .collect();
        let parameters = all.iter().filter_map(|p| self.parameter(p)).collect();
        let description = text("description");
        let summary = match text("summary") {
            "" => description.lines().next().unwrap_or("").trim(),
            s => s,
        };
        self.nodes.set(MAX_SKELETON_NODES);
        let body = self
            .body(op, &all)
            .and_then(|b| serde_json::to_string_pretty(&b).ok());
        let description = truncate(description, MAX_DESCRIPTION);
        let summary = truncate(summary, MAX_SUMMARY);
        self.charge(
            path.len() + summary.len() + description.len() + body.as_ref().map_or(0, String::len),
        )?;
        Ok(Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            summary: summary.to_string(),
            tag: op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            operation_id: text("operationId").to_string(),
            parameters,
            description: description.to_string(),
            body,
        })
    }

    /// Takes `bytes` from what the operations may still hold.
    fn charge(&self, bytes: usize) -> Result<(), Failure> {
        let left = self.left.get().checked_sub(bytes).ok_or_else(|| {
            invalid(format!(
                "the spec's operations hold more than {} of text",
                size_text(MAX_OUTPUT as u64)
            ))
        })?;
        self.left.set(left);
        Ok(())
    }

    /// A copy of an example, when it fits in what is left.
    fn example(&self, value: &Value) -> Option<Value> {
        weight(value, self.left.get()).map(|_| value.clone())
    }

    fn parameter(&self, p: &Value) -> Option<Parameter> {
        let name = p.get("name")?.as_str()?;
        let location = p.get("in")?.as_str()?;
        if !matches!(location, "path" | "query" | "header" | "cookie") {
            return None;
        }
        // Swagger 2 keeps `enum` on the parameter (or its `items`), OpenAPI 3 on its schema.
        let schema = p.get("schema").and_then(|s| self.resolve(s));
        let schema = schema.as_deref();
        let choices = [
            Some(p),
            p.get("items"),
            schema,
            schema.and_then(|s| s.get("items")),
        ]
        .into_iter()
        .flatten()
        .find_map(|v| {
            let v = self.resolve(v)?;
            let values = v.get("enum")?.as_array()?;
            Some(values.iter().filter_map(scalar_text).collect())
        })
        .unwrap_or_default();
        Some(Parameter {
            name: name.to_string(),
            location: location.to_string(),
            required: location == "path"
                || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            choices,
        })
    }

    /// The body skeleton: Swagger's `in: body` parameter, or OpenAPI's
    /// `requestBody` (JSON media type first); its example, else its schema's.
    fn body(&self, op: &Map<String, Value>, parameters: &[&Value]) -> Option<Value> {
        match self.version {
            Version::Swagger2 => {
                let param = parameters
                    .iter()
                    .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))?;
                let schema = param.get("schema")?;
                param
                    .get("x-example")
                    .and_then(|e| self.example(e))
                    .or_else(|| Some(self.skeleton(schema, 0)))
            }
            Version::OpenApi3 => {
                let body = self.resolve(op.get("requestBody")?)?;
                let content = body.get("content")?.as_object()?;
                let media = content
                    .iter()
                    .find(|(k, _)| k.contains("json"))
                    .or_else(|| content.iter().next())?
                    .1;
                let example = match media.get("example") {
                    Some(example) => self.example(example),
                    None => media
                        .get("examples")
                        .and_then(Value::as_object)
                        .and_then(|e| e.values().next())
                        .and_then(|e| self.resolve(e))
                        .and_then(|e| e.get("value").and_then(|v| self.example(v))),
                };
                example.or_else(|| Some(self.skeleton(media.get("schema")?, 0)))
            }
        }
    }

    /// A value shaped like `schema`: its example, else the first enum value,
    /// else an empty value of its type, objects with every property.
    fn skeleton(&self, schema: &Value, depth: usize) -> Value {
        // Every value counts, the ones cut short too.
        let nodes = self.nodes.get();
        if nodes == 0 {
            return Value::Null;
        }
        self.nodes.set(nodes - 1);
        if depth >= MAX_SCHEMA_DEPTH {
            return Value::Null;
        }
        let Some(schema) = self.resolve(schema) else {
            return Value::Null;
        };
        if let Some(example) = schema.get("example").and_then(|e| self.example(e)) {
            return example;
        }
        if let Some(first) = schema.get("enum").and_then(|e| e.get(0)) {
            return first.clone();
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in all.iter().take(MAX_PROPERTIES) {
                if let Value::Object(fields) = self.skeleton(part, depth + 1) {
                    merged.extend(fields);
                }
            }
            return Value::Object(merged);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = schema.get(key).and_then(|e| e.get(0)) {
                return self.skeleton(first, depth + 1);
            }
        }
        let kind = match schema.get("type") {
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|k| *k != "null"),
            Some(kind) => kind.as_str(),
            None => None,
        };
        match kind {
            Some("array") => match schema.get("items") {
                Some(items) => Value::Array(vec![self.skeleton(items, depth + 1)]),
                None => Value::Array(Vec::new()),
            },
            Some("string") => Value::String(String::new()),
            Some("integer" | "number") => Value::from(0),
            Some("boolean") => Value::Bool(false),
            Some("object") | None => Value::Object(
                schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .take(MAX_PROPERTIES)
                    .take_while(|_| self.nodes.get() > 0)
                    .map(|(name, property)| (name.clone(), self.skeleton(property, depth + 1)))
                    .collect(),
            ),
            Some(_) => Value::Null,
        }
    }
}

/// The first line (from 1) where a YAML node starts with an anchor (`&a`)
/// or an alias (`*a`): at the start of a line, after `key: `, after `- `,
/// or at an item of a flow collection.
fn yaml_anchor_line(text: &str) -> Option<usize> {
    let starts_node = |rest: &str| {
        let mut chars = rest.chars();
        matches!(chars.next(), Some('&' | '*')) && chars.next().is_some_and(|c| !c.is_whitespace())
    };
    for (i, line) in text.lines().enumerate() {
        let mut rest = line.trim_start();
        while let Some(after) = rest.strip_prefix("- ") {
            rest = after.trim_start();
        }
        let mut candidates = vec![rest];
        if let Some(colon) = rest.find(": ") {
            candidates.push(rest[colon + 2..].trim_start());
        }
        for value in candidates.clone() {
            if value.starts_with(['[', '{']) {
                candidates.extend(value[1..].split([',', '[', '{']).map(str::trim_start));
            }
        }
        if candidates.into_iter().any(starts_node) {
            return Some(i + 1);
        }
    }
    None
}

/// The bytes `value` takes as JSON text, roughly, or None past `limit`.
fn weight(value: &Value, limit: usize) -> Option<usize> {
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total += match v {
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                stack.extend(items);
                2
            }
            Value::Object(fields) => {
                for (key, field) in fields {
                    total += key.len() + 4;
                    stack.push(field);
                }
                2
            }
            _ => 8,
        };
        if total > limit {
            return None;
        }
    }
    Some(total)
}

/// A scalar enum value as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
