//! Which proxy a request goes through, and what a proxy's failure means.
//! Proxies are named without their credentials everywhere.

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::http::chain_text;

use crate::core::error::{Failure, FailureKind};
use crate::core::reach::{ProxyChoice, ProxyCredentials, Reach, proxy_label, url_label};

/// What to do about a 407: where proxy credentials come from.
const AUTH_HINT: &str = "Store the proxy's credentials in the OS keyring: `apx proxy set-password PROXY_URL --user USER --password-env VAR` (in the app: Edit device > Proxy user and Proxy password), or give them in the environment (HTTPS_PROXY=http://user:pass@proxy:port); apx never prints them.";

/// The environment variables that name proxies (curl's, both cases).
const PROXY_VARS: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Sets the client's proxy. The environment is read by reqwest itself,
/// the same way [`proxy_for`] reads it.
pub fn configure(
    builder: reqwest::ClientBuilder,
    reach: &Reach,
) -> Result<reqwest::ClientBuilder, Failure> {
    Ok(match &reach.proxy {
        ProxyChoice::Environment => builder,
        ProxyChoice::Direct => builder.no_proxy(),
        ProxyChoice::Url(url) => {
            let mut proxy = reqwest::Proxy::all(url.as_str()).map_err(|e| {
                Failure::usage(format!("invalid proxy {}: {e}", url_label(url)), "")
            })?;
            if let Some(credentials) = &reach.proxy_credentials {
                proxy = proxy.basic_auth(&credentials.user, credentials.password.expose());
            }
            builder.proxy(proxy)
        }
    })
}

/// The reach with its chosen proxy's credentials from the OS keyring, when
/// it has none yet (read off the async threads). A keyring that cannot be
/// reached counts as holding none: the proxy then says if it wants some.
pub async fn with_stored_credentials(mut reach: Reach) -> Reach {
    let Some(proxy) = reach.proxy_needing_credentials() else {
        return reach;
    };
    let found =
        tokio::task::spawn_blocking(move || super::keyring::proxy_credentials(&proxy)).await;
    match found {
        Ok(Ok(credentials)) => reach.proxy_credentials = credentials,
        Ok(Err(failure)) => tracing::debug!("proxy credentials: {}", failure.message),
        Err(e) => tracing::debug!("proxy credentials: {e}"),
    }
    reach
}

/// The proxy a request to `url` goes through, named without credentials;
/// None when it goes straight to the device.
pub fn proxy_for(choice: &ProxyChoice, url: &url::Url) -> Option<String> {
    match choice {
        ProxyChoice::Direct => None,
        ProxyChoice::Url(proxy) => Some(url_label(proxy)),
        ProxyChoice::Environment => intercept(choice, None, url).map(|i| label(&i)),
    }
}

/// The proxy (with the environment's credentials, or `credentials` for a
/// chosen one) a connection to `url` goes through, if any.
fn intercept(
    choice: &ProxyChoice,
    credentials: Option<&ProxyCredentials>,
    url: &url::Url,
) -> Option<Intercept> {
    let matcher = match choice {
        ProxyChoice::Direct => return None,
        ProxyChoice::Url(proxy) => {
            let mut proxy = proxy.clone();
            if let Some(credentials) = credentials {
                proxy.set_username(&credentials.user).ok()?;
                proxy
                    .set_password(Some(credentials.password.expose()))
                    .ok()?;
            }
            Matcher::builder().all(proxy.to_string()).build()
        }
        ProxyChoice::Environment => Matcher::from_env(),
    };
    matcher.intercept(&url.as_str().parse().ok()?)
}

fn label(intercept: &Intercept) -> String {
    let proxy = intercept.uri();
    proxy_label(
        proxy.scheme_str().unwrap_or("http"),
        proxy.host().unwrap_or_default(),
        proxy.port_u16(),
    )
}

/// A TCP stream to `host:port`, through the proxy the reach gives for
/// `https://host:port` (an HTTP CONNECT tunnel or SOCKS5), else direct.
/// Used where no HTTP request is sent (`probe`).
pub async fn open_stream(reach: &Reach, host: &str, port: u16) -> Result<TcpStream, Failure> {
    let reach = with_stored_credentials(reach.clone()).await;
    let choice = &reach.proxy;
    let authority = match host.parse::<std::net::Ipv6Addr>() {
        Ok(_) => format!("[{host}]:{port}"),
        Err(_) => format!("{host}:{port}"),
    };
    let target = url::Url::parse(&format!("https://{authority}"))
        .map_err(|e| Failure::usage(format!("invalid host {host:?}: {e}"), ""))?;
    let Some(via) = intercept(choice, reach.proxy_credentials.as_ref(), &target) else {
        return TcpStream::connect((host, port))
            .await
            .map_err(|e| direct_failure(&authority, &e));
    };
    let name = label(&via);
    let uri: http::Uri = target
        .as_str()
        .parse()
        .map_err(|e| Failure::usage(format!("invalid host {host:?}: {e}"), ""))?;
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    let opened = match via.uri().scheme_str() {
        Some(scheme @ ("socks5" | "socks5h")) => {
            let mut socks = SocksV5::new(via.uri().clone(), tcp).local_dns(scheme == "socks5");
            if let Some((user, pass)) = via.raw_auth() {
                socks = socks.with_auth(user.to_string(), pass.to_string());
            }
            socks.call(uri).await.map_err(|e| chain_text(&e))
        }
        Some("http") => {
            let mut tunnel = Tunnel::new(via.uri().clone(), tcp);
            if let Some(auth) = via.basic_auth() {
                tunnel = tunnel.with_auth(auth.clone());
            }
            tunnel.call(uri).await.map_err(|e| chain_text(&e))
        }
        _ => {
            return Err(Failure::usage(
                format!("probe cannot go through the proxy {name}"),
                "probe reaches devices through http:// and socks5:// proxies; send and run take https:// proxies too.",
            ));
        }
    };
    opened.map(TokioIo::into_inner).map_err(|text| {
        let refused = text.to_ascii_lowercase().contains("connection refused");
        let kind = refused.then_some(std::io::ErrorKind::ConnectionRefused);
        failure(&name, &target, &text, kind)
            .unwrap_or_else(|| {
                Failure::new(
                    FailureKind::Proxy,
                    format!("the proxy {name} could not open a connection to {authority}"),
                    "Check the proxy's rules for this host and port, or go straight to the device with --no-proxy.",
                )
            })
            .with_detail(text)
    })
}

fn direct_failure(authority: &str, e: &std::io::Error) -> Failure {
    let (message, hint) = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => (
            format!("connection to {authority} refused"),
            "Nothing listens on this port: check the port and that the appliance's HTTPS server is enabled.",
        ),
        _ => (
            format!("cannot connect to {authority}: {e}"),
            "Check the host name, the network path and the appliance's management access rules.",
        ),
    };
    Failure::new(FailureKind::Connect, message, hint)
}

/// The hosts of the `https://` proxies in use: their certificates are
/// checked against the system roots, never against the device's trust.
pub fn https_proxy_hosts(choice: &ProxyChoice) -> Vec<String> {
    let urls: Vec<url::Url> = match choice {
        ProxyChoice::Direct => Vec::new(),
        ProxyChoice::Url(url) => vec![url.clone()],
        ProxyChoice::Environment => PROXY_VARS
            .iter()
            .filter_map(|var| std::env::var(var).ok())
            .filter_map(|value| url::Url::parse(&value).ok())
            .collect(),
    };
    urls.iter()
        .filter(|u| u.scheme() == "https")
        .filter_map(|u| u.host_str())
        .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
        .collect()
}

/// The failure for an error the proxy `label` caused on the way to
/// `target`, if it was the proxy's: unreachable, the tunnel refused, or
/// authentication asked for. `text` is the error chain's text.
pub fn failure(
    label: &str,
    target: &url::Url,
    text: &str,
    io_kind: Option<std::io::ErrorKind>,
) -> Option<Failure> {
    let lower = text.to_ascii_lowercase();
    let destination = format!(
        "{}:{}",
        target.host_str().unwrap_or_default(),
        target.port_or_known_default().unwrap_or(443)
    );
    // A plain http:// request connects to the proxy itself: a refused
    // connection or an unknown name there is the proxy's.
    let handshake = lower.contains("tunnel error") || lower.contains("socks error");
    let no_connection = io_kind == Some(std::io::ErrorKind::ConnectionRefused)
        || lower.contains("dns error")
        || lower.contains("failed to lookup");
    let unreachable =
        lower.contains("failed to create underlying connection") || (!handshake && no_connection);
    let (message, hint) = if unreachable {
        (
            format!("cannot reach the proxy {label}"),
            "Check the proxy's host and port (--proxy, the device's proxy, or HTTPS_PROXY/HTTP_PROXY/ALL_PROXY), or go straight to the device with --no-proxy.",
        )
    } else if lower.contains("proxy authorization required") {
        (
            format!(
                "the proxy {label} asks for authentication (407 Proxy Authentication Required)"
            ),
            AUTH_HINT,
        )
    } else if lower.contains("tunnel error") || lower.contains("socks error") {
        (
            format!("the proxy {label} refused the tunnel to {destination}"),
            "The proxy does not allow connections to this host and port, or cannot reach the appliance itself: check the proxy's rules (CONNECT to the API port), or add the appliance to NO_PROXY.",
        )
    } else {
        return None;
    };
    Some(Failure::new(FailureKind::Proxy, message, hint))
}

/// The failure for a proxy that asks for authentication (407), to open a
/// tunnel or to forward a plain `http://` request.
pub fn auth_required(label: &str) -> Failure {
    Failure::new(
        FailureKind::Proxy,
        format!("the proxy {label} asks for authentication (407 Proxy Authentication Required)"),
        AUTH_HINT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> url::Url {
        url::Url::parse("https://fw.example.com:8443/api").unwrap()
    }

    #[test]
    fn tunnel_errors_name_the_proxy_and_the_hop() {
        let label = "http://proxy:3128";
        let refused = failure(label, &target(), "tunnel error: unsuccessful", None).unwrap();
        assert_eq!(refused.kind, FailureKind::Proxy);
        assert!(refused.message.contains(label), "{}", refused.message);
        assert!(refused.message.contains("fw.example.com:8443"));
        let auth = failure(
            label,
            &target(),
            "tunnel error: proxy authorization required",
            None,
        )
        .unwrap();
        assert!(auth.message.contains("407"));
        let down = failure(
            label,
            &target(),
            "tunnel error: failed to create underlying connection: connection refused",
            Some(std::io::ErrorKind::ConnectionRefused),
        )
        .unwrap();
        assert!(down.message.starts_with("cannot reach the proxy"));
        assert!(failure(label, &target(), "the connection was reset", None).is_none());
    }
}
