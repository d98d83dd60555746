//! The fan-out tests' fleet: demo ASAs filed in a device tree, one of
//! them unreachable and one with another password.

use std::path::PathBuf;

use apx::core::platform::Platform;
use apx::core::workspace::Device;
use apx::demo::{Appliance, ApplianceConfig};

use super::devices::pinned_in;
use super::{RefusedPort, Run, appliance, appliance_with, apx_in, localhost_cert, runtime};

pub struct Fleet {
    pub rt: tokio::runtime::Runtime,
    pub a: Appliance,
    pub b: Appliance,
    pub w: Appliance,
    /// Refuses the demo password.
    pub badpw: Appliance,
    pub down: RefusedPort,
    /// A temporary folder, and the workspace in it.
    pub dir: tempfile::TempDir,
    pub ws: PathBuf,
}

impl Fleet {
    /// Starts the appliances; the workspace holds no device yet.
    pub fn start() -> Fleet {
        let rt = runtime();
        let (a, b, w) = (
            appliance(&rt, Platform::Asa),
            appliance(&rt, Platform::Asa),
            appliance(&rt, Platform::Asa),
        );
        let config = ApplianceConfig {
            password: "not-the-demo-password".into(),
            ..ApplianceConfig::demo()
        };
        let badpw = appliance_with(&rt, Platform::Asa, config, &localhost_cert());
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        Fleet {
            rt,
            a,
            b,
            w,
            badpw,
            down: RefusedPort::new(),
            dir,
            ws,
        }
    }

    /// `Fleet/fw-a`, `Fleet/fw-down` (refused), `Fleet/DC1/fw-b`,
    /// `Fleet/fw-badpw` (another password) and `Fleetwood/fw-w`.
    pub fn devices(&self) -> Vec<Device> {
        vec![
            pinned_in("Fleet", "fw-a", &self.a),
            Device {
                base_url: self.down.url(),
                ..pinned_in("Fleet", "fw-down", &self.a)
            },
            pinned_in("Fleet/DC1", "fw-b", &self.b),
            pinned_in("Fleet", "fw-badpw", &self.badpw),
            pinned_in("Fleetwood", "fw-w", &self.w),
        ]
    }

    /// `apx --workspace WS ARGS` in the temporary folder.
    pub fn apx(&self, args: &[&str]) -> Run {
        let mut all = vec!["--workspace", self.ws.to_str().unwrap()];
        all.extend_from_slice(args);
        apx_in(self.dir.path(), &all)
    }
}
