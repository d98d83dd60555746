//! A spec's JSON text read lazily: the top-level members, and the members
//! of objects one and two levels down (`definitions`, `components/schemas`),
//! are indexed as slices of the text on first use; a path item or a `$ref`'s
//! target is parsed into a [`Value`] only when it is read. A whole FMC spec
//! as one `Value` tree takes about ten times its text. Targets are kept by
//! their place in the text (however the pointer spells it), so one
//! operation parses each target once; between operations they are kept up
//! to [`CACHE_TEXT`] bytes of their text. All parsing and indexing together
//! stops at [`parse_budget`] (a hostile spec could otherwise make each of
//! thousands of `$ref`s parse megabytes).

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
/// The most text whose parsed targets are kept from one operation to the
/// next (emptied when over).
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

    /// The members with a repeated name given once, in the first one's
    /// place with the last one's value (as a parsed object keeps them).
    pub fn last_of_each_name(self) -> Vec<(String, &'a RawValue)> {
        let mut places: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<(String, &'a RawValue)> = Vec::new();
        for (name, value) in self.0 {
            match places.get(&name) {
                Some(&at) => kept[at].1 = value,
                None => {
                    places.insert(name.clone(), kept.len());
                    kept.push((name, value));
                }
            }
        }
        kept
    }
}

/// Members by name (the last of a repeated name, as a parsed object keeps).
type Index<'a> = HashMap<String, &'a RawValue>;

fn index<'a>(members: Members<'a>) -> Rc<Index<'a>> {
    Rc::new(members.0.into_iter().collect())
}

/// A place in the document: the address of an indexed member's text, and
/// the unescaped tokens below it.
type Place = (usize, Vec<String>);

/// The document: its top-level members, and the objects indexed so far
/// by the address of their text.
pub struct Document<'a> {
    root: Rc<Index<'a>>,
    indexed: RefCell<HashMap<usize, Option<Rc<Index<'a>>>>>,
    /// Targets parsed, by place, and the length of the text they came from.
    cache: RefCell<(HashMap<Place, Rc<Value>>, usize)>,
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

    /// The target of a local `$ref` (`/definitions/Network`), parsed, or
    /// kept from an earlier parse of the same place.
    pub fn target(&self, pointer: &str) -> Option<Rc<Value>> {
        let (raw, rest) = self.place(pointer)?;
        let place = (raw.get().as_ptr() as usize, rest);
        if let Some(known) = self.cache.borrow().0.get(&place) {
            return Some(known.clone());
        }
        let mut value = self.parse(raw)?;
        if !place.1.is_empty() {
            let rest: String = place.1.iter().map(|t| format!("/{}", escape(t))).collect();
            value = value.pointer_mut(&rest).map(Value::take)?;
        }
        let value = Rc::new(value);
        let mut cache = self.cache.borrow_mut();
        cache.1 += raw.get().len();
        cache.0.insert(place, value.clone());
        Some(value)
    }

    /// An operation has been read: the targets it parsed are kept for the
    /// next only while they came from at most [`CACHE_TEXT`] of text.
    pub fn end_operation(&self) {
        let mut cache = self.cache.borrow_mut();
        if cache.1 > CACHE_TEXT {
            *cache = (HashMap::new(), 0);
        }
    }

    /// `raw` parsed, counted against the budget.
    fn parse(&self, raw: &RawValue) -> Option<Value> {
        self.charge(raw)?;
        serde_json::from_str(raw.get()).ok()
    }

    /// Counts reading `raw` against the budget; `None` past it.
    fn charge(&self, raw: &RawValue) -> Option<()> {
        let parsed = self.parsed.get().saturating_add(raw.get().len());
        self.parsed.set(parsed);
        (parsed <= self.budget).then_some(())
    }

    /// A top-level member as text.
    pub fn member(&self, name: &str) -> Option<&'a RawValue> {
        self.root.get(name).copied()
    }

    /// A top-level member, parsed.
    pub fn value(&self, name: &str) -> Option<Value> {
        serde_json::from_str(self.member(name)?.get()).ok()
    }

    /// Where a JSON pointer leads: the text of the deepest indexed member
    /// on its way, and the (unescaped) tokens below it; `None` when there
    /// is no such member (or for the whole document, `""`).
    fn place(&self, pointer: &str) -> Option<(&'a RawValue, Vec<String>)> {
        let mut tokens = pointer.strip_prefix('/')?.split('/').map(unescape);
        let mut index = self.root.clone();
        let mut depth = 0;
        loop {
            let raw = *index.get(&tokens.next()?)?;
            depth += 1;
            let rest: Vec<String> = tokens.clone().collect();
            if rest.is_empty() {
                return Some((raw, rest));
            }
            let next = match depth <= INDEXED_DEPTH {
                true => self.indexed(raw),
                false => None,
            };
            match next {
                Some(next) => index = next,
                None => return Some((raw, rest)),
            }
        }
    }

    /// The members of the object whose text is `raw`, indexed once.
    fn indexed(&self, raw: &'a RawValue) -> Option<Rc<Index<'a>>> {
        let at = raw.get().as_ptr() as usize;
        if let Some(known) = self.indexed.borrow().get(&at) {
            return known.clone();
        }
        let made = self
            .charge(raw)
            .and_then(|()| Members::parse(raw))
            .map(index);
        self.indexed.borrow_mut().insert(at, made.clone());
        made
    }
}

/// A pointer token with `~1` as `/` and `~0` as `~`.
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A token as a pointer spells it (`~` as `~0`, `/` as `~1`).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
