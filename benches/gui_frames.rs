//! The desktop app with a 50 MB JSON response, driven headless through an
//! egui Context at 60 frames a second (each frame: the app's UI pass and
//! tessellation; no GPU). Prints the slowest and 99th-percentile frame while
//! the body arrives, formats and highlights, and the time from the last byte
//! to the first fully highlighted screen. Then it scrolls with the mouse
//! wheel, each flick thousands of rows away (far beyond the rows highlighted
//! ahead of the screen), and keeps drawing until the view has settled
//! (nothing on screen moved for [`SETTLED_FRAMES`] frames: egui's wheel
//! smoothing is over) and the rows on screen are highlighted;
//! it prints the slowest frame of all that, and how long after the view
//! settled the rows on screen were highlighted.
//!
//! The appliance runs in its own process (`apx demo`), so the memory printed
//! is the app's alone.
//!
//! Run: `cargo bench --bench gui_frames` (needs the demo ports 9441-9444 free).

mod support;

use std::time::{Duration, Instant};

use apx::core::platform::Platform;
use apx::core::secret::Secret;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::demo::DEMO_PASSWORD;
use apx::engine::http::Body;
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use support::{Frames, demo_server, median, percentile, rss_mb};

const BODY_MB: u32 = 50;
/// Frames in a row with nothing on screen moved: the view has settled.
const SETTLED_FRAMES: usize = 5;
/// The wheel flicks, in points (about 18 points a row; negative scrolls
/// down): from about 3,000 rows to the whole body, both ways.
const FLICKS: [f32; 8] = [
    -60_000.0,
    -250_000.0,
    -1_000_000.0,
    400_000.0,
    -5_000_000.0,
    -40_000_000.0,
    2_000_000.0,
    40_000_000.0,
];

/// What the response view is doing at a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Arriving,
    Formatting,
    Highlighting,
    Scrolling,
}

fn report(times: &[(Phase, f64)], label: &str, phases: &[Phase]) {
    let times: Vec<f64> = times
        .iter()
        .filter(|(p, _)| phases.contains(p))
        .map(|(_, t)| *t)
        .collect();
    if times.is_empty() {
        return;
    }
    let max = times.iter().copied().fold(0.0, f64::max);
    println!(
        "{label:<34} {:>6} frames  max {max:>6.1} ms  p99 {:>6.1} ms",
        times.len(),
        percentile(times.clone(), 99.0)
    );
}

/// One wheel flick and the frames after it.
struct Flick {
    /// From the wheel event to the view settled, ms.
    settle: f64,
    /// From the view settled to the rows on screen highlighted, ms (0 when
    /// they were highlighted before it settled).
    highlight: f64,
    /// From the wheel event to the rows on screen highlighted for good, ms.
    plain: f64,
    worst_frame: f64,
}

/// Scrolls by `delta` points and draws until the view has settled and its
/// rows are highlighted.
fn flick(
    app: &mut ApxApp,
    frames: &mut Frames,
    times: &mut Vec<(Phase, f64)>,
    delta: f32,
) -> Flick {
    let wheel = egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, delta),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    };
    let scrolled = Instant::now();
    let mut events = vec![wheel];
    let mut layout = None;
    let mut still = 0;
    let mut settled_at = None;
    let mut highlighted_at = None;
    let mut worst_frame: f64 = 0.0;
    loop {
        assert!(
            scrolled.elapsed() < Duration::from_secs(20),
            "the view never settled with its rows highlighted"
        );
        let run = frames.frame(app, std::mem::take(&mut events));
        let now = Instant::now();
        times.push((Phase::Scrolling, run.ms));
        worst_frame = worst_frame.max(run.ms);
        // Settled: nothing on screen has moved since this frame (egui's
        // wheel smoothing is over, or the view has reached an end).
        if layout != Some(run.layout) {
            settled_at = Some(now);
        }
        // Highlighted from this frame on.
        if app.tabs.active().response.highlighted {
            highlighted_at.get_or_insert(now);
        } else {
            highlighted_at = None;
        }
        // Checked from outside egui: nothing on screen moves any more.
        still = if layout == Some(run.layout) {
            still + 1
        } else {
            0
        };
        layout = Some(run.layout);
        if settled_at.is_some() && highlighted_at.is_some() && still >= SETTLED_FRAMES {
            break;
        }
    }
    let settled_at = settled_at.expect("at least one frame");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let highlighted_at = highlighted_at.expect("highlighted");
    Flick {
        settle: ms(settled_at - scrolled),
        highlight: ms(highlighted_at.saturating_duration_since(settled_at)),
        plain: ms(highlighted_at - scrolled),
        worst_frame,
    }
}

fn main() {
    let (_server, appliances) = demo_server();
    let asa = &appliances[0];
    let dir = tempfile::tempdir().unwrap();
    let device = Device {
        name: "bench-asa".into(),
        folder: "Bench".into(),
        platform: Platform::Asa,
        base_url: asa.url.clone(),
        username: Some("admin".into()),
        trust: Trust::Pin {
            sha256: asa.sha256.clone(),
        },
        variables: Default::default(),
        allow_http: false,
        domain: None,
        api_version: None,
    };
    Workspace::new(dir.path()).add_device(device).unwrap();
    let mut app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    app.passwords
        .insert("bench-asa".into(), Secret::new(DEMO_PASSWORD));
    app.tabs.active_mut().device = Some("bench-asa".into());
    app.tabs.active_mut().draft.method = "GET".into();
    app.tabs.active_mut().draft.url = format!("/api/demo/large?mb={BODY_MB}");

    let mut frames = Frames::new();
    let mut times: Vec<(Phase, f64)> = Vec::new();
    // Fonts and the first layout, as a window that is already open.
    for _ in 0..10 {
        frames.frame(&mut app, Vec::new());
    }

    let sent = Instant::now();
    app.send();
    let mut last_byte = None;
    let mut first_screen = None;
    let deadline = sent + Duration::from_secs(120);
    while first_screen.is_none() {
        assert!(Instant::now() < deadline, "no highlighted screen in 120 s");
        let response = &app.tabs.active().response;
        let phase = match (&response.result, &response.rendered) {
            (None, _) => Phase::Arriving,
            (Some(_), None) => Phase::Formatting,
            (Some(_), Some(_)) => Phase::Highlighting,
        };
        times.push((phase, frames.frame(&mut app, Vec::new()).ms));
        if app.tabs.active().response.result.is_some() && last_byte.is_none() {
            last_byte = Some(Instant::now());
        }
        if app.tabs.active().response.highlighted {
            first_screen = Some(Instant::now());
        }
    }
    let result = app.tabs.active().response.result.clone().unwrap();
    assert_eq!(result.status, Some(200), "{:?}", result.error);
    let Body::Memory(body) = &result.body else {
        panic!("the body should be in memory");
    };
    let rows = app
        .tabs
        .active()
        .response
        .rendered
        .as_ref()
        .map_or(0, |r| r.pretty.line_count());

    // The pointer over the body, then the flicks.
    let pointer = egui::Event::PointerMoved(egui::pos2(900.0, 600.0));
    times.push((Phase::Scrolling, frames.frame(&mut app, vec![pointer]).ms));
    let flicks: Vec<Flick> = FLICKS
        .iter()
        .map(|&delta| flick(&mut app, &mut frames, &mut times, delta))
        .collect();
    let last_byte = last_byte.unwrap();
    let first_screen = first_screen.unwrap();
    println!(
        "gui_frames: {:.1} MB JSON ({rows} pretty rows) over HTTPS from 127.0.0.1, frames paced at 60 Hz",
        body.len() as f64 / 1_048_576.0
    );
    report(&times, "while arriving", &[Phase::Arriving]);
    report(
        &times,
        "while formatting and highlighting",
        &[Phase::Formatting, Phase::Highlighting],
    );
    report(
        &times,
        "arrive + format + highlight",
        &[Phase::Arriving, Phase::Formatting, Phase::Highlighting],
    );
    report(
        &times,
        &format!("scrolling ({} flicks until settled)", FLICKS.len()),
        &[Phase::Scrolling],
    );
    println!(
        "send to last byte: {:.0} ms; last byte to first highlighted screen: {:.0} ms (target < 1000)",
        (last_byte - sent).as_secs_f64() * 1000.0,
        (first_screen - last_byte).as_secs_f64() * 1000.0
    );
    for (delta, f) in FLICKS.iter().zip(&flicks) {
        println!(
            "  flick of ~{:>+9.0} rows: settled after {:>4.0} ms, rows highlighted {:>4.0} ms after that ({:>4.0} ms after the wheel), worst frame {:>5.1} ms",
            -delta / 18.0,
            f.settle,
            f.highlight,
            f.plain,
            f.worst_frame
        );
    }
    let highlight: Vec<f64> = flicks.iter().map(|f| f.highlight).collect();
    let plain: Vec<f64> = flicks.iter().map(|f| f.plain).collect();
    println!(
        "after the view settles, rows on screen highlighted within: median {:.0} ms, max {:.0} ms; after the wheel: median {:.0} ms, max {:.0} ms",
        median(highlight.clone()),
        highlight.iter().copied().fold(0.0, f64::max),
        median(plain.clone()),
        plain.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "memory: {:.0} MB resident now (body {:.0} MB in memory)",
        rss_mb(std::process::id()).unwrap_or(f64::NAN),
        body.len() as f64 / 1_048_576.0
    );
}
