//! The desktop app's fan-out window filling with 500 rows, driven headless
//! through an egui Context at 60 frames a second (each frame: the app's UI
//! pass and tessellation; no GPU). The workspace holds 500 demo ASAs on
//! 127.0.0.1 (see `benches/fleet.rs`), each answering after a fixed latency;
//! one request goes to the folder of all of them (the action the folder's
//! context menu entry takes) at concurrency 32. Prints the worst, 99th
//! percentile and median frame (wall time, and the CPU time of the app's
//! thread) idle before the fan-out, while the results table fills, then with
//! the table full (still, and scrolled with the mouse wheel to its end).
//!
//! The appliances run in this process on a runtime of their own (one
//! worker thread).
//!
//! Run: `cargo bench --bench gui_fleet`. `APX_BENCH_DEVICES` (500),
//! `APX_BENCH_LATENCY_MS` (100) and `APX_BENCH_CONCURRENCY` (32) change it.

mod support;

use std::time::{Duration, Instant};

use apx::core::platform::AuthMode;
use apx::core::secret::Secret;
use apx::demo::DEMO_PASSWORD;
use apx::ui::ApxApp;
use apx::ui::actions::{Action, Fleet};
use apx::ui::settings::Settings;
use support::fleet::{Appliances, PATH, env_or, write_workspace};
use support::{FrameRun, Frames, median, percentile, rss_mb};

/// Frames drawn with the table full, still and then scrolling.
const FULL_FRAMES: usize = 60;

/// Frames' wall times, and the CPU time of the app's thread in them.
fn report(label: &str, runs: &[FrameRun]) {
    let stats = |times: Vec<f64>| {
        format!(
            "max {:>6.1}  p99 {:>6.1}  median {:>5.1}",
            times.iter().copied().fold(0.0, f64::max),
            percentile(times.clone(), 99.0),
            median(times)
        )
    };
    println!(
        "{label:<32} {:>4} frames  wall ms: {}  | thread CPU ms: {}",
        runs.len(),
        stats(runs.iter().map(|r| r.ms).collect()),
        stats(runs.iter().map(|r| r.cpu_ms).collect())
    );
}

fn main() {
    let count = env_or("APX_BENCH_DEVICES", 500) as usize;
    let latency = Duration::from_millis(env_or("APX_BENCH_LATENCY_MS", 100));
    let concurrency = env_or("APX_BENCH_CONCURRENCY", 32);
    let appliances = Appliances::start(count, latency);
    let dir = tempfile::tempdir().unwrap();
    let devices = appliances.devices("Fleet", "", count);
    write_workspace(dir.path(), &devices);

    let settings = Settings {
        concurrency,
        ..Settings::default()
    };
    let mut app = ApxApp::new(dir.path().to_path_buf(), settings, false).unwrap();
    for d in &devices {
        app.passwords
            .insert(d.name.clone(), Secret::new(DEMO_PASSWORD));
    }
    let draft = &mut app.tabs.active_mut().draft;
    draft.method = "GET".into();
    draft.url = PATH.into();
    draft.auth = Some(AuthMode::Basic);

    let mut frames = Frames::new();
    // Fonts and the first layout, as a window that is already open (the
    // first 10 frames), then the app idle.
    let idle: Vec<FrameRun> = (0..30)
        .map(|_| frames.frame(&mut app, Vec::new()))
        .collect();

    let sent = Instant::now();
    app.apply(Action::FanOut(Fleet::Folder("Fleet".into())), &frames.ctx);
    let mut filling = Vec::new();
    let done = |app: &ApxApp| app.dialogs.runs.as_ref().is_some_and(|r| r.done());
    while !done(&app) {
        assert!(
            sent.elapsed() < Duration::from_secs(600),
            "the fan-out did not end in 600 s"
        );
        filling.push(frames.frame(&mut app, Vec::new()));
    }
    let took = sent.elapsed();
    let run = app.dialogs.runs.as_ref().unwrap();
    assert_eq!(run.rows.len(), count);
    assert!(run.failed_rows().is_empty(), "{}", run.summary());
    let summary = run.summary();

    let full: Vec<FrameRun> = (0..FULL_FRAMES)
        .map(|_| frames.frame(&mut app, Vec::new()))
        .collect();
    // The pointer over the results table, then one flick to its end.
    let table = egui::pos2(frames.ctx.content_rect().right() - 320.0, 330.0);
    let mut events = vec![
        egui::Event::PointerMoved(table),
        egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -50_000.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        },
    ];
    let scrolling: Vec<FrameRun> = (0..FULL_FRAMES)
        .map(|_| frames.frame(&mut app, std::mem::take(&mut events)))
        .collect();

    println!(
        "gui_fleet: one GET {PATH} to a folder of {count} demo ASAs on 127.0.0.1, each answering {} ms late, concurrency {concurrency}; frames paced at 60 Hz",
        latency.as_millis()
    );
    println!("{summary} (fan-out {:.1} s)", took.as_secs_f64());
    report("before the fan-out", &idle[10..]);
    report("while the table fills", &filling);
    report("table full", &full);
    report("table full, scrolled to its end", &scrolling);
    println!("target: no frame over 16 ms (wall)");
    println!(
        "memory: {:.0} MB resident now (the app and the appliances)",
        rss_mb(std::process::id()).unwrap_or(f64::NAN)
    );
}
