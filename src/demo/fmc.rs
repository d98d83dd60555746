//! Simulated Firepower Management Center REST API, as strict as Cisco's
//! quick start guide: a Basic login answered `204` with the token headers,
//! `DOMAIN_UUID` and `DOMAINS` (Global and Global/Lab); 30-minute access
//! tokens refreshed at most 3 times; 120 requests a minute, then `429`;
//! domain-scoped object, device, policy and deployment endpoints with FMC
//! paging; the API explorer's spec at `/api/api-explorer/fmc.json`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::appliance::{ApplianceConfig, RateLimit, RateWindow, Stats, bump, lock, random_hex};
use super::clock::DemoClock;
use super::firepower_objects::{MAX_OBJECTS, ObjectTable, name_and_value, new_id, paging_params};
use super::server::{DemoRequest, DemoResponse, Handler};
use crate::core::platform::fmc::{LOGIN_PATH, MAX_REFRESHES, REFRESH_PATH, REVOKE_PATH};

/// The Global domain's uuid (the one every FMC has).
pub const GLOBAL_UUID: &str = "e276abec-e0f2-11e3-8169-6d9ed49b625f";
/// The uuid of the demo's `Global/Lab` subdomain.
pub const LAB_UUID: &str = "6c1f2a4e-7d3b-4e5a-9c8d-1b2a3c4d5e6f";

const TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);
const CONFIG: &str = "/api/fmc_config/v1/domain/";

/// The request handler of one simulated FMC.
pub fn handler(config: ApplianceConfig, stats: Arc<Stats>) -> Handler {
    let rate = RateWindow::new(config.rate_limit.unwrap_or(RateLimit::FMC));
    let fmc = Fmc {
        config,
        stats,
        clock: DemoClock::new(),
        state: Mutex::new(State {
            sessions: HashMap::new(),
            rate,
            domains: vec![
                Domain::new("Global", GLOBAL_UUID, 30),
                Domain::new("Global/Lab", LAB_UUID, 3),
            ],
        }),
    };
    Arc::new(move |req| fmc.handle(req))
}

struct Fmc {
    config: ApplianceConfig,
    stats: Arc<Stats>,
    clock: DemoClock,
    state: Mutex<State>,
}

struct State {
    /// Live sessions by access token.
    sessions: HashMap<String, Session>,
    rate: RateWindow,
    domains: Vec<Domain>,
}

struct Session {
    refresh: String,
    issued: Duration,
    refreshes: u32,
}

struct Domain {
    name: &'static str,
    uuid: &'static str,
    networks: ObjectTable,
    hosts: ObjectTable,
}

impl Domain {
    fn new(name: &'static str, uuid: &'static str, networks: usize) -> Domain {
        let prefix = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
        Domain {
            name,
            uuid,
            networks: ObjectTable::seeded("Network", &format!("{prefix}-net"), networks, false),
            hosts: ObjectTable::seeded("Host", &format!("{prefix}-host"), 5, true),
        }
    }
}

/// FMC error body: `{"error": {"category", "messages": [{"description"}], "severity"}}`.
fn error(status: u16, description: &str) -> DemoResponse {
    DemoResponse::json(
        status,
        &json!({"error": {
            "category": "FRAMEWORK",
            "messages": [{"description": description}],
            "severity": "ERROR",
        }}),
    )
}

fn unauthorized() -> DemoResponse {
    error(401, "Access token invalid.")
}

impl Fmc {
    fn handle(&self, req: &DemoRequest) -> DemoResponse {
        let mut state = lock(&self.state);
        if let Err(seconds) = state.rate.admit(self.clock.now()) {
            bump(&self.stats.throttled);
            let answer = error(429, "Too many requests. Please try again later.");
            return if state.rate.says_retry_after() {
                answer.with_header("Retry-After", &seconds.to_string())
            } else {
                answer
            };
        }
        let path = req.path.trim_end_matches('/');
        match path {
            LOGIN_PATH => return self.login(&mut state, req),
            REFRESH_PATH => return self.refresh(&mut state, req),
            REVOKE_PATH => return self.revoke(&mut state, req),
            _ => {}
        }
        if !path.starts_with("/api/") {
            return error(404, "Not found.");
        }
        if !self.authorized(&state, req) {
            return unauthorized();
        }
        bump(&self.stats.requests);
        if let Some(step) = self.config.clock_step {
            self.clock.advance(step);
        }
        match path {
            "/api/api-explorer/fmc.json" if req.method == "GET" => {
                DemoResponse::json(200, &api_spec())
            }
            "/api/fmc_platform/v1/info/serverversion" if req.method == "GET" => DemoResponse::json(
                200,
                &json!({"items": [{"serverVersion": "7.4.1 (build 172)", "geoVersion": "2024-05-20-100", "vdbVersion": "build 376", "sruVersion": "2024-05-15-001-vrt", "type": "ServerVersion"}],
                        "paging": {"offset": 0, "limit": 25, "count": 1, "pages": 1}}),
            ),
            _ => match path.strip_prefix(CONFIG) {
                Some(rest) => configuration(&mut state, req, rest),
                None => error(404, "Not found."),
            },
        }
    }

    /// A live, unexpired access token (an expired one can still be refreshed).
    fn authorized(&self, state: &State, req: &DemoRequest) -> bool {
        let Some(token) = req.header("x-auth-access-token") else {
            return false;
        };
        let now = self.clock.now();
        state
            .sessions
            .get(token)
            .is_some_and(|s| now.saturating_sub(s.issued) < TOKEN_LIFETIME)
    }

    fn issue(&self, state: &mut State, refreshes: u32) -> Option<(String, String)> {
        let access = random_hex(18)?;
        let refresh = random_hex(18)?;
        // Sessions long expired are forgotten.
        let now = self.clock.now();
        state
            .sessions
            .retain(|_, s| now.saturating_sub(s.issued) < TOKEN_LIFETIME * 4);
        self.stats.issue(&access);
        self.stats.issue(&refresh);
        state.sessions.insert(
            access.clone(),
            Session {
                refresh: refresh.clone(),
                issued: self.clock.now(),
                refreshes,
            },
        );
        Some((access, refresh))
    }

    fn token_answer(&self, access: &str, refresh: &str, state: &State) -> DemoResponse {
        let domains: Vec<Value> = state
            .domains
            .iter()
            .map(|d| json!({"name": d.name, "uuid": d.uuid}))
            .collect();
        DemoResponse::empty(204)
            .with_header("X-auth-access-token", access)
            .with_header("X-auth-refresh-token", refresh)
            .with_header("DOMAIN_UUID", GLOBAL_UUID)
            .with_header("DOMAINS", &Value::Array(domains).to_string())
    }

    fn login(&self, state: &mut State, req: &DemoRequest) -> DemoResponse {
        if req.method != "POST" {
            return error(405, "Method not allowed.");
        }
        if !self.config.basic_auth_valid(req) {
            bump(&self.stats.failed_logins);
            return error(401, "User authentication failed.");
        }
        let Some((access, refresh)) = self.issue(state, 0) else {
            return error(500, "Internal error.");
        };
        bump(&self.stats.logins);
        self.token_answer(&access, &refresh, state)
    }

    /// Both tokens of one session; at most [`MAX_REFRESHES`] times.
    fn refresh(&self, state: &mut State, req: &DemoRequest) -> DemoResponse {
        if req.method != "POST" {
            return error(405, "Method not allowed.");
        }
        let access = req.header("x-auth-access-token").unwrap_or_default();
        let refresh = req.header("x-auth-refresh-token").unwrap_or_default();
        let refreshes = match state.sessions.get(access) {
            Some(s) if s.refresh == refresh => s.refreshes,
            _ => return error(401, "Invalid refresh token."),
        };
        if refreshes >= MAX_REFRESHES {
            return error(
                401,
                "Refresh limit reached: the token was refreshed 3 times. Generate a new token.",
            );
        }
        state.sessions.remove(access);
        let Some((access, refresh)) = self.issue(state, refreshes + 1) else {
            return error(500, "Internal error.");
        };
        bump(&self.stats.refreshes);
        self.token_answer(&access, &refresh, state)
    }

    fn revoke(&self, state: &mut State, req: &DemoRequest) -> DemoResponse {
        if req.method != "POST" {
            return error(405, "Method not allowed.");
        }
        let access = req.header("x-auth-access-token").unwrap_or_default();
        if state.sessions.remove(access).is_some() {
            bump(&self.stats.logouts);
            DemoResponse::empty(204)
        } else {
            unauthorized()
        }
    }
}

/// `/api/fmc_config/v1/domain/{uuid}/…`.
fn configuration(state: &mut State, req: &DemoRequest, rest: &str) -> DemoResponse {
    let (uuid, resource) = rest.split_once('/').unwrap_or((rest, ""));
    let Some(domain) = state.domains.iter_mut().find(|d| d.uuid == uuid) else {
        return error(404, &format!("Invalid domain UUID: {uuid}"));
    };
    let base = format!("{CONFIG}{uuid}/");
    let segments: Vec<&str> = resource.split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["object", kind @ ("networks" | "hosts")]) => {
            let table = table(domain, kind);
            list(req, &format!("{base}object/{kind}"), table)
        }
        ("POST", ["object", kind @ ("networks" | "hosts")]) => {
            create(table(domain, kind), &req.body)
        }
        ("GET", ["object", kind @ ("networks" | "hosts"), id]) => {
            match table(domain, kind).get(id) {
                Some(o) => DemoResponse::json(200, &Value::Object(o.clone())),
                None => error(404, &format!("No object with id {id}.")),
            }
        }
        ("DELETE", ["object", kind @ ("networks" | "hosts"), id]) => {
            match table(domain, kind).delete(id) {
                Some(o) => DemoResponse::json(200, &Value::Object(o)),
                None => error(404, &format!("No object with id {id}.")),
            }
        }
        ("GET", ["devices", "devicerecords"]) => DemoResponse::json(
            200,
            &fixed_list(&[
                json!({"id": "3a1f0e44-0a8c-11ee-9d8f-1f2e3d4c5b6a", "name": "FTD-Edge-1", "type": "Device", "model": "Cisco Firepower 2130 Threat Defense", "sw_version": "7.4.1", "healthStatus": "green"}),
                json!({"id": "4b2e1f55-0a8c-11ee-9d8f-2a3b4c5d6e7f", "name": "FTD-Branch-2", "type": "Device", "model": "Cisco Secure Firewall 1120 Threat Defense", "sw_version": "7.4.1", "healthStatus": "yellow"}),
            ]),
        ),
        ("GET", ["policy", "accesspolicies"]) => DemoResponse::json(
            200,
            &fixed_list(&[
                json!({"id": "005056BB-0B24-0ed3-0000-292057792375", "name": "Edge-Access-Policy", "type": "AccessPolicy", "defaultAction": {"action": "BLOCK"}}),
            ]),
        ),
        ("GET", ["deployment", "deployabledevices"]) => DemoResponse::json(
            200,
            &fixed_list(&[
                json!({"name": "FTD-Edge-1", "type": "DeployableDevice", "version": "1717000000000", "canBeDeployed": true, "upToDatePercentage": 0}),
            ]),
        ),
        ("POST", ["deployment", "deploymentrequests"]) => {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return error(400, "The request body is not valid JSON.");
            };
            if body.get("deviceList").and_then(Value::as_array).is_none() {
                return error(400, "deviceList is required.");
            }
            DemoResponse::json(
                202,
                &json!({"type": "DeploymentRequest", "version": body.get("version"), "deviceList": body["deviceList"],
                    "metadata": {"task": {"id": new_id(), "name": "Deployment", "type": "TaskStatus", "status": "Deploying"}}}),
            )
        }
        _ => error(404, "Not found."),
    }
}

fn table<'a>(domain: &'a mut Domain, kind: &str) -> &'a mut ObjectTable {
    if kind == "hosts" {
        &mut domain.hosts
    } else {
        &mut domain.networks
    }
}

/// One page of a table, FMC style: `links`, `items` (full objects with
/// `expanded=true`, else id, name and type), `paging` with `next` URLs.
fn list(req: &DemoRequest, path: &str, table: &ObjectTable) -> DemoResponse {
    let Some((offset, limit)) = paging_params(
        req.query_param("offset"),
        req.query_param("limit"),
        25,
        1000,
    ) else {
        return error(400, "offset and limit must be numbers.");
    };
    let expanded = req.query_param("expanded") == Some("true");
    let host = req.header("host").unwrap_or("127.0.0.1");
    let link = |offset: usize| {
        let expanded = if expanded { "&expanded=true" } else { "" };
        format!("https://{host}{path}?offset={offset}&limit={limit}{expanded}")
    };
    let items: Vec<Value> = table
        .page(offset, limit)
        .iter()
        .map(|o| {
            let mut item = if expanded {
                let mut full = o.clone();
                full.insert("overridable".into(), Value::Bool(false));
                full
            } else {
                let mut brief = Map::new();
                for key in ["id", "name", "type"] {
                    brief.insert(key.into(), o[key].clone());
                }
                brief
            };
            item.insert(
                "links".into(),
                json!({"self": format!("https://{host}{path}/{}", o["id"].as_str().unwrap_or(""))}),
            );
            Value::Object(item)
        })
        .collect();
    let count = table.len();
    let mut paging = json!({
        "offset": offset,
        "limit": limit,
        "count": count,
        "pages": count.div_ceil(limit),
    });
    if offset + limit < count {
        paging["next"] = json!([link(offset + limit)]);
    }
    DemoResponse::json(
        200,
        &json!({"links": {"self": link(offset)}, "items": items, "paging": paging}),
    )
}

fn fixed_list(items: &[Value]) -> Value {
    json!({"items": items, "paging": {"offset": 0, "limit": 25, "count": items.len(), "pages": 1}})
}

fn create(table: &mut ObjectTable, body: &[u8]) -> DemoResponse {
    let (name, value) = match name_and_value(body) {
        Ok(nv) => nv,
        Err("body") => return error(400, "The request body is not valid JSON."),
        Err(field) => return error(400, &format!("The field {field} is required.")),
    };
    if table.has_name(&name) {
        return error(
            400,
            &format!("The object name {name} already exists. Enter a new name."),
        );
    }
    if table.len() >= MAX_OBJECTS {
        return error(400, "Too many objects.");
    }
    DemoResponse::json(201, &Value::Object(table.create(&name, &value)))
}

/// A small Swagger 2.0 document, the shape the FMC API explorer serves.
fn api_spec() -> Value {
    let op = |summary: &str, tag: &str, id: &str| {
        json!({"summary": summary, "tags": [tag], "operationId": id,
            "parameters": [{"name": "domainUUID", "in": "path", "required": true, "type": "string"}],
            "responses": {"200": {"description": "OK"}}})
    };
    json!({
        "swagger": "2.0",
        "info": {"title": "Cisco Firepower Management Center Open API Specification", "version": "v1"},
        "basePath": "/api",
        "paths": {
            "/fmc_config/v1/domain/{domainUUID}/object/networks": {
                "get": op("Retrieves, deletes, creates, or modifies the network objects", "Object", "getAllNetworkObject"),
                "post": op("Creates a network object", "Object", "createMultipleNetworkObject"),
            },
            "/fmc_config/v1/domain/{domainUUID}/object/hosts": {
                "get": op("Retrieves the host objects", "Object", "getAllHostObject"),
            },
            "/fmc_config/v1/domain/{domainUUID}/devices/devicerecords": {
                "get": op("Retrieves the devices", "Devices", "getAllDevice"),
            },
            "/fmc_config/v1/domain/{domainUUID}/deployment/deployabledevices": {
                "get": op("Retrieves the devices with changes to deploy", "Deployment", "getDeployableDevice"),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::demo::appliance::{DEMO_PASSWORD, basic, test_request};

    fn body(answer: &DemoResponse) -> Value {
        serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
    }

    fn header<'a>(answer: &'a DemoResponse, name: &str) -> &'a str {
        answer
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }

    fn login(fmc: &Handler) -> DemoResponse {
        let auth = basic("admin", DEMO_PASSWORD);
        fmc(&test_request(
            "POST",
            LOGIN_PATH,
            &[("Authorization", &auth)],
            b"",
        ))
    }

    #[test]
    fn login_refresh_limit_and_revoke() {
        let stats = Arc::new(Stats::default());
        let fmc = handler(ApplianceConfig::demo(), stats.clone());
        let bad = fmc(&test_request(
            "POST",
            LOGIN_PATH,
            &[("Authorization", &basic("admin", "nope"))],
            b"",
        ));
        assert_eq!(bad.status, 401);
        assert_eq!(
            body(&bad)["error"]["messages"][0]["description"],
            "User authentication failed."
        );
        let ok = login(&fmc);
        assert_eq!(ok.status, 204);
        assert_eq!(header(&ok, "DOMAIN_UUID"), GLOBAL_UUID);
        assert!(header(&ok, "DOMAINS").contains("Global/Lab"));
        let mut access = header(&ok, "X-auth-access-token").to_string();
        let mut refresh = header(&ok, "X-auth-refresh-token").to_string();
        for n in 0..4 {
            let answer = fmc(&test_request(
                "POST",
                REFRESH_PATH,
                &[
                    ("X-auth-access-token", &access),
                    ("X-auth-refresh-token", &refresh),
                ],
                b"",
            ));
            if n == 3 {
                assert_eq!(answer.status, 401, "a fourth refresh");
                break;
            }
            assert_eq!(answer.status, 204);
            access = header(&answer, "X-auth-access-token").to_string();
            refresh = header(&answer, "X-auth-refresh-token").to_string();
        }
        let networks = format!("{CONFIG}{LAB_UUID}/object/networks");
        let get = fmc(&test_request(
            "GET",
            &networks,
            &[("X-auth-access-token", &access)],
            b"",
        ));
        assert_eq!(get.status, 200);
        assert_eq!(body(&get)["paging"]["count"], 3);
        let revoke = fmc(&test_request(
            "POST",
            REVOKE_PATH,
            &[("X-auth-access-token", &access)],
            b"",
        ));
        assert_eq!(revoke.status, 204);
        let after = fmc(&test_request(
            "GET",
            &networks,
            &[("X-auth-access-token", &access)],
            b"",
        ));
        assert_eq!(after.status, 401);
        assert_eq!(stats.refreshes.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn pages_and_expires() {
        let config = ApplianceConfig {
            clock_step: Some(Duration::from_secs(20 * 60)),
            ..ApplianceConfig::demo()
        };
        let fmc = handler(config, Arc::new(Stats::default()));
        let ok = login(&fmc);
        let access = header(&ok, "X-auth-access-token").to_string();
        let page = fmc(&test_request(
            "GET",
            &format!("{CONFIG}{GLOBAL_UUID}/object/networks?offset=25&limit=25&expanded=true"),
            &[("X-auth-access-token", &access), ("Host", "fmc:1")],
            b"",
        ));
        let page = body(&page);
        assert_eq!(page["paging"]["pages"], 2);
        assert_eq!(page["items"].as_array().map(Vec::len), Some(5));
        assert!(page["items"][0]["value"].is_string());
        assert!(page["paging"].get("next").is_none());
        let first = fmc(&test_request(
            "GET",
            &format!("{CONFIG}{GLOBAL_UUID}/object/networks"),
            &[("X-auth-access-token", &access), ("Host", "fmc:1")],
            b"",
        ));
        assert_eq!(first.status, 200, "20 minutes in");
        assert!(body(&first)["items"][0].get("value").is_none());
        assert_eq!(
            body(&first)["paging"]["next"][0],
            format!("https://fmc:1{CONFIG}{GLOBAL_UUID}/object/networks?offset=25&limit=25")
        );
        let expired = fmc(&test_request(
            "GET",
            "/api/fmc_platform/v1/info/serverversion",
            &[("X-auth-access-token", &access)],
            b"",
        ));
        assert_eq!(expired.status, 401, "40 minutes in");
    }

    #[test]
    fn throttles_past_the_rate() {
        let config = ApplianceConfig {
            rate_limit: Some(RateLimit {
                requests: 1,
                window: Duration::from_secs(60),
                retry_after: true,
            }),
            ..ApplianceConfig::demo()
        };
        let stats = Arc::new(Stats::default());
        let fmc = handler(config, stats.clone());
        assert_eq!(login(&fmc).status, 204);
        let second = login(&fmc);
        assert_eq!(second.status, 429);
        assert_eq!(header(&second, "Retry-After"), "60");
        assert_eq!(stats.throttled.load(Ordering::Relaxed), 1);
    }
}
