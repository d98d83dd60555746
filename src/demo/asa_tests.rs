//! Unit tests of the simulated ASA, calling the handler directly.

use std::sync::atomic::Ordering;

use super::*;
use crate::demo::appliance::{DEMO_PASSWORD, basic, test_request as bare_request};
use crate::demo::server::DemoRequest;

const UA: (&str, &str) = ("User-Agent", "REST API Agent");

/// A request as apx sends it: `Content-Type: application/json` unless the
/// test names its own.
fn test_request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> DemoRequest {
    let mut request = bare_request(method, target, headers, body);
    if request.header("content-type").is_none() {
        request
            .headers
            .push(("content-type".into(), "application/json".into()));
    }
    request
}

fn demo_asa(config: ApplianceConfig) -> (Handler, Arc<Stats>) {
    let stats = Arc::new(Stats::default());
    (handler(config, stats.clone()), stats)
}

fn login(asa: &Handler) -> DemoResponse {
    let auth = basic("admin", DEMO_PASSWORD);
    asa(&test_request(
        "POST",
        "/api/tokenservices",
        &[UA, ("Authorization", &auth)],
        b"",
    ))
}

fn token_of(answer: &DemoResponse) -> String {
    answer
        .headers
        .iter()
        .find(|(n, _)| n == "X-Auth-Token")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn body(answer: &DemoResponse) -> Value {
    serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
}

#[test]
fn token_create_use_delete() {
    let (asa, stats) = demo_asa(ApplianceConfig::demo());
    let created = login(&asa);
    assert_eq!(created.status, 204);
    let token = token_of(&created);
    assert_eq!(token.len(), 32);

    let headers = [UA, ("X-Auth-Token", token.as_str())];
    let listed = asa(&test_request(
        "GET",
        "/api/objects/networkobjects?limit=2",
        &headers,
        b"",
    ));
    assert_eq!(listed.status, 200);
    let listed = body(&listed);
    assert_eq!(listed["rangeInfo"]["limit"], 2);
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));

    let path = format!("/api/tokenservices/{token}");
    assert_eq!(
        asa(&test_request("DELETE", &path, &headers, b"")).status,
        204
    );
    assert_eq!(
        asa(&test_request("DELETE", &path, &headers, b"")).status,
        401
    );
    let gone = asa(&test_request(
        "GET",
        "/api/objects/networkobjects",
        &headers,
        b"",
    ));
    assert_eq!(body(&gone)["messages"][0]["code"], "AUTHENTICATION-FAILED");
    assert_eq!(stats.logins.load(Ordering::Relaxed), 1);
    assert_eq!(stats.logouts.load(Ordering::Relaxed), 1);
    assert_eq!(stats.requests.load(Ordering::Relaxed), 1);
}

#[test]
fn twenty_sixth_login_is_refused() {
    let (asa, _) = demo_asa(ApplianceConfig::demo());
    for _ in 0..25 {
        assert_eq!(login(&asa).status, 204);
    }
    let refused = login(&asa);
    assert_eq!(refused.status, 503);
    assert_eq!(body(&refused)["messages"][0]["code"], "SESSION-LIMIT");
}

#[test]
fn token_exhaustion_and_bad_credentials() {
    let config = ApplianceConfig {
        token_max_uses: Some(1),
        ..ApplianceConfig::demo()
    };
    let (asa, stats) = demo_asa(config);
    let token = token_of(&login(&asa));
    let headers = [UA, ("X-Auth-Token", token.as_str())];
    let version = "/api/monitoring/device/components/version";
    assert_eq!(
        asa(&test_request("GET", version, &headers, b"")).status,
        200
    );
    assert_eq!(
        asa(&test_request("GET", version, &headers, b"")).status,
        401
    );

    let wrong = basic("admin", "wrong");
    let denied = asa(&test_request(
        "POST",
        "/api/tokenservices",
        &[UA, ("Authorization", &wrong)],
        b"",
    ));
    assert_eq!(denied.status, 401);
    assert_eq!(stats.failed_logins.load(Ordering::Relaxed), 1);

    let no_agent = asa(&test_request("GET", version, &[], b""));
    assert_eq!(no_agent.status, 400);
    assert_eq!(body(&no_agent)["messages"][0]["code"], "MISSING-USER-AGENT");
}

#[test]
fn objects_and_cli() {
    let (asa, _) = demo_asa(ApplianceConfig::demo());
    let auth = basic("admin", DEMO_PASSWORD);
    let json = ("Content-Type", "application/json");
    let host = ("Host", "asa.example:443");
    let headers = [UA, ("Authorization", auth.as_str()), json, host];
    let path = "/api/objects/networkobjects";

    let new = br#"{"name":"new-host","host":{"kind":"IPv4Address","value":"10.9.9.9"}}"#;
    let created = asa(&test_request("POST", path, &headers, new));
    assert_eq!(created.status, 201);
    assert!(created.headers.iter().any(|(n, v)| n == "Location"
        && v == "https://asa.example:443/api/objects/networkobjects/new-host"));
    let duplicate = body(&asa(&test_request("POST", path, &headers, new)));
    assert_eq!(duplicate["messages"][0]["code"], "DUPLICATE");
    assert_eq!(duplicate["messages"][1]["level"], "Warning");
    let missing = body(&asa(&test_request("POST", path, &headers, b"{}")));
    assert_eq!(missing["messages"][0]["context"], "name");
    let plain = asa(&bare_request(
        "POST",
        path,
        &[UA, ("Authorization", auth.as_str())],
        new,
    ));
    assert_eq!(plain.status, 415);
    let too_many = asa(&test_request(
        "GET",
        "/api/objects/networkobjects?limit=101",
        &headers,
        b"",
    ));
    assert_eq!(body(&too_many)["messages"][0]["context"], "limit");
    assert_eq!(
        asa(&test_request(
            "DELETE",
            &format!("{path}/new-host"),
            &headers,
            b""
        ))
        .status,
        204
    );
    assert_eq!(
        asa(&test_request(
            "GET",
            &format!("{path}/new-host"),
            &headers,
            b""
        ))
        .status,
        404
    );

    let cli = br#"{"commands":["show version | include Serial","bogus"]}"#;
    let answer = body(&asa(&test_request("POST", "/api/cli", &headers, cli)));
    assert_eq!(answer["response"][0], "Serial Number: 9A5KDN3LR2B\n");
    assert_eq!(
        answer["response"][1],
        "ERROR: % Invalid input detected at '^' marker.\n"
    );
    assert_eq!(
        asa(&test_request("GET", "/api/cli", &headers, b"")).status,
        405
    );
    assert_eq!(
        asa(&test_request("GET", "/api/nothing", &headers, b"")).status,
        404
    );
}

#[test]
fn large_document_is_valid_json() {
    let (asa, _) = demo_asa(ApplianceConfig::demo());
    let auth = basic("admin", DEMO_PASSWORD);
    let headers = [UA, ("Authorization", auth.as_str())];
    let answer = asa(&test_request("GET", "/api/demo/large?mb=1", &headers, b""));
    assert!(answer.body.len() >= 1024 * 1024);
    assert_eq!(body(&answer)["kind"], "collection#Log");
    assert_eq!(
        asa(&test_request(
            "GET",
            "/api/demo/large?mb=501",
            &headers,
            b""
        ))
        .status,
        400
    );
}

#[test]
fn content_type_is_required_where_the_guide_sets_it() {
    let (asa, stats) = demo_asa(ApplianceConfig::demo());
    let auth = basic("admin", DEMO_PASSWORD);
    let bare_login = asa(&bare_request(
        "POST",
        "/api/tokenservices",
        &[UA, ("Authorization", &auth)],
        b"",
    ));
    assert_eq!(bare_login.status, 415);
    assert_eq!(
        body(&bare_login)["messages"][0]["code"],
        "UNSUPPORTED-MEDIA-TYPE"
    );
    let token = token_of(&login(&asa));
    let own = [UA, ("X-Auth-Token", token.as_str())];
    let text = [
        UA,
        ("X-Auth-Token", token.as_str()),
        ("Content-Type", "text/plain"),
    ];
    assert_eq!(
        asa(&bare_request("POST", "/api/commands/writemem", &text, b"")).status,
        415
    );
    // A GET needs none.
    let get = bare_request("GET", "/api/monitoring/serialnumber", &own, b"");
    assert_eq!(asa(&get).status, 200);
    let path = format!("/api/tokenservices/{token}");
    assert_eq!(asa(&bare_request("DELETE", &path, &own, b"")).status, 415);
    assert_eq!(asa(&test_request("DELETE", &path, &own, b"")).status, 204);
    assert_eq!(stats.logouts.load(Ordering::Relaxed), 1);
}

#[test]
fn a_logout_takes_only_the_callers_own_token() {
    let (asa, stats) = demo_asa(ApplianceConfig::demo());
    let mine = token_of(&login(&asa));
    let theirs = token_of(&login(&asa));
    let headers = [UA, ("X-Auth-Token", mine.as_str())];
    let other = asa(&test_request(
        "DELETE",
        &format!("/api/tokenservices/{theirs}"),
        &headers,
        b"",
    ));
    assert_eq!(other.status, 403);
    assert_eq!(body(&other)["messages"][0]["code"], "FORBIDDEN");
    // Basic credentials do not end someone's session either.
    let auth = basic("admin", DEMO_PASSWORD);
    let basic_only = asa(&test_request(
        "DELETE",
        &format!("/api/tokenservices/{theirs}"),
        &[UA, ("Authorization", &auth)],
        b"",
    ));
    assert_eq!(basic_only.status, 403);
    let theirs_headers = [UA, ("X-Auth-Token", theirs.as_str())];
    let own = asa(&test_request(
        "DELETE",
        &format!("/api/tokenservices/{theirs}"),
        &theirs_headers,
        b"",
    ));
    assert_eq!(own.status, 204);
    assert_eq!(stats.logouts.load(Ordering::Relaxed), 1);
}
