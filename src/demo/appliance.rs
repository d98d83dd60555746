//! What the simulated appliances share: credentials and limits, counters,
//! session-token bookkeeping and small helpers.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::server::DemoRequest;

pub const DEMO_USER: &str = "admin";
pub const DEMO_PASSWORD: &str = "C1sco-demo!";
/// The one passcode a demo AsyncOS appliance with two-factor login accepts.
pub const DEMO_PASSCODE: &str = "80417236";

/// Credentials and session limits of one simulated appliance.
#[derive(Clone)]
pub struct ApplianceConfig {
    pub username: String,
    pub password: String,
    /// A session token stops working after this many uses (None: never);
    /// lets tests force a re-login.
    pub token_max_uses: Option<u32>,
    /// AsyncOS: after this many uses of a JWT, the answer carries a refreshed
    /// `jwtToken` response header and the old token stops working at once
    /// (None: never).
    pub jwt_refresh_after: Option<u32>,
    /// FMC, FDM, FXOS, AsyncOS: simulated time each authenticated call
    /// takes, so that a run of a few calls sees its token expire (None: real
    /// time only).
    pub clock_step: Option<Duration>,
    /// FXOS: the `refreshPeriod` the login announces, after which a token
    /// lapses (None: `"0"`, it does not). AsyncOS: how long a JWT is valid
    /// (None: 30 minutes, the default inactivity timeout); in its last 5
    /// minutes a use answers with a fresh `jwtToken`.
    pub token_lifetime: Option<Duration>,
    /// FMC, FDM: requests accepted per window before a `429` (FMC: 120 a
    /// minute when None; FDM: no limit when None).
    pub rate_limit: Option<RateLimit>,
    /// AsyncOS: the login asks for a second factor ([`DEMO_PASSCODE`] at
    /// `/login/two_factor`), saying so in this shape (None: no second factor).
    pub two_factor: Option<TwoFactorFlag>,
    /// Every answer waits this long more before it is sent, as a real
    /// appliance takes tens to hundreds of ms (the fleet bench's latency;
    /// zero: none).
    pub latency: Duration,
}

/// How an AsyncOS login answer writes `is2FactorRedirectRequired`: the
/// guide's sample has the string `"true"`/`"false"`, some releases a JSON boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoFactorFlag {
    Text,
    Boolean,
}

/// A request rate over a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: usize,
    pub window: Duration,
    /// Whether a `429` says `Retry-After` (seconds until a slot frees).
    pub retry_after: bool,
}

impl RateLimit {
    /// The FMC's documented limit: 120 requests a minute, with `Retry-After`.
    pub const FMC: RateLimit = RateLimit {
        requests: 120,
        window: Duration::from_secs(60),
        retry_after: true,
    };
}

/// Requests seen in the last window, by the appliance's clock.
pub(crate) struct RateWindow {
    limit: RateLimit,
    seen: VecDeque<Duration>,
}

impl RateWindow {
    pub(crate) fn new(limit: RateLimit) -> RateWindow {
        RateWindow {
            limit,
            seen: VecDeque::new(),
        }
    }

    /// Admits a request at `now`, or says how long until one would be
    /// admitted (whole seconds, at least 1).
    pub(crate) fn admit(&mut self, now: Duration) -> Result<(), u64> {
        while self
            .seen
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= self.limit.window)
        {
            self.seen.pop_front();
        }
        if self.seen.len() < self.limit.requests {
            self.seen.push_back(now);
            return Ok(());
        }
        let frees = self.seen.front().map_or(Duration::ZERO, |first| {
            (*first + self.limit.window).saturating_sub(now)
        });
        Err((frees.as_secs() + u64::from(frees.subsec_nanos() > 0)).max(1))
    }

    pub(crate) fn says_retry_after(&self) -> bool {
        self.limit.retry_after
    }
}

impl ApplianceConfig {
    /// `admin` / [`DEMO_PASSWORD`], tokens never exhausted, JWT refreshed every 5 uses.
    pub fn demo() -> Self {
        ApplianceConfig {
            username: DEMO_USER.to_string(),
            password: DEMO_PASSWORD.to_string(),
            token_max_uses: None,
            jwt_refresh_after: Some(5),
            clock_step: None,
            token_lifetime: None,
            rate_limit: None,
            two_factor: None,
            latency: Duration::ZERO,
        }
    }

    /// Byte-for-byte credential check.
    pub(crate) fn accepts(&self, username: &[u8], password: &[u8]) -> bool {
        username == self.username.as_bytes() && password == self.password.as_bytes()
    }

    /// Whether the request carries HTTP Basic credentials this appliance accepts.
    pub(crate) fn basic_auth_valid(&self, req: &DemoRequest) -> bool {
        let Some(value) = req.header("authorization") else {
            return false;
        };
        let Some((scheme, encoded)) = value.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
            return false;
        };
        match decoded.iter().position(|b| *b == b':') {
            Some(colon) => self.accepts(&decoded[..colon], &decoded[colon + 1..]),
            None => false,
        }
    }
}

/// What an appliance has seen; shared with the CLI/GUI for display and with tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub logins: AtomicU32,
    pub failed_logins: AtomicU32,
    pub logouts: AtomicU32,
    /// Authenticated requests other than login and logout.
    pub requests: AtomicU32,
    pub refreshes: AtomicU32,
    /// `429` answers given (FMC, FDM).
    pub throttled: AtomicU32,
    /// Every session token and JWT handed out, in order (for tests that
    /// search output and files for them).
    pub issued: Mutex<Vec<String>>,
}

impl Stats {
    /// Records a token handed out.
    pub(crate) fn issue(&self, token: &str) {
        lock(&self.issued).push(token.to_string());
    }

    /// Every token handed out so far.
    pub fn issued(&self) -> Vec<String> {
        lock(&self.issued).clone()
    }
}

/// Adds one to a counter.
pub(crate) fn bump(counter: &AtomicU32) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Live session tokens and how often each has been used.
pub(crate) struct TokenStore {
    uses: HashMap<String, u32>,
    max_uses: Option<u32>,
}

impl TokenStore {
    pub(crate) fn new(max_uses: Option<u32>) -> Self {
        TokenStore {
            uses: HashMap::new(),
            max_uses,
        }
    }

    /// Number of live tokens.
    pub(crate) fn live(&self) -> usize {
        self.uses.len()
    }

    pub(crate) fn insert(&mut self, token: String) {
        self.uses.insert(token, 0);
    }

    /// Forgets a token; false if it was not live.
    pub(crate) fn remove(&mut self, token: &str) -> bool {
        self.uses.remove(token).is_some()
    }

    /// Records one use and returns how many times the token has now been
    /// used; None if it is unknown or exhausted (an exhausted token is forgotten).
    pub(crate) fn record_use(&mut self, token: &str) -> Option<u32> {
        let used = *self.uses.get(token)?;
        if self.max_uses.is_some_and(|max| used >= max) {
            self.uses.remove(token);
            return None;
        }
        let used = used.saturating_add(1);
        self.uses.insert(token.to_string(), used);
        Some(used)
    }
}

/// Locks a mutex, recovering the data if a previous holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` random bytes; None only if the system RNG fails.
pub(crate) fn random_bytes(n: usize) -> Option<Vec<u8>> {
    let mut bytes = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(bytes)
}

/// `n` random bytes as lower-case hex (2n characters).
pub(crate) fn random_hex(n: usize) -> Option<String> {
    Some(
        random_bytes(n)?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Whether the request declares a JSON body (`application/json`, any parameters).
pub(crate) fn is_json_content(req: &DemoRequest) -> bool {
    req.header("content-type").is_some_and(|ct| {
        ct.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    })
}

/// A request for handler unit tests: `target` may carry a query string.
#[cfg(test)]
pub(crate) fn test_request(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> DemoRequest {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    DemoRequest {
        method: method.to_string(),
        path: path.to_string(),
        query: super::server::parse_query(query),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

/// `Authorization` value for HTTP Basic, for tests.
#[cfg(test)]
pub(crate) fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_uses_are_limited() {
        let mut store = TokenStore::new(Some(2));
        store.insert("t".into());
        assert_eq!(store.record_use("t"), Some(1));
        assert_eq!(store.record_use("t"), Some(2));
        assert_eq!(store.record_use("t"), None);
        assert_eq!(store.live(), 0);
        assert_eq!(store.record_use("unknown"), None);
    }

    #[test]
    fn basic_auth() {
        let config = ApplianceConfig::demo();
        let ok = test_request(
            "GET",
            "/",
            &[("Authorization", &basic("admin", DEMO_PASSWORD))],
            b"",
        );
        let bad = test_request(
            "GET",
            "/",
            &[("Authorization", &basic("admin", "nope"))],
            b"",
        );
        assert!(config.basic_auth_valid(&ok));
        assert!(!config.basic_auth_valid(&bad));
        assert!(!config.basic_auth_valid(&test_request("GET", "/", &[], b"")));
    }
}
