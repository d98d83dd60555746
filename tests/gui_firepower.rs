//! FMC and FDM in the desktop app (egui_kittest, headless) against the
//! in-process demo appliances: the device editor's domain picker filled from
//! the last login's `DOMAINS`, and the note that a change needs a deployment.

mod support;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use egui_kittest::kittest::Queryable;
use support::devices::pinned_in;
use support::gui::{
    app, choose_method, harness, pick_device, retype, settle, step_until, type_body, type_password,
};
use support::{appliance, runtime};

fn finished(app: &ApxApp) -> bool {
    let r = &app.tabs.active().response;
    r.running.is_none() && r.result.is_some() && r.rendered.is_some()
}

fn paging_count(app: &ApxApp) -> Option<u64> {
    let result = app.tabs.active().response.result.as_ref()?;
    let body: serde_json::Value = serde_json::from_slice(result.body.bytes()?).ok()?;
    body["paging"]["count"].as_u64()
}

#[test]
fn the_domain_picker_offers_the_last_logins_domains() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let dir = tempfile::tempdir().unwrap();
    Workspace::new(dir.path())
        .add_device(pinned_in("Lab", "lab-fmc", &fmc))
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "lab-fmc");
    type_password(&mut h, DEMO_PASSWORD);
    retype(
        &mut h,
        "URL",
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
    );
    h.get_by_label("Send").click();
    step_until(&mut h, "the Global domain's networks", finished);
    assert_eq!(paging_count(h.state()), Some(30));

    // The device tree's entry (the device is named elsewhere on screen too).
    let named = h.query_all_by_label("lab-fmc").count();
    for i in 0..named {
        h.query_all_by_label("lab-fmc")
            .nth(i)
            .unwrap()
            .click_secondary();
        h.run();
        if h.query_by_label("Edit…").is_some() {
            break;
        }
    }
    h.get_by_label("Edit…").click();
    h.run();
    h.get_by_label("Known domains").click();
    h.run();
    h.get_by_label("Global/Lab").click();
    h.run();
    h.get_by_label("Save device").click();
    settle(&mut h);
    let file = std::fs::read_to_string(dir.path().join("devices.json")).unwrap();
    assert!(file.contains("\"domain\": \"Global/Lab\""), "{file}");

    h.get_by_label("Send").click();
    step_until(&mut h, "the Lab domain's networks", |a| {
        finished(a) && paging_count(a) == Some(3)
    });
}

#[test]
fn a_change_on_the_fmc_is_noted_as_needing_a_deployment() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let dir = tempfile::tempdir().unwrap();
    Workspace::new(dir.path())
        .add_device(pinned_in("Lab", "lab-fmc", &fmc))
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "lab-fmc");
    type_password(&mut h, DEMO_PASSWORD);
    choose_method(&mut h, "POST");
    retype(
        &mut h,
        "URL",
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
    );
    type_body(
        &mut h,
        r#"{"name": "gui-net", "value": "10.5.0.0/24", "type": "Network"}"#,
    );
    h.get_by_label("Send").click();
    step_until(&mut h, "the created object", finished);
    h.get_by_label_contains("201 Created");
    h.get_by_label_contains("takes effect on the devices only after a deployment");
}
