//! Grouping requests into sessions: one job per [`SessionKey`] (device,
//! origin, platform, auth), jobs in the order their first request came.
//! `apx run` (also with `--devices`) and the app's run window both plan
//! through it, so both log in once per session the same way.

use std::collections::HashMap;

use super::session::SessionSpec;
use super::session_choice::SessionKey;
use super::{Job, JobRequest};
use crate::core::error::Failure;

/// One session's job, and what each of its requests answers (an outcome
/// slot, a table row), in order.
pub struct Planned<S> {
    pub device: Option<String>,
    pub job: Job,
    pub slots: Vec<S>,
}

/// Requests filed by session as they come.
pub struct SessionPlan<S> {
    index: HashMap<SessionKey, Result<usize, Failure>>,
    planned: Vec<Planned<S>>,
}

impl<S> Default for SessionPlan<S> {
    fn default() -> Self {
        SessionPlan {
            index: HashMap::new(),
            planned: Vec::new(),
        }
    }
}

impl<S> SessionPlan<S> {
    /// Files `request` (answering `slot`) under `key`'s session, built by
    /// `session` when the key is first seen. A session that cannot be
    /// built refuses every request of its key with the same failure.
    pub fn add(
        &mut self,
        key: SessionKey,
        slot: S,
        request: JobRequest,
        session: impl FnOnce() -> Result<SessionSpec, Failure>,
    ) -> Result<(), Failure> {
        let device = key.device.clone();
        let planned = &mut self.planned;
        let index = self.index.entry(key).or_insert_with(|| {
            planned.push(Planned {
                device,
                job: Job {
                    session: session()?,
                    requests: Vec::new(),
                    keyring: None,
                },
                slots: Vec::new(),
            });
            Ok(planned.len() - 1)
        });
        let group = &mut self.planned[index.clone()?];
        group.job.requests.push(request);
        group.slots.push(slot);
        Ok(())
    }

    pub fn into_planned(self) -> Vec<Planned<S>> {
        self.planned
    }
}

/// Planned jobs by device, the devices in the order they came: a fan-out
/// runs one device's sessions in turn and the devices side by side.
pub fn by_device<S>(planned: Vec<Planned<S>>) -> Vec<Vec<Planned<S>>> {
    let mut index: HashMap<Option<String>, usize> = HashMap::new();
    let mut devices: Vec<Vec<Planned<S>>> = Vec::new();
    for p in planned {
        let i = *index.entry(p.device.clone()).or_insert_with(|| {
            devices.push(Vec::new());
            devices.len() - 1
        });
        devices[i].push(p);
    }
    devices
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::core::platform::Platform;
    use crate::engine::http::Sink;
    use crate::engine::session_choice::SessionChoice;

    fn key(device: &str, origin: &str) -> SessionKey {
        SessionKey {
            device: Some(device.into()),
            origin: origin.into(),
            platform: Platform::Asa,
            auth: None,
        }
    }

    fn request(name: &str) -> JobRequest {
        let prepared = crate::core::workspace::variables::prepare(
            &crate::core::workspace::saved::SavedRequest::get(name, "https://10.0.0.1/api/x"),
            None,
        )
        .unwrap();
        JobRequest::from_prepared(name.into(), prepared, Sink::Memory(1024))
    }

    fn spec() -> Result<SessionSpec, Failure> {
        let url = url::Url::parse("https://10.0.0.1/").unwrap();
        Ok(SessionChoice::default().spec(&url, Duration::from_secs(1), None))
    }

    #[test]
    fn one_job_per_session_in_order_of_first_request_and_one_build_per_key() {
        let mut plan = SessionPlan::default();
        let mut builds = 0;
        for (slot, (device, origin)) in [("a", "o1"), ("b", "o1"), ("a", "o1"), ("a", "o2")]
            .into_iter()
            .enumerate()
        {
            plan.add(
                key(device, origin),
                slot,
                request(&slot.to_string()),
                || {
                    builds += 1;
                    spec()
                },
            )
            .unwrap();
        }
        assert_eq!(builds, 3);
        let planned = plan.into_planned();
        let slots: Vec<Vec<usize>> = planned.iter().map(|p| p.slots.clone()).collect();
        assert_eq!(slots, vec![vec![0, 2], vec![1], vec![3]]);
        assert_eq!(planned[0].job.requests.len(), 2);
        let devices: Vec<Vec<Vec<usize>>> = by_device(planned)
            .into_iter()
            .map(|d| d.into_iter().map(|p| p.slots).collect())
            .collect();
        assert_eq!(devices, vec![vec![vec![0, 2], vec![3]], vec![vec![1]]]);
    }

    #[test]
    fn a_session_that_cannot_be_built_refuses_each_of_its_requests() {
        let mut plan = SessionPlan::default();
        let refuse = || Err(Failure::usage("no password", "type it"));
        assert!(plan.add(key("a", "o"), 0, request("x"), refuse).is_err());
        let second = plan.add(key("a", "o"), 1, request("y"), spec);
        assert_eq!(second.unwrap_err().message, "no password");
        plan.add(key("b", "o"), 2, request("z"), spec).unwrap();
        assert_eq!(plan.into_planned().len(), 1);
    }
}
