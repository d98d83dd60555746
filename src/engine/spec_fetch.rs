//! Fetching the API spec a device serves (FMC, FDM) through its session and
//! trust, with the software version it runs (asked first, in the same
//! session), and storing it as the device's catalog for that version: the
//! one use case behind `apx import openapi device` and the app's catalog
//! browser.

use std::path::PathBuf;

use super::http::Sink;
use super::keyring::KeyringKey;
use super::session::{PreparedRequest, SessionSpec};
use super::{Job, JobRequest, RequestResult};
use crate::core::error::Failure;
use crate::core::openapi::{MAX_SPEC_BYTES, parse_spec};
use crate::core::platform::Platform;
use crate::core::request::{resolve_target, with_api_port};
use crate::core::workspace::catalogs::CatalogKey;
use crate::core::workspace::{Device, Workspace};

/// Where `device` serves its spec.
pub fn spec_url(device: &Device) -> Result<url::Url, Failure> {
    let platform = device.platform;
    let path = platform.spec_path().ok_or_else(|| {
        Failure::usage(
            format!("a {} device serves no API spec", platform.label()),
            "Import a spec file instead: apx import openapi FILE --device NAME",
        )
    })?;
    resolve_target(path, Some(&with_api_port(&device.base_url, platform)))
}

/// The most of a version answer read.
const MAX_VERSION_ANSWER: u64 = 1 << 20;

/// The job that asks `device` its software version and then fetches the
/// spec at `url` (from [`spec_url`]) in `session`: the spec's answer is the
/// job's last.
pub fn spec_job(
    device: &Device,
    url: url::Url,
    session: SessionSpec,
    keyring: Option<KeyringKey>,
) -> Job {
    let get = |url: url::Url, limit: u64| JobRequest {
        name: String::new(),
        request: PreparedRequest {
            method: "GET".into(),
            url,
            headers: device.platform.preset_headers(false),
            body: None,
        },
        sink: Sink::Memory(limit),
        all_pages: false,
    };
    let version = device
        .platform
        .version_path()
        .and_then(|path| url.join(path).ok())
        .map(|at| get(at, MAX_VERSION_ANSWER));
    Job {
        session,
        requests: version
            .into_iter()
            .chain([get(url, MAX_SPEC_BYTES as u64)])
            .collect(),
        keyring,
        keep: None,
    }
}

/// The software version in the answer to the job's first request, if it
/// told one (an answer that does not is no reason to refuse the spec).
pub fn version_of(platform: Platform, result: &RequestResult) -> Option<String> {
    if result.error.is_some() {
        return None;
    }
    let answer = serde_json::from_slice(result.body.bytes()?).ok()?;
    platform.version_in(&answer)
}

/// What a fetch stored: how many operations, where, and for which
/// software version.
pub struct Stored {
    pub operations: usize,
    pub path: PathBuf,
    pub version: String,
}

/// Parses the spec `device` answered, keeps it in the workspace's
/// git-ignored cache and stores its operations as the device's catalog
/// for `version` (`unknown` when the device did not say).
pub fn store_spec(
    workspace: &Workspace,
    device: &str,
    version: Option<String>,
    result: RequestResult,
) -> Result<Stored, Failure> {
    if let Some(failure) = result.error {
        return Err(failure);
    }
    let bytes = result
        .body
        .bytes()
        .ok_or_else(|| Failure::usage("the spec did not fit in memory", ""))?;
    let operations = parse_spec(bytes)?;
    let version = version.unwrap_or_else(|| "unknown".into());
    workspace.cache_spec(device, &version, bytes)?;
    let count = operations.len();
    let key = CatalogKey::Served {
        device: device.to_string(),
        version: version.clone(),
    };
    let path = workspace.save_catalog(&key, &result.url, operations)?;
    Ok(Stored {
        operations: count,
        path,
        version,
    })
}
