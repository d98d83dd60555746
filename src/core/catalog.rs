//! A device's or platform's catalog: the built-in endpoints overlaid by
//! imported operations (an import replaces a built-in with the same method
//! and path), searched by words in any order. Each entry keeps its text in
//! lower case, so a search per keystroke only compares.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::core::openapi::Operation;
use crate::core::platform::Platform;
use crate::core::platform::catalog::{Endpoint, endpoints};

/// The operations of a catalog, searchable.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    operations: Vec<Operation>,
    /// Per operation: path, summary, tag and operationId, lower case.
    haystacks: Vec<String>,
}

impl Catalog {
    /// The platform's built-ins, then each layer of imports over them in turn
    /// (e.g. the platform's import, then the device's own).
    pub fn new(platform: Platform, layers: impl IntoIterator<Item = Vec<Operation>>) -> Catalog {
        let mut operations: Vec<Operation> = endpoints(platform).iter().map(builtin).collect();
        let mut slots: HashMap<(String, String), usize> = operations
            .iter()
            .enumerate()
            .map(|(i, o)| (endpoint(o), i))
            .collect();
        for layer in layers {
            for op in layer {
                match slots.entry(endpoint(&op)) {
                    Entry::Occupied(slot) => operations[*slot.get()] = op,
                    Entry::Vacant(slot) => {
                        slot.insert(operations.len());
                        operations.push(op);
                    }
                }
            }
        }
        let haystacks = operations
            .iter()
            .map(|o| {
                format!("{} {} {} {}", o.path, o.summary, o.tag, o.operation_id).to_lowercase()
            })
            .collect();
        Catalog {
            operations,
            haystacks,
        }
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn len(&self) -> usize {
        self.operations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The indices of the operations whose text holds every word of `text`
    /// (split on whitespace, case-insensitive), in catalog order.
    pub fn search(&self, text: &str) -> Vec<usize> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        self.haystacks
            .iter()
            .enumerate()
            .filter(|(_, h)| words.iter().all(|w| h.contains(w.as_str())))
            .map(|(i, _)| i)
            .collect()
    }
}

/// What makes two operations the same endpoint: the method, and the path
/// without its query.
fn endpoint(op: &Operation) -> (String, String) {
    let bare = op.path.split('?').next().unwrap_or("");
    (op.method.to_ascii_uppercase(), bare.to_string())
}

/// A built-in endpoint as an operation.
fn builtin(e: &Endpoint) -> Operation {
    Operation {
        method: e.method.to_string(),
        path: e.path.to_string(),
        summary: e.summary.to_string(),
        tag: String::new(),
        operation_id: String::new(),
        parameters: Vec::new(),
        description: String::new(),
        body: e.body.filter(|b| !b.is_empty()).map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, summary: &str, tag: &str) -> Operation {
        Operation {
            method: method.into(),
            path: path.into(),
            summary: summary.into(),
            tag: tag.into(),
            operation_id: String::new(),
            parameters: Vec::new(),
            description: String::new(),
            body: None,
        }
    }

    #[test]
    fn imports_replace_builtins_with_the_same_method_and_path() {
        let builtins = endpoints(Platform::Fxos).len();
        let catalog = Catalog::new(
            Platform::Fxos,
            [vec![
                op("get", "/api/sys/firmware", "Firmware (spec)", "System"),
                op("GET", "/api/new", "New", "System"),
            ]],
        );
        assert_eq!(catalog.len(), builtins + 1);
        assert_eq!(catalog.operations()[0].summary, "Firmware (spec)");
    }

    #[test]
    fn search_takes_words_in_any_order_case_insensitive() {
        let catalog = Catalog::new(
            Platform::Generic,
            [vec![
                op(
                    "GET",
                    "/object/networks",
                    "List network objects",
                    "NetworkObject",
                ),
                op("GET", "/object/hosts", "List hosts", "HostObject"),
            ]],
        );
        assert_eq!(catalog.search("OBJECTS network"), [0]);
        assert_eq!(catalog.search("  "), [0, 1]);
        assert_eq!(catalog.search("hostobject list"), [1]);
        assert!(catalog.search("network hosts").is_empty());
    }
}
