//! TLS trust options, certificate facts and their diagnosis. Pure: parsing
//! and reasoning only; the engine does the handshakes.

use std::net::IpAddr;
use std::path::PathBuf;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::core::error::{Failure, FailureKind, Remedy};

/// How a device's certificate is trusted. Verification is the default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Trust {
    /// System roots.
    #[default]
    Verify,
    /// System roots plus the CA certificates of this PEM file.
    Ca { file: PathBuf },
    /// Exactly the leaf certificate with this SHA-256 fingerprint.
    Pin { sha256: String },
    /// No verification at all; always reported.
    Insecure,
}

impl Trust {
    /// One line for people, e.g. "pinned AB:CD:…".
    pub fn describe(&self) -> String {
        match self {
            Trust::Verify => "verify (system roots)".into(),
            Trust::Ca { file } => format!("CA file {}", file.display()),
            Trust::Pin { sha256 } => format!("pinned leaf SHA-256 {sha256}"),
            Trust::Insecure => "INSECURE: certificate not verified".into(),
        }
    }
}

/// Normalises a SHA-256 fingerprint (hex; colons, spaces and case ignored)
/// to upper-case hex pairs joined by colons.
pub fn normalize_fingerprint(input: &str) -> Result<String, Failure> {
    let hex: String = input
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect::<String>()
        .to_ascii_uppercase();
    let hex = hex
        .strip_prefix("SHA256")
        .unwrap_or(&hex)
        .trim_start_matches('=');
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::usage(
            format!("{input:?} is not a SHA-256 fingerprint"),
            "A SHA-256 fingerprint is 64 hex digits (colons optional); `apx probe URL` prints the server's.",
        ));
    }
    Ok(colon_hex(&hex_bytes(hex)))
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// SHA-256 of a DER certificate, as upper-case hex pairs joined by colons.
pub fn sha256_fingerprint(der: &[u8]) -> String {
    colon_hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der).as_ref())
}

/// What one certificate of a presented chain says. Field names match the
/// CLI's `probe --json` contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    pub sha256: String,
    pub san: Vec<String>,
    pub self_signed: bool,
    pub is_ca: bool,
    /// SHA-256 of the SubjectPublicKeyInfo (DER), base64: what curl's
    /// `--pinnedpubkey sha256//…` pins.
    #[serde(skip)]
    pub spki_sha256: String,
    #[serde(skip)]
    pub not_before_unix: i64,
    #[serde(skip)]
    pub not_after_unix: i64,
}

impl CertFacts {
    pub fn expired_at(&self, now_unix: i64) -> bool {
        now_unix > self.not_after_unix
    }

    pub fn not_yet_valid_at(&self, now_unix: i64) -> bool {
        now_unix < self.not_before_unix
    }
}

/// Parses one DER certificate.
pub fn parse_cert(der: &[u8]) -> Result<CertFacts, String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("unparsable certificate: {e}"))?;
    let san = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(d) => Some(d.to_string()),
                    GeneralName::IPAddress(ip) => ip_string(ip),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // Issuer equal to subject: no CA vouches for it (signature not re-checked).
    let self_signed = cert.subject() == cert.issuer();
    let not_before_unix = cert.validity().not_before.timestamp();
    let not_after_unix = cert.validity().not_after.timestamp();
    Ok(CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: rfc3339(not_before_unix),
        not_after: rfc3339(not_after_unix),
        sha256: sha256_fingerprint(der),
        san,
        self_signed,
        is_ca: cert.is_ca(),
        spki_sha256: base64::engine::general_purpose::STANDARD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            cert.public_key().raw,
        )),
        not_before_unix,
        not_after_unix,
    })
}

fn ip_string(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| IpAddr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| IpAddr::from(b).to_string()),
        _ => None,
    }
}

/// Parses a presented chain, leaf first; unparsable entries are skipped.
pub fn parse_chain(ders: &[Vec<u8>]) -> Vec<CertFacts> {
    ders.iter().filter_map(|d| parse_cert(d).ok()).collect()
}

/// Whether the leaf is valid for `host` (SAN DNS names with one leading
/// wildcard label, SAN IP addresses; the CN only when there is no SAN).
pub fn hostname_matches(leaf: &CertFacts, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let names: Vec<String> = if leaf.san.is_empty() {
        common_name(&leaf.subject).into_iter().collect()
    } else {
        leaf.san.clone()
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return names
            .iter()
            .any(|n| n.parse::<IpAddr>().is_ok_and(|n| n == ip));
    }
    names
        .iter()
        .any(|name| dns_matches(&name.to_ascii_lowercase(), &host))
}

fn dns_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

fn common_name(subject: &str) -> Option<String> {
    subject
        .split(", ")
        .find_map(|part| part.strip_prefix("CN="))
        .map(str::to_string)
}

/// Why a certificate was not accepted, in terms a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsProblem {
    /// No trusted root vouches for the chain.
    UnknownIssuer {
        self_signed: bool,
    },
    Expired {
        seconds_ago: i64,
    },
    NotYetValid {
        seconds_ahead: i64,
    },
    HostnameMismatch {
        host: String,
        names: Vec<String>,
    },
    PinMismatch {
        expected: String,
        actual: String,
    },
    /// Protocol or cipher negotiation failed, or the peer sent an alert.
    Handshake(String),
    /// The port answered, but not with TLS (a plain HTTP port, say).
    NotTls(String),
    /// The server wants a client certificate: none was offered, or it
    /// refused the one offered (the alert it sent).
    ClientCertificate {
        offered: bool,
        alert: String,
    },
    Other(String),
}

impl TlsProblem {
    pub fn message(&self) -> String {
        match self {
            TlsProblem::UnknownIssuer { self_signed: true } => {
                "the server's certificate is self-signed and not trusted".into()
            }
            TlsProblem::UnknownIssuer { self_signed: false } => {
                "the server's certificate was issued by an unknown CA".into()
            }
            TlsProblem::Expired { seconds_ago } => {
                format!(
                    "the server's certificate expired {} ago",
                    human_duration(*seconds_ago)
                )
            }
            TlsProblem::NotYetValid { seconds_ahead } => format!(
                "the server's certificate is not valid for another {} (check the clocks)",
                human_duration(*seconds_ahead)
            ),
            TlsProblem::HostnameMismatch { host, names } => format!(
                "the certificate is not valid for {host}; it names {}",
                if names.is_empty() {
                    "no host".to_string()
                } else {
                    names.join(", ")
                }
            ),
            TlsProblem::PinMismatch { expected, actual } => format!(
                "the certificate's SHA-256 fingerprint {actual} does not match the pinned {expected}"
            ),
            TlsProblem::Handshake(why) => format!("the TLS handshake failed: {why}"),
            TlsProblem::NotTls(why) => format!("the server did not answer with TLS: {why}"),
            TlsProblem::ClientCertificate { offered: false, .. } => {
                "the server requires a client certificate and none was offered".into()
            }
            TlsProblem::ClientCertificate {
                offered: true,
                alert,
            } => format!("the server refused the client certificate offered ({alert})"),
            TlsProblem::Other(why) => format!("certificate verification failed: {why}"),
        }
    }

    pub fn hint(&self) -> String {
        match self {
            TlsProblem::UnknownIssuer { self_signed: true } => "Appliances ship self-signed certificates. Check the fingerprint with `apx probe URL` (or on the console), then trust this device alone with --pin SHA256, or install a CA-signed certificate on the appliance.".into(),
            TlsProblem::UnknownIssuer { self_signed: false } => "Trust the issuing CA for this device with --cacert ca.pem (PEM with the CA certificate), or pin the leaf with --pin SHA256.".into(),
            TlsProblem::Expired { .. } => "Renew the appliance's certificate (ASA: `crypto ca enroll`, AsyncOS: `certconfig`). To reach it meanwhile, pin the current certificate with --pin SHA256.".into(),
            TlsProblem::NotYetValid { .. } => "Check the clock of this machine and of the appliance (NTP); the certificate's validity starts in the future.".into(),
            TlsProblem::HostnameMismatch { names, .. } => match names.first() {
                Some(name) => format!("Connect with a name the certificate holds (e.g. {name}), or reissue it with this name in its SAN; pinning the fingerprint also accepts it."),
                None => "Reissue the certificate with the appliance's name in its SAN, or pin its fingerprint.".into(),
            },
            TlsProblem::PinMismatch { .. } => "The appliance presents a different certificate than the one pinned: if it was renewed on purpose, pin the new fingerprint; otherwise something may be intercepting the connection.".into(),
            TlsProblem::Handshake(_) => "The appliance and apx share no protocol version or cipher (apx needs TLS 1.2 or later): enable TLS 1.2/1.3 on the appliance (ASA: `ssl server-version tlsv1.2`).".into(),
            TlsProblem::NotTls(_) => "Something answered on this port, but not HTTPS: it may be a plain-HTTP port (use http://) or another service. The appliances' HTTPS APIs listen on 443 (ASA, FXOS) and 6443 (AsyncOS).".into(),
            TlsProblem::ClientCertificate { offered: false, .. } => "This appliance demands mutual TLS: present a client certificate with --cert FILE --key FILE (PEM), or keep them with the device (`apx device add --cert FILE --key FILE`).".into(),
            TlsProblem::ClientCertificate { offered: true, .. } => "The appliance does not accept this client certificate: check it is issued by a CA the appliance trusts for client authentication, not expired, and that --key matches --cert.".into(),
            TlsProblem::Other(_) => "Run `apx probe URL` to see the chain the server presents.".into(),
        }
    }

    /// Whether pinning the presented certificate gets past this problem.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            TlsProblem::UnknownIssuer { .. }
            | TlsProblem::Expired { .. }
            | TlsProblem::HostnameMismatch { .. }
            | TlsProblem::PinMismatch { .. } => Some(Remedy::TrustCertificate),
            TlsProblem::NotYetValid { .. }
            | TlsProblem::Handshake(_)
            | TlsProblem::NotTls(_)
            | TlsProblem::ClientCertificate { .. }
            | TlsProblem::Other(_) => None,
        }
    }

    pub fn to_failure(&self) -> Failure {
        Failure {
            remedy: self.remedy(),
            ..Failure::new(FailureKind::Tls, self.message(), self.hint())
        }
    }
}

/// "3 days", "5 hours", "12 minutes", "40 seconds".
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (n, unit) = match s {
        0..=119 => (s, "second"),
        120..=7199 => (s / 60, "minute"),
        7200..=172_799 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Seconds since the epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Formats a Unix time as RFC 3339 UTC (`2026-11-25T04:38:52Z`).
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_a_pin_gets_past_offer_trusting_the_certificate() {
        let self_signed = TlsProblem::UnknownIssuer { self_signed: true }.to_failure();
        assert_eq!(self_signed.remedy, Some(Remedy::TrustCertificate));
        assert!(
            self_signed.hint.contains("--pin SHA256"),
            "the CLI hint stays"
        );
        let clock = TlsProblem::NotYetValid { seconds_ahead: 60 }.to_failure();
        assert_eq!(clock.remedy, None);
    }

    #[test]
    fn fingerprints_normalise() {
        let lower = "ab".repeat(32);
        let expected = vec!["AB"; 32].join(":");
        assert_eq!(normalize_fingerprint(&lower).unwrap(), expected);
        assert_eq!(
            normalize_fingerprint(&expected.to_lowercase()).unwrap(),
            expected
        );
        assert!(normalize_fingerprint("abcd").is_err());
        assert!(normalize_fingerprint(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(1), "1 second");
        assert_eq!(human_duration(3 * 86_400 + 5), "3 days");
        assert_eq!(human_duration(-7200), "2 hours");
    }

    #[test]
    fn the_public_key_hash_is_over_the_spki() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["x.example".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let facts = parse_cert(cert.der()).unwrap();
        let spki = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            &rcgen::PublicKeyData::subject_public_key_info(&key),
        );
        assert_eq!(
            facts.spki_sha256,
            base64::engine::general_purpose::STANDARD.encode(spki)
        );
        assert_ne!(facts.spki_sha256, facts.sha256);
    }

    fn leaf(san: &[&str], subject: &str) -> CertFacts {
        CertFacts {
            subject: subject.into(),
            issuer: subject.into(),
            not_before: String::new(),
            not_after: String::new(),
            sha256: String::new(),
            san: san.iter().map(|s| s.to_string()).collect(),
            self_signed: true,
            is_ca: false,
            spki_sha256: String::new(),
            not_before_unix: 0,
            not_after_unix: 0,
        }
    }

    #[test]
    fn hostnames_match_san_wildcards_and_ips() {
        let c = leaf(&["*.lab.example", "asa.example", "10.0.0.1"], "CN=x");
        assert!(hostname_matches(&c, "fw1.lab.example"));
        assert!(!hostname_matches(&c, "a.b.lab.example"));
        assert!(!hostname_matches(&c, "lab.example"));
        assert!(hostname_matches(&c, "ASA.example"));
        assert!(hostname_matches(&c, "10.0.0.1"));
        assert!(!hostname_matches(&c, "10.0.0.2"));
        assert!(hostname_matches(
            &leaf(&[], "CN=asa.local, O=Cisco"),
            "asa.local"
        ));
    }
}
