//! Property tests: every parser and decoder takes arbitrary or mutated input
//! and answers with a value or a clear error, never a panic.

use std::collections::BTreeMap;

use apx::core::interop::{import_curl, import_postman};
use apx::core::platform::Platform;
use apx::core::pretty_json;
use apx::core::request::{Header, check_json, resolve_target, substitute};
use apx::core::tls::{hostname_matches, normalize_fingerprint, parse_cert};
use apx::core::workspace::Workspace;
use proptest::prelude::*;
use serde_json::Value;

const ERROR_BODIES: [&str; 3] = [
    r#"{"messages":[{"level":"Error","code":"DUPLICATE","details":"exists","context":"objectId"}]}"#,
    r#"{"error-code":"552","error-description":"Authorization required","error-nr":"service-unavailable"}"#,
    r#"{"error":{"message":"Unexpected attribute - starts_with.","code":"404","explanation":"404 = Nothing matches the given URI."}}"#,
];

/// A known-good input with bytes flipped, removed or inserted.
fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..8).prop_map(move |edits| {
        let mut bytes = seed.as_bytes().to_vec();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at % bytes.len();
            match op {
                0 => bytes[i] = byte,
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, byte),
            }
        }
        bytes
    })
}

const POSTMAN: &str = include_str!("fixtures/postman_v20.json");
const CURL: &str = r#"curl -k -u admin:"$APX_PASSWORD" -H 'User-Agent: REST API Agent' -X POST --data-raw '{"commands": ["show version"]}' 'https://10.0.0.1/api/cli?x=1&y=2'"#;

/// Arbitrary JSON documents, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((".{0,8}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn error_decoders_never_panic(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        for p in Platform::ALL {
            let _ = p.decode_error(&body);
            let _ = p.token_rejected(400, &body);
            let _ = p.token_from_login(200, &[], &body);
            let _ = p.status_hint(400, false);
        }
    }

    #[test]
    fn mutated_error_bodies_decode_or_not_without_panic(
        asa in mutated(ERROR_BODIES[0]),
        fxos in mutated(ERROR_BODIES[1]),
        asyncos in mutated(ERROR_BODIES[2]),
    ) {
        for body in [&asa, &fxos, &asyncos] {
            for p in Platform::ALL {
                if let Some(d) = p.decode_error(body) {
                    prop_assert!(!d.message.is_empty() || d.code.is_some());
                }
            }
        }
    }

    #[test]
    fn header_lines_parse_or_fail_cleanly(line in ".{0,80}") {
        if let Ok(h) = Header::parse(&line) {
            prop_assert!(!h.name.is_empty());
            prop_assert!(!h.value.contains('\n'));
        }
    }

    #[test]
    fn urls_resolve_or_fail_cleanly(target in ".{0,60}", base in prop_oneof![Just(None), Just(Some("https://10.0.0.1:8443".to_string())), ".{0,30}".prop_map(Some)]) {
        if let Ok(url) = resolve_target(&target, base.as_deref()) {
            prop_assert!(matches!(url.scheme(), "http" | "https"));
            prop_assert!(url.host_str().is_some());
        }
    }

    #[test]
    fn substitution_never_sends_an_undefined_variable(text in "[a-z{}/ ]{0,40}") {
        let vars = BTreeMap::from([("host".to_string(), "10.0.0.1".to_string())]);
        match substitute(&text, &vars) {
            Ok(out) => prop_assert!(!out.contains("{{"), "{out}"),
            Err(e) => prop_assert!(e.message.contains("variable") || e.message.contains("unclosed")),
        }
    }

    #[test]
    fn json_checks_report_positions(body in mutated(r#"{"commands": ["show version | include Serial"]}"#)) {
        if let Err(p) = check_json(&body) {
            prop_assert!(p.line >= 1);
        }
    }

    #[test]
    fn fingerprints_normalise_or_fail(input in "[0-9a-fA-F: ]{0,100}") {
        if let Ok(fp) = normalize_fingerprint(&input) {
            prop_assert_eq!(fp.len(), 95);
            prop_assert_eq!(normalize_fingerprint(&fp).ok(), Some(fp.clone()));
        }
    }

    #[test]
    fn certificates_parse_or_fail(der in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(facts) = parse_cert(&der) {
            let _ = hostname_matches(&facts, "host");
        }
    }

    #[test]
    fn workspace_files_load_or_report(content in mutated(r#"{"format": 1, "devices": [{"name": "fw", "platform": "asa", "base_url": "https://10.0.0.1", "trust": {"mode": "pin", "sha256": "AB"}}]}"#)) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        std::fs::write(ws.devices_path(), &content).unwrap();
        match ws.load_devices() {
            Ok(devices) => prop_assert!(devices.len() <= 1),
            Err(e) => prop_assert!(e.message.contains("devices.json")),
        }
        prop_assert_eq!(std::fs::read(ws.devices_path()).unwrap(), content);
    }

    #[test]
    fn postman_collections_import_or_report(content in mutated(POSTMAN)) {
        let _ = import_postman(&content);
    }

    #[test]
    fn arbitrary_bytes_are_not_a_postman_collection(content in proptest::collection::vec(any::<u8>(), 0..200)) {
        let imported = import_postman(&content).is_ok();
        let opens_an_object = content.trim_ascii_start().first() == Some(&b'{');
        prop_assert!(!imported || opens_an_object);
    }

    #[test]
    fn curl_commands_import_or_report(text in ".{0,160}") {
        let _ = import_curl(&text);
    }

    #[test]
    fn mutated_curl_commands_import_or_report(content in mutated(CURL)) {
        let _ = import_curl(&String::from_utf8_lossy(&content));
    }

    #[test]
    fn the_reindenter_matches_serde_on_any_document(value in json_value()) {
        let compact = serde_json::to_string(&value).unwrap();
        let pretty = pretty_json::pretty(compact.as_bytes()).unwrap();
        prop_assert_eq!(&pretty, &serde_json::to_string_pretty(&value).unwrap());
        // And re-indenting a pretty document changes nothing.
        prop_assert_eq!(pretty_json::pretty(pretty.as_bytes()).unwrap(), pretty);
    }

    #[test]
    fn the_reindenter_formats_exactly_the_valid_documents(content in mutated(r#"{"a": [1, 2.5e3, "x\"y", {"b": null}], "c": true}"#)) {
        let valid = serde_json::from_slice::<Value>(&content).is_ok();
        prop_assert_eq!(pretty_json::pretty(&content).is_some(), valid);
    }
}

/// How deep a document nests (a scalar is 0).
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// `value` inside `levels` arrays, each with a sibling so that none is a
/// one-line `[]`.
fn nest(mut value: Value, levels: usize) -> Value {
    for level in 0..levels {
        value = Value::Array(vec![Value::from(level % 10), value]);
    }
    value
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn the_reindenter_output_is_a_bounded_multiple_of_its_input(
        value in json_value(),
        // Deeper than 128 levels serde (and so the re-indenter) refuses.
        levels in 0usize..120,
    ) {
        let compact = serde_json::to_string(&nest(value, levels)).unwrap();
        let pretty = pretty_json::pretty(compact.as_bytes()).unwrap();
        prop_assert!(
            pretty.len() <= pretty_json::MAX_GROWTH * compact.len(),
            "{} bytes pretty-printed from {}",
            pretty.len(),
            compact.len()
        );
    }

    #[test]
    fn the_reindenter_keeps_serde_layout_up_to_the_indent_cap(
        value in json_value(),
        levels in 0usize..pretty_json::MAX_INDENT,
    ) {
        let nested = nest(value, levels);
        prop_assume!(depth(&nested) <= pretty_json::MAX_INDENT);
        let compact = serde_json::to_string(&nested).unwrap();
        prop_assert_eq!(
            pretty_json::pretty(compact.as_bytes()).unwrap(),
            serde_json::to_string_pretty(&nested).unwrap()
        );
    }
}
