//! The desktop app with a 50 MB JSON response, driven headless through an
//! egui Context at 60 frames a second (each frame: the app's UI pass and
//! tessellation; no GPU). Prints the slowest and 99th-percentile frame while
//! the body arrives, formats and highlights, the time from the last byte to
//! the first fully highlighted screen, frames while scrolling through the
//! body, and the process's memory.
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
use support::{demo_server, percentile, rss_mb};

const BODY_MB: u32 = 50;
const FRAME: Duration = Duration::from_micros(16_667);

/// What the response view is doing at a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Arriving,
    Formatting,
    Highlighting,
    Scrolling,
}

struct Frames {
    ctx: egui::Context,
    started: Instant,
    next: Instant,
    times: Vec<(Phase, f64)>,
}

impl Frames {
    /// Runs one paced frame with `events`; returns its duration in ms.
    fn frame(&mut self, app: &mut ApxApp, phase: Phase, events: Vec<egui::Event>) -> f64 {
        let now = Instant::now();
        if self.next > now {
            std::thread::sleep(self.next - now);
        }
        self.next = Instant::now().max(self.next) + FRAME;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 820.0),
            )),
            time: Some(self.started.elapsed().as_secs_f64()),
            events,
            ..Default::default()
        };
        let t = Instant::now();
        let output = self.ctx.run_ui(input, |ui| app.draw(ui));
        let _meshes = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        self.times.push((phase, ms));
        ms
    }

    fn report(&self, label: &str, phases: &[Phase]) {
        let times: Vec<f64> = self
            .times
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
    };
    Workspace::new(dir.path()).add_device(device).unwrap();
    let mut app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();
    app.passwords
        .insert("bench-asa".into(), Secret::new(DEMO_PASSWORD));
    let tab = app.tabs.active_mut();
    tab.device = Some("bench-asa".into());
    tab.draft.method = "GET".into();
    tab.draft.url = format!("/api/demo/large?mb={BODY_MB}");

    let mut frames = Frames {
        ctx: egui::Context::default(),
        started: Instant::now(),
        next: Instant::now(),
        times: Vec::new(),
    };
    // Fonts and the first layout, as a window that is already open.
    for _ in 0..10 {
        frames.frame(&mut app, Phase::Arriving, Vec::new());
    }
    frames.times.clear();

    let sent = Instant::now();
    app.send();
    let mut last_byte = None;
    let mut first_screen = None;
    let deadline = sent + Duration::from_secs(120);
    while first_screen.is_none() {
        assert!(Instant::now() < deadline, "no highlighted screen in 120 s");
        let phase = match (
            &app.tabs.active().response.result,
            &app.tabs.active().response.rendered,
        ) {
            (None, _) => Phase::Arriving,
            (Some(_), None) => Phase::Formatting,
            (Some(_), Some(_)) => Phase::Highlighting,
        };
        frames.frame(&mut app, phase, Vec::new());
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

    // Scroll a page per frame, then jump far down, as a person skimming.
    let pointer = egui::Event::PointerMoved(egui::pos2(900.0, 600.0));
    frames.frame(&mut app, Phase::Scrolling, vec![pointer]);
    // After each step, frames run without input until the new rows are
    // highlighted: how long the plain text shows.
    let mut catch_up = Vec::new();
    for step in 0..40 {
        let delta = if step % 10 == 9 { -400_000.0 } else { -600.0 };
        let wheel = egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, delta),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        };
        let scrolled = Instant::now();
        frames.frame(&mut app, Phase::Scrolling, vec![wheel]);
        while !app.tabs.active().response.highlighted {
            assert!(
                scrolled.elapsed() < Duration::from_secs(10),
                "rows never highlighted"
            );
            frames.frame(&mut app, Phase::Scrolling, Vec::new());
        }
        catch_up.push(scrolled.elapsed().as_secs_f64() * 1000.0);
    }
    let last_byte = last_byte.unwrap();
    let first_screen = first_screen.unwrap();
    println!(
        "gui_frames: {:.1} MB JSON ({rows} pretty rows) over HTTPS from 127.0.0.1, frames paced at 60 Hz",
        body.len() as f64 / 1_048_576.0
    );
    frames.report("while arriving", &[Phase::Arriving]);
    frames.report(
        "while formatting and highlighting",
        &[Phase::Formatting, Phase::Highlighting],
    );
    frames.report(
        "arrive + format + highlight",
        &[Phase::Arriving, Phase::Formatting, Phase::Highlighting],
    );
    frames.report("scrolling (40 wheel steps)", &[Phase::Scrolling]);
    println!(
        "send to last byte: {:.0} ms; last byte to first highlighted screen: {:.0} ms (target < 1000)",
        (last_byte - sent).as_secs_f64() * 1000.0,
        (first_screen - last_byte).as_secs_f64() * 1000.0
    );
    println!(
        "after a scroll step, rows highlighted within: median {:.0} ms, max {:.0} ms",
        support::median(catch_up.clone()),
        catch_up.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "memory: {:.0} MB resident now (body {:.0} MB in memory)",
        rss_mb(std::process::id()).unwrap_or(f64::NAN),
        body.len() as f64 / 1_048_576.0
    );
}
