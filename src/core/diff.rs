//! A structural diff of two JSON documents: what was added, removed or
//! changed, each at a JSON pointer (RFC 6901). Arrays of objects that carry
//! `id`, `objectId`, `uuid` or `name` are matched by that key rather than by
//! position, so a reordered list is no change; the pointer then names the
//! key (`/items/web-server`). Paths can be ignored with globs (`*` one
//! segment, `**` any number). Work is linear in the documents' size (keyed
//! matching goes through a hash map).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// The fields that identify an object in an array, in order of preference.
pub const KEY_FIELDS: [&str; 4] = ["id", "objectId", "uuid", "name"];

/// What the app's diff window ignores until the user edits it: links to
/// the object itself (ASA `selfLink`, FMC and FDM `links`) and FMC's
/// modification time, which differ between devices and between reads of
/// an unchanged object. `apx diff` ignores only what `--ignore` names.
pub const DEFAULT_IGNORE: [&str; 3] = ["/**/links", "/**/selfLink", "/**/metadata/timestamp"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Add,
    Remove,
    Change,
}

/// One difference; `old` is null for an add, `new` for a remove.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub op: Op,
    pub path: String,
    pub old: Value,
    pub new: Value,
}

/// A path pattern of `--ignore`: a JSON pointer whose segments may be `*`
/// (one segment) or `**` (any number, none included).
#[derive(Debug, Clone, PartialEq)]
pub struct Ignore {
    segments: Vec<String>,
}

impl Ignore {
    /// Parses a pattern; it must be a JSON pointer (start with `/`).
    pub fn parse(pattern: &str) -> Result<Ignore, String> {
        let Some(rest) = pattern.strip_prefix('/') else {
            return Err(format!(
                "{pattern:?} is not a path: it must start with / (e.g. /**/links)"
            ));
        };
        Ok(Ignore {
            segments: rest.split('/').map(unescape).collect(),
        })
    }

    /// Whether `path` (unescaped segments) matches the whole pattern.
    fn matches(&self, path: &[String]) -> bool {
        // reach[j]: the pattern's first i segments can match path[..j].
        let mut reach = vec![false; path.len() + 1];
        reach[0] = true;
        for segment in &self.segments {
            let mut next = vec![false; path.len() + 1];
            if segment == "**" {
                let mut any = false;
                for j in 0..=path.len() {
                    any |= reach[j];
                    next[j] = any;
                }
            } else {
                for j in 0..path.len() {
                    next[j + 1] = reach[j] && (segment == "*" || *segment == path[j]);
                }
            }
            reach = next;
        }
        reach[path.len()]
    }
}

/// The differences from `a` to `b`, in document order; none when equal
/// (ignored paths aside).
pub fn diff(a: &Value, b: &Value, ignore: &[Ignore]) -> Vec<Change> {
    let unbounded = Limits {
        changes: usize::MAX,
        bytes: usize::MAX,
    };
    diff_within(a, b, ignore, unbounded).changes
}

/// How much of the changes [`diff_within`] keeps: at most `changes` of
/// them, holding at most about `bytes` of pointers and values. Past that
/// they are only counted (no pointer built, no value copied): two hostile
/// bodies of a few MiB cannot make it hold gigabytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub changes: usize,
    pub bytes: usize,
}

/// The changes kept, and how many there are in all by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bounded {
    pub changes: Vec<Change>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

impl Bounded {
    pub fn total(&self) -> usize {
        self.added + self.removed + self.changed
    }
}

/// [`diff`], keeping only what `limits` allow.
pub fn diff_within(a: &Value, b: &Value, ignore: &[Ignore], limits: Limits) -> Bounded {
    let mut walk = Walk {
        ignore,
        path: Vec::new(),
        kept: Bounded::default(),
        limits,
        bytes: 0,
    };
    walk.value(a, b);
    walk.kept
}

/// About how many bytes `value` holds (its JSON text, roughly).
fn approx_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 8,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(approx_size).sum::<usize>() + 2,
        Value::Object(map) => {
            map.iter()
                .map(|(k, v)| k.len() + 4 + approx_size(v))
                .sum::<usize>()
                + 2
        }
    }
}

/// What of a document is compared: the `body` of a `send --json` document
/// (an object with `request`, `status` and `body`), else the whole.
pub fn compared(document: Value) -> Value {
    match document {
        Value::Object(mut map) if map.contains_key("request") && map.contains_key("status") => {
            map.remove("body").unwrap_or(Value::Null)
        }
        other => other,
    }
}

/// `token` escaped for a JSON pointer: `~` as `~0`, `/` as `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

struct Walk<'a> {
    ignore: &'a [Ignore],
    /// Unescaped segments of the current path.
    path: Vec<String>,
    kept: Bounded,
    limits: Limits,
    /// What the kept changes hold, about.
    bytes: usize,
}

impl Walk<'_> {
    fn pointer(&self) -> String {
        self.path
            .iter()
            .map(|s| format!("/{}", escape(s)))
            .collect()
    }

    fn ignored(&self) -> bool {
        self.ignore.iter().any(|i| i.matches(&self.path))
    }

    fn push(&mut self, op: Op, old: &Value, new: &Value) {
        if self.ignored() {
            return;
        }
        let count = match op {
            Op::Add => &mut self.kept.added,
            Op::Remove => &mut self.kept.removed,
            Op::Change => &mut self.kept.changed,
        };
        *count += 1;
        if self.kept.changes.len() >= self.limits.changes || self.bytes >= self.limits.bytes {
            return;
        }
        let path = self.pointer();
        self.bytes = self
            .bytes
            .saturating_add(path.len() + approx_size(old) + approx_size(new));
        self.kept.changes.push(Change {
            op,
            path,
            old: old.clone(),
            new: new.clone(),
        });
    }

    /// Compares `a` and `b` at `segment` below the current path.
    fn child(&mut self, segment: String, a: Option<&Value>, b: Option<&Value>) {
        self.path.push(segment);
        match (a, b) {
            (Some(a), Some(b)) => self.value(a, b),
            (Some(a), None) => self.push(Op::Remove, a, &Value::Null),
            (None, Some(b)) => self.push(Op::Add, &Value::Null, b),
            (None, None) => {}
        }
        self.path.pop();
    }

    fn value(&mut self, a: &Value, b: &Value) {
        if self.ignored() || a == b {
            return;
        }
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => self.object(a, b),
            (Value::Array(a), Value::Array(b)) => match (keyed(a), keyed(b)) {
                (Some(ka), Some(kb)) => self.keyed(a, &ka, b, &kb),
                _ => self.positional(a, b),
            },
            _ => self.push(Op::Change, a, b),
        }
    }

    fn object(&mut self, a: &Map<String, Value>, b: &Map<String, Value>) {
        for (key, old) in a {
            self.child(key.clone(), Some(old), b.get(key));
        }
        for (key, new) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
            self.child(key.clone(), None, Some(new));
        }
    }

    fn positional(&mut self, a: &[Value], b: &[Value]) {
        for i in 0..a.len().max(b.len()) {
            self.child(i.to_string(), a.get(i), b.get(i));
        }
    }

    fn keyed(&mut self, a: &[Value], ka: &[String], b: &[Value], kb: &[String]) {
        let in_b: HashMap<&str, usize> = kb
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let in_a: HashMap<&str, usize> = ka
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        for (key, old) in ka.iter().zip(a) {
            let new = in_b.get(key.as_str()).map(|&i| &b[i]);
            self.child(key.clone(), Some(old), new);
        }
        for (key, new) in kb.iter().zip(b) {
            if !in_a.contains_key(key.as_str()) {
                self.child(key.clone(), None, Some(new));
            }
        }
    }
}

/// The key of each element when every element is an object with a key
/// field (string or number) and no key repeats; else `None` (positions).
fn keyed(items: &[Value]) -> Option<Vec<String>> {
    if items.is_empty() {
        return None;
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    let mut keys = Vec::with_capacity(items.len());
    for item in items {
        let object = item.as_object()?;
        let key = KEY_FIELDS.iter().find_map(|f| match object.get(*f)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })?;
        if !seen.insert(key.clone()) {
            return None;
        }
        keys.push(key);
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn ignore(patterns: &[&str]) -> Vec<Ignore> {
        patterns.iter().map(|p| Ignore::parse(p).unwrap()).collect()
    }

    fn lines(a: Value, b: Value, patterns: &[&str]) -> Vec<(Op, String)> {
        diff(&a, &b, &ignore(patterns))
            .into_iter()
            .map(|c| (c.op, c.path))
            .collect()
    }

    #[test]
    fn added_removed_and_changed_with_pointers() {
        let a = json!({"a": 1, "b": {"c": [1, 2, 3]}, "x/y": "~", "gone": true});
        let b = json!({"a": 2, "b": {"c": [1, 5]}, "x/y": "~~", "new": null});
        let changes = diff(&a, &b, &[]);
        assert_eq!(
            changes,
            [
                Change {
                    op: Op::Change,
                    path: "/a".into(),
                    old: json!(1),
                    new: json!(2)
                },
                Change {
                    op: Op::Change,
                    path: "/b/c/1".into(),
                    old: json!(2),
                    new: json!(5)
                },
                Change {
                    op: Op::Remove,
                    path: "/b/c/2".into(),
                    old: json!(3),
                    new: Value::Null
                },
                Change {
                    op: Op::Change,
                    path: "/x~1y".into(),
                    old: json!("~"),
                    new: json!("~~")
                },
                Change {
                    op: Op::Remove,
                    path: "/gone".into(),
                    old: json!(true),
                    new: Value::Null
                },
                Change {
                    op: Op::Add,
                    path: "/new".into(),
                    old: Value::Null,
                    new: Value::Null
                },
            ]
        );
        assert_eq!(
            lines(json!(1), json!("1"), &[]),
            [(Op::Change, String::new())]
        );
    }

    #[test]
    fn arrays_of_objects_are_matched_by_key() {
        let a = json!({"items": [
            {"objectId": "web-server", "host": "10.1.1.10"},
            {"objectId": "db", "host": "10.1.1.20"},
            {"objectId": "a/b~c", "host": "x"},
        ]});
        let b = json!({"items": [
            {"objectId": "a/b~c", "host": "x"},
            {"objectId": "new", "host": "10.9.9.9"},
            {"objectId": "web-server", "host": "10.1.1.11"},
        ]});
        assert_eq!(
            lines(a, b, &[]),
            [
                (Op::Change, "/items/web-server/host".into()),
                (Op::Remove, "/items/db".into()),
                (Op::Add, "/items/new".into()),
            ]
        );
        // `id` comes before `name`; an object with both is keyed by `id`.
        let a = json!([{"id": 1, "name": "x"}, {"id": 2, "name": "y"}]);
        let b = json!([{"id": 2, "name": "y"}, {"id": 1, "name": "z"}]);
        assert_eq!(lines(a, b, &[]), [(Op::Change, "/1/name".into())]);
        // Repeated keys fall back to positions.
        let a = json!([{"name": "x", "v": 1}, {"name": "x", "v": 2}]);
        let b = json!([{"name": "x", "v": 2}, {"name": "x", "v": 1}]);
        assert_eq!(lines(a, b, &[]).len(), 2);
    }

    #[test]
    fn ignored_paths_and_everything_under_them() {
        let a = json!({"links": {"self": "a"}, "items": [{"name": "n", "selfLink": "a", "v": 1}], "meta": {"t": 1}});
        let b = json!({"links": {"self": "b"}, "items": [{"name": "n", "selfLink": "b", "v": 2}], "meta": {"t": 2}});
        assert_eq!(
            lines(
                a.clone(),
                b.clone(),
                &["/**/links", "/**/selfLink", "/meta/*"]
            ),
            [(Op::Change, "/items/n/v".into())]
        );
        assert_eq!(lines(a.clone(), b.clone(), &["/**"]), []);
        assert_eq!(lines(a.clone(), b.clone(), &["/items/*/v", "/*"]), []);
        assert_eq!(lines(a, b, &["/items"]).len(), 2);
        assert!(Ignore::parse("links").is_err());
        let escaped = ignore(&["/a~1b"]);
        assert!(escaped[0].matches(&["a/b".to_string()]));
    }

    #[test]
    fn the_default_ignores_drop_links_and_timestamps_only() {
        let a = json!({"links": {"self": "https://a/x"}, "items": [
            {"id": "1", "selfLink": "https://a/1", "metadata": {"timestamp": 1, "domain": "G"}, "v": 1},
        ]});
        let b = json!({"links": {"self": "https://b/x"}, "items": [
            {"id": "1", "selfLink": "https://b/1", "metadata": {"timestamp": 2, "domain": "L"}, "v": 2},
        ]});
        assert_eq!(
            lines(a, b, &DEFAULT_IGNORE),
            [
                (Op::Change, "/items/1/metadata/domain".into()),
                (Op::Change, "/items/1/v".into()),
            ]
        );
    }

    #[test]
    fn a_send_document_compares_its_body() {
        let doc = json!({"request": {}, "status": 200, "body": {"a": 1}});
        assert_eq!(compared(doc), json!({"a": 1}));
        assert_eq!(compared(json!({"status": 1})), json!({"status": 1}));
    }

    #[test]
    fn large_keyed_arrays_stay_linear() {
        let n = 200_000;
        let a: Vec<Value> = (0..n).map(|i| json!({"id": i, "v": i})).collect();
        let mut b = a.clone();
        b.reverse();
        b[0] = json!({"id": n - 1, "v": -1});
        // Matching by position or by a linear search would not finish.
        let changes = diff(&Value::Array(a), &Value::Array(b), &[]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, format!("/{}/v", n - 1));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-5i64..5).prop_map(Value::from),
            "[a-c~/]{0,3}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-d~/]{0,2}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Applies `changes` (from a diff without keyed arrays) to `doc`.
    fn apply(doc: &mut Value, changes: &[Change]) {
        fn parent<'v>(doc: &'v mut Value, path: &str) -> (&'v mut Value, String) {
            let mut segments: Vec<String> = path.split('/').skip(1).map(unescape).collect();
            let last = segments.pop().unwrap();
            let mut at = doc;
            for s in segments {
                at = match at {
                    Value::Array(items) => &mut items[s.parse::<usize>().unwrap()],
                    Value::Object(map) => map.get_mut(&s).unwrap(),
                    _ => unreachable!(),
                };
            }
            (at, last)
        }
        let removes: Vec<&Change> = changes.iter().filter(|c| c.op == Op::Remove).collect();
        for c in changes.iter().filter(|c| c.op == Op::Change) {
            if c.path.is_empty() {
                *doc = c.new.clone();
                continue;
            }
            let (at, last) = parent(doc, &c.path);
            match at {
                Value::Array(items) => items[last.parse::<usize>().unwrap()] = c.new.clone(),
                Value::Object(map) => {
                    map.insert(last, c.new.clone());
                }
                _ => unreachable!(),
            }
        }
        for c in removes.iter().rev() {
            let (at, last) = parent(doc, &c.path);
            match at {
                Value::Array(items) => {
                    items.remove(last.parse::<usize>().unwrap());
                }
                Value::Object(map) => {
                    map.shift_remove(&last);
                }
                _ => unreachable!(),
            }
        }
        for c in changes.iter().filter(|c| c.op == Op::Add) {
            let (at, last) = parent(doc, &c.path);
            match at {
                Value::Array(items) => items.push(c.new.clone()),
                Value::Object(map) => {
                    map.insert(last, c.new.clone());
                }
                _ => unreachable!(),
            }
        }
    }

    /// Equal as JSON, whatever the order of object members.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
            }
            _ => a == b,
        }
    }

    proptest! {
        #[test]
        fn a_document_equals_itself(a in json_value()) {
            prop_assert!(diff(&a, &a, &[]).is_empty());
        }

        #[test]
        fn applying_the_changes_explains_every_difference(a in json_value(), b in json_value()) {
            let changes = diff(&a, &b, &[]);
            prop_assert_eq!(changes.is_empty(), a == b);
            let mut patched = a.clone();
            apply(&mut patched, &changes);
            prop_assert!(same(&patched, &b), "{} + {:?} = {} != {}", a, changes, patched, b);
        }

        #[test]
        fn ignoring_everything_leaves_no_change(a in json_value(), b in json_value()) {
            prop_assert!(diff(&a, &b, &ignore(&["/**"])).is_empty());
        }
    }
}
