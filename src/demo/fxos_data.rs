//! Canned FXOS inventory documents.

use serde_json::{Value, json};

/// The JSON served for a read-only FXOS path, if there is one.
pub(super) fn document(path: &str) -> Option<Value> {
    let value = match path {
        "/api/sys/firmware" => json!({ "firmware": [{
            "platformBundleVersion": "2.14.1",
            "packageVersion": "2.14(1.131)",
            "firmwareVersion": "1.0.18",
            "upgradeState": "ready",
        }]}),
        "/api/chassis/inventory" => json!({ "chassis": [{
            "id": "1",
            "model": "FPR9K-SUP",
            "serial": "FLM2231C0X1",
            "vendor": "Cisco Systems, Inc.",
            "operState": "operable",
            "power": "ok",
            "thermal": "ok",
        }]}),
        "/api/sm/apps" => json!({ "smApp": [
            {
                "name": "ftd",
                "version": "7.4.1",
                "vendor": "cisco",
                "isDefaultApp": "yes",
                "operState": "online",
            },
            {
                "name": "asa",
                "version": "9.20.2",
                "vendor": "cisco",
                "isDefaultApp": "no",
                "operState": "online",
            },
        ]}),
        "/api/ports/ep" => json!({ "portEp": [
            port("Ethernet1/1", "data", "enabled", "up"),
            port("Ethernet1/2", "data", "enabled", "up"),
            port("Ethernet1/3", "data", "disabled", "sfp-not-present"),
            port("Ethernet1/4", "mgmt", "enabled", "up"),
        ]}),
        "/api/ld/SecurityModule" => json!({ "smSecurityModule": [
            module("1", "FPR9K-SM-44", "FLM2233A1B2", "ok"),
            module("2", "FPR9K-SM-44", "FLM2233A1B3", "ok"),
            module("3", "FPR9K-SM-44", "FLM2233A1B4", "empty"),
        ]}),
        _ => return None,
    };
    Some(value)
}

fn port(name: &str, port_type: &str, admin_state: &str, oper_state: &str) -> Value {
    json!({
        "portName": name,
        "portType": port_type,
        "adminState": admin_state,
        "operState": oper_state,
        "speed": "10gbps",
    })
}

fn module(slot: &str, model: &str, serial: &str, oper_state: &str) -> Value {
    json!({
        "slotId": slot,
        "model": model,
        "serial": serial,
        "operState": oper_state,
        "power": if oper_state == "ok" { "on" } else { "off" },
    })
}
