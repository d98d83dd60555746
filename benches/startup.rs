//! Start-up and idle memory of the desktop app, against a floor measured in
//! the same run: `apx -v --demo` (a copy of the shipped demo workspace, the
//! four demo appliances started) and the smallest eframe app (this benchmark
//! re-run as an empty window, with the same eframe build, features, renderer
//! and window size), each in a real window under Xvfb (Mesa's software
//! OpenGL). Launches alternate between the two.
//!
//! First presented frame: both programs print "first frame presented" as
//! their second frame begins (eframe begins a frame only after swapping the
//! previous one's buffers, and the first frame asks for the second at once);
//! the time is from spawning the process to that line. Cold: the page cache
//! dropped before the launch (`/proc/sys/vm/drop_caches`, needs root); where
//! that is refused, the first launch of each program in this run. Warm: the
//! median of the launches after. As a check from outside the process, more
//! launches poll screenshots of the X screen (`xwd`) until the window's
//! pixels are on it. Idle memory: resident set after three idle seconds.
//!
//! Run: `cargo bench --bench startup` (needs Xvfb and xwd:
//! `apt-get install xvfb x11-apps`).

mod support;

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Process, mapped_rss_mb, median, rss_mb, status_mb};

const COLD_RUNS: usize = 3;
const WARM_RUNS: usize = 5;
const OUTSIDE_RUNS: usize = 3;
/// Set in the environment of this benchmark re-run as the floor window.
const FLOOR_ENV: &str = "APX_BENCH_FLOOR_WINDOW";
const PRESENTED: &str = "first frame presented";

fn main() {
    if std::env::var_os(FLOOR_ENV).is_some() {
        floor_window();
        return;
    }
    // `-displayfd 1`: Xvfb picks a free display and prints its number once
    // it accepts connections. `-br`: a black screen until a window draws.
    let xvfb = Command::new("Xvfb")
        .args(["-displayfd", "1", "-br", "-screen", "0", "1400x900x24"])
        .args(["-nolisten", "tcp"])
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
    assert!(
        !screen_drawn(&display),
        "the screen should be blank before any window (is xwd installed?)"
    );
    let workspace = tempfile::tempdir().unwrap();
    let copied = Command::new("cp")
        .arg("-r")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("saved_requests"))
        .arg(workspace.path().join("ws"))
        .status()
        .expect("cp");
    assert!(copied.success(), "copy the demo workspace");
    let programs = [
        Program::Floor,
        Program::Apx(workspace.path().join("ws").display().to_string()),
    ];

    let dropped = drop_page_cache();
    let mut cold = [Vec::new(), Vec::new()];
    let mut warm = [Vec::new(), Vec::new()];
    let mut outside = [Vec::new(), Vec::new()];
    let mut idle = [Vec::new(), Vec::new()];
    let mut anonymous = Vec::new();
    let mut gl_driver = Vec::new();
    for run in 0..COLD_RUNS.max(1) {
        if run > 0 && !dropped {
            break;
        }
        for (i, program) in programs.iter().enumerate() {
            drop_page_cache();
            let launch = launch(program, &display);
            cold[i].push(launch.presented);
        }
    }
    for _ in 0..WARM_RUNS {
        for (i, program) in programs.iter().enumerate() {
            let launch = launch(program, &display);
            warm[i].push(launch.presented);
            std::thread::sleep(Duration::from_secs(3));
            let pid = launch.process.0.id();
            assert!(screen_drawn(&display), "{program:?} drew nothing");
            idle[i].push(rss_mb(pid).unwrap_or(f64::NAN));
            if i == 1 {
                anonymous.push(status_mb(pid, "RssAnon:").unwrap_or(f64::NAN));
                gl_driver.push(mapped_rss_mb(pid, &["libLLVM", "_dri.so", "libgallium"]));
            }
        }
    }
    let mut poll_ms = Vec::new();
    for _ in 0..OUTSIDE_RUNS {
        for (i, program) in programs.iter().enumerate() {
            let (first_drawn, poll) = drawn_from_outside(program, &display);
            outside[i].push(first_drawn);
            poll_ms.push(poll);
        }
    }

    println!(
        "startup: under Xvfb (Mesa software OpenGL), launches alternating between apx -v --demo (demo workspace) and the floor (an empty eframe window, same eframe build and renderer)"
    );
    let cold_kind = if dropped {
        format!("cold (page cache dropped before each launch), median of {COLD_RUNS}")
    } else {
        "cold (dropping the page cache was refused: the first launch in this run)".to_string()
    };
    let row = |label: &str, v: &[Vec<f64>; 2], unit: &str| {
        let (floor, apx) = (median(v[0].clone()), median(v[1].clone()));
        println!(
            "{label:<58} apx {apx:>6.0} {unit}  floor {floor:>6.0} {unit}  apx - floor {:>+5.0} {unit}  apx / floor {:.2}",
            apx - floor,
            apx / floor
        );
    };
    row(&format!("first presented frame, {cold_kind}:"), &cold, "ms");
    row(
        &format!("first presented frame, warm, median of {WARM_RUNS}:"),
        &warm,
        "ms",
    );
    row(
        &format!(
            "window pixels on the X screen (xwd polls of {:.0} ms), median of {OUTSIDE_RUNS}:",
            median(poll_ms)
        ),
        &outside,
        "ms",
    );
    row(
        &format!("idle RSS after 3 s, median of {WARM_RUNS} (target apx - floor <= 15 MB):"),
        &idle,
        "MB",
    );
    println!(
        "  apx's own heap and stacks (RssAnon): median {:.0} MB; the software GL driver's code (Mesa llvmpipe: libLLVM, *_dri.so): median {:.0} MB",
        median(anonymous),
        median(gl_driver)
    );
    println!(
        "  all launches, ms: cold apx {:?} floor {:?}; warm apx {:?} floor {:?}",
        rounded(&cold[1]),
        rounded(&cold[0]),
        rounded(&warm[1]),
        rounded(&warm[0])
    );
}

#[derive(Debug)]
enum Program {
    /// This benchmark re-run as an empty eframe window.
    Floor,
    /// `apx -v --demo` on this workspace folder.
    Apx(String),
}

impl Program {
    fn command(&self, display: &str) -> Command {
        let mut c = match self {
            Program::Floor => {
                let mut c = Command::new(std::env::current_exe().expect("current exe"));
                c.env(FLOOR_ENV, "1");
                c
            }
            Program::Apx(workspace) => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
                c.args(["-v", "--demo", "--workspace", workspace]);
                c
            }
        };
        c.env("DISPLAY", display)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null());
        c
    }
}

struct Launch {
    process: Process,
    /// From spawning to the "first frame presented" line, ms.
    presented: f64,
}

fn launch(program: &Program, display: &str) -> Launch {
    let started = Instant::now();
    let mut process = Process(
        program
            .command(display)
            .stderr(Stdio::piped())
            .spawn()
            .expect("launch"),
    );
    let stderr = process.0.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let shown = lines.any(|l| l.is_ok_and(|l| l.contains(PRESENTED)));
    assert!(shown, "{program:?} exited before presenting a frame");
    let presented = started.elapsed().as_secs_f64() * 1000.0;
    // Keep reading so that the program never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Launch { process, presented }
}

/// Launches `program` and takes screenshots until its window is on the
/// screen: the time from spawning to the first screenshot with it, and the
/// mean time one screenshot took (the resolution), ms.
fn drawn_from_outside(program: &Program, display: &str) -> (f64, f64) {
    let started = Instant::now();
    let _process = Process(
        program
            .command(display)
            .stderr(Stdio::null())
            .spawn()
            .expect("launch"),
    );
    let mut polls = 0;
    while !screen_drawn(display) {
        polls += 1;
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{program:?} never drew"
        );
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (ms, ms / (polls + 1) as f64)
}

/// Whether something is drawn on the X screen: a screenshot (`xwd`) with at
/// least three colours (the blank screen is black; a window's first present
/// has text, anti-aliased).
fn screen_drawn(display: &str) -> bool {
    let Ok(out) = Command::new("xwd")
        .args(["-root", "-silent", "-display", display])
        .stderr(Stdio::null())
        .output()
    else {
        panic!("xwd is not installed (apt-get install x11-apps)");
    };
    let word = |i: usize| {
        out.stdout
            .get(i * 4..i * 4 + 4)
            .map_or(0, |b| u32::from_be_bytes(b.try_into().unwrap()) as usize)
    };
    // XWD header: its size, then 32-bit fields; 11 is bits per pixel, 19 the
    // number of colormap entries (12 bytes each) that follow it.
    let (header, bytes_per_pixel, colours) = (word(0), word(11) / 8, word(19));
    let start = header + colours * 12;
    let Some(pixels) = out.stdout.get(start..).filter(|_| bytes_per_pixel > 0) else {
        return false;
    };
    let mut seen: Vec<&[u8]> = Vec::new();
    for pixel in pixels.chunks_exact(bytes_per_pixel) {
        if !seen.contains(&pixel) {
            seen.push(pixel);
            if seen.len() >= 3 {
                return true;
            }
        }
    }
    false
}

/// Drops the page cache (root only); whether it was dropped.
fn drop_page_cache() -> bool {
    // SAFETY: sync has no preconditions.
    unsafe { libc::sync() };
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

fn rounded(v: &[f64]) -> Vec<i64> {
    v.iter().map(|x| x.round() as i64).collect()
}

/// The floor: an empty eframe window with apx's renderer, size and
/// start-of-frame report.
fn floor_window() {
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("floor")
            .with_inner_size([1280.0, 820.0]),
        ..Default::default()
    };
    eframe::run_native(
        "apx-floor",
        options,
        Box::new(|_| Ok(Box::new(Floor::default()))),
    )
    .expect("floor window");
}

#[derive(Default)]
struct Floor {
    frames: u8,
}

impl eframe::App for Floor {
    fn raw_input_hook(&mut self, _ctx: &egui::Context, _raw_input: &mut egui::RawInput) {
        if self.frames == 1 {
            eprintln!("{PRESENTED}");
        }
        self.frames = self.frames.saturating_add(1);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| ui.label("An empty window"));
        if self.frames == 1 {
            ui.ctx().request_repaint();
        }
    }
}
