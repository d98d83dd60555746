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
