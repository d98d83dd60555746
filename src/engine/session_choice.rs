//! Which session a request needs: a device's settings with what the front
//! end chose over them (the CLI's flags, the app's draft). Both front ends
//! build their [`SessionSpec`] here.

use std::time::Duration;

use super::session::{DEFAULT_RETRIES, SecondFactor, SessionSpec};
use crate::core::platform::{AuthMode, Platform};
use crate::core::reach::{ClientIdentity, DeviceReach, ProxyChoice, Reach};
use crate::core::request::{https_only, origin};
use crate::core::secret::Secret;
use crate::core::tls::Trust;
use crate::core::workspace::Device;

/// What decides whether two requests can share a session (and so one job).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    pub device: Option<String>,
    pub origin: String,
    pub platform: Platform,
    /// The auth chosen by name (checked when the session is built), if any.
    pub auth: Option<String>,
}

/// A device (or none) and the choices that override its settings.
#[derive(Debug, Clone, Default)]
pub struct SessionChoice<'a> {
    pub device: Option<&'a Device>,
    pub platform: Option<Platform>,
    pub auth: Option<AuthMode>,
    pub user: Option<String>,
    pub trust: Option<Trust>,
    /// Plain `http://` allowed whatever the device says.
    pub allow_http: bool,
    /// FMC domain name, over the device's.
    pub domain: Option<String>,
    /// FDM API version, over the device's.
    pub api_version: Option<String>,
    /// How many times a `429` is retried; default [`DEFAULT_RETRIES`].
    pub retries: Option<u32>,
    /// The proxy chosen over the device's (`--proxy`, `--no-proxy`).
    pub proxy: Option<ProxyChoice>,
    /// The client certificate chosen over the device's (`--cert`, `--key`).
    pub client_identity: Option<ClientIdentity>,
}

impl SessionChoice<'_> {
    /// The chosen platform, else the device's, else generic.
    pub fn platform(&self) -> Platform {
        self.platform
            .or(self.device.map(|d| d.platform))
            .unwrap_or(Platform::Generic)
    }

    /// The chosen user, else the device's.
    pub fn user(&self) -> Option<String> {
        self.user
            .clone()
            .or_else(|| self.device.and_then(|d| d.username.clone()))
    }

    /// The chosen auth; else, with a user, the platform's
    /// ([`Platform::auth_for`]); else none: there is nobody to log in as.
    pub fn auth(&self) -> AuthMode {
        match (self.auth, self.user()) {
            (None, None) => AuthMode::None,
            (chosen, _) => self.platform().auth_for(chosen, true),
        }
    }

    /// The chosen proxy, else the device's, else the environment's; and the
    /// chosen client certificate, else the device's.
    pub fn reach(&self) -> Reach {
        let device = self.device.map(|d| &d.reach);
        Reach {
            proxy: self
                .proxy
                .clone()
                .or_else(|| device.and_then(DeviceReach::proxy))
                .unwrap_or_default(),
            client_identity: self
                .client_identity
                .clone()
                .or_else(|| device.and_then(DeviceReach::client_identity)),
            proxy_credentials: None,
            key_passphrase: None,
        }
    }

    /// The session for requests to `url`'s origin.
    pub fn spec(&self, url: &url::Url, timeout: Duration, password: Option<Secret>) -> SessionSpec {
        let platform = self.platform();
        SessionSpec {
            platform,
            origin: origin(url),
            auth: self.auth(),
            user: self.user(),
            password,
            trust: self
                .trust
                .clone()
                .unwrap_or_else(|| self.device.map(|d| d.trust.clone()).unwrap_or_default()),
            timeout,
            https_only: https_only(
                &[platform, self.device.map_or(platform, |d| d.platform)],
                self.allow_http || self.device.is_some_and(|d| d.allow_http),
            ),
            domain: self
                .domain
                .clone()
                .or_else(|| self.device.and_then(|d| d.domain.clone())),
            api_version: self
                .api_version
                .clone()
                .or_else(|| self.device.and_then(|d| d.api_version.clone())),
            retries: self.retries.unwrap_or(DEFAULT_RETRIES),
            reach: self.reach(),
            second_factor: SecondFactor::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_override_the_device() {
        let device = crate::core::workspace::tests::asa("fw");
        let url = url::Url::parse("http://10.0.0.1/api").unwrap();
        let plain = SessionChoice {
            device: Some(&device),
            ..Default::default()
        };
        let spec = plain.spec(&url, Duration::from_secs(5), None);
        assert_eq!(spec.auth, AuthMode::Token);
        assert_eq!(spec.user.as_deref(), Some("admin"));
        assert_eq!(spec.trust, Trust::Insecure);
        assert_eq!(spec.https_only, Some(Platform::Asa));
        let chosen = SessionChoice {
            device: Some(&device),
            platform: Some(Platform::Generic),
            user: Some("ops".into()),
            trust: Some(Trust::Verify),
            allow_http: true,
            ..Default::default()
        };
        let spec = chosen.spec(&url, Duration::from_secs(5), None);
        assert_eq!(spec.platform, Platform::Generic);
        assert_eq!(spec.auth, AuthMode::Basic, "generic with a user");
        assert_eq!(spec.user.as_deref(), Some("ops"));
        assert_eq!(spec.trust, Trust::Verify);
        assert_eq!(spec.https_only, None);
        let nobody = SessionChoice::default().spec(&url, Duration::from_secs(5), None);
        assert_eq!(nobody.auth, AuthMode::None);
    }
}
