//! `apx probe`: connect, complete (or fail) the TLS handshake, report what the
//! server presented. Sends no HTTP request and no credentials.

use std::sync::Arc;
use std::time::Duration;

use super::tls::{Capture, client_certificate_problem, client_config_reaching};
use crate::core::error::{Failure, FailureKind};
use crate::core::reach::Reach;
use crate::core::tls::{CertFacts, Trust};
use serde::Serialize;

/// The probe's findings; field names match the CLI's `--json` contract.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub url: String,
    pub tls_version: Option<String>,
    pub cipher: Option<String>,
    pub verified: bool,
    pub verify_error: Option<String>,
    pub self_signed: bool,
    pub expired: bool,
    pub hostname_matches: bool,
    pub chain: Vec<CertFacts>,
    pub hint: Option<String>,
    /// Verification was skipped on request.
    pub insecure: bool,
}

/// Probes an `https` URL. A refused chain is a report (not verified); no
/// handshake at all is an error.
pub async fn probe(
    url: &url::Url,
    trust: &Trust,
    reach: &Reach,
    timeout: Duration,
) -> Result<ProbeReport, Failure> {
    if url.scheme() != "https" {
        return Err(Failure::usage(
            format!("{url} is not an https URL"),
            "probe inspects TLS: give an https:// URL.",
        ));
    }
    let (host, port) = host_port(url)?;
    let attempt = shake_hands(&host, port, trust, reach, timeout).await?;
    let Some(handshake) = attempt.captured else {
        let problem = match &attempt.error {
            Some(e) => match super::http::find_cause(e).0 {
                Some(tls) => client_certificate_problem(tls, reach.client_identity.is_some())
                    .unwrap_or_else(|| super::tls::handshake_problem(tls)),
                None => crate::core::tls::TlsProblem::Handshake(e.to_string()),
            },
            None => crate::core::tls::TlsProblem::Handshake("no certificate was presented".into()),
        };
        return Err(problem.to_failure());
    };
    // A refused chain ends the handshake before the protocol and cipher are
    // settled: learn them from a second handshake that accepts any chain
    // (a probe sends nothing over it).
    let (tls_version, cipher) = match (&attempt.version, &handshake.problem) {
        (None, Some(_)) => {
            let again = shake_hands(&host, port, &Trust::Insecure, reach, timeout).await;
            again.map_or((None, None), |a| (a.version, a.cipher))
        }
        _ => (attempt.version, attempt.cipher),
    };
    let handshake_error = attempt.error.as_ref().map(|e| e.to_string());
    let verify_error = handshake
        .problem
        .as_ref()
        .map(|p| p.message())
        .or(handshake_error.clone());
    let hint = handshake.problem.as_ref().map(|p| p.hint()).or_else(|| {
        handshake.insecure.then(|| {
            "Verification was skipped (--insecure): pin this fingerprint with --pin to trust this device safely.".to_string()
        })
    });
    Ok(ProbeReport {
        url: url.to_string(),
        tls_version,
        cipher,
        verified: handshake.verified() && handshake_error.is_none(),
        verify_error,
        self_signed: handshake.self_signed(),
        expired: handshake.expired(),
        hostname_matches: handshake.hostname_matches(),
        chain: handshake.chain,
        hint,
        insecure: handshake.insecure,
    })
}

/// The leaf certificate the server at `url` presents, from a handshake
/// under `trust` (nothing is sent over it); None when there is none.
pub async fn presented_leaf(
    url: &url::Url,
    trust: &Trust,
    reach: &Reach,
    timeout: Duration,
) -> Option<CertFacts> {
    probe(url, trust, reach, timeout)
        .await
        .ok()?
        .chain
        .into_iter()
        .next()
}

/// The leaf certificate (DER) the server at `url` presents in a handshake
/// under `trust`, even one the trust refuses; nothing is sent over it.
pub async fn presented_leaf_der(
    url: &url::Url,
    trust: &Trust,
    reach: &Reach,
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let (host, port) = host_port(url)?;
    let attempt = shake_hands(&host, port, trust, reach, timeout).await?;
    attempt
        .captured
        .map(|handshake| handshake.leaf_der)
        .filter(|der| !der.is_empty())
        .ok_or_else(|| {
            crate::core::tls::TlsProblem::Handshake(format!(
                "{host}:{port} presented no certificate"
            ))
            .to_failure()
        })
}

/// The host (without IPv6 brackets) and port of `url`.
fn host_port(url: &url::Url) -> Result<(String, u16), Failure> {
    let host = url
        .host_str()
        .ok_or_else(|| Failure::usage(format!("{url} has no host"), ""))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Ok((host, url.port_or_known_default().unwrap_or(443)))
}

/// One handshake's outcome: the chain captured (if the server sent one),
/// the negotiated protocol and cipher (if it completed), and its error.
struct Attempt {
    captured: Option<super::tls::Handshake>,
    version: Option<String>,
    cipher: Option<String>,
    error: Option<std::io::Error>,
}

async fn shake_hands(
    host: &str,
    port: u16,
    trust: &Trust,
    reach: &Reach,
    timeout: Duration,
) -> Result<Attempt, Failure> {
    let capture = Capture::default();
    let config = client_config_reaching(trust, capture.clone(), reach)?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let server_name = rustls_pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| Failure::usage(format!("invalid host {host:?}: {e}"), ""))?;
    let work = async {
        let tcp = super::proxy::open_stream(reach, host, port).await?;
        Ok::<_, Failure>(connector.connect(server_name, tcp).await)
    };
    let result = tokio::time::timeout(timeout, work).await.map_err(|_| {
        Failure::new(
            FailureKind::Timeout,
            format!(
                "no TLS handshake with {host}:{port} within {} s",
                timeout.as_secs()
            ),
            "Check the appliance is reachable on this port.",
        )
    })??;
    let captured = capture.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(match result {
        Ok(stream) => {
            let (_, conn) = stream.get_ref();
            Attempt {
                captured,
                version: conn
                    .protocol_version()
                    .map(|v| format!("{v:?}").replace('_', ".")),
                cipher: conn
                    .negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite())),
                error: None,
            }
        }
        Err(e) => Attempt {
            captured,
            version: None,
            cipher: None,
            error: Some(e),
        },
    })
}
