//! A session's tokens and when to renew them: what a login or refresh
//! handed out, the FMC domain chosen from it, and the decisions (refresh or
//! log in again, pace or send) the engine's session carries out.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::Platform;
use crate::core::error::{Failure, FailureKind};
use crate::core::secret::Secret;

/// What a login or refresh answer handed out.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
    /// How long the access token lives, where the platform says (FDM's
    /// `expires_in`) or documents it (FMC: 30 minutes).
    pub lifetime: Option<Duration>,
    /// FMC: the `DOMAIN_UUID` header, the user's default domain.
    pub domain_uuid: Option<String>,
    /// FMC: the `DOMAINS` header.
    pub domains: Vec<Domain>,
}

impl Tokens {
    /// Just an access token (ASA, FXOS, AsyncOS).
    pub fn access(access: Secret) -> Tokens {
        Tokens {
            access,
            refresh: None,
            lifetime: None,
            domain_uuid: None,
            domains: Vec::new(),
        }
    }

    /// The uuid of the domain named `wanted`, else the default domain; a
    /// name that is not in `DOMAINS` is a refused login listing the names.
    pub fn choose_domain(&self, wanted: Option<&str>) -> Result<Option<String>, Failure> {
        let Some(wanted) = wanted else {
            return Ok(self.domain_uuid.clone());
        };
        if let Some(domain) = self.domains.iter().find(|d| d.name == wanted) {
            return Ok(Some(domain.uuid.clone()));
        }
        let names: Vec<&str> = self.domains.iter().map(|d| d.name.as_str()).collect();
        Err(Failure::new(
            FailureKind::Auth,
            format!("the FMC has no domain {wanted:?} for this user"),
            format!(
                "Use one of the domains the login listed: {}.",
                if names.is_empty() {
                    "(none)".to_string()
                } else {
                    names.join(", ")
                }
            ),
        )
        .with_detail(format!("domains: {}", names.join(", "))))
    }
}

/// An FMC domain of the `DOMAINS` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// `Global`, `Global/Lab`, …
    pub name: String,
    pub uuid: String,
}

/// How to get a usable token again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    Refresh,
    Login,
}

/// The tokens a session holds and how they have been renewed.
#[derive(Debug, Clone)]
pub struct TokenState {
    pub tokens: Tokens,
    /// When the access token was handed out.
    pub issued: Instant,
    /// Refreshes since the last login.
    pub refreshes: u32,
}

/// How long before its end a token is renewed: a minute, or a tenth of a
/// shorter lifetime.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

impl TokenState {
    pub fn new(tokens: Tokens, issued: Instant) -> TokenState {
        TokenState {
            tokens,
            issued,
            refreshes: 0,
        }
    }

    /// Whether the platform's refresh may be used once more.
    pub fn can_refresh(&self, platform: Platform) -> bool {
        self.tokens.refresh.is_some()
            && platform.refresh_request(&self.tokens).is_some()
            && platform
                .max_refreshes()
                .is_none_or(|max| self.refreshes < max)
    }

    /// How to renew a token that the appliance refused.
    pub fn on_rejected(&self, platform: Platform) -> Renewal {
        if self.can_refresh(platform) {
            Renewal::Refresh
        } else {
            Renewal::Login
        }
    }

    /// Whether the token is (about to be) out of time at `now`, and how to
    /// renew it; None while it has time left or its lifetime is unknown.
    pub fn due(&self, platform: Platform, now: Instant) -> Option<Renewal> {
        let lifetime = self.tokens.lifetime?;
        let ends = self.issued + lifetime;
        (now + margin(lifetime) >= ends).then(|| self.on_rejected(platform))
    }

    /// Adopts a refresh answer: new tokens, the domains kept when it names none.
    pub fn refreshed(&mut self, mut tokens: Tokens, now: Instant) {
        if tokens.domains.is_empty() {
            tokens.domains = std::mem::take(&mut self.tokens.domains);
        }
        if tokens.domain_uuid.is_none() {
            tokens.domain_uuid = self.tokens.domain_uuid.take();
        }
        self.tokens = tokens;
        self.issued = now;
        self.refreshes += 1;
    }
}

/// Keeps a session under a request rate (FMC: 120 a minute): remembers
/// when the last requests went out and says how long to wait before the next.
#[derive(Debug, Clone)]
pub struct Pacer {
    per_minute: usize,
    sent: VecDeque<Instant>,
}

impl Pacer {
    pub fn new(per_minute: usize) -> Pacer {
        Pacer {
            per_minute: per_minute.max(1),
            sent: VecDeque::new(),
        }
    }

    /// How long to wait at `now` before sending, so that no minute holds
    /// more than the rate.
    pub fn wait(&mut self, now: Instant) -> Duration {
        let minute = Duration::from_secs(60);
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= minute)
        {
            self.sent.pop_front();
        }
        if self.sent.len() < self.per_minute {
            return Duration::ZERO;
        }
        self.sent.front().map_or(Duration::ZERO, |first| {
            (*first + minute).saturating_duration_since(now)
        })
    }

    /// Records a request sent at `at`.
    pub fn sent(&mut self, at: Instant) {
        self.sent.push_back(at);
        while self.sent.len() > self.per_minute {
            self.sent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(lifetime: u64) -> Tokens {
        Tokens {
            refresh: Some(Secret::new("r")),
            lifetime: Some(Duration::from_secs(lifetime)),
            ..Tokens::access(Secret::new("a"))
        }
    }

    #[test]
    fn fmc_refreshes_three_times_then_logs_in() {
        let t0 = Instant::now();
        let mut state = TokenState::new(tokens(1800), t0);
        assert_eq!(state.due(Platform::Fmc, t0 + Duration::from_secs(60)), None);
        let late = t0 + Duration::from_secs(29 * 60 + 30);
        assert_eq!(state.due(Platform::Fmc, late), Some(Renewal::Refresh));
        for n in 1..=3 {
            assert_eq!(state.on_rejected(Platform::Fmc), Renewal::Refresh, "{n}");
            state.refreshed(tokens(1800), t0);
        }
        assert_eq!(state.refreshes, 3);
        assert_eq!(state.on_rejected(Platform::Fmc), Renewal::Login);
        assert_eq!(state.due(Platform::Fmc, late), Some(Renewal::Login));
    }

    #[test]
    fn fdm_refreshes_when_expired_and_asa_never_expires() {
        let t0 = Instant::now();
        let mut state = TokenState::new(tokens(1800), t0);
        for _ in 0..5 {
            state.refreshed(tokens(1800), t0);
        }
        let expired = t0 + Duration::from_secs(1800);
        assert_eq!(state.due(Platform::Fdm, expired), Some(Renewal::Refresh));
        let asa = TokenState::new(Tokens::access(Secret::new("a")), t0);
        assert_eq!(asa.due(Platform::Asa, expired), None);
        assert_eq!(asa.on_rejected(Platform::Asa), Renewal::Login);
    }

    #[test]
    fn fxos_logs_in_again_before_the_refresh_period_ends() {
        let t0 = Instant::now();
        let login = br#"{"refreshPeriod": "600", "token": "t"}"#;
        let tokens = Platform::Fxos.tokens_from_login(200, &[], login).unwrap();
        let state = TokenState::new(tokens, t0);
        assert_eq!(
            state.due(Platform::Fxos, t0 + Duration::from_secs(500)),
            None
        );
        assert_eq!(
            state.due(Platform::Fxos, t0 + Duration::from_secs(545)),
            Some(Renewal::Login),
            "a minute before the period ends"
        );
        let never = br#"{"refreshPeriod": "0", "token": "t"}"#;
        let tokens = Platform::Fxos.tokens_from_login(200, &[], never).unwrap();
        let state = TokenState::new(tokens, t0);
        assert_eq!(
            state.due(Platform::Fxos, t0 + Duration::from_secs(86_400)),
            None
        );
    }

    #[test]
    fn domains_are_chosen_by_name() {
        let t = Tokens {
            domain_uuid: Some("g".into()),
            domains: vec![
                Domain {
                    name: "Global".into(),
                    uuid: "g".into(),
                },
                Domain {
                    name: "Global/Lab".into(),
                    uuid: "l".into(),
                },
            ],
            ..tokens(1800)
        };
        assert_eq!(t.choose_domain(None).unwrap().as_deref(), Some("g"));
        assert_eq!(
            t.choose_domain(Some("Global/Lab")).unwrap().as_deref(),
            Some("l")
        );
        let unknown = t.choose_domain(Some("Global/Nope")).unwrap_err();
        assert_eq!(unknown.kind, FailureKind::Auth);
        assert!(
            unknown.hint.contains("Global, Global/Lab"),
            "{}",
            unknown.hint
        );
    }

    #[test]
    fn the_pacer_keeps_a_minute_under_the_rate() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(3);
        for i in 0..3 {
            let at = t0 + Duration::from_secs(i);
            assert_eq!(pacer.wait(at), Duration::ZERO);
            pacer.sent(at);
        }
        assert_eq!(
            pacer.wait(t0 + Duration::from_secs(10)),
            Duration::from_secs(50)
        );
        assert_eq!(pacer.wait(t0 + Duration::from_secs(60)), Duration::ZERO);
    }
}
