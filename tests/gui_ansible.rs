//! File > Export collection... > Ansible playbook, driven through the UI:
//! the inventory, the playbook and the pinned device's certificate land on
//! disk, with no password; an FMC device gets its login and domain.

mod support;

use apx::core::platform::Platform;
use apx::core::workspace::Workspace;
use apx::core::workspace::saved::SavedRequest;
use apx::demo::DEMO_PASSWORD;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::devices::pinned_in;
use support::gui::{app, harness, pick_device, retype, settle, type_password};
use support::requests;
use support::{appliance, runtime};

/// File > Export collection... > Ansible playbook of `folder` on `devices`
/// into `target`, and its confirmation.
fn export_ansible(
    h: &mut Harness<'static, apx::ui::ApxApp>,
    folder: &str,
    devices: &str,
    target: &std::path::Path,
) {
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export collection...").click();
    h.run();
    retype(h, "Folder", folder);
    h.get_by_label("Ansible playbook").click();
    h.run();
    retype(h, "On devices", devices);
    retype(h, "Save in folder", target.to_str().unwrap());
    h.get_by_label("Export").click();
    settle(h);
    h.get_by_label_contains("Exported 1 request for 1 device. Run: ansible-playbook -i ");
}

#[test]
fn export_a_folder_as_an_ansible_playbook_for_a_pinned_device() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.add_device(pinned_in("Lab", "fw", &asa)).unwrap();
    let read = SavedRequest {
        device: Some("fw".into()),
        ..requests::get("Serial", "/api/monitoring/serialnumber")
    };
    ws.save_request("ASA", &read).unwrap();
    let mut h = harness(app(dir.path()));
    pick_device(&mut h, "fw");
    type_password(&mut h, DEMO_PASSWORD);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("ansible");

    export_ansible(&mut h, "ASA", "Lab", &target);

    let playbook = std::fs::read_to_string(target.join("playbook.yml")).unwrap();
    let inventory = std::fs::read_to_string(target.join("inventory.yml")).unwrap();
    let pem = std::fs::read_to_string(target.join("certs/apx_1_fw.pem")).unwrap();
    assert_eq!(pem, asa.cert_pem.replace("\r\n", "\n"), "the pinned leaf");
    assert!(
        playbook.contains("/api/monitoring/serialnumber"),
        "{playbook}"
    );
    assert!(
        playbook.contains("ca_path: \"{{ playbook_dir }}/certs/apx_1_fw.pem\""),
        "{playbook}"
    );
    assert!(inventory.contains("apx_1_fw:"), "{inventory}");
    for text in [&playbook, &inventory] {
        assert!(!text.contains(DEMO_PASSWORD), "{text}");
    }
    // Nothing but the handshake reached the appliance.
    let stats = &asa.stats;
    assert_eq!(stats.logins.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[test]
fn an_fmc_device_is_exported_with_its_login_and_domain() {
    let rt = runtime();
    let fmc = appliance(&rt, Platform::Fmc);
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    ws.add_device(pinned_in("Firepower", "fmc", &fmc)).unwrap();
    let networks = SavedRequest {
        device: Some("fmc".into()),
        ..requests::get(
            "Networks",
            "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
        )
    };
    ws.save_request("FMC", &networks).unwrap();
    let mut h = harness(app(dir.path()));
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("ansible");
    export_ansible(&mut h, "FMC", "Firepower", &target);

    let playbook = std::fs::read_to_string(target.join("playbook.yml")).unwrap();
    for part in [
        "/api/fmc_platform/v1/auth/generatetoken\"",
        "apx_domain: \"{{ apx_login.domain_uuid | default('') }}\"",
        "url: \"{{ apx_url | join(apx_domain) }}\"",
        "/api/fmc_platform/v1/auth/revokeaccess\"",
        "ca_path: \"{{ playbook_dir }}/certs/apx_1_fmc.pem\"",
    ] {
        assert!(playbook.contains(part), "{part}: {playbook}");
    }
    assert_eq!(
        fmc.stats.logins.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}
