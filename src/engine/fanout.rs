//! The fan-out scheduler: one request (or a collection) to many devices.
//! Each device's jobs run one after another in that device's own sessions
//! (so a platform's per-device pacing holds), and at most `concurrency`
//! devices are under way at a time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc as tmpsc, oneshot};

use super::kept::SessionPool;
use super::{Event, EventSink, Job, JobId, failed_result, run_job};
use crate::core::error::{Failure, FailureKind};

/// The places devices take while under way.
pub struct Places {
    semaphore: Arc<Semaphore>,
    /// A device's place is given back by the caller ([`Pacing::taken`]),
    /// not when its jobs end.
    paced: bool,
}

impl Places {
    pub(super) fn new(concurrency: usize, paced: bool) -> Places {
        Places {
            semaphore: Arc::new(Semaphore::new(concurrency.max(1))),
            paced,
        }
    }

    pub(super) fn pacing(&self) -> Pacing {
        Pacing(self.semaphore.clone())
    }
}

/// How the caller of a paced fan-out gives a device's place back.
pub struct Pacing(Arc<Semaphore>);

impl Pacing {
    /// The results of one device that had jobs are taken: another device
    /// may start.
    pub fn taken(&self) {
        self.0.add_permits(1);
    }
}

/// A job with its id and its cancel signal.
pub(super) type Queued = (JobId, Job, oneshot::Receiver<()>);

/// Gives each device in turn a place among the `concurrency` under way;
/// a device with a place runs its jobs in order, then frees it. A job cancelled
/// before it started answers each request "cancelled" without connecting.
pub(super) fn spawn(
    devices: Vec<Vec<Queued>>,
    places: Places,
    events: &EventSink,
    done: &tmpsc::UnboundedSender<JobId>,
    pool: &SessionPool,
) {
    let Places { semaphore, paced } = places;
    let (events, done, pool) = (events.clone(), done.clone(), pool.clone());
    // Places are taken in the devices' order by this one task.
    tokio::spawn(async move {
        // A device without jobs takes no place.
        for jobs in devices.into_iter().filter(|jobs| !jobs.is_empty()) {
            // The semaphore is never closed: acquiring cannot fail.
            let Ok(place) = semaphore.clone().acquire_owned().await else {
                return;
            };
            let (events, done, pool) = (events.clone(), done.clone(), pool.clone());
            tokio::spawn(async move {
                for (id, job, mut cancel) in jobs {
                    if cancel.try_recv().is_ok() {
                        not_started(id, &job, &events);
                    } else {
                        run_job(id, job, cancel, &events, &pool, pool.ticket()).await;
                    }
                    let _ = done.send(id);
                    events.emit(Event::JobDone { job: id });
                }
                if paced {
                    place.forget();
                }
            });
        }
    });
}

/// Every request of a job cancelled before its device's turn came.
fn not_started(id: JobId, job: &Job, events: &EventSink) {
    let failure = Failure::new(
        FailureKind::Cancelled,
        "cancelled",
        "The fan-out was cancelled before this device's turn: nothing was sent.",
    );
    for (index, request) in job.requests.iter().enumerate() {
        let result = failed_result(
            request,
            job.session.platform,
            failure.clone(),
            Duration::ZERO,
            None,
        );
        events.emit(Event::Finished {
            job: id,
            index,
            result: Box::new(result),
        });
    }
}
