//! CLI transfer benchmark: `apx send -o FILE` and `apx send --json` against
//! `curl`, on the same 20 MB JSON body from a local HTTPS appliance, runs
//! alternating A/B in one process. Prints wall time and peak RSS.
//!
//! The server runs in its own process (`apx demo`): a child forked from a
//! process holding the body would report that process's peak RSS as its own.
//!
//! Run: `cargo bench --bench transfer` (needs `curl` on PATH and the demo
//! ports 9441-9444 free).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use apx::demo::DEMO_PASSWORD;

const RUNS: usize = 7;
const BODY_MB: u32 = 20;

/// Wall time and peak resident memory of one child process.
struct Sample {
    wall: Duration,
    max_rss_kb: i64,
}

// The child is reaped by wait4 (which also reports its peak RSS), not Child::wait.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> Sample {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and fills `usage` for it alone.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "command failed: {cmd:?}"
    );
    Sample {
        wall: started.elapsed(),
        max_rss_kb: usage.ru_maxrss,
    }
}

/// The `apx demo` server process, stopped when dropped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        println!("transfer bench skipped: curl is not installed");
        return;
    }
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_apx"))
            .args(["demo", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start apx demo"),
    );
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.0.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let demo: serde_json::Value =
        serde_json::from_str(&line).expect("apx demo --json (are ports 9441-9444 free?)");
    let asa = &demo["appliances"][0];
    let (asa_url, sha256) = (
        asa["url"].as_str().unwrap(),
        asa["sha256"].as_str().unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, asa["certificate_pem"].as_str().unwrap()).unwrap();
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
        let mut c = Command::new("curl");
        c.args(["-s", "-f", "--cacert"])
            .arg(&ca)
            .args([
                "-u",
                &format!("admin:{DEMO_PASSWORD}"),
                "-H",
                "User-Agent: REST API Agent",
                "-o",
            ])
            .arg(out("curl.json"))
            .arg(&url);
        c
    };
    let curl_stdout = || {
        let mut c = Command::new("curl");
        c.args(["-s", "-f", "--cacert"])
            .arg(&ca)
            .args([
                "-u",
                &format!("admin:{DEMO_PASSWORD}"),
                "-H",
                "User-Agent: REST API Agent",
            ])
            .arg(&url);
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
        "ratio apx --json / curl:       {:.2} (target <= 1.5)",
        medians[2] / medians[3]
    );
}
