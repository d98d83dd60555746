//! The object tables the simulated FMC and FDM serve (network and host
//! objects), and the paging both walk them with. An object's id is derived
//! from its kind and name (uuid-shaped, as the appliances' ids are), so that
//! a shipped create/delete pair can name the id and run again.

use serde_json::{Map, Value, json};

use super::appliance::random_hex;

/// The id of the object of `kind` named `name`.
pub fn object_id(kind: &str, name: &str) -> String {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{kind}/{name}").as_bytes(),
    );
    uuid_shaped(
        &digest
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    )
}

fn uuid_shaped(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Objects of one kind, in creation order.
pub(crate) struct ObjectTable {
    /// `Network`, `Host` (FMC) or `networkobject` (FDM).
    kind: &'static str,
    items: Vec<Map<String, Value>>,
}

/// The most objects a table takes (creations past it are refused).
pub(crate) const MAX_OBJECTS: usize = 10_000;

/// A uuid-shaped random id (deployment jobs and tasks).
pub(crate) fn new_id() -> String {
    uuid_shaped(&random_hex(16).unwrap_or_else(|| "0".repeat(32)))
}

impl ObjectTable {
    /// `count` objects named `{prefix}-{n}` with values `10.{n/250}.{n%250}.0/24`
    /// (`/32` host addresses when `host`).
    pub(crate) fn seeded(kind: &'static str, prefix: &str, count: usize, host: bool) -> Self {
        let items = (1..=count)
            .map(|n| {
                let value = if host {
                    format!("192.0.2.{n}")
                } else {
                    format!("10.{}.{}.0/24", n / 250, n % 250)
                };
                object(kind, &format!("{prefix}-{n}"), &value)
            })
            .collect();
        ObjectTable { kind, items }
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn page(&self, offset: usize, limit: usize) -> &[Map<String, Value>] {
        let start = offset.min(self.items.len());
        let end = start.saturating_add(limit).min(self.items.len());
        &self.items[start..end]
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Map<String, Value>> {
        self.items.iter().find(|o| o["id"] == id)
    }

    pub(crate) fn has_name(&self, name: &str) -> bool {
        self.items.iter().any(|o| o["name"] == name)
    }

    /// Adds an object from a request body's `name` and `value`; the caller
    /// has checked both.
    pub(crate) fn create(&mut self, name: &str, value: &str) -> Map<String, Value> {
        let created = object(self.kind, name, value);
        self.items.push(created.clone());
        created
    }

    pub(crate) fn delete(&mut self, id: &str) -> Option<Map<String, Value>> {
        let at = self.items.iter().position(|o| o["id"] == id)?;
        Some(self.items.remove(at))
    }
}

fn object(kind: &str, name: &str, value: &str) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": object_id(kind, name),
        "name": name,
        "type": kind,
        "value": value,
        "description": format!("demo {} {name}", kind.to_ascii_lowercase()),
    }) else {
        return Map::new();
    };
    map
}

/// `offset` and `limit` query parameters: defaults when absent, None when
/// not numbers; `limit` at most `max_limit`.
pub(crate) fn paging_params(
    offset: Option<&str>,
    limit: Option<&str>,
    default_limit: usize,
    max_limit: usize,
) -> Option<(usize, usize)> {
    let offset = match offset {
        Some(o) => o.trim().parse().ok()?,
        None => 0,
    };
    let limit = match limit {
        Some(l) => l.trim().parse::<usize>().ok()?.clamp(1, max_limit),
        None => default_limit,
    };
    Some((offset, limit))
}

/// The `name` and `value` a create body must carry, or what is wrong.
pub(crate) fn name_and_value(body: &[u8]) -> Result<(String, String), &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| "body")?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let name = text("name").ok_or("name")?;
    let value = text("value").ok_or("value")?;
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_page_and_change() {
        let mut t = ObjectTable::seeded("Network", "net", 30, false);
        assert_eq!(t.len(), 30);
        assert_eq!(t.page(25, 25).len(), 5);
        assert!(t.page(40, 5).is_empty());
        assert!(t.has_name("net-30"));
        let created = t.create("web", "10.9.9.0/24");
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(id, object_id("Network", "web"));
        assert!(t.get(&id).is_some());
        assert!(t.delete(&id).is_some());
        assert!(t.get(&id).is_none());
        assert_eq!(paging_params(None, Some("5000"), 25, 1000), Some((0, 1000)));
        assert_eq!(paging_params(Some("x"), None, 25, 1000), None);
        assert_eq!(
            name_and_value(br#"{"name":"a","value":"1.1.1.1"}"#),
            Ok(("a".into(), "1.1.1.1".into()))
        );
        assert_eq!(name_and_value(br#"{"value":"1"}"#), Err("name"));
    }
}
