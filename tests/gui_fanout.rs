//! Fan-out in the desktop app, headless (egui_kittest): a device-tree
//! folder's context menu sends the current request to its devices (not
//! `Fleetwood`'s), the results table fills with one row per device (an
//! unreachable one and a wrong password say what went wrong), sorts and
//! filters, a row opens its response in a tab, and Cancel all stops a
//! fan-out under way.

mod support;

use std::sync::atomic::Ordering::SeqCst;

use apx::core::error::FailureKind;
use apx::core::platform::Platform;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::devices::{pin, pinned_in};
use support::fleet::Fleet;
use support::gui::{
    app, harness, pick_device, retype, set_view_setting, settle, step_until, type_password,
};
use support::requests;
use support::{appliance, runtime};

/// A harness over a workspace holding `devices`, the demo password typed on
/// the Auth tab for each (picked in the tree in turn) but those named
/// `*-nopw`, which have none (in the keyring neither).
fn ready(ws: &std::path::Path, devices: &[Device]) -> Harness<'static, ApxApp> {
    Workspace::new(ws).save_devices(devices).unwrap();
    let mut h = harness(app(ws));
    for d in devices.iter().filter(|d| !d.name.ends_with("-nopw")) {
        pick_device(&mut h, &d.name);
        type_password(&mut h, DEMO_PASSWORD);
    }
    h
}

fn fan_out_done(app: &ApxApp) -> bool {
    app.dialogs
        .runs
        .as_ref()
        .is_some_and(|r| r.fan_out && r.done())
}

/// Types the request and picks the folder's context menu entry.
fn send_to_folder(h: &mut Harness<'static, ApxApp>, folder: &str) {
    retype(h, "URL", "/api/monitoring/serialnumber");
    h.get_by_label(folder).click_secondary();
    h.run();
    h.get_by_label("Send current request to this folder's devices")
        .click();
    // Spinners repaint while devices are under way: step (the window's
    // first frame only sizes it), do not settle.
    h.run_steps(4);
}

#[test]
fn a_folder_fan_out_fills_the_table_sorts_filters_and_opens_a_row() {
    let f = Fleet::start();
    let mut devices = f.devices();
    devices.push(pinned_in("Fleet", "fw-nopw", &f.a));
    let mut h = ready(&f.ws, &devices);
    send_to_folder(&mut h, "Fleet");
    step_until(&mut h, "the fan-out", fan_out_done);

    let run = h.state().dialogs.runs.as_ref().unwrap();
    let mut by_device: Vec<(String, Option<u16>, Option<FailureKind>)> = run
        .rows
        .iter()
        .map(|r| {
            let result = r.result.as_ref().unwrap();
            (
                r.device.clone().unwrap(),
                result.status,
                result.error.as_ref().map(|e| e.kind),
            )
        })
        .collect();
    by_device.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        by_device,
        [
            ("fw-a".to_string(), Some(200), None),
            ("fw-b".to_string(), Some(200), None),
            ("fw-badpw".to_string(), Some(401), Some(FailureKind::Auth)),
            ("fw-down".to_string(), None, Some(FailureKind::Connect)),
            ("fw-nopw".to_string(), None, Some(FailureKind::Usage)),
        ],
        "Fleet and its subfolder, not Fleetwood"
    );
    assert_eq!(f.w.stats.logins.load(SeqCst), 0);
    assert_eq!(f.a.stats.logins.load(SeqCst), 1, "fw-nopw never logged in");
    let nopw = run
        .rows
        .iter()
        .find(|r| r.device.as_deref() == Some("fw-nopw"));
    let why = nopw
        .unwrap()
        .result
        .as_ref()
        .unwrap()
        .error
        .clone()
        .unwrap();
    assert!(why.message.contains("password"), "{}", why.message);
    h.get_by_label_contains("5 of 5 done");
    h.get_by_label_contains("2 passed, 3 failed");
    h.get_by_label("Platform");
    assert!(h.query_all_by_label("asa").count() >= 5);
    assert!(
        h.query_by_label_contains("refused").is_some(),
        "the error's first line"
    );

    // Sorted by status (numbers first, then failures without one), then
    // descending; filtered by text.
    let shown = |h: &Harness<'static, ApxApp>| -> Vec<String> {
        let app = h.state();
        let run = app.dialogs.runs.as_ref().unwrap();
        run.order(&app.view())
            .into_iter()
            .map(|i| run.rows[i].device.clone().unwrap())
            .collect()
    };
    h.get_by_label("Status").click();
    h.run();
    let ascending = shown(&h);
    let mut fastest = ascending[..2].to_vec();
    fastest.sort();
    assert_eq!(fastest, ["fw-a", "fw-b"], "200 sorts first");
    assert_eq!(ascending[2], "fw-badpw", "{ascending:?}");
    h.get_by_label("Status").click();
    h.run();
    let descending = shown(&h);
    assert_eq!(descending[2], "fw-badpw", "{descending:?}");
    assert!(
        descending[..2].contains(&"fw-down".to_string()),
        "{descending:?}"
    );
    retype(&mut h, "Filter rows", "refused");
    assert_eq!(shown(&h), ["fw-down"]);
    h.get_by_label("Filter rows").focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run();
    assert_eq!(shown(&h).len(), 5);

    // The table as shown (sorted by status, descending), as CSV and JSON.
    let csv = f.dir.path().join("fleet.csv");
    retype(&mut h, "Export to", csv.to_str().unwrap());
    h.get_by_label("Export CSV").click();
    h.run();
    settle(&mut h);
    h.get_by_label_contains("Exported 5 rows");
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert_eq!(
        lines[0],
        "device,platform,request,status,outcome,time_ms,size,error"
    );
    let devices_in_order: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(devices_in_order, descending, "the rows as shown");
    let line = |device: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(&format!("{device},")))
            .unwrap()
    };
    assert!(line("fw-down").contains(",,Connection failed,"), "{text}");
    assert!(line("fw-down").ends_with(",connection refused"), "{text}");
    assert!(line("fw-badpw").starts_with("fw-badpw,asa,"), "{text}");
    assert!(line("fw-badpw").contains(",401,401,"), "{text}");
    assert!(line("fw-nopw").contains("password"), "{text}");
    let json_file = f.dir.path().join("fleet.json");
    retype(&mut h, "Export to", json_file.to_str().unwrap());
    h.get_by_label("Export JSON").click();
    h.run();
    settle(&mut h);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0]["device"],
        descending[0].as_str(),
        "the rows as shown"
    );
    let down = rows.iter().find(|r| r["device"] == "fw-down").unwrap();
    assert_eq!(down["status"], serde_json::Value::Null);
    assert!(
        down["error"].as_str().unwrap().contains("refused"),
        "{json}"
    );
    let ok = rows.iter().find(|r| r["device"] == "fw-a").unwrap();
    assert_eq!(ok["status"], 200);
    assert!(ok["size"].as_u64().unwrap() > 0);
    let secrets = std::fs::read_to_string(&json_file).unwrap() + &text;
    assert!(!secrets.contains(DEMO_PASSWORD), "no password in an export");

    // A row opens that device's response in a tab.
    let row = h.query_all_by_label("fw-b").last().unwrap();
    row.click();
    h.run();
    settle(&mut h);
    let tab = h.state().tabs.active();
    assert_eq!(tab.device.as_deref(), Some("fw-b"));
    let result = tab.response.result.as_ref().expect("the row's response");
    assert_eq!(result.status, Some(200));
    assert!(result.url.starts_with(&f.b.url), "{}", result.url);
}

#[test]
fn cancel_all_stops_the_device_under_way_and_those_waiting() {
    let rt = runtime();
    let (a, b) = (appliance(&rt, Platform::Asa), appliance(&rt, Platform::Asa));
    // Accepts and never answers: holds the only place until cancelled.
    let (port, sha256) = support::raw_tls_server(&rt, |tls| async move {
        std::future::pending::<()>().await;
        drop(tls);
    });
    let dir = tempfile::tempdir().unwrap();
    let devices = [
        Device {
            base_url: format!("https://127.0.0.1:{port}"),
            trust: pin(&sha256),
            ..pinned_in("Fleet", "fw-1-hung", &a)
        },
        pinned_in("Fleet", "fw-2", &a),
        pinned_in("Fleet", "fw-3", &b),
    ];
    let mut h = ready(dir.path(), &devices);
    set_view_setting(&mut h, "Fan-out concurrency", "1");
    assert_eq!(h.state().settings.concurrency, 1);
    send_to_folder(&mut h, "Fleet");
    assert!(!fan_out_done(h.state()), "the hung device holds its place");
    h.get_by_label("Cancel all").click();
    h.run_steps(2);
    step_until(&mut h, "the cancelled fan-out", fan_out_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    assert_eq!(run.rows.len(), 3);
    for row in &run.rows {
        let kind = row
            .result
            .as_ref()
            .and_then(|r| r.error.as_ref())
            .map(|e| e.kind);
        assert_eq!(kind, Some(FailureKind::Cancelled), "{:?}", row.device);
    }
    assert_eq!(a.stats.logins.load(SeqCst) + b.stats.logins.load(SeqCst), 0);
    h.get_by_label_contains("3 of 3 done");
}

#[test]
fn a_collection_runs_on_a_folders_devices_one_session_each() {
    let rt = runtime();
    let (a, b) = (appliance(&rt, Platform::Asa), appliance(&rt, Platform::Asa));
    let dir = tempfile::tempdir().unwrap();
    let devices = [
        pinned_in("Fleet", "fw-a", &a),
        pinned_in("Fleet/DC1", "fw-b", &b),
    ];
    let ws = Workspace::new(dir.path());
    for (name, url) in [
        ("Serial", "/api/monitoring/serialnumber"),
        ("Version", "/api/monitoring/device/components/version"),
    ] {
        ws.save_request("Checks", &requests::get(name, url))
            .unwrap();
    }
    let mut h = ready(dir.path(), &devices);
    h.get_by_label("Fleet").click_secondary();
    h.run();
    h.get_by_label("Run collection on this folder's devices")
        .click();
    h.run();
    // The submenu's entry (the collection's tree header comes after it).
    h.query_all_by_label("Checks").next().unwrap().click();
    h.run_steps(4);
    step_until(&mut h, "the collection fan-out", fan_out_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    let mut rows: Vec<(String, String, Option<u16>)> = run
        .rows
        .iter()
        .map(|r| {
            let status = r.result.as_ref().and_then(|r| r.status);
            (
                r.device.clone().unwrap(),
                r.entry.request.name.clone(),
                status,
            )
        })
        .collect();
    rows.sort();
    let expected = [
        ("fw-a", "Serial"),
        ("fw-a", "Version"),
        ("fw-b", "Serial"),
        ("fw-b", "Version"),
    ]
    .map(|(d, n)| (d.to_string(), n.to_string(), Some(200)));
    assert_eq!(rows, expected);
    for a in [&a, &b] {
        assert_eq!(a.stats.logins.load(SeqCst), 1, "one session per device");
    }
    assert!(
        h.query_all_by_label("Version").count() >= 2,
        "a request column"
    );
    h.get_by_label_contains("4 of 4 done");
}

/// Devices picked with Ctrl+click, from different folders, get the fan-out
/// (and only they); a plain click clears the picks.
#[test]
fn devices_picked_with_ctrl_click_across_folders_get_the_fan_out() {
    let f = Fleet::start();
    let mut h = ready(&f.ws, &f.devices());
    retype(&mut h, "URL", "/api/monitoring/serialnumber");
    for name in ["fw-a", "fw-w"] {
        h.get_by_role_and_label(egui::accesskit::Role::Button, name)
            .click_modifiers(egui::Modifiers::COMMAND);
        h.run();
    }
    h.get_by_label_contains("2 picked");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "fw-w")
        .click_secondary();
    h.run();
    h.get_by_label("Send current request to the 2 picked devices")
        .click();
    h.run_steps(4);
    step_until(&mut h, "the fan-out", fan_out_done);
    let run = h.state().dialogs.runs.as_ref().unwrap();
    let mut devices: Vec<&str> = run
        .rows
        .iter()
        .filter_map(|r| r.device.as_deref())
        .collect();
    devices.sort_unstable();
    assert_eq!(
        devices,
        ["fw-a", "fw-w"],
        "Fleet's fw-a and Fleetwood's fw-w"
    );
    assert!(
        run.rows
            .iter()
            .all(|r| r.result.as_ref().unwrap().status == Some(200))
    );
    assert_eq!(f.b.stats.logins.load(SeqCst), 0, "fw-b was not picked");
    // A plain click picks one device for the tab and clears the picks.
    pick_device(&mut h, "fw-b");
    assert!(h.query_by_label_contains("picked (right-click").is_none());
}

/// A fan-out to many devices lays out only the table's rows on screen
/// (their Compare boxes are the run table's own), under a header that stays
/// on top while the table scrolls to its last row.
#[test]
fn a_large_fan_out_draws_the_rows_on_screen_under_its_header() {
    let rt = runtime();
    let a = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let devices: Vec<Device> = (0..60)
        .map(|i| pinned_in("Many", &format!("fw-{i:02}"), &a))
        .collect();
    Workspace::new(dir.path()).save_devices(&devices).unwrap();
    let mut h = harness(app(dir.path()));
    for d in &devices {
        let password = apx::core::secret::Secret::new(DEMO_PASSWORD);
        h.state_mut().passwords.insert(d.name.clone(), password);
    }
    // Basic: no token sessions to run out of on the one ASA.
    h.state_mut().tabs.active_mut().draft.auth = Some(apx::core::platform::AuthMode::Basic);
    send_to_folder(&mut h, "Many");
    step_until(&mut h, "the fan-out", fan_out_done);
    h.run();
    h.get_by_label_contains("60 of 60 done");
    assert!(h.query_by_label_contains("Compare fw-00").is_some());
    assert!(
        h.query_by_label_contains("Compare fw-59").is_none(),
        "a row below the table's end is not laid out"
    );

    h.get_by_label_contains("Compare fw-00").hover();
    h.run();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -10_000.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
    settle(&mut h);
    assert!(h.query_by_label_contains("Compare fw-59").is_some());
    assert!(h.query_by_label_contains("Compare fw-00").is_none());
    // The header is still there, and sorts.
    h.get_by_label("Status").click();
    h.run();
    assert!(h.query_by_label_contains("Compare fw-59").is_some());
}
