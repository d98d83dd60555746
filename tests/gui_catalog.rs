//! The catalog browser driven through the UI: an imported Swagger catalog
//! searched by words in any order, an operation picked, its parameters
//! filled through the form (path parameters, an enum) and its body skeleton.

mod support;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::core::workspace::catalogs::CatalogKey;
use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::devices::device;
use support::gui::{app, harness, pick_device, retype, settle};

/// Where nothing answers (the catalog needs no network).
const OFFLINE: &str = "https://127.0.0.1:1";

const NETWORKS: &str = "/api/fmc_config/v1/domain/{domainUUID}/object/networks";

/// The app with an FMC device whose catalog is the Swagger 2.0 fixture,
/// the device's tab active and the browser open.
fn browsing(dir: &std::path::Path) -> Harness<'static, ApxApp> {
    let workspace = Workspace::new(dir);
    workspace
        .add_device(device("lab-fmc", Platform::Fmc, OFFLINE))
        .unwrap();
    let spec = format!(
        "{}/tests/fixtures/openapi/swagger2.json",
        env!("CARGO_MANIFEST_DIR")
    );
    workspace
        .import_openapi_file(spec.as_ref(), &CatalogKey::Device("lab-fmc".into()))
        .unwrap();
    let mut h = harness(app(dir));
    pick_device(&mut h, "lab-fmc");
    h.get_by_label("Catalog").click();
    h.run();
    settle(&mut h);
    h
}

#[test]
fn search_takes_words_in_any_order_and_groups_by_tag() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = browsing(dir.path());
    assert!(h.query_by_label("Object").is_some(), "the tag heading");
    assert!(h.query_by_label("System Information").is_some());
    retype(&mut h, "Search", "NETWORK get objectid");
    assert!(
        h.query_by_label(&format!("GET {NETWORKS}/{{objectId}}"))
            .is_some()
    );
    assert!(
        h.query_by_label(&format!("DELETE {NETWORKS}/{{objectId}}"))
            .is_none()
    );
    assert!(h.query_by_label(&format!("GET {NETWORKS}")).is_none());
    assert!(h.query_by_label("System Information").is_none());
    let total = Workspace::new(dir.path())
        .catalog(&CatalogKey::Device("lab-fmc".into()))
        .unwrap()
        .len();
    assert!(total > 6, "the built-ins beside the import");
    assert!(
        h.query_by_label(&format!("1 of {total} operations"))
            .is_some()
    );
}

#[test]
fn picking_an_operation_fills_the_builder_and_its_parameter_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = browsing(dir.path());
    retype(&mut h, "Search", "getAllNetworkObject");
    h.get_by_label(&format!("GET {NETWORKS}")).click();
    h.run();
    assert!(!h.state().catalog.open, "picking closes the browser");
    assert_eq!(h.state().tabs.active().draft.method, "GET");
    assert_eq!(h.state().tabs.active().draft.url, NETWORKS);
    // The description beside the builder; required parameters marked.
    assert!(
        h.query_by_label_contains("Paged with offset and limit")
            .is_some()
    );
    retype(
        &mut h,
        "domainUUID *",
        "e276abec-e0f2-11e3-8169-6d9ed49b625f",
    );
    retype(&mut h, "limit", "25");
    h.get_by_label("expanded").click();
    h.run();
    h.get_by_label("true").click();
    h.run();
    assert_eq!(
        h.state().tabs.active().draft.url,
        "/api/fmc_config/v1/domain/e276abec-e0f2-11e3-8169-6d9ed49b625f/object/networks?limit=25&expanded=true"
    );
}

#[test]
fn a_post_starts_from_its_body_skeleton() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = browsing(dir.path());
    retype(&mut h, "Search", "create network");
    h.get_by_label(&format!("POST {NETWORKS}")).click();
    h.run();
    let draft = &h.state().tabs.active().draft;
    assert_eq!(draft.method, "POST");
    let body: serde_json::Value = serde_json::from_str(&draft.body).unwrap();
    assert_eq!(body["name"], "web-net");
    assert_eq!(body["type"], "Network");
    assert!(
        h.query_by_label("Request body").is_some(),
        "the Body section is shown"
    );
}

#[test]
fn a_corrupt_stored_catalog_is_reported_and_the_built_ins_stay() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(dir.path());
    let stored = workspace.catalog_path(&CatalogKey::Platform(Platform::Asa));
    std::fs::create_dir_all(stored.parent().unwrap()).unwrap();
    std::fs::write(&stored, "{\"format\": 1, \"operations\": [").unwrap();
    workspace
        .add_device(device("edge", Platform::Asa, OFFLINE))
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "edge");
    h.get_by_label("Catalog").click();
    h.run();
    settle(&mut h);
    assert!(
        h.query_all_by_label_contains("asa.json:1:")
            .next()
            .is_some()
    );
    h.get_by_label("POST /api/cli").click();
    h.run();
    assert_eq!(h.state().tabs.active().draft.url, "/api/cli");
    assert!(
        h.state().tabs.active().operation.is_none(),
        "a built-in has no form"
    );
}

#[test]
fn the_spec_a_device_serves_is_fetched_into_its_catalog() {
    let rt = support::runtime();
    let fdm = support::appliance(&rt, Platform::Fdm);
    let dir = tempfile::tempdir().unwrap();
    Workspace::new(dir.path())
        .add_device(support::devices::pinned("lab-fdm", &fdm))
        .unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "lab-fdm");
    support::gui::type_password(&mut h, apx::demo::DEMO_PASSWORD);
    h.get_by_label("Catalog").click();
    h.run();
    settle(&mut h);
    let served = "GET /api/fdm/latest/operational/systeminfo/{objId}";
    retype(&mut h, "Search", "systeminfo");
    assert!(h.query_by_label(served).is_none(), "only the built-ins yet");
    h.get_by_label("Fetch the spec lab-fdm serves").click();
    settle(&mut h);
    support::gui::step_until(&mut h, "the fetched catalog", |a| {
        a.catalog.fetching.is_none()
    });
    // Stored for the software version the device told.
    h.get_by_label_contains("5 operations of version 7.4.1-172 fetched");
    assert_eq!(
        Workspace::new(dir.path())
            .served_version("lab-fdm")
            .unwrap()
            .as_deref(),
        Some("7.4.1-172")
    );
    assert!(
        h.query_by_label(served).is_some(),
        "the device's own operation"
    );
    // Stored in the workspace: the CLI lists it too.
    let stored = Workspace::new(dir.path())
        .catalog(&CatalogKey::Device("lab-fdm".into()))
        .unwrap();
    assert!(
        stored
            .operations()
            .iter()
            .any(|op| op.path == "/api/fdm/latest/operational/systeminfo/{objId}")
    );
}
