//! Sessions the app keeps open between sends (the CLI never asks to): one
//! per key (a device), reused while it was opened with the same settings,
//! and logged out after an idle time, when its settings change (another
//! password, trust or proxy), and when the engine stops.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::session::{Session, SessionSpec};
use super::{Event, EventSink};

/// Keep the job's session open after it, under `key`, for `idle` without
/// a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keep {
    pub key: String,
    pub idle: Duration,
}

struct Kept {
    session: Session,
    fingerprint: u64,
    /// Which keeping this is: an idle timer only closes its own.
    generation: u64,
}

/// The kept sessions, shared by the engine's jobs.
#[derive(Clone)]
pub(super) struct SessionPool {
    kept: Arc<Mutex<HashMap<String, Kept>>>,
    generation: Arc<AtomicU64>,
    /// How many closes there have been: a session opened before one is not
    /// kept after it (its device may have changed meanwhile, or apx exits).
    closes: Arc<AtomicU64>,
    events: EventSink,
}

impl SessionPool {
    pub(super) fn new(events: EventSink) -> SessionPool {
        SessionPool {
            kept: Arc::default(),
            generation: Arc::default(),
            closes: Arc::default(),
            events,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Kept>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session kept under `key`, if it was opened with `spec`'s
    /// settings; one opened with others is logged out instead.
    pub(super) async fn take(&self, key: &str, spec: &SessionSpec) -> Option<Session> {
        let kept = self.lock().remove(key)?;
        self.report();
        if kept.fingerprint == fingerprint(spec) {
            return Some(kept.session);
        }
        logout(kept.session).await;
        None
    }

    /// What a job notes when it is queued, for [`SessionPool::put`].
    pub(super) fn ticket(&self) -> u64 {
        self.closes.load(Ordering::SeqCst)
    }

    /// Counts a close when it is queued: a job queued before it keeps no
    /// session after it, one queued after it does.
    pub(super) fn closing(&self) {
        self.closes.fetch_add(1, Ordering::SeqCst);
    }

    /// Keeps `session` under `key`, and logs it out after `idle` unless it
    /// is taken again first. One kept there meanwhile (a send that ran
    /// alongside) is logged out; so is `session` itself when sessions were
    /// closed since its job's `ticket`.
    pub(super) fn put(&self, key: String, session: Session, idle: Duration, ticket: u64) {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let kept = Kept {
            fingerprint: fingerprint(session.spec()),
            session,
            generation,
        };
        let previous = {
            // Compared under the lock a close counts under.
            let mut pool = self.lock();
            if self.ticket() != ticket {
                drop(pool);
                tokio::spawn(logout(kept.session));
                return;
            }
            pool.insert(key.clone(), kept)
        };
        self.report();
        if let Some(previous) = previous {
            tokio::spawn(logout(previous.session));
        }
        let pool = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(idle).await;
            let expired = {
                let mut kept = pool.lock();
                let ours = kept.get(&key).is_some_and(|k| k.generation == generation);
                if ours { kept.remove(&key) } else { None }
            };
            if let Some(expired) = expired {
                tracing::info!("session {key}: idle for {} s, logging out", idle.as_secs());
                pool.report();
                logout(expired.session).await;
            }
        });
    }

    /// Logs out the session kept under `key`, or every one.
    pub(super) async fn close(&self, key: Option<&str>) {
        let closing: Vec<Kept> = {
            let mut kept = self.lock();
            match key {
                Some(key) => kept.remove(key).into_iter().collect(),
                None => kept.drain().map(|(_, k)| k).collect(),
            }
        };
        if closing.is_empty() {
            return;
        }
        self.report();
        let mut logouts = tokio::task::JoinSet::new();
        for kept in closing {
            logouts.spawn(logout(kept.session));
        }
        while logouts.join_next().await.is_some() {}
    }

    /// Tells the front end which sessions are open.
    fn report(&self) {
        let mut keys: Vec<String> = self.lock().keys().cloned().collect();
        keys.sort();
        self.events.emit(Event::Sessions(keys));
    }
}

async fn logout(mut session: Session) {
    session.close(&mut |_| {}).await;
}

/// What a kept session must match to be reused: everything that decides
/// where it logs in, as whom, through what and trusting what (the
/// password hashed, in memory only).
fn fingerprint(spec: &SessionSpec) -> u64 {
    let mut h = DefaultHasher::new();
    let settings = format!(
        "{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
        spec.platform,
        spec.origin,
        spec.auth,
        spec.user,
        spec.trust,
        spec.timeout,
        spec.https_only,
        spec.domain,
        spec.api_version,
        spec.retries,
        spec.reach,
    );
    settings.hash(&mut h);
    spec.password.as_ref().map(|p| p.expose()).hash(&mut h);
    let proxy_password = spec.reach.proxy_credentials.as_ref();
    proxy_password.map(|c| c.password.expose()).hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::session_choice::SessionChoice;

    fn session() -> Session {
        let url = url::Url::parse("https://10.0.0.1/").unwrap();
        let spec = SessionChoice::default().spec(&url, Duration::from_secs(1), None);
        Session::new(spec).unwrap()
    }

    #[tokio::test]
    async fn a_session_opened_before_a_close_is_not_kept_after_it() {
        let pool = SessionPool::new(EventSink::to(|_| {}));
        let idle = Duration::from_secs(60);
        // A send under way while a device is edited (or apx exits).
        let ticket = pool.ticket();
        pool.closing();
        pool.close(Some("another device")).await;
        pool.put("fw".into(), session(), idle, ticket);
        assert!(pool.lock().is_empty(), "kept after the close");
        let ticket = pool.ticket();
        pool.put("fw".into(), session(), idle, ticket);
        assert_eq!(pool.lock().len(), 1);
    }
}
