//! The AsyncOS documents' surface through the real binary against the demo
//! WSA, SMA and ESA: answers that matched nothing, the configuration and
//! tracking APIs, and the demo's strictness.

mod support;

use apx::core::platform::Platform;
use support::{appliance, apx, runtime, send_json};

const RANGE: &str = "startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z";

#[test]
fn a_query_that_matched_nothing_says_so() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let path = format!(
        "/wsa/api/v2.0/reporting/web_top_users?{RANGE}&filterBy=user&filterValue=nobody&filterOperator=is"
    );
    let url = format!("{}{path}", wsa.url);
    let human = apx(&[
        "send",
        "--platform",
        "wsa",
        "--auth",
        "token",
        "-u",
        "admin",
        "--password-env",
        "APX_PASSWORD",
        "--pin",
        &wsa.sha256,
        &url,
    ]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stderr.contains("note: No records matched the query"),
        "{}",
        human.stderr
    );

    // The JSON document keeps the contract's fields: the body as it came.
    let doc = send_json(&wsa, "token", &path, &[]);
    assert_eq!(doc.code, 0, "{}", doc.stderr);
    let doc = doc.json();
    assert_eq!(doc["body"]["data"], serde_json::json!({}));
    assert_eq!(doc["body"]["meta"]["totalCount"], -1);
    assert!(doc["error"].is_null());

    // A query that matched records has no such note.
    let some = apx(&[
        "send",
        "--platform",
        "wsa",
        "--auth",
        "token",
        "-u",
        "admin",
        "--password-env",
        "APX_PASSWORD",
        "--pin",
        &wsa.sha256,
        &format!(
            "{}/wsa/api/v2.0/reporting/web_top_users?{RANGE}&filterBy=user&filterValue=jsmith",
            wsa.url
        ),
    ]);
    assert_eq!(some.code, 0, "{}", some.stderr);
    assert!(
        !some.stderr.contains("No records matched"),
        "{}",
        some.stderr
    );
    assert!(
        some.stdout.contains("jsmith@example.com"),
        "{}",
        some.stdout
    );
}

/// `send --json` of METHOD PATH with BODY (if any) through a token session.
fn call(
    a: &apx::demo::Appliance,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> serde_json::Value {
    let mut extra = vec!["-X", method];
    if let Some(body) = body {
        extra.extend_from_slice(&["-d", body]);
    }
    send_json(a, "token", path, &extra).json()
}

#[test]
fn wsa_configuration_api_reads_adds_changes_and_deletes() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    const POLICIES: &str = "/wsa/api/v2.0/config/access_policies";
    let names = |doc: &serde_json::Value| -> Vec<String> {
        doc["body"]["access_policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["policy_name"].as_str().unwrap().to_string())
            .collect()
    };
    let list = call(&wsa, "GET", POLICIES, None);
    assert_eq!(names(&list), ["global_policy"]);

    let new = r#"{"access_policies": [{"policy_name": "lab", "policy_status": "enable"}]}"#;
    let added = call(&wsa, "POST", POLICIES, Some(new));
    assert_eq!(added["status"], 200, "{added}");
    assert_eq!(names(&added), ["global_policy", "lab"]);
    let again = call(&wsa, "POST", POLICIES, Some(new));
    assert_eq!(again["status"], 400);
    assert_eq!(again["error"]["format"], "asyncos");
    assert_eq!(
        again["error"]["message"],
        "Policy name already exists - lab."
    );

    let off = r#"{"access_policies": [{"policy_name": "lab", "policy_status": "disable"}]}"#;
    let changed = call(&wsa, "PUT", POLICIES, Some(off));
    assert_eq!(
        changed["body"]["access_policies"][1]["policy_status"],
        "disable"
    );

    let gone = call(
        &wsa,
        "DELETE",
        &format!("{POLICIES}?policy_names=lab"),
        None,
    );
    assert_eq!(names(&gone), ["global_policy"]);
    let unknown = call(
        &wsa,
        "DELETE",
        &format!("{POLICIES}?policy_names=lab"),
        None,
    );
    assert_eq!(unknown["status"], 404);

    let profiles = call(
        &wsa,
        "GET",
        "/wsa/api/v2.0/config/identification_profiles",
        None,
    );
    assert_eq!(
        profiles["body"]["identification_profiles"][0]["profile_name"],
        "global_identification_profile"
    );
}

#[test]
fn tracking_quarantine_configuration_and_privileges() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let sma = appliance(&rt, Platform::Sma);
    let esa = appliance(&rt, Platform::Esa);

    let web = call(
        &wsa,
        "GET",
        &format!(
            "/wsa/api/v2.0/web-tracking/web_transaction?{RANGE}&device_type=wsa&transactionStatus=blocked"
        ),
        None,
    );
    assert_eq!(
        web["body"]["data"][0]["attributes"]["webCategory"], "Games",
        "{web}"
    );

    for a in [&sma, &esa] {
        let base = format!("/{}/api/v2.0", a.platform.id());
        let tracked = call(
            a,
            "GET",
            &format!(
                "{base}/message-tracking/messages?{RANGE}&ciscoHost=All_Hosts&searchOption=messages&offset=0&limit=2"
            ),
            None,
        );
        assert_eq!(tracked["body"]["meta"]["num_of_messages"], 3, "{tracked}");
        assert_eq!(tracked["body"]["data"].as_array().unwrap().len(), 2);

        let quarantine = call(
            a,
            "GET",
            &format!(
                "{base}/quarantine/messages?{RANGE}&quarantineType=spam&offset=0&limit=25&orderBy=date&orderDir=desc"
            ),
            None,
        );
        assert_eq!(quarantine["body"]["data"][0]["mid"], 103, "{quarantine}");
        let no_type = call(
            a,
            "GET",
            &format!("{base}/quarantine/messages?{RANGE}"),
            None,
        );
        assert_eq!(no_type["status"], 400);
        assert_eq!(
            no_type["error"]["message"],
            "Missing required parameter - quarantineType."
        );

        let privileges = call(a, "GET", &format!("{base}/login/privileges"), None);
        assert_eq!(privileges["body"]["data"]["role"], "Administrator");
        assert!(
            privileges["body"]["data"]["apis"]
                .as_array()
                .unwrap()
                .contains(&format!("{base}/quarantine").into())
        );
    }

    let details = call(
        &sma,
        "GET",
        &format!(
            "/sma/api/v2.0/message-tracking/details?{RANGE}&mid=101&icid=9001&serialNumber=4229A4D2B1C9E0F3A1B2-C0FFEE123456"
        ),
        None,
    );
    assert_eq!(
        details["body"]["data"]["messages"]["subject"],
        "Invoice 2024-001"
    );
    let one = call(
        &sma,
        "GET",
        "/sma/api/v2.0/quarantine/messages/details?mid=103&quarantineType=spam",
        None,
    );
    assert_eq!(one["body"]["data"]["attributes"]["subject"], "You have won");

    let appliances = call(
        &sma,
        "GET",
        "/sma/api/v2.0/config/appliances?device_type=esa",
        None,
    );
    assert_eq!(
        appliances["body"]["data"]["appliances"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let post = call(&sma, "POST", "/sma/api/v2.0/config/appliances", Some("{}"));
    assert_eq!(
        post["status"], 405,
        "the SMA takes no configuration changes"
    );

    let counter = call(
        &esa,
        "GET",
        &format!(
            "/esa/api/v2.0/reporting/mail_incoming_traffic_summary/detected_spam?{RANGE}&device_type=esa"
        ),
        None,
    );
    assert_eq!(
        counter["body"]["data"]["resultSet"],
        serde_json::json!({"detected_spam": 48_211})
    );
    // The ESA serves no web tracking or WSA configuration.
    let web_on_esa = call(
        &esa,
        "GET",
        &format!("/esa/api/v2.0/web-tracking/web_transaction?{RANGE}"),
        None,
    );
    assert_eq!(web_on_esa["status"], 404);
}

#[test]
fn tracking_that_matched_nothing_says_so() {
    let rt = runtime();
    let esa = appliance(&rt, Platform::Esa);
    let url = format!(
        "{}/esa/api/v2.0/message-tracking/messages?{RANGE}&envelopeSenderfilterOperator=is&envelopeSenderfilterValue=nobody@example.com",
        esa.url
    );
    let human = apx(&[
        "send",
        "--platform",
        "esa",
        "--auth",
        "token",
        "-u",
        "admin",
        "--password-env",
        "APX_PASSWORD",
        "--pin",
        &esa.sha256,
        &url,
    ]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stderr.contains("note: No records matched the query"),
        "{}",
        human.stderr
    );
}
