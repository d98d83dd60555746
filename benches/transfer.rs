//! CLI transfer benchmark: `apx send -o FILE` and `apx send --json` against
//! `curl`, on the same 20 MB JSON body from a local HTTPS appliance, runs
//! alternating A/B in one process. Prints wall time and peak RSS.
//!
//! The server runs in its own process (`apx demo`): a child forked from a
//! process holding the body would report that process's peak RSS as its own.
//!
//! Run: `cargo bench --bench transfer` (needs `curl` on PATH and the demo
//! ports 9441-9444 free).

mod support;

use std::process::Command;

use apx::demo::DEMO_PASSWORD;
use support::{Sample, curl_asa, demo_server, has_command, measure, median};

const RUNS: usize = 7;
const BODY_MB: u32 = 20;

fn main() {
    if !has_command("curl") {
        println!("transfer bench skipped: curl is not installed");
        return;
    }
    let (_server, appliances) = demo_server();
    let asa = &appliances[0];
    let (asa_url, sha256) = (asa.url.as_str(), asa.sha256.as_str());
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &asa.certificate_pem).unwrap();
    let url = format!("{asa_url}/api/demo/large?mb={BODY_MB}");
    let out = |name: &str| dir.path().join(name);

    let apx_file = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
        c.args([
            "send",
            "--platform",
            "asa",
            "--auth",
            "basic",
            "-u",
            "admin",
            "--password-env",
            "APX_BENCH_PW",
            "--pin",
            sha256,
            "-o",
        ])
        .arg(out("apx.json"))
        .arg(&url)
        .env("APX_BENCH_PW", DEMO_PASSWORD);
        c
    };
    let apx_json = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
        c.args([
            "send",
            "--json",
            "--platform",
            "asa",
            "--auth",
            "basic",
            "-u",
            "admin",
            "--password-env",
            "APX_BENCH_PW",
            "--pin",
            sha256,
            &url,
        ])
        .env("APX_BENCH_PW", DEMO_PASSWORD);
        c
    };
    let curl_file = || {
        let mut c = curl_asa(&ca);
        c.arg("-o").arg(out("curl.json")).arg(&url);
        c
    };
    let curl_stdout = || {
        let mut c = curl_asa(&ca);
        c.arg(&url);
        c
    };

    // Warm the server's cached document and the page cache.
    measure(&mut curl_file());
    measure(&mut apx_file());
    let size = std::fs::metadata(out("apx.json")).unwrap().len();
    assert_eq!(
        size,
        std::fs::metadata(out("curl.json")).unwrap().len(),
        "same bytes"
    );

    let mut rows: Vec<(&str, Vec<Sample>)> = vec![
        ("apx send -o", vec![]),
        ("curl -o", vec![]),
        ("apx send --json", vec![]),
        ("curl (stdout)", vec![]),
    ];
    for _ in 0..RUNS {
        rows[0].1.push(measure(&mut apx_file()));
        rows[1].1.push(measure(&mut curl_file()));
        rows[2].1.push(measure(&mut apx_json()));
        rows[3].1.push(measure(&mut curl_stdout()));
    }
    let body_mb = size as f64 / 1_048_576.0;
    println!(
        "transfer: {body_mb:.1} MB JSON over HTTPS from 127.0.0.1, {RUNS} alternating runs, medians"
    );
    println!(
        "{:<18} {:>10} {:>12} {:>14}",
        "command", "wall ms", "peak RSS MB", "RSS / body"
    );
    let mut medians = Vec::new();
    for (name, samples) in &rows {
        let wall = median(
            samples
                .iter()
                .map(|s| s.wall.as_secs_f64() * 1000.0)
                .collect(),
        );
        let rss = median(
            samples
                .iter()
                .map(|s| s.max_rss_kb as f64 / 1024.0)
                .collect(),
        );
        println!(
            "{name:<18} {wall:>10.1} {rss:>12.1} {:>14.2}",
            rss / body_mb
        );
        medians.push(wall);
    }
    println!(
        "ratio apx -o / curl -o:        {:.2} (target <= 1.2)",
        medians[0] / medians[1]
    );
    println!(
        "ratio apx --json / curl -o:    {:.2} (target <= 1.5, against the same curl -o FILE)",
        medians[2] / medians[1]
    );
    println!(
        "ratio apx --json / curl to stdout: {:.2} (stricter: curl streams, apx validates and keeps the body to embed it)",
        medians[2] / medians[3]
    );
}
