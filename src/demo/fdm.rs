//! Simulated Firepower Device Manager (FTD on-box) REST API, as strict as
//! the FTD REST API guide: the OAuth token endpoint with password,
//! refresh_token and revoke_token grants (`expires_in` 1800 s,
//! `refresh_expires_in` 2400 s), Bearer access tokens, versioned paths
//! (`latest`, `v6`, `v7`), network objects with FDM paging, the recorded
//! error shapes, deployment and system information, and the API spec at
//! `/apispec/ngfw.json`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::appliance::{
    ApplianceConfig, RateWindow, Stats, bump, is_json_content, lock, random_hex,
};
use super::clock::DemoClock;
use super::firepower_objects::{MAX_OBJECTS, ObjectTable, name_and_value, new_id, paging_params};
use super::server::{DemoRequest, DemoResponse, Handler};

const EXPIRES_IN: u64 = 1800;
const REFRESH_EXPIRES_IN: u64 = 2400;
/// The API versions the demo answers to.
const VERSIONS: [&str; 3] = ["latest", "v6", "v7"];

/// The request handler of one simulated FDM.
pub fn handler(config: ApplianceConfig, stats: Arc<Stats>) -> Handler {
    let fdm = Fdm {
        rate: config.rate_limit.map(|l| Mutex::new(RateWindow::new(l))),
        config,
        stats,
        clock: DemoClock::new(),
        state: Mutex::new(State {
            access: HashMap::new(),
            refresh: HashMap::new(),
            networks: ObjectTable::seeded("networkobject", "fdm-net", 12, false),
            deployments: Vec::new(),
        }),
    };
    Arc::new(move |req| fdm.handle(req))
}

struct Fdm {
    config: ApplianceConfig,
    stats: Arc<Stats>,
    clock: DemoClock,
    rate: Option<Mutex<RateWindow>>,
    state: Mutex<State>,
}

struct State {
    /// Access token -> (issued, its refresh token).
    access: HashMap<String, (Duration, String)>,
    /// Refresh token -> issued.
    refresh: HashMap<String, Duration>,
    networks: ObjectTable,
    deployments: Vec<Value>,
}

/// The API's error body: `{"error": {"severity", "key", "messages": [{"description", "code", "location"}]}}`.
fn error(status: u16, key: &str, description: &str, code: &str, location: &str) -> DemoResponse {
    DemoResponse::json(
        status,
        &json!({"error": {
            "severity": "ERROR",
            "key": key,
            "messages": [{"description": description, "code": code, "location": location}],
        }}),
    )
}

/// The token endpoint's error body: `{"message", "status_code"}`.
fn token_error(status: u16, message: &str) -> DemoResponse {
    DemoResponse::json(status, &json!({"message": message, "status_code": status}))
}

fn not_found() -> DemoResponse {
    error(
        404,
        "NotFound",
        "The requested resource was not found.",
        "notFound",
        "",
    )
}

impl Fdm {
    fn handle(&self, req: &DemoRequest) -> DemoResponse {
        if let Some(rate) = &self.rate
            && let Err(seconds) = lock(rate).admit(self.clock.now())
        {
            bump(&self.stats.throttled);
            let answer = error(
                429,
                "TooManyRequests",
                "Too many requests.",
                "tooManyRequests",
                "",
            );
            return if lock(rate).says_retry_after() {
                answer.with_header("Retry-After", &seconds.to_string())
            } else {
                answer
            };
        }
        let path = req.path.trim_end_matches('/');
        if path == "/apispec/ngfw.json" {
            return match self.authorized(req) {
                true if req.method == "GET" => DemoResponse::json(200, &api_spec()),
                true => not_found(),
                false => unauthorized(),
            };
        }
        let Some(rest) = path.strip_prefix("/api/fdm/") else {
            return not_found();
        };
        let (version, resource) = rest.split_once('/').unwrap_or((rest, ""));
        if !VERSIONS.contains(&version) {
            return not_found();
        }
        if resource == "fdm/token" {
            return if req.method == "POST" {
                self.token(req)
            } else {
                not_found()
            };
        }
        if !self.authorized(req) {
            return unauthorized();
        }
        bump(&self.stats.requests);
        if let Some(step) = self.config.clock_step {
            self.clock.advance(step);
        }
        if !req.body.is_empty() && !is_json_content(req) {
            return error(
                415,
                "UnsupportedMediaType",
                "Send JSON bodies with Content-Type: application/json.",
                "unsupportedMediaType",
                "",
            );
        }
        let mut state = lock(&self.state);
        let segments: Vec<&str> = resource.split('/').collect();
        let base = format!("/api/fdm/{version}/");
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["object", "networks"]) => {
                list(req, &format!("{base}object/networks"), &state.networks)
            }
            ("POST", ["object", "networks"]) => create(&mut state.networks, &req.body),
            ("GET", ["object", "networks", id]) => match state.networks.get(id) {
                Some(o) => DemoResponse::json(200, &Value::Object(o.clone())),
                None => not_found(),
            },
            ("DELETE", ["object", "networks", id]) => match state.networks.delete(id) {
                Some(_) => DemoResponse::empty(204),
                None => not_found(),
            },
            ("GET", ["operational", "systeminfo", "default"]) => DemoResponse::json(
                200,
                &json!({"softwareVersion": "7.4.1-172", "vdbVersion": {"vdbCurrentVersion": "376"},
                    "platformModel": "Cisco Firepower 1010 Threat Defense", "serialNumber": "JAD24500ABC",
                    "id": "default", "type": "systeminformation"}),
            ),
            ("GET", ["policy", "accesspolicies"]) => DemoResponse::json(
                200,
                &json!({"items": [{"name": "NGFW-Access-Policy", "defaultAction": {"action": "DENY"}, "id": "c78e66bc-cb57-43fe-bcbf-96b79b3475b3", "type": "accesspolicy"}],
                    "paging": {"prev": [], "next": [], "limit": 10, "offset": 0, "count": 1}}),
            ),
            ("POST", ["operational", "deploy"]) => {
                let job = json!({"statusMessage": "Deployment queued", "state": "QUEUED",
                    "id": new_id(), "name": "Deployment", "type": "deploymentstatus"});
                if state.deployments.len() < MAX_OBJECTS {
                    state.deployments.push(job.clone());
                }
                DemoResponse::json(200, &job)
            }
            ("GET", ["operational", "deploy"]) => DemoResponse::json(
                200,
                &json!({"items": state.deployments, "paging": {"prev": [], "next": [], "limit": 10, "offset": 0, "count": state.deployments.len()}}),
            ),
            _ => not_found(),
        }
    }

    /// A live, unexpired Bearer access token.
    fn authorized(&self, req: &DemoRequest) -> bool {
        let Some(token) = req
            .header("authorization")
            .and_then(|v| v.trim().strip_prefix("Bearer "))
        else {
            return false;
        };
        let now = self.clock.now();
        let state = lock(&self.state);
        state.access.get(token.trim()).is_some_and(|(issued, _)| {
            now.saturating_sub(*issued) < Duration::from_secs(EXPIRES_IN)
        })
    }

    /// The OAuth token endpoint: password, refresh_token and revoke_token grants.
    fn token(&self, req: &DemoRequest) -> DemoResponse {
        let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
            return token_error(400, "The request body is not valid JSON.");
        };
        let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default();
        let now = self.clock.now();
        let mut state = lock(&self.state);
        match text("grant_type") {
            "password" => {
                if !self
                    .config
                    .accepts(text("username").as_bytes(), text("password").as_bytes())
                {
                    bump(&self.stats.failed_logins);
                    return token_error(400, "Failed to authenticate user");
                }
                bump(&self.stats.logins);
                self.issue(&mut state, now)
            }
            "refresh_token" => {
                let refresh = text("refresh_token");
                let live = state.refresh.get(refresh).is_some_and(|issued| {
                    now.saturating_sub(*issued) < Duration::from_secs(REFRESH_EXPIRES_IN)
                });
                if !live {
                    return token_error(400, "Invalid refresh token");
                }
                state.refresh.remove(refresh);
                state.access.retain(|_, (_, r)| r != refresh);
                bump(&self.stats.refreshes);
                self.issue(&mut state, now)
            }
            "revoke_token" => {
                let access = text("access_token");
                let revoked = text("token_to_revoke");
                if !state.access.contains_key(access) {
                    return token_error(401, "Invalid access token");
                }
                let pair = state.access.remove(revoked).map(|(_, r)| r);
                match pair {
                    Some(refresh) => {
                        state.refresh.remove(&refresh);
                    }
                    None if state.refresh.remove(revoked).is_some() => {
                        state.access.retain(|_, (_, r)| r != revoked);
                    }
                    None => return token_error(400, "Invalid token to revoke"),
                }
                bump(&self.stats.logouts);
                DemoResponse::json(200, &json!({}))
            }
            "" => token_error(400, "grant_type is required"),
            _ => token_error(400, "Unsupported grant_type"),
        }
    }

    fn issue(&self, state: &mut State, now: Duration) -> DemoResponse {
        let (Some(access), Some(refresh)) = (random_hex(24), random_hex(24)) else {
            return token_error(500, "Internal error");
        };
        self.stats.issue(&access);
        self.stats.issue(&refresh);
        state.access.insert(access.clone(), (now, refresh.clone()));
        state.refresh.insert(refresh.clone(), now);
        DemoResponse::json(
            200,
            &json!({"access_token": access, "refresh_token": refresh, "expires_in": EXPIRES_IN,
                "refresh_expires_in": REFRESH_EXPIRES_IN, "token_type": "Bearer"}),
        )
    }
}

fn unauthorized() -> DemoResponse {
    error(
        401,
        "Unauthorized",
        "Access token invalid or expired.",
        "unauthorized",
        "",
    )
}

/// One page, FDM style: `items`, `paging` with `prev` and `next` URL lists,
/// `limit`, `offset` and `count` (every item).
fn list(req: &DemoRequest, path: &str, table: &ObjectTable) -> DemoResponse {
    let Some((offset, limit)) = paging_params(
        req.query_param("offset"),
        req.query_param("limit"),
        10,
        1000,
    ) else {
        return error(
            422,
            "Validation",
            "offset and limit must be numbers.",
            "invalidPaging",
            "offset",
        );
    };
    let host = req.header("host").unwrap_or("127.0.0.1");
    let link = |offset: usize| format!("https://{host}{path}?offset={offset}&limit={limit}");
    let items: Vec<Value> = table
        .page(offset, limit)
        .iter()
        .map(|o| {
            let mut item = o.clone();
            item.insert(
                "subType".into(),
                Value::String(
                    if o["value"].as_str().is_some_and(|v| v.contains('/')) {
                        "NETWORK"
                    } else {
                        "HOST"
                    }
                    .into(),
                ),
            );
            Value::Object(item)
        })
        .collect();
    let count = table.len();
    let next: Vec<String> = (offset + limit < count)
        .then(|| link(offset + limit))
        .into_iter()
        .collect();
    let prev: Vec<String> = (offset > 0)
        .then(|| link(offset.saturating_sub(limit)))
        .into_iter()
        .collect();
    DemoResponse::json(
        200,
        &json!({"items": items, "paging": {"prev": prev, "next": next, "limit": limit, "offset": offset, "count": count}}),
    )
}

fn create(table: &mut ObjectTable, body: &[u8]) -> DemoResponse {
    let (name, value) = match name_and_value(body) {
        Ok(nv) => nv,
        Err("body") => {
            return error(
                422,
                "Validation",
                "The request body is not valid JSON.",
                "invalidJson",
                "",
            );
        }
        Err(field) => {
            return error(
                422,
                "Validation",
                &format!("The field {field} is required."),
                "required",
                field,
            );
        }
    };
    if table.has_name(&name) {
        return error(
            422,
            "Validation",
            &format!("Validation failed due to a duplicate name: \"{name}\""),
            "duplicateName",
            "name",
        );
    }
    if table.len() >= MAX_OBJECTS {
        return error(422, "Validation", "Too many objects.", "tooMany", "");
    }
    DemoResponse::json(200, &Value::Object(table.create(&name, &value)))
}

/// A small Swagger 2.0 document, the shape FDM serves at `/apispec/ngfw.json`.
fn api_spec() -> Value {
    let op = |summary: &str, tag: &str, id: &str| json!({"summary": summary, "tags": [tag], "operationId": id, "parameters": [], "responses": {"200": {"description": "OK"}}});
    json!({
        "swagger": "2.0",
        "info": {"title": "Firepower Threat Defense REST API", "version": "7.4.1"},
        "basePath": "/api/fdm/latest",
        "paths": {
            "/object/networks": {
                "get": op("Get the list of network objects", "NetworkObject", "getNetworkObjectList"),
                "post": op("Create a network object", "NetworkObject", "addNetworkObject"),
            },
            "/object/networks/{objId}": {
                "delete": op("Delete a network object", "NetworkObject", "deleteNetworkObject"),
            },
            "/operational/deploy": {
                "post": op("Deploy the pending changes", "Deployment", "addDeployment"),
            },
            "/operational/systeminfo/{objId}": {
                "get": op("Get system information", "SystemInformation", "getSystemInformation"),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::demo::appliance::{DEMO_PASSWORD, test_request};

    fn body(answer: &DemoResponse) -> Value {
        serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
    }

    fn grant(fdm: &Handler, version: &str, grant: Value) -> DemoResponse {
        fdm(&test_request(
            "POST",
            &format!("/api/fdm/{version}/fdm/token"),
            &[("Content-Type", "application/json")],
            grant.to_string().as_bytes(),
        ))
    }

    #[test]
    fn token_grants_and_errors() {
        let stats = Arc::new(Stats::default());
        let fdm = handler(ApplianceConfig::demo(), stats.clone());
        let bad = grant(
            &fdm,
            "latest",
            json!({"grant_type":"password","username":"admin","password":"x"}),
        );
        assert_eq!(
            (bad.status, body(&bad)),
            (
                400,
                json!({"message":"Failed to authenticate user","status_code":400})
            )
        );
        let ok = body(&grant(
            &fdm,
            "v6",
            json!({"grant_type":"password","username":"admin","password":DEMO_PASSWORD}),
        ));
        assert_eq!(ok["expires_in"], 1800);
        let access = ok["access_token"].as_str().unwrap().to_string();
        let bearer = format!("Bearer {access}");
        let auth = [
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
        ];
        let dup = fdm(&test_request(
            "POST",
            "/api/fdm/v6/object/networks",
            &auth,
            br#"{"name":"fdm-net-1","value":"10.0.0.0/8"}"#,
        ));
        assert_eq!(dup.status, 422);
        assert_eq!(body(&dup)["error"]["messages"][0]["code"], "duplicateName");
        let page = body(&fdm(&test_request(
            "GET",
            "/api/fdm/latest/object/networks?limit=5&offset=5",
            &auth,
            b"",
        )));
        assert_eq!(page["paging"]["count"], 12);
        assert_eq!(page["paging"]["next"].as_array().map(Vec::len), Some(1));
        assert_eq!(page["paging"]["prev"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            fdm(&test_request(
                "GET",
                "/api/fdm/v99/object/networks",
                &auth,
                b""
            ))
            .status,
            404
        );
        let refreshed = body(&grant(
            &fdm,
            "latest",
            json!({"grant_type":"refresh_token","refresh_token":ok["refresh_token"]}),
        ));
        let fresh = refreshed["access_token"].as_str().unwrap().to_string();
        assert_eq!(
            fdm(&test_request("GET", "/apispec/ngfw.json", &auth, b"")).status,
            401,
            "the old token ended"
        );
        let revoke = grant(
            &fdm,
            "latest",
            json!({"grant_type":"revoke_token","access_token":fresh,"token_to_revoke":fresh}),
        );
        assert_eq!(revoke.status, 200);
        let gone = format!("Bearer {fresh}");
        let after = fdm(&test_request(
            "GET",
            "/apispec/ngfw.json",
            &[("Authorization", gone.as_str())],
            b"",
        ));
        assert_eq!(after.status, 401);
        assert_eq!(stats.logouts.load(Ordering::Relaxed), 1);
        assert_eq!(stats.refreshes.load(Ordering::Relaxed), 1);
    }
}
