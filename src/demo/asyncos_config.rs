//! AsyncOS configuration: the WSA's configuration API (`{base}/config/...`,
//! read and changed with GET, POST, PUT and DELETE), the SMA's read-only
//! configuration queries, and the APIs accessible to the user's role.

use serde_json::{Map, Value, json};

use super::asyncos::{error, method_not_allowed, not_found};
use super::server::{DemoRequest, DemoResponse};
use crate::core::platform::Platform;

/// The WSA's access policies, in policy order.
pub(super) fn seed_policies() -> Vec<Value> {
    vec![json!({
        "policy_name": "global_policy",
        "policy_status": "enable",
        "policy_description": "Default settings",
        "policy_order": 0,
        "membership": {},
        "protocols_user_agents": { "block_protocols": [] },
        "url_filtering": { "predefined_cats": { "block": ["Adult", "Gambling"], "monitor": ["News"] } },
    })]
}

/// `{base}/config/{resource}` on a WSA: access policies (all four
/// methods; JSON bodies, checked by the caller for `Content-Type`) and
/// identification profiles (read only).
pub(super) fn wsa(resource: &str, req: &DemoRequest, policies: &mut Vec<Value>) -> DemoResponse {
    match (resource, req.method.as_str()) {
        ("access_policies", "GET") => list(policies),
        ("access_policies", "POST") => add(req, policies),
        ("access_policies", "PUT") => change(req, policies),
        ("access_policies", "DELETE") => remove(req, policies),
        ("access_policies", _) => method_not_allowed(),
        ("identification_profiles", "GET") => DemoResponse::json(
            200,
            &json!({ "identification_profiles": [{
                "profile_name": "global_identification_profile",
                "status": "enable",
                "description": "Default identification",
                "identification_method": { "auth_scheme": "No Authentication" },
                "order": 0,
            }]}),
        ),
        ("identification_profiles", _) => method_not_allowed(),
        _ => not_found(),
    }
}

/// `{base}/config/appliances` on an SMA: the managed appliances. The SMA
/// guide: "you can query for configuration information. Posting
/// configuration changes is not supported".
pub(super) fn sma(resource: &str, req: &DemoRequest) -> DemoResponse {
    if resource != "appliances" {
        return not_found();
    }
    if req.method != "GET" {
        return error(
            405,
            "Posting configuration changes is not supported in this release.",
        );
    }
    if let Some((name, _)) = req.query.iter().find(|(n, _)| n != "device_type") {
        return error(404, &format!("Unexpected attribute - {name}."));
    }
    let kind = req.query_param("device_type");
    if kind.is_some_and(|k| !matches!(k, "esa" | "wsa")) {
        return error(400, "Invalid value for parameter - device_type.");
    }
    let appliances: Vec<Value> = [
        (
            "esa1.example.com",
            "esa",
            "10.0.20.11",
            "Cisco C300V",
            "14.2.0-620",
        ),
        (
            "esa2.example.com",
            "esa",
            "10.0.20.12",
            "Cisco C300V",
            "14.2.0-620",
        ),
        (
            "wsa1.example.com",
            "wsa",
            "10.0.30.11",
            "Cisco S300V",
            "14.5.0-498",
        ),
    ]
    .into_iter()
    .filter(|(_, t, ..)| kind.is_none_or(|k| k == *t))
    .map(|(name, t, ip, product, version)| {
        json!({ "name": name, "device_type": t, "ip_address": ip,
                "product": product, "version": version, "connected": true })
    })
    .collect();
    DemoResponse::json(200, &json!({ "data": { "appliances": appliances } }))
}

/// `GET {base}/login/privileges`: the API groups the demo user's role
/// (Administrator) reaches.
pub(super) fn privileges(product: Platform, req: &DemoRequest) -> DemoResponse {
    if req.method != "GET" {
        return method_not_allowed();
    }
    let groups: &[&str] = match product {
        Platform::Wsa => &["reporting", "web-tracking", "config", "health"],
        Platform::Sma => &[
            "reporting",
            "message-tracking",
            "quarantine",
            "config",
            "health",
        ],
        _ => &["reporting", "message-tracking", "quarantine", "health"],
    };
    let base = format!("/{}/api/v2.0", product.id());
    let apis: Vec<String> = groups.iter().map(|g| format!("{base}/{g}")).collect();
    DemoResponse::json(
        200,
        &json!({ "data": { "role": "Administrator", "apis": apis } }),
    )
}

fn list(policies: &[Value]) -> DemoResponse {
    DemoResponse::json(200, &json!({ "access_policies": policies }))
}

/// The `access_policies` list of a body, each with a `policy_name`.
fn submitted(req: &DemoRequest) -> Result<Vec<Map<String, Value>>, DemoResponse> {
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|_| error(400, "Request body is not valid JSON."))?;
    let list = body
        .get("access_policies")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| error(400, "Missing required field - access_policies."))?;
    list.iter()
        .map(|p| {
            p.as_object()
                .filter(|o| o.get("policy_name").and_then(Value::as_str).is_some())
                .cloned()
                .ok_or_else(|| error(400, "Missing required field - policy_name."))
        })
        .collect()
}

fn name(policy: &Value) -> &str {
    policy["policy_name"].as_str().unwrap_or_default()
}

fn status_ok(policy: &Map<String, Value>) -> bool {
    policy
        .get("policy_status")
        .is_none_or(|s| s == "enable" || s == "disable")
}

fn add(req: &DemoRequest, policies: &mut Vec<Value>) -> DemoResponse {
    let new = match submitted(req) {
        Ok(new) => new,
        Err(answer) => return answer,
    };
    for policy in &new {
        let wanted = policy["policy_name"].as_str().unwrap_or_default();
        if policies.iter().any(|p| name(p) == wanted) {
            return error(400, &format!("Policy name already exists - {wanted}."));
        }
        if !status_ok(policy) {
            return error(400, "Invalid value for field - policy_status.");
        }
    }
    for mut policy in new {
        policy.entry("policy_status").or_insert(json!("enable"));
        policy.insert("policy_order".into(), json!(policies.len()));
        policies.push(Value::Object(policy));
    }
    list(policies)
}

fn change(req: &DemoRequest, policies: &mut [Value]) -> DemoResponse {
    let changes = match submitted(req) {
        Ok(changes) => changes,
        Err(answer) => return answer,
    };
    for change in &changes {
        let wanted = change["policy_name"].as_str().unwrap_or_default();
        if !policies.iter().any(|p| name(p) == wanted) {
            return error(404, &format!("No such policy - {wanted}."));
        }
        if !status_ok(change) {
            return error(400, "Invalid value for field - policy_status.");
        }
    }
    for change in changes {
        let wanted = change["policy_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(Value::Object(policy)) = policies.iter_mut().find(|p| name(p) == wanted) {
            policy.extend(change);
        }
    }
    list(policies)
}

fn remove(req: &DemoRequest, policies: &mut Vec<Value>) -> DemoResponse {
    if let Some((name, _)) = req.query.iter().find(|(n, _)| n != "policy_names") {
        return error(404, &format!("Unexpected attribute - {name}."));
    }
    let Some(names) = req.query_param("policy_names").filter(|n| !n.is_empty()) else {
        return error(400, "Missing required parameter - policy_names.");
    };
    let names: Vec<&str> = names.split(',').map(str::trim).collect();
    if let Some(unknown) = names
        .iter()
        .find(|n| !policies.iter().any(|p| name(p) == **n))
    {
        return error(404, &format!("No such policy - {unknown}."));
    }
    if names.contains(&"global_policy") {
        return error(400, "The global policy cannot be deleted.");
    }
    policies.retain(|p| !names.contains(&name(p)));
    for (order, policy) in policies.iter_mut().enumerate() {
        policy["policy_order"] = json!(order);
    }
    list(policies)
}
