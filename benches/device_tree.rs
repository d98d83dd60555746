//! The device tree with 1,000 devices in 50 folders (every folder open),
//! filtered as a person types: the filter field is clicked, then a filter is
//! typed a character every 100 ms and erased again the same way, with the
//! app driven headless through an egui Context at 60 frames a second (each
//! frame: the app's UI pass and tessellation; no GPU). Prints the slowest
//! and the median frame of the whole, of the unfiltered tree alone and of
//! the frames that took a key, and the filter around the slowest frame.
//!
//! Run: `cargo bench --bench device_tree`.

mod support;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::ui::ApxApp;
use apx::ui::settings::Settings;
use support::{Frames, worst_and_median};

const FOLDERS: usize = 50;
const DEVICES: usize = 1_000;
/// Narrows to one folder, then to one device.
const FILTER: &str = "site-07 fw-3";
/// Frames between two keys: 100 ms at 60 Hz.
const FRAMES_PER_KEY: usize = 6;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let platforms = [Platform::Asa, Platform::Fxos, Platform::Wsa];
    let devices: Vec<Device> = (0..DEVICES)
        .map(|i| {
            let folder = i % FOLDERS;
            let n = i / FOLDERS;
            Device {
                name: format!("site-{folder:02} fw-{n:02}"),
                folder: format!("Region {}/Site {folder:02}", folder / 10),
                platform: platforms[i % platforms.len()],
                base_url: format!("https://10.{folder}.{n}.1"),
                username: Some("admin".into()),
                trust: Trust::Verify,
                variables: Default::default(),
                allow_http: false,
                domain: None,
                api_version: None,
                reach: Default::default(),
            }
        })
        .collect();
    Workspace::new(dir.path()).save_devices(&devices).unwrap();
    let mut app = ApxApp::new(dir.path().to_path_buf(), Settings::default(), false).unwrap();

    let mut frames = Frames::new();
    // Fonts and the first layout, as a window that is already open.
    for _ in 0..10 {
        frames.frame(&mut app, Vec::new());
    }
    let field = frames.text_field(&mut app, "Filter");
    let click = |pressed| egui::Event::PointerButton {
        pos: field,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    frames.frame(
        &mut app,
        vec![egui::Event::PointerMoved(field), click(true)],
    );
    frames.frame(&mut app, vec![click(false)]);

    let mut unfiltered = Vec::new();
    for _ in 0..30 {
        unfiltered.push(frames.frame(&mut app, Vec::new()).ms);
    }
    let key = |key| egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    };
    let keys = FILTER
        .chars()
        .map(|c| vec![egui::Event::Text(c.to_string())])
        .chain((0..FILTER.len()).map(|_| vec![key(egui::Key::Backspace)]));
    let mut typing = Vec::new();
    // The frames that took a key (the tree's rows change in them), and the
    // slowest with the filter it left.
    let mut key_frames = Vec::new();
    let mut slowest = (0.0, String::new());
    let mut shown = Vec::new();
    for events in keys {
        let ms = frames.frame(&mut app, events).ms;
        typing.push(ms);
        key_frames.push(ms);
        shown.push(app.side.filter.clone());
        for _ in 1..FRAMES_PER_KEY {
            typing.push(frames.frame(&mut app, Vec::new()).ms);
        }
        let worst = typing[typing.len() - FRAMES_PER_KEY..]
            .iter()
            .copied()
            .fold(0.0, f64::max);
        if worst > slowest.0 {
            slowest = (worst, app.side.filter.clone());
        }
    }
    assert_eq!(
        shown[FILTER.len() - 1],
        FILTER,
        "the filter field took the keys"
    );
    assert!(
        app.side.filter.is_empty(),
        "the filter was erased: {:?}",
        app.side.filter
    );

    println!(
        "device_tree: {DEVICES} devices in {FOLDERS} folders, typing {FILTER:?} into the filter and erasing it, a key every {} ms, frames paced at 60 Hz",
        FRAMES_PER_KEY * 1000 / 60
    );
    let (worst, med) = worst_and_median(&unfiltered);
    println!(
        "unfiltered tree (every folder open): {:>4} frames  max {worst:>5.1} ms  median {med:>5.1} ms",
        unfiltered.len()
    );
    let (worst, med) = worst_and_median(&typing);
    println!(
        "typing and erasing the filter:       {:>4} frames  max {worst:>5.1} ms  median {med:>5.1} ms (target: no frame over 16 ms)",
        typing.len()
    );
    let (worst, med) = worst_and_median(&key_frames);
    println!(
        "  of which the frames taking a key:  {:>4} frames  max {worst:>5.1} ms  median {med:>5.1} ms",
        key_frames.len()
    );
    println!(
        "  slowest: {:.1} ms, within 100 ms of the filter becoming {:?}",
        slowest.0, slowest.1
    );
}
