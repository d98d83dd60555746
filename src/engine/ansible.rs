//! `apx export ansible` and File > Export > Ansible: the one use case both
//! call. A pinned device's certificate is learned by a handshake (nothing is
//! sent over it), then the pure generator writes the inventory and playbook.

use std::path::Path;
use std::time::Duration;

use crate::core::error::Failure;
use crate::core::interop::{AnsibleExport, AnsibleTarget, export_ansible, write_ansible};
use crate::core::tls::Trust;
use crate::core::workspace::Device;
use crate::core::workspace::saved::SavedRequest;
use crate::core::workspace::variables::prepare;

/// How long the export waits for a pinned device's handshake.
const PIN_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Writes the Ansible export of `requests` on `devices` into `dir`.
/// Blocking (it runs its own runtime for the handshakes): call it from a
/// background thread in the app.
pub fn export_ansible_dir(
    requests: &[SavedRequest],
    devices: &[Device],
    dir: &Path,
) -> Result<AnsibleExport, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}"), ""))?;
    let mut targets = Vec::new();
    for device in devices {
        let pinned_der = match (&device.trust, requests.first()) {
            (Trust::Pin { .. }, Some(request)) => {
                let url = prepare(request, Some(device))?.url;
                Some(runtime.block_on(super::probe::presented_leaf_der(
                    &url,
                    &device.trust,
                    &device.reach.reach(),
                    PIN_PROBE_TIMEOUT,
                ))?)
            }
            _ => None,
        };
        targets.push(AnsibleTarget {
            device: device.clone(),
            pinned_der,
        });
    }
    let export = export_ansible(requests, &targets)?;
    write_ansible(dir, &export)?;
    Ok(export)
}
