//! Following a collection's pages (`send --all-pages`, the app's "All
//! pages"): recognises the paging shape by the body (ASA `rangeInfo`, FMC
//! and FDM `paging`), says which page comes next, and merges every page's
//! `items` into the first page's document. Pure: the engine sends the pages.
//!
//! Every page is hostile input: a `next` link to another origin is refused
//! (credentials never go elsewhere), a page that repeats an offset or a
//! link, or does not advance, stops the walk, and the number of pages and
//! their bytes together are capped.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use url::Url;

use super::error::{Failure, FailureKind, Remedy, size_text};

/// The most pages one walk follows.
pub const MAX_PAGES: u32 = 10_000;

/// How a collection says where its next page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// ASA `rangeInfo`: `offset`, `limit`, `total`; the next offset is the
    /// offset plus the items received (the request's `limit` is kept).
    Asa,
    /// FMC `paging`: `offset`, `limit`, `count`, `pages`, `next` (links).
    Fmc,
    /// FDM `paging`: `offset`, `limit`, `count`, `next` and `prev` (links).
    Fdm,
}

impl Shape {
    fn field(self) -> &'static str {
        match self {
            Shape::Asa => "rangeInfo",
            Shape::Fmc | Shape::Fdm => "paging",
        }
    }
}

/// The page to fetch next: its URL, its number (from 1) and the number of
/// pages in all, when the collection says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub url: Url,
    pub number: u32,
    pub of: Option<u64>,
}

/// What follows a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Page(PageRequest),
    /// That was the last page (or the answer does not page).
    Done,
}

/// A walk through the pages of one collection.
#[derive(Debug)]
pub struct Walk {
    /// The first page's URL: every page keeps its origin.
    first: Url,
    /// The URL of the page awaited (the last one received once done).
    current: Url,
    max_bytes: u64,
    max_pages: u32,
    shape: Option<Shape>,
    /// The first page's document, member by member, as it came (set once
    /// a second page follows).
    head: Vec<(String, Box<RawValue>)>,
    /// The first page's bytes while it is the only page.
    first_body: Vec<u8>,
    items: Vec<Box<RawValue>>,
    bytes: u64,
    pages: u32,
    last_offset: Option<u64>,
    requested: HashSet<String>,
}

/// The members of a page this module reads; the rest stays raw.
#[derive(Deserialize)]
struct PageDoc<'a> {
    #[serde(borrow, default)]
    items: Option<&'a RawValue>,
    #[serde(rename = "rangeInfo", default)]
    range_info: Option<Value>,
    #[serde(default)]
    paging: Option<Value>,
}

/// `rangeInfo` or `paging`, read leniently: a field of the wrong type is
/// taken as missing.
#[derive(Debug, Default)]
struct Counts {
    offset: Option<u64>,
    limit: Option<u64>,
    total: Option<u64>,
    count: Option<u64>,
    pages: Option<u64>,
    /// FMC and FDM: links to the next page (normally one).
    next: Option<String>,
    /// Only FDM has `prev`.
    has_prev: bool,
}

impl Counts {
    fn of(value: &Value) -> Counts {
        let number = |name: &str| value.get(name).and_then(Value::as_u64);
        let next = value.get("next").and_then(|n| match n {
            Value::Array(links) => links.first().and_then(Value::as_str).map(str::to_string),
            Value::String(link) => Some(link.clone()),
            _ => None,
        });
        Counts {
            offset: number("offset"),
            limit: number("limit"),
            total: number("total"),
            count: number("count"),
            pages: number("pages"),
            next: next.filter(|n| !n.trim().is_empty()),
            has_prev: value.get("prev").is_some(),
        }
    }
}

impl Walk {
    /// A walk starting at `url`, whose pages together may hold at most
    /// `max_bytes` (the body size limit: `--max-body`, the app's setting).
    pub fn new(url: Url, max_bytes: u64) -> Walk {
        Walk {
            first: url.clone(),
            current: url,
            max_bytes,
            max_pages: MAX_PAGES,
            shape: None,
            head: Vec::new(),
            first_body: Vec::new(),
            items: Vec::new(),
            bytes: 0,
            pages: 0,
            last_offset: None,
            requested: HashSet::new(),
        }
    }

    /// The same walk with another page cap.
    pub fn with_max_pages(mut self, max_pages: u32) -> Walk {
        self.max_pages = max_pages;
        self
    }

    /// Pages received so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The URL of the page awaited (the last one received once done).
    pub fn current(&self) -> &Url {
        &self.current
    }

    /// The most bytes the page awaited may take: what is left of the cap.
    pub fn remaining(&self) -> u64 {
        self.max_bytes.saturating_sub(self.bytes)
    }

    /// The shape the first page showed, once a second page follows.
    pub fn shape(&self) -> Option<Shape> {
        self.shape
    }

    /// The failure for the page awaited passing what is left of the cap.
    pub fn overflow(&self) -> Failure {
        too_large(self.max_bytes, self.pages + 1)
    }

    /// Takes the (2xx) body of the page awaited; says what comes next.
    pub fn add(&mut self, body: &[u8]) -> Result<Next, Failure> {
        self.pages += 1;
        self.bytes = self.bytes.saturating_add(body.len() as u64);
        if self.bytes > self.max_bytes {
            return Err(too_large(self.max_bytes, self.pages));
        }
        if self.pages == 1 {
            self.requested.insert(self.current.to_string());
            return self.add_first(body);
        }
        let page = self.pages;
        let shape = self.shape.unwrap_or(Shape::Asa);
        let doc = page_doc(body).map_err(|e| {
            bad_page(format!(
                "page {page} is not a JSON page of this collection: {e}"
            ))
        })?;
        let counts = match shape {
            Shape::Asa => doc.range_info,
            Shape::Fmc | Shape::Fdm => doc.paging,
        }
        .map(|v| Counts::of(&v))
        .ok_or_else(|| {
            bad_page(format!(
                "page {page} has no `{}`: it is not a page of this collection",
                shape.field()
            ))
        })?;
        let items = items_of(doc.items, page)?;
        self.follow(shape, &counts, &items)
    }

    fn add_first(&mut self, body: &[u8]) -> Result<Next, Failure> {
        let Ok(doc) = page_doc(body) else {
            self.first_body = body.to_vec();
            return Ok(Next::Done);
        };
        let (shape, counts) = match (&doc.range_info, &doc.paging) {
            (Some(range), _) => (Shape::Asa, Counts::of(range)),
            (None, Some(paging)) => {
                let counts = Counts::of(paging);
                let shape = if counts.has_prev {
                    Shape::Fdm
                } else {
                    Shape::Fmc
                };
                (shape, counts)
            }
            (None, None) => {
                self.first_body = body.to_vec();
                return Ok(Next::Done);
            }
        };
        let items = items_of(doc.items, 1)?;
        let next = self.follow(shape, &counts, &items)?;
        if next == Next::Done {
            self.items.clear();
            self.first_body = body.to_vec();
        } else {
            self.shape = Some(shape);
            self.head = members(body).ok_or_else(|| bad_page("page 1 is not a JSON object"))?;
        }
        Ok(next)
    }

    /// Keeps a page's items and works out the next page.
    fn follow(
        &mut self,
        shape: Shape,
        counts: &Counts,
        items: &[&RawValue],
    ) -> Result<Next, Failure> {
        let page = self.pages;
        if let Some(offset) = counts.offset {
            if self.last_offset.is_some_and(|last| offset <= last) {
                return Err(bad_page(format!(
                    "page {page} repeats offset {offset}: the pages do not advance"
                )));
            }
            self.last_offset = Some(offset);
        }
        let next = match shape {
            Shape::Asa => {
                let offset = counts.offset.unwrap_or(0);
                let next = offset.saturating_add(items.len() as u64);
                match counts.total {
                    Some(total) if next < total && items.is_empty() => {
                        return Err(bad_page(format!(
                            "page {page} is empty at offset {offset} of {total}: the pages do not advance"
                        )));
                    }
                    Some(total) if next < total => Some(with_offset(&self.current, next)),
                    _ => None,
                }
            }
            Shape::Fmc | Shape::Fdm => match &counts.next {
                Some(_) if items.is_empty() => {
                    return Err(bad_page(format!(
                        "page {page} is empty but links a next page: the pages do not advance"
                    )));
                }
                Some(link) => Some(self.same_origin(link)?),
                None => None,
            },
        };
        self.items
            .extend(items.iter().map(|item| (*item).to_owned()));
        let Some(url) = next else {
            return Ok(Next::Done);
        };
        if !self.requested.insert(url.to_string()) {
            return Err(bad_page(format!(
                "page {page} links a page already received: the pages loop"
            )));
        }
        if page >= self.max_pages {
            return Err(Failure::new(
                FailureKind::TooLarge,
                format!(
                    "the collection has more than {} pages; the walk was stopped",
                    self.max_pages
                ),
                "Narrow the request (a filter), or raise its limit so that fewer pages are needed.",
            ));
        }
        self.current = url.clone();
        Ok(Next::Page(PageRequest {
            url,
            number: page + 1,
            of: total_pages(shape, counts, items.len() as u64, page),
        }))
    }

    /// A `next` link, refused unless it keeps the first page's scheme, host
    /// and port; only its path and query are used.
    fn same_origin(&self, link: &str) -> Result<Url, Failure> {
        let page = self.pages;
        let target = self
            .current
            .join(link)
            .map_err(|e| bad_page(format!("page {page} links a malformed next page: {e}")))?;
        if target.origin() != self.first.origin() {
            let mut failure = bad_page(format!(
                "page {page} links its next page at another origin ({}); not followed",
                target.origin().ascii_serialization()
            ));
            failure.hint = "apx sends credentials only to the scheme, host and port of the first page. If that origin is the same appliance, page by hand with offset and limit.".into();
            return Err(failure);
        }
        let mut url = self.first.clone();
        url.set_path(target.path());
        url.set_query(target.query());
        url.set_fragment(None);
        Ok(url)
    }

    /// The merged document: the first page's, its `items` holding every
    /// page's items in order. A single page comes back as it came.
    pub fn merged(self) -> Vec<u8> {
        if self.head.is_empty() {
            return self.first_body;
        }
        let mut out = Vec::with_capacity(usize::try_from(self.bytes).unwrap_or(0));
        out.push(b'{');
        let mut wrote_items = false;
        for (i, (name, value)) in self.head.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_name(&mut out, name);
            if name == "items" && !wrote_items {
                wrote_items = true;
                write_items(&mut out, &self.items);
            } else {
                out.extend_from_slice(value.get().as_bytes());
            }
        }
        if !wrote_items {
            out.push(b',');
            write_name(&mut out, "items");
            write_items(&mut out, &self.items);
        }
        out.push(b'}');
        out
    }
}

/// A page's members this module reads; the page must be a JSON object (a
/// derived struct would also take a list).
fn page_doc(body: &[u8]) -> Result<PageDoc<'_>, String> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => serde_json::from_slice(body).map_err(|e| e.to_string()),
        _ => Err("not a JSON object".to_string()),
    }
}

/// A page's `items`: a list, or none (FMC leaves an empty list out).
fn items_of(raw: Option<&RawValue>, page: u32) -> Result<Vec<&RawValue>, Failure> {
    match raw {
        None => Ok(Vec::new()),
        Some(raw) => serde_json::from_str(raw.get())
            .map_err(|_| bad_page(format!("the `items` of page {page} is not a list"))),
    }
}

fn bad_page(message: impl Into<String>) -> Failure {
    Failure::new(
        FailureKind::Http,
        message,
        "The appliance's paging is inconsistent: page by hand with offset and limit to see where.",
    )
}

/// The failure for pages that together passed `max_bytes` at `page`.
fn too_large(max_bytes: u64, page: u32) -> Failure {
    Failure::new(
        FailureKind::TooLarge,
        format!(
            "the pages together passed the {} limit at page {page}; the walk was stopped",
            size_text(max_bytes)
        ),
        "Narrow the request (a filter), or raise --max-body (in the app: View > Body size limit).",
    )
    .with_remedy(Remedy::RaiseBodyLimit)
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    // Serialising a string cannot fail.
    out.extend_from_slice(serde_json::to_string(name).unwrap_or_default().as_bytes());
    out.push(b':');
}

fn write_items(out: &mut Vec<u8>, items: &[Box<RawValue>]) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.get().as_bytes());
    }
    out.push(b']');
}

/// The pages in all, when the collection says (only when more than `page`).
fn total_pages(shape: Shape, counts: &Counts, received: u64, page: u32) -> Option<u64> {
    let page = u64::from(page);
    let of = match shape {
        Shape::Asa => {
            let size = counts.limit.filter(|&l| l > 0).unwrap_or(received).max(1);
            let next = counts.offset.unwrap_or(0).saturating_add(received);
            let left = counts.total?.saturating_sub(next);
            page.saturating_add(left.div_ceil(size))
        }
        Shape::Fmc | Shape::Fdm => match counts.pages.filter(|&p| p > 0) {
            Some(pages) => pages,
            None => counts.count?.div_ceil(counts.limit.filter(|&l| l > 0)?),
        },
    };
    (of > page).then_some(of)
}

/// `url` with its `offset` query parameter set to `offset` (added when
/// missing); every other parameter stays as it was written.
fn with_offset(url: &Url, offset: u64) -> Url {
    let mut parts: Vec<String> = Vec::new();
    let mut set = false;
    for part in url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        if part.split('=').next() == Some("offset") {
            if !set {
                parts.push(format!("offset={offset}"));
                set = true;
            }
        } else {
            parts.push(part.to_string());
        }
    }
    if !set {
        parts.push(format!("offset={offset}"));
    }
    let mut next = url.clone();
    next.set_query(Some(&parts.join("&")));
    next
}

/// A JSON object's members in order, values as they came.
fn members(body: &[u8]) -> Option<Vec<(String, Box<RawValue>)>> {
    struct Members;
    impl<'de> serde::de::Visitor<'de> for Members {
        type Value = Vec<(String, Box<RawValue>)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let members = serde::Deserializer::deserialize_map(&mut de, Members).ok()?;
    de.end().ok()?;
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BIG: u64 = 1 << 20;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn asa_page(offset: u64, limit: u64, total: u64, names: &[&str]) -> Vec<u8> {
        let items: Vec<Value> = names.iter().map(|n| json!({ "name": n })).collect();
        serde_json::to_vec(&json!({
            "kind": "collection#NetworkObj",
            "selfLink": "https://fw/api/objects/networkobjects",
            "rangeInfo": { "offset": offset, "limit": limit, "total": total },
            "items": items,
        }))
        .unwrap()
    }

    fn page(next: Next) -> PageRequest {
        match next {
            Next::Page(p) => p,
            Next::Done => panic!("expected another page"),
        }
    }

    #[test]
    fn asa_pages_advance_by_the_items_received_and_keep_the_limit() {
        let start = url("https://fw/api/objects/networkobjects?limit=2&q=a%20b");
        let mut walk = Walk::new(start, BIG);
        let second = page(walk.add(&asa_page(0, 2, 5, &["a", "b"])).unwrap());
        assert_eq!(
            second.url.as_str(),
            "https://fw/api/objects/networkobjects?limit=2&q=a%20b&offset=2"
        );
        assert_eq!((second.number, second.of), (2, Some(3)));
        let third = page(walk.add(&asa_page(2, 2, 5, &["c", "d"])).unwrap());
        assert!(third.url.as_str().ends_with("limit=2&q=a%20b&offset=4"));
        assert_eq!((third.number, third.of), (3, Some(3)));
        assert_eq!(walk.add(&asa_page(4, 2, 5, &["e"])).unwrap(), Next::Done);
        assert_eq!(walk.pages(), 3);
        let merged: Value = serde_json::from_slice(&walk.merged()).unwrap();
        let names: Vec<&str> = merged["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        // The first page's document, members in their order.
        assert_eq!(merged["rangeInfo"]["offset"], 0);
        let keys: Vec<&String> = merged.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["kind", "selfLink", "rangeInfo", "items"]);
    }

    #[test]
    fn an_existing_offset_is_replaced_not_repeated() {
        let start = url("https://fw/api/x?offset=0&limit=1&offset=9");
        let mut walk = Walk::new(start, BIG);
        let next = page(walk.add(&asa_page(0, 1, 2, &["a"])).unwrap());
        assert_eq!(next.url.query(), Some("offset=1&limit=1"));
    }

    #[test]
    fn a_single_page_comes_back_byte_for_byte() {
        let body = br#"{ "rangeInfo": {"offset": 0, "limit": 100, "total": 1}, "items": [ {"v": 1.50} ] }"#;
        let mut walk = Walk::new(url("https://fw/api/x"), BIG);
        assert_eq!(walk.add(body).unwrap(), Next::Done);
        assert_eq!(walk.merged(), body.to_vec());
        for other in [&b"not json"[..], b"[1, 2]", br#"{"items": [1]}"#] {
            let mut walk = Walk::new(url("https://fw/api/x"), BIG);
            assert_eq!(walk.add(other).unwrap(), Next::Done);
            assert_eq!(walk.merged(), other.to_vec());
        }
    }

    #[test]
    fn items_keep_their_bytes_across_the_merge() {
        let mut walk = Walk::new(url("https://fw/api/x"), BIG);
        walk.add(br#"{"rangeInfo":{"offset":0,"limit":1,"total":2},"items":[{"n":1.50,"big":123456789012345678901234567890}]}"#)
            .unwrap();
        walk.add(br#"{"rangeInfo":{"offset":1,"limit":1,"total":2},"items":[{"s":"\u00e9"}]}"#)
            .unwrap();
        let merged = String::from_utf8(walk.merged()).unwrap();
        assert_eq!(
            merged,
            r#"{"rangeInfo":{"offset":0,"limit":1,"total":2},"items":[{"n":1.50,"big":123456789012345678901234567890},{"s":"\u00e9"}]}"#
        );
    }

    fn fmc_page(offset: u64, next: Option<&str>, names: &[&str]) -> Vec<u8> {
        let items: Vec<Value> = names.iter().map(|n| json!({ "name": n })).collect();
        let mut paging = json!({ "offset": offset, "limit": 2, "count": 5, "pages": 3 });
        if let Some(next) = next {
            paging["next"] = json!([next]);
        }
        serde_json::to_vec(&json!({ "links": {"self": "x"}, "items": items, "paging": paging }))
            .unwrap()
    }

    #[test]
    fn fmc_follows_next_links_with_pages_known() {
        let start = url("https://fmc:8443/api/fmc_config/v1/domain/D/object/networks?limit=2");
        let mut walk = Walk::new(start, BIG);
        let two = page(
            walk.add(&fmc_page(
                0,
                Some(
                    "https://fmc:8443/api/fmc_config/v1/domain/D/object/networks?offset=2&limit=2",
                ),
                &["a", "b"],
            ))
            .unwrap(),
        );
        assert_eq!(walk.shape(), Some(Shape::Fmc));
        assert_eq!((two.number, two.of), (2, Some(3)));
        assert_eq!(two.url.query(), Some("offset=2&limit=2"));
        let three = page(
            walk.add(&fmc_page(
                2,
                Some("/api/fmc_config/v1/domain/D/object/networks?offset=4&limit=2"),
                &["c", "d"],
            ))
            .unwrap(),
        );
        assert_eq!(three.url.port(), Some(8443));
        assert_eq!(walk.add(&fmc_page(4, None, &["e"])).unwrap(), Next::Done);
        let merged: Value = serde_json::from_slice(&walk.merged()).unwrap();
        assert_eq!(merged["items"].as_array().unwrap().len(), 5);
        assert_eq!(merged["paging"]["offset"], 0);
    }

    #[test]
    fn fdm_is_told_by_prev_and_counts_its_pages() {
        let first = json!({
            "items": [{"name": "a"}, {"name": "b"}],
            "paging": {"prev": [], "next": ["https://ftd/api/fdm/v6/object/networks?offset=2&limit=2"],
                       "limit": 2, "offset": 0, "count": 3, "pages": 0}
        });
        let second = json!({
            "items": [{"name": "c"}],
            "paging": {"prev": ["https://ftd/api/fdm/v6/object/networks?offset=0&limit=2"], "next": [],
                       "limit": 2, "offset": 2, "count": 3, "pages": 0}
        });
        let mut walk = Walk::new(url("https://ftd/api/fdm/v6/object/networks?limit=2"), BIG);
        let two = page(walk.add(&serde_json::to_vec(&first).unwrap()).unwrap());
        assert_eq!(walk.shape(), Some(Shape::Fdm));
        assert_eq!((two.number, two.of), (2, Some(2)));
        assert_eq!(
            walk.add(&serde_json::to_vec(&second).unwrap()).unwrap(),
            Next::Done
        );
        let merged: Value = serde_json::from_slice(&walk.merged()).unwrap();
        assert_eq!(merged["items"][2]["name"], "c");
    }

    #[test]
    fn a_next_link_to_another_origin_is_refused() {
        for link in [
            "https://evil.example/api/x?offset=2",
            "http://fmc/api/x?offset=2",
            "https://fmc:444/api/x?offset=2",
            "//evil.example/api/x",
        ] {
            let mut walk = Walk::new(url("https://fmc/api/x"), BIG);
            let failure = walk.add(&fmc_page(0, Some(link), &["a"])).unwrap_err();
            assert_eq!(failure.kind, FailureKind::Http, "{link}");
            assert!(
                failure.message.contains("another origin"),
                "{link}: {}",
                failure.message
            );
        }
    }

    #[test]
    fn userinfo_and_fragments_of_a_next_link_are_dropped() {
        let mut walk = Walk::new(url("https://fmc/api/x"), BIG);
        let next = page(
            walk.add(&fmc_page(
                0,
                Some("https://eve:pw@fmc/api/x?offset=1#frag"),
                &["a"],
            ))
            .unwrap(),
        );
        assert_eq!(next.url.as_str(), "https://fmc/api/x?offset=1");
    }

    #[test]
    fn pages_that_do_not_advance_stop_the_walk() {
        // The same offset again.
        let mut walk = Walk::new(url("https://fw/api/x?limit=1"), BIG);
        walk.add(&asa_page(0, 1, 3, &["a"])).unwrap();
        let failure = walk.add(&asa_page(0, 1, 3, &["a"])).unwrap_err();
        assert!(
            failure.message.contains("repeats offset 0"),
            "{}",
            failure.message
        );
        // An empty page before the total.
        let mut walk = Walk::new(url("https://fw/api/x"), BIG);
        let failure = walk.add(&asa_page(0, 1, 3, &[])).unwrap_err();
        assert!(failure.message.contains("empty"), "{}", failure.message);
        // A link back to a page already received (no offsets to compare).
        let looping = br#"{"items":[1],"paging":{"next":["https://fmc/api/x"]}}"#;
        let mut walk = Walk::new(url("https://fmc/api/x"), BIG);
        let failure = walk.add(looping).unwrap_err();
        assert!(failure.message.contains("loop"), "{}", failure.message);
        // A later page that is not a page at all.
        let mut walk = Walk::new(url("https://fw/api/x"), BIG);
        walk.add(&asa_page(0, 1, 3, &["a"])).unwrap();
        assert!(walk.add(b"<html>").unwrap_err().message.contains("page 2"));
        let mut walk = Walk::new(url("https://fw/api/x"), BIG);
        walk.add(&asa_page(0, 1, 3, &["a"])).unwrap();
        let failure = walk.add(br#"{"items": []}"#).unwrap_err();
        assert!(
            failure.message.contains("no `rangeInfo`"),
            "{}",
            failure.message
        );
        let mut walk = Walk::new(url("https://fw/api/x"), BIG);
        let failure = walk
            .add(br#"{"rangeInfo":{"offset":0,"total":3},"items":{"a":1}}"#)
            .unwrap_err();
        assert!(
            failure.message.contains("not a list"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn the_pages_and_their_bytes_are_capped() {
        let mut walk = Walk::new(url("https://fw/api/x?limit=1"), BIG).with_max_pages(2);
        walk.add(&asa_page(0, 1, 5, &["a"])).unwrap();
        let failure = walk.add(&asa_page(1, 1, 5, &["b"])).unwrap_err();
        assert_eq!(failure.kind, FailureKind::TooLarge);
        assert!(
            failure.message.contains("more than 2 pages"),
            "{}",
            failure.message
        );

        let one = asa_page(0, 1, 5, &["a"]);
        let mut walk = Walk::new(url("https://fw/api/x?limit=1"), one.len() as u64 + 10);
        walk.add(&one).unwrap();
        assert_eq!(walk.remaining(), 10);
        let failure = walk.add(&asa_page(1, 1, 5, &["b"])).unwrap_err();
        assert_eq!(failure.kind, FailureKind::TooLarge);
        assert!(failure.message.contains("at page 2"), "{}", failure.message);
        assert!(walk.overflow().message.contains("at page 3"));
    }

    #[test]
    fn the_count_of_pages_is_only_given_when_known_and_sensible() {
        let counts = |v: Value| Counts::of(&v);
        let asa = counts(json!({"offset": 0, "limit": 100, "total": 250}));
        assert_eq!(total_pages(Shape::Asa, &asa, 100, 1), Some(3));
        let no_total = counts(json!({"offset": 0, "limit": 100}));
        assert_eq!(total_pages(Shape::Asa, &no_total, 100, 1), None);
        let lying = counts(json!({"pages": 1, "count": 0}));
        assert_eq!(total_pages(Shape::Fmc, &lying, 10, 1), None);
        let huge = counts(json!({"offset": 0, "limit": 0, "total": u64::MAX}));
        assert_eq!(total_pages(Shape::Asa, &huge, 0, 1), Some(u64::MAX));
        let wrong_types = counts(json!({"offset": "0", "limit": -1, "next": [5]}));
        assert_eq!(
            (wrong_types.offset, wrong_types.limit, wrong_types.next),
            (None, None, None)
        );
    }
}
