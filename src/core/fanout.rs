//! Which devices a fan-out goes to (`--devices SELECTOR`): a folder of the
//! device tree with its subfolders (`Fleet` does not select `Fleetwood`),
//! `/` for the whole tree, or a comma-separated list of device names.

use serde::Serialize;

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

/// One row of a results table as exported (CSV, JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    pub device: Option<String>,
    pub platform: Option<String>,
    /// The saved request's name (empty for an unsaved one).
    pub request: String,
    /// The HTTP status, when one came.
    pub status: Option<u16>,
    /// The status cell as shown: `200`, `Connection failed`, `not sent`.
    pub outcome: String,
    pub time_ms: Option<f64>,
    pub size: Option<u64>,
    /// The first line of the decoded error, or why it was not sent.
    pub error: String,
}

const CSV_HEADER: &str = "device,platform,request,status,outcome,time_ms,size,error";

/// The rows as CSV (RFC 4180, CRLF line ends), a header first. A cell a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first: server
/// text) is written with a leading `'`.
pub fn to_csv(rows: &[ExportRow]) -> String {
    let mut out = format!("{CSV_HEADER}\r\n");
    for row in rows {
        let number = |n: Option<String>| n.unwrap_or_default();
        let cells = [
            csv_cell(row.device.as_deref().unwrap_or("")),
            csv_cell(row.platform.as_deref().unwrap_or("")),
            csv_cell(&row.request),
            number(row.status.map(|s| s.to_string())),
            csv_cell(&row.outcome),
            number(row.time_ms.map(|t| format!("{t:.1}"))),
            number(row.size.map(|s| s.to_string())),
            csv_cell(&row.error),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The rows as a pretty JSON array of objects.
pub fn to_json(rows: &[ExportRow]) -> String {
    // Plain data: serializing cannot fail.
    serde_json::to_string_pretty(rows).unwrap_or_default() + "\n"
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
    fn csv_quotes_cells_and_defuses_formulas() {
        let row = ExportRow {
            device: Some("fw, \"a\"".into()),
            platform: Some("Cisco ASA".into()),
            request: String::new(),
            status: None,
            outcome: "Connection failed".into(),
            time_ms: Some(1.25),
            size: None,
            error: "=HYPERLINK(\"x\")\nsecond".into(),
        };
        assert_eq!(
            to_csv(std::slice::from_ref(&row)),
            format!(
                "{CSV_HEADER}\r\n\"fw, \"\"a\"\"\",Cisco ASA,,,Connection failed,1.2,,\"'=HYPERLINK(\"\"x\"\")\nsecond\"\r\n"
            )
        );
        let json: serde_json::Value = serde_json::from_str(&to_json(&[row])).unwrap();
        assert_eq!(json[0]["device"], "fw, \"a\"");
        assert_eq!(json[0]["status"], serde_json::Value::Null);
        assert_eq!(json[0]["time_ms"], 1.25);
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
