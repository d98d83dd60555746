//! Unit tests of the simulated AsyncOS appliances, calling the handler directly.

use std::sync::atomic::Ordering;

use super::*;
use crate::demo::appliance::{DEMO_PASSWORD, test_request as bare_request};
use crate::demo::server::DemoRequest;

/// A request as apx sends it: `Accept: application/json`, and
/// `Content-Type: application/json` with a body, unless the test names its own.
fn test_request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> DemoRequest {
    let mut request = bare_request(method, target, headers, body);
    if request.header("accept").is_none() {
        request
            .headers
            .push(("accept".into(), "application/json".into()));
    }
    if !body.is_empty() && request.header("content-type").is_none() {
        request
            .headers
            .push(("content-type".into(), "application/json".into()));
    }
    request
}

const LOGIN: &str = "/sma/api/v2.0/login";
const REPORT: &str = "/sma/api/v2.0/reporting/mail_security_summary";
const DATES: &str = "startDate=2024-01-30T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z";

fn body(answer: &DemoResponse) -> Value {
    serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
}

fn login_body(user: &str, password: &str) -> Vec<u8> {
    json!({ "data": { "userName": STANDARD.encode(user), "passphrase": STANDARD.encode(password) } })
        .to_string()
        .into_bytes()
}

fn jwt_header(answer: &DemoResponse) -> Option<String> {
    answer
        .headers
        .iter()
        .find(|(n, _)| n == "jwtToken")
        .map(|(_, v)| v.clone())
}

#[test]
fn login_with_base64_credentials() {
    let stats = Arc::new(Stats::default());
    let sma = handler(Platform::Sma, ApplianceConfig::demo(), stats.clone());
    let ok = sma(&test_request(
        "POST",
        LOGIN,
        &[],
        &login_body("admin", DEMO_PASSWORD),
    ));
    assert_eq!(ok.status, 200);
    let token = body(&ok)["data"]["jwtToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(token.split('.').count(), 3);
    assert_eq!(jwt_header(&ok), None);

    let bad = sma(&test_request(
        "POST",
        LOGIN,
        &[],
        &login_body("admin", "nope"),
    ));
    assert_eq!(bad.status, 401);
    assert_eq!(body(&bad)["error"]["message"], "Authentication failed.");
    let raw = br#"{"data":{"userName":"admin","passphrase":"%%%"}}"#;
    assert_eq!(sma(&test_request("POST", LOGIN, &[], raw)).status, 400);
    assert_eq!(stats.failed_logins.load(Ordering::Relaxed), 1);
    assert_eq!(stats.logins.load(Ordering::Relaxed), 1);
}

#[test]
fn jwt_is_refreshed_after_n_uses() {
    let stats = Arc::new(Stats::default());
    let config = ApplianceConfig {
        jwt_refresh_after: Some(2),
        ..ApplianceConfig::demo()
    };
    let wsa = handler(Platform::Wsa, config, stats.clone());
    let login = wsa(&test_request(
        "POST",
        "/wsa/api/v2.0/login",
        &[],
        &login_body("admin", DEMO_PASSWORD),
    ));
    let old = body(&login)["data"]["jwtToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let health = "/wsa/api/v2.0/health";

    let first = wsa(&test_request("GET", health, &[("jwtToken", &old)], b""));
    assert_eq!((first.status, jwt_header(&first)), (200, None));
    let second = wsa(&test_request("GET", health, &[("jwtToken", &old)], b""));
    assert_eq!(second.status, 200);
    let fresh = jwt_header(&second).unwrap_or_default();
    assert!(!fresh.is_empty() && fresh != old);

    assert_eq!(
        wsa(&test_request("GET", health, &[("jwtToken", &old)], b"")).status,
        401
    );
    assert_eq!(
        wsa(&test_request("GET", health, &[("jwtToken", &fresh)], b"")).status,
        200
    );
    assert_eq!(stats.refreshes.load(Ordering::Relaxed), 1);
    assert_eq!(stats.requests.load(Ordering::Relaxed), 3);
}

#[test]
fn reporting_validation() {
    let sma = handler(
        Platform::Sma,
        ApplianceConfig::demo(),
        Arc::new(Stats::default()),
    );
    let auth = crate::demo::appliance::basic("admin", DEMO_PASSWORD);
    let headers = [("Authorization", auth.as_str())];

    let missing = sma(&test_request(
        "GET",
        &format!("{REPORT}?endDate=2024-01-31T00:00:00.000Z&device_type=esa"),
        &headers,
        b"",
    ));
    assert_eq!(missing.status, 400);
    assert_eq!(
        body(&missing)["error"]["message"],
        "Missing required parameter - startDate."
    );
    assert_eq!(
        body(&missing)["error"]["explanation"],
        "400 = Bad request syntax or unsupported method."
    );

    let unexpected = sma(&test_request(
        "GET",
        &format!("{REPORT}?{DATES}&device_type=esa&starts_with=x"),
        &headers,
        b"",
    ));
    assert_eq!(unexpected.status, 404);
    assert_eq!(
        body(&unexpected)["error"]["message"],
        "Unexpected attribute - starts_with."
    );

    let no_device = sma(&test_request(
        "GET",
        &format!("{REPORT}?{DATES}"),
        &headers,
        b"",
    ));
    assert_eq!(
        body(&no_device)["error"]["message"],
        "Missing required parameter - device_type."
    );
    let bad_date = sma(&test_request(
        "GET",
        &format!("{REPORT}?startDate=2024-01-30&endDate=x&device_type=esa"),
        &headers,
        b"",
    ));
    assert_eq!(bad_date.status, 400);

    let ok = sma(&test_request(
        "GET",
        &format!("{REPORT}?{DATES}&device_type=esa"),
        &headers,
        b"",
    ));
    assert_eq!(ok.status, 200);
    assert_eq!(body(&ok)["data"]["type"], "mail_security_summary");
    let unknown = sma(&test_request(
        "GET",
        "/sma/api/v2.0/reporting/nope",
        &headers,
        b"",
    ));
    assert_eq!(unknown.status, 404);
    let xml = [
        ("Authorization", auth.as_str()),
        ("Accept", "application/xml"),
    ];
    assert_eq!(
        sma(&test_request("GET", "/sma/api/v2.0/health", &xml, b"")).status,
        406
    );
    assert_eq!(
        sma(&test_request("GET", "/sma/api/v2.0/health", &[], b"")).status,
        401
    );
}

#[test]
fn two_factor_login_wants_the_passcode_after_the_password() {
    let stats = Arc::new(Stats::default());
    let config = ApplianceConfig {
        two_factor: Some(TwoFactorFlag::Boolean),
        ..ApplianceConfig::demo()
    };
    let esa = handler(Platform::Esa, config, stats.clone());
    let two_factor = "/esa/api/v2.0/login/two_factor";
    let passcode = login_body("admin", DEMO_PASSCODE);
    // The passcode alone, without the password first, is refused.
    assert_eq!(
        esa(&test_request("POST", two_factor, &[], &passcode)).status,
        401
    );
    let login = login_body("admin", DEMO_PASSWORD);
    let first = esa(&test_request("POST", "/esa/api/v2.0/login", &[], &login));
    assert_eq!(first.status, 200);
    assert_eq!(body(&first)["data"]["is2FactorRedirectRequired"], true);
    assert_eq!(body(&first)["data"].get("jwtToken"), None);
    let wrong = login_body("admin", "12345678");
    assert_eq!(
        esa(&test_request("POST", two_factor, &[], &wrong)).status,
        401
    );
    esa(&test_request("POST", "/esa/api/v2.0/login", &[], &login));
    let done = esa(&test_request("POST", two_factor, &[], &passcode));
    assert_eq!(done.status, 200);
    assert_eq!(body(&done)["data"]["is2FactorRedirectRequired"], false);
    assert!(body(&done)["data"]["jwtToken"].is_string());
    assert_eq!(stats.logins.load(Ordering::Relaxed), 1);
    assert_eq!(stats.failed_logins.load(Ordering::Relaxed), 2);
}

#[test]
fn accept_and_content_type_are_required() {
    let wsa = handler(
        Platform::Wsa,
        ApplianceConfig::demo(),
        Arc::new(Stats::default()),
    );
    let login = login_body("admin", DEMO_PASSWORD);
    let path = "/wsa/api/v2.0/login";
    let json = ("Content-Type", "application/json");
    let no_accept = wsa(&bare_request("POST", path, &[json], &login));
    assert_eq!(no_accept.status, 406);
    let html = wsa(&bare_request(
        "POST",
        path,
        &[json, ("Accept", "text/html")],
        &login,
    ));
    assert_eq!(html.status, 406);
    // The guide's curl sample sends `Accept: */*`.
    let any = wsa(&bare_request(
        "POST",
        path,
        &[json, ("Accept", "*/*")],
        &login,
    ));
    assert_eq!(any.status, 200);
    let form = [
        ("Accept", "application/json"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let wrong = wsa(&bare_request("POST", path, &form, &login));
    assert_eq!(wrong.status, 400);
    assert_eq!(
        body(&wrong)["error"]["message"],
        "Content-Type must be application/json."
    );
}

#[test]
fn every_answer_says_connection_close() {
    let sma = handler(
        Platform::Sma,
        ApplianceConfig::demo(),
        Arc::new(Stats::default()),
    );
    for answer in [
        sma(&test_request(
            "POST",
            LOGIN,
            &[],
            &login_body("admin", DEMO_PASSWORD),
        )),
        sma(&test_request("GET", "/sma/api/v2.0/health", &[], b"")),
        sma(&bare_request("GET", "/sma/api/v2.0/health", &[], b"")),
    ] {
        let connection = answer.headers.iter().find(|(n, _)| n == "Connection");
        assert_eq!(connection.map(|(_, v)| v.as_str()), Some("close"));
    }
}

#[test]
fn jwts_run_out_by_time_and_are_renewed_in_their_last_minutes() {
    let stats = Arc::new(Stats::default());
    // Each call takes 10 simulated minutes of the 30 a JWT lives.
    let config = ApplianceConfig {
        jwt_refresh_after: None,
        clock_step: Some(std::time::Duration::from_secs(600)),
        ..ApplianceConfig::demo()
    };
    let esa = handler(Platform::Esa, config, stats.clone());
    let login = esa(&test_request(
        "POST",
        "/esa/api/v2.0/login",
        &[],
        &login_body("admin", DEMO_PASSWORD),
    ));
    let token = body(&login)["data"]["jwtToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let health = "/esa/api/v2.0/health";
    let call = |token: &str| esa(&test_request("GET", health, &[("jwtToken", token)], b""));
    // At 0 and 10 minutes: 30 and 20 left.
    assert_eq!(jwt_header(&call(&token)), None);
    assert_eq!(jwt_header(&call(&token)), None);
    // At 20: 10 left, no refresh; at 30 it has run out.
    assert_eq!(call(&token).status, 200);
    assert_eq!(call(&token).status, 401);
    assert_eq!(stats.refreshes.load(Ordering::Relaxed), 0);

    // 3 minutes a call: in its last 5 minutes a use hands out a new JWT.
    let config = ApplianceConfig {
        jwt_refresh_after: None,
        clock_step: Some(std::time::Duration::from_secs(180)),
        token_lifetime: Some(std::time::Duration::from_secs(600)),
        ..ApplianceConfig::demo()
    };
    let wsa = handler(Platform::Wsa, config, Arc::new(Stats::default()));
    let login = wsa(&test_request(
        "POST",
        "/wsa/api/v2.0/login",
        &[],
        &login_body("admin", DEMO_PASSWORD),
    ));
    let token = body(&login)["data"]["jwtToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let call = |token: &str| {
        wsa(&test_request(
            "GET",
            "/wsa/api/v2.0/health",
            &[("jwtToken", token)],
            b"",
        ))
    };
    assert_eq!(jwt_header(&call(&token)), None, "10 minutes left");
    assert_eq!(jwt_header(&call(&token)), None, "7 left");
    let renewed = jwt_header(&call(&token)).unwrap_or_default();
    assert!(!renewed.is_empty() && renewed != token, "4 left: renewed");
    assert_eq!(call(&token).status, 401, "the old one stops");
    assert_eq!(call(&renewed).status, 200);
}
