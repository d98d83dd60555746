//! How requests reach a device: through which proxy, if any, and with which
//! client certificate, if any. Pure: parsing and naming only; the engine
//! opens the connections.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::core::error::Failure;
use crate::core::secret::Secret;

/// Which proxy carries the requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxyChoice {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, as set.
    #[default]
    Environment,
    /// Straight to the device, whatever the environment says (`--no-proxy`).
    Direct,
    /// This proxy, from [`parse_proxy`]: never holds credentials.
    Url(url::Url),
}

/// A client certificate for mutual TLS: PEM files on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIdentity {
    /// The certificate (chain), leaf first.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1; PKCS#8 may be encrypted).
    pub key: PathBuf,
}

/// A proxy's user and password, from the OS keyring: Basic proxy
/// authentication (HTTP CONNECT) or SOCKS5 username/password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    pub user: String,
    pub password: Secret,
}

impl ProxyCredentials {
    /// Checks a user given for a proxy: not empty, no `:` (Basic auth
    /// splits there) and no control characters.
    pub fn new(user: &str, password: Secret) -> Result<ProxyCredentials, Failure> {
        if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
            return Err(Failure::usage(
                "a proxy user must be non-empty, without ':' or control characters",
                "Give the user the proxy knows you as, e.g. --user ops.",
            ));
        }
        Ok(ProxyCredentials {
            user: user.to_string(),
            password,
        })
    }
}

/// The proxy and client certificate of a session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reach {
    pub proxy: ProxyChoice,
    pub client_identity: Option<ClientIdentity>,
    /// The `--proxy`/device proxy's credentials, read from the OS keyring
    /// by the engine (the environment's proxies carry their own).
    pub proxy_credentials: Option<ProxyCredentials>,
    /// The passphrase of an encrypted client key.
    pub key_passphrase: Option<Secret>,
}

impl Reach {
    /// The `scheme://host:port` of the chosen proxy (not the environment's)
    /// when its credentials are still to be looked up.
    pub fn proxy_needing_credentials(&self) -> Option<String> {
        match (&self.proxy, &self.proxy_credentials) {
            (ProxyChoice::Url(url), None) => Some(url_label(url)),
            _ => None,
        }
    }
}

/// What a device keeps about reaching it (fields `proxy`, `client_cert`,
/// `client_key` of devices.json). Never a credential.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceReach {
    /// Checked as it is read: a device file never sends through a proxy
    /// other than the one it names, nor carries credentials.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "checked_proxy"
    )]
    pub proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
}

impl DeviceReach {
    /// Checks the proxy URL, and that a certificate comes with its key.
    pub fn validate(&self) -> Result<(), Failure> {
        if let Some(proxy) = &self.proxy {
            parse_proxy(proxy)?;
        }
        if self.client_cert.is_some() != self.client_key.is_some() {
            return Err(Failure::usage(
                "a client certificate needs its key, and a key its certificate",
                "Give both --cert FILE and --key FILE.",
            ));
        }
        Ok(())
    }

    /// The device's proxy; None when it has none (or an invalid one, which
    /// [`DeviceReach::validate`] reports).
    pub fn proxy(&self) -> Option<ProxyChoice> {
        let proxy = parse_proxy(self.proxy.as_deref()?).ok()?;
        Some(ProxyChoice::Url(proxy))
    }

    pub fn client_identity(&self) -> Option<ClientIdentity> {
        Some(ClientIdentity {
            cert: self.client_cert.clone()?,
            key: self.client_key.clone()?,
        })
    }

    /// The device's own way there (no command-line override).
    pub fn reach(&self) -> Reach {
        Reach {
            proxy: self.proxy().unwrap_or_default(),
            client_identity: self.client_identity(),
            proxy_credentials: None,
            key_passphrase: None,
        }
    }
}

fn checked_proxy<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let proxy = Option::<String>::deserialize(deserializer)?;
    if let Some(text) = &proxy {
        parse_proxy(text).map_err(|f| serde::de::Error::custom(format!("proxy: {}", f.message)))?;
    }
    Ok(proxy)
}

/// The schemes a proxy may have.
const PROXY_SCHEMES: [&str; 4] = ["http", "https", "socks5", "socks5h"];

/// Checks a proxy URL given as a flag or kept by a device: an http, https
/// or socks5 scheme, a host, no path, and no credentials (those belong in
/// the environment, never in a file or on a command line).
pub fn parse_proxy(text: &str) -> Result<url::Url, Failure> {
    let hint = "Give the proxy as http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT.";
    let url = url::Url::parse(text.trim())
        .map_err(|e| Failure::usage(format!("invalid proxy URL: {e}"), hint))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Failure::usage(
            "credentials in a proxy URL are refused here (they would land in shell history and files)",
            "Give the proxy without user:pass@; store the credentials in the OS keyring with `apx proxy set-password URL --user USER --password-env VAR` (in the app: Edit device > Proxy user/Proxy password), or put them in the environment, e.g. HTTPS_PROXY=http://user:pass@proxy:3128 (apx never prints them).",
        ));
    }
    if !PROXY_SCHEMES.contains(&url.scheme()) {
        return Err(Failure::usage(
            format!("unsupported proxy scheme {:?}", url.scheme()),
            hint,
        ));
    }
    if url.host_str().is_none_or(str::is_empty) || !matches!(url.path(), "" | "/") {
        return Err(Failure::usage(format!("invalid proxy URL {text:?}"), hint));
    }
    Ok(url)
}

/// `scheme://host:port` of a proxy, without any credentials: how errors
/// and logs name it.
pub fn proxy_label(scheme: &str, host: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

/// The label of a parsed proxy URL.
pub fn url_label(url: &url::Url) -> String {
    proxy_label(
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_take_three_schemes_and_no_credentials() {
        for good in [
            "http://proxy:3128",
            "https://proxy.example.com",
            "socks5://127.0.0.1:1080/",
        ] {
            assert!(parse_proxy(good).is_ok(), "{good}");
        }
        let refused = parse_proxy("http://u:p@proxy:3128").unwrap_err();
        assert_eq!(refused.kind.exit_code(), 2);
        assert!(!refused.message.contains("u:p"), "{}", refused.message);
        for bad in [
            "ftp://proxy",
            "proxy:3128",
            "http://proxy/path",
            "http://user@p",
        ] {
            assert!(parse_proxy(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_device_file_with_a_bad_proxy_is_refused_without_echoing_it() {
        let good: DeviceReach = serde_json::from_str(r#"{"proxy": "socks5://p:1080"}"#).unwrap();
        assert_eq!(good.proxy.as_deref(), Some("socks5://p:1080"));
        let bad = serde_json::from_str::<DeviceReach>(r#"{"proxy": "http://u:s3cret@p:1"}"#)
            .unwrap_err()
            .to_string();
        assert!(!bad.contains("s3cret"), "{bad}");
        assert!(serde_json::from_str::<DeviceReach>(r#"{"proxy": "ftp://p"}"#).is_err());
    }

    #[test]
    fn labels_carry_no_credentials() {
        let url = url::Url::parse("http://proxy:3128").unwrap();
        assert_eq!(url_label(&url), "http://proxy:3128");
        let https = url::Url::parse("https://proxy").unwrap();
        assert_eq!(url_label(&https), "https://proxy:443");
    }
}
