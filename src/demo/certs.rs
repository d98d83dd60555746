//! Throw-away certificates for the demo appliances and for tests: self-signed
//! leaves, a small CA that issues leaves, and the fingerprint format apx prints.

use crate::core::tls::sha256_fingerprint;
use std::fmt;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, date_time_ymd,
};

use super::clock;

/// A calendar date: (year, month 1–12, day 1–31).
type Ymd = (i32, u8, u8);

/// A certificate and its private key.
#[derive(Clone)]
pub struct CertKey {
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
    /// PKCS#8 DER.
    pub key_der: Vec<u8>,
}

/// Shows the fingerprint, never the private key.
impl fmt::Debug for CertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertKey")
            .field("sha256", &sha256_fingerprint(&self.cert_der))
            .finish_non_exhaustive()
    }
}

/// Self-signed leaf for these names (each a DNS name or an IP literal, which
/// becomes a SAN of the right type), valid from yesterday for one year.
pub fn self_signed(names: &[&str]) -> Result<CertKey, rcgen::Error> {
    let (not_before, not_after) = default_validity()?;
    self_signed_with_validity(names, not_before, not_after)
}

/// Same as [`self_signed`] with an explicit validity window `(year, month, day)`,
/// e.g. for expired certificates in tests. An impossible date is
/// `rcgen::Error::Time`.
pub fn self_signed_with_validity(
    names: &[&str],
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) -> Result<CertKey, rcgen::Error> {
    let params = leaf_params(names, not_before, not_after)?;
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(CertKey {
        cert_der: cert.der().to_vec(),
        cert_pem: cert.pem(),
        key_der: key.serialize_der(),
    })
}

/// A test/demo certificate authority.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    cert_pem: String,
}

impl Ca {
    /// A new self-signed CA, valid from yesterday for two years.
    pub fn new(common_name: &str) -> Result<Ca, rcgen::Error> {
        let (not_before, _) = default_validity()?;
        let (y, m, d) = clock::date_from_today(2 * 365);
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name_dn(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, not_before, (year(y)?, m, d))?;
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        let cert_pem = issuer.pem();
        Ok(Ca { issuer, cert_pem })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn cert_der(&self) -> &[u8] {
        self.issuer.der()
    }

    /// A leaf signed by this CA, valid from yesterday for one year.
    pub fn issue(&self, names: &[&str]) -> Result<CertKey, rcgen::Error> {
        let (not_before, not_after) = default_validity()?;
        let mut params = leaf_params(names, not_before, not_after)?;
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(CertKey {
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            key_der: key.serialize_der(),
        })
    }
}

/// Server-auth leaf parameters; the subject CN is the first name.
fn leaf_params(
    names: &[&str],
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) -> Result<CertificateParams, rcgen::Error> {
    let owned: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
    // `CertificateParams::new` makes IP literals IP SANs and the rest DNS SANs.
    let mut params = CertificateParams::new(owned)?;
    params.distinguished_name = match names.first() {
        Some(first) => common_name_dn(first),
        None => DistinguishedName::new(),
    };
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut params, not_before, not_after)?;
    Ok(params)
}

fn common_name_dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

/// Yesterday and one year after it.
fn default_validity() -> Result<(Ymd, Ymd), rcgen::Error> {
    let (y1, m1, d1) = clock::date_from_today(-1);
    let (y2, m2, d2) = clock::date_from_today(364);
    Ok(((year(y1)?, m1, d1), (year(y2)?, m2, d2)))
}

fn year(y: i64) -> Result<i32, rcgen::Error> {
    i32::try_from(y).map_err(|_| rcgen::Error::Time)
}

/// Sets the validity window; `date_time_ymd` panics on impossible dates, so
/// they are rejected first as `rcgen::Error::Time`.
fn set_validity(
    params: &mut CertificateParams,
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) -> Result<(), rcgen::Error> {
    let valid = |(y, m, d): (i32, u8, u8)| {
        (1..=9999).contains(&y) && d >= 1 && d <= clock::days_in_month(i64::from(y), m)
    };
    if !valid(not_before) || !valid(not_after) {
        return Err(rcgen::Error::Time);
    }
    params.not_before = date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
    Ok(())
}
