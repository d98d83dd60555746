//! Shared by the benchmarks: the demo appliances in their own process, and
//! child processes timed with their peak memory.
#![allow(dead_code)] // each benchmark uses a different part

pub mod fleet;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod spec;

/// Wall time, CPU time (user and system) and peak resident memory of one
/// child process.
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kb: i64,
}

/// User and system CPU time in a `rusage`.
pub fn cpu_time(usage: &libc::rusage) -> Duration {
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The CPU time this process has used so far (all its threads).
pub fn own_cpu_time() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: fills `usage` for this process.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    cpu_time(&usage)
}

/// Runs `cmd` to completion (it must exit 0), with stdout and stderr
/// discarded.
// The child is reaped by wait4 (which also reports its peak RSS), not Child::wait.
#[allow(clippy::zombie_processes)]
pub fn measure(cmd: &mut Command) -> Sample {
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
        cpu: cpu_time(&usage),
        max_rss_kb: usage.ru_maxrss,
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The `p`-th percentile (0-100) of `v`, nearest rank.
pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

pub fn has_command(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A child process, stopped when dropped (SIGTERM, so that a server such as
/// Xvfb removes its lock file).
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        // SAFETY: signals our own child, which has not been reaped yet.
        unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

/// One demo appliance as `apx demo --json` describes it.
pub struct DemoAppliance {
    pub url: String,
    pub sha256: String,
    pub certificate_pem: String,
}

/// Starts `apx demo` in its own process, so that its memory and the body it
/// serves are not counted as the client's. Needs ports 9441-9444 free.
pub fn demo_server() -> (Process, Vec<DemoAppliance>) {
    let mut server = Process(
        Command::new(env!("CARGO_BIN_EXE_apx"))
            .args(["demo", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start apx demo"),
    );
    let mut line = String::new();
    std::io::BufReader::new(server.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read apx demo");
    let demo: serde_json::Value =
        serde_json::from_str(&line).expect("apx demo --json (are ports 9441-9444 free?)");
    let appliances = demo["appliances"]
        .as_array()
        .unwrap_or_else(|| panic!("apx demo failed (are ports 9441-9444 free?): {line}"))
        .iter()
        .map(|a| DemoAppliance {
            url: a["url"].as_str().unwrap_or_default().to_string(),
            sha256: a["sha256"].as_str().unwrap_or_default().to_string(),
            certificate_pem: a["certificate_pem"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        })
        .collect();
    (server, appliances)
}

/// `curl` as the benchmarks run it against a demo ASA: silent, failing on
/// HTTP errors, with Basic auth and the ASA's User-Agent, and trusting the
/// server as apx does: with `pinned_key` (base64 SHA-256 of the leaf's
/// public key), that key alone, as `apx --pin` trusts the leaf alone;
/// otherwise the CA certificates of `ca`, as `apx --cacert`.
pub fn curl_asa(ca: &std::path::Path, pinned_key: Option<&str>) -> Command {
    let mut c = Command::new("curl");
    c.args(["-s", "-f"]);
    match pinned_key {
        Some(key) => c.args(["-k", "--pinnedpubkey", &format!("sha256//{key}")]),
        None => c.arg("--cacert").arg(ca),
    };
    c.args([
        "-u",
        &format!("admin:{}", apx::demo::DEMO_PASSWORD),
        "-H",
        "User-Agent: REST API Agent",
    ]);
    c
}

/// The base64 SHA-256 of the public key of the certificate in `pem`, as
/// curl's `--pinnedpubkey sha256//` takes it.
pub fn pinned_key(pem: &str) -> String {
    use rustls_pki_types::pem::PemObject;
    let der =
        rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).expect("certificate");
    apx::core::tls::parse_cert(&der)
        .expect("certificate")
        .spki_sha256
}

/// Resident memory of a running process, in MB (Linux).
pub fn rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmRSS:")
}

/// A memory line of `/proc/PID/status` (`VmRSS:`, `RssAnon:`, …), in MB.
pub fn status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resident memory of the mappings whose path contains one of `names`, in
/// MB (Linux `smaps`).
pub fn mapped_rss_mb(pid: u32, names: &[&str]) -> f64 {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut counting = false;
    let mut kb = 0.0;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or_default();
        if first.contains('-') && !first.ends_with(':') {
            counting = names.iter().any(|n| line.contains(n));
        } else if counting && first == "Rss:" {
            kb += line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
        }
    }
    kb / 1024.0
}

/// The desktop app driven headless through an egui `Context` at 60 frames a
/// second: each frame is the app's UI pass and tessellation (no GPU), timed.
pub struct Frames {
    pub ctx: egui::Context,
    size: egui::Vec2,
    started: Instant,
    next: Instant,
}

/// One frame: how long it took, and a hash of where everything on screen
/// was drawn (it changes while the view moves; colours are left out).
pub struct FrameRun {
    pub ms: f64,
    /// The CPU time the frame's thread spent on it, ms (less than `ms`
    /// when other threads had the cores).
    pub cpu_ms: f64,
    pub layout: u64,
}

impl Frames {
    /// A window of 1280x820 points, the app's default size.
    pub fn new() -> Frames {
        Frames {
            ctx: egui::Context::default(),
            size: egui::vec2(1280.0, 820.0),
            started: Instant::now(),
            next: Instant::now(),
        }
    }

    fn input(&self, events: Vec<egui::Event>) -> egui::RawInput {
        egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, self.size)),
            time: Some(self.started.elapsed().as_secs_f64()),
            events,
            ..Default::default()
        }
    }

    /// Runs one frame with `events`, at most one every 1/60 s.
    pub fn frame(&mut self, app: &mut apx::ui::ApxApp, events: Vec<egui::Event>) -> FrameRun {
        let now = Instant::now();
        if self.next > now {
            std::thread::sleep(self.next - now);
        }
        self.next = Instant::now().max(self.next) + Duration::from_micros(16_667);
        let input = self.input(events);
        let t = Instant::now();
        let cpu = thread_cpu_ms();
        let mut output = self.ctx.run_ui(input, |ui| app.draw(ui));
        // No GPU takes the font atlas's updates.
        output.textures_delta.clear();
        let meshes = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let cpu_ms = thread_cpu_ms() - cpu;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for clipped in &meshes {
            if let egui::epaint::Primitive::Mesh(mesh) = &clipped.primitive {
                for v in &mesh.vertices {
                    std::hash::Hash::hash(&(v.pos.x.to_bits(), v.pos.y.to_bits()), &mut hasher);
                }
            }
        }
        FrameRun {
            ms,
            cpu_ms,
            layout: std::hash::Hasher::finish(&hasher),
        }
    }

    /// Where the text field labelled `label` is on screen, found through
    /// the accessibility tree of one frame drawn in a throwaway context (so
    /// that the timed context never builds that tree).
    pub fn text_field(&self, app: &mut apx::ui::ApxApp, label: &str) -> egui::Pos2 {
        use egui::accesskit::Role;
        let nodes = self.nodes(app);
        let label_id = nodes
            .iter()
            .find(|(_, n)| n.role() == Role::Label && n.value() == Some(label))
            .unwrap_or_else(|| panic!("no label {label:?}"))
            .0;
        let field = nodes
            .into_iter()
            .find(|(_, n)| n.role() == Role::TextInput && n.labelled_by().contains(&label_id))
            .unwrap_or_else(|| panic!("no text field labelled {label:?}"))
            .1;
        center(&field)
    }

    /// Where the button named `label` is on screen (as [`Frames::text_field`]).
    pub fn button(&self, app: &mut apx::ui::ApxApp, label: &str) -> egui::Pos2 {
        let nodes = self.nodes(app);
        let button = nodes
            .into_iter()
            .find(|(_, n)| n.role() == egui::accesskit::Role::Button && n.label() == Some(label))
            .unwrap_or_else(|| panic!("no button {label:?}"))
            .1;
        center(&button)
    }

    /// The accessibility tree of the app's screen, drawn twice in a
    /// throwaway context (the second pass has the fonts and the panels'
    /// sizes settled).
    fn nodes(
        &self,
        app: &mut apx::ui::ApxApp,
    ) -> Vec<(egui::accesskit::NodeId, egui::accesskit::Node)> {
        let ctx = egui::Context::default();
        ctx.enable_accesskit();
        let mut nodes = Vec::new();
        for _ in 0..2 {
            let mut output = ctx.run_ui(self.input(Vec::new()), |ui| app.draw(ui));
            output.textures_delta.clear();
            nodes = output
                .platform_output
                .accesskit_update
                .expect("accesskit tree")
                .nodes;
        }
        nodes
    }
}

fn center(node: &egui::accesskit::Node) -> egui::Pos2 {
    let bounds = node.bounds().expect("bounds");
    egui::pos2(
        ((bounds.x0 + bounds.x1) / 2.0) as f32,
        ((bounds.y0 + bounds.y1) / 2.0) as f32,
    )
}

/// The CPU time of the calling thread so far, ms (Linux, macOS).
pub fn thread_cpu_ms() -> f64 {
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: fills `t` for the calling thread.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

/// The slowest of `times` and its median, in ms.
pub fn worst_and_median(times: &[f64]) -> (f64, f64) {
    (
        times.iter().copied().fold(0.0, f64::max),
        median(times.to_vec()),
    )
}
