//! AsyncOS in the desktop app (egui_kittest, headless) against the
//! in-process demo WSA: an answer of empty braces says nothing matched.

mod support;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use egui_kittest::kittest::Queryable;
use support::gui::{app, harness, pick_device, retype, step_until, type_password};
use support::{appliance, runtime};

fn finished(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    r.running.is_none() && r.result.is_some() && r.rendered.is_some()
}

#[test]
fn a_query_that_matched_nothing_is_noted_in_the_response_view() {
    let rt = runtime();
    let wsa = appliance(&rt, Platform::Wsa);
    let dir = tempfile::tempdir().unwrap();
    Workspace::new(dir.path())
        .add_device(Device {
            name: "proxy".into(),
            folder: "Lab".into(),
            platform: Platform::Wsa,
            base_url: wsa.url.clone(),
            username: Some("admin".into()),
            trust: Trust::Pin {
                sha256: wsa.sha256.clone(),
            },
            variables: Default::default(),
            allow_http: false,
            domain: None,
            api_version: None,
            reach: Default::default(),
        })
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "proxy");
    type_password(&mut h, DEMO_PASSWORD);
    let range = "startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z";
    retype(
        &mut h,
        "URL",
        &format!("/wsa/api/v2.0/reporting/web_top_users?{range}&filterBy=user&filterValue=jsmith"),
    );
    h.get_by_label("Send").click();
    step_until(&mut h, "the matching users", finished);
    assert!(h.query_by_label_contains("No records matched").is_none());

    retype(
        &mut h,
        "URL",
        &format!("/wsa/api/v2.0/reporting/web_top_users?{range}&filterBy=user&filterValue=nobody"),
    );
    h.get_by_label("Send").click();
    step_until(&mut h, "the empty answer", |a| {
        finished(a)
            && a.tabs.active().response.result.as_ref().is_some_and(|r| {
                let body = r.body.bytes().unwrap_or_default();
                serde_json::from_slice::<serde_json::Value>(body)
                    .is_ok_and(|v| v["data"] == serde_json::json!({}))
            })
    });
    h.get_by_label_contains("No records matched the query");
}
