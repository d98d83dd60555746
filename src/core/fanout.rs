//! Which devices a fan-out goes to (`--devices SELECTOR`): a folder of the
//! device tree with its subfolders (`Fleet` does not select `Fleetwood`),
//! `/` for the whole tree, or a comma-separated list of device names.

use crate::core::error::Failure;
use crate::core::workspace::Device;

/// Whether `device` lies in `folder` or one of its subfolders (`""`: the
/// whole tree). Compared segment by segment.
pub fn in_folder(device: &Device, folder: &str) -> bool {
    let wanted: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    let path = device.folder_path();
    path.len() >= wanted.len() && path[..wanted.len()] == wanted[..]
}

/// The devices SELECTOR names: in the device tree's order for a folder, in
/// the order given for a list (each once). A selector without a comma names
/// a folder when a device lies in it, else one device. Nothing selected, or
/// a name no device has, is a usage error.
pub fn select<'a>(selector: &str, devices: &'a [Device]) -> Result<Vec<&'a Device>, Failure> {
    let selector = selector.trim();
    if !selector.contains(',') && !selector.is_empty() {
        let folder = selector.trim_matches('/');
        let in_it: Vec<&Device> = devices.iter().filter(|d| in_folder(d, folder)).collect();
        if !in_it.is_empty() {
            return Ok(in_it);
        }
    }
    let mut chosen: Vec<&Device> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for name in selector.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match devices.iter().find(|d| d.name == name) {
            Some(d) if !chosen.iter().any(|c| c.name == d.name) => chosen.push(d),
            Some(_) => {}
            None => unknown.push(name),
        }
    }
    if unknown.is_empty() && !chosen.is_empty() {
        return Ok(chosen);
    }
    let what = if unknown.is_empty() {
        selector.to_string()
    } else {
        unknown.join(", ")
    };
    Err(Failure::usage(
        format!("no device folder or device named {what:?}"),
        "Give a folder of the device tree (Lab/DC1), / for every device, or device names separated by commas (`apx device list`).",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::FailureKind;

    fn device(name: &str, folder: &str) -> Device {
        Device {
            folder: folder.into(),
            ..crate::core::workspace::tests::asa(name)
        }
    }

    fn names(selector: &str, tree: &[Device]) -> Vec<String> {
        let selected = select(selector, tree).unwrap();
        selected.iter().map(|d| d.name.clone()).collect()
    }

    fn tree() -> Vec<Device> {
        vec![
            device("a", "Fleet"),
            device("b", "Fleet/DC1"),
            device("c", "Fleetwood"),
            device("d", "Fleet/DC1/Rack"),
            device("e", ""),
        ]
    }

    #[test]
    fn a_folder_selects_its_subfolders_but_not_a_longer_name() {
        let tree = tree();
        assert_eq!(names("Fleet", &tree), ["a", "b", "d"]);
        assert_eq!(names("Fleetwood", &tree), ["c"]);
        assert_eq!(names("Fleet/DC1/", &tree), ["b", "d"]);
        assert_eq!(names("/", &tree), ["a", "b", "c", "d", "e"]);
        assert!(select("Flee", &tree).is_err(), "no prefix match");
        assert!(
            select("DC1", &tree).is_err(),
            "folders are paths from the top"
        );
    }

    #[test]
    fn a_list_names_devices_in_its_order_each_once() {
        let tree = tree();
        assert_eq!(names("d, a,d", &tree), ["d", "a"]);
        assert_eq!(names("e", &tree), ["e"], "one name");
        assert_eq!(names("c,", &tree), ["c"]);
    }

    #[test]
    fn unknown_names_and_empty_selectors_are_usage_errors() {
        let tree = tree();
        let err = select("a,zz,yy", &tree).unwrap_err();
        assert!(err.message.contains("zz, yy"), "{}", err.message);
        assert_eq!(err.kind, FailureKind::Usage);
        assert!(select(" ", &tree).is_err());
        assert!(select(",", &tree).is_err());
        assert!(select("/", &[]).is_err());
    }
}
