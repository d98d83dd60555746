//! The async engine: a tokio runtime on background threads. Commands go in
//! over a channel; events come out over another, with a wake-up callback so
//! that a GUI can repaint. The CLI drives the same engine and blocks on events.

pub mod ansible;
mod body_check;
pub mod client_key;
pub mod fanout;
pub mod filter_process;
pub mod history_record;
pub mod http;
pub mod kept;
pub mod keyring;
pub mod paging;
pub mod probe;
pub mod proxy;
pub mod session;
pub mod session_choice;
pub mod session_plan;
pub mod spec_fetch;
pub mod tls;
/// The frame check moved to the core (workspace and history files assert it too).
pub use crate::core::ui_thread;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc as tmpsc, oneshot};

use crate::core::error::{Failure, FailureKind, Remedy};
use crate::core::json_check::Verdict;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::{
    is_credential_header, merge_headers, plain_http_warning, redact_response_headers,
};
use crate::core::workspace::atomic;
use crate::core::workspace::variables::Prepared;
use http::{Body, Progress, Sink};
use session::{ExchangeRecord, PreparedRequest, Session, SessionEvent, SessionSpec, http_failure};
use tls::Handshake;

pub type JobId = u64;

/// Requests run against one device within one session.
#[derive(Debug, Clone)]
pub struct Job {
    pub session: SessionSpec,
    pub requests: Vec<JobRequest>,
    /// When the session has no password but needs one, read the device's
    /// keyring entry (off the caller's thread).
    pub keyring: Option<keyring::KeyringKey>,
    /// Keep the session open for the next job with this key (the app);
    /// None: log out at the end (the CLI).
    pub keep: Option<kept::Keep>,
}

#[derive(Debug, Clone)]
pub struct JobRequest {
    /// The saved request's name, or empty for an ad-hoc one.
    pub name: String,
    pub request: PreparedRequest,
    pub sink: Sink,
    /// Follow the collection's pages and answer with them merged
    /// ([`paging::walk`]).
    pub all_pages: bool,
}

impl JobRequest {
    /// A prepared (variables substituted) request with the platform's
    /// preset headers merged in under its own.
    pub fn from_prepared(name: String, prepared: Prepared, sink: Sink) -> JobRequest {
        let presets = prepared.platform.preset_headers(prepared.body.is_some());
        JobRequest {
            name,
            request: PreparedRequest {
                method: prepared.method,
                url: prepared.url,
                headers: merge_headers(presets, &prepared.headers),
                body: prepared.body,
            },
            sink,
            all_pages: false,
        }
    }
}

/// What goes into the engine.
pub enum Command {
    /// Boxed: a job (its session spec, requests and sinks) is large.
    Run {
        id: JobId,
        job: Box<Job>,
    },
    /// Each device's jobs one after another, at most `concurrency` devices
    /// at a time ([`fanout`]).
    FanOut {
        devices: Vec<Vec<(JobId, Job)>>,
        places: fanout::Places,
    },
    Cancel(JobId),
    /// Cancels these jobs at once: none of them starts after another ends.
    CancelAll(Vec<JobId>),
    Keyring {
        id: JobId,
        op: KeyringOp,
    },
    /// Logs out the session kept under `key`, or every one; `done` hears
    /// when the logouts are over.
    CloseSessions {
        key: Option<String>,
        done: Option<mpsc::Sender<()>>,
    },
}

/// A change to the OS keyring, made off the caller's thread (the keyring
/// talks D-Bus, which may block).
#[derive(Debug, Clone)]
pub enum KeyringOp {
    Store {
        key: keyring::KeyringKey,
        password: crate::core::secret::Secret,
    },
    Delete {
        key: keyring::KeyringKey,
    },
    Rename {
        key: keyring::KeyringKey,
        new_name: String,
    },
    /// Stores (or, with None, forgets) the credentials of the proxy
    /// `proxy` (`scheme://host:port`).
    ProxyCredentials {
        proxy: String,
        credentials: Option<crate::core::reach::ProxyCredentials>,
    },
    /// Stores the passphrase of the encrypted client key at `path`.
    KeyPassphrase {
        path: std::path::PathBuf,
        passphrase: crate::core::secret::Secret,
    },
}

impl KeyringOp {
    /// Carries the change out; says what was done, for people.
    fn apply(self) -> Result<String, Failure> {
        match self {
            KeyringOp::Store { key, password } => keyring::set_password(&key, &password)
                .map(|()| format!("password for {} stored in the OS keyring", key.device)),
            KeyringOp::Delete { key } => keyring::delete_password(&key)
                .map(|()| format!("keyring password of {} removed", key.device)),
            KeyringOp::Rename { key, new_name } => keyring::rename(&key, &new_name)
                .map(|()| format!("keyring password moved from {} to {new_name}", key.device)),
            KeyringOp::ProxyCredentials { proxy, credentials } => match credentials {
                Some(credentials) => {
                    keyring::set_proxy_credentials(&proxy, &credentials).map(|()| {
                        format!("credentials for the proxy {proxy} stored in the OS keyring")
                    })
                }
                None => keyring::forget_proxy(&proxy)
                    .map(|()| format!("keyring credentials of the proxy {proxy} removed")),
            },
            KeyringOp::KeyPassphrase { path, passphrase } => {
                keyring::set_key_passphrase(&path, &passphrase)
                    .map(|()| format!("passphrase of {} stored in the OS keyring", path.display()))
            }
        }
    }
}

/// What comes out of the engine.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        job: JobId,
        index: usize,
    },
    /// A handshake happened (or failed); the chain the server presented.
    Tls {
        job: JobId,
        handshake: Handshake,
    },
    Head {
        job: JobId,
        index: usize,
        status: u16,
    },
    Progress {
        job: JobId,
        index: usize,
        received: u64,
        total: Option<u64>,
    },
    /// Page `number` of an all-pages request is being sent; `of` pages in
    /// all, when the collection says.
    Page {
        job: JobId,
        index: usize,
        number: u32,
        of: Option<u64>,
    },
    Exchange {
        job: JobId,
        record: ExchangeRecord,
    },
    Finished {
        job: JobId,
        index: usize,
        result: Box<RequestResult>,
    },
    JobDone {
        job: JobId,
    },
    /// A keyring change is done (or failed).
    Keyring {
        id: JobId,
        outcome: Result<String, Failure>,
    },
    /// The keys of the sessions kept open now.
    Sessions(Vec<String>),
}

/// The outcome of one request.
#[derive(Debug, Clone)]
pub struct RequestResult {
    pub name: String,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub elapsed: Duration,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// What the in-memory body was found to be as it arrived, when its
    /// sink asked (`Sink::MemoryJson`).
    pub body_json: Option<Verdict>,
    pub error: Option<Failure>,
    pub handshake: Option<Handshake>,
    /// For people: credentials sent over plain HTTP, say.
    pub warnings: Vec<String>,
    /// `429 Too Many Requests` answers waited out and retried.
    pub retries: u32,
    /// FMC: the names of the domains the session's login listed (`DOMAINS`).
    pub domains: Vec<String>,
    /// For an all-pages request: the pages sent (the failed one included).
    pub pages: Option<u32>,
    /// What the request carried, for the history.
    pub sent: Sent,
}

/// What a request carried beyond its method and URL: its own headers (not
/// the platform's presets, which every send adds again), credential
/// headers left out, and its body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sent {
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Sent {
    fn of(request: &PreparedRequest, platform: Platform) -> Sent {
        let presets = platform.preset_headers(request.body.is_some());
        let headers = request
            .headers
            .iter()
            .filter(|h| h.enabled && !is_credential_header(&h.name))
            .filter(|h| {
                !presets
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case(&h.name) && p.value == h.value)
            })
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        Sent {
            headers,
            body: request.body.clone(),
        }
    }
}

impl RequestResult {
    /// Exit code of this result per the CLI contract.
    pub fn exit_code(&self) -> u8 {
        self.error.as_ref().map_or(0, |e| e.kind.exit_code())
    }
}

/// Where events go: a channel plus a wake-up (e.g. `ctx.request_repaint`),
/// or any callback (the app's one inbox).
#[derive(Clone)]
pub struct EventSink {
    deliver: Arc<dyn Fn(Event) + Send + Sync>,
}

impl EventSink {
    pub fn new(tx: mpsc::Sender<Event>, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        EventSink::to(move |event| {
            // A receiver that went away (window closed) is not an error here.
            let _ = tx.send(event);
            wake();
        })
    }

    /// Events handed to `deliver`, which must not block.
    pub fn to(deliver: impl Fn(Event) + Send + Sync + 'static) -> Self {
        EventSink {
            deliver: Arc::new(deliver),
        }
    }

    fn emit(&self, event: Event) {
        (self.deliver)(event);
    }
}

/// The engine: owns the runtime and the command channel.
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    commands: tmpsc::UnboundedSender<Command>,
    next_id: AtomicU64,
}

impl Engine {
    /// Starts the runtime (two worker threads) and the dispatcher.
    pub fn start(events: EventSink) -> std::io::Result<Engine> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("apx-engine")
            .enable_all()
            .build()?;
        let (commands, rx) = tmpsc::unbounded_channel();
        let pool = kept::SessionPool::new(events.clone());
        runtime.spawn(dispatch(rx, events, pool));
        Ok(Engine {
            runtime,
            commands,
            next_id: AtomicU64::new(1),
        })
    }

    /// Queues a job; its events carry the returned id.
    pub fn run(&self, job: Job) -> JobId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let _ = self.commands.send(Command::Run {
            id,
            job: Box::new(job),
        });
        id
    }

    /// An id no job will carry: for a result shown without running one
    /// (reopened from the history or a folder run).
    pub fn reserve_id(&self) -> JobId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Queues a fan-out: each device's jobs run one after another in its
    /// own sessions, at most `concurrency` devices at a time. Returns each
    /// device's job ids; every job ends with [`Event::JobDone`] (cancelled
    /// ones too).
    pub fn fan_out(&self, devices: Vec<Vec<Job>>, concurrency: usize) -> Vec<Vec<JobId>> {
        self.queue_fan_out(devices, fanout::Places::new(concurrency, false))
    }

    /// As [`Engine::fan_out`], but a device keeps its place until the
    /// caller has taken its results ([`fanout::Pacing::taken`]): results
    /// that the caller has not printed yet count toward the concurrency, so
    /// a slow reader holds at most `concurrency` devices' answers.
    pub fn fan_out_paced(
        &self,
        devices: Vec<Vec<Job>>,
        concurrency: usize,
    ) -> (Vec<Vec<JobId>>, fanout::Pacing) {
        let places = fanout::Places::new(concurrency, true);
        let pacing = places.pacing();
        (self.queue_fan_out(devices, places), pacing)
    }

    fn queue_fan_out(&self, devices: Vec<Vec<Job>>, places: fanout::Places) -> Vec<Vec<JobId>> {
        let devices: Vec<Vec<(JobId, Job)>> = devices
            .into_iter()
            .map(|jobs| {
                jobs.into_iter()
                    .map(|job| (self.reserve_id(), job))
                    .collect()
            })
            .collect();
        let ids = devices
            .iter()
            .map(|jobs| jobs.iter().map(|(id, _)| *id).collect())
            .collect();
        let _ = self.commands.send(Command::FanOut { devices, places });
        ids
    }

    pub fn cancel(&self, id: JobId) {
        let _ = self.commands.send(Command::Cancel(id));
    }

    /// Cancels every job of `ids` in one step (a fan-out's Cancel all: a
    /// device waiting its turn cannot start between two cancellations).
    pub fn cancel_all(&self, ids: Vec<JobId>) {
        let _ = self.commands.send(Command::CancelAll(ids));
    }

    /// Queues a keyring change; [`Event::Keyring`] with the returned id
    /// reports its outcome.
    pub fn keyring(&self, op: KeyringOp) -> JobId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let _ = self.commands.send(Command::Keyring { id, op });
        id
    }

    /// The runtime, for other async work (probes, demo servers).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }

    /// Logs out the session kept under `key` (its device changed), or every
    /// kept session, in the background.
    pub fn close_sessions(&self, key: Option<String>) {
        let _ = self
            .commands
            .send(Command::CloseSessions { key, done: None });
    }

    /// Logs out every kept session, waiting for the logouts up to `limit`.
    pub fn close_sessions_within(&self, limit: Duration) {
        let (done, over) = mpsc::channel();
        let close = Command::CloseSessions {
            key: None,
            done: Some(done),
        };
        if self.commands.send(close).is_ok() {
            let _ = over.recv_timeout(limit);
        }
    }
}

/// How long stopping the engine waits for kept sessions' logouts.
pub const LOGOUT_ON_EXIT: Duration = Duration::from_secs(5);

impl Drop for Engine {
    /// No session outlives the engine: an appliance's session slots (an ASA
    /// has few) are given back.
    fn drop(&mut self) {
        self.close_sessions_within(LOGOUT_ON_EXIT);
    }
}

async fn dispatch(
    mut rx: tmpsc::UnboundedReceiver<Command>,
    events: EventSink,
    pool: kept::SessionPool,
) {
    let mut cancels: HashMap<JobId, oneshot::Sender<()>> = HashMap::new();
    let (done_tx, mut done_rx) = tmpsc::unbounded_channel::<JobId>();
    loop {
        tokio::select! {
            command = rx.recv() => match command {
                Some(Command::Run { id, job }) => {
                    let (cancel_tx, cancel_rx) = oneshot::channel();
                    cancels.insert(id, cancel_tx);
                    let events = events.clone();
                    let done = done_tx.clone();
                    let pool = pool.clone();
                    // Sessions closed after this (a device edited, apx
                    // exiting) are not kept after this job.
                    let ticket = pool.ticket();
                    tokio::spawn(async move {
                        run_job(id, *job, cancel_rx, &events, &pool, ticket).await;
                        let _ = done.send(id);
                        events.emit(Event::JobDone { job: id });
                    });
                }
                Some(Command::FanOut { devices, places }) => {
                    let devices = devices
                        .into_iter()
                        .map(|jobs| {
                            jobs.into_iter()
                                .map(|(id, job)| {
                                    let (cancel_tx, cancel_rx) = oneshot::channel();
                                    cancels.insert(id, cancel_tx);
                                    (id, job, cancel_rx)
                                })
                                .collect()
                        })
                        .collect();
                    fanout::spawn(devices, places, &events, &done_tx, &pool);
                }
                Some(Command::Keyring { id, op }) => {
                    let events = events.clone();
                    tokio::spawn(async move {
                        let outcome = tokio::task::spawn_blocking(move || op.apply())
                            .await
                            .unwrap_or_else(|e| Err(Failure::usage(format!("keyring task failed: {e}"), "")));
                        events.emit(Event::Keyring { id, outcome });
                    });
                }
                Some(Command::CloseSessions { key, done }) => {
                    pool.closing();
                    let pool = pool.clone();
                    tokio::spawn(async move {
                        pool.close(key.as_deref()).await;
                        if let Some(done) = done {
                            let _ = done.send(());
                        }
                    });
                }
                Some(Command::Cancel(id)) => {
                    if let Some(cancel) = cancels.remove(&id) {
                        let _ = cancel.send(());
                    }
                }
                Some(Command::CancelAll(ids)) => {
                    for cancel in ids.iter().filter_map(|id| cancels.remove(id)) {
                        let _ = cancel.send(());
                    }
                }
                None => break,
            },
            Some(id) = done_rx.recv() => {
                cancels.remove(&id);
            }
        }
    }
}

/// Runs every request of the job in one session (a kept one, when the job
/// may reuse it), then logs out or keeps the session.
async fn run_job(
    id: JobId,
    mut job: Job,
    mut cancel: oneshot::Receiver<()>,
    events: &EventSink,
    pool: &kept::SessionPool,
    ticket: u64,
) {
    let timeout = job.session.timeout;
    let platform = job.session.platform;
    let mut stored = Ok(None);
    if job.session.password.is_none()
        && job.session.auth != AuthMode::None
        && let Some(key) = job.keyring.clone()
    {
        stored = tokio::task::spawn_blocking(move || {
            keyring::password(&key).and_then(|found| found.into_password(&key))
        })
        .await
        .unwrap_or_else(|e| Err(Failure::usage(format!("keyring lookup failed: {e}"), "")));
    }
    job.session.reach = proxy::with_stored_credentials(job.session.reach).await;
    job.session.reach = client_key::with_stored_passphrase(job.session.reach).await;
    let session = match stored {
        Ok(password) => {
            job.session.password = job.session.password.take().or(password);
            match &job.keep {
                Some(keep) => match pool.take(&keep.key, &job.session).await {
                    Some(mut session) => {
                        session.set_second_factor(job.session.second_factor.clone());
                        events.emit(Event::Exchange {
                            job: id,
                            record: reused(&session),
                        });
                        Ok(session)
                    }
                    None => open_session(job.session).await,
                },
                None => open_session(job.session).await,
            }
        }
        Err(failure) => Err(failure),
    };
    let mut session = match session {
        Ok(s) => s,
        Err(failure) => {
            for (index, request) in job.requests.iter().enumerate() {
                let result =
                    failed_result(request, platform, failure.clone(), Duration::ZERO, None);
                events.emit(Event::Finished {
                    job: id,
                    index,
                    result: Box::new(result),
                });
            }
            return;
        }
    };
    let mut last_handshake: Option<Handshake> = None;
    let mut stopped = false;
    for (index, request) in job.requests.iter().enumerate() {
        events.emit(Event::Started { job: id, index });
        let started = Instant::now();
        let mut on = |event: SessionEvent<'_>| match event {
            SessionEvent::Exchange(record) => events.emit(Event::Exchange { job: id, record }),
            SessionEvent::Progress(Progress::Head { status, .. }) => events.emit(Event::Head {
                job: id,
                index,
                status,
            }),
            SessionEvent::Progress(Progress::Bytes { received, total }) => {
                events.emit(Event::Progress {
                    job: id,
                    index,
                    received,
                    total,
                })
            }
        };
        // Pacing a long run under the platform's rate is not the request's time.
        let paced = tokio::select! {
            () = session.pace() => true,
            _ = &mut cancel => false,
        };
        let mut on_page = |number, of| {
            events.emit(Event::Page {
                job: id,
                index,
                number,
                of,
            })
        };
        let (outcome, paged) = if paced {
            let sent = async {
                if request.all_pages {
                    let paged = paging::walk(
                        &mut session,
                        &request.request,
                        &request.sink,
                        timeout,
                        &mut on_page,
                        &mut on,
                    )
                    .await;
                    (paged.outcome, Some((paged.pages, paged.url)))
                } else {
                    let waited = session.passcode_wait();
                    let sent = session.send(&request.request, &request.sink, &mut on);
                    (within(timeout, waited, sent).await, None)
                }
            };
            tokio::select! {
                sent = sent => sent,
                _ = &mut cancel => (Err(cancelled()), None),
            }
        } else {
            (Err(cancelled()), None)
        };
        let url = paged.as_ref().map_or_else(
            || session.sent_url(&request.request.url),
            |(_, url)| url.to_string(),
        );
        let pages = paged.map(|(pages, _)| pages);
        let handshake = session.transport().handshake();
        if handshake.is_some() && handshake != last_handshake {
            last_handshake = handshake.clone();
            if let Some(h) = handshake.clone() {
                events.emit(Event::Tls {
                    job: id,
                    handshake: h,
                });
            }
        }
        let elapsed = started.elapsed();
        let platform = session.spec().platform;
        let sent = outcome.is_ok()
            || outcome
                .as_ref()
                .is_err_and(|f| f.kind != FailureKind::Usage);
        let warnings: Vec<String> = plain_http_warning(
            &request.request.url,
            session.spec().auth,
            &request.request.headers,
        )
        .filter(|_| sent)
        .into_iter()
        .collect();
        let result = match outcome {
            Ok(response) => {
                let error = (response.status >= 400).then(|| {
                    http_failure(
                        platform,
                        response.status,
                        response.body.bytes().unwrap_or_default(),
                        false,
                    )
                });
                let body = write_error_body(response.body, &request.sink).await;
                RequestResult {
                    name: request.name.clone(),
                    method: request.request.method.clone(),
                    url,
                    status: Some(response.status),
                    elapsed,
                    headers: redact_response_headers(response.headers),
                    body,
                    body_json: response.json,
                    error,
                    handshake,
                    warnings,
                    retries: session.retries(),
                    domains: domain_names(&session),
                    sent: Sent::of(&request.request, platform),
                    pages,
                }
            }
            Err(failure) => RequestResult {
                warnings,
                retries: session.retries(),
                domains: domain_names(&session),
                url,
                pages,
                ..failed_result(request, platform, failure, elapsed, handshake)
            },
        };
        let cancelled = result
            .error
            .as_ref()
            .is_some_and(|e| e.kind == FailureKind::Cancelled);
        events.emit(Event::Finished {
            job: id,
            index,
            result: Box::new(result),
        });
        if cancelled {
            stopped = true;
            break;
        }
    }
    // A session cut short may be half way through an exchange, and one
    // that never logged in has nothing worth keeping.
    if let Some(keep) = job.keep.filter(|_| !stopped && session.is_logged_in()) {
        pool.put(keep.key, session, keep.idle, ticket);
        return;
    }
    let mut on = |event: SessionEvent<'_>| {
        if let SessionEvent::Exchange(record) = event {
            events.emit(Event::Exchange { job: id, record });
        }
    };
    session.close(&mut on).await;
}

/// A new session, built off the async threads: decrypting a client key
/// may take seconds of key derivation.
async fn open_session(spec: SessionSpec) -> Result<Session, Failure> {
    tokio::task::spawn_blocking(move || Session::new(spec))
        .await
        .unwrap_or_else(|e| Err(Failure::usage(format!("session setup failed: {e}"), "")))
}

/// The timeline's entry for a send that used a kept session.
fn reused(session: &Session) -> ExchangeRecord {
    ExchangeRecord {
        step: session::Step::Reuse,
        method: String::new(),
        url: session.spec().origin.clone(),
        status: None,
        elapsed_ms: 0.0,
        note: Some("session kept open from an earlier send: no login".into()),
    }
}

fn cancelled() -> Failure {
    Failure::new(
        FailureKind::Cancelled,
        "cancelled",
        "The request was cancelled before it completed.",
    )
}

/// Error bodies are kept in memory for decoding; with `-o`, write them out
/// too (atomically, like any body).
async fn write_error_body(body: Body, sink: &Sink) -> Body {
    let (Body::Memory(bytes), Sink::File { path, .. }) = (&body, sink) else {
        return body;
    };
    let (bytes, target) = (bytes.clone(), path.clone());
    let written = tokio::task::spawn_blocking(move || atomic::write_atomic(&target, &bytes))
        .await
        .map_err(std::io::Error::other)
        .and_then(|r| r);
    match written {
        Ok(()) => Body::File {
            path: path.clone(),
            len: body.len(),
        },
        Err(e) => {
            tracing::warn!("cannot write {}: {e}", path.display());
            body
        }
    }
}

fn failed_result(
    request: &JobRequest,
    platform: Platform,
    failure: Failure,
    elapsed: Duration,
    handshake: Option<Handshake>,
) -> RequestResult {
    RequestResult {
        name: request.name.clone(),
        method: request.request.method.clone(),
        url: request.request.url.to_string(),
        status: failure.status,
        elapsed,
        headers: Vec::new(),
        body: Body::Memory(Default::default()),
        body_json: None,
        error: Some(failure),
        handshake,
        warnings: Vec::new(),
        retries: 0,
        domains: Vec::new(),
        sent: Sent::of(&request.request, platform),
        pages: None,
    }
}

fn domain_names(session: &Session) -> Vec<String> {
    session.domains().into_iter().map(|d| d.name).collect()
}

/// `send` given `timeout` to complete, login included; the time a person
/// took to type a passcode (`waited`, in ms, [`Session::passcode_wait`]) does
/// not count.
async fn within<T>(
    timeout: Duration,
    waited: Arc<AtomicU64>,
    send: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    tokio::pin!(send);
    let mut deadline = tokio::time::Instant::now() + timeout;
    loop {
        tokio::select! {
            biased;
            sent = &mut send => return sent,
            () = tokio::time::sleep_until(deadline) => {
                match waited.swap(0, Ordering::Relaxed) {
                    0 => break,
                    ms => deadline += Duration::from_millis(ms.min(86_400_000)),
                }
            }
        }
    }
    Err(Failure::new(
        FailureKind::Timeout,
        format!("no complete answer within {} s", timeout.as_secs_f64()),
        "The appliance is slow or unreachable: check it responds, or raise --timeout.",
    )
    .with_remedy(Remedy::RaiseTimeout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn typing_a_passcode_does_not_count_toward_the_timeout() {
        let waited = Arc::new(AtomicU64::new(0));
        let typed = waited.clone();
        let send = async move {
            // A prompt that blocks past the timeout, as a terminal does.
            std::thread::sleep(Duration::from_millis(100));
            typed.fetch_add(60_000, Ordering::Relaxed);
            // The rest of the login, past the original deadline too.
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok(())
        };
        assert_eq!(
            within(Duration::from_millis(20), waited, send).await,
            Ok(())
        );
        let stalled = within(
            Duration::from_millis(20),
            Arc::new(AtomicU64::new(0)),
            std::future::pending::<Result<(), Failure>>(),
        );
        assert_eq!(stalled.await.unwrap_err().kind, FailureKind::Timeout);
    }
    use crate::core::request::Header;

    #[test]
    fn sent_keeps_the_requests_own_headers_and_body_but_no_credential() {
        let request = PreparedRequest {
            method: "POST".into(),
            url: url::Url::parse("https://fw/api/cli").unwrap(),
            headers: merge_headers(
                Platform::Asa.preset_headers(true),
                &[
                    Header::new("X-Trace", "1"),
                    Header::new("Authorization", "Basic YWRtaW46cHc="),
                    Header::new("X-Api-Key", "k3y"),
                    Header::new("Content-Type", "text/plain"),
                ],
            ),
            body: Some(b"{}".to_vec()),
        };
        let sent = Sent::of(&request, Platform::Asa);
        let own = |name: &str, value: &str| (name.to_string(), value.to_string());
        assert_eq!(
            sent.headers,
            vec![own("X-Trace", "1"), own("Content-Type", "text/plain")]
        );
        assert_eq!(sent.body.as_deref(), Some(&b"{}"[..]));
    }
}
