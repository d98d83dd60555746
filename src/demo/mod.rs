//! Simulated Cisco appliances (ASA, FXOS, FMC, FDM, WSA/SMA/ESA) on 127.0.0.1 with
//! throw-away certificates, for `apx demo`, `apx --demo` and integration tests.

pub mod appliance;
pub mod asa;
mod asa_cli;
mod asa_objects;
pub mod asyncos;
mod asyncos_config;
mod asyncos_reporting;
mod asyncos_tracking;
pub mod certs;
mod clock;
pub mod fdm;
mod firepower_objects;
pub mod fmc;
pub mod fxos;
mod fxos_data;
pub mod server;

use std::fmt;
use std::sync::Arc;

pub use appliance::{
    ApplianceConfig, DEMO_PASSCODE, DEMO_PASSWORD, DEMO_USER, RateLimit, Stats, TwoFactorFlag,
};
pub use firepower_objects::object_id;

use crate::core::platform::Platform;
use crate::core::tls::sha256_fingerprint;
use certs::CertKey;
use server::{RunningServer, serve_tls};

/// One running simulated appliance; dropping it stops its server.
pub struct Appliance {
    pub platform: Platform,
    /// "Demo ASA", "Demo FXOS", "Demo WSA", …
    pub name: String,
    /// `https://127.0.0.1:PORT`
    pub url: String,
    pub username: String,
    pub password: String,
    /// SHA-256 fingerprint of the leaf certificate (`AB:CD:…`).
    pub sha256: String,
    pub cert_pem: String,
    pub stats: Arc<Stats>,
    server: RunningServer,
}

impl Appliance {
    /// TLS connections accepted so far (proves keep-alive reuse).
    pub fn connections(&self) -> usize {
        self.server.connections()
    }
}

/// The fixed ports `apx demo` serves ASA, FXOS, WSA, SMA, FMC, FDM and ESA
/// on, so their URLs stay the same from one run to the next.
pub const DEMO_PORTS: [u16; 7] = [9441, 9442, 9443, 9444, 9445, 9446, 9447];

/// Starts ASA, FXOS, WSA, SMA, FMC, FDM and ESA, each with its own self-signed
/// certificate for `localhost` and `127.0.0.1`, with
/// [`ApplianceConfig::demo`]; on these ports (in that order), or on free
/// ports with `None`.
pub async fn start_all(ports: Option<[u16; 7]>) -> Result<Vec<Appliance>, DemoError> {
    let platforms = [
        Platform::Asa,
        Platform::Fxos,
        Platform::Wsa,
        Platform::Sma,
        Platform::Fmc,
        Platform::Fdm,
        Platform::Esa,
    ];
    let mut appliances = Vec::new();
    for (index, platform) in platforms.into_iter().enumerate() {
        let cert = certs::self_signed(&["localhost", "127.0.0.1"])?;
        let port = ports.map(|p| p[index]);
        appliances.push(start(platform, ApplianceConfig::demo(), &cert, port).await?);
    }
    Ok(appliances)
}

/// Starts one appliance on `port`, or on a free port with `None` (tests use
/// custom configs and certificates). There is no demo for [`Platform::Generic`].
pub async fn start(
    platform: Platform,
    config: ApplianceConfig,
    cert: &CertKey,
    port: Option<u16>,
) -> Result<Appliance, DemoError> {
    let stats = Arc::new(Stats::default());
    let handler = match platform {
        Platform::Asa => asa::handler(config.clone(), stats.clone()),
        Platform::Fxos => fxos::handler(config.clone(), stats.clone()),
        Platform::Fmc => fmc::handler(config.clone(), stats.clone()),
        Platform::Fdm => fdm::handler(config.clone(), stats.clone()),
        Platform::Wsa | Platform::Sma | Platform::Esa => {
            asyncos::handler(platform, config.clone(), stats.clone())
        }
        Platform::Generic => {
            return Err(DemoError(
                "there is no demo appliance for the generic platform".to_string(),
            ));
        }
    };
    let handler = server::with_latency(handler, config.latency);
    let name = format!("Demo {}", platform.id().to_ascii_uppercase());
    let server = serve_tls(cert, handler, port).await.map_err(|e| {
        let port = port.map_or_else(|| "a free port".to_string(), |p| format!("port {p}"));
        DemoError(format!("could not start {name} on 127.0.0.1, {port}: {e}"))
    })?;
    Ok(Appliance {
        platform,
        name,
        url: server.url(),
        username: config.username,
        password: config.password,
        sha256: sha256_fingerprint(&cert.cert_der),
        cert_pem: cert.cert_pem.clone(),
        stats,
        server,
    })
}

/// Why the demo appliances could not start.
#[derive(Debug)]
pub struct DemoError(String);

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DemoError {}

impl From<rcgen::Error> for DemoError {
    fn from(e: rcgen::Error) -> Self {
        DemoError(format!("could not make a demo certificate: {e}"))
    }
}

impl From<std::io::Error> for DemoError {
    fn from(e: std::io::Error) -> Self {
        DemoError(format!("could not start a demo appliance: {e}"))
    }
}
