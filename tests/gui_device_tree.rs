//! The device tree with 1,000 devices in 50 folders, headless
//! (egui_kittest): only the rows on screen are drawn, yet a filter typed
//! narrows it to one device that is picked and sent to, a device far down
//! is reached by scrolling and picked with a click, a folder closes and
//! opens (and stays closed in the next run), and the keyboard walks the
//! rows past the bottom of the panel.

mod support;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::demo::{Appliance, DEMO_PASSWORD};
use apx::ui::ApxApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use support::gui::{app, harness, pick_device, retype, settle, step_until, type_password};
use support::{appliance, runtime};

const FOLDERS: usize = 50;
const DEVICES: usize = 1_000;
/// The last row of the tree.
const LAST: &str = "site-49 fw-19";

/// 1,000 devices, 20 in each of 50 folders, all pinned to `a`.
fn fleet(dir: &std::path::Path, a: &Appliance) -> Harness<'static, ApxApp> {
    let devices: Vec<Device> = (0..DEVICES)
        .map(|i| {
            let (folder, n) = (i % FOLDERS, i / FOLDERS);
            Device {
                name: format!("site-{folder:02} fw-{n:02}"),
                folder: format!("Region {}/Site {folder:02}", folder / 10),
                platform: Platform::Asa,
                base_url: a.url.clone(),
                username: Some("admin".into()),
                trust: Trust::Pin {
                    sha256: a.sha256.clone(),
                },
                variables: Default::default(),
                allow_http: false,
                domain: None,
                api_version: None,
                reach: Default::default(),
            }
        })
        .collect();
    Workspace::new(dir).save_devices(&devices).unwrap();
    let mut h = harness(app(dir));
    h.run();
    h
}

/// Finds the device rows drawn (buttons named `site-NN fw-NN`).
fn device_row() -> By<'static> {
    By::new()
        .role(Role::Button)
        .predicate(|n| n.label().is_some_and(|l| l.starts_with("site-")))
}

fn device_rows(h: &Harness<'static, ApxApp>) -> Vec<String> {
    h.query_all(device_row())
        .filter_map(|n| n.accesskit_node().label())
        .collect()
}

fn picked(h: &Harness<'static, ApxApp>) -> Option<String> {
    h.state().tabs.active().device.clone()
}

#[test]
fn a_filter_narrows_a_thousand_devices_to_one_that_is_picked_and_sent_to() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = fleet(dir.path(), &asa);
    let shown = device_rows(&h);
    assert!(
        !shown.is_empty() && shown.len() < 60,
        "only the rows on screen are drawn: {} rows",
        shown.len()
    );
    assert!(!shown.iter().any(|n| n == LAST));

    h.get_by_label("Filter").focus();
    h.run();
    h.get_by_label("Filter").type_text("site-07 fw-03");
    h.run();
    assert_eq!(device_rows(&h), ["site-07 fw-03"]);
    h.get_by_role_and_label(Role::DisclosureTriangle, "Region 0/Site 07");
    assert!(
        h.query_by_role_and_label(Role::DisclosureTriangle, "Region 0/Site 08")
            .is_none()
    );

    pick_device(&mut h, "site-07 fw-03");
    assert_eq!(picked(&h).as_deref(), Some("site-07 fw-03"));
    type_password(&mut h, DEMO_PASSWORD);
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label("Send").click();
    step_until(&mut h, "the response", |a| {
        let r = &a.tabs.active().response;
        r.running.is_none() && r.result.is_some()
    });
    let result = h.state().tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200));

    // Erased, the whole tree is back (its top on screen).
    retype(&mut h, "Filter", "");
    assert!(device_rows(&h).len() > 10);
    h.get_by_role_and_label(Role::Button, "site-00 fw-00");
}

#[test]
fn scrolling_far_down_reaches_a_device_that_a_click_picks() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = fleet(dir.path(), &asa);
    // Scroll the tree down, 100 points at a time, until its last row shows.
    let mut scrolls = 0;
    while h.query_by_role_and_label(Role::Button, LAST).is_none() {
        scrolls += 1;
        assert!(scrolls < 400, "the tree's last row never showed");
        h.query_all(device_row())
            .last()
            .expect("a device row on screen")
            .scroll_down();
        h.run();
    }
    assert!(scrolls > 100, "the rows are far down: {scrolls} scrolls");
    assert!(
        h.query_by_role_and_label(Role::Button, "site-00 fw-00")
            .is_none()
    );
    pick_device(&mut h, LAST);
    assert_eq!(picked(&h).as_deref(), Some(LAST));

    // Its folder closes (its rows go) and opens again.
    let folder = "Region 4/Site 49";
    h.get_by_role_and_label(Role::DisclosureTriangle, folder)
        .click();
    h.run();
    assert!(h.query_by_role_and_label(Role::Button, LAST).is_none());
    h.get_by_role_and_label(Role::DisclosureTriangle, folder)
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "site-49 fw-00");
}

#[test]
fn tab_walks_the_rows_past_the_bottom_of_the_panel() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = fleet(dir.path(), &asa);
    let below = "site-02 fw-10";
    assert!(h.query_by_role_and_label(Role::Button, below).is_none());
    h.get_by_role_and_label(Role::Button, "site-00 fw-00")
        .focus();
    h.run();
    // Every row (and header) on the way takes the focus in turn.
    for _ in 0..200 {
        if h.query_by_role_and_label(Role::Button, below)
            .is_some_and(|n| n.is_focused())
        {
            break;
        }
        h.key_press(egui::Key::Tab);
        h.run();
    }
    assert!(
        h.get_by_role_and_label(Role::Button, below).is_focused(),
        "the focus reached a row below the panel"
    );
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(picked(&h).as_deref(), Some(below));
}

#[test]
fn a_folder_closed_stays_closed_in_the_next_run() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let mut h = fleet(dir.path(), &asa);
    let folder = "Region 0/Site 00";
    h.get_by_role_and_label(Role::DisclosureTriangle, folder)
        .click();
    h.run();
    assert!(
        h.query_by_role_and_label(Role::Button, "site-00 fw-00")
            .is_none()
    );
    h.get_by_role_and_label(Role::Button, "site-01 fw-00");

    // The next run: a new app in the window whose egui state was kept (as
    // eframe keeps it between runs).
    *h.state_mut() = app(dir.path());
    settle(&mut h);
    h.get_by_role_and_label(Role::DisclosureTriangle, folder);
    assert!(
        h.query_by_role_and_label(Role::Button, "site-00 fw-00")
            .is_none()
    );
    h.get_by_role_and_label(Role::Button, "site-01 fw-00");
}
