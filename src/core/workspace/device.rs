//! A device of the device tree: where it is, what it is, how it is trusted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::core::error::Failure;
use crate::core::platform::Platform;
use crate::core::request::resolve_target;
use crate::core::tls::Trust;

/// One appliance. Never holds a secret: passwords live in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub name: String,
    /// Folder path in the device tree, `Lab/DC1`; empty at the top.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub folder: String,
    pub platform: Platform,
    pub base_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default)]
    pub trust: Trust,
    /// `{{name}}` values for this device's requests (never secrets: the
    /// workspace is plain text); see [`super::variables`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
    /// Plain `http://` allowed where the platform's guide requires HTTPS
    /// (ASA, FXOS); credentials then travel unencrypted, with a warning.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_http: bool,
    /// FMC: the domain (`Global/Lab`) whose uuid fills `{domainUUID}`;
    /// None: the user's default domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// FDM: the API version (`v6`) that replaces `latest` in `/api/fdm/latest/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

impl Device {
    /// Checks the fields a person typed.
    pub fn validate(&self) -> Result<(), Failure> {
        let name = self.name.trim();
        if name.is_empty() || name != self.name || name.contains('/') {
            return Err(Failure::usage(
                format!("invalid device name {:?}", self.name),
                "A device name is non-empty, has no leading or trailing spaces and no '/'.",
            ));
        }
        validate_folder(&self.folder)?;
        resolve_target(&self.base_url, None)?;
        if let Some(version) = &self.api_version {
            crate::core::platform::fdm::check_api_version(version)?;
        }
        Ok(())
    }

    /// Folder segments, top first.
    pub fn folder_path(&self) -> Vec<&str> {
        self.folder.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The host part of the base URL, for display.
    pub fn host(&self) -> String {
        url::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
            })
            .unwrap_or_else(|| self.base_url.clone())
    }
}

/// A folder path is `/`-separated names, none empty, `.` or `..`.
pub fn validate_folder(folder: &str) -> Result<(), Failure> {
    if folder.is_empty() {
        return Ok(());
    }
    let ok = folder
        .split('/')
        .all(|s| !s.trim().is_empty() && s != "." && s != ".." && s.trim() == s);
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(
            format!("invalid folder {folder:?}"),
            "Write folders as Lab/DC1: names separated by '/', none empty.",
        ))
    }
}
