//! Shared test support: in-process appliances on 127.0.0.1 and a runner for
//! the real `apx` binary.
#![allow(dead_code)] // each test file uses a different part

pub mod devices;
pub mod fleet;
pub mod gui;
pub mod mtls;
pub mod proxy;
pub mod requests;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use apx::core::platform::Platform;
use apx::demo::certs::{self, CertKey};
use apx::demo::{self, Appliance, ApplianceConfig};

/// A tokio runtime that serves appliances while the test runs the binary.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn localhost_cert() -> CertKey {
    certs::self_signed(&["localhost", "127.0.0.1"]).expect("cert")
}

/// One appliance with the demo credentials and a fresh self-signed cert.
pub fn appliance(rt: &tokio::runtime::Runtime, platform: Platform) -> Appliance {
    appliance_with(rt, platform, ApplianceConfig::demo(), &localhost_cert())
}

pub fn appliance_with(
    rt: &tokio::runtime::Runtime,
    platform: Platform,
    config: ApplianceConfig,
    cert: &CertKey,
) -> Appliance {
    rt.block_on(demo::start(platform, config, cert, None))
        .expect("appliance")
}

/// The network objects the demo ASA is seeded with, in order.
pub const DEMO_ASA_OBJECTS: [&str; 6] = [
    "web-server",
    "db-server",
    "dmz-net",
    "mgmt-range",
    "update-server",
    "v6-web-server",
];

/// The result of one `apx` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// How long any child process of a test may run before it is killed and
/// the test fails (a hung binary must not hang the suite).
pub const CHILD_LIMIT: Duration = Duration::from_secs(90);

/// Runs `command` to completion with piped output, killing it (and failing
/// the test) when it outlives [`CHILD_LIMIT`].
pub fn output_within(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + CHILD_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{command:?} still ran after {CHILD_LIMIT:?}; stderr so far:\n{}",
                String::from_utf8_lossy(&stderr.join().unwrap_or_default())
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// `apx ARGS` in `dir`, with `APX_PASSWORD` set to the demo password and
/// no session bus (so no OS keyring).
pub fn apx_command(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apx"));
    command
        .args(args)
        .current_dir(dir)
        .env("APX_PASSWORD", demo::DEMO_PASSWORD)
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    command
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `apx ARGS` with `APX_PASSWORD` set to the demo password, in `dir`.
pub fn apx_in(dir: &std::path::Path, args: &[&str]) -> Run {
    apx_env(dir, args, &[])
}

/// Runs `apx ARGS` in `dir` as [`apx_command`] does, with `env` set too.
pub fn apx_env(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    output_within(apx_command(dir, args).envs(env.iter().copied())).into()
}

/// Runs `apx ARGS` in a fresh temporary folder.
pub fn apx(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    apx_in(dir.path(), args)
}

/// The demo admin's login on the command line: `--platform P -u admin
/// --password-env APX_PASSWORD` (the password from the environment
/// [`apx_command`] sets).
pub fn login_args(platform: Platform) -> [&'static str; 6] {
    [
        "--platform",
        platform.id(),
        "-u",
        "admin",
        "--password-env",
        "APX_PASSWORD",
    ]
}

/// `send --platform P -u admin --password-env APX_PASSWORD ARGS... URL`:
/// the demo admin's login ([`login_args`]) for `platform`.
pub fn send_with<'a>(platform: Platform, args: &[&'a str], url: &'a str) -> Vec<&'a str> {
    let mut all = vec!["send"];
    all.extend_from_slice(&login_args(platform));
    all.extend_from_slice(args);
    all.push(url);
    all
}

/// `send` as the demo admin of `a` ([`send_with`] its platform), pinned to
/// its certificate: `send --platform P -u admin --password-env APX_PASSWORD
/// --pin SHA256 ARGS... URL`.
pub fn send_args<'a>(a: &'a Appliance, args: &[&'a str], url: &'a str) -> Vec<&'a str> {
    send_with(
        a.platform,
        &[&["--pin", a.sha256.as_str()][..], args].concat(),
        url,
    )
}

/// `send --json --auth AUTH EXTRA...` to `path` of `a` as its demo admin,
/// pinned ([`send_args`]), in a fresh temporary folder.
pub fn send_json(a: &Appliance, auth: &str, path: &str, extra: &[&str]) -> Run {
    let url = format!("{}{path}", a.url);
    let args = [&["--json", "--auth", auth][..], extra].concat();
    apx(&send_args(a, &args, &url))
}

/// A TLS server on 127.0.0.1 whose every connection is handed to `serve`
/// (for faults a well-behaved server cannot produce). Returns the port and
/// the certificate's fingerprint.
pub fn raw_tls_server<F, Fut>(rt: &tokio::runtime::Runtime, serve: F) -> (u16, String)
where
    F: Fn(tokio_rustls::server::TlsStream<tokio::net::TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    raw_tls_server_with(rt, &localhost_cert(), serve)
}

/// [`raw_tls_server`] presenting `cert`.
pub fn raw_tls_server_with<F, Fut>(
    rt: &tokio::runtime::Runtime,
    cert: &CertKey,
    serve: F,
) -> (u16, String)
where
    F: Fn(tokio_rustls::server::TlsStream<tokio::net::TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    raw_tls_server_for(rt, cert, None, serve)
}

/// [`raw_tls_server_with`]; with `client_ca` (DER), only a client that
/// presents a certificate that CA issued gets through the handshake.
pub fn raw_tls_server_for<F, Fut>(
    rt: &tokio::runtime::Runtime,
    cert: &CertKey,
    client_ca: Option<&[u8]>,
    serve: F,
) -> (u16, String)
where
    F: Fn(tokio_rustls::server::TlsStream<tokio::net::TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use std::sync::Arc;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(rustls_pki_types::CertificateDer::from(ca.to_vec()))
                .unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder
        .with_single_cert(
            vec![rustls_pki_types::CertificateDer::from(
                cert.cert_der.clone(),
            )],
            rustls_pki_types::PrivateKeyDer::Pkcs8(cert.key_der.clone().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let serve = Arc::new(serve);
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let serve = serve.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    serve(tls).await;
                }
            });
        }
    });
    (port, apx::core::tls::sha256_fingerprint(&cert.cert_der))
}

/// Reads one request head (up to the blank line) from a raw stream.
pub async fn read_head<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> String {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Runs every command at once and waits for all of them, each within
/// [`CHILD_LIMIT`].
pub fn run_all(commands: Vec<Command>) -> Vec<Run> {
    let running: Vec<_> = commands
        .into_iter()
        .map(|mut c| std::thread::spawn(move || Run::from(output_within(&mut c))))
        .collect();
    running
        .into_iter()
        .map(|t| t.join().expect("runner thread"))
        .collect()
}

/// The forms in which a secret may be written down: as is, JSON-escaped,
/// base64, and URL-encoded (form style and percent style).
pub fn written_forms(secret: &str) -> Vec<String> {
    use base64::Engine;
    let json = serde_json::to_string(secret).expect("a string encodes");
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    vec![
        secret.to_string(),
        json[1..json.len() - 1].to_string(),
        base64::engine::general_purpose::STANDARD.encode(secret),
        form.replace('+', "%20"),
        form,
    ]
}

/// Each form of each of `secrets` that `text` holds.
pub fn leaked_forms(text: &str, secrets: &[&str]) -> Vec<String> {
    secrets
        .iter()
        .flat_map(|secret| written_forms(secret))
        .filter(|form| text.contains(form.as_str()))
        .collect()
}

/// Whether a test that needs `program` can run. Outside CI a missing
/// program skips the test (it says so); in CI (`CI` set), where `.ci/run`
/// installs what the tests need, it fails the test instead.
pub fn can_run(program: &str) -> bool {
    if installed(program) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run this test, but {program} is not installed"
    );
    println!("skipped: {program} is not installed");
    false
}

/// Whether `program` is on PATH.
pub fn installed(program: &str) -> bool {
    // A program that is not there fails to spawn: try that first, so that
    // `output_within` (which fails the test on a spawn error) never sees it.
    let found = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut child| {
            let _ = child.kill();
            let _ = child.wait();
        });
    found.is_ok()
}

/// Runs `script` with `sh -c` in `dir`, `env` added, killed after 60 s
/// (coreutils `timeout`); stdin is empty.
pub fn sh_in(dir: &std::path::Path, script: &str, env: &[(&str, &str)]) -> Output {
    Command::new("timeout")
        .args(["60", "sh", "-c", script])
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run sh")
}

/// A folder of stand-ins for the programs an exported curl script runs:
/// each appends its name and arguments (one per line) to `log`, then runs
/// the real program. Put `dir` first on PATH to see every argv.
pub struct ArgvLog {
    pub dir: std::path::PathBuf,
    pub log: std::path::PathBuf,
}

impl ArgvLog {
    pub fn new(root: &std::path::Path) -> ArgvLog {
        let dir = root.join("argv-shims");
        let log = root.join("argv.log");
        std::fs::create_dir_all(&dir).unwrap();
        for program in [
            "curl", "base64", "tr", "sed", "head", "printf", "mktemp", "cat",
        ] {
            let real =
                output_within(Command::new("sh").args(["-c", &format!("command -v {program}")]));
            let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
            if real.is_empty() || !real.starts_with('/') {
                continue;
            }
            let shim = dir.join(program);
            std::fs::write(
                &shim,
                format!(
                    "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" >> '{}'\nexec '{real}' \"$@\"\n",
                    log.display()
                ),
            )
            .unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        ArgvLog { dir, log }
    }

    /// PATH with the stand-ins first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// Everything logged so far.
    pub fn read(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A TLS server answering every request with `status` and a chunked body
/// (no length announced) of `chunks` chunks of 64 KiB of spaces, or with
/// `None` one that never ends (until the client goes).
pub fn chunked_body_server(
    rt: &tokio::runtime::Runtime,
    status: u16,
    chunks: Option<usize>,
) -> (u16, String) {
    raw_tls_server(rt, move |mut tls| async move {
        use tokio::io::AsyncWriteExt;
        read_head(&mut tls).await;
        let head = format!(
            "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let mut chunk = b"10000\r\n".to_vec();
        chunk.extend_from_slice(&[b' '; 0x10000]);
        chunk.extend_from_slice(b"\r\n");
        if tls.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let mut sent = 0;
        while chunks.is_none_or(|n| sent < n) {
            if tls.write_all(&chunk).await.is_err() {
                return;
            }
            sent += 1;
        }
        let _ = tls.write_all(b"0\r\n\r\n").await;
        let _ = tls.shutdown().await;
    })
}

/// A run of the binary under watch, and the most memory it held.
pub struct Watched {
    pub run: Run,
    /// Peak resident memory of the program (sampled `VmHWM`).
    pub peak_rss_mib: u64,
    /// Why the watch killed it, if it did.
    pub killed: Option<String>,
}

/// Runs `apx ARGS` in `dir` (as [`apx_in`]) under a watch: the child is
/// killed once its resident memory passes `max_rss_mib` or it is still
/// running after `deadline`, so that a runaway cannot take the machine.
// The child is reaped by `waitpid` once its memory has been sampled.
#[allow(clippy::zombie_processes)]
pub fn apx_watched(
    dir: &std::path::Path,
    args: &[&str],
    max_rss_mib: u64,
    deadline: std::time::Duration,
) -> Watched {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_apx"))
        .args(args)
        .current_dir(dir)
        .env("APX_PASSWORD", demo::DEMO_PASSWORD)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run apx");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let started = std::time::Instant::now();
    let mut killed = None;
    let mut peak = 0;
    let status = loop {
        let mut status = 0;
        // SAFETY: plain syscall on our own child.
        let reaped = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if reaped == pid {
            break status;
        }
        assert_eq!(reaped, 0, "wait4: {}", std::io::Error::last_os_error());
        // The kernel's peak for this program: VmHWM restarts at exec, where
        // rusage's figure also counts the test process it was spawned from.
        peak = peak.max(status_mib(pid, "VmHWM:"));
        if killed.is_none() {
            let rss = status_mib(pid, "VmRSS:");
            if rss > max_rss_mib {
                killed = Some(format!("resident memory reached {rss} MiB"));
            } else if started.elapsed() > deadline {
                killed = Some(format!("still running after {deadline:?}"));
            }
            if killed.is_some() {
                // SAFETY: the child is not reaped yet, so the pid is still its own.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Watched {
        run: Run {
            code,
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        },
        // VmHWM sampled every 10 ms: growth in the last 10 ms may be missed.
        peak_rss_mib: peak,
        killed,
    }
}

/// A live process's resident memory, from /proc.
/// A memory figure of `/proc/PID/status` (`VmRSS:` now, `VmHWM:` the peak
/// since the program started), in MiB.
fn status_mib(pid: libc::pid_t, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// Runs `apx ARGS` in `dir` with stdin, stdout and stderr on a
/// pseudo-terminal (util-linux `script`), killed after `deadline`; returns
/// everything the terminal received and the exit code.
pub fn apx_on_terminal(
    dir: &std::path::Path,
    args: &[&str],
    deadline: std::time::Duration,
) -> (i32, Vec<u8>) {
    apx_typed_on_terminal(dir, args, None, deadline)
}

/// [`apx_on_terminal`] with `typed` as the keyboard's input (kept open
/// until the program ends); with None, the keyboard is closed at once.
pub fn apx_typed_on_terminal(
    dir: &std::path::Path,
    args: &[&str],
    typed: Option<&str>,
    deadline: std::time::Duration,
) -> (i32, Vec<u8>) {
    use std::io::Write;
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_apx"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &quoted.join(" "), "/dev/null"])
        .current_dir(dir)
        .env("APX_PASSWORD", demo::DEMO_PASSWORD)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(if typed.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("util-linux `script` runs the binary on a pseudo-terminal");
    let keyboard = child.stdin.take().map(|mut keyboard| {
        keyboard
            .write_all(typed.unwrap_or_default().as_bytes())
            .unwrap();
        keyboard
    });
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("apx on a terminal still running after {deadline:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    drop(keyboard);
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

/// Saves a request named `name` (GET `url`, for `platform` if given) as a
/// file of the workspace `dir`; returns its path.
pub fn save_request(
    dir: &std::path::Path,
    name: &str,
    platform: Option<Platform>,
    url: &str,
) -> std::path::PathBuf {
    let request = apx::core::workspace::saved::SavedRequest {
        platform,
        ..requests::get(name, url)
    };
    apx::core::workspace::Workspace::new(dir)
        .save_request("", &request)
        .expect("save request")
}

/// Every file below `dir`, recursively (links are listed, not followed).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Standard base64 of `s`.
pub fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// `--auth basic -u admin --password-env APX_PASSWORD`: the demo
/// credentials, the password from the environment [`apx_command`] sets.
pub const BASIC_AUTH: [&str; 6] = [
    "--auth",
    "basic",
    "-u",
    "admin",
    "--password-env",
    "APX_PASSWORD",
];

/// `device add NAME --platform P --url URL --user admin` (no trust
/// chosen).
pub fn device_add_args<'a>(name: &'a str, platform: Platform, url: &'a str) -> [&'a str; 9] {
    [
        "device",
        "add",
        name,
        "--platform",
        platform.id(),
        "--url",
        url,
        "--user",
        "admin",
    ]
}

/// `apx [global] device add NAME` for appliance `a` (its platform and URL,
/// user admin, pinned to its certificate), in `dir`; fails the test unless
/// it exits 0.
pub fn add_device(dir: &std::path::Path, global: &[&str], name: &str, a: &Appliance) {
    add_device_with(dir, global, name, a, &[]);
}

/// [`add_device`] with the options `extra` too.
pub fn add_device_with(
    dir: &std::path::Path,
    global: &[&str],
    name: &str,
    a: &Appliance,
    extra: &[&str],
) {
    let args = [
        global,
        &device_add_args(name, a.platform, &a.url),
        &["--pin", &a.sha256],
        extra,
    ]
    .concat();
    let add = apx_in(dir, &args);
    assert_eq!(add.code, 0, "device add {name}: {}", add.stderr);
}

/// A workspace with device `name` for `a` and a folder `name` of `n` GETs of `path`.
pub fn folder_of(dir: &std::path::Path, name: &str, a: &Appliance, path: &str, n: usize) -> String {
    let ws = dir.join("ws");
    let ws_arg = ws.to_str().unwrap().to_string();
    add_device(dir, &["--workspace", &ws_arg], name, a);
    std::fs::create_dir_all(ws.join(name)).unwrap();
    for i in 0..n {
        let request = serde_json::json!({
            "format": 2, "name": format!("{name} {i:02}"), "device": name,
            "method": "GET", "url": path,
        });
        std::fs::write(
            ws.join(name).join(format!("{i:02}.json")),
            request.to_string(),
        )
        .unwrap();
    }
    ws_arg
}

/// A port of 127.0.0.1 that refuses every connection and that no other
/// test can take while this value lives: a socket bound to it that never
/// listens (binding, dropping and reusing a port races with parallel tests).
pub struct RefusedPort {
    fd: libc::c_int,
    pub port: u16,
}

impl RefusedPort {
    pub fn new() -> RefusedPort {
        // SAFETY: plain socket calls on a descriptor this value owns;
        // `sockaddr_in` is plain data.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let bound = libc::bind(fd, (&raw const addr).cast(), len);
            assert_eq!(bound, 0, "bind: {}", std::io::Error::last_os_error());
            let mut len = len;
            let named = libc::getsockname(fd, (&raw mut addr).cast(), &mut len);
            assert_eq!(named, 0, "getsockname: {}", std::io::Error::last_os_error());
            RefusedPort {
                fd,
                port: u16::from_be(addr.sin_port),
            }
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

impl Drop for RefusedPort {
    fn drop(&mut self) {
        // SAFETY: the descriptor is this value's own and closed once.
        unsafe { libc::close(self.fd) };
    }
}

/// A JSON document of `items` objects (about 170 bytes each) that
/// serde_json would not write back byte for byte: escapes, 2, 3 and 4
/// byte UTF-8, numbers like `1.50e-1`, spaces, nesting; a line break ends it.
pub fn awkward_json(items: usize) -> String {
    use std::fmt::Write;
    let mut out = String::from("{\"items\": [");
    for i in 0..items {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(
            out,
            r#"{{"id":{i},"ratio":{i}.50e-1,"name":"caf\u00e9 é {i} ✓ 😀 \"q\" \\ \/","tags":[true, false, null],"deep":[[[{{}}]]]}}"#
        );
    }
    out.push_str("]}\n");
    out
}
