//! Client private keys from PEM: unencrypted (PKCS#8, PKCS#1, SEC1), or
//! PKCS#8 encrypted with a passphrase (PBES2: PBKDF2 or scrypt, AES-CBC).
//! The passphrase and the decrypted key stay in memory.

use std::path::Path;

use pkcs8::pkcs5::EncryptionScheme;
use pkcs8::pkcs5::pbes2::Kdf;
use pkcs8::{EncryptedPrivateKeyInfo, der::Decode};
use rustls_pki_types::{PrivateKeyDer, pem::PemObject};

use crate::core::error::{Failure, Remedy};
use crate::core::reach::Reach;
use crate::core::secret::Secret;

const BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const END: &str = "-----END ENCRYPTED PRIVATE KEY-----";

/// The most work a key file may ask of its key derivation: a hostile file
/// must not hold apx for hours or take all memory.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// scrypt's memory (128 r N bytes) at most 64 MiB and its work (N r p) at
/// most 2^22 blocks: openssl's default (N 2^14, r 8, p 1) takes 16 MiB.
const MAX_SCRYPT_MEMORY: u64 = 64 << 20;
const MAX_SCRYPT_WORK: u64 = 1 << 22;

/// Whether the PEM holds an encrypted PKCS#8 private key.
pub fn is_encrypted(pem: &[u8]) -> bool {
    String::from_utf8_lossy(pem).contains(BEGIN)
}

/// The private key of the PEM file `path` (its bytes `pem`), decrypted with
/// `passphrase` when it is encrypted.
pub fn private_key(
    path: &Path,
    pem: &[u8],
    passphrase: Option<&Secret>,
) -> Result<PrivateKeyDer<'static>, Failure> {
    if !is_encrypted(pem) {
        return PrivateKeyDer::from_pem_slice(pem).map_err(|_| {
            Failure::usage(
                format!("{} holds no PEM private key", path.display()),
                "Give the client certificate's private key as a PEM file (BEGIN PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY).",
            )
        });
    }
    let Some(passphrase) = passphrase else {
        return Err(Failure::usage(
            format!(
                "{} holds an encrypted private key and no passphrase was given",
                path.display()
            ),
            "Give its passphrase with --key-passphrase-env VAR, or run in a terminal to be asked for it (the app asks in a dialog).",
        )
        .with_remedy(Remedy::EnterKeyPassphrase));
    };
    let unreadable = |why: String| {
        Failure::usage(
            format!(
                "cannot read the encrypted private key of {}: {why}",
                path.display()
            ),
            "Give a PKCS#8 key encrypted with PBES2 (`openssl pkcs8 -topk8 -v2 aes-256-cbc`).",
        )
    };
    let der = encrypted_der(pem).ok_or_else(|| unreadable("no complete PEM block".into()))?;
    let info = EncryptedPrivateKeyInfo::from_der(&der).map_err(|e| unreadable(format!("{e}")))?;
    check_cost(&info.encryption_algorithm).map_err(unreadable)?;
    let plain = info.decrypt(passphrase.expose()).map_err(|_| {
        Failure::usage(
            format!(
                "the passphrase does not open the encrypted private key {}",
                path.display()
            ),
            "Check the passphrase (--key-passphrase-env VAR, or the one typed).",
        )
        .with_remedy(Remedy::EnterKeyPassphrase)
    })?;
    Ok(PrivateKeyDer::Pkcs8(plain.as_bytes().to_vec().into()))
}

/// The reach with the passphrase the OS keyring keeps for its client key,
/// when the key is encrypted and no passphrase was given (read off the
/// async threads). A keyring that cannot be reached holds none.
pub async fn with_stored_passphrase(mut reach: Reach) -> Reach {
    let Some(identity) = reach.client_identity.clone() else {
        return reach;
    };
    if reach.key_passphrase.is_some() {
        return reach;
    }
    let found = tokio::task::spawn_blocking(move || {
        if !super::tls::key_file_is_encrypted(&identity.key) {
            return Ok(None);
        }
        super::keyring::key_passphrase(&identity.key)
    })
    .await;
    match found {
        Ok(Ok(passphrase)) => reach.key_passphrase = passphrase,
        Ok(Err(failure)) => tracing::debug!("key passphrase: {}", failure.message),
        Err(e) => tracing::debug!("key passphrase: {e}"),
    }
    reach
}

/// The DER of the first encrypted key block of the PEM.
fn encrypted_der(pem: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let text = String::from_utf8_lossy(pem);
    let start = text.find(BEGIN)? + BEGIN.len();
    let body = &text[start..][..text[start..].find(END)?];
    let base64: String = body.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .ok()
}

/// Refuses key derivations that would take too long or too much memory,
/// and the weak PBES1 schemes.
fn check_cost(scheme: &EncryptionScheme<'_>) -> Result<(), String> {
    let EncryptionScheme::Pbes2(params) = scheme else {
        return Err("PBES1 (DES, RC2) encryption is not supported".into());
    };
    match &params.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Err(format!(
            "{} PBKDF2 iterations is more than apx allows ({MAX_PBKDF2_ITERATIONS})",
            p.iteration_count
        )),
        Kdf::Scrypt(p)
            if 128 * u128::from(p.block_size) * u128::from(p.cost_parameter)
                > u128::from(MAX_SCRYPT_MEMORY)
                || u128::from(p.cost_parameter)
                    * u128::from(p.block_size)
                    * u128::from(p.parallelization)
                    > u128::from(MAX_SCRYPT_WORK) =>
        {
            Err(format!(
                "scrypt N={} r={} p={} is more than apx allows",
                p.cost_parameter, p.block_size, p.parallelization
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_or_foreign_block_is_a_clear_usage_error() {
        let path = Path::new("/k.pem");
        let pw = Secret::new("pw");
        let cut = format!("{BEGIN}\nMIIB\n");
        let e = private_key(path, cut.as_bytes(), Some(&pw)).unwrap_err();
        assert_eq!(e.kind.exit_code(), 2);
        assert!(e.message.contains("no complete PEM block"), "{}", e.message);
        let junk = format!("{BEGIN}\nAAAA\n{END}\n");
        let e = private_key(path, junk.as_bytes(), Some(&pw)).unwrap_err();
        assert!(
            e.message.contains("cannot read the encrypted"),
            "{}",
            e.message
        );
        let none = private_key(path, junk.as_bytes(), None).unwrap_err();
        assert!(none.hint.contains("--key-passphrase-env"), "{}", none.hint);
    }

    #[test]
    fn scrypt_that_would_take_gigabytes_or_minutes_is_refused() {
        let scheme = |log_n: u8, r: u32, p: u32| {
            let params = pkcs8::pkcs5::scrypt::Params::new(log_n, r, p, 32).unwrap();
            let kdf =
                pkcs8::pkcs5::pbes2::ScryptParams::from_params_and_salt(params, b"salt").unwrap();
            let iv = [0u8; 16];
            let params = pkcs8::pkcs5::pbes2::Parameters {
                kdf: kdf.into(),
                encryption: pkcs8::pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv: &iv },
            };
            check_cost(&EncryptionScheme::Pbes2(params))
        };
        assert!(scheme(14, 8, 1).is_ok(), "openssl's default");
        assert!(scheme(16, 8, 1).is_ok(), "64 MiB");
        assert!(scheme(20, 16, 16).is_err(), "2 GiB, 16 passes");
        assert!(scheme(17, 8, 1).is_err(), "128 MiB");
        assert!(scheme(14, 8, 64).is_err(), "64 passes");
    }
}
