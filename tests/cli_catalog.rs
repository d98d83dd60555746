//! `apx import openapi` and `apx catalog` through the real binary: Swagger
//! 2.0 and OpenAPI 3 files, per platform and per device, the word search,
//! imports over built-ins, hostile files, exit codes.

mod support;

use std::path::Path;

use apx::core::platform::Platform;
use support::{add_device, appliance, apx_in, runtime};

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/openapi/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn add_offline_device(dir: &Path, name: &str, platform: &str) {
    let run = apx_in(
        dir,
        &[
            "device",
            "add",
            name,
            "--platform",
            platform,
            "--url",
            "https://127.0.0.1:1",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn import_openapi_stores_a_platform_catalog_that_catalog_lists_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture("swagger2.json");
    let import = apx_in(
        dir.path(),
        &[
            "import",
            "openapi",
            &spec,
            "--platform",
            "generic",
            "--json",
        ],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    let doc = import.json();
    assert_eq!(doc["operations"], 6);
    assert_eq!(doc["source"], spec.as_str());
    let stored = doc["stored"].as_str().unwrap();
    assert!(stored.ends_with("catalogs/generic.json"), "{stored}");
    let text = std::fs::read_to_string(dir.path().join(stored)).unwrap();
    assert!(
        !text.contains("\"swagger\""),
        "the parsed operations, not the raw spec"
    );

    let human = apx_in(
        dir.path(),
        &["import", "openapi", &spec, "--platform", "generic"],
    );
    assert_eq!(human.code, 0);
    assert!(human.stdout.starts_with("6 operations"), "{}", human.stdout);

    let found = apx_in(
        dir.path(),
        &[
            "catalog",
            "--platform",
            "generic",
            "OBJECT networkobject get",
        ],
    );
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert_eq!(
        found.stdout,
        "GET /api/fmc_config/v1/domain/{domainUUID}/object/networks  Retrieves the network objects\n\
         GET /api/fmc_config/v1/domain/{domainUUID}/object/networks/{objectId}  Retrieves a network object\n"
    );

    let json = apx_in(
        dir.path(),
        &[
            "catalog",
            "--platform",
            "generic",
            "getAllNetworkObject",
            "--json",
        ],
    )
    .json();
    assert_eq!(
        json,
        serde_json::json!([{
            "method": "GET",
            "path": "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
            "summary": "Retrieves the network objects",
            "tag": "Object",
            "operation_id": "getAllNetworkObject",
            "parameters": [
                {"name": "domainUUID", "in": "path", "required": true},
                {"name": "limit", "in": "query", "required": false},
                {"name": "expanded", "in": "query", "required": false},
                {"name": "filter", "in": "query", "required": false}
            ]
        }])
    );
}

#[test]
fn a_device_catalog_is_its_platforms_built_ins_with_its_own_import_over_them() {
    let dir = tempfile::tempdir().unwrap();
    add_offline_device(dir.path(), "chassis", "fxos");
    let builtins = apx_in(dir.path(), &["catalog", "--device", "chassis", "--json"]).json();
    let count = builtins.as_array().unwrap().len();
    assert!(count > 0);

    let spec = dir.path().join("fxos.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.1.0\npaths:\n  /api/sys/firmware:\n    get:\n      summary: Firmware from the spec\n      tags: [System]\n  /api/new/thing:\n    get:\n      summary: A new thing\n",
    )
    .unwrap();
    let import = apx_in(
        dir.path(),
        &[
            "import",
            "openapi",
            spec.to_str().unwrap(),
            "--device",
            "chassis",
            "--json",
        ],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert!(
        import.json()["stored"]
            .as_str()
            .unwrap()
            .ends_with("catalogs/device/chassis.json")
    );

    let after = apx_in(dir.path(), &["catalog", "--device", "chassis", "--json"]).json();
    let after = after.as_array().unwrap();
    assert_eq!(
        after.len(),
        count + 1,
        "the firmware endpoint was replaced, not added"
    );
    let firmware: Vec<_> = after
        .iter()
        .filter(|o| o["path"] == "/api/sys/firmware")
        .collect();
    assert_eq!(firmware.len(), 1);
    assert_eq!(firmware[0]["summary"], "Firmware from the spec");
    assert_eq!(firmware[0]["tag"], "System");

    // The platform's catalog is untouched by one device's import.
    let platform = apx_in(dir.path(), &["catalog", "--platform", "fxos", "new thing"]);
    assert_eq!(platform.code, 0);
    assert_eq!(platform.stdout, "");
}

#[test]
fn bad_scopes_sources_and_specs_are_refused_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture("openapi3.yaml");
    let neither = apx_in(dir.path(), &["import", "openapi", &spec]);
    assert_eq!(neither.code, 2, "{}", neither.stderr);
    assert!(neither.stderr.contains("--platform"), "{}", neither.stderr);
    let both = apx_in(
        dir.path(),
        &["catalog", "--platform", "asa", "--device", "x"],
    );
    assert_eq!(both.code, 2);
    let unknown = apx_in(dir.path(), &["catalog", "--platform", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("unknown platform"),
        "{}",
        unknown.stderr
    );
    let no_device = apx_in(
        dir.path(),
        &["import", "openapi", &spec, "--device", "ghost"],
    );
    assert_eq!(no_device.code, 2);
    assert!(
        no_device.stderr.contains("unknown device"),
        "{}",
        no_device.stderr
    );
    let missing = apx_in(
        dir.path(),
        &["import", "openapi", "nowhere.json", "--platform", "asa"],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read nowhere.json"),
        "{}",
        missing.stderr
    );

    let bomb = dir.path().join("bomb.yaml");
    let mut text = String::from("openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        text.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    text.push_str("paths: {}\n");
    std::fs::write(&bomb, text).unwrap();
    let refused = apx_in(
        dir.path(),
        &[
            "import",
            "openapi",
            bomb.to_str().unwrap(),
            "--platform",
            "asa",
            "--json",
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("YAML")
    );
    assert!(!dir.path().join("saved_requests/catalogs/asa.json").exists());

    // A corrupt stored catalog is reported with its place, never rewritten.
    let stored = dir.path().join("saved_requests/catalogs");
    std::fs::create_dir_all(&stored).unwrap();
    std::fs::write(stored.join("esa.json"), "{\"format\": 1, \"operations\": [").unwrap();
    let corrupt = apx_in(dir.path(), &["catalog", "--platform", "esa"]);
    assert_eq!(corrupt.code, 2, "{}", corrupt.stderr);
    assert!(corrupt.stderr.contains("esa.json:1:"), "{}", corrupt.stderr);

    // A platform that serves no spec of its own: the fetch is refused, nothing sent.
    add_offline_device(dir.path(), "edge", "asa");
    let no_device = apx_in(
        dir.path(),
        &["import", "openapi", "device", "--platform", "fmc"],
    );
    assert_eq!(no_device.code, 2);
    assert!(
        no_device.stderr.contains("--device NAME"),
        "{}",
        no_device.stderr
    );
    let fetch = apx_in(
        dir.path(),
        &["import", "openapi", "device", "--device", "edge"],
    );
    assert_eq!(fetch.code, 2, "{}", fetch.stderr);
    assert!(
        fetch.stderr.contains("serves no API spec"),
        "{}",
        fetch.stderr
    );
}

#[test]
fn the_spec_the_demo_fmc_and_fdm_serve_becomes_the_devices_catalog() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    // The version each demo tells, as a file name.
    for (platform, path, version) in [
        (
            Platform::Fmc,
            "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
            "7.4.1%20%28build%20172%29",
        ),
        (
            Platform::Fdm,
            "/api/fdm/latest/object/networks",
            "7.4.1-172",
        ),
    ] {
        let a = appliance(&rt, platform);
        let name = platform.id();
        add_device(dir.path(), &[], name, &a);
        let fetch = apx_in(
            dir.path(),
            &[
                "import",
                "openapi",
                "device",
                "--device",
                name,
                "--password-env",
                "APX_PASSWORD",
                "--json",
            ],
        );
        assert_eq!(fetch.code, 0, "{name}: {}{}", fetch.stdout, fetch.stderr);
        let doc = fetch.json();
        assert!(doc["operations"].as_u64().unwrap() >= 3, "{doc}");
        assert!(
            doc["source"]
                .as_str()
                .unwrap()
                .ends_with(platform.spec_path().unwrap())
        );
        let cache = dir.path().join("saved_requests/catalogs/cache");
        assert_eq!(
            std::fs::read_to_string(cache.join(".gitignore")).unwrap(),
            "*\n"
        );
        assert!(cache.join(format!("{name}@{version}.spec")).exists());
        // Stored for the version the device told.
        let stored = doc["stored"].as_str().unwrap();
        assert!(
            stored.ends_with(&format!("catalogs/device/{name}/{version}.json")),
            "{stored}"
        );

        let listed = apx_in(
            dir.path(),
            &["catalog", "--device", name, "networks get", "--json"],
        )
        .json();
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["path"] == path && o["method"] == "GET"),
            "{name}: {listed}"
        );
    }
}
