//! rustls client configuration per trust option, with a verifier that
//! captures the presented chain on every handshake, failed or not.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::core::secret::Secret;

use crate::core::error::Failure;
use crate::core::reach::{ClientIdentity, Reach};
use crate::core::tls::{
    CertFacts, TlsProblem, Trust, hostname_matches, now_unix, parse_chain, sha256_fingerprint,
};

/// What the last handshake presented and how verification went.
#[derive(Debug, Clone, PartialEq)]
pub struct Handshake {
    pub host: String,
    pub chain: Vec<CertFacts>,
    /// Why the chain was refused; None when it was accepted.
    pub problem: Option<TlsProblem>,
    /// Accepted without verification (`--insecure`).
    pub insecure: bool,
    /// The leaf certificate as presented (DER).
    pub leaf_der: Vec<u8>,
}

impl Handshake {
    pub fn verified(&self) -> bool {
        self.problem.is_none() && !self.insecure
    }

    pub fn hostname_matches(&self) -> bool {
        self.chain
            .first()
            .is_some_and(|leaf| hostname_matches(leaf, &self.host))
    }

    pub fn self_signed(&self) -> bool {
        self.chain.first().is_some_and(|leaf| leaf.self_signed)
    }

    pub fn expired(&self) -> bool {
        let now = now_unix();
        self.chain.iter().any(|c| c.expired_at(now))
    }
}

/// The slot the verifier writes each handshake into.
pub type Capture = Arc<Mutex<Option<Handshake>>>;

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A client configuration for this trust, TLS 1.2 at least, capturing into `capture`.
pub fn client_config(trust: &Trust, capture: Capture) -> Result<rustls::ClientConfig, Failure> {
    client_config_reaching(trust, capture, &Reach::default())
}

/// A client configuration for this trust that presents the reach's client
/// certificate, if any. An `https://` proxy's certificate is checked
/// against the system roots and not captured: the trust is the device's.
pub fn client_config_reaching(
    trust: &Trust,
    capture: Capture,
    reach: &Reach,
) -> Result<rustls::ClientConfig, Failure> {
    let provider = provider();
    let proxy_hosts = super::proxy::https_proxy_hosts(&reach.proxy);
    let proxies = match proxy_hosts.is_empty() {
        true => None,
        false => Some(ProxyTrust {
            hosts: proxy_hosts,
            verifier: Arc::new(
                rustls_platform_verifier::Verifier::new(provider.clone()).map_err(no_roots)?,
            ),
        }),
    };
    let mode = match trust {
        Trust::Verify => Mode::Roots(Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone()).map_err(no_roots)?,
        )),
        Trust::Ca { file } => {
            let certs = load_pem_certs(file)?;
            Mode::Roots(Arc::new(
                rustls_platform_verifier::Verifier::new_with_extra_roots(certs, provider.clone())
                    .map_err(no_roots)?,
            ))
        }
        Trust::Pin { sha256 } => Mode::Pin(sha256.clone()),
        Trust::Insecure => Mode::Insecure,
    };
    let verifier = CapturingVerifier {
        mode,
        capture,
        provider: provider.clone(),
        proxies,
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Failure::usage(format!("TLS configuration: {e}"), ""))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    match &reach.client_identity {
        None => Ok(builder.with_no_client_auth()),
        Some(identity) => {
            let (chain, key) = load_identity(identity, reach.key_passphrase.as_ref())?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                Failure::usage(
                    format!(
                        "the client certificate {} and key {} do not go together: {e}",
                        identity.cert.display(),
                        identity.key.display()
                    ),
                    "Give the private key that belongs to the certificate (PEM).",
                )
            })
        }
    }
}

/// The certificate chain and private key of a client identity (PEM; an
/// encrypted key is opened with `passphrase`).
fn load_identity(
    identity: &ClientIdentity,
    passphrase: Option<&Secret>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Failure> {
    let chain = load_pem_certs(&identity.cert)?;
    let bytes = read_pem_file(&identity.key).map_err(|e| {
        Failure::usage(
            format!("cannot read key file {}: {e}", identity.key.display()),
            "Give the client certificate's private key as a PEM file.",
        )
    })?;
    let key = super::client_key::private_key(&identity.key, &bytes, passphrase)?;
    Ok((chain, key))
}

/// Whether the key file at `path` holds an encrypted private key (false
/// when it cannot be read: loading it says why).
pub fn key_file_is_encrypted(path: &std::path::Path) -> bool {
    read_pem_file(path).is_ok_and(|bytes| super::client_key::is_encrypted(&bytes))
}

/// The problem a server's alert means when it is about the client
/// certificate: required and not offered, or refused.
pub fn client_certificate_problem(error: &rustls::Error, offered: bool) -> Option<TlsProblem> {
    use rustls::AlertDescription as A;
    let rustls::Error::AlertReceived(alert) = error else {
        return None;
    };
    let about_ours = matches!(
        alert,
        A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
            | A::DecryptError
            | A::HandshakeFailure
    );
    (*alert == A::CertificateRequired || (offered && about_ours)).then(|| {
        TlsProblem::ClientCertificate {
            offered,
            alert: format!("{alert:?}"),
        }
    })
}

fn no_roots(e: rustls::Error) -> Failure {
    Failure::usage(
        format!("cannot load the system's root certificates: {e}"),
        "Install the ca-certificates package, or trust the device with --cacert or --pin.",
    )
}

/// The most a PEM file (CA bundle, client certificate or key) may hold.
const MAX_PEM_FILE: u64 = 4 << 20;

/// A PEM file's bytes: a regular file (a link to one is fine) of at most
/// [`MAX_PEM_FILE`]; a FIFO, device or larger file is refused before it is
/// read (a cloned `devices.json` may name `/dev/zero`).
fn read_pem_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_PEM_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PEM_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_PEM_FILE >> 20
        )));
    }
    Ok(bytes)
}

/// The certificates of a PEM file; none, or an unreadable file, is an input error.
pub fn load_pem_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let bytes = read_pem_file(path).map_err(|e| {
        Failure::usage(
            format!("cannot read CA file {}: {e}", path.display()),
            "Give a PEM file holding the CA certificate(s).",
        )
    })?;
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&bytes).collect();
    match certs {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(Failure::usage(
            format!("{} holds no PEM certificate", path.display()),
            "The file must contain -----BEGIN CERTIFICATE----- blocks.",
        )),
        Err(e) => Err(Failure::usage(
            format!("{} is not a valid PEM file: {e:?}", path.display()),
            "The file must contain -----BEGIN CERTIFICATE----- blocks.",
        )),
    }
}

#[derive(Debug)]
enum Mode {
    Roots(Arc<dyn ServerCertVerifier>),
    Pin(String),
    Insecure,
}

#[derive(Debug)]
struct CapturingVerifier {
    mode: Mode,
    capture: Capture,
    provider: Arc<CryptoProvider>,
    /// The `https://` proxies on the way, verified on their own.
    proxies: Option<ProxyTrust>,
}

/// How the certificates of `https://` proxies are checked.
#[derive(Debug)]
struct ProxyTrust {
    hosts: Vec<String>,
    verifier: Arc<dyn ServerCertVerifier>,
}

impl ServerCertVerifier for CapturingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(proxies) = &self.proxies
            && proxies.hosts.iter().any(|h| *h == server_name.to_str())
        {
            return proxies.verifier.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            );
        }
        let ders: Vec<Vec<u8>> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.as_ref().to_vec())
            .collect();
        let result = match &self.mode {
            Mode::Roots(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            Mode::Pin(expected) if sha256_fingerprint(end_entity) == *expected => {
                Ok(ServerCertVerified::assertion())
            }
            Mode::Pin(_) => Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            )),
            Mode::Insecure => Ok(ServerCertVerified::assertion()),
        };
        let chain = parse_chain(&ders);
        let host = server_name.to_str().into_owned();
        let problem = result
            .as_ref()
            .err()
            .map(|e| diagnose(e, &chain, &host, &self.mode));
        let handshake = Handshake {
            host,
            chain,
            problem,
            insecure: matches!(self.mode, Mode::Insecure),
            leaf_der: end_entity.as_ref().to_vec(),
        };
        *self.capture.lock().unwrap_or_else(|e| e.into_inner()) = Some(handshake);
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Turns a rustls verification error into a problem a person can act on.
fn diagnose(error: &rustls::Error, chain: &[CertFacts], host: &str, mode: &Mode) -> TlsProblem {
    let leaf = chain.first();
    let now = now_unix();
    match (error, mode) {
        (_, Mode::Pin(expected)) => TlsProblem::PinMismatch {
            expected: expected.clone(),
            actual: leaf.map(|l| l.sha256.clone()).unwrap_or_default(),
        },
        (rustls::Error::InvalidCertificate(cert_error), _) => match cert_error {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                let not_after = chain.iter().map(|c| c.not_after_unix).min().unwrap_or(now);
                TlsProblem::Expired {
                    seconds_ago: now - not_after,
                }
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                let not_before = chain.iter().map(|c| c.not_before_unix).max().unwrap_or(now);
                TlsProblem::NotYetValid {
                    seconds_ahead: not_before - now,
                }
            }
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer {
                self_signed: leaf.is_some_and(|l| l.self_signed),
            },
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::HostnameMismatch {
                    host: host.to_string(),
                    names: leaf.map(|l| l.san.clone()).unwrap_or_default(),
                }
            }
            // webpki may report a signature mismatch against a root that
            // shares the self-signed leaf's name: still "not trusted".
            _ if leaf.is_some_and(|l| l.self_signed) && chain.len() == 1 => {
                TlsProblem::UnknownIssuer { self_signed: true }
            }
            other => TlsProblem::Other(format!("{other:?}")),
        },
        (other, _) => TlsProblem::Other(other.to_string()),
    }
}

/// The problem a handshake that failed outside certificate checks reports.
pub fn handshake_problem(error: &rustls::Error) -> TlsProblem {
    match error {
        rustls::Error::InvalidMessage(_) => TlsProblem::NotTls(error.to_string()),
        _ => TlsProblem::Handshake(error.to_string()),
    }
}
