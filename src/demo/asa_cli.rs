//! ASA CLI pass-through, write memory, backup and restore, monitoring, and the large
//! document used by performance benchmarks.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::asa::error;
use super::asa_objects::parse_json;
use super::clock;
use super::server::{DemoRequest, DemoResponse};

const SERIAL: &str = "9A5KDN3LR2B";
const HOSTNAME: &str = "asa-demo";
const INVALID_INPUT: &str = "ERROR: % Invalid input detected at '^' marker.\n";

/// `POST /api/cli` with `{"commands":[…]}`: one output string per command.
pub(super) fn cli(req: &DemoRequest) -> DemoResponse {
    let body = match parse_json(req) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let commands: Option<Vec<&str>> = body
        .get("commands")
        .and_then(Value::as_array)
        .and_then(|list| list.iter().map(Value::as_str).collect());
    let Some(commands) = commands else {
        return error(
            400,
            "MISSING-PARAMETER",
            "Required parameter 'commands' (an array of strings) is missing",
            Some("commands"),
        );
    };
    let response: Vec<String> = commands.into_iter().map(run).collect();
    DemoResponse::json(200, &json!({ "response": response }))
}

/// Runs one command line, honouring `| include X` and `| exclude X`.
fn run(line: &str) -> String {
    let mut parts = line.split('|');
    let command = parts
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let Some(mut output) = command_output(&command) else {
        return INVALID_INPUT.to_string();
    };
    for filter in parts {
        let filter = filter.trim();
        let (keep, pattern) = if let Some(p) = filter.strip_prefix("include ") {
            (true, p.trim())
        } else if let Some(p) = filter.strip_prefix("exclude ") {
            (false, p.trim())
        } else {
            return INVALID_INPUT.to_string();
        };
        output = output
            .lines()
            .filter(|l| l.contains(pattern) == keep)
            .map(|l| format!("{l}\n"))
            .collect();
    }
    output
}

fn command_output(command: &str) -> Option<String> {
    let text = match command {
        "show version" => format!(
            "\nCisco Adaptive Security Appliance Software Version 9.20(2)\n\
             Device Manager Version 7.20(1)\n\n\
             Compiled on Thu 22-Jun-23 15:35 GMT by builders\n\
             System image file is \"boot:/asa9202-smp-k8.bin\"\n\
             Config file at boot was \"startup-config\"\n\n\
             {HOSTNAME} up 1 day 10 hours\n\n\
             Hardware:   ASAv, 8192 MB RAM, CPU Xeon 4100/6100/8100 series 2200 MHz, 1 CPU (4 cores)\n\
             Serial Number: {SERIAL}\n\
             Configuration last modified by enable_15 at 09:12:44.120 UTC Mon Jan 29 2024\n"
        ),
        "show clock" => {
            let t = clock::now();
            format!(
                "{:02}:{:02}:{:02}.{:03} UTC {} {} {} {}\n",
                t.hour,
                t.minute,
                t.second,
                t.millis,
                clock::weekday_name(t.weekday),
                clock::month_name(t.month),
                t.day,
                t.year
            )
        }
        "show hostname" => format!("{HOSTNAME}\n"),
        "show interface ip brief" => {
            "Interface                  IP-Address      OK? Method Status                Protocol\n\
             Management0/0              192.168.1.1     YES CONFIG up                    up\n\
             GigabitEthernet0/0         203.0.113.2     YES CONFIG up                    up\n\
             GigabitEthernet0/1         10.1.1.1        YES CONFIG up                    up\n\
             GigabitEthernet0/2         unassigned      YES unset  administratively down down\n"
                .to_string()
        }
        _ => return None,
    };
    Some(text)
}

/// `POST /api/commands/writemem`.
pub(super) fn writemem() -> DemoResponse {
    DemoResponse::json(
        200,
        &json!({ "response": [
            "Building configuration...\nCryptochecksum: 3f0a1b2c 4d5e6f70 81920a1b 2c3d4e5f\n\n[OK]\n"
        ]}),
    )
}

/// The security contexts of the demo ASA (multiple-context mode); a
/// backup or restore without `context` covers the whole device.
const CONTEXTS: [&str; 3] = ["admin", "ctx-dmz", "ctx-lab"];

/// The backups written so far, by location: the passphrase and the context.
pub(super) type Backups = HashMap<String, (String, Option<String>)>;

/// `location`, `passphrase` and the optional `context` of a backup or
/// restore body, or the answer that refuses it.
fn archive_request(req: &DemoRequest) -> Result<(String, String, Option<String>), DemoResponse> {
    let body = parse_json(req)?;
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let required = |key: &str| {
        text(key).ok_or_else(|| {
            error(
                400,
                "MISSING-PARAMETER",
                &format!("Required parameter '{key}' is missing"),
                Some(key),
            )
        })
    };
    let location = required("location")?;
    let passphrase = required("passphrase")?;
    let context = text("context");
    if let Some(name) = context.as_deref()
        && !CONTEXTS.contains(&name)
    {
        // As the ASA guide prints an error response: one bare object.
        return Err(DemoResponse::json(
            400,
            &json!({
                "code": "INVALID-CONTEXT",
                "details": format!("Context {name} does not exist"),
                "context": "context",
                "level": "Error",
            }),
        ));
    }
    Ok((location, passphrase, context))
}

/// `POST /api/backup` with `{"location", "passphrase"}` and optionally
/// `"context"`: 201 Created.
pub(super) fn backup(req: &DemoRequest, backups: &mut Backups) -> DemoResponse {
    let (location, passphrase, context) = match archive_request(req) {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let scope = context
        .as_deref()
        .map_or_else(|| "the device".to_string(), |c| format!("context {c}"));
    backups.insert(location.clone(), (passphrase, context));
    DemoResponse::json(
        201,
        &json!({ "messages": [{
            "level": "Info",
            "code": "BACKUP-COMPLETE",
            "details": format!("Backup of {scope} written to {location}"),
        }]}),
    )
}

/// `POST /api/restore` with the body of a backup taken earlier: the same
/// passphrase, and the same context (none for a device backup). Errors
/// come as one bare object, as the ASA guide prints them.
pub(super) fn restore(req: &DemoRequest, backups: &Backups) -> DemoResponse {
    let (location, passphrase, context) = match archive_request(req) {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let bare = |status: u16, code: &str, details: String, field: &str| {
        DemoResponse::json(
            status,
            &json!({ "code": code, "details": details, "context": field, "level": "Error" }),
        )
    };
    let Some((written_with, written_for)) = backups.get(&location) else {
        return bare(
            400,
            "FILE-NOT-FOUND",
            format!("No backup found at {location}"),
            "location",
        );
    };
    if *written_with != passphrase {
        return bare(
            400,
            "DECRYPTION-FAILED",
            "The passphrase does not decrypt this backup".into(),
            "passphrase",
        );
    }
    if *written_for != context {
        return bare(
            400,
            "CONTEXT-MISMATCH",
            format!(
                "The backup at {location} is of {}",
                written_for.as_deref().map_or("the device", |c| c)
            ),
            "context",
        );
    }
    DemoResponse::json(
        200,
        &json!({ "messages": [{
            "level": "Info",
            "code": "RESTORE-STARTED",
            "details": format!("Restoring {location}; the ASA reloads to apply it"),
        }]}),
    )
}

/// `GET /api/monitoring/device/components/version`.
pub(super) fn version() -> DemoResponse {
    DemoResponse::json(
        200,
        &json!({
            "kind": "object#Version",
            "asaVersion": "9.20(2)",
            "asdmVersion": "7.20(1)",
            "deviceType": "ASAv",
            "upTimeinSeconds": 123_456,
            "firewallMode": "Router",
        }),
    )
}

/// `GET /api/monitoring/serialnumber`.
pub(super) fn serial_number() -> DemoResponse {
    DemoResponse::json(
        200,
        &json!({ "kind": "object#QuerySerialNumber", "serialNumber": SERIAL }),
    )
}

/// A compact JSON collection of syslog-like entries, at least `mb` MiB long.
pub(super) fn large_document(mb: u32) -> Vec<u8> {
    let target = usize::try_from(mb).unwrap_or(0).saturating_mul(1024 * 1024);
    let mut out = String::with_capacity(target.saturating_add(1024));
    out.push_str(r#"{"kind":"collection#Log","items":["#);
    let mut id: u64 = 0;
    while out.len() < target {
        if id > 0 {
            out.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            r#"{{"kind":"object#Log","id":{id},"severity":"informational","messageId":302013,"message":"Built inbound TCP connection {conn} for outside:203.0.113.{host}/{port} (203.0.113.{host}/{port}) to inside:10.1.1.10/443 (10.1.1.10/443)"}}"#,
            conn = 100_000 + id,
            host = id % 254 + 1,
            port = 1024 + id % 60_000,
        );
        id += 1;
    }
    out.push_str("]}");
    out.into_bytes()
}
