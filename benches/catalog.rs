//! OpenAPI catalogs at FMC scale, with a Swagger 2.0 document shaped like
//! the one an FMC serves (`support::spec`), of 600 object types: 3,000
//! operations in about 3.5 MB.
//! - Import: `Workspace::import_openapi_file` (read, parse, build the
//!   operations, store them), its time and its peak heap above what was
//!   allocated before it (a counting allocator), against the file's size;
//!   and `apx import openapi FILE --platform fmc` as a process, its wall
//!   time and peak RSS, and the same for a one-operation spec.
//! - Search: `Catalog::search` for each keystroke of typing a query and
//!   erasing it.
//! - The app's catalog window: the query typed into its search field a key
//!   every 100 ms and erased again, the app driven headless at 60 frames a
//!   second (each frame: the UI pass and tessellation; no GPU).
//!
//! Run: `cargo bench --bench catalog`.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::catalogs::CatalogKey;
use apx::core::workspace::{Device, Workspace};
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use support::{Frames, measure, median, worst_and_median};

const TYPES: usize = 600;
const RUNS: usize = 5;
/// Narrows 3,000 operations to one.
const QUERY: &str = "widget0421 put";
/// Frames between two keys: 100 ms at 60 Hz.
const FRAMES_PER_KEY: usize = 6;

/// Counts the bytes allocated now and the most at any time.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed to the system allocator unchanged; only the
// counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mb(bytes: f64) -> f64 {
    bytes / (1 << 20) as f64
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("fmc.json");
    std::fs::write(&spec, support::spec::fmc_shaped(TYPES)).unwrap();
    let size = std::fs::metadata(&spec).unwrap().len() as f64;
    let operations = TYPES * support::spec::OPERATIONS_PER_TYPE;
    println!(
        "catalog: an FMC-shaped Swagger 2.0 spec of {operations} operations, {:.2} MB",
        mb(size)
    );

    let ws = Workspace::new(dir.path().join("ws"));
    ws.add_device(fmc_device()).unwrap();
    let key = CatalogKey::Device("bench-fmc".into());
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..RUNS {
        let before = CURRENT.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let started = Instant::now();
        let (count, _) = ws.import_openapi_file(&spec, &key).unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        peaks.push((PEAK.load(Ordering::Relaxed) - before) as f64);
        assert_eq!(count, operations);
    }
    let peak = median(peaks);
    println!(
        "import (in process), median of {RUNS}: {:.0} ms, peak heap {:.1} MB = {:.1}x the file (targets: <= 300 ms, < 5x)",
        median(times),
        mb(peak),
        peak / size
    );
    process_import(dir.path(), &spec, size);

    let catalog = ws.catalog(&key).unwrap();
    let mut keystrokes = Vec::new();
    for typed in typed_and_erased() {
        let started = Instant::now();
        let found = catalog.search(&typed);
        keystrokes.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(found);
    }
    assert_eq!(
        catalog.search(QUERY).len(),
        1,
        "{QUERY:?} finds one operation"
    );
    let (worst, med) = worst_and_median(&keystrokes);
    println!(
        "search of {} operations, typing {QUERY:?} and erasing it ({} keystrokes): max {worst:.2} ms, median {med:.2} ms (target: < 5 ms)",
        catalog.len(),
        keystrokes.len()
    );
    window_frames(&ws);
}

/// Each text the search field holds while `QUERY` is typed, then erased.
fn typed_and_erased() -> Vec<String> {
    let typed = (1..=QUERY.len()).map(|n| QUERY[..n].to_string());
    let erased = (0..QUERY.len()).rev().map(|n| QUERY[..n].to_string());
    typed.chain(erased).collect()
}

fn fmc_device() -> Device {
    Device {
        name: "bench-fmc".into(),
        folder: "Bench".into(),
        platform: Platform::Fmc,
        base_url: "https://127.0.0.1:1".into(),
        username: Some("admin".into()),
        trust: Trust::Verify,
        variables: Default::default(),
        allow_http: false,
        domain: None,
        api_version: None,
        reach: Default::default(),
    }
}

/// `apx import openapi` as a process: the big spec against a one-operation
/// spec, alternating.
fn process_import(dir: &std::path::Path, spec: &std::path::Path, size: f64) {
    let tiny = dir.join("tiny.json");
    std::fs::write(&tiny, support::spec::fmc_shaped(1)).unwrap();
    let import = |file: &std::path::Path, n: usize| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apx"));
        c.arg("--workspace")
            .arg(dir.join(format!("process-ws-{n}")))
            .args(["import", "openapi"])
            .arg(file)
            .args(["--platform", "fmc"]);
        c
    };
    let (mut big, mut small) = (Vec::new(), Vec::new());
    for n in 0..RUNS {
        big.push(measure(&mut import(spec, n)));
        small.push(measure(&mut import(&tiny, n + RUNS)));
    }
    let wall =
        |s: &[support::Sample]| median(s.iter().map(|s| s.wall.as_secs_f64() * 1000.0).collect());
    let rss =
        |s: &[support::Sample]| median(s.iter().map(|s| s.max_rss_kb as f64 * 1024.0).collect());
    println!(
        "apx import openapi (process), median of {RUNS}: {:.0} ms, peak RSS {:.1} MB (a one-operation spec: {:.0} ms, {:.1} MB; the file: {:.1} MB)",
        wall(&big),
        mb(rss(&big)),
        wall(&small),
        mb(rss(&small)),
        mb(size)
    );
}

/// The catalog window: the device picked, Catalog clicked, the query typed
/// into its search field and erased.
fn window_frames(ws: &Workspace) {
    let mut app = ApxApp::new(ws.dir().to_path_buf(), Settings::default(), false).unwrap();
    let mut frames = Frames::new();
    for _ in 0..10 {
        frames.frame(&mut app, Vec::new());
    }
    click(&mut frames, &mut app, |f, a| f.button(a, "bench-fmc"));
    click(&mut frames, &mut app, |f, a| f.button(a, "Catalog"));
    // The stored catalog is read off the UI thread.
    for _ in 0..30 {
        frames.frame(&mut app, Vec::new());
    }
    click(&mut frames, &mut app, |f, a| f.text_field(a, "Search"));
    let key = |key| egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    };
    let typed: Vec<_> = QUERY
        .chars()
        .map(|c| egui::Event::Text(c.to_string()))
        .collect();
    let erased: Vec<_> = (0..QUERY.len())
        .map(|_| key(egui::Key::Backspace))
        .collect();
    let mut all = Vec::new();
    let mut key_frames = Vec::new();
    for (n, keys) in [typed, erased].into_iter().enumerate() {
        for event in keys {
            let ms = frames.frame(&mut app, vec![event]).ms;
            all.push(ms);
            key_frames.push(ms);
            for _ in 1..FRAMES_PER_KEY {
                all.push(frames.frame(&mut app, Vec::new()).ms);
            }
        }
        if n == 0 {
            // The one operation found is listed (panics otherwise).
            frames.button(
                &mut app,
                "PUT /api/fmc_config/v1/domain/{domainUUID}/object/widget0421s/{objectId}",
            );
        }
    }
    let (worst, med) = worst_and_median(&all);
    let (key_worst, key_med) = worst_and_median(&key_frames);
    println!(
        "catalog window, typing {QUERY:?} and erasing it, a key every {} ms: {} frames max {worst:.1} ms, median {med:.1} ms; the frames taking a key: max {key_worst:.1} ms, median {key_med:.1} ms (target: no frame over 16 ms)",
        FRAMES_PER_KEY * 1000 / 60,
        all.len()
    );
}

fn click(frames: &mut Frames, app: &mut ApxApp, find: impl Fn(&Frames, &mut ApxApp) -> egui::Pos2) {
    let pos = find(frames, app);
    let button = |pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    frames.frame(app, vec![egui::Event::PointerMoved(pos), button(true)]);
    frames.frame(app, vec![button(false)]);
    for _ in 0..5 {
        frames.frame(app, Vec::new());
    }
}
