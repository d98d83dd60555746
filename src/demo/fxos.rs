//! Simulated Cisco FXOS (Firepower chassis manager) REST API: header-based
//! login, `TOKEN` header sessions and a few read-only inventories.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::appliance::{
    ApplianceConfig, Stats, TokenStore, bump, is_json_content, lock, random_hex,
};
use super::clock::DemoClock;
use super::fxos_data;
use super::server::{DemoRequest, DemoResponse, Handler};

/// The request handler of one simulated FXOS chassis.
pub fn handler(config: ApplianceConfig, stats: Arc<Stats>) -> Handler {
    let fxos = Fxos {
        tokens: Mutex::new(TokenStore::new(config.token_max_uses)),
        born: Mutex::new(HashMap::new()),
        clock: DemoClock::new(),
        config,
        stats,
    };
    Arc::new(move |req| fxos.handle(req))
}

struct Fxos {
    config: ApplianceConfig,
    stats: Arc<Stats>,
    tokens: Mutex<TokenStore>,
    /// When each live token was handed out, by the appliance's clock.
    born: Mutex<HashMap<String, Duration>>,
    clock: DemoClock,
}

impl Fxos {
    fn handle(&self, req: &DemoRequest) -> DemoResponse {
        let path = req.path.trim_end_matches('/');
        // "All REST API clients must send an HTTP Accept Header that is set
        // to application/json": the login too.
        let accepts_json = req
            .header("accept")
            .is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
        if !accepts_json {
            return error(406, "406", "Not acceptable", "not-acceptable");
        }
        if path == "/api/login" {
            return if req.method == "POST" {
                self.login(req)
            } else {
                method_not_allowed()
            };
        }
        if !req.body.is_empty() && !is_json_content(req) {
            return error(
                415,
                "415",
                "Unsupported content-type",
                "unsupported-media-type",
            );
        }
        let Some(token) = req.header("token") else {
            return authorization_required();
        };
        if path == "/api/logout" {
            return self.logout(req, token);
        }
        if self.lapsed(token) || lock(&self.tokens).record_use(token).is_none() {
            return authorization_required();
        }
        bump(&self.stats.requests);
        if let Some(step) = self.config.clock_step {
            self.clock.advance(step);
        }
        let Some(document) = fxos_data::document(path) else {
            return error(404, "404", "Object not found", "not-found");
        };
        if req.method == "GET" {
            DemoResponse::json(200, &document)
        } else {
            method_not_allowed()
        }
    }

    /// `POST /api/login` with `username` and `password` request headers,
    /// compared exactly as sent (no URL decoding).
    fn login(&self, req: &DemoRequest) -> DemoResponse {
        let username = req.header("username").unwrap_or_default();
        let password = req.header("password").unwrap_or_default();
        if !self
            .config
            .accepts(username.as_bytes(), password.as_bytes())
        {
            bump(&self.stats.failed_logins);
            return error(400, "551", "Authentication failed", "unidentified-fail");
        }
        let Some(token) = random_hex(32) else {
            return error(500, "500", "Internal error", "internal-error");
        };
        lock(&self.tokens).insert(token.clone());
        lock(&self.born).insert(token.clone(), self.clock.now());
        self.stats.issue(&token);
        bump(&self.stats.logins);
        let period = self.config.token_lifetime.map_or(0, |p| p.as_secs());
        DemoResponse::json(
            200,
            &json!({ "refreshPeriod": period.to_string(), "token": token }),
        )
    }

    /// Whether the token outlived the refresh period (it is then forgotten).
    fn lapsed(&self, token: &str) -> bool {
        let Some(period) = self.config.token_lifetime else {
            return false;
        };
        let now = self.clock.now();
        let mut born = lock(&self.born);
        let lapsed = born
            .get(token)
            .is_some_and(|at| now.saturating_sub(*at) >= period);
        if lapsed {
            born.remove(token);
            lock(&self.tokens).remove(token);
        }
        lapsed
    }

    fn logout(&self, req: &DemoRequest, token: &str) -> DemoResponse {
        if req.method != "POST" {
            return method_not_allowed();
        }
        if !self.lapsed(token) && lock(&self.tokens).remove(token) {
            lock(&self.born).remove(token);
            bump(&self.stats.logouts);
            DemoResponse::json(200, &json!({}))
        } else {
            error(555, "555", "Authorization required", "service-unavailable")
        }
    }
}

/// FXOS error body: `{"error-code":…,"error-description":…,"error-nr":…}`.
fn error(status: u16, code: &str, description: &str, nr: &str) -> DemoResponse {
    DemoResponse::json(
        status,
        &json!({ "error-code": code, "error-description": description, "error-nr": nr }),
    )
}

fn authorization_required() -> DemoResponse {
    error(400, "552", "Authorization required", "service-unavailable")
}

fn method_not_allowed() -> DemoResponse {
    error(405, "405", "Method not allowed", "method-not-allowed")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use serde_json::Value;

    use super::*;
    use crate::demo::appliance::test_request;

    const ACCEPT: (&str, &str) = ("Accept", "application/json");

    fn config() -> ApplianceConfig {
        ApplianceConfig {
            password: "pa%21ss".to_string(),
            ..ApplianceConfig::demo()
        }
    }

    fn body(answer: &DemoResponse) -> Value {
        serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
    }

    fn login(fxos: &Handler, password: &str) -> DemoResponse {
        let headers = [ACCEPT, ("username", "admin"), ("password", password)];
        fxos(&test_request("POST", "/api/login", &headers, b""))
    }

    #[test]
    fn the_login_wants_accept_too() {
        let fxos = handler(config(), Arc::new(Stats::default()));
        let headers = [("username", "admin"), ("password", "pa%21ss")];
        let bare = fxos(&test_request("POST", "/api/login", &headers, b""));
        assert_eq!(bare.status, 406);
        let html = [
            ("Accept", "text/html"),
            ("username", "admin"),
            ("password", "pa%21ss"),
        ];
        assert_eq!(
            fxos(&test_request("POST", "/api/login", &html, b"")).status,
            406
        );
        assert_eq!(login(&fxos, "pa%21ss").status, 200);
    }

    #[test]
    fn password_is_compared_raw() {
        let stats = Arc::new(Stats::default());
        let fxos = handler(config(), stats.clone());
        let decoded = login(&fxos, "pa!ss");
        assert_eq!(decoded.status, 400);
        assert_eq!(body(&decoded)["error-code"], "551");
        let raw = login(&fxos, "pa%21ss");
        assert_eq!(raw.status, 200);
        assert_eq!(body(&raw)["token"].as_str().map(str::len), Some(64));
        assert_eq!(stats.failed_logins.load(Ordering::Relaxed), 1);
        assert_eq!(stats.logins.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn session_rules() {
        let stats = Arc::new(Stats::default());
        let fxos = handler(config(), stats.clone());
        let token = body(&login(&fxos, "pa%21ss"))["token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let with_token = [ACCEPT, ("TOKEN", token.as_str())];

        let no_accept = fxos(&test_request(
            "GET",
            "/api/sys/firmware",
            &[("TOKEN", &token)],
            b"",
        ));
        assert_eq!(no_accept.status, 406);
        let no_token = fxos(&test_request("GET", "/api/sys/firmware", &[ACCEPT], b""));
        assert_eq!(no_token.status, 400);
        assert_eq!(body(&no_token)["error-code"], "552");
        let text = [
            ACCEPT,
            ("TOKEN", token.as_str()),
            ("Content-Type", "text/plain"),
        ];
        assert_eq!(
            fxos(&test_request("POST", "/api/sm/apps", &text, b"x")).status,
            415
        );

        let firmware = fxos(&test_request("GET", "/api/sys/firmware", &with_token, b""));
        assert_eq!(firmware.status, 200);
        assert_eq!(
            fxos(&test_request("GET", "/api/nope", &with_token, b"")).status,
            404
        );

        let logout = fxos(&test_request("POST", "/api/logout", &with_token, b""));
        assert_eq!((logout.status, body(&logout)), (200, json!({})));
        let again = fxos(&test_request("POST", "/api/logout", &with_token, b""));
        assert_eq!(again.status, 555);
        assert_eq!(body(&again)["error-code"], "555");
        assert_eq!(stats.logouts.load(Ordering::Relaxed), 1);
        assert_eq!(stats.requests.load(Ordering::Relaxed), 2);
    }
}
