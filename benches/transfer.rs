//! CLI transfer benchmark: `apx send -o FILE` against `curl -o FILE`, and
//! `apx send --json` against `curl` (both writing to /dev/null), on the same
//! 20 MB JSON body from a local HTTPS appliance, with the same trust work on
//! both sides (pinned, or verified against the same CA file); runs alternate
//! in one process. Prints wall time and peak RSS.
//!
//! The server runs in its own process (`apx demo`): a child forked from a
//! process holding the body would report that process's peak RSS as its own.
//!
//! Run: `cargo bench --bench transfer` (needs `curl` on PATH and the demo
//! ports 9441-9444 free).

mod support;

use std::process::Command;

use apx::demo::DEMO_PASSWORD;
use support::{Sample, curl_asa, demo_server, has_command, measure, median, pinned_key};

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

    // Both programs do the same trust work, in two modes: `pin`, apx's
    // `--pin` (the leaf certificate's SHA-256) against curl's `-k
    // --pinnedpubkey` (the leaf's public key; -k leaves out the CA check,
    // which --pin does not make either); `CA`, both verifying the chain
    // to the demo's certificate given as `--cacert`.
    let spki = pinned_key(&asa.certificate_pem);
    let apx_trust = |pin: bool| -> Vec<String> {
        if pin {
            vec!["--pin".into(), sha256.into()]
        } else {
            vec!["--cacert".into(), ca.display().to_string()]
        }
    };
    let apx = |pin: bool, json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
        c.args([
            "send",
            "--platform",
            "asa",
            "--auth",
            "basic",
            "-u",
            "admin",
        ])
        .args(["--password-env", "APX_BENCH_PW"])
        .args(apx_trust(pin))
        .env("APX_BENCH_PW", DEMO_PASSWORD);
        if json {
            c.arg("--json");
        } else {
            c.arg("-o").arg(out("apx.json"));
        }
        c.arg(&url);
        c
    };
    let curl = |pin: bool, file: bool| {
        let mut c = curl_asa(&ca, pin.then_some(spki.as_str()));
        if file {
            c.arg("-o").arg(out("curl.json"));
        }
        c.arg(&url);
        c
    };

    // Warm the server's cached document and the page cache; check that
    // every command works and that both write the same bytes.
    for pin in [true, false] {
        measure(&mut curl(pin, true));
        measure(&mut apx(pin, false));
        measure(&mut apx(pin, true));
        measure(&mut curl(pin, false));
    }
    let size = std::fs::metadata(out("apx.json")).unwrap().len();
    assert_eq!(
        size,
        std::fs::metadata(out("curl.json")).unwrap().len(),
        "same bytes"
    );

    // Every command's output goes where `measure` sends it: -o to a file in
    // the same folder, stdout to /dev/null.
    let commands: [(&str, bool, bool, bool); 8] = [
        ("apx send -o FILE", true, true, false),
        ("curl -o FILE", false, true, true),
        ("apx send --json", true, true, true),
        ("curl > /dev/null", false, true, false),
        ("apx send -o FILE", true, false, false),
        ("curl -o FILE", false, false, true),
        ("apx send --json", true, false, true),
        ("curl > /dev/null", false, false, false),
    ];
    let mut samples: Vec<Vec<Sample>> = commands.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for (i, &(_, is_apx, pin, flag)) in commands.iter().enumerate() {
            let mut c = if is_apx {
                apx(pin, flag)
            } else {
                curl(pin, flag)
            };
            samples[i].push(measure(&mut c));
        }
    }
    let body_mb = size as f64 / 1_048_576.0;
    println!(
        "transfer: {body_mb:.1} MB JSON over HTTPS from 127.0.0.1, {RUNS} alternating runs, medians; --json and curl's stdout go to /dev/null, -o to a file"
    );
    println!(
        "{:<18} {:<5} {:>10} {:>12} {:>14}",
        "command", "trust", "wall ms", "peak RSS MB", "RSS / body"
    );
    let mut medians = Vec::new();
    for ((name, _, pin, _), samples) in commands.iter().zip(&samples) {
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
        let trust = if *pin { "pin" } else { "CA" };
        println!(
            "{name:<18} {trust:<5} {wall:>10.1} {rss:>12.1} {:>14.2}",
            rss / body_mb
        );
        medians.push(wall);
    }
    for (offset, trust) in [
        (0, "pin (apx --pin, curl -k --pinnedpubkey)"),
        (4, "CA (both --cacert)"),
    ] {
        println!(
            "{trust}: apx -o / curl -o {:.2} (target <= 1.2); apx --json / curl -o {:.2} (target <= 1.1); apx --json / curl > /dev/null {:.2} (target <= 1.5)",
            medians[offset] / medians[offset + 1],
            medians[offset + 2] / medians[offset + 1],
            medians[offset + 2] / medians[offset + 3]
        );
    }
}
