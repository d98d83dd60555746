//! Secrets never reach output, files, exports or the app's settings: every
//! printing and storing path of the CLI runs against the demo appliances
//! (ASA token and Basic, FXOS token, WSA JWT with a refresh, FMC and FDM
//! tokens with refreshes and revocation), and everything
//! printed or written is searched for the password, its Basic form and every
//! session token and JWT the appliances issued, in every written form; the
//! passcode of an AsyncOS two-factor login likewise.

mod support;

use apx::core::platform::Platform;
use std::time::Duration;

use apx::demo::{Appliance, ApplianceConfig, DEMO_PASSCODE, DEMO_PASSWORD, TwoFactorFlag};
use support::{BASIC_AUTH, add_device, apx_in, leaked_forms, runtime};

/// Saves `paths` as requests of folder `folder` for device `device`.
fn save_folder(ws: &std::path::Path, folder: &str, device: &str, paths: &[&str]) {
    std::fs::create_dir_all(ws.join(folder)).unwrap();
    for (i, path) in paths.iter().enumerate() {
        let request = serde_json::json!({
            "format": 2, "name": format!("{folder} {i}"), "device": device,
            "method": "GET", "url": path,
        });
        std::fs::write(
            ws.join(folder).join(format!("{i:02}.json")),
            request.to_string(),
        )
        .unwrap();
    }
}

#[test]
fn no_printing_or_storing_path_leaks_a_password_or_token() {
    let rt = runtime();
    let asa = support::appliance(&rt, Platform::Asa);
    let fxos = support::appliance(&rt, Platform::Fxos);
    let wsa = support::appliance(&rt, Platform::Wsa);
    // Simulated time passes with each call, so that runs refresh tokens.
    let stepping = |minutes: u64| ApplianceConfig {
        clock_step: Some(Duration::from_secs(minutes * 60)),
        ..ApplianceConfig::demo()
    };
    let cert = support::localhost_cert();
    let fmc = support::appliance_with(&rt, Platform::Fmc, stepping(20), &cert);
    let fdm = support::appliance_with(&rt, Platform::Fdm, stepping(16), &cert);
    let root = tempfile::tempdir().unwrap();
    let ws = root.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    let out = |name: &str| root.path().join(name).to_str().unwrap().to_string();
    let devices: [(&str, &Appliance, &str); 5] = [
        ("fw", &asa, "/api/objects/networkobjects"),
        ("fx", &fxos, "/api/sys/firmware"),
        (
            "wsa",
            &wsa,
            "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
        ),
        (
            "fmc",
            &fmc,
            "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
        ),
        ("fdm", &fdm, "/api/fdm/latest/object/networks"),
    ];
    for (name, a, path) in devices {
        add_device(root.path(), &["--workspace", ws_arg], name, a);
        // Six requests: enough for the WSA to refresh its JWT mid-run.
        save_folder(&ws, name, name, &[path; 6]);
    }

    let mut commands: Vec<Vec<String>> = Vec::new();
    let strings = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (name, a, path) in devices {
        for mode in [&[][..], &["--json"], &["-v"], &["-v", "--json"]] {
            let mut send = strings(&["send", "--device", name]);
            send.extend(strings(mode));
            send.extend(strings(&["--password-env", "APX_PASSWORD", path]));
            commands.push(send);
            let mut run = strings(&["run", name, "--password-env", "APX_PASSWORD"]);
            run.extend(strings(mode));
            commands.push(run);
        }
        commands.push(strings(&[
            "send",
            "--device",
            name,
            "--password-env",
            "APX_PASSWORD",
            "-o",
            &out(&format!("{name}.out")),
            path,
        ]));
        commands.push(strings(&["probe", "--pin", &a.sha256, &a.url]));
        commands.push(strings(&["probe", "--json", "--pin", &a.sha256, &a.url]));
        commands.push(strings(&[
            "export",
            "curl",
            &format!("{name}/00.json"),
            "--device",
            name,
        ]));
    }
    for mode in [&[][..], &["--json"], &["-v"]] {
        let mut basic = strings(&["send", "--device", "fw"]);
        basic.extend(strings(mode));
        basic.extend(strings(&BASIC_AUTH));
        basic.push("/api/objects/networkobjects".into());
        commands.push(basic);
        let mut refused = strings(&["send", "--device", "fw"]);
        refused.extend(strings(mode));
        refused.extend(strings(&BASIC_AUTH));
        refused.push("/api/nope".into());
        commands.push(refused);
    }
    commands.push(strings(&["export", "postman", ""]));
    commands.push(strings(&[
        "export",
        "postman",
        "",
        "-o",
        &out("all.postman.json"),
    ]));
    commands.push(strings(&["device", "list"]));
    commands.push(strings(&["device", "list", "--json"]));

    let mut printed = String::new();
    for args in &commands {
        let mut argv = vec!["--workspace", ws_arg];
        argv.extend(args.iter().map(String::as_str));
        let run = apx_in(root.path(), &argv);
        printed.push_str(&format!(
            "$ {argv:?} -> {}\n{}{}",
            run.code, run.stdout, run.stderr
        ));
        // Every path ran to its end (a 404 is an HTTP failure, exit 1).
        let expected = if args.iter().any(|a| a == "/api/nope") {
            1
        } else {
            0
        };
        assert_eq!(run.code, expected, "{argv:?}\n{}{}", run.stdout, run.stderr);
    }

    // The app over the same workspace, a password typed and credentials
    // typed in the address field: its persisted settings.
    let settings = app_settings(&ws, &asa);

    let mut tokens = Vec::new();
    for a in [&asa, &fxos, &wsa, &fmc, &fdm] {
        let issued = a.stats.issued();
        assert!(!issued.is_empty(), "{} issued no token", a.name);
        tokens.extend(issued);
    }
    assert!(
        wsa.stats
            .refreshes
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0,
        "the WSA refreshed no JWT, so a refreshed one was never searched for"
    );
    for a in [&fmc, &fdm] {
        let count = |c: &std::sync::atomic::AtomicU32| c.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            count(&a.stats.refreshes) > 0,
            "{} refreshed no token",
            a.name
        );
        assert!(count(&a.stats.logouts) > 0, "{} revoked no token", a.name);
    }
    let basic_pair = format!("admin:{DEMO_PASSWORD}");
    let mut secrets = vec![DEMO_PASSWORD, basic_pair.as_str()];
    secrets.extend(tokens.iter().map(String::as_str));

    let mut leaks = Vec::new();
    let printed_leaks = leaked_forms(&printed, &secrets);
    if !printed_leaks.is_empty() {
        leaks.push(format!("printed: {printed_leaks:?}"));
    }
    let settings_leaks = leaked_forms(&settings, &secrets);
    if !settings_leaks.is_empty() {
        leaks.push(format!("app settings: {settings_leaks:?}\n{settings}"));
    }
    let files = support::files_under(root.path());
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        let found = leaked_forms(&text, &secrets);
        if !found.is_empty() {
            leaks.push(format!("{}: {found:?}", file.display()));
        }
    }
    assert!(leaks.is_empty(), "leaks: {leaks:#?}\n\n{printed}");

    // The searched places hold what was asked for, so a search that finds
    // nothing means something.
    for written in [
        "fw.out",
        "fx.out",
        "wsa.out",
        "fmc.out",
        "fdm.out",
        "all.postman.json",
    ] {
        assert!(
            files.contains(&root.path().join(written)),
            "{written} not written: {files:?}"
        );
    }
    assert!(files.contains(&ws.join(".history.jsonl")), "{files:?}");
    assert!(printed.contains("$APX_PASSWORD"), "{printed}");
}

#[test]
fn no_printing_or_storing_path_leaks_a_two_factor_passcode() {
    let rt = runtime();
    let config = ApplianceConfig {
        two_factor: Some(TwoFactorFlag::Text),
        ..ApplianceConfig::demo()
    };
    let wsa = support::appliance_with(&rt, Platform::Wsa, config, &support::localhost_cert());
    let root = tempfile::tempdir().unwrap();
    let ws = root.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    add_device(root.path(), &["--workspace", ws_arg], "wsa", &wsa);
    let report = "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa";
    save_folder(&ws, "wsa", "wsa", &[report; 2]);
    let out = root.path().join("wsa.out");
    let out = out.to_str().unwrap();
    let otp = ["--password-env", "APX_PASSWORD", "--otp-env", "APX_OTP"];
    let mut commands: Vec<Vec<&str>> = Vec::new();
    for mode in [&[][..], &["--json"], &["-v"], &["-v", "--json"]] {
        commands.push([&["send", "--device", "wsa"][..], mode, &otp, &[report]].concat());
        commands.push([&["run", "wsa"][..], mode, &otp].concat());
    }
    commands.push([&["send", "--device", "wsa", "-o", out][..], &otp, &[report]].concat());
    commands.push([&["export", "curl", "wsa/00.json", "--device", "wsa"][..]].concat());

    let mut printed = String::new();
    for args in &commands {
        let argv = [&["--workspace", ws_arg][..], args].concat();
        let run = support::apx_env(root.path(), &argv, &[("APX_OTP", DEMO_PASSCODE)]);
        printed.push_str(&format!(
            "$ {argv:?} -> {}\n{}{}",
            run.code, run.stdout, run.stderr
        ));
        assert_eq!(run.code, 0, "{argv:?}\n{}{}", run.stdout, run.stderr);
    }
    assert!(printed.contains("two_factor"), "{printed}");
    let leaks = leaked_forms(&printed, &[DEMO_PASSCODE]);
    assert!(leaks.is_empty(), "printed {leaks:?}:\n{printed}");
    let files = support::files_under(root.path());
    assert!(files.contains(&ws.join(".history.jsonl")), "{files:?}");
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        let found = leaked_forms(&text, &[DEMO_PASSCODE]);
        assert!(found.is_empty(), "{}: {found:?}", file.display());
    }
}

/// The settings the app would persist, as JSON, after the password of
/// "fw" was typed on its Auth tab and, typed in the address field in turn:
/// a URL carrying credentials, a curl command with a password (imported:
/// request and password taken apart) and one the import refuses (a body
/// from a file), which stays in the field.
fn app_settings(ws: &std::path::Path, asa: &Appliance) -> String {
    use egui_kittest::kittest::{NodeT, Queryable};
    use support::gui::{app, harness, pick_device, retype, type_password};
    let mut h = harness(app(ws));
    pick_device(&mut h, "fw");
    type_password(&mut h, DEMO_PASSWORD);
    let mut all = String::new();
    for (url, in_field) in [
        (
            asa.url
                .replace("https://", &format!("https://admin:{DEMO_PASSWORD}@")),
            true,
        ),
        (
            format!("curl -u admin:{DEMO_PASSWORD} {}/api", asa.url),
            false,
        ),
        (
            format!(
                "curl -u admin:{DEMO_PASSWORD} -d @body.json {}/api",
                asa.url
            ),
            true,
        ),
    ] {
        retype(&mut h, "URL", &url);
        let shown = h.get_by_label("URL").accesskit_node().value();
        assert_eq!(
            shown.as_deref() == Some(url.as_str()),
            in_field,
            "{shown:?}"
        );
        all.push_str(&serde_json::to_string(&h.state().settings_to_save()).unwrap());
    }
    assert!(h.state().passwords.contains_key("fw"));
    all
}
