//! `apx probe`: connect, complete (or fail) the TLS handshake, report what the
//! server presented. Sends no HTTP request and no credentials.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::net::TcpStream;

use super::tls::{Capture, client_config};
use crate::core::error::{Failure, FailureKind};
use crate::core::tls::{CertFacts, Trust};

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
    timeout: Duration,
) -> Result<ProbeReport, Failure> {
    if url.scheme() != "https" {
        return Err(Failure::usage(
            format!("{url} is not an https URL"),
            "probe inspects TLS: give an https:// URL.",
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| Failure::usage(format!("{url} has no host"), ""))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let capture = Capture::default();
    let config = client_config(trust, capture.clone())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let server_name = rustls_pki_types::ServerName::try_from(host.clone())
        .map_err(|e| Failure::usage(format!("invalid host {host:?}: {e}"), ""))?;
    let work = async {
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| connect_failure(&host, port, &e))?;
        Ok::<_, Failure>(connector.connect(server_name, tcp).await)
    };
    let handshake_result = tokio::time::timeout(timeout, work).await.map_err(|_| {
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
    let (tls_version, cipher) = match &handshake_result {
        Ok(stream) => {
            let (_, conn) = stream.get_ref();
            (
                conn.protocol_version()
                    .map(|v| format!("{v:?}").replace('_', ".")),
                conn.negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite())),
            )
        }
        Err(_) => (None, None),
    };
    let Some(handshake) = captured else {
        let why = handshake_result
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        return Err(crate::core::tls::TlsProblem::Handshake(why).to_failure());
    };
    let handshake_error = handshake_result.err().map(|e| e.to_string());
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

fn connect_failure(host: &str, port: u16, e: &std::io::Error) -> Failure {
    let (message, hint) = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => (
            format!("connection to {host}:{port} refused"),
            "Nothing listens on this port: check the port and that the appliance's HTTPS server is enabled.",
        ),
        _ => (
            format!("cannot connect to {host}:{port}: {e}"),
            "Check the host name, the network path and the appliance's management access rules.",
        ),
    };
    Failure::new(FailureKind::Connect, message, hint)
}
