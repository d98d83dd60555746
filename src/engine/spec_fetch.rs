//! Fetching the API spec a device serves (FMC, FDM) through its session and
//! trust, and storing it as a catalog: the one use case behind `apx import
//! openapi device` and the app's catalog browser.

use std::path::PathBuf;

use super::http::Sink;
use super::keyring::KeyringKey;
use super::session::{PreparedRequest, SessionSpec};
use super::{Job, JobRequest, RequestResult};
use crate::core::error::Failure;
use crate::core::openapi::{MAX_SPEC_BYTES, parse_spec};
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

/// The job that fetches the spec at `url` (from [`spec_url`]) in `session`.
pub fn spec_job(
    device: &Device,
    url: url::Url,
    session: SessionSpec,
    keyring: Option<KeyringKey>,
) -> Job {
    Job {
        session,
        requests: vec![JobRequest {
            name: String::new(),
            request: PreparedRequest {
                method: "GET".into(),
                url,
                headers: device.platform.preset_headers(false),
                body: None,
            },
            sink: Sink::Memory(MAX_SPEC_BYTES as u64),
            all_pages: false,
        }],
        keyring,
        keep: None,
    }
}

/// Parses what the fetch answered, keeps the spec in the workspace's
/// git-ignored cache and stores its operations for `key`; returns how many
/// and where.
pub fn store_spec(
    workspace: &Workspace,
    device: &str,
    key: &CatalogKey,
    result: RequestResult,
) -> Result<(usize, PathBuf), Failure> {
    if let Some(failure) = result.error {
        return Err(failure);
    }
    let bytes = result
        .body
        .bytes()
        .ok_or_else(|| Failure::usage("the spec did not fit in memory", ""))?;
    let operations = parse_spec(bytes)?;
    workspace.cache_spec(device, bytes)?;
    let count = operations.len();
    let stored = workspace.save_catalog(key, &result.url, operations)?;
    Ok((count, stored))
}
