//! A spec's JSON text read lazily: the top-level members, and the members
//! of objects one and two levels down (`definitions`, `components/schemas`),
//! are indexed as slices of the text on first use; a path item or a `$ref`'s
//! target is parsed into a [`Value`] only when it is read. A whole FMC spec
//! as one `Value` tree takes about ten times its text; here the targets
//! parsed recently are kept up to [`CACHE_TEXT`] bytes of their text, and
//! all parsing of targets together stops at [`parse_budget`] (a hostile
//! spec could otherwise make each of thousands of `$ref`s parse megabytes).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// The deepest objects whose members are indexed (`/components/schemas`,
/// `/definitions/Network`); below them a target is found by parsing the
/// member of the deepest indexed object on its way.
const INDEXED_DEPTH: usize = 2;
/// The most text whose parsed targets are kept (emptied when full).
const CACHE_TEXT: usize = 256 << 10;

/// The most text parsed for `$ref` targets in a spec of `len` bytes: 16
/// MiB and 32 times the spec (an FMC spec of 3.5 MB, with the targets kept,
/// parses about 4 MB).
pub fn parse_budget(len: usize) -> usize {
    (16 << 20) + len.saturating_mul(32)
}

/// An object's members in document order, their values left as text.
pub struct Members<'a>(pub Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Collect;
        impl<'de> Visitor<'de> for Collect {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Collect)
    }
}

impl<'a> Members<'a> {
    /// The object in `raw`, or `None` when it is not one.
    pub fn parse(raw: &'a RawValue) -> Option<Members<'a>> {
        serde_json::from_str(raw.get()).ok()
    }
}

/// Members by name (the last of a repeated name, as a parsed object keeps).
type Index<'a> = HashMap<String, &'a RawValue>;

fn index<'a>(members: Members<'a>) -> Rc<Index<'a>> {
    Rc::new(members.0.into_iter().collect())
}

/// The document: its top-level members, and the objects indexed so far
/// by their pointer.
pub struct Document<'a> {
    root: Rc<Index<'a>>,
    indexed: RefCell<HashMap<String, Option<Rc<Index<'a>>>>>,
    /// Targets parsed recently, by pointer, and the text they came from.
    cache: RefCell<(HashMap<String, Rc<Value>>, usize)>,
    /// Text parsed for targets so far, and the most allowed.
    parsed: Cell<usize>,
    budget: usize,
}

impl<'a> Document<'a> {
    /// The document whose top-level members are `root`, of `len` bytes.
    pub fn new(root: Members<'a>, len: usize) -> Document<'a> {
        Document {
            root: index(root),
            indexed: RefCell::new(HashMap::new()),
            cache: RefCell::new((HashMap::new(), 0)),
            parsed: Cell::new(0),
            budget: parse_budget(len),
        }
    }

    /// Whether parsing targets stopped at its budget (the targets asked
    /// for since were `None`).
    pub fn exhausted(&self) -> bool {
        self.parsed.get() > self.budget
    }

    /// The target of a local `$ref` (`/definitions/Network`), parsed or
    /// kept from a recent parse.
    pub fn target(&self, pointer: &str) -> Option<Rc<Value>> {
        if let Some(known) = self.cache.borrow().0.get(pointer) {
            return Some(known.clone());
        }
        let (value, text) = self.pointer(pointer)?;
        let value = Rc::new(value);
        let mut cache = self.cache.borrow_mut();
        if cache.1 + text > CACHE_TEXT {
            *cache = (HashMap::new(), 0);
        }
        if text <= CACHE_TEXT {
            cache.0.insert(pointer.to_string(), value.clone());
            cache.1 += text;
        }
        Some(value)
    }

    /// `raw` parsed, counted against the budget.
    fn parse(&self, raw: &RawValue) -> Option<Value> {
        let parsed = self.parsed.get().saturating_add(raw.get().len());
        self.parsed.set(parsed);
        if parsed > self.budget {
            return None;
        }
        serde_json::from_str(raw.get()).ok()
    }

    /// A top-level member as text.
    pub fn member(&self, name: &str) -> Option<&'a RawValue> {
        self.root.get(name).copied()
    }

    /// A top-level member, parsed.
    pub fn value(&self, name: &str) -> Option<Value> {
        serde_json::from_str(self.member(name)?.get()).ok()
    }

    /// The value at a JSON pointer, parsed, and the length of the text
    /// parsed; `None` when there is none (or for the whole document, `""`).
    fn pointer(&self, pointer: &str) -> Option<(Value, usize)> {
        let mut tokens = pointer.strip_prefix('/')?.split('/');
        let mut index = self.root.clone();
        let mut prefix = String::new();
        let mut depth = 0;
        loop {
            let token = tokens.next()?;
            let raw = *index.get(unescape(token).as_ref())?;
            prefix.push('/');
            prefix.push_str(token);
            depth += 1;
            let rest: Vec<&str> = tokens.clone().collect();
            if rest.is_empty() {
                return Some((self.parse(raw)?, raw.get().len()));
            }
            let next = match depth <= INDEXED_DEPTH {
                true => self.indexed(&prefix, raw),
                false => None,
            };
            match next {
                Some(next) => index = next,
                None => {
                    let mut value = self.parse(raw)?;
                    let rest = format!("/{}", rest.join("/"));
                    let target = value.pointer_mut(&rest).map(Value::take)?;
                    return Some((target, raw.get().len()));
                }
            }
        }
    }

    /// The members of the object at `prefix` (whose text is `raw`),
    /// indexed once.
    fn indexed(&self, prefix: &str, raw: &'a RawValue) -> Option<Rc<Index<'a>>> {
        if let Some(known) = self.indexed.borrow().get(prefix) {
            return known.clone();
        }
        let made = Members::parse(raw).map(index);
        self.indexed
            .borrow_mut()
            .insert(prefix.to_string(), made.clone());
        made
    }
}

/// A pointer token with `~1` as `/` and `~0` as `~`.
fn unescape(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}
