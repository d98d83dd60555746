//! The collection runner: `apx run` of a folder of 200 saved requests to one
//! ASA against a keep-alive `curl` over the same 200 URLs (one curl process,
//! which reuses its connection), alternating A/B in one run. Prints wall
//! times, their ratio, and how many TLS connections each opened.
//!
//! Run: `cargo bench --bench runner` (needs `curl` on PATH).

mod support;

use std::process::Command;
use std::sync::atomic::Ordering;

use apx::core::platform::Platform;
use apx::demo::{self, ApplianceConfig, DEMO_PASSWORD};
use serde_json::json;
use support::{curl_asa, has_command, measure, median, pinned_key};

const REQUESTS: usize = 200;
const RUNS: usize = 5;
const PATH: &str = "/api/monitoring/serialnumber";

fn main() {
    if !has_command("curl") {
        println!("runner bench skipped: curl is not installed");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cert = demo::certs::self_signed(&["localhost", "127.0.0.1"]).unwrap();
    let asa = rt
        .block_on(demo::start(
            Platform::Asa,
            ApplianceConfig::demo(),
            &cert,
            None,
        ))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    let devices = json!({"format": 1, "devices": [{
        "name": "bench-asa", "folder": "Bench", "platform": "asa",
        "base_url": asa.url, "username": "admin",
        "trust": {"mode": "pin", "sha256": asa.sha256},
    }]});
    std::fs::write(ws.join("devices.json"), devices.to_string()).unwrap();
    std::fs::create_dir(ws.join("Bench")).unwrap();
    for i in 0..REQUESTS {
        let request = json!({"format": 2, "name": format!("serial {i}"), "device": "bench-asa",
            "method": "GET", "url": PATH});
        std::fs::write(ws.join(format!("Bench/{i:03}.json")), request.to_string()).unwrap();
    }
    let ca = ws.join("ca.pem");
    std::fs::write(&ca, &asa.cert_pem).unwrap();
    let key = pinned_key(&asa.cert_pem);
    let curl_config = ws.join("curl.cfg");
    let url = format!("{}{PATH}", asa.url);
    let config: String = (0..REQUESTS)
        .map(|_| format!("url = \"{url}\"\noutput = \"/dev/null\"\n"))
        .collect();
    std::fs::write(&curl_config, config).unwrap();

    let apx_run = |auth: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
        c.args(["--workspace"])
            .arg(ws)
            .args([
                "run",
                "Bench",
                "--auth",
                auth,
                "--password-env",
                "APX_BENCH_PW",
            ])
            .env("APX_BENCH_PW", DEMO_PASSWORD)
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        c
    };
    let curl = || {
        // apx pins the leaf; curl pins its key (and skips the CA check).
        let mut c = curl_asa(&ca, Some(&key));
        c.arg("--config").arg(&curl_config);
        c
    };
    // Runs `cmd`, returning its wall time and the connections it opened.
    let timed = |cmd: &mut Command| {
        let before = asa.connections();
        let sample = measure(cmd);
        (
            sample.wall.as_secs_f64() * 1000.0,
            asa.connections() - before,
        )
    };

    timed(&mut apx_run("basic"));
    timed(&mut curl());
    let logins_before = asa.stats.logins.load(Ordering::SeqCst);
    let mut rows: Vec<(&str, Vec<f64>, usize)> = vec![
        ("apx run (basic)", vec![], 0),
        ("curl keep-alive (basic)", vec![], 0),
        ("apx run (token)", vec![], 0),
    ];
    for _ in 0..RUNS {
        for (i, cmd) in [apx_run("basic"), curl(), apx_run("token")]
            .iter_mut()
            .enumerate()
        {
            let (ms, connections) = timed(cmd);
            rows[i].1.push(ms);
            rows[i].2 = rows[i].2.max(connections);
        }
    }
    let logins = asa.stats.logins.load(Ordering::SeqCst) - logins_before;

    println!(
        "runner: {REQUESTS} GET {PATH} to one ASA over HTTPS on 127.0.0.1, {RUNS} alternating runs, medians"
    );
    println!(
        "{:<26} {:>10} {:>12} {:>16}",
        "command", "wall ms", "ms/request", "TLS connections"
    );
    let mut medians = Vec::new();
    for (name, times, connections) in &rows {
        let wall = median(times.clone());
        println!(
            "{name:<26} {wall:>10.1} {:>12.2} {connections:>16}",
            wall / REQUESTS as f64
        );
        medians.push(wall);
    }
    println!("token runs: {} logins in {RUNS} runs (one per run)", logins);
    println!(
        "ratio apx run / curl keep-alive: {:.2} (target <= 1.5)",
        medians[0] / medians[1]
    );
}
