//! Mutual TLS for tests: a CA with a client certificate it issued, a
//! server on 127.0.0.1 that requires one, and encrypted client keys.

use tokio::io::AsyncWriteExt;

/// A CA and a client certificate it issued (clientAuth), as PEM files in `dir`.
pub fn client_identity(
    dir: &std::path::Path,
    name: &str,
) -> (
    rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    String,
    String,
) {
    let mut ca = rcgen::CertificateParams::default();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} CA"));
    let issuer =
        rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate().unwrap()).unwrap();
    let mut leaf = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} client"));
    leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let cert_path = dir.join(format!("{name}.crt"));
    let key_path = dir.join(format!("{name}.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (
        issuer,
        cert_path.display().to_string(),
        key_path.display().to_string(),
    )
}

/// A TLS server that requires a client certificate issued by `ca` and
/// answers `{}` to every request. Returns its URL and fingerprint.
pub fn mutual_tls_server(rt: &tokio::runtime::Runtime, ca: &[u8]) -> (String, String) {
    let cert = super::localhost_cert();
    let (port, pin) = super::raw_tls_server_for(rt, &cert, Some(ca), |mut tls| async move {
        super::read_head(&mut tls).await;
        let _ = tls
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .await;
        let _ = tls.shutdown().await;
    });
    (format!("https://127.0.0.1:{port}/api"), pin)
}

/// Rewrites the PEM key file at `path` as an encrypted PKCS#8 key
/// (PBES2: PBKDF2-SHA256, AES-256-CBC) under `passphrase`.
pub fn encrypt_key_file(path: &str, passphrase: &str) {
    use pkcs8::der::pem::LineEnding;
    let pem = std::fs::read_to_string(path).unwrap();
    let (_, der) = pkcs8::SecretDocument::from_pem(&pem).unwrap();
    let info = pkcs8::PrivateKeyInfo::try_from(der.as_bytes()).unwrap();
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, b"test-salt", &[7; 16])
            .unwrap();
    let encrypted = info.encrypt_with_params(params, passphrase).unwrap();
    let text = encrypted
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .unwrap();
    assert!(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    std::fs::write(path, text.as_bytes()).unwrap();
}
