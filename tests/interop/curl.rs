//! curl import of vendor-guide commands, export → import round trips, and
//! no credential in either direction.

use std::path::PathBuf;

use apx::core::interop::{CurlInput, export_curl, import_curl};
use apx::core::platform::{AuthMode, Platform};
use apx::core::request::Header;
use apx::core::tls::Trust;
use apx::core::workspace::saved::RequestBody;
use serde_json::json;

use super::{XorShift, disabled};

#[test]
fn curl_vendor_guide_wsa_with_ca_and_basic_auth() {
    let command = "curl --cacert ca.crt -u \"admin:Wsa-Pa55\" \
        'https://wsa:6443/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa'";
    let import = import_curl(command).unwrap();
    assert_eq!(import.request.method, "GET");
    assert_eq!(
        import.request.url,
        "https://wsa:6443/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa"
    );
    assert_eq!(
        import.request.name,
        "GET /wsa/api/v2.0/reporting/web_services_summary"
    );
    assert_eq!(import.request.auth, Some(AuthMode::Basic));
    assert!(import.request.headers.is_empty());
    assert_eq!(import.request.body, None);
    assert_eq!(import.user.as_deref(), Some("admin"));
    assert_eq!(
        import.password.as_ref().map(|p| p.expose()),
        Some("Wsa-Pa55")
    );
    assert_eq!(
        import.trust,
        Some(Trust::Ca {
            file: PathBuf::from("ca.crt")
        })
    );
    assert!(import.skipped.is_empty(), "{:?}", import.skipped);
    assert!(
        !serde_json::to_string(&import.request)
            .unwrap()
            .contains("Wsa-Pa55")
    );
    assert!(!format!("{import:?}").contains("Wsa-Pa55"));
}

#[test]
fn curl_vendor_guide_asa_cli() {
    let import = import_curl(
        r#"curl -k -X POST -H 'Content-Type: application/json' -d '{"commands":["show version"]}' https://asa/api/cli"#,
    )
    .unwrap();
    assert_eq!(import.request.method, "POST");
    assert_eq!(import.request.url, "https://asa/api/cli");
    assert_eq!(
        import.request.headers,
        [Header::new("Content-Type", "application/json")]
    );
    assert_eq!(
        import.request.body,
        Some(RequestBody::Json(json!({"commands": ["show version"]})))
    );
    assert_eq!(import.trust, Some(Trust::Insecure));
    assert_eq!(import.request.auth, None);
    assert_eq!(import.password, None);
}

#[test]
fn curl_multi_line_with_continuations() {
    let command = "curl -sS --compressed \\\n  -X PUT \\\n  -H \"User-Agent: REST API Agent\" \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"name\": \"it'\\''s\"}' \\\n  -L --frobnicate \\\n  https://10.0.0.1/api/objects/networkobjects/web\n";
    let import = import_curl(command).unwrap();
    assert_eq!(import.request.method, "PUT");
    assert_eq!(
        import.request.url,
        "https://10.0.0.1/api/objects/networkobjects/web"
    );
    assert_eq!(
        import.request.headers,
        [
            Header::new("User-Agent", "REST API Agent"),
            Header::new("Content-Type", "application/json"),
        ]
    );
    assert_eq!(
        import.request.body,
        Some(RequestBody::Json(json!({"name": "it's"})))
    );
    assert_eq!(
        import.skipped,
        [
            "-s ignored",
            "-S ignored",
            "--compressed ignored",
            "-L ignored",
            "unknown option --frobnicate (ignored)",
        ]
    );
}

#[test]
fn curl_credentials_never_reach_the_request() {
    let import = import_curl(
        "curl -H 'Authorization: Basic YWRtaW46czNjcmV0' -H 'X-Auth-Token: abc' https://asa/api",
    )
    .unwrap();
    assert!(import.request.headers.is_empty());
    assert_eq!(import.user.as_deref(), Some("admin"));
    assert_eq!(import.password.as_ref().map(|p| p.expose()), Some("s3cret"));
    assert_eq!(import.request.auth, Some(AuthMode::Token));

    let import = import_curl("curl -u \"admin:$APX_PASSWORD\" https://asa/api").unwrap();
    assert_eq!(import.user.as_deref(), Some("admin"));
    assert_eq!(import.password, None);
    assert!(import.skipped[0].contains("$APX_PASSWORD"));

    let import = import_curl("curl -G -d limit=5 -d offset=10 -uadmin https://asa/api").unwrap();
    assert_eq!(import.request.method, "GET");
    assert_eq!(import.request.url, "https://asa/api?limit=5&offset=10");
    assert_eq!(import.request.body, None);
    assert_eq!(import.user.as_deref(), Some("admin"));
}

#[test]
fn curl_errors_are_clear() {
    for (command, expected) in [
        ("curl -d @body.json https://asa/api/cli", "not read"),
        ("curl -X POST", "no URL"),
        ("wget https://asa/", "not a curl command"),
        ("", "not a curl command"),
        ("curl 'https://asa/", "ends inside a single quote"),
        ("curl https://asa/ -H", "needs a value"),
        (
            "curl -H 'Bad Header: x' https://asa/",
            "malformed header name",
        ),
        ("curl --data-urlencode name@file https://asa/", "not read"),
        ("curl -X 'PO ST' https://asa/", "invalid method"),
        ("curl -A $'a\\nEvil: 1' https://asa/", "line break"),
        ("curl -e $'a\\rb' https://asa/", "line break"),
        ("curl -b $'a=b\\nc' https://asa/", "line break"),
        ("curl -H 'X(y): 1' https://asa/", "malformed header name"),
    ] {
        let err = import_curl(command).unwrap_err();
        assert!(err.message.contains(expected), "{command}: {}", err.message);
        assert_eq!(err.kind.exit_code(), 2);
    }
}

#[test]
fn curl_import_survives_arbitrary_input() {
    let mut rng = XorShift(0xc0ff_ee00_1234_5678);
    let alphabet: Vec<char> = "curl -XHdku'\"\\$ \n#|&;@:=é€{}-".chars().collect();
    for _ in 0..5000 {
        let len = rng.below(60);
        let mut text: String = "curl ".into();
        text.extend((0..len).map(|_| alphabet[rng.below(alphabet.len())]));
        let _ = import_curl(&text);
    }
}

fn curl_input(method: &str, body: Option<&str>) -> CurlInput {
    CurlInput {
        method: method.into(),
        url: "https://10.0.0.1:8443/api/objects/networkobjects?limit=5&offset=0".into(),
        headers: vec![
            Header::new("User-Agent", "REST API Agent"),
            Header::new("X-Quote", "it's \"quoted\" $HOME `x` \\"),
            disabled("X-Off", "1"),
        ],
        body: body.map(String::from),
        user: Some("ad'min".into()),
        auth: AuthMode::None,
        platform: Platform::Asa,
        trust: Trust::Verify,
        pinned_key: None,
    }
}

#[test]
fn curl_export_import_round_trip() {
    let trusts = [
        Trust::Verify,
        Trust::Insecure,
        Trust::Ca {
            file: PathBuf::from("/etc/ssl/my ca.pem"),
        },
        Trust::Pin {
            sha256: "AB:".repeat(31) + "AB",
        },
    ];
    let pinned_keys = [None, Some("q+/8AB==")];
    let shapes = [
        ("GET", None),
        ("POST", Some(r#"{"commands":["show run | include it's"]}"#)),
        ("PUT", Some("plain text\nwith 'quotes' and \\ backslashes")),
        ("DELETE", None),
        ("HEAD", None),
        ("GET", Some("odd but allowed")),
    ];
    for (trust, pinned_key) in trusts.iter().flat_map(|t| pinned_keys.map(|k| (t, k))) {
        for auth in AuthMode::ALL {
            for (method, body) in shapes {
                let mut input = curl_input(method, body);
                input.trust = trust.clone();
                input.pinned_key = pinned_key.map(String::from);
                input.auth = auth;
                let command = export_curl(&input).unwrap();
                let import = import_curl(&command).unwrap_or_else(|e| panic!("{command}\n{e}"));
                let r = &import.request;
                assert_eq!(r.method, method, "{command}");
                assert_eq!(r.url, input.url, "{command}");
                let enabled: Vec<Header> = input
                    .headers
                    .iter()
                    .filter(|h| h.enabled)
                    .cloned()
                    .collect();
                assert_eq!(r.headers, enabled, "{command}");
                assert_eq!(
                    r.body.as_ref().map(RequestBody::to_text),
                    body.and_then(RequestBody::from_text).map(|b| b.to_text()),
                    "{command}"
                );
                // A pin (of a key, or none at all) never comes back as "insecure".
                let expected_trust = match trust {
                    Trust::Verify | Trust::Pin { .. } => None,
                    other => Some(other.clone()),
                };
                assert_eq!(import.trust, expected_trust, "{command}");
                assert_eq!(import.password, None, "{command}");
                assert!(command.contains("curl --globoff "), "{command}");
                match auth {
                    AuthMode::Basic => {
                        assert!(
                            command.contains(
                                r#"APX_BASIC=$(printf '%s:%s' 'ad'\''min' "$APX_PASSWORD" | base64"#
                            ),
                            "{command}"
                        );
                        assert!(command.contains(" -H @- "), "{command}");
                        assert_eq!(r.auth, Some(AuthMode::Basic));
                    }
                    AuthMode::Token => {
                        assert!(command.contains("# ASA token service"), "{command}");
                        assert!(command.contains("APX_TOKEN=$(printf"), "{command}");
                        assert!(command.contains("'X-Auth-Token: '\"$APX_TOKEN\""));
                        assert_eq!(r.auth, Some(AuthMode::Token));
                    }
                    AuthMode::None => assert_eq!(r.auth, None),
                }
                match (trust, pinned_key) {
                    (Trust::Pin { sha256 }, Some(key)) => {
                        assert!(command.contains(&format!(
                            "# apx pins the leaf certificate SHA256 {sha256}; curl pins its public key"
                        )));
                        assert!(
                            command.contains(&format!(" -k --pinnedpubkey sha256//{key} ")),
                            "{command}"
                        );
                    }
                    (Trust::Pin { sha256 }, None) => {
                        assert!(command.contains(&format!(
                            "# apx pins the leaf certificate SHA256 {sha256}, but its public key is not known"
                        )));
                        assert!(!command.contains("-k"), "{command}");
                    }
                    _ => assert!(!command.contains("--pinnedpubkey")),
                }
            }
        }
    }
}

#[test]
fn curl_export_of_an_imported_command_holds_no_password() {
    let import = import_curl("curl -u admin:Hunter2-Pa55 -k https://asa/api/cli -d '{}'").unwrap();
    let r = &import.request;
    let command = export_curl(&CurlInput {
        method: r.method.clone(),
        url: r.url.clone(),
        headers: r.headers.clone(),
        body: r.body.as_ref().map(RequestBody::to_text),
        user: import.user.clone(),
        auth: r.auth.unwrap_or(AuthMode::None),
        platform: Platform::Asa,
        trust: import.trust.clone().unwrap_or_default(),
        pinned_key: None,
    })
    .unwrap();
    assert!(!command.contains("Hunter2-Pa55"), "{command}");
    assert!(
        command.contains("'%s:%s' admin \"$APX_PASSWORD\""),
        "{command}"
    );
    assert!(
        command.contains(
            "\nprintf '%s\\n' 'Authorization: Basic '\"$APX_BASIC\" | curl --globoff -k -H @- "
        ),
        "{command}"
    );
}

/// What apx's own export writes: credentials piped in with `printf` and
/// read by `-H @-`, a config on stdin, a pinned public key.
#[test]
fn curl_import_of_stdin_headers_and_configs() {
    let import = import_curl(
        "printf '%s\\n' 'X-Auth-Token: '\"$APX_TOKEN\" | curl --globoff -k --pinnedpubkey 'sha256//AAAA' -H @- https://asa/api/x",
    )
    .unwrap();
    assert_eq!(import.request.url, "https://asa/api/x");
    assert_eq!(import.request.auth, Some(AuthMode::Token));
    assert!(import.request.headers.is_empty());
    // A pinned key is not "insecure": apx verifies until a fingerprint is pinned.
    assert_eq!(import.trust, None);
    assert!(
        import.skipped.iter().any(|s| s.contains("--pinnedpubkey")),
        "{:?}",
        import.skipped
    );
    assert!(!import.skipped.iter().any(|s| s.contains("globoff")));

    let import = import_curl(
        "APX_BASIC=$(printf '%s:%s' admin \"$APX_PASSWORD\" | base64 | tr -d '\\n')\nprintf '%s\\n' 'Authorization: Basic '\"$APX_BASIC\" 'X-Api-Key: '\"$APX_X_API_KEY\" | curl -H @- https://asa/api/x",
    )
    .unwrap();
    assert_eq!(import.request.auth, Some(AuthMode::Basic));
    assert!(import.request.headers.is_empty(), "{:?}", import.request);
    assert!(
        import.skipped.iter().any(|s| s.contains("X-Api-Key")),
        "{:?}",
        import.skipped
    );

    // A header file, or a config, is not read, and `-` is not a URL.
    let import = import_curl("curl -H @headers.txt --config - https://asa/api/y").unwrap();
    assert_eq!(import.request.url, "https://asa/api/y");
    assert_eq!(import.skipped.len(), 2, "{:?}", import.skipped);
    assert!(import_curl("printf x | wget https://asa/").is_err());
}
