//! Fan-out at scale: `apx send --devices` of one request to 500 demo ASAs
//! on 127.0.0.1 (one listener each, one shared self-signed certificate,
//! pinned), each answering after a fixed latency, at concurrency 8 and 32,
//! against `xargs -P` running one `curl` per device on the same work.
//!
//! The ideal wall time is devices / concurrency x one device's time, where
//! one device's time is measured in the same run: the same fan-out to 16
//! devices at `--concurrency 1`, its wall time / 16 (process start-up
//! included, spread over the 16). Runs alternate apx and xargs/curl;
//! medians are printed, with apx's peak RSS.
//!
//! Run: `cargo bench --bench fleet` (needs `curl` and `xargs` on PATH).
//! `APX_BENCH_DEVICES` (500), `APX_BENCH_LATENCY_MS` (100) and
//! `APX_BENCH_RUNS` (3) change the scale.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use apx::demo::DEMO_PASSWORD;
use support::fleet::{Appliances, PATH, env_or, write_workspace};
use support::{curl_asa, has_command, measure, median, own_cpu_time, pinned_key};

const CONCURRENCY: [usize; 2] = [8, 32];
/// Devices of the one-at-a-time fan-out that times one device.
const SOLO: usize = 16;

/// `apx send PATH --devices FOLDER --concurrency C` with Basic auth.
fn apx_send(ws: &Path, folder: &str, concurrency: usize) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
    c.arg("--workspace")
        .arg(ws)
        .args(["send", PATH, "--devices", folder])
        .args(["--auth", "basic", "--password-env", "APX_BENCH_PW"])
        .args(["--concurrency", &concurrency.to_string()])
        .env("APX_BENCH_PW", DEMO_PASSWORD)
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    c
}

/// `xargs -P C -n 1 curl ... -o /dev/null` over the URLs in `urls`.
fn xargs_curl(urls: &Path, ca: &Path, key: &str, concurrency: usize) -> Command {
    let curl = curl_asa(ca, Some(key));
    let mut c = Command::new("xargs");
    c.arg("-a")
        .arg(urls)
        .args(["-P", &concurrency.to_string(), "-n", "1"])
        .arg(curl.get_program())
        .args(curl.get_args())
        .args(["-o", "/dev/null"]);
    c
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    if !has_command("curl") || !has_command("xargs") {
        println!("fleet bench skipped: curl or xargs is not installed");
        return;
    }
    let count = env_or("APX_BENCH_DEVICES", 500) as usize;
    let latency = Duration::from_millis(env_or("APX_BENCH_LATENCY_MS", 100));
    let runs = env_or("APX_BENCH_RUNS", 3).max(1) as usize;
    assert!(count >= SOLO, "APX_BENCH_DEVICES must be at least {SOLO}");
    let appliances = Appliances::start(count, latency);

    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let mut devices = appliances.devices("Fleet", "", count);
    devices.extend(appliances.devices("Solo", "solo-", SOLO));
    write_workspace(&ws, &devices);
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &appliances.cert_pem).unwrap();
    let key = pinned_key(&appliances.cert_pem);
    let urls = dir.path().join("urls.txt");
    let list: String = appliances
        .list
        .iter()
        .map(|a| format!("{}{PATH}\n", a.url))
        .collect();
    std::fs::write(&urls, list).unwrap();

    // Warm-up: the binary, curl and the page cache.
    measure(&mut apx_send(&ws, "Solo", 4));
    measure(&mut xargs_curl(&urls, &ca, &key, 32));

    let before = appliances.requests();
    let mut solo = Vec::new();
    let mut apx: Vec<Vec<f64>> = vec![Vec::new(); CONCURRENCY.len()];
    let mut rss: Vec<i64> = vec![0; CONCURRENCY.len()];
    let mut curl: Vec<Vec<f64>> = vec![Vec::new(); CONCURRENCY.len()];
    // CPU time of apx, and of the appliances (this process) meanwhile.
    let mut apx_cpu: Vec<Vec<f64>> = vec![Vec::new(); CONCURRENCY.len()];
    let mut server_cpu: Vec<Vec<f64>> = vec![Vec::new(); CONCURRENCY.len()];
    for _ in 0..runs {
        solo.push(ms(measure(&mut apx_send(&ws, "Solo", 1)).wall) / SOLO as f64);
        for (i, &c) in CONCURRENCY.iter().enumerate() {
            let served = own_cpu_time();
            let sample = measure(&mut apx_send(&ws, "Fleet", c));
            server_cpu[i].push(ms(own_cpu_time() - served));
            apx_cpu[i].push(ms(sample.cpu));
            apx[i].push(ms(sample.wall));
            rss[i] = rss[i].max(sample.max_rss_kb);
            curl[i].push(ms(measure(&mut xargs_curl(&urls, &ca, &key, c)).wall));
        }
    }
    let answered = appliances.requests() - before;
    let expected = runs * (SOLO + 2 * CONCURRENCY.len() * count);
    assert_eq!(answered, expected, "every device answered every run");

    let one = median(solo);
    println!(
        "fleet: GET {PATH} to {count} demo ASAs on 127.0.0.1 (a listener each, one shared self-signed certificate, pinned; Basic auth), each answering {} ms late; {runs} alternating runs, medians",
        latency.as_millis()
    );
    println!(
        "one device's time: apx send --devices to {SOLO} devices at --concurrency 1, wall / {SOLO} = {one:.1} ms"
    );
    println!(
        "{:>11} {:>12} {:>10} {:>10} {:>15} {:>10} {:>16} {:>12} {:>15}",
        "concurrency",
        "apx wall ms",
        "ideal ms",
        "apx/ideal",
        "xargs+curl ms",
        "apx/curl",
        "apx peak RSS MB",
        "apx CPU ms",
        "servers CPU ms"
    );
    for (i, &c) in CONCURRENCY.iter().enumerate() {
        let wall = median(apx[i].clone());
        let ideal = count as f64 / c as f64 * one;
        let curl = median(curl[i].clone());
        println!(
            "{c:>11} {wall:>12.0} {ideal:>10.0} {:>10.2} {curl:>15.0} {:>10.2} {:>16.1} {:>12.0} {:>15.0}",
            wall / ideal,
            wall / curl,
            rss[i] as f64 / 1024.0,
            median(apx_cpu[i].clone()),
            median(server_cpu[i].clone())
        );
    }
    println!("targets: apx/ideal <= 1.3, apx/curl < 1, peak RSS < 150 MB for 500 devices");
}
