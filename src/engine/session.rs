//! A session with one device: logs in once, reuses the token, adopts
//! refreshed tokens, renews a token that runs out or is refused (the
//! platform's refresh, else a fresh login) and retries once, waits out
//! `429`s, paces itself under the platform's rate, and logs out at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::http::{Progress, Sink, Transport, WireRequest, WireResponse};
use crate::core::error::{Failure, FailureKind, Remedy};
use crate::core::platform::tokens::{Pacer, Renewal, TokenState};
use crate::core::platform::{AuthMode, FlowRequest, Platform, header_value, reason_phrase};
use crate::core::reach::Reach;
use crate::core::request::{Header, check_plain_http};
use crate::core::secret::{Secret, redact};
use crate::core::tls::Trust;

/// The most a login or logout answer may hold: a token and a few fields,
/// never a document.
const FLOW_BODY_LIMIT: u64 = 1 << 20;
/// The longest `Retry-After` waited for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// How many times a `429` is retried unless the front end says otherwise.
pub const DEFAULT_RETRIES: u32 = 3;

/// Everything a session needs to know about its device.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    pub platform: Platform,
    /// `scheme://host:port` where login and logout are sent.
    pub origin: String,
    pub auth: AuthMode,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub trust: Trust,
    /// Whole-request timeout, login included.
    pub timeout: Duration,
    /// Set when plain `http://` is refused: the platform (the request's or
    /// the device's) whose guide requires HTTPS ([`crate::core::request::https_only`]).
    pub https_only: Option<Platform>,
    /// FMC: the domain (`Global/Lab`) whose uuid fills `{domainUUID}`;
    /// None: the login's `DOMAIN_UUID`.
    pub domain: Option<String>,
    /// FDM: the API version that replaces `latest` in `/api/fdm/latest/`.
    pub api_version: Option<String>,
    /// How many times a `429 Too Many Requests` is retried.
    pub retries: u32,
    /// The proxy and client certificate on the way to the device.
    pub reach: Reach,
    /// Where the passcode comes from when the login asks for a second factor.
    pub second_factor: SecondFactor,
}

/// The passcode of a two-factor login (AsyncOS), never stored by apx.
#[derive(Clone, Default)]
pub enum SecondFactor {
    /// None at hand: a login that asks for one fails with a usage error.
    #[default]
    Unavailable,
    Passcode(Secret),
    /// Asked (with the user's name) only when the login asks for one,
    /// e.g. a terminal prompt; None when it could not be had.
    Ask(AskPasscode),
}

/// Asks for a passcode, given the user's name.
pub type AskPasscode = Arc<dyn Fn(&str) -> Option<Secret> + Send + Sync>;

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecondFactor::Unavailable => "Unavailable",
            SecondFactor::Passcode(_) => "Passcode((redacted))",
            SecondFactor::Ask(_) => "Ask",
        })
    }
}

/// A request with its headers resolved (presets merged, variables substituted).
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub method: String,
    pub url: url::Url,
    pub headers: Vec<Header>,
    pub body: Option<Vec<u8>>,
}

/// The step of the session an exchange was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Login,
    /// A session kept open since an earlier send was used: no login.
    Reuse,
    /// The platform's refresh of a token that ran out or was refused.
    Refresh,
    Request,
    /// The same request again, after a fresh login or a refresh.
    Retry,
    Logout,
}

/// One exchange of the session, for the timeline and `-v`. Never holds a secret.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExchangeRecord {
    pub step: Step,
    pub method: String,
    /// With tokens and passwords replaced by `(redacted)`.
    pub url: String,
    pub status: Option<u16>,
    pub elapsed_ms: f64,
    /// e.g. "token refreshed by the appliance".
    pub note: Option<String>,
}

/// What a session reports while it works.
pub enum SessionEvent<'a> {
    Exchange(ExchangeRecord),
    Progress(Progress<'a>),
}

pub struct Session {
    spec: SessionSpec,
    transport: Transport,
    state: Option<TokenState>,
    /// FMC: the uuid that fills `{domainUUID}`.
    domain: Option<String>,
    /// FMC: why the domain asked for could not be used (every request fails with it).
    domain_failure: Option<Failure>,
    /// Where the platform documents a rate (FMC).
    pacer: Option<Pacer>,
    /// `429`s retried during the last [`Session::send`].
    retries: u32,
    /// Milliseconds spent waiting for a person to give a passcode, for the
    /// timeout to leave out.
    passcode_wait: Arc<AtomicU64>,
}

impl Session {
    pub fn new(spec: SessionSpec) -> Result<Session, Failure> {
        if spec.auth != AuthMode::None && spec.password.is_none() {
            return Err(Failure::usage(
                "no password for this request",
                "Give --password-env VAR, or store one with `apx device set-password`.",
            )
            .with_remedy(Remedy::EnterPassword));
        }
        if spec.auth == AuthMode::Token && spec.platform.token_flow_name().is_none() {
            return Err(Failure::usage(
                format!("the {} platform has no token login", spec.platform),
                "Use --auth basic, or pass a bearer token with -H 'Authorization: Bearer ...'.",
            ));
        }
        if spec.auth == AuthMode::Basic && !spec.platform.supports_basic() {
            let flow = spec.platform.token_flow_name().unwrap_or_default();
            return Err(Failure::usage(
                format!("{} does not accept Basic auth", spec.platform.label()),
                format!("Use --auth token: apx runs the {flow}."),
            ));
        }
        if let Some(version) = &spec.api_version {
            crate::core::platform::fdm::check_api_version(version)?;
        }
        let transport = Transport::reaching(&spec.trust, &spec.reach)?;
        let pacer = spec.platform.requests_per_minute().map(Pacer::new);
        Ok(Session {
            spec,
            transport,
            state: None,
            domain: None,
            domain_failure: None,
            pacer,
            retries: 0,
            passcode_wait: Arc::default(),
        })
    }

    /// Where the time spent asking for a passcode adds up (ms).
    pub fn passcode_wait(&self) -> Arc<AtomicU64> {
        self.passcode_wait.clone()
    }

    /// How many `429`s the last [`Session::send`] waited out and retried.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The domains the last login listed (FMC), for pickers.
    pub fn domains(&self) -> Vec<crate::core::platform::tokens::Domain> {
        self.state
            .as_ref()
            .map(|s| s.tokens.domains.clone())
            .unwrap_or_default()
    }

    /// Waits until the platform's rate allows another request; front ends
    /// call it outside the request's timeout, so that pacing a long run does
    /// not time its requests out.
    pub async fn pace(&mut self) {
        if let Some(pacer) = &mut self.pacer {
            let wait = pacer.wait(Instant::now());
            if !wait.is_zero() {
                tracing::info!(
                    "pacing: waiting {:.1} s ({} allows {} requests a minute)",
                    wait.as_secs_f64(),
                    self.spec.platform,
                    self.spec.platform.requests_per_minute().unwrap_or_default()
                );
                tokio::time::sleep(wait).await;
            }
        }
    }

    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    /// Whether a login's token is held (a session worth keeping open).
    pub fn is_logged_in(&self) -> bool {
        self.state.is_some()
    }

    /// Where the passcode of a later login comes from (a kept session is
    /// reused by sends that bring their own).
    pub fn set_second_factor(&mut self, second_factor: SecondFactor) {
        self.spec.second_factor = second_factor;
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    fn user(&self) -> &str {
        self.spec.user.as_deref().unwrap_or("")
    }

    fn secrets(&self) -> Vec<&Secret> {
        let tokens = self
            .state
            .iter()
            .flat_map(|s| std::iter::once(&s.tokens.access).chain(s.tokens.refresh.iter()));
        tokens.chain(self.spec.password.iter()).collect()
    }

    /// Sends one request within the session.
    pub async fn send(
        &mut self,
        request: &PreparedRequest,
        sink: &Sink,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        check_plain_http(&request.url, self.spec.https_only)?;
        self.retries = 0;
        if let Some(failure) = &self.domain_failure {
            return Err(failure.clone());
        }
        let platform = self.spec.platform;
        let token_auth = self.spec.auth == AuthMode::Token;
        let fresh_login = token_auth && self.state.is_none();
        if fresh_login {
            self.login(on).await?;
        } else if token_auth
            && let Some(renewal) = self
                .state
                .as_ref()
                .and_then(|s| s.due(platform, Instant::now()))
        {
            self.renew(renewal, on).await?;
        }
        let response = self.send_once(request, sink, Step::Request, on).await?;
        let refused = token_auth
            && !fresh_login
            && platform.token_rejected(response.status, response.body.bytes().unwrap_or_default());
        if !refused {
            return Ok(response);
        }
        let renewal = self
            .state
            .as_ref()
            .map_or(Renewal::Login, |s| s.on_rejected(platform));
        self.renew(renewal, on).await?;
        self.send_once(request, sink, Step::Retry, on).await
    }

    /// Refreshes the token (falling back to a fresh login when the refresh
    /// is refused), or logs in again.
    async fn renew(
        &mut self,
        renewal: Renewal,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<(), Failure> {
        if renewal == Renewal::Refresh && self.refresh(on).await {
            return Ok(());
        }
        self.state = None;
        self.login(on).await
    }

    /// The platform's refresh; false when it could not be used or was refused.
    async fn refresh(&mut self, on: &mut (dyn FnMut(SessionEvent<'_>) + Send)) -> bool {
        let platform = self.spec.platform;
        let Some(flow) = self
            .state
            .as_ref()
            .and_then(|s| platform.refresh_request(&s.tokens))
        else {
            return false;
        };
        let Ok(wire) = self.flow_wire(&flow) else {
            return false;
        };
        let Ok(response) = self
            .exchange(&wire, &Sink::Memory(FLOW_BODY_LIMIT), Step::Refresh, on)
            .await
        else {
            return false;
        };
        let body = response.body.bytes().unwrap_or_default();
        match (
            platform.tokens_from_login(response.status, &response.headers, body),
            &mut self.state,
        ) {
            (Some(tokens), Some(state)) => {
                state.refreshed(tokens, Instant::now());
                true
            }
            _ => false,
        }
    }

    async fn send_once(
        &mut self,
        request: &PreparedRequest,
        sink: &Sink,
        step: Step,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        let mut headers: Vec<(String, Secret)> = request
            .headers
            .iter()
            .filter(|h| h.enabled)
            .map(|h| (h.name.clone(), Secret::new(h.value.clone())))
            .collect();
        let mut basic = None;
        match self.spec.auth {
            AuthMode::None => {}
            AuthMode::Basic => basic = self.credentials(),
            AuthMode::Token => {
                if let Some((name, value)) = self
                    .state
                    .as_ref()
                    .and_then(|s| self.spec.platform.auth_header(&s.tokens.access))
                {
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                    headers.push((name.to_string(), value));
                }
            }
        }
        let method = parse_method(&request.method)?;
        let wire = WireRequest {
            method,
            url: self.session_url(&request.url)?,
            headers,
            body: request.body.clone(),
            basic,
        };
        self.exchange(&wire, sink, step, on).await
    }

    /// The URL as the session sends it (domain and API version filled in).
    pub fn sent_url(&self, url: &url::Url) -> String {
        self.session_url(url)
            .map_or_else(|_| url.to_string(), |u| u.to_string())
    }

    /// The URL with the session's domain and API version filled in.
    fn session_url(&self, url: &url::Url) -> Result<url::Url, Failure> {
        let filled = self.spec.platform.session_path(
            url.as_str(),
            self.domain.as_deref(),
            self.spec.api_version.as_deref(),
        );
        if filled == url.as_str() {
            return Ok(url.clone());
        }
        url::Url::parse(&filled).map_err(|e| Failure::usage(format!("malformed URL: {e}"), ""))
    }

    fn credentials(&self) -> Option<(String, Secret)> {
        self.spec
            .password
            .clone()
            .map(|p| (self.user().to_string(), p))
    }

    /// Runs the platform's login and keeps the token.
    async fn login(
        &mut self,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<(), Failure> {
        let password = self.spec.password.clone().unwrap_or_default();
        let platform = self.spec.platform;
        let flow = platform
            .login_request(self.user(), &password)
            .ok_or_else(|| Failure::usage("this platform has no login flow", ""))?;
        let wire = self.flow_wire(&flow)?;
        let response = self
            .exchange(&wire, &Sink::Memory(FLOW_BODY_LIMIT), Step::Login, on)
            .await
            .map_err(|mut failure| {
                if failure.kind == FailureKind::TooLarge {
                    failure.message = format!(
                        "the login answer passed {} MiB; the transfer was stopped",
                        FLOW_BODY_LIMIT >> 20
                    );
                    failure.hint = "A login answer holds a token and a few fields: check the URL points at the appliance's API.".into();
                }
                failure
            })?;
        let two_factor = platform
            .second_factor_required(response.status, response.body.bytes().unwrap_or_default());
        let response = if two_factor {
            self.second_factor(on).await?
        } else {
            response
        };
        let body = response.body.bytes().unwrap_or_default();
        match platform.tokens_from_login(response.status, &response.headers, body) {
            Some(tokens) => {
                let domain = tokens.choose_domain(self.spec.domain.as_deref());
                // A domain not found still leaves a session to log out of.
                self.state = Some(TokenState::new(tokens, Instant::now()));
                match domain {
                    Ok(uuid) => {
                        self.domain = uuid;
                        Ok(())
                    }
                    Err(failure) => {
                        self.domain_failure = Some(failure.clone());
                        Err(failure)
                    }
                }
            }
            None => {
                let mut failure = http_failure(platform, response.status, body, true)
                    .with_status(response.status);
                failure.kind = FailureKind::Auth;
                if two_factor {
                    failure.message =
                        "the appliance refused the passcode of the second factor".into();
                    failure.hint = "Check the passcode is the current one from the account's authenticator (each is valid once, for a short time).".into();
                } else if (200..300).contains(&response.status) {
                    failure.message = "the login answered but carried no token".into();
                }
                Err(failure)
            }
        }
    }

    /// Completes a login that asked for a second factor with the passcode
    /// the spec gives (sent in this one exchange, never recorded).
    async fn second_factor(
        &mut self,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        let passcode = match &self.spec.second_factor {
            SecondFactor::Unavailable => None,
            SecondFactor::Passcode(passcode) => Some(passcode.clone()),
            SecondFactor::Ask(ask) => {
                let asked = Instant::now();
                let passcode = ask(self.user());
                let ms = u64::try_from(asked.elapsed().as_millis()).unwrap_or(u64::MAX);
                self.passcode_wait.fetch_add(ms, Ordering::Relaxed);
                passcode
            }
        }
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Failure::usage(
                format!(
                    "this account needs a second factor: {} asked for a passcode after the password",
                    self.spec.platform.label()
                ),
                "Give the passcode with --otp-env VAR, or run on a terminal to be prompted for it.",
            )
            .with_remedy(Remedy::EnterPasscode)
        })?;
        let flow = self
            .spec
            .platform
            .two_factor_request(self.user(), &passcode)
            .ok_or_else(|| Failure::usage("this platform has no two-factor login", ""))?;
        let wire = self.flow_wire(&flow)?;
        self.exchange(&wire, &Sink::Memory(FLOW_BODY_LIMIT), Step::Login, on)
            .await
    }

    /// Logs out where the platform has a logout; failures are recorded, not raised.
    pub async fn close(&mut self, on: &mut (dyn FnMut(SessionEvent<'_>) + Send)) {
        let Some(state) = self.state.clone() else {
            return;
        };
        let Some(flow) = self.spec.platform.logout_request(&state.tokens) else {
            self.state = None;
            return;
        };
        if let Ok(wire) = self.flow_wire(&flow) {
            let logout = self.exchange(&wire, &Sink::Memory(FLOW_BODY_LIMIT), Step::Logout, on);
            if tokio::time::timeout(Duration::from_secs(10), logout)
                .await
                .is_err()
            {
                tracing::warn!("logout timed out");
            }
        }
        self.state = None;
    }

    fn flow_wire(&self, flow: &FlowRequest) -> Result<WireRequest, Failure> {
        let path =
            self.spec
                .platform
                .session_path(&flow.path, None, self.spec.api_version.as_deref());
        let url = url::Url::parse(&format!("{}{path}", self.spec.origin))
            .map_err(|e| Failure::usage(format!("malformed login URL: {e}"), ""))?;
        let mut headers: Vec<(String, Secret)> = self
            .spec
            .platform
            .preset_headers(flow.body.is_some())
            .into_iter()
            .map(|h| (h.name, Secret::new(h.value)))
            .collect();
        for (name, value) in &flow.headers {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            headers.push((name.clone(), value.clone()));
        }
        Ok(WireRequest {
            method: parse_method(flow.method)?,
            url,
            headers,
            body: flow.body.clone(),
            basic: if flow.basic { self.credentials() } else { None },
        })
    }

    /// One exchange, its `429`s waited out and retried (at most
    /// `spec.retries` times, after `Retry-After` seconds or 1, 2, 4 s).
    async fn exchange(
        &mut self,
        wire: &WireRequest,
        sink: &Sink,
        step: Step,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        let mut attempt: u32 = 0;
        loop {
            self.pace().await;
            if let Some(pacer) = &mut self.pacer {
                pacer.sent(Instant::now());
            }
            let retry = attempt < self.spec.retries;
            let result = self
                .exchange_once(wire, sink, step, retry, attempt, on)
                .await;
            match &result {
                Ok(response) if response.status == 429 && retry => {
                    let wait = retry_after(&response.headers).unwrap_or(backoff(attempt));
                    attempt += 1;
                    self.retries += 1;
                    tracing::info!(
                        "429 Too Many Requests: retry {attempt} of {} in {:.1} s",
                        self.spec.retries,
                        wait.as_secs_f64()
                    );
                    tokio::time::sleep(wait).await;
                }
                _ => return result,
            }
        }
    }

    /// One exchange: record it, adopt a refreshed token, report progress.
    async fn exchange_once(
        &mut self,
        wire: &WireRequest,
        sink: &Sink,
        step: Step,
        may_retry: bool,
        attempt: u32,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        let url = redact(wire.url.as_str(), &self.secrets());
        let method = wire.method.to_string();
        // The hop, for the timeline and -v.
        let via = self.transport.proxy_for(&wire.url);
        match &via {
            Some(proxy) => tracing::info!("> {method} {url} (through the proxy {proxy})"),
            None => tracing::info!("> {method} {url}"),
        }
        let started = std::time::Instant::now();
        let result = self
            .transport
            .exchange(wire, sink, &mut |p| on(SessionEvent::Progress(p)))
            .await;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut notes: Vec<String> = via
            .map(|proxy| format!("through the proxy {proxy}"))
            .into_iter()
            .chain((attempt > 0).then(|| format!("retry {attempt} after 429")))
            .collect();
        if let Ok(response) = &result
            && let Some(fresh) = self.spec.platform.refreshed_token(&response.headers)
            && step != Step::Login
            && let Some(state) = &mut self.state
            && state.tokens.access != fresh
        {
            notes.push("token refreshed by the appliance; adopted".to_string());
            state.tokens.access = fresh;
        }
        if let Ok(response) = &result
            && response.status == 429
        {
            notes.push(if may_retry {
                "429 Too Many Requests: waiting, then retrying".to_string()
            } else {
                "429 Too Many Requests: no retries left".to_string()
            });
        }
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let status = result.as_ref().ok().map(|r| r.status);
        match &result {
            Ok(r) => tracing::info!(
                "< {} {} ({elapsed_ms:.1} ms, {} bytes){}",
                r.status,
                reason_phrase(r.status),
                r.body.len(),
                note.as_deref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default()
            ),
            Err(f) => tracing::info!("< failed after {elapsed_ms:.1} ms: {}", f.message),
        }
        on(SessionEvent::Exchange(ExchangeRecord {
            step,
            method,
            url,
            status,
            elapsed_ms,
            note,
        }));
        result
    }
}

/// `Retry-After` in seconds (an HTTP date is not trusted: backoff instead),
/// at most [`MAX_RETRY_AFTER`].
fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    let secs: u64 = header_value(headers, "retry-after")?.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// 1, 2, 4, … seconds for the retries of a `429` without `Retry-After`.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << attempt.min(6))
}

fn parse_method(method: &str) -> Result<reqwest::Method, Failure> {
    reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).map_err(|_| {
        Failure::usage(
            format!("invalid method {method:?}"),
            "Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.",
        )
    })
}

/// The failure for a 4xx/5xx answer: status meaning, decoded body, hint.
pub fn http_failure(platform: Platform, status: u16, body: &[u8], during_login: bool) -> Failure {
    let reason = reason_phrase(status);
    let line = format!("HTTP {status} {reason}").trim_end().to_string();
    let mut failure = Failure::new(
        FailureKind::Http,
        line,
        platform.status_hint(status, during_login),
    );
    failure.code = Some(status.to_string());
    if let Some(decoded) = platform.decode_error(body) {
        failure = failure.with_decoded(decoded);
    } else if !body.is_empty() {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            failure.details.push(text);
        }
    }
    failure
}
