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

/// A job with its id and its cancel signal.
pub(super) type Queued = (JobId, Job, oneshot::Receiver<()>);

/// Gives each device in turn a place among the `concurrency` under way;
/// a device with a place runs its jobs in order, then frees it. A job cancelled
/// before it started answers each request "cancelled" without connecting.
pub(super) fn spawn(
    devices: Vec<Vec<Queued>>,
    concurrency: usize,
    events: &EventSink,
    done: &tmpsc::UnboundedSender<JobId>,
    pool: &SessionPool,
) {
    let places = Arc::new(Semaphore::new(concurrency.max(1)));
    let (events, done, pool) = (events.clone(), done.clone(), pool.clone());
    // Places are taken in the devices' order by this one task.
    tokio::spawn(async move {
        for jobs in devices {
            // The semaphore is never closed: acquiring cannot fail.
            let Ok(place) = places.clone().acquire_owned().await else {
                return;
            };
            let (events, done, pool) = (events.clone(), done.clone(), pool.clone());
            tokio::spawn(async move {
                for (id, job, mut cancel) in jobs {
                    if cancel.try_recv().is_ok() {
                        not_started(id, &job, &events);
                    } else {
                        run_job(id, job, cancel, &events, &pool).await;
                    }
                    let _ = done.send(id);
                    events.emit(Event::JobDone { job: id });
                }
                drop(place);
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
