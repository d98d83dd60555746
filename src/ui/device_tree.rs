//! The device tree's data: the workspace's devices and saved requests as
//! last scanned, and the demo devices that live in memory only.

use std::collections::BTreeSet;

use crate::core::error::Failure;
use crate::core::request::{origin, with_api_port};
use crate::core::workspace::Device;
use crate::core::workspace::collections::Collections;

/// The workspace's devices and saved requests as last scanned, plus the
/// demo devices (in memory only).
#[derive(Default)]
pub struct DeviceTree {
    pub devices: Vec<Device>,
    pub transient: BTreeSet<String>,
    /// devices.json could not be read (it is left untouched).
    pub problem: Option<Failure>,
    pub collections: Collections,
    /// Whether a first scan has arrived.
    pub loaded: bool,
}

impl DeviceTree {
    pub fn find(&self, name: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.name == name)
    }

    pub(super) fn put_transient(&mut self, device: Device) {
        self.devices.retain(|d| d.name != device.name);
        self.transient.insert(device.name.clone());
        self.devices.push(device);
    }

    /// A new scan of the workspace; the demo devices stay. Returns the
    /// devices that now point at another address (a `git pull`, an edit in
    /// another program): a password typed for the old one must not follow.
    pub(super) fn rescanned(
        &mut self,
        devices: Result<Vec<Device>, Failure>,
        collections: Collections,
    ) -> Vec<String> {
        let transient: Vec<Device> = self
            .devices
            .iter()
            .filter(|d| self.transient.contains(&d.name))
            .cloned()
            .collect();
        let mut moved = Vec::new();
        match devices {
            Ok(devices) => {
                moved = devices
                    .iter()
                    .filter(|d| {
                        self.find(&d.name)
                            .is_some_and(|old| device_origin(old) != device_origin(d))
                    })
                    .map(|d| d.name.clone())
                    .collect();
                self.devices = devices;
                self.problem = None;
            }
            Err(problem) => {
                self.devices.retain(|d| !self.transient.contains(&d.name));
                self.problem = Some(problem);
            }
        }
        for device in transient {
            self.put_transient(device);
        }
        self.collections = collections;
        self.loaded = true;
        moved
    }
}

/// Where a device's requests and password go: the origin of its base URL
/// (the platform's API port applied).
pub(super) fn device_origin(device: &Device) -> String {
    let base = with_api_port(&device.base_url, device.platform);
    url::Url::parse(&base).map_or(base, |u| origin(&u))
}
