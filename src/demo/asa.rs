//! Simulated Cisco ASA REST API: token service, network objects, CLI
//! pass-through, write memory, backup and restore, and monitoring.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::appliance::{
    ApplianceConfig, Stats, TokenStore, bump, is_json_content, lock, random_hex,
};
use super::asa_cli;
use super::asa_objects::{self, NetObject};
use super::server::{DemoRequest, DemoResponse, Handler};

/// The ASA allows this many concurrent token sessions per context.
const MAX_SESSIONS: usize = 25;
const TOKEN_PATH: &str = "/api/tokenservices";

/// The request handler of one simulated ASA.
pub fn handler(config: ApplianceConfig, stats: Arc<Stats>) -> Handler {
    let asa = Asa {
        tokens: Mutex::new(TokenStore::new(config.token_max_uses)),
        objects: Mutex::new(asa_objects::seed()),
        large: Mutex::new(HashMap::new()),
        backups: Mutex::new(HashMap::new()),
        config,
        stats,
    };
    Arc::new(move |req| asa.handle(req))
}

struct Asa {
    config: ApplianceConfig,
    stats: Arc<Stats>,
    tokens: Mutex<TokenStore>,
    objects: Mutex<Vec<NetObject>>,
    /// `/api/demo/large` documents by size in MB, generated once.
    large: Mutex<HashMap<u32, Arc<Vec<u8>>>>,
    backups: Mutex<asa_cli::Backups>,
}

impl Asa {
    fn handle(&self, req: &DemoRequest) -> DemoResponse {
        if req.header("user-agent") != Some("REST API Agent") {
            return error(
                400,
                "MISSING-USER-AGENT",
                "The REST API Agent requires the header 'User-Agent: REST API Agent'",
                None,
            );
        }
        let path = normalize(&req.path);
        // The guide sets `Content-Type: application/json` for the token
        // service (login and logout) and every call that posts or changes.
        let changes = matches!(req.method.as_str(), "POST" | "PUT" | "PATCH");
        let token_delete = req.method == "DELETE" && path.starts_with("/api/tokenservices/");
        if (changes || token_delete) && !is_json_content(req) {
            return error(
                415,
                "UNSUPPORTED-MEDIA-TYPE",
                "Set the header 'Content-Type: application/json'",
                None,
            );
        }
        if path == TOKEN_PATH && req.method == "POST" {
            return self.login(req);
        }
        if !self.authenticated(req) {
            return auth_failed();
        }
        if path == TOKEN_PATH {
            return method_not_allowed(req, &["POST"]);
        }
        if let Some(token) = path.strip_prefix("/api/tokenservices/") {
            return self.logout(req, token);
        }
        bump(&self.stats.requests);
        self.route(req, path)
    }

    /// A valid `X-Auth-Token` (one use counted) or, without one, valid Basic.
    fn authenticated(&self, req: &DemoRequest) -> bool {
        match req.header("x-auth-token") {
            Some(token) => lock(&self.tokens).record_use(token).is_some(),
            None => self.config.basic_auth_valid(req),
        }
    }

    fn login(&self, req: &DemoRequest) -> DemoResponse {
        if !self.config.basic_auth_valid(req) {
            bump(&self.stats.failed_logins);
            return auth_failed();
        }
        let mut tokens = lock(&self.tokens);
        if tokens.live() >= MAX_SESSIONS {
            return error(
                503,
                "SESSION-LIMIT",
                &format!(
                    "The maximum number of {MAX_SESSIONS} sessions per context has been reached"
                ),
                None,
            );
        }
        let Some(token) = random_hex(16) else {
            return error(500, "INTERNAL-ERROR", "Could not generate a token", None);
        };
        tokens.insert(token.clone());
        self.stats.issue(&token);
        bump(&self.stats.logins);
        DemoResponse::empty(204).with_header("X-Auth-Token", &token)
    }

    fn logout(&self, req: &DemoRequest, token: &str) -> DemoResponse {
        if req.method != "DELETE" {
            return method_not_allowed(req, &["DELETE"]);
        }
        // A session ends with its own token, in the header and the path.
        if req.header("x-auth-token") != Some(token) {
            return error(
                403,
                "FORBIDDEN",
                "A token can only be deleted by its own session: send it in X-Auth-Token",
                None,
            );
        }
        if lock(&self.tokens).remove(token) {
            bump(&self.stats.logouts);
            DemoResponse::empty(204)
        } else {
            not_found(&format!("Token {token} not found"))
        }
    }

    fn route(&self, req: &DemoRequest, path: &str) -> DemoResponse {
        const OBJECTS: &str = "/api/objects/networkobjects";
        let origin = origin(req);
        if path == OBJECTS {
            let mut objects = lock(&self.objects);
            return match req.method.as_str() {
                "GET" => asa_objects::list(&objects, req, &origin),
                "POST" => asa_objects::create(&mut objects, req, &origin),
                _ => method_not_allowed(req, &["GET", "POST"]),
            };
        }
        if let Some(id) = path.strip_prefix("/api/objects/networkobjects/") {
            let mut objects = lock(&self.objects);
            return match req.method.as_str() {
                "GET" => asa_objects::get(&objects, id, &origin),
                "DELETE" => asa_objects::delete(&mut objects, id),
                _ => method_not_allowed(req, &["GET", "DELETE"]),
            };
        }
        let allowed = match path {
            "/api/cli" | "/api/commands/writemem" | "/api/backup" | "/api/restore" => "POST",
            "/api/monitoring/device/components/version"
            | "/api/monitoring/serialnumber"
            | "/api/demo/large" => "GET",
            _ => return not_found(&format!("The requested resource {path} was not found")),
        };
        if req.method != allowed {
            return method_not_allowed(req, &[allowed]);
        }
        match path {
            "/api/cli" => asa_cli::cli(req),
            "/api/commands/writemem" => asa_cli::writemem(),
            "/api/backup" => asa_cli::backup(req, &mut lock(&self.backups)),
            "/api/restore" => asa_cli::restore(req, &lock(&self.backups)),
            "/api/monitoring/device/components/version" => asa_cli::version(),
            "/api/monitoring/serialnumber" => asa_cli::serial_number(),
            _ => self.large(req),
        }
    }

    /// `GET /api/demo/large?mb=N`: about N MB of JSON, cached per N.
    fn large(&self, req: &DemoRequest) -> DemoResponse {
        let mb = match req.query_param("mb") {
            None => 20,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n <= 500 => n,
                _ => {
                    return error(
                        400,
                        "INVALID-INPUT",
                        "mb must be a whole number from 0 to 500",
                        Some("mb"),
                    );
                }
            },
        };
        let document = lock(&self.large)
            .entry(mb)
            .or_insert_with(|| Arc::new(asa_cli::large_document(mb)))
            .clone();
        DemoResponse::empty(200)
            .with_header("Content-Type", "application/json")
            .with_body(document.as_ref().clone())
    }
}

/// Drops one trailing slash (`/api/cli/` is `/api/cli`).
fn normalize(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => path,
    }
}

/// `https://<Host header>` for `selfLink` and `Location`.
pub(super) fn origin(req: &DemoRequest) -> String {
    format!("https://{}", req.header("host").unwrap_or("127.0.0.1"))
}

/// One ASA message entry.
pub(super) fn message(level: &str, code: &str, details: &str, context: Option<&str>) -> Value {
    let mut entry = json!({ "level": level, "code": code, "details": details });
    if let Some(context) = context {
        entry["context"] = json!(context);
    }
    entry
}

/// `{"messages":[…]}` with one Error entry.
pub(super) fn error(status: u16, code: &str, details: &str, context: Option<&str>) -> DemoResponse {
    DemoResponse::json(
        status,
        &json!({ "messages": [message("Error", code, details, context)] }),
    )
}

pub(super) fn not_found(details: &str) -> DemoResponse {
    error(404, "RESOURCE-NOT-FOUND", details, None)
}

fn auth_failed() -> DemoResponse {
    error(
        401,
        "AUTHENTICATION-FAILED",
        "Authentication failed: invalid credentials or token",
        None,
    )
}

fn method_not_allowed(req: &DemoRequest, allowed: &[&str]) -> DemoResponse {
    error(
        405,
        "METHOD-NOT-ALLOWED",
        &format!("Method {} is not allowed for {}", req.method, req.path),
        None,
    )
    .with_header("Allow", &allowed.join(", "))
}

#[cfg(test)]
#[path = "asa_tests.rs"]
mod tests;
