//! `apx export ansible`: the exported playbook run by the real
//! `ansible-playbook` (ansible-core, installed by `.ci/run`) against the
//! demo ASA, FXOS, WSA, FMC and FDM, and a hostile workspace that must not
//! make Ansible execute anything.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::saved::RequestBody;
use apx::core::workspace::{Device, Workspace};
use apx::demo::fmc::LAB_UUID;
use apx::demo::{DEMO_PASSWORD, object_id};
use support::devices::{device, pin, pinned_in};
use support::requests;
use support::{Run, appliance, apx_in, can_run, output_within, runtime};

/// `ansible-playbook`: `$APX_ANSIBLE_PLAYBOOK` (what `.ci/run` installs),
/// else the one on PATH; None (skipped) when neither runs, which fails
/// the test under CI.
fn ansible_playbook() -> Option<String> {
    let program = std::env::var("APX_ANSIBLE_PLAYBOOK").unwrap_or("ansible-playbook".into());
    can_run(&program).then_some(program)
}

/// Runs the export in `out` as printed, the password coming from the
/// environment through a lookup (so that it is on no command line), with
/// a HOME of its own whose files are searched afterwards.
fn run_playbook(program: &str, root: &Path, out: &Path) -> Run {
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut command = Command::new(program);
    command
        .arg("-i")
        .arg(out.join("inventory.yml"))
        .arg(out.join("playbook.yml"))
        .args(["-e", "apx_password={{ lookup('env', 'APX_TEST_SECRET') }}"])
        .arg("-vvv")
        .current_dir(root)
        .env("APX_TEST_SECRET", DEMO_PASSWORD)
        .env("HOME", &home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("local-tmp"))
        .env("ANSIBLE_REMOTE_TMP", home.join("remote-tmp"))
        .env("LC_ALL", "C.UTF-8")
        .env("ANSIBLE_NOCOLOR", "1");
    output_within(&mut command).into()
}

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    support::files_under(dir)
        .into_iter()
        .filter(|path| {
            std::fs::read(path).is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains(needle))
        })
        .collect()
}

/// One export for three pinned appliances (one request, its path a device
/// variable), one `ansible-playbook` run: on each a login, a 200 and the
/// logout (AsyncOS has none); the password in no file and no command line.
/// Saves a GET of `{{probe}}` named Read in `Checks` and exports it for the
/// devices of `folder` into `DIR/out`; returns that folder and what the
/// export printed.
fn export_read_request(dir: &Path, workspace: &Workspace, folder: &str) -> (PathBuf, String) {
    let file = workspace
        .save_request("Checks", &requests::get("Read", "{{probe}}"))
        .unwrap();
    let out = dir.join("out");
    let export = apx_in(
        dir,
        &[
            "--workspace",
            workspace.dir().to_str().unwrap(),
            "export",
            "ansible",
            file.to_str().unwrap(),
            "--devices",
            folder,
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    (out, export.stdout)
}

#[test]
fn exported_playbook_runs_against_asa_fxos_and_wsa() {
    let Some(program) = ansible_playbook() else {
        return;
    };
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let workspace = Workspace::new(&ws);
    let cases = [
        (Platform::Asa, "/api/monitoring/serialnumber"),
        (Platform::Fxos, "/api/sys/firmware"),
        (
            Platform::Wsa,
            "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
        ),
    ];
    let mut appliances = Vec::new();
    for (platform, path) in cases {
        let appliance = appliance(&rt, platform);
        workspace
            .add_device(Device {
                variables: [("probe".to_string(), path.to_string())].into(),
                ..pinned_in("Fleet", &format!("{platform} box"), &appliance)
            })
            .unwrap();
        appliances.push(appliance);
    }
    let (out, printed_by_export) = export_read_request(dir.path(), &workspace, "Fleet");
    let printed = format!(
        "ansible-playbook -i {0}/inventory.yml {0}/playbook.yml -e apx_password=...",
        out.display()
    );
    assert!(printed_by_export.contains(&printed), "{printed_by_export}");
    let playbook = std::fs::read_to_string(out.join("playbook.yml")).unwrap();
    assert_eq!(playbook.matches("ca_path:").count(), 3, "{playbook}");
    assert!(!playbook.contains("validate_certs: false"), "{playbook}");
    for host in ["apx_1_asa_box", "apx_2_fxos_box", "apx_3_wsa_box"] {
        let pem = std::fs::read_to_string(out.join("certs").join(format!("{host}.pem"))).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
    }

    let run = run_playbook(&program, dir.path(), &out);
    assert_eq!(run.code, 0, "{}\n{}\n{playbook}", run.stdout, run.stderr);
    assert!(run.stdout.contains("failed=0"), "{}", run.stdout);
    for appliance in &appliances {
        let stats = &appliance.stats;
        let name = &appliance.name;
        assert_eq!(stats.logins.load(Ordering::SeqCst), 1, "{name}");
        assert_eq!(stats.failed_logins.load(Ordering::SeqCst), 0, "{name}");
        assert_eq!(stats.requests.load(Ordering::SeqCst), 1, "{name}");
        let logouts = u32::from(appliance.platform != Platform::Wsa);
        assert_eq!(stats.logouts.load(Ordering::SeqCst), logouts, "{name}");
    }
    // Tasks that carry the token hide their arguments and results, even
    // from -vvv: no token the appliances issued is printed.
    for appliance in &appliances {
        for token in appliance.stats.issued.lock().unwrap().iter() {
            assert!(!run.stdout.contains(token.as_str()), "{}", run.stdout);
            assert!(!run.stderr.contains(token.as_str()), "{}", run.stderr);
        }
    }
    // The password: on no command line (-vvv prints every one Ansible
    // runs), in no output, in no file (the export, Ansible's own files).
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(DEMO_PASSWORD), "{text}");
    }
    // Pipelined: no module (with its arguments) is written to a file.
    assert!(!run.stdout.contains("PUT "), "{}", run.stdout);
    let leaked = files_holding(dir.path(), DEMO_PASSWORD);
    assert!(leaked.is_empty(), "the password is in {leaked:?}");
    // The search finds what is there, so finding nothing means something.
    let pinned = files_holding(dir.path(), "ca_path:");
    assert!(pinned.contains(&out.join("playbook.yml")), "{pinned:?}");
}

/// FMC and FDM in one export: the FMC's Basic login, its token header,
/// `{domainUUID}` filled with the uuid of the device's domain (`Global/Lab`,
/// from the login's `DOMAINS`: the host read exists only there) and the
/// revoke; FDM's password grant, Bearer token, API version and revoke
/// grant. On each a login, a 200 and a logout; no token or password shown.
#[test]
fn exported_playbook_runs_against_fmc_and_fdm() {
    let Some(program) = ansible_playbook() else {
        return;
    };
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let workspace = Workspace::new(&ws);
    let fmc = appliance(&rt, Platform::Fmc);
    let fdm = appliance(&rt, Platform::Fdm);
    let lab_host = format!(
        "/api/fmc_config/v1/domain/{{domainUUID}}/object/hosts/{}",
        object_id("Host", "lab-host-1")
    );
    workspace
        .add_device(Device {
            variables: [("probe".to_string(), lab_host)].into(),
            domain: Some("Global/Lab".into()),
            ..pinned_in("Firepower", "fmc box", &fmc)
        })
        .unwrap();
    workspace
        .add_device(Device {
            variables: [(
                "probe".to_string(),
                "/api/fdm/latest/operational/systeminfo/default".to_string(),
            )]
            .into(),
            api_version: Some("v6".into()),
            ..pinned_in("Firepower", "fdm box", &fdm)
        })
        .unwrap();
    let (out, _) = export_read_request(dir.path(), &workspace, "Firepower");
    let playbook = std::fs::read_to_string(out.join("playbook.yml")).unwrap();
    assert_eq!(playbook.matches("ca_path:").count(), 2, "{playbook}");
    assert!(
        !playbook.contains(LAB_UUID),
        "learned at run time: {playbook}"
    );
    assert!(playbook.contains("/api/fdm/v6/fdm/token"), "{playbook}");

    let run = run_playbook(&program, dir.path(), &out);
    assert_eq!(run.code, 0, "{}\n{}\n{playbook}", run.stdout, run.stderr);
    assert!(run.stdout.contains("failed=0"), "{}", run.stdout);
    for appliance in [&fmc, &fdm] {
        let stats = &appliance.stats;
        let name = &appliance.name;
        assert_eq!(stats.logins.load(Ordering::SeqCst), 1, "{name}");
        assert_eq!(stats.failed_logins.load(Ordering::SeqCst), 0, "{name}");
        assert_eq!(stats.requests.load(Ordering::SeqCst), 1, "{name}");
        assert_eq!(stats.logouts.load(Ordering::SeqCst), 1, "{name}");
        for token in stats.issued() {
            assert!(!run.stdout.contains(&token), "{}", run.stdout);
            assert!(!run.stderr.contains(&token), "{}", run.stderr);
        }
    }
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(DEMO_PASSWORD), "{text}");
    }
    let leaked = files_holding(dir.path(), DEMO_PASSWORD);
    assert!(leaked.is_empty(), "the password is in {leaked:?}");
}

/// A saved request whose name, header and body (through a device
/// variable) and a device name hold Jinja that would run a command: the
/// request is sent, the command does not run. The folder's next request
/// fails (404): the play fails and the logout in `always:` still runs.
#[test]
fn workspace_templates_are_never_evaluated_by_ansible() {
    let Some(program) = ansible_playbook() else {
        return;
    };
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let workspace = Workspace::new(&ws);
    let marker = dir.path().join("pwned");
    let inject = format!("{{{{ lookup('pipe', 'touch {}') }}}}", marker.display());
    workspace
        .add_device(Device {
            trust: Trust::Insecure,
            // apx substitutes `{{note}}` once: its value reaches the export.
            variables: [("note".to_string(), inject.clone())].into(),
            ..device(
                "fw {{ lookup('pipe', 'touch pwned') }}",
                Platform::Asa,
                &asa.url,
            )
        })
        .unwrap();
    let mut saved = requests::get(&format!("Read {inject}"), "/api/monitoring/serialnumber");
    saved.headers = vec![apx::core::request::Header::new("X-Note", "{{note}}")];
    saved.body = Some(RequestBody::Text(
        r#"{"note": "{{note}}", "raw": "{% raw %}"}"#.into(),
    ));
    workspace.save_request("Hostile", &saved).unwrap();
    workspace
        .save_request(
            "Hostile",
            &requests::get("Zz missing", "/api/no/such/thing"),
        )
        .unwrap();
    let out = dir.path().join("out");
    let export = apx_in(
        dir.path(),
        &[
            "--workspace",
            ws.to_str().unwrap(),
            "export",
            "ansible",
            "Hostile",
            "--device",
            "fw {{ lookup('pipe', 'touch pwned') }}",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    let playbook = std::fs::read_to_string(out.join("playbook.yml")).unwrap();
    assert!(playbook.contains("validate_certs: false"), "{playbook}");
    let run = run_playbook(&program, dir.path(), &out);
    assert_eq!(run.code, 2, "{}\n{}\n{playbook}", run.stdout, run.stderr);
    let stats = &asa.stats;
    // The 200, then the 404 that failed the play (their output is hidden:
    // the tasks carry the token).
    assert_eq!(stats.requests.load(Ordering::SeqCst), 2);
    assert!(run.stdout.contains("failed=1"), "{}", run.stdout);
    assert_eq!(stats.logins.load(Ordering::SeqCst), 1);
    assert_eq!(stats.logouts.load(Ordering::SeqCst), 1, "always: logs out");
    assert!(!marker.exists(), "{}\n{}", run.stdout, run.stderr);
    assert!(!dir.path().join("pwned").exists());
    assert!(!out.join("pwned").exists());
}

/// What cannot be exported honestly writes nothing: a device that does not
/// present its pinned certificate (exit 3), an unknown device or no device
/// at all (exit 2). `--json` says what was written.
#[test]
fn export_ansible_refuses_what_it_cannot_write_honestly() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let workspace = Workspace::new(&ws);
    for (name, sha256) in [("right", asa.sha256.clone()), ("wrong", "AB".repeat(32))] {
        workspace
            .add_device(Device {
                trust: pin(&sha256),
                ..device(name, Platform::Asa, &asa.url)
            })
            .unwrap();
    }
    let file = workspace
        .save_request(
            "Checks",
            &requests::get("Read", "/api/monitoring/serialnumber"),
        )
        .unwrap();
    let out = dir.path().join("out");
    let export = |extra: &[&str]| {
        let mut args = vec![
            "--workspace",
            ws.to_str().unwrap(),
            "export",
            "ansible",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        apx_in(dir.path(), &args)
    };
    let out_arg = out.to_str().unwrap();
    let wrong = export(&["--devices", "right,wrong", "-o", out_arg]);
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("wrong: the pinned certificate"),
        "{}",
        wrong.stderr
    );
    assert!(!out.exists());
    for args in [
        vec!["--device", "nobody", "-o", out_arg],
        vec!["-o", out_arg],
        vec!["--device", "right"],
    ] {
        let run = export(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!out.exists(), "{args:?}");
    }
    let done = export(&["--json", "--device", "right", "-o", out_arg]);
    assert_eq!(done.code, 0, "{}", done.stderr);
    let document = done.json();
    assert_eq!(document["exported"], 1);
    assert_eq!(document["devices"], 1);
    assert!(out.join("certs/apx_1_right.pem").is_file());
    assert_eq!(
        asa.stats.logins.load(Ordering::SeqCst),
        0,
        "nothing was sent"
    );
}
