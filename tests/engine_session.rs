//! The engine's sessions: token reuse, one re-login on a refused token,
//! refreshed JWTs adopted, cancellation — driven through the engine's channels.

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use apx::core::platform::Platform;
use apx::core::request::merge_headers;
use apx::core::tls::Trust;
use apx::demo::{Appliance, ApplianceConfig};
use apx::engine::http::Sink;
use apx::engine::session::{PreparedRequest, SessionSpec, Step};
use apx::engine::{Engine, Event, EventSink, Job, JobRequest, RequestResult};
use support::devices::{pin, session, session_to};
use support::{appliance_with, localhost_cert, runtime};

fn job(a: &Appliance, paths: &[&str]) -> Job {
    let requests = paths
        .iter()
        .map(|p| JobRequest {
            name: p.to_string(),
            request: PreparedRequest {
                method: "GET".into(),
                url: url::Url::parse(&format!("{}{p}", a.url)).unwrap(),
                headers: merge_headers(a.platform.preset_headers(false), &[]),
                body: None,
            },
            sink: Sink::Memory(apx::engine::http::DEFAULT_MAX_BODY),
            all_pages: false,
        })
        .collect();
    Job {
        session: SessionSpec {
            timeout: Duration::from_secs(10),
            ..session(a)
        },
        requests,
        keyring: None,
        keep: None,
    }
}

/// How long a test waits for the engine's next event.
const EVENT_LIMIT: Duration = Duration::from_secs(60);

/// Runs a job through the engine; returns results and every event.
fn run(job: Job) -> (Vec<RequestResult>, Vec<Event>) {
    let (tx, rx) = mpsc::channel();
    let engine = Engine::start(EventSink::new(tx, Arc::new(|| {}))).unwrap();
    let id = engine.run(job);
    let mut events = Vec::new();
    let mut results = Vec::new();
    loop {
        let event = rx
            .recv_timeout(EVENT_LIMIT)
            .expect("the engine reports within the limit");
        if let Event::Finished { result, .. } = &event {
            results.push((**result).clone());
        }
        let done = matches!(event, Event::JobDone { job } if job == id);
        events.push(event);
        if done {
            break;
        }
    }
    (results, events)
}

fn steps(events: &[Event]) -> Vec<Step> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Exchange { record, .. } => Some(record.step),
            _ => None,
        })
        .collect()
}

#[test]
fn one_login_for_many_requests_and_one_logout() {
    let rt = runtime();
    let asa = appliance_with(
        &rt,
        Platform::Asa,
        ApplianceConfig::demo(),
        &localhost_cert(),
    );
    let (results, events) = run(job(&asa, &["/api/monitoring/serialnumber"; 5]));
    assert!(results.iter().all(|r| r.status == Some(200)), "{results:?}");
    assert_eq!(asa.stats.logins.load(SeqCst), 1);
    assert_eq!(asa.stats.logouts.load(SeqCst), 1);
    assert_eq!(asa.connections(), 1, "one TLS handshake, connection reused");
    let steps = steps(&events);
    assert_eq!(steps.first(), Some(&Step::Login));
    assert_eq!(steps.last(), Some(&Step::Logout));
    let logout = events.iter().find_map(|e| match e {
        Event::Exchange { record, .. } if record.step == Step::Logout => Some(record.url.clone()),
        _ => None,
    });
    assert!(logout.unwrap().ends_with("/api/tokenservices/(redacted)"));
}

#[test]
fn refused_token_means_one_fresh_login_and_one_retry() {
    let rt = runtime();
    let config = ApplianceConfig {
        token_max_uses: Some(2),
        ..ApplianceConfig::demo()
    };
    let asa = appliance_with(&rt, Platform::Asa, config, &localhost_cert());
    let (results, events) = run(job(&asa, &["/api/monitoring/serialnumber"; 3]));
    assert!(results.iter().all(|r| r.status == Some(200)), "{results:?}");
    assert_eq!(asa.stats.logins.load(SeqCst), 2);
    assert_eq!(
        steps(&events).iter().filter(|s| **s == Step::Retry).count(),
        1
    );
}

#[test]
fn fxos_552_triggers_relogin() {
    let rt = runtime();
    let config = ApplianceConfig {
        token_max_uses: Some(1),
        ..ApplianceConfig::demo()
    };
    let fxos = appliance_with(&rt, Platform::Fxos, config, &localhost_cert());
    let (results, _) = run(job(&fxos, &["/api/sys/firmware", "/api/chassis/inventory"]));
    assert!(results.iter().all(|r| r.status == Some(200)), "{results:?}");
    assert_eq!(fxos.stats.logins.load(SeqCst), 2);
}

#[test]
fn refreshed_jwt_is_adopted_at_once() {
    let rt = runtime();
    let config = ApplianceConfig {
        jwt_refresh_after: Some(2),
        ..ApplianceConfig::demo()
    };
    let wsa = appliance_with(&rt, Platform::Wsa, config, &localhost_cert());
    let (results, events) = run(job(&wsa, &["/wsa/api/v2.0/health"; 4]));
    assert!(results.iter().all(|r| r.status == Some(200)), "{results:?}");
    assert!(wsa.stats.refreshes.load(SeqCst) >= 1);
    assert_eq!(
        wsa.stats.logins.load(SeqCst),
        1,
        "the refreshed token was used, no new login"
    );
    let noted = events
        .iter()
        .any(|e| matches!(e, Event::Exchange { record, .. } if record.note.is_some()));
    assert!(noted, "the timeline notes the refresh");
}

#[test]
fn cancel_stops_a_slow_request() {
    let rt = runtime();
    let cert = localhost_cert();
    // The server says when the request reached it, and answers long after
    // every wait below: a result within them can only be the cancel's.
    let (arrived_tx, arrived) = mpsc::channel();
    let handler = Arc::new(move |_: &apx::demo::server::DemoRequest| {
        let _ = arrived_tx.send(());
        apx::demo::server::DemoResponse::json(200, &serde_json::json!({}))
            .with_delay(Duration::from_secs(600))
    });
    let server = rt
        .block_on(apx::demo::server::serve_tls(&cert, handler, None))
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let engine = Engine::start(EventSink::new(tx, Arc::new(|| {}))).unwrap();
    let mut spec_job = Job {
        session: SessionSpec {
            timeout: Duration::from_secs(600),
            ..session_to(
                Platform::Generic,
                &server.url(),
                pin(&apx::core::tls::sha256_fingerprint(&cert.cert_der)),
            )
        },
        requests: Vec::new(),
        keyring: None,
        keep: None,
    };
    spec_job.requests.push(JobRequest {
        name: "slow".into(),
        request: PreparedRequest {
            method: "GET".into(),
            url: url::Url::parse(&format!("{}/slow", server.url())).unwrap(),
            headers: Vec::new(),
            body: None,
        },
        sink: Sink::Memory(apx::engine::http::DEFAULT_MAX_BODY),
        all_pages: false,
    });
    let id = engine.run(spec_job);
    arrived
        .recv_timeout(EVENT_LIMIT)
        .expect("the request reached the server");
    engine.cancel(id);
    let result = loop {
        let event = rx.recv_timeout(EVENT_LIMIT).expect("an engine event");
        if let Event::Finished { result, .. } = event {
            break result;
        }
    };
    assert_eq!(
        result.error.unwrap().kind,
        apx::core::error::FailureKind::Cancelled
    );
}

#[test]
fn the_timeline_shows_fdm_refreshes_and_retries() {
    let rt = runtime();
    let config = ApplianceConfig {
        clock_step: Some(Duration::from_secs(16 * 60)),
        ..ApplianceConfig::demo()
    };
    let fdm = appliance_with(&rt, Platform::Fdm, config, &localhost_cert());
    let (results, events) = run(job(&fdm, &["/api/fdm/latest/object/networks"; 3]));
    assert!(results.iter().all(|r| r.status == Some(200)), "{results:?}");
    // 0 and 16 simulated minutes in: fine; 32: expired, refreshed, retried.
    assert_eq!(
        steps(&events),
        [
            Step::Login,
            Step::Request,
            Step::Request,
            Step::Request,
            Step::Refresh,
            Step::Retry,
            Step::Logout
        ]
    );
    let revoke = events.iter().find_map(|e| match e {
        Event::Exchange { record, .. } if record.step == Step::Logout => Some(record.status),
        _ => None,
    });
    assert_eq!(revoke, Some(Some(200)));
}

/// Runs `job` on a running engine and waits for its end; returns its events.
fn run_on(engine: &Engine, rx: &mpsc::Receiver<Event>, job: Job) -> Vec<Event> {
    let id = engine.run(job);
    let mut events = Vec::new();
    loop {
        let event = rx
            .recv_timeout(EVENT_LIMIT)
            .expect("the engine reports within the limit");
        let done = matches!(event, Event::JobDone { job } if job == id);
        events.push(event);
        if done {
            return events;
        }
    }
}

/// A demo ASA, and an engine whose events arrive on the receiver.
fn asa_and_engine() -> (
    tokio::runtime::Runtime,
    Appliance,
    Engine,
    mpsc::Receiver<Event>,
) {
    let rt = runtime();
    let asa = appliance_with(
        &rt,
        Platform::Asa,
        ApplianceConfig::demo(),
        &localhost_cert(),
    );
    let (tx, rx) = mpsc::channel();
    let engine = Engine::start(EventSink::new(tx, Arc::new(|| {}))).unwrap();
    (rt, asa, engine, rx)
}

/// `job` with its session kept open under "fw" for `idle`.
fn kept(job: Job, idle: Duration) -> Job {
    Job {
        keep: Some(apx::engine::kept::Keep {
            key: "fw".into(),
            idle,
        }),
        ..job
    }
}

/// Waits up to the event limit until `done` holds.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + EVENT_LIMIT;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_kept_session_serves_the_next_send_and_is_logged_out_when_the_engine_stops() {
    let (_rt, asa, engine, rx) = asa_and_engine();
    let path = ["/api/monitoring/serialnumber"];
    let first = run_on(
        &engine,
        &rx,
        kept(job(&asa, &path), Duration::from_secs(600)),
    );
    assert_eq!(steps(&first), vec![Step::Login, Step::Request]);
    let second = run_on(
        &engine,
        &rx,
        kept(job(&asa, &path), Duration::from_secs(600)),
    );
    assert_eq!(steps(&second), vec![Step::Reuse, Step::Request]);
    assert_eq!(asa.stats.logins.load(SeqCst), 1);
    assert_eq!(asa.stats.logouts.load(SeqCst), 0, "kept open");
    let open = rx.try_iter().chain(second).filter_map(|e| match e {
        Event::Sessions(open) => Some(open),
        _ => None,
    });
    assert_eq!(open.last(), Some(vec!["fw".to_string()]));
    drop(engine);
    assert_eq!(asa.stats.logouts.load(SeqCst), 1, "logged out on exit");
}

#[test]
fn an_idle_kept_session_is_logged_out_and_the_next_send_logs_in_again() {
    let (_rt, asa, engine, rx) = asa_and_engine();
    let path = ["/api/monitoring/serialnumber"];
    let idle = Duration::from_millis(300);
    run_on(&engine, &rx, kept(job(&asa, &path), idle));
    eventually("the idle logout", || asa.stats.logouts.load(SeqCst) == 1);
    let again = run_on(&engine, &rx, kept(job(&asa, &path), idle));
    assert_eq!(steps(&again), vec![Step::Login, Step::Request]);
    assert_eq!(asa.stats.logins.load(SeqCst), 2);
    eventually("the second idle logout", || {
        asa.stats.logouts.load(SeqCst) == 2
    });
    drop(engine);
    assert_eq!(asa.stats.logouts.load(SeqCst), 2, "nothing left to log out");
}

#[test]
fn a_kept_session_is_not_reused_once_its_device_changes() {
    let (_rt, asa, engine, rx) = asa_and_engine();
    let path = ["/api/monitoring/serialnumber"];
    let idle = Duration::from_secs(600);
    run_on(&engine, &rx, kept(job(&asa, &path), idle));
    // The device's trust changed (a pin became "insecure"): the session
    // opened under the old one is logged out, a new one logs in.
    let mut changed = kept(job(&asa, &path), idle);
    changed.session.trust = Trust::Insecure;
    let events = run_on(&engine, &rx, changed);
    assert_eq!(steps(&events), vec![Step::Login, Step::Request]);
    assert_eq!(asa.stats.logins.load(SeqCst), 2);
    assert_eq!(asa.stats.logouts.load(SeqCst), 1);
    // A device removed or edited in the app: its session goes at once.
    engine.close_sessions(Some("fw".into()));
    eventually("the closing logout", || asa.stats.logouts.load(SeqCst) == 2);
}
