//! The device tree flattened into the rows it shows (folder headers and
//! devices, as the filter and the closed folders leave them). The rows are
//! rebuilt only when the devices, the filter or a folder's state change, not
//! each frame, so that a frame only draws the rows on screen.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::core::tls::Trust;
use crate::core::workspace::Device;

/// A row of the device tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A folder's header; its devices follow it when it is open.
    Folder { name: String, open: bool },
    /// A device, by its index in the devices the rows were built from
    /// (`nested`: under a folder's header).
    Device { index: usize, nested: bool },
}

/// The rows, what they were built from, and the folders closed by a click
/// (folders are open until then).
#[derive(Default)]
pub struct TreeRows {
    /// None until restored from the last run.
    closed: Option<BTreeSet<String>>,
    /// A fingerprint of the devices `hosts`, `haystacks` and `order` hold.
    devices: Option<u64>,
    hosts: Vec<String>,
    /// Each device's name, host, platform and folder, lower-cased: what the
    /// filter searches.
    haystacks: Vec<String>,
    /// The device indices by folder, then name.
    order: Vec<usize>,
    /// The filter `rows` were built with (None: to be rebuilt).
    filter: Option<String>,
    rows: Vec<Row>,
}

impl TreeRows {
    /// Brings the rows up to date with `devices` and `filter` (a no-op when
    /// neither changed: a fingerprint of the devices is all a frame costs).
    pub fn refresh(&mut self, devices: &[Device], filter: &str) {
        let print = fingerprint(devices);
        if self.devices != Some(print) {
            self.devices = Some(print);
            self.hosts = devices.iter().map(Device::host).collect();
            self.haystacks = devices
                .iter()
                .zip(&self.hosts)
                .map(|(d, host)| {
                    format!("{} {host} {} {}", d.name, d.platform, d.folder).to_lowercase()
                })
                .collect();
            self.order = (0..devices.len()).collect();
            self.order
                .sort_by_key(|&i| (devices[i].folder.as_str(), devices[i].name.as_str()));
            self.filter = None;
        }
        if self.filter.as_deref() != Some(filter) {
            self.rebuild(devices, filter);
            self.filter = Some(filter.to_string());
        }
    }

    fn rebuild(&mut self, devices: &[Device], filter: &str) {
        let filter = filter.to_lowercase();
        self.rows.clear();
        let (mut folder, mut open): (Option<&str>, bool) = (None, true);
        for &index in &self.order {
            if !self.haystacks[index].contains(&filter) {
                continue;
            }
            let name = devices[index].folder.as_str();
            if folder != Some(name) {
                folder = Some(name);
                open = !self.closed.as_ref().is_some_and(|c| c.contains(name));
                if !name.is_empty() {
                    self.rows.push(Row::Folder {
                        name: name.to_string(),
                        open,
                    });
                }
            }
            if open {
                self.rows.push(Row::Device {
                    index,
                    nested: !name.is_empty(),
                });
            }
        }
    }

    /// The rows as last refreshed.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The host of the device at `index` (see [`Row::Device`]).
    pub fn host(&self, index: usize) -> &str {
        &self.hosts[index]
    }

    /// Opens a closed folder, closes an open one.
    pub fn toggle(&mut self, folder: &str) {
        let closed = self.closed.get_or_insert_default();
        if !closed.remove(folder) {
            closed.insert(folder.to_string());
        }
        self.filter = None;
    }

    /// The folders closed, to be kept for the next run.
    pub fn closed(&self) -> Option<&BTreeSet<String>> {
        self.closed.as_ref()
    }

    /// Whether the closed folders of the last run are back.
    pub fn restored(&self) -> bool {
        self.closed.is_some()
    }

    /// Closes the folders closed in the last run.
    pub fn restore(&mut self, closed: BTreeSet<String>) {
        self.closed = Some(closed);
        self.filter = None;
    }
}

/// What of the devices the rows show, hashed (order included).
fn fingerprint(devices: &[Device]) -> u64 {
    let mut h = DefaultHasher::new();
    devices.len().hash(&mut h);
    for d in devices {
        d.name.hash(&mut h);
        d.folder.hash(&mut h);
        d.platform.hash(&mut h);
        d.base_url.hash(&mut h);
        matches!(d.trust, Trust::Insecure).hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::platform::Platform;

    fn device(name: &str, folder: &str, platform: Platform) -> Device {
        Device {
            name: name.into(),
            folder: folder.into(),
            platform,
            base_url: format!("https://{name}.example:8443"),
            username: None,
            trust: Trust::Verify,
            variables: Default::default(),
            allow_http: false,
            domain: None,
            api_version: None,
            reach: Default::default(),
        }
    }

    /// The rows as names: `[Lab]` a header, `-Lab` a closed one, `  fw` a
    /// nested device.
    fn shown(rows: &TreeRows, devices: &[Device]) -> Vec<String> {
        rows.rows()
            .iter()
            .map(|r| match r {
                Row::Folder { name, open: true } => format!("[{name}]"),
                Row::Folder { name, open: false } => format!("-{name}"),
                Row::Device { index, nested } => {
                    format!(
                        "{}{}",
                        if *nested { "  " } else { "" },
                        devices[*index].name
                    )
                }
            })
            .collect()
    }

    #[test]
    fn top_level_devices_first_then_folders_each_sorted_by_name() {
        let devices = [
            device("b-fw", "Lab", Platform::Asa),
            device("solo", "", Platform::Generic),
            device("a-fw", "Lab", Platform::Asa),
            device("proxy", "DC", Platform::Wsa),
        ];
        let mut rows = TreeRows::default();
        rows.refresh(&devices, "");
        assert_eq!(
            shown(&rows, &devices),
            ["solo", "[DC]", "  proxy", "[Lab]", "  a-fw", "  b-fw"]
        );
        assert_eq!(rows.host(3), "proxy.example:8443");
    }

    #[test]
    fn the_filter_matches_name_host_platform_or_folder_ignoring_case() {
        let devices = [
            device("edge", "Lab", Platform::Asa),
            device("proxy", "DC", Platform::Wsa),
        ];
        let mut rows = TreeRows::default();
        for (filter, expected) in [
            ("WSA", vec!["[DC]", "  proxy"]),
            ("edge.EXAMPLE", vec!["[Lab]", "  edge"]),
            ("lab", vec!["[Lab]", "  edge"]),
            ("nothing", vec![]),
        ] {
            rows.refresh(&devices, filter);
            assert_eq!(shown(&rows, &devices), expected, "{filter}");
        }
    }

    #[test]
    fn a_closed_folder_keeps_its_header_and_hides_its_devices() {
        let devices = [
            device("edge", "Lab", Platform::Asa),
            device("proxy", "DC", Platform::Wsa),
        ];
        let mut rows = TreeRows::default();
        rows.refresh(&devices, "");
        rows.toggle("Lab");
        rows.refresh(&devices, "");
        assert_eq!(shown(&rows, &devices), ["[DC]", "  proxy", "-Lab"]);
        rows.toggle("Lab");
        rows.refresh(&devices, "");
        assert_eq!(
            shown(&rows, &devices),
            ["[DC]", "  proxy", "[Lab]", "  edge"]
        );
    }

    #[test]
    fn the_folders_closed_in_the_last_run_are_closed_again() {
        let devices = [
            device("edge", "Lab", Platform::Asa),
            device("proxy", "DC", Platform::Wsa),
        ];
        let mut rows = TreeRows::default();
        rows.refresh(&devices, "");
        assert!(!rows.restored());
        rows.restore(BTreeSet::from(["DC".to_string()]));
        rows.refresh(&devices, "");
        assert_eq!(shown(&rows, &devices), ["-DC", "[Lab]", "  edge"]);
        rows.toggle("Lab");
        let closed: Vec<&String> = rows.closed().unwrap().iter().collect();
        assert_eq!(closed, ["DC", "Lab"]);
    }

    #[test]
    fn a_changed_device_rebuilds_the_rows_under_the_same_filter() {
        let mut devices = vec![device("edge", "Lab", Platform::Asa)];
        let mut rows = TreeRows::default();
        rows.refresh(&devices, "dc");
        assert!(rows.rows().is_empty());
        devices[0].folder = "DC".into();
        rows.refresh(&devices, "dc");
        assert_eq!(shown(&rows, &devices), ["[DC]", "  edge"]);
        devices.push(device("core", "DC", Platform::Asa));
        rows.refresh(&devices, "dc");
        assert_eq!(shown(&rows, &devices), ["[DC]", "  core", "  edge"]);
    }
}
