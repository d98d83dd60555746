//! The request builder's "All pages" toggle (egui_kittest): the demo ASA's
//! objects walked in one login and shown as one body; the progress "page i
//! of n" while a walk runs, and Cancel stopping it.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::demo::server::{DemoRequest, DemoResponse, serve_tls};
use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::json;
use support::devices::{device, pin, pinned_in};
use support::gui::{app, harness_sized, pick_device, retype, step_until, type_password};
use support::{appliance, localhost_cert, runtime};

/// An app over `dir` with `device` selected (and its password typed), in
/// a window tall enough to show a few dozen body rows.
fn tall_harness(dir: &std::path::Path, device: Device) -> Harness<'static, ApxApp> {
    Workspace::new(dir).add_device(device.clone()).unwrap();
    let mut h = harness_sized(app(dir), egui::Vec2::new(1280.0, 2400.0));
    pick_device(&mut h, &device.name);
    type_password(&mut h, DEMO_PASSWORD);
    h
}

fn finished(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    r.running.is_none() && r.result.is_some() && r.rendered.is_some()
}

#[test]
fn all_pages_shows_every_object_as_one_body_after_one_login() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let d = pinned_in("Lab", "lab-asa", &asa);
    let mut h = tall_harness(dir.path(), d);
    retype(&mut h, "URL", "/api/objects/networkobjects?limit=2");
    h.get_by_label("All pages").click();
    h.run();
    assert!(h.state().tabs.active().draft.all_pages);
    h.get_by_label("Send").click();
    step_until(&mut h, "the pages", finished);
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200));
    assert_eq!(result.pages, Some(3));
    h.get_by_label("3 pages");
    for name in support::DEMO_ASA_OBJECTS {
        h.get_by_label_contains(&format!("\"name\": \"{name}\""));
    }
    assert_eq!(asa.stats.logins.load(Ordering::SeqCst), 1);
    assert_eq!(asa.stats.requests.load(Ordering::SeqCst), 3);

    // Untoggled, the same request shows its first page only.
    h.get_by_label("All pages").click();
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "one page", finished);
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.pages, None);
    assert!(h.query_by_label_contains("\"name\": \"dmz-net\"").is_none());
}

#[test]
fn a_walk_shows_its_page_and_cancel_stops_it() {
    let rt = runtime();
    let cert = localhost_cert();
    // The first page at once; the second one never in time.
    let handler = Arc::new(|req: &DemoRequest| {
        let first = req.query_param("offset").is_none();
        let page = json!({"rangeInfo": {"offset": if first { 0 } else { 2 }, "limit": 2, "total": 4}, "items": [1, 2]});
        let answer = DemoResponse::json(200, &page);
        if first {
            answer
        } else {
            answer.with_delay(Duration::from_secs(30))
        }
    });
    let server = rt.block_on(serve_tls(&cert, handler, None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = Device {
        folder: "Lab".into(),
        username: None,
        trust: pin(&apx::core::tls::sha256_fingerprint(&cert.cert_der)),
        ..device("pager", Platform::Generic, &server.url())
    };
    let mut h = tall_harness(dir.path(), d);
    retype(&mut h, "URL", "/api/things?limit=2");
    h.get_by_label("All pages").click();
    h.run();
    h.get_by_label("Send").click();
    step_until(&mut h, "the second page", |a| {
        a.tabs
            .active()
            .response
            .running
            .as_ref()
            .is_some_and(|r| r.page == Some((2, Some(2))))
    });
    h.get_by_label_contains("page 2 of 2");
    h.get_by_label("Cancel request").click();
    step_until(&mut h, "the cancellation", |a| {
        a.tabs.active().response.running.is_none()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    let error = result.error.unwrap();
    assert_eq!(error.kind, apx::core::error::FailureKind::Cancelled);
}
