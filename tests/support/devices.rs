//! Workspace devices and engine session specs as the tests build them: the
//! usual fields once here, what a test changes by struct update syntax
//! (`Device { folder: "Lab".into(), ..device(...) }`).

use std::time::Duration;

use apx::core::platform::{AuthMode, Platform};
use apx::core::secret::Secret;
use apx::core::tls::Trust;
use apx::core::workspace::Device;
use apx::demo::Appliance;
use apx::engine::session::SessionSpec;

/// Device `name` for `platform` at `url`: user admin, at the top of the
/// tree, verified against the system roots, nothing else set.
pub fn device(name: &str, platform: Platform, url: &str) -> Device {
    Device {
        name: name.into(),
        folder: String::new(),
        platform,
        base_url: url.into(),
        username: Some("admin".into()),
        trust: Trust::Verify,
        variables: Default::default(),
        allow_http: false,
        domain: None,
        api_version: None,
        reach: Default::default(),
    }
}

/// Device `name` for appliance `a` (its platform and URL, user admin),
/// pinned to its certificate.
pub fn pinned(name: &str, a: &Appliance) -> Device {
    Device {
        trust: pin(&a.sha256),
        ..device(name, a.platform, &a.url)
    }
}

/// [`pinned`], in the device tree's folder `folder`.
pub fn pinned_in(folder: &str, name: &str, a: &Appliance) -> Device {
    Device {
        folder: folder.into(),
        ..pinned(name, a)
    }
}

/// Trust in exactly the certificate of fingerprint `sha256`.
pub fn pin(sha256: &str) -> Trust {
    Trust::Pin {
        sha256: sha256.into(),
    }
}

/// A session with `origin` for `platform`, no login, trusting as `trust`:
/// 30 s a request, three retries of a `429`, no proxy, domain, API version
/// or second factor.
pub fn session_to(platform: Platform, origin: &str, trust: Trust) -> SessionSpec {
    SessionSpec {
        platform,
        origin: origin.into(),
        auth: AuthMode::None,
        user: None,
        password: None,
        trust,
        timeout: Duration::from_secs(30),
        https_only: None,
        domain: None,
        api_version: None,
        retries: 3,
        reach: Default::default(),
        second_factor: Default::default(),
    }
}

/// A token session with appliance `a` as its admin (the appliance's
/// password), pinned to its certificate; otherwise as [`session_to`].
pub fn session(a: &Appliance) -> SessionSpec {
    SessionSpec {
        auth: AuthMode::Token,
        user: Some("admin".into()),
        password: Some(Secret::new(a.password.clone())),
        ..session_to(a.platform, &a.url, pin(&a.sha256))
    }
}
