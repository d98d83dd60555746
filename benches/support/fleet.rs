//! The fleet benchmarks' devices: many demo ASAs on 127.0.0.1, each on its
//! own listener with one shared self-signed certificate, answering after a
//! fixed latency, filed in a workspace's device tree.

use std::path::Path;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::core::tls::Trust;
use apx::core::workspace::{Device, Workspace};
use apx::demo::{self, Appliance, ApplianceConfig};

/// The request every device gets.
pub const PATH: &str = "/api/monitoring/serialnumber";

/// An environment variable's number, else `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}")),
        Err(_) => default,
    }
}

/// The appliances and the runtime that serves them (one worker thread, so
/// that the client measured has the other core).
pub struct Appliances {
    pub list: Vec<Appliance>,
    pub latency: Duration,
    pub cert_pem: String,
    pub sha256: String,
    _rt: tokio::runtime::Runtime,
}

impl Appliances {
    /// Starts `count` demo ASAs, each answering `latency` late.
    pub fn start(count: usize, latency: Duration) -> Appliances {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let cert = demo::certs::self_signed(&["localhost", "127.0.0.1"]).unwrap();
        let config = ApplianceConfig {
            latency,
            ..ApplianceConfig::demo()
        };
        let list: Vec<Appliance> = (0..count)
            .map(|_| {
                rt.block_on(demo::start(Platform::Asa, config.clone(), &cert, None))
                    .expect("start a demo ASA")
            })
            .collect();
        Appliances {
            sha256: list[0].sha256.clone(),
            cert_pem: cert.cert_pem.clone(),
            list,
            latency,
            _rt: rt,
        }
    }

    /// Requests answered so far, over all appliances.
    pub fn requests(&self) -> usize {
        self.list
            .iter()
            .map(|a| a.stats.requests.load(std::sync::atomic::Ordering::SeqCst) as usize)
            .sum()
    }

    /// Device `fw-{prefix}{i}` in `folder` for the first `count`
    /// appliances, pinned to the shared certificate.
    pub fn devices(&self, folder: &str, prefix: &str, count: usize) -> Vec<Device> {
        self.list[..count]
            .iter()
            .enumerate()
            .map(|(i, a)| Device {
                name: format!("fw-{prefix}{i:03}"),
                folder: folder.into(),
                platform: Platform::Asa,
                base_url: a.url.clone(),
                username: Some("admin".into()),
                trust: Trust::Pin {
                    sha256: self.sha256.clone(),
                },
                variables: Default::default(),
                allow_http: false,
                domain: None,
                api_version: None,
                reach: Default::default(),
            })
            .collect()
    }
}

/// Writes `devices` as the workspace's device tree at `ws`.
pub fn write_workspace(ws: &Path, devices: &[Device]) {
    std::fs::create_dir_all(ws).unwrap();
    Workspace::new(ws).save_devices(devices).unwrap();
}
