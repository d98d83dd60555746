//! Postman and curl interop, pure: import every field of hand-written
//! collections and vendor-guide curl commands (in `interop/curl.rs`),
//! round trips, and arbitrary input giving errors rather than panics.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "interop/curl.rs"]
mod curl;
mod support;

use apx::core::interop::{POSTMAN_SCHEMA_V21, export_postman, import_postman};
use apx::core::platform::{AuthMode, Platform};
use apx::core::request::Header;
use apx::core::workspace::saved::{RequestBody, SavedRequest};
use serde_json::json;
use support::requests;

const FIXTURE_PASSWORD: &str = "Fixture-Pa55word!";
const FIXTURE_TOKEN: &str = "Fixture-Bearer-T0ken";
const FIXTURE_VARIABLE_SECRET: &str = "Fixture-Var-S3cret";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn request(name: &str, method: &str, url: &str) -> SavedRequest {
    SavedRequest {
        method: method.into(),
        ..requests::get(name, url)
    }
}

fn disabled(name: &str, value: &str) -> Header {
    Header {
        enabled: false,
        ..Header::new(name, value)
    }
}

#[test]
fn postman_v21_carries_every_field() {
    let import = import_postman(&fixture("postman_asa_v21.json")).unwrap();
    assert_eq!(import.name, "ASA REST API");
    let ua = Header::new("User-Agent", "REST API Agent");

    let mut list = request(
        "List network objects",
        "GET",
        "{{baseUrl}}/api/objects/networkobjects?limit=100&offset=0",
    );
    list.description = Some("Lists the network objects, 100 at a time.".into());
    list.auth = Some(AuthMode::Basic);
    list.headers = vec![ua.clone(), disabled("X-Debug", "1")];

    let mut create = request(
        "Create network object",
        "POST",
        "{{baseUrl}}/api/objects/networkobjects",
    );
    create.auth = Some(AuthMode::Basic);
    create.headers = vec![ua.clone(), Header::new("Content-Type", "application/json")];
    create.body = Some(RequestBody::Json(json!({
        "kind": "object#NetworkObj",
        "name": "web-server",
        "host": {"kind": "IPv4Address", "value": "10.1.1.10"}
    })));

    let mut get = request(
        "Get network object",
        "GET",
        "{{baseUrl}}/api/objects/networkobjects/{{objectId}}",
    );
    get.auth = Some(AuthMode::Basic);

    let mut login = request("Login", "POST", "{{baseUrl}}/api/tokenservices");
    login.auth = Some(AuthMode::None);
    login.headers = vec![
        ua.clone(),
        Header::new("Authorization", "Bearer {{bearer_token}}"),
    ];

    let cloud = request(
        "Cloud inventory",
        "GET",
        "https://cloud.example/api/v1/inventory",
    );

    let mut form = request("Form login", "POST", "{{baseUrl}}/login");
    form.auth = Some(AuthMode::None);
    form.headers = vec![Header::new(
        "Content-Type",
        "application/x-www-form-urlencoded",
    )];
    form.body = Some(RequestBody::Text("user={{username}}&note=a+b%26c".into()));

    let upload = request("Upload backup", "POST", "{{baseUrl}}/api/backup");

    let expected = vec![
        ("Objects/Network objects".to_string(), list),
        ("Objects/Network objects".to_string(), create),
        ("Objects".to_string(), get),
        (String::new(), login),
        (String::new(), cloud),
        (String::new(), form),
        (String::new(), upload),
    ];
    assert_eq!(import.requests.len(), expected.len());
    for (got, want) in import.requests.iter().zip(&expected) {
        assert_eq!(got, want);
    }

    assert_eq!(
        import.skipped,
        [
            "disabled query parameter 'filter' on 'List network objects' (dropped)",
            "pre-request script on 'Login'",
            "auth type 'oauth2' on 'Cloud inventory' (imported without auth)",
            "form-data body on 'Upload backup' (not supported; imported without a body)",
        ]
    );

    let secrets: Vec<(&str, &str, Option<&str>, &str)> = import
        .secrets
        .iter()
        .map(|s| {
            (
                s.request.as_str(),
                s.kind.as_str(),
                s.user.as_deref(),
                s.secret.expose(),
            )
        })
        .collect();
    assert_eq!(
        secrets,
        [
            (
                "ASA REST API",
                "variable adminPassword",
                None,
                FIXTURE_VARIABLE_SECRET
            ),
            ("Objects", "basic password", Some("admin"), FIXTURE_PASSWORD),
            ("Login", "bearer token", None, FIXTURE_TOKEN),
        ]
    );

    let variables = BTreeMap::from([
        ("baseUrl".to_string(), "https://10.0.0.1".to_string()),
        ("objectId".to_string(), "web-server".to_string()),
        ("pageSize".to_string(), "100".to_string()),
    ]);
    assert_eq!(import.variables, variables);

    let shown = format!("{import:?}");
    for secret in [FIXTURE_PASSWORD, FIXTURE_TOKEN, FIXTURE_VARIABLE_SECRET] {
        assert!(!shown.contains(secret), "{secret} leaked into Debug");
        let saved = serde_json::to_string(&import.requests).unwrap();
        assert!(!saved.contains(secret), "{secret} would be saved");
    }
}

#[test]
fn postman_v20_collection() {
    let import = import_postman(&fixture("postman_v20.json")).unwrap();
    assert_eq!(import.name, "WSA reporting (v2.0)");
    let mut summary = request(
        "Web services summary",
        "GET",
        "https://wsa.example:6443/wsa/api/v2.0/reporting/web_services_summary?device_type=wsa",
    );
    summary.auth = Some(AuthMode::Basic);
    summary.headers = vec![
        Header::new("Accept", "application/json"),
        Header::new("X-Trace", "on"),
    ];
    let quick = request(
        "Quick check",
        "GET",
        "https://wsa.example:6443/wsa/api/v2.0/health",
    );
    assert_eq!(
        import.requests,
        [("Reporting".to_string(), summary), (String::new(), quick)]
    );
    assert_eq!(import.secrets.len(), 1);
    assert_eq!(import.secrets[0].kind, "basic password");
    assert_eq!(import.secrets[0].user.as_deref(), Some("admin"));
    assert_eq!(import.secrets[0].secret.expose(), "V20-Pa55word");
    assert!(import.skipped.is_empty(), "{:?}", import.skipped);
}

#[test]
fn postman_rejects_what_it_cannot_read() {
    let cases: [(&[u8], &str); 7] = [
        (b"{\"info\": {\"name\": \"x\",", "malformed JSON at 1:"),
        (b"\n\n  {oops}", "malformed JSON at 3:"),
        (b"[1, 2]", "not a JSON object"),
        (b"{\"info\": {\"name\": \"x\"}}", "no info.schema"),
        (b"{\"name\": \"old\", \"order\": [], \"requests\": []}", "v1"),
        (
            br#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v3.0.0/collection.json"}}"#,
            "unsupported Postman schema",
        ),
        (
            br#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": {}}"#,
            "not a list",
        ),
    ];
    for (input, expected) in cases {
        let err = import_postman(input).unwrap_err();
        assert!(
            err.message.contains(expected),
            "{:?}: {}",
            String::from_utf8_lossy(input),
            err.message
        );
        assert_eq!(err.kind.exit_code(), 2);
    }
}

/// A tiny deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

#[test]
fn postman_survives_mutated_truncated_and_random_input() {
    let original = fixture("postman_asa_v21.json");
    let last_brace = original.iter().rposition(|&b| b == b'}').unwrap();
    for cut in 0..original.len() {
        let result = import_postman(&original[..cut]);
        if cut <= last_brace {
            assert!(result.is_err(), "truncated at {cut} parsed");
        }
    }
    let mut rng = XorShift(0x5eed_1234_abcd_ef01);
    for _ in 0..3000 {
        let mut mutated = original.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(mutated.len());
            mutated[at] = b"\"{}[]:,0a\\\xff\xc3 nt"[rng.below(15)];
        }
        let _ = import_postman(&mutated);
    }
    for _ in 0..2000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        assert!(import_postman(&bytes).is_err());
    }
}

#[test]
fn postman_deep_nesting_and_odd_shapes() {
    let schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
    // Far deeper than any JSON parser should recurse: an error, not a crash.
    let depth = 100_000;
    let deep = format!(
        r#"{{"info": {{"schema": "{schema}"}}, "item": {}{}}}"#,
        "[{\"name\": \"f\", \"item\": ".repeat(depth),
        "[]}]".repeat(depth)
    );
    assert!(import_postman(deep.as_bytes()).is_err());
    // Nesting a parser accepts: one folder path.
    let depth = 40;
    let nested = format!(
        r#"{{"info": {{"schema": "{schema}"}}, "item": {}[{{"name": "r", "request": "https://h/x"}}]{}}}"#,
        "[{\"name\": \"f\", \"item\": ".repeat(depth),
        "}]".repeat(depth)
    );
    let import = import_postman(nested.as_bytes()).unwrap();
    assert_eq!(import.requests.len(), 1);
    assert_eq!(import.requests[0].0, vec!["f"; depth].join("/"));

    let odd = json!({
        "info": {"schema": schema, "name": "Odd"},
        "item": [
            7,
            {"name": "no request"},
            {"name": "a/b", "item": [{"name": "x\u{7}y ", "request": {"url": 5}}]},
            {"name": "bad method", "request": {"method": "GE T", "url": "https://h/"}},
            {"name": "bad header", "request": {"url": "https://h/", "header": [1, {"key": "Bad Name", "value": "v"}, {"key": "Ok", "value": "line\nbreak"}]}},
            {"name": "weird auth", "request": {"url": "https://h/", "auth": {"type": 5}}},
            {"name": "dup", "request": "https://h/1"},
            {"name": "DUP", "request": "https://h/2"},
            {"name": "raw object", "request": {"url": {"host": ["h"], "path": "p"}, "body": {"mode": "raw", "raw": {"x": 1}}}},
            {"name": "folder", "item": "nope"}
        ]
    });
    let import = import_postman(odd.to_string().as_bytes()).unwrap();
    let names: Vec<(&str, &str, &str)> = import
        .requests
        .iter()
        .map(|(f, r)| (f.as_str(), r.name.as_str(), r.url.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("", "bad header", "https://h/"),
            ("", "weird auth", "https://h/"),
            ("", "dup", "https://h/1"),
            ("", "DUP", "https://h/2"),
            ("", "raw object", "h/p"),
        ]
    );
    assert_eq!(import.requests[0].1.headers, []);
    assert_eq!(import.requests[4].1.body, None);
    let skipped = import.skipped.join("\n");
    for expected in [
        "an item of the collection is not an object",
        "item 'no request': neither a request nor a folder",
        "'x y': no URL (not imported)",
        "'bad method': method \"GE T\" is not valid",
        "header \"Bad Name\" on 'bad header' is not a valid header",
        "header \"Ok\" on 'bad header' is not a valid header",
        "auth type '' on 'weird auth'",
        "folder 'folder': its \"item\" is not a list",
    ] {
        assert!(skipped.contains(expected), "{expected:?} not in\n{skipped}");
    }
}

/// Names are kept as written: the workspace numbers duplicates when it
/// saves them (`Workspace::import_requests`).
#[test]
fn postman_duplicate_names_are_kept_as_written() {
    let items: Vec<serde_json::Value> = (0..4)
        .map(|i| json!({"name": if i % 2 == 0 { "Same" } else { "same" }, "request": "https://h/"}))
        .collect();
    let collection = json!({"info": {"schema": POSTMAN_SCHEMA_V21}, "item": items});
    let import = import_postman(collection.to_string().as_bytes()).unwrap();
    let names: Vec<&str> = import
        .requests
        .iter()
        .map(|(_, r)| r.name.as_str())
        .collect();
    assert_eq!(names, ["Same", "same", "Same", "same"]);
    assert_eq!(import.name, "Postman import");
}

#[test]
fn postman_literal_credential_headers_become_variables() {
    let collection = json!({
        "info": {"schema": POSTMAN_SCHEMA_V21, "name": "Headers"},
        "item": [{"name": "r", "request": {"url": "https://h/", "header": [
            {"key": "Authorization", "value": "Basic YWRtaW46c2VjcmV0"},
            {"key": "X-Auth-Token", "value": "0123abcd"},
            {"key": "X-Api-Key", "value": "{{apiKey}}"},
        ]}}]
    });
    let import = import_postman(collection.to_string().as_bytes()).unwrap();
    let headers = &import.requests[0].1.headers;
    assert_eq!(
        headers,
        &[
            Header::new("Authorization", "Basic {{authorization}}"),
            Header::new("X-Auth-Token", "{{x_auth_token}}"),
            Header::new("X-Api-Key", "{{apiKey}}"),
        ]
    );
    let found: Vec<(&str, &str)> = import
        .secrets
        .iter()
        .map(|s| (s.kind.as_str(), s.secret.expose()))
        .collect();
    assert_eq!(
        found,
        [
            ("header Authorization", "YWRtaW46c2VjcmV0"),
            ("header X-Auth-Token", "0123abcd"),
        ]
    );
}

/// Every place a collection can hold a secret (`postman_hostile.json`): each
/// value becomes a `{{variable}}` in the request and is handed back alone.
#[test]
fn postman_secrets_anywhere_become_variables() {
    let import = import_postman(&fixture("postman_hostile.json")).unwrap();
    let saved: BTreeMap<&str, &SavedRequest> = import
        .requests
        .iter()
        .map(|(_, r)| (r.name.as_str(), r))
        .collect();
    let body = |name: &str| saved[name].body.clone().unwrap();
    assert_eq!(
        body("AsyncOS login"),
        RequestBody::Json(
            json!({"data": {"userName": "YWRtaW4=", "passphrase": "{{passphrase}}"}})
        )
    );
    assert_eq!(
        body("JSON body"),
        RequestBody::Json(json!({
            "user": {"name": "admin", "password": "{{password}}", "pin_password": "{{pin_password}}"},
            "list": [{"apiKey": "{{apikey}}"}],
            "credentials": ["{{credentials}}"],
            "enabled": true
        }))
    );
    assert_eq!(
        body("Broken JSON body"),
        RequestBody::Text(
            r#"{"count": {{count}}, "secret": "{{secret}}", "token": {{token}}}"#.into()
        )
    );
    assert_eq!(
        body("Form login"),
        RequestBody::Text("username=admin&password={{password}}".into())
    );
    assert_eq!(
        body("Raw form login"),
        RequestBody::Text("a=b&password={{password}}&c=d".into())
    );
    assert_eq!(
        saved["URL secrets"].url,
        "https://admin:{{password}}@10.0.0.1/api/{{token}}/items/{{id}}?api_key={{api_key}}&token={{token_2}}&limit=5#access_token={{access_token}}"
    );
    assert_eq!(
        saved["Built URL"].url,
        "https://10.0.0.1/api/items?access_token={{access_token}}&page=2"
    );
    assert_eq!(
        saved["Session headers"].headers,
        [
            Header::new("X-Session", "{{x_session}}"),
            Header::new("Cookie", "{{cookie}}"),
            Header::new("X-auth-access-token", "{{x_auth_access_token}}"),
            Header::new("Authorization", "Basic {{authorization}}"),
            Header::new("X-Api-Key", "{{x_api_key}}"),
            disabled("X-Auth-Token", "{{x_auth_token}}"),
            Header::new("Accept", "application/json"),
        ]
    );
    assert_eq!(
        import.variables,
        BTreeMap::from([
            (
                "baseUrl".to_string(),
                "https://svc:{{password}}@10.0.0.2".to_string()
            ),
            ("count".to_string(), "3".to_string()),
        ])
    );

    let mut found: Vec<(&str, &str, &str)> = import
        .secrets
        .iter()
        .map(|s| (s.request.as_str(), s.kind.as_str(), s.secret.expose()))
        .collect();
    found.sort_unstable();
    let mut expected = vec![
        (
            "Planted secrets",
            "URL password in variable baseUrl",
            "Hostile-Var-Url-Pass",
        ),
        (
            "Planted secrets",
            "variable lab",
            "Hostile-Secret-Typed-Var",
        ),
        ("Planted secrets", "variable apiToken", "Hostile-Var-Token"),
        (
            "AsyncOS login",
            "body field passphrase",
            "SG9zdGlsZS1QYXNzcGhyYXNlLTE=",
        ),
        ("JSON body", "body field password", "Hostile-Json-Pw"),
        ("JSON body", "body field pin_password", "8675309421"),
        ("JSON body", "body field apiKey", "Hostile-Api-Key-In-Array"),
        (
            "JSON body",
            "body field credentials",
            "Hostile-Credential-In-List",
        ),
        (
            "Broken JSON body",
            "body field secret",
            "Hostile-Broken-\"Json\"-Secret",
        ),
        ("Broken JSON body", "body field token", "5551234987"),
        ("Form login", "form field password", "Hostile Form/Pw&1"),
        (
            "Raw form login",
            "form field password",
            "Hostile-Raw-Form-Pw",
        ),
        ("URL secrets", "path variable token", "Hostile-Path-Token"),
        ("URL secrets", "path variable id", "Hostile-Typed-Path"),
        ("URL secrets", "URL password", "Hostile-Url-Pass"),
        (
            "URL secrets",
            "query parameter api_key",
            "Hostile-Query-Key",
        ),
        (
            "URL secrets",
            "query parameter token",
            "Hostile-Query-Token",
        ),
        (
            "URL secrets",
            "URL fragment access_token",
            "Hostile-Fragment-Token",
        ),
        (
            "Built URL",
            "query parameter access_token",
            "Hostile-Built-Query",
        ),
        ("Session headers", "header X-Session", "Hostile-Session-Id"),
        (
            "Session headers",
            "header Cookie",
            "JSESSIONID=Hostile-Cookie",
        ),
        (
            "Session headers",
            "header X-auth-access-token",
            "Hostile-Access-Token",
        ),
        (
            "Session headers",
            "header Authorization",
            "YWRtaW46SG9zdGlsZS1CYXNpYy1IZWFkZXI=",
        ),
        (
            "Session headers",
            "header X-Api-Key",
            "Hostile-Prefix{{suffix}}",
        ),
        (
            "Session headers",
            "header X-Auth-Token",
            "Hostile-Disabled-Header",
        ),
        ("Basic auth", "basic password", "Hostile-Basic-Auth-Pw"),
        ("Bearer auth", "bearer token", "Hostile-Bearer"),
    ];
    expected.sort_unstable();
    assert_eq!(found, expected);
    let url_password = import.secrets.iter().find(|s| s.kind == "URL password");
    assert_eq!(url_password.unwrap().user.as_deref(), Some("admin"));

    let kept =
        serde_json::to_string(&(&import.requests, &import.variables, &import.skipped)).unwrap();
    assert!(!kept.contains("Hostile"), "{kept}");
    for (_, _, secret) in expected {
        assert!(!kept.contains(secret), "{secret} kept in {kept}");
    }
}

#[test]
fn postman_export_is_v21_with_folders_and_no_secrets() {
    let import = import_postman(&fixture("postman_asa_v21.json")).unwrap();
    let exported = export_postman("ASA REST API", &import.requests);
    assert_eq!(exported["info"]["schema"], POSTMAN_SCHEMA_V21);
    assert_eq!(exported["item"][0]["name"], "Objects");
    assert_eq!(exported["item"][0]["item"][0]["name"], "Network objects");
    assert_eq!(
        exported["item"][0]["item"][0]["item"][0]["name"],
        "List network objects"
    );
    assert_eq!(exported["item"][0]["item"][1]["name"], "Get network object");
    assert_eq!(
        exported["item"][0]["item"][0]["item"][0]["request"]["auth"],
        json!({"type": "basic", "basic": [
            {"key": "username", "value": "{{username}}", "type": "string"},
            {"key": "password", "value": "{{password}}", "type": "string"},
        ]})
    );
    assert_eq!(
        exported["item"][0]["item"][0]["item"][0]["request"]["header"][1],
        json!({"key": "X-Debug", "value": "1", "disabled": true})
    );
    let text = exported.to_string();
    for secret in [FIXTURE_PASSWORD, FIXTURE_TOKEN, FIXTURE_VARIABLE_SECRET] {
        assert!(!text.contains(secret), "{secret} exported");
    }

    // And back: the same requests, nothing skipped, no secret to find.
    let again = import_postman(text.as_bytes()).unwrap();
    assert_eq!(again.requests, import.requests);
    assert!(again.skipped.is_empty(), "{:?}", again.skipped);
    assert!(again.secrets.is_empty());
}

#[test]
fn postman_export_prefixes_device_paths_with_base_url() {
    let mut token = request("Serial", "GET", "/api/monitoring/serialnumber");
    token.auth = Some(AuthMode::Token);
    token.platform = Some(Platform::Asa);
    let exported = export_postman("Mine", &[("A/B".to_string(), token)]);
    let item = &exported["item"][0]["item"][0]["item"][0];
    assert_eq!(
        item["request"]["url"]["raw"],
        "{{baseUrl}}/api/monitoring/serialnumber"
    );
    assert_eq!(
        item["request"]["header"],
        json!([{"key": "X-Auth-Token", "value": "{{token}}"}])
    );
    let keys: Vec<&str> = exported["variable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["baseUrl", "token"]);
}
