//! Property tests: every parser and decoder takes arbitrary or mutated input
//! and answers with a value or a clear error, never a panic.

mod support;

use std::collections::BTreeMap;

use apx::core::interop::{import_curl, import_postman};
use apx::core::json_check::{JsonCheck, Verdict};
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
    mutated_bytes(seed.as_bytes().to_vec())
}

/// `seed` with up to 8 bytes flipped, removed or inserted.
fn mutated_bytes(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..8).prop_map(move |edits| {
        let mut bytes = seed.clone();
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

/// Text in which line breaks, carriage returns and NULs are as likely as
/// letters, a colon and a space (the characters a header injection needs).
fn header_text(max: usize) -> impl Strategy<Value = String> {
    let c = prop_oneof![
        Just('\r'),
        Just('\n'),
        Just('\0'),
        Just(':'),
        Just(' '),
        proptest::char::range('a', 'e'),
        any::<char>(),
    ];
    proptest::collection::vec(c, 0..max).prop_map(|chars| chars.into_iter().collect())
}

/// A real certificate (DER), generated once.
fn real_certificate() -> Vec<u8> {
    static DER: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DER.get_or_init(|| support::localhost_cert().cert_der)
        .clone()
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
            let _ = p.tokens_from_login(200, &[], &body);
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
    fn header_lines_parse_or_fail_cleanly(line in header_text(40)) {
        if let Ok(h) = Header::parse(&line) {
            prop_assert!(!h.name.is_empty());
            prop_assert!(!h.name.contains(['\r', '\n', '\0', ':']), "{:?}", h);
            prop_assert!(!h.value.contains(['\r', '\n', '\0']), "{:?}", h);
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
        let whitespace = body.iter().all(u8::is_ascii_whitespace);
        match (check_json(&body), serde_json::from_slice::<Value>(&body)) {
            (Ok(()), Ok(_)) => {}
            (Ok(()), Err(_)) => prop_assert!(whitespace, "an invalid body passed"),
            (Err(p), Err(e)) => {
                prop_assert_eq!((p.line, p.column), (e.line(), e.column()));
                prop_assert!(!p.message.contains(" at line "), "{}", p.message);
            }
            (Err(p), Ok(_)) => prop_assert!(false, "a valid body refused: {}", p.message),
        }
    }

    #[test]
    fn json_checked_in_pieces_agrees_with_serde(
        body in json_value().prop_flat_map(|v| mutated_bytes(serde_json::to_vec_pretty(&v).unwrap())),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let expected = if body.iter().all(u8::is_ascii_whitespace) {
            Verdict::Blank
        } else if serde_json::from_slice::<&serde_json::value::RawValue>(&body).is_ok() {
            Verdict::Json
        } else {
            Verdict::NotJson
        };
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        let mut check = JsonCheck::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([body.len()]) {
            check.feed(&body[from..cut]);
            from = cut;
        }
        prop_assert_eq!(check.finish(), expected, "{}", body.escape_ascii());
    }

    #[test]
    fn fingerprints_normalise_or_fail(input in "[0-9a-fA-F: ]{0,100}") {
        if let Ok(fp) = normalize_fingerprint(&input) {
            prop_assert_eq!(fp.len(), 95);
            prop_assert_eq!(normalize_fingerprint(&fp).ok(), Some(fp.clone()));
        }
    }

    #[test]
    fn certificates_parse_or_fail(der in mutated_bytes(real_certificate())) {
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

/// A JSON answer with `{KEY: token}` tucked `depth` levels inside `doc`'s
/// company, as bytes.
fn answer_with_token(doc: Value, key: &str, token: &str, wraps: &[bool]) -> Vec<u8> {
    let mut nested = serde_json::json!({ key: token });
    for in_array in wraps {
        nested = if *in_array {
            serde_json::json!([nested])
        } else {
            serde_json::json!({ "data": nested })
        };
    }
    serde_json::to_vec(&serde_json::json!([doc, nested])).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A session token anywhere in a JSON answer never reaches the history.
    #[test]
    fn tokens_in_json_answers_never_reach_the_history(
        doc in json_value(),
        key in prop_oneof![Just("token"), Just("jwtToken"), Just("access_token"), Just("Password")],
        token in "[A-Z]{4}~[A-Z]{12}",
        wraps in proptest::collection::vec(any::<bool>(), 0..4),
    ) {
        use apx::engine::{RequestResult, Sent, history_record, http::Body};
        let answer = answer_with_token(doc, key, &token, &wraps);
        let result = RequestResult {
            name: String::new(),
            method: "POST".into(),
            url: "https://10.0.0.1/api/login".into(),
            status: Some(200),
            elapsed: std::time::Duration::ZERO,
            headers: Vec::new(),
            body: Body::Memory(answer.clone().into()),
            body_json: None,
            error: None,
            handshake: None,
            warnings: Vec::new(),
            retries: 0,
            domains: Vec::new(),
            // The same document sent as a request body (a login by hand).
            sent: Sent { headers: Vec::new(), body: Some(answer) },
            pages: None,
        };
        let recorded = history_record::entry(&result, None);
        prop_assert!(!recorded.body.unwrap_or_default().contains(&token));
        prop_assert!(!recorded.request_body.unwrap_or_default().contains(&token));
    }

    /// A saved request file with any header loads with headers that can be
    /// sent as they are, or is reported naming the file.
    #[test]
    fn saved_headers_load_sendable_or_are_reported(name in header_text(10), value in header_text(10)) {
        let dir = tempfile::tempdir().unwrap();
        let file = serde_json::json!({
            "format": 2, "name": "x", "method": "GET", "url": "/x",
            "headers": [{"name": name, "value": value}],
        });
        std::fs::write(dir.path().join("x.json"), file.to_string()).unwrap();
        let found = Workspace::new(dir.path()).collections();
        match found.requests.first() {
            Some(entry) => {
                let header = &entry.request.headers[0];
                prop_assert!(header.validate().is_ok(), "{:?}", header);
                prop_assert!(!header.value.contains(['\r', '\n', '\0']));
            }
            None => prop_assert!(found.problems[0].message.contains("x.json")),
        }
    }
}

/// Secret-looking names for JSON and form fields, query parameters and variables.
const SECRET_KEYS: [&str; 7] = [
    "password",
    "passphrase",
    "apiKey",
    "x_token",
    "clientSecret",
    "sessionId",
    "Passcode",
];
/// Credential headers, including session-ish ones.
const SECRET_HEADERS: [&str; 6] = [
    "X-Session",
    "Cookie",
    "X-auth-access-token",
    "X-Api-Key",
    "Authorization",
    "Proxy-Authorization",
];

/// A secret worth planting: no control characters, no surrounding spaces,
/// and not a `{{variable}}` reference (which names a value kept elsewhere).
fn secret_value() -> impl Strategy<Value = String> {
    "[^\\x00-\\x1f\\x7f]{8,24}".prop_filter("a plain value", |s| {
        s.trim() == s && !(s.starts_with("{{") && s.ends_with("}}"))
    })
}

fn form(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// One Postman item (or, for place 8, a collection variable) holding
/// `secret` in place `place` (0..11), under a secret-looking name; `depth`
/// nests a JSON body.
fn plant(place: u8, key: &str, header: &str, depth: usize, secret: &str) -> (Value, Option<Value>) {
    let quoted = serde_json::to_string(secret).unwrap();
    let mut request = serde_json::json!({"method": "POST", "url": "https://h/p"});
    let mut collection_variable = None;
    match place {
        0 => {
            let mut body = serde_json::json!({ key: secret, "note": "n" });
            for level in 0..depth {
                body = if level % 2 == 0 {
                    serde_json::json!({"wrap": body, "n": level})
                } else {
                    serde_json::json!([1, body])
                };
            }
            request["body"] = serde_json::json!({"mode": "raw", "raw": body.to_string()});
        }
        1 => {
            let raw = format!(r#"{{"n": {{{{n}}}}, "{key}": {quoted}}}"#);
            request["body"] = serde_json::json!({"mode": "raw", "raw": raw});
        }
        2 => {
            request["body"] = serde_json::json!({"mode": "urlencoded", "urlencoded": [
                {"key": "user", "value": "admin"}, {"key": key, "value": secret},
            ]});
        }
        3 => {
            let raw = format!("a=b&{key}={}&c=d", form(secret));
            request["body"] = serde_json::json!({"mode": "raw", "raw": raw});
        }
        4 => request["url"] = Value::from(format!("https://h/p?x=1&{key}={}#f", form(secret))),
        5 => {
            let userinfo = form(secret).replace('+', "%20");
            request["url"] = Value::from(format!("https://admin:{userinfo}@h/p?x=1"));
        }
        6 => {
            let value = if header.ends_with("uthorization") {
                format!("Bearer {secret}")
            } else {
                secret.to_string()
            };
            request["header"] =
                serde_json::json!([{"key": header, "value": value, "disabled": depth % 2 == 1}]);
        }
        7 => {
            request["url"] = serde_json::json!({
                "raw": format!("https://h/:{key}/x"),
                "variable": [{"key": key, "value": secret}],
            });
        }
        8 => {
            collection_variable = Some(if depth.is_multiple_of(2) {
                serde_json::json!({"key": key, "value": secret})
            } else {
                serde_json::json!({"key": "plain", "value": secret, "type": "secret"})
            });
        }
        9 => {
            request["auth"] = if depth.is_multiple_of(2) {
                serde_json::json!({"type": "basic", "basic": [{"key": "password", "value": secret}]})
            } else {
                serde_json::json!({"type": "bearer", "bearer": [{"key": "token", "value": secret}]})
            };
        }
        _ => {
            request["url"] = serde_json::json!({
                "host": ["h"], "path": ["p"],
                "query": [{"key": "x", "value": "1"}, {"key": key, "value": secret}],
            });
        }
    }
    (
        serde_json::json!({"name": "planted", "request": request}),
        collection_variable,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Secrets planted anywhere in a collection are handed back, and none of
    /// them (as is, escaped or encoded) is in a request that would be saved,
    /// a variable or a note that would be printed.
    #[test]
    fn planted_secrets_never_reach_a_saved_request(
        plants in proptest::collection::vec(
            (0u8..11, 0..SECRET_KEYS.len(), 0..SECRET_HEADERS.len(), 0usize..6, secret_value()),
            1..6,
        ),
    ) {
        let mut items = Vec::new();
        let mut variables = Vec::new();
        for (place, key, header, depth, secret) in &plants {
            let (item, variable) = plant(*place, SECRET_KEYS[*key], SECRET_HEADERS[*header], *depth, secret);
            items.push(item);
            variables.extend(variable);
        }
        let collection = serde_json::json!({
            "info": {"name": "planted", "schema": apx::core::interop::POSTMAN_SCHEMA_V21},
            "item": items,
            "variable": variables,
        });
        let import = import_postman(collection.to_string().as_bytes()).unwrap();
        let kept = serde_json::to_string(&(&import.requests, &import.variables, &import.skipped)).unwrap();
        let secrets: Vec<&str> = plants.iter().map(|p| p.4.as_str()).collect();
        let leaked = support::leaked_forms(&kept, &secrets);
        prop_assert!(leaked.is_empty(), "{leaked:?} in {kept}");
        for secret in secrets {
            prop_assert!(
                import.secrets.iter().any(|s| s.secret.expose() == secret),
                "{secret:?} not handed back"
            );
        }
    }
}

/// The words and standard input each `curl` of an exported script got, as
/// `sh` ran it (curl replaced by a shell function that prints them).
fn curl_calls(script: &str, password: &str) -> Vec<(Vec<String>, String)> {
    let fake = "curl() { for a in \"$@\"; do printf 'A%s\\0' \"$a\"; done; if [ ! -t 0 ]; then printf 'I'; cat; printf '\\0'; fi; printf 'E\\0'; }\n";
    let dir = tempfile::tempdir().unwrap();
    let out = support::sh_in(
        dir.path(),
        &format!("{fake}{script}"),
        &[("APX_PASSWORD", password)],
    );
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(made.is_empty(), "the script made files: {made:?}\n{script}");
    let mut calls = Vec::new();
    let (mut words, mut stdin) = (Vec::new(), String::new());
    for field in String::from_utf8_lossy(&out.stdout).split('\0') {
        if let Some(word) = field.strip_prefix('A') {
            words.push(word.to_string());
        } else if let Some(input) = field.strip_prefix('I') {
            stdin = input.to_string();
        } else if field == "E" {
            calls.push((std::mem::take(&mut words), std::mem::take(&mut stdin)));
        }
    }
    calls
}

/// Header names: HTTP tokens, shell metacharacters included.
fn token_name() -> impl Strategy<Value = String> {
    ("[-!#$%&'*+.^_`|~0-9A-Za-z]{1,10}", any::<bool>()).prop_map(|(name, secret)| {
        if secret {
            format!("{name}-Token")
        } else {
            name
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// What `sh` hands curl is exactly the request: URL, headers and body
    /// word for word, credentials on stdin only, and nothing executed.
    #[test]
    fn exported_curl_runs_as_the_request_under_sh(
        headers in proptest::collection::vec((token_name(), "[^\r\n\x00]{0,12}"), 0..4),
        path in "[ -~]{0,24}",
        user in "[^\x00\r\n]{0,10}",
        body in proptest::option::of("[^\x00]{1,24}"),
        basic in any::<bool>(),
    ) {
        use apx::core::interop::{CurlInput, export_curl};
        use apx::core::platform::AuthMode;
        use apx::core::request::is_credential_header;
        use apx::core::tls::Trust;
        use base64::Engine as _;
        let url = url::Url::parse(&format!("https://h.example:8443/{path}"));
        prop_assume!(url.is_ok());
        let url = url.unwrap().to_string();
        let headers: Vec<Header> = headers.into_iter().map(|(n, v)| Header::new(n, v)).collect();
        let input = CurlInput {
            method: if body.is_some() { "POST" } else { "GET" }.into(),
            url: url.clone(),
            headers: headers.clone(),
            body: body.clone(),
            user: Some(user.clone()),
            auth: if basic { AuthMode::Basic } else { AuthMode::None },
            platform: Platform::Asa,
            trust: Trust::Insecure,
            pinned_key: None,
        };
        let script = export_curl(&input).unwrap();
        let password = "p'a\"s$(x)`w%s\\d";
        let calls = curl_calls(&script, password);
        prop_assert_eq!(calls.len(), 1, "{}", script);
        let (words, stdin) = &calls[0];
        prop_assert_eq!(words.iter().filter(|w| **w == url).count(), 1, "{}\n{:?}", script, words);
        let mut sent: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "-H")
            .map(|w| w[1].as_str())
            .filter(|h| *h != "@-")
            .collect();
        let mut expected: Vec<String> = Vec::new();
        let mut piped: Vec<String> = Vec::new();
        for h in &headers {
            if is_credential_header(&h.name) && !h.value.is_empty() {
                piped.push(format!("{}: ", h.name));
            } else if h.value.is_empty() {
                expected.push(format!("{};", h.name));
            } else {
                expected.push(format!("{}: {}", h.name, h.value));
            }
        }
        if body.is_some() && !headers.iter().any(|h| h.name.eq_ignore_ascii_case("content-type")) {
            expected.push("Content-Type:".into());
        }
        sent.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(sent, expected, "{}", script);
        let data: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "--data-raw")
            .map(|w| w[1].as_str())
            .collect();
        prop_assert_eq!(data, body.iter().map(String::as_str).collect::<Vec<_>>(), "{}", script);
        if basic {
            let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            piped.push(format!("Authorization: Basic {credentials}"));
        }
        let mut lines: Vec<&str> = stdin.lines().collect();
        lines.sort_unstable();
        piped.sort_unstable();
        prop_assert_eq!(lines, piped, "{}", script);
        for word in words {
            prop_assert!(!word.contains(password), "{}", script);
        }
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

/// Pages a hostile appliance might send: ASA and FMC pages with any
/// offsets, totals, item counts and next links (to the same origin, to
/// others, back to themselves), and mutations of real ones.
fn hostile_page() -> impl Strategy<Value = Vec<u8>> {
    let links = prop_oneof![
        Just(None),
        Just(Some("/api/x")),
        Just(Some("/api/x?offset=1")),
        Just(Some("https://fw/api/x?offset=2")),
        Just(Some("https://evil.example/api/x?offset=2")),
        Just(Some("http://fw/api/x?offset=2")),
        Just(Some("//fw:8443/api/x")),
        Just(Some("")),
    ];
    let structured = (
        any::<bool>(),
        0u64..8,
        0u64..20,
        0usize..4,
        links,
    )
        .prop_map(|(asa, offset, total, items, next)| {
            let items: Vec<Value> = (0..items).map(Value::from).collect();
            let doc = if asa {
                serde_json::json!({"rangeInfo": {"offset": offset, "limit": 2, "total": total}, "items": items})
            } else {
                serde_json::json!({"items": items, "paging": {"offset": offset, "limit": 2, "count": total, "next": next.into_iter().collect::<Vec<_>>()}})
            };
            serde_json::to_vec(&doc).unwrap()
        });
    prop_oneof![
        3 => structured,
        1 => mutated(r#"{"rangeInfo":{"offset":0,"limit":2,"total":9},"items":[{"a":1},{"b":2}]}"#),
        1 => mutated(r#"{"items":[1],"paging":{"offset":0,"limit":1,"count":3,"pages":3,"next":["https://fw/api/x?offset=1"]}}"#),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the pages say, a walk asks only for pages of the first
    /// page's origin, never asks for the same page twice, ends within the
    /// pages it is given, and a walk that ends merges into one JSON document
    /// holding every page's items.
    #[test]
    fn hostile_pages_never_loop_leave_the_origin_or_panic(
        pages in proptest::collection::vec(hostile_page(), 1..16),
    ) {
        use apx::core::paging::{Next, Walk};
        let first = url::Url::parse("https://fw/api/x").unwrap();
        let mut walk = Walk::new(first.clone(), 1 << 20);
        let mut asked = std::collections::HashSet::from([first.to_string()]);
        let mut items = 0;
        for body in &pages {
            let received = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.get("items").and_then(Value::as_array).map(Vec::len))
                .unwrap_or(0);
            match walk.add(body) {
                Ok(Next::Page(next)) => {
                    items += received;
                    prop_assert_eq!(next.url.origin(), first.origin());
                    prop_assert!(asked.insert(next.url.to_string()), "{} asked twice", next.url);
                }
                Ok(Next::Done) => {
                    items += received;
                    let pages = walk.pages();
                    let merged = walk.merged();
                    if pages == 1 {
                        prop_assert_eq!(&merged, body);
                    } else {
                        let merged: Value = serde_json::from_slice(&merged).unwrap();
                        prop_assert_eq!(merged["items"].as_array().unwrap().len(), items);
                    }
                    break;
                }
                Err(_) => break,
            }
        }
    }

    /// A well-behaved ASA collection of any size, walked with any limit,
    /// comes back whole and in order, in as many pages as it takes.
    #[test]
    fn asa_collections_are_walked_whole_and_in_order(total in 0u64..300, limit in 1u64..40) {
        use apx::core::paging::{Next, Walk};
        let start = url::Url::parse(&format!("https://fw/api/objects?limit={limit}")).unwrap();
        let mut walk = Walk::new(start, u64::MAX);
        let mut offset = 0;
        loop {
            let items: Vec<u64> = (offset..total.min(offset + limit)).collect();
            let page = serde_json::json!({"rangeInfo": {"offset": offset, "limit": limit, "total": total}, "items": items});
            match walk.add(&serde_json::to_vec(&page).unwrap()).unwrap() {
                Next::Done => break,
                Next::Page(next) => {
                    let kept = format!("limit={limit}&offset=");
                    prop_assert!(next.url.query().unwrap().starts_with(&kept));
                    prop_assert_eq!(next.of, Some(total.div_ceil(limit)));
                    offset = next.url.query_pairs().find(|(k, _)| k == "offset").unwrap().1.parse().unwrap();
                }
            }
        }
        prop_assert_eq!(u64::from(walk.pages()), total.div_ceil(limit).max(1));
        let merged: Value = serde_json::from_slice(&walk.merged()).unwrap();
        let got: Vec<u64> = merged["items"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        prop_assert_eq!(got, (0..total).collect::<Vec<_>>());
    }
}

/// The certificate the mutations start from parses, names its hosts, and
/// a mutation of it is usually still a certificate-shaped document (so the
/// property above exercises the parser past its first bytes).
#[test]
fn the_certificate_seed_parses() {
    let facts = parse_cert(&real_certificate()).expect("a generated certificate parses");
    assert!(hostname_matches(&facts, "localhost"));
}
