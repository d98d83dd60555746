//! Start-up and idle memory of the desktop app: `apx -v --demo` in a real
//! window under Xvfb (Mesa's software OpenGL), with the shipped demo
//! workspace. Prints the time from spawning the process to its first frame
//! (which includes starting the four demo appliances), and its resident
//! memory after three idle seconds, with the part that is the app's own
//! (heap and stacks) and the part that is Mesa's software OpenGL driver
//! (which a machine with a GPU driver does not load).
//!
//! Run: `cargo bench --bench startup` (needs Xvfb: `apt-get install xvfb`).

mod support;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Process, mapped_rss_mb, median, rss_mb, status_mb};

const RUNS: usize = 5;

fn main() {
    // `-displayfd 1`: Xvfb picks a free display and prints its number once
    // it accepts connections.
    let xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1400x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(xvfb) = xvfb else {
        println!("startup bench skipped: Xvfb is not installed (apt-get install xvfb)");
        return;
    };
    let mut xvfb = Process(xvfb);
    let mut number = String::new();
    std::io::BufReader::new(xvfb.0.stdout.take().expect("stdout"))
        .read_line(&mut number)
        .expect("Xvfb display number");
    let display = format!(":{}", number.trim());
    let mut first_frames = Vec::new();
    let mut idle = Vec::new();
    let mut anonymous = Vec::new();
    let mut gl_driver = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut app = Process(
            Command::new(env!("CARGO_BIN_EXE_apx"))
                .args(["-v", "--demo"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("DISPLAY", &display)
                .env_remove("WAYLAND_DISPLAY")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start apx --demo"),
        );
        let stderr = app.0.stderr.take().expect("stderr");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let shown = lines.any(|l| l.is_ok_and(|l| l.contains("first frame drawn")));
        assert!(shown, "apx --demo exited before drawing a frame");
        first_frames.push(started.elapsed().as_secs_f64() * 1000.0);
        // Keep reading so that the app never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        std::thread::sleep(Duration::from_secs(3));
        let pid = app.0.id();
        idle.push(rss_mb(pid).unwrap_or(f64::NAN));
        anonymous.push(status_mb(pid, "RssAnon:").unwrap_or(f64::NAN));
        gl_driver.push(mapped_rss_mb(pid, &["libLLVM", "_dri.so", "libgallium"]));
    }
    println!("startup: apx -v --demo under Xvfb (software OpenGL), demo workspace, {RUNS} runs");
    println!(
        "first frame: median {:.0} ms, max {:.0} ms (target < 500)",
        median(first_frames.clone()),
        first_frames.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "idle RSS after 3 s: median {:.0} MB, max {:.0} MB (target < 100)",
        median(idle.clone()),
        idle.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "  of which the app's own heap and stacks (RssAnon): median {:.0} MB; the software GL driver's code (Mesa llvmpipe: libLLVM, *_dri.so): median {:.0} MB",
        median(anonymous),
        median(gl_driver)
    );
}
