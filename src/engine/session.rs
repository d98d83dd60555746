//! A session with one device: logs in once, reuses the token, adopts
//! refreshed tokens, logs in again once when the token is refused, and logs
//! out at the end.

use std::time::Duration;

use super::http::{Progress, Sink, Transport, WireRequest, WireResponse};
use crate::core::error::{Failure, FailureKind, Remedy};
use crate::core::platform::{AuthMode, FlowRequest, Platform, reason_phrase};
use crate::core::reach::Reach;
use crate::core::request::{Header, check_plain_http};
use crate::core::secret::{Secret, redact};
use crate::core::tls::Trust;

/// The most a login or logout answer may hold: a token and a few fields,
/// never a document.
const FLOW_BODY_LIMIT: u64 = 1 << 20;

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
    /// The proxy and client certificate on the way to the device.
    pub reach: Reach,
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
    Request,
    /// The same request again, after a fresh login.
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
    token: Option<Secret>,
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
            return Err(Failure::usage(
                "FXOS does not accept Basic auth",
                "Use --auth token: apx logs in with POST /api/login.",
            ));
        }
        let transport = Transport::reaching(&spec.trust, &spec.reach)?;
        Ok(Session {
            spec,
            transport,
            token: None,
        })
    }

    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    fn user(&self) -> &str {
        self.spec.user.as_deref().unwrap_or("")
    }

    fn secrets(&self) -> Vec<&Secret> {
        self.token.iter().chain(self.spec.password.iter()).collect()
    }

    /// Sends one request within the session.
    pub async fn send(
        &mut self,
        request: &PreparedRequest,
        sink: &Sink,
        on: &mut (dyn FnMut(SessionEvent<'_>) + Send),
    ) -> Result<WireResponse, Failure> {
        check_plain_http(&request.url, self.spec.https_only)?;
        let fresh_login = self.spec.auth == AuthMode::Token && self.token.is_none();
        if fresh_login {
            self.login(on).await?;
        }
        let response = self.send_once(request, sink, Step::Request, on).await?;
        let refused = self.spec.auth == AuthMode::Token
            && !fresh_login
            && self
                .spec
                .platform
                .token_rejected(response.status, response.body.bytes().unwrap_or_default());
        if !refused {
            return Ok(response);
        }
        self.token = None;
        self.login(on).await?;
        self.send_once(request, sink, Step::Retry, on).await
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
                if let (Some(name), Some(token)) = (self.spec.platform.token_header(), &self.token)
                {
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                    headers.push((name.to_string(), token.clone()));
                }
            }
        }
        let method = parse_method(&request.method)?;
        let wire = WireRequest {
            method,
            url: request.url.clone(),
            headers,
            body: request.body.clone(),
            basic,
        };
        self.exchange(&wire, sink, step, on).await
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
        let body = response.body.bytes().unwrap_or_default();
        match platform.token_from_login(response.status, &response.headers, body) {
            Some(token) => {
                self.token = Some(token);
                Ok(())
            }
            None => {
                let mut failure = http_failure(platform, response.status, body, true)
                    .with_status(response.status);
                failure.kind = FailureKind::Auth;
                if (200..300).contains(&response.status) {
                    failure.message = "the login answered but carried no token".into();
                }
                Err(failure)
            }
        }
    }

    /// Logs out where the platform has a logout; failures are recorded, not raised.
    pub async fn close(&mut self, on: &mut (dyn FnMut(SessionEvent<'_>) + Send)) {
        let Some(token) = self.token.clone() else {
            return;
        };
        let Some(flow) = self.spec.platform.logout_request(&token) else {
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
        self.token = None;
    }

    fn flow_wire(&self, flow: &FlowRequest) -> Result<WireRequest, Failure> {
        let url = url::Url::parse(&format!("{}{}", self.spec.origin, flow.path))
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

    /// One exchange: record it, adopt a refreshed token, report progress.
    async fn exchange(
        &mut self,
        wire: &WireRequest,
        sink: &Sink,
        step: Step,
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
        let mut note = via.map(|proxy| format!("through the proxy {proxy}"));
        if let Ok(response) = &result
            && let Some(fresh) = self.spec.platform.refreshed_token(&response.headers)
            && self.token.as_ref() != Some(&fresh)
            && step != Step::Login
        {
            let refreshed = "token refreshed by the appliance; adopted";
            note = Some(match note {
                Some(hop) => format!("{hop}; {refreshed}"),
                None => refreshed.to_string(),
            });
            self.token = Some(fresh);
        }
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
