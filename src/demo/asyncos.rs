//! Simulated Cisco AsyncOS (WSA, SMA, ESA) REST API v2.0: base64 login that
//! returns a JWT, `jwtToken` sessions with rolling refresh, reporting,
//! tracking, quarantine, configuration, role privileges and health.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::appliance::{
    ApplianceConfig, DEMO_PASSCODE, Stats, TokenStore, TwoFactorFlag, bump, is_json_content, lock,
    random_bytes, random_hex,
};
use super::clock::{self, DemoClock};
use super::server::{DemoRequest, DemoResponse, Handler};
use super::{asyncos_config, asyncos_reporting, asyncos_tracking};
use crate::core::platform::Platform;

/// The request handler of one simulated AsyncOS appliance; `product` is
/// Wsa, Sma or Esa and picks the base path (`/wsa/api/v2.0`, …).
pub fn handler(product: Platform, config: ApplianceConfig, stats: Arc<Stats>) -> Handler {
    let appliance = AsyncOs {
        product,
        base: format!("/{}/api/v2.0", product.id()),
        tokens: Mutex::new(TokenStore::new(config.token_max_uses)),
        issued: AtomicU64::new(0),
        awaiting_passcode: AtomicU64::new(0),
        policies: Mutex::new(asyncos_config::seed_policies()),
        expiry: Mutex::new(HashMap::new()),
        clock: DemoClock::new(),
        config,
        stats,
    };
    Arc::new(move |req| appliance.handle(req))
}

struct AsyncOs {
    product: Platform,
    base: String,
    config: ApplianceConfig,
    stats: Arc<Stats>,
    tokens: Mutex<TokenStore>,
    /// JWTs issued so far; goes into each token's payload.
    issued: AtomicU64,
    /// Two-factor logins whose password was accepted and whose passcode is due.
    awaiting_passcode: AtomicU64,
    /// WSA: the access policies of the configuration API.
    policies: Mutex<Vec<Value>>,
    /// When each live JWT stops working, by the appliance's clock.
    expiry: Mutex<HashMap<String, Duration>>,
    clock: DemoClock,
}

/// A JWT's validity when the config names none: the default user
/// inactivity timeout, 30 minutes.
const JWT_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// How long before its end a JWT in use is replaced by a fresh one.
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

impl AsyncOs {
    /// Every answer says `Connection: close`, as the guide's do, and the
    /// server then closes the connection.
    fn handle(&self, req: &DemoRequest) -> DemoResponse {
        self.answer(req).with_header("Connection", "close")
    }

    fn answer(&self, req: &DemoRequest) -> DemoResponse {
        // "Each request must be set to accept: application/json" (the
        // guide's own curl sample sends `*/*`).
        let acceptable = req.header("accept").is_some_and(|accept| {
            let accept = accept.to_ascii_lowercase();
            ["application/json", "application/*", "*/*"]
                .iter()
                .any(|t| accept.contains(t))
        });
        if !acceptable {
            return error(406, "Only application/json responses are available.");
        }
        // Bodies are "in the format defined by the Content-Type header":
        // JSON, said so. The guide lists no 415: a 400.
        if !req.body.is_empty() && !is_json_content(req) {
            return error(400, "Content-Type must be application/json.");
        }
        let Some(rest) = req.path.strip_prefix(self.base.as_str()) else {
            return not_found();
        };
        let rest = rest.trim_end_matches('/');
        if rest == "/login" || rest == "/login/two_factor" {
            return match (req.method.as_str(), rest) {
                ("POST", "/login") => self.login(req),
                ("POST", _) => self.two_factor(req),
                _ => method_not_allowed(),
            };
        }
        let refreshed = match self.authenticate(req) {
            Ok(refreshed) => refreshed,
            Err(answer) => return answer,
        };
        bump(&self.stats.requests);
        if let Some(step) = self.config.clock_step {
            self.clock.advance(step);
        }
        let answer = self.route(rest, req);
        match refreshed {
            Some(token) => answer.with_header("jwtToken", &token),
            None => answer,
        }
    }

    fn route(&self, rest: &str, req: &DemoRequest) -> DemoResponse {
        let product = self.product;
        let get_only = |answer: &dyn Fn() -> DemoResponse| {
            if req.method == "GET" {
                answer()
            } else {
                method_not_allowed()
            }
        };
        if rest == "/health" {
            return get_only(&health);
        }
        if rest == "/login/privileges" {
            return asyncos_config::privileges(product, req);
        }
        let Some((group, resource)) = rest.trim_start_matches('/').split_once('/') else {
            return not_found();
        };
        let mail = matches!(product, Platform::Sma | Platform::Esa);
        match group {
            "reporting" => get_only(&|| asyncos_reporting::report(product, resource, req)),
            "message-tracking" if mail => {
                get_only(&|| asyncos_tracking::message_tracking(resource, req))
            }
            "quarantine" if mail => get_only(&|| asyncos_tracking::quarantine(resource, req)),
            "web-tracking" if product == Platform::Wsa => {
                get_only(&|| asyncos_tracking::web_tracking(resource, req))
            }
            "config" if product == Platform::Wsa => {
                asyncos_config::wsa(resource, req, &mut lock(&self.policies))
            }
            "config" if product == Platform::Sma => asyncos_config::sma(resource, req),
            _ => not_found(),
        }
    }

    /// A live `jwtToken` header (one use counted) or, without one, valid
    /// Basic. `Ok(Some(new))` when this use rolled the JWT over.
    fn authenticate(&self, req: &DemoRequest) -> Result<Option<String>, DemoResponse> {
        let unauthorized = || {
            error(
                401,
                "Authorization required: no valid credentials or jwtToken.",
            )
        };
        let Some(token) = req.header("jwttoken") else {
            return if self.config.basic_auth_valid(req) {
                Ok(None)
            } else {
                Err(unauthorized())
            };
        };
        let now = self.clock.now();
        let mut tokens = lock(&self.tokens);
        let mut expiry = lock(&self.expiry);
        let ends = expiry.get(token).copied().unwrap_or_default();
        if now >= ends {
            tokens.remove(token);
            expiry.remove(token);
            return Err(unauthorized());
        }
        let uses = tokens.record_use(token).ok_or_else(unauthorized)?;
        // "If a JWT is found to be within 5 minutes of time validity ... a
        // new refresh JWT is sent with the response header."
        let ending = ends.saturating_sub(now) <= REFRESH_WINDOW;
        let used_up = self
            .config
            .jwt_refresh_after
            .is_some_and(|after| uses >= after);
        if !ending && !used_up {
            return Ok(None);
        }
        let fresh = self.new_jwt().ok_or_else(internal_error)?;
        tokens.remove(token);
        expiry.remove(token);
        tokens.insert(fresh.clone());
        expiry.insert(fresh.clone(), now + self.lifetime());
        self.stats.issue(&fresh);
        bump(&self.stats.refreshes);
        Ok(Some(fresh))
    }

    fn lifetime(&self) -> Duration {
        self.config.token_lifetime.unwrap_or(JWT_LIFETIME)
    }

    /// `POST {base}/login` with base64 `userName` and `passphrase`.
    fn login(&self, req: &DemoRequest) -> DemoResponse {
        let (username, passphrase) = match login_credentials(&req.body) {
            Ok(credentials) => credentials,
            Err(problem) => return error(400, &problem),
        };
        if !self.config.accepts(&username, &passphrase) {
            bump(&self.stats.failed_logins);
            return error(401, "Authentication failed.");
        }
        if let Some(flag) = self.config.two_factor {
            self.awaiting_passcode.fetch_add(1, Ordering::Relaxed);
            let required = match flag {
                TwoFactorFlag::Text => json!("true"),
                TwoFactorFlag::Boolean => json!(true),
            };
            return DemoResponse::json(
                200,
                &json!({ "data": {
                    "userName": self.config.username,
                    "is2FactorRedirectRequired": required,
                    "role": "Administrator",
                    "email": [],
                }}),
            );
        }
        self.issue_session()
    }

    /// `POST {base}/login/two_factor` with base64 `userName` and the
    /// passcode as `passphrase`, after a login that asked for it.
    fn two_factor(&self, req: &DemoRequest) -> DemoResponse {
        let (username, passcode) = match login_credentials(&req.body) {
            Ok(credentials) => credentials,
            Err(problem) => return error(400, &problem),
        };
        let awaited = self
            .awaiting_passcode
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        if !awaited
            || self.config.two_factor.is_none()
            || username != self.config.username.as_bytes()
            || passcode != DEMO_PASSCODE.as_bytes()
        {
            bump(&self.stats.failed_logins);
            return error(401, "Two-factor authentication failed.");
        }
        self.issue_session()
    }

    /// A fresh JWT and the login answer that carries it.
    fn issue_session(&self) -> DemoResponse {
        let Some(token) = self.new_jwt() else {
            return internal_error();
        };
        lock(&self.tokens).insert(token.clone());
        lock(&self.expiry).insert(token.clone(), self.clock.now() + self.lifetime());
        self.stats.issue(&token);
        bump(&self.stats.logins);
        DemoResponse::json(
            200,
            &json!({ "data": {
                "userName": self.config.username,
                "is2FactorRedirectRequired": false,
                "role": "Administrator",
                "email": [],
                "jwtToken": token,
            }}),
        )
    }

    /// A JWT-shaped token: `header.payload.signature`, each base64url.
    fn new_jwt(&self) -> Option<String> {
        let counter = self.issued.fetch_add(1, Ordering::Relaxed) + 1;
        let (now, _) = clock::unix_now();
        let header = json!({ "alg": "HS256", "typ": "JWT" });
        let payload = json!({
            "userName": self.config.username,
            "counter": counter,
            "iat": now,
            "exp": now.saturating_add_unsigned(self.lifetime().as_secs()),
            "jti": random_hex(8)?,
        });
        let segment = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let signature = URL_SAFE_NO_PAD.encode(random_bytes(32)?);
        Some(format!(
            "{}.{}.{signature}",
            segment(&header),
            segment(&payload)
        ))
    }
}

/// Decoded `(userName, passphrase)` from `{"data":{"userName":b64,"passphrase":b64}}`,
/// or a message naming what is wrong.
fn login_credentials(body: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let body: Value =
        serde_json::from_slice(body).map_err(|_| "Request body is not valid JSON.".to_string())?;
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| "Missing required field - data.".to_string())?;
    let field = |name: &str| -> Result<Vec<u8>, String> {
        let encoded = data
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("Missing required field - {name}."))?;
        STANDARD
            .decode(encoded)
            .map_err(|_| format!("Invalid base64 value for field - {name}."))
    };
    Ok((field("userName")?, field("passphrase")?))
}

fn health() -> DemoResponse {
    DemoResponse::json(
        200,
        &json!({ "data": {
            "percentage_ram_utilization": 37,
            "percentage_cpu_load": 12,
            "percentage_queue_utilization": 3,
        }}),
    )
}

/// AsyncOS error body; the explanation is the status's standard phrase.
pub(super) fn error(status: u16, message: &str) -> DemoResponse {
    let explanation = match status {
        400 => "Bad request syntax or unsupported method.",
        401 => "Unauthorized.",
        404 => "Nothing matches the given URI.",
        405 => "Specified method is invalid for this resource.",
        406 => "URI not available in preferred format.",
        _ => "Server got itself in trouble.",
    };
    DemoResponse::json(
        status,
        &json!({ "error": {
            "message": message,
            "code": status.to_string(),
            "explanation": format!("{status} = {explanation}"),
        }}),
    )
}

pub(super) fn not_found() -> DemoResponse {
    error(404, "Nothing matches the given URI.")
}

pub(super) fn method_not_allowed() -> DemoResponse {
    error(405, "Method not allowed for this resource.")
}

fn internal_error() -> DemoResponse {
    error(500, "Could not generate a token.")
}

#[cfg(test)]
#[path = "asyncos_tests.rs"]
mod tests;
