//! Platform presets: default headers, auth flows, endpoint catalogs, error
//! decoders and status hints. One file per platform family.

pub mod asa;
pub mod asyncos;
pub mod catalog;
pub mod fdm;
pub mod fmc;
pub mod fxos;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::core::error::DecodedBody;
use crate::core::request::Header;
use crate::core::secret::Secret;
use tokens::Tokens;

/// The largest body [`Platform::decode_error`] parses.
pub const MAX_DECODED_BODY: usize = 1 << 20;

/// What apx says of an AsyncOS answer whose records are empty braces.
pub const NO_RECORDS_NOTE: &str =
    "No records matched the query (AsyncOS answers empty braces {} then).";

/// The appliance families apx knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Asa,
    Fxos,
    Fmc,
    Fdm,
    Wsa,
    Sma,
    Esa,
    Generic,
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    None,
    Basic,
    /// The platform's login flow (ASA token service, FXOS `/api/login`,
    /// AsyncOS JWT, FMC `generatetoken`, FDM OAuth password grant).
    Token,
}

impl AuthMode {
    pub const ALL: [AuthMode; 3] = [AuthMode::None, AuthMode::Basic, AuthMode::Token];

    pub fn id(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Basic => "basic",
            AuthMode::Token => "token",
        }
    }

    pub fn parse(s: &str) -> Option<AuthMode> {
        AuthMode::ALL.into_iter().find(|m| m.id() == s)
    }
}

/// A request the login flow needs sent, before variables or auth are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRequest {
    pub method: &'static str,
    /// Path below the device's origin, e.g. `/api/tokenservices`.
    pub path: String,
    pub headers: Vec<(String, Secret)>,
    pub body: Option<Vec<u8>>,
    /// Whether the request carries HTTP Basic credentials.
    pub basic: bool,
}

impl Platform {
    pub const ALL: [Platform; 8] = [
        Platform::Asa,
        Platform::Fxos,
        Platform::Fmc,
        Platform::Fdm,
        Platform::Wsa,
        Platform::Sma,
        Platform::Esa,
        Platform::Generic,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Platform::Asa => "asa",
            Platform::Fxos => "fxos",
            Platform::Fmc => "fmc",
            Platform::Fdm => "fdm",
            Platform::Wsa => "wsa",
            Platform::Sma => "sma",
            Platform::Esa => "esa",
            Platform::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.id() == s.to_ascii_lowercase())
    }

    /// The product name people use.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Asa => "Cisco ASA",
            Platform::Fxos => "Firepower FXOS",
            Platform::Fmc => "Firepower Management Center (FMC)",
            Platform::Fdm => "Firepower Device Manager (FDM)",
            Platform::Wsa => "Secure Web Appliance (WSA)",
            Platform::Sma => "Security Management Appliance (SMA)",
            Platform::Esa => "Secure Email Gateway (ESA)",
            Platform::Generic => "Generic HTTP",
        }
    }

    fn is_asyncos(self) -> bool {
        matches!(self, Platform::Wsa | Platform::Sma | Platform::Esa)
    }

    /// The port the platform's API answers on when a URL names none, where
    /// it is not the scheme's own: AsyncOS serves its API on 6443 (HTTPS)
    /// and 6080 (HTTP).
    pub fn api_port(self, scheme: &str) -> Option<u16> {
        match (self.is_asyncos(), scheme) {
            (true, "https") => Some(6443),
            (true, "http") => Some(6080),
            _ => None,
        }
    }

    /// Where a platform that serves its spec tells its software version
    /// (asked in the same session as the spec, to key its catalog).
    pub fn version_path(self) -> Option<&'static str> {
        match self {
            Platform::Fmc => Some("/api/fmc_platform/v1/info/serverversion"),
            Platform::Fdm => Some("/api/fdm/latest/operational/systeminfo/default"),
            _ => None,
        }
    }

    /// The software version in the answer from [`Platform::version_path`]:
    /// FMC's first `serverVersion`, FDM's `softwareVersion`; only one of at
    /// most 64 letters, digits, spaces and `._()+-` (a server chooses it).
    pub fn version_in(self, answer: &serde_json::Value) -> Option<String> {
        let version = match self {
            Platform::Fmc => answer.pointer("/items/0/serverVersion"),
            Platform::Fdm => answer.get("softwareVersion"),
            _ => None,
        }?;
        let version = version.as_str()?.trim();
        let plain = |c: char| c.is_ascii_alphanumeric() || " ._()+-".contains(c);
        (!version.is_empty() && version.len() <= 64 && version.chars().all(plain))
            .then(|| version.to_string())
    }

    /// Where the platform serves its own API spec, if it does.
    pub fn spec_path(self) -> Option<&'static str> {
        match self {
            Platform::Fmc => Some("/api/api-explorer/fmc.json"),
            Platform::Fdm => Some("/apispec/ngfw.json"),
            Platform::Asa
            | Platform::Fxos
            | Platform::Wsa
            | Platform::Sma
            | Platform::Esa
            | Platform::Generic => None,
        }
    }

    /// AsyncOS API base path (`/wsa/api/v2.0`); empty for other platforms.
    pub fn api_base(self) -> &'static str {
        match self {
            Platform::Wsa => "/wsa/api/v2.0",
            Platform::Sma => "/sma/api/v2.0",
            Platform::Esa => "/esa/api/v2.0",
            _ => "",
        }
    }

    /// Headers every request of this platform carries (a user's header of the
    /// same name overrides them). Cisco's ASA guide sets `Content-Type:
    /// application/json` on every call, body or not (token login and logout,
    /// `writemem` with an empty body); the others want it with a body.
    pub fn preset_headers(self, has_body: bool) -> Vec<Header> {
        let mut headers = Vec::new();
        match self {
            Platform::Asa => headers.push(Header::new("User-Agent", "REST API Agent")),
            Platform::Fxos
            | Platform::Fmc
            | Platform::Fdm
            | Platform::Wsa
            | Platform::Sma
            | Platform::Esa => headers.push(Header::new("Accept", "application/json")),
            Platform::Generic => {}
        }
        if (has_body || self == Platform::Asa) && self.bodies_are_json() {
            headers.push(Header::new("Content-Type", "application/json"));
        }
        headers
    }

    /// Whether request bodies on this platform are JSON (and so must parse).
    pub fn bodies_are_json(self) -> bool {
        self != Platform::Generic
    }

    /// The auth mode a new request on this platform starts with.
    pub fn default_auth(self) -> AuthMode {
        match self {
            Platform::Generic => AuthMode::None,
            _ => AuthMode::Token,
        }
    }

    /// The auth a request uses: the one chosen, else the platform's login;
    /// on a platform without one (generic), Basic when a user is known.
    /// The one rule of the CLI, the app's send and run window, and exports.
    pub fn auth_for(self, chosen: Option<AuthMode>, has_user: bool) -> AuthMode {
        chosen.unwrap_or(match self.default_auth() {
            AuthMode::None if has_user => AuthMode::Basic,
            mode => mode,
        })
    }

    /// Names the token flow for people, or None where the platform has none.
    pub fn token_flow_name(self) -> Option<&'static str> {
        match self {
            Platform::Asa => Some("ASA token service: POST /api/tokenservices, X-Auth-Token"),
            Platform::Fxos => Some("FXOS login: POST /api/login, TOKEN header"),
            Platform::Fmc => Some(
                "FMC token: POST /api/fmc_platform/v1/auth/generatetoken (Basic), X-auth-access-token header, refreshed up to 3 times, domain UUID from DOMAINS",
            ),
            Platform::Fdm => Some(
                "FDM OAuth: POST /api/fdm/latest/fdm/token (password grant), Authorization: Bearer, refreshed when expired, revoked at the end",
            ),
            Platform::Wsa => Some("AsyncOS JWT: POST /wsa/api/v2.0/login, jwtToken header"),
            Platform::Sma => Some("AsyncOS JWT: POST /sma/api/v2.0/login, jwtToken header"),
            Platform::Esa => Some("AsyncOS JWT: POST /esa/api/v2.0/login, jwtToken header"),
            Platform::Generic => None,
        }
    }

    /// Whether the platform's guide requires HTTPS for its API (ASA and
    /// FXOS): plain `http://` is refused unless the user allows it.
    pub fn requires_https(self) -> bool {
        matches!(self, Platform::Asa | Platform::Fxos)
    }

    /// Whether Basic auth is accepted on API calls (FXOS, FMC and FDM only
    /// accept their tokens).
    pub fn supports_basic(self) -> bool {
        !matches!(self, Platform::Fxos | Platform::Fmc | Platform::Fdm)
    }

    /// The login request of the token flow.
    pub fn login_request(self, user: &str, password: &Secret) -> Option<FlowRequest> {
        match self {
            Platform::Asa => Some(asa::login_request()),
            Platform::Fxos => Some(fxos::login_request(user, password)),
            Platform::Fmc => Some(fmc::login_request()),
            Platform::Fdm => Some(fdm::login_request(user, password)),
            p if p.is_asyncos() => Some(asyncos::login_request(p.api_base(), user, password)),
            _ => None,
        }
    }

    /// Whether a successful login answer asks for a second factor (AsyncOS).
    pub fn second_factor_required(self, status: u16, body: &[u8]) -> bool {
        self.is_asyncos() && (200..300).contains(&status) && asyncos::second_factor_required(body)
    }

    /// The request that completes a two-factor login with a passcode (AsyncOS).
    pub fn two_factor_request(self, user: &str, passcode: &Secret) -> Option<FlowRequest> {
        self.is_asyncos()
            .then(|| asyncos::two_factor_request(self.api_base(), user, passcode))
    }

    /// Extracts the session tokens from a login (or refresh) answer.
    pub fn tokens_from_login(
        self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Option<Tokens> {
        if !(200..300).contains(&status) {
            return None;
        }
        let access = match self {
            Platform::Asa => header_value(headers, "x-auth-token").map(Secret::new),
            Platform::Fxos => return fxos::tokens_from_body(body),
            Platform::Fmc => return fmc::tokens_from_headers(headers),
            Platform::Fdm => return fdm::tokens_from_body(body),
            p if p.is_asyncos() => asyncos::token_from_body(body)
                .or_else(|| header_value(headers, "jwttoken").map(Secret::new)),
            _ => None,
        };
        access.map(Tokens::access)
    }

    /// The request that trades a refresh token for new tokens, where the
    /// platform has one and the tokens hold a refresh token.
    pub fn refresh_request(self, tokens: &Tokens) -> Option<FlowRequest> {
        match self {
            Platform::Fmc => fmc::refresh_request(tokens),
            Platform::Fdm => fdm::refresh_request(tokens),
            _ => None,
        }
    }

    /// How many refreshes one login allows (None: as many as the refresh
    /// token lasts).
    pub fn max_refreshes(self) -> Option<u32> {
        (self == Platform::Fmc).then_some(fmc::MAX_REFRESHES)
    }

    /// Requests a minute the platform accepts from one client, where it
    /// documents a limit (FMC: 120); the session paces itself under it.
    pub fn requests_per_minute(self) -> Option<usize> {
        (self == Platform::Fmc).then_some(fmc::REQUESTS_PER_MINUTE)
    }

    /// The header that carries the session token on each request.
    pub fn token_header(self) -> Option<&'static str> {
        match self {
            Platform::Asa => Some("X-Auth-Token"),
            Platform::Fxos => Some("TOKEN"),
            Platform::Fmc => Some("X-auth-access-token"),
            Platform::Fdm => Some("Authorization"),
            p if p.is_asyncos() => Some("jwtToken"),
            _ => None,
        }
    }

    /// What precedes the token in [`Platform::token_header`]'s value
    /// (`Bearer ` for FDM).
    pub fn token_prefix(self) -> &'static str {
        if self == Platform::Fdm { "Bearer " } else { "" }
    }

    /// The token header with its value, for one request.
    pub fn auth_header(self, token: &Secret) -> Option<(&'static str, Secret)> {
        let name = self.token_header()?;
        Some((
            name,
            Secret::new(format!("{}{}", self.token_prefix(), token.expose())),
        ))
    }

    /// A path (or URL) with the session's FMC domain and FDM API version
    /// filled in: `{domainUUID}` and `{{domainUUID}}` become `domain`, and
    /// `/api/fdm/latest/` names `api_version`.
    pub fn session_path(
        self,
        path: &str,
        domain: Option<&str>,
        api_version: Option<&str>,
    ) -> String {
        match (self, domain, api_version) {
            (Platform::Fmc, Some(domain), _) => fmc::fill_domain(path, domain),
            (Platform::Fdm, _, Some(version)) => fdm::with_api_version(path, version),
            _ => path.to_string(),
        }
    }

    /// A refreshed token the appliance handed back in a response header.
    pub fn refreshed_token(self, headers: &[(String, String)]) -> Option<Secret> {
        if self.is_asyncos() {
            header_value(headers, "jwttoken")
                .filter(|v| !v.is_empty())
                .map(Secret::new)
        } else {
            None
        }
    }

    /// The logout request, where the platform has one.
    pub fn logout_request(self, tokens: &Tokens) -> Option<FlowRequest> {
        match self {
            Platform::Asa => Some(asa::logout_request(&tokens.access)),
            Platform::Fxos => Some(fxos::logout_request(&tokens.access)),
            Platform::Fmc => Some(fmc::logout_request(tokens)),
            Platform::Fdm => Some(fdm::logout_request(tokens)),
            _ => None,
        }
    }

    /// Whether the answer says the session token is no longer valid, so that
    /// one fresh login and one retry are worth it.
    pub fn token_rejected(self, status: u16, body: &[u8]) -> bool {
        match self {
            Platform::Asa => status == 401,
            Platform::Fxos => fxos::token_rejected(status, body),
            Platform::Fmc | Platform::Fdm => status == 401,
            p if p.is_asyncos() => status == 401,
            _ => false,
        }
    }

    /// Decodes this platform's error body (or, for generic, any known shape).
    /// Bodies over [`MAX_DECODED_BODY`] are not decoded: a parsed document
    /// takes many times the body's size, and error answers are small.
    pub fn decode_error(self, body: &[u8]) -> Option<DecodedBody> {
        if body.len() > MAX_DECODED_BODY {
            return None;
        }
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        match self {
            Platform::Asa => asa::decode(&value),
            Platform::Fxos => fxos::decode(&value),
            Platform::Fmc => fmc::decode(&value),
            Platform::Fdm => fdm::decode(&value),
            p if p.is_asyncos() => asyncos::decode(&value),
            _ => asa::decode(&value)
                .or_else(|| fxos::decode(&value))
                .or_else(|| asyncos::decode(&value))
                .or_else(|| {
                    // FDM bodies carry a `key`; FMC ones a `category`.
                    let fdm_key = value.get("error").is_some_and(|e| e.get("key").is_some());
                    if fdm_key {
                        fdm::decode(&value)
                    } else {
                        fmc::decode(&value).or_else(|| fdm::decode(&value))
                    }
                }),
        }
    }

    /// For a change the appliance accepted (a 2xx POST, PUT, PATCH or
    /// DELETE) on FMC or FDM: it reaches the devices only after a deployment.
    pub fn deploy_note(self, method: &str, status: u16) -> Option<&'static str> {
        let change = ["POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method));
        if !change || !(200..300).contains(&status) {
            return None;
        }
        match self {
            Platform::Fmc => Some(
                "The change takes effect on the devices only after a deployment: deployment/deployabledevices lists them, POST deployment/deploymentrequests deploys.",
            ),
            Platform::Fdm => Some(
                "The change takes effect only after a deployment: POST /api/fdm/latest/operational/deploy.",
            ),
            _ => None,
        }
    }

    /// For a 2xx AsyncOS answer of empty braces: no records matched the
    /// query (an empty body would say nothing).
    pub fn no_records_note(self, status: u16, body: &[u8]) -> Option<&'static str> {
        (self.is_asyncos() && (200..300).contains(&status) && asyncos::nothing_matched(body))
            .then_some(NO_RECORDS_NOTE)
    }

    /// What an HTTP status means on this platform and what to do about it.
    pub fn status_hint(self, status: u16, during_login: bool) -> String {
        let specific = match self {
            Platform::Asa => asa::status_hint(status, during_login),
            Platform::Fxos => fxos::status_hint(status, during_login),
            Platform::Fmc => fmc::status_hint(status, during_login),
            Platform::Fdm => fdm::status_hint(status, during_login),
            p if p.is_asyncos() => asyncos::status_hint(status, during_login),
            _ => None,
        };
        specific.unwrap_or_else(|| generic_status_hint(status).to_string())
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The first header value with this (case-insensitive) name.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The standard reason phrase of a status code.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

fn generic_status_hint(status: u16) -> &'static str {
    match status {
        300..=399 => {
            "The server redirects elsewhere; apx does not follow redirects, so that credentials never go to another host. Send the request to the Location shown."
        }
        400 => {
            "The server rejected the request as malformed: check the path, query parameters and body."
        }
        401 => {
            "The credentials were missing or refused: check the username, password and auth mode."
        }
        403 => {
            "The account is authenticated but not allowed to do this: check its role or privilege level."
        }
        404 => "Nothing exists at this path: check it against the platform's endpoint catalog.",
        405 => "This resource does not support this method: check the method.",
        406 => {
            "The server cannot produce what the Accept header asks for: send Accept: application/json."
        }
        408 | 504 => {
            "The server or a gateway gave up waiting: try again, or with a longer timeout."
        }
        413 => "The request body is too large for the server.",
        414 => "The URL is too long: shorten the query.",
        415 => {
            "The server does not accept this body type: send Content-Type: application/json with JSON bodies."
        }
        429 => "Too many requests: wait before retrying.",
        500..=599 => "The server failed while handling the request: check its logs, then retry.",
        _ => "The server refused the request; the body may say more.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_is_the_chosen_one_else_the_platform_login_else_basic_with_a_user() {
        assert_eq!(Platform::Asa.auth_for(None, false), AuthMode::Token);
        assert_eq!(Platform::Generic.auth_for(None, true), AuthMode::Basic);
        assert_eq!(Platform::Generic.auth_for(None, false), AuthMode::None);
        let chosen = Some(AuthMode::None);
        assert_eq!(Platform::Fmc.auth_for(chosen, true), AuthMode::None);
    }

    #[test]
    fn a_software_version_is_plain_and_short_or_none() {
        let fmc = |v: serde_json::Value| {
            Platform::Fmc.version_in(&serde_json::json!({"items": [{"serverVersion": v}]}))
        };
        assert_eq!(
            fmc("7.4.1 (build 172)".into()).as_deref(),
            Some("7.4.1 (build 172)")
        );
        assert_eq!(fmc("..".into()).as_deref(), Some(".."));
        assert_eq!(fmc("../../etc".into()), None);
        assert_eq!(fmc("7.4\n\u{1b}[31m".into()), None);
        assert_eq!(fmc("9".repeat(65).into()), None);
        assert_eq!(fmc(7.into()), None);
        assert_eq!(fmc("  ".into()), None);
        let fdm = serde_json::json!({"softwareVersion": "7.4.1-172"});
        assert_eq!(Platform::Fdm.version_in(&fdm).as_deref(), Some("7.4.1-172"));
        assert_eq!(Platform::Asa.version_in(&fdm), None);
    }

    #[test]
    fn firepower_changes_need_a_deployment() {
        assert!(Platform::Fmc.deploy_note("POST", 201).is_some());
        assert!(Platform::Fdm.deploy_note("delete", 204).is_some());
        assert!(Platform::Fdm.deploy_note("GET", 200).is_none());
        assert!(Platform::Fmc.deploy_note("POST", 400).is_none());
        assert!(Platform::Asa.deploy_note("POST", 201).is_none());
    }

    #[test]
    fn asyncos_empty_braces_get_a_note() {
        let empty = br#"{"meta": {"totalCount": -1}, "data": {}}"#;
        assert!(Platform::Wsa.no_records_note(200, empty).is_some());
        assert!(Platform::Esa.no_records_note(200, b"{}").is_some());
        assert!(Platform::Sma.no_records_note(404, empty).is_none());
        assert!(Platform::Asa.no_records_note(200, b"{}").is_none());
        assert!(Platform::Generic.no_records_note(200, b"{}").is_none());
    }
}
