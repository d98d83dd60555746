//! Device passwords in the OS keyring (one entry per device). Never in files.

use std::sync::Once;

use keyring_core::{Entry, Error};

use crate::core::error::Failure;
use crate::core::secret::Secret;

const SERVICE: &str = "apx";

/// Uses the desktop's Secret Service as the store, unless a store (e.g.
/// keyring's mock, in tests) was set already. Failure leaves no store, and
/// keyring operations then report that.
pub fn use_os_store() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if keyring_core::get_default_store().is_none() {
            match zbus_secret_service_keyring_store::Store::new() {
                Ok(store) => keyring_core::set_default_store(store),
                Err(e) => tracing::debug!("no OS keyring: {e}"),
            }
        }
    });
}

fn entry(device: &str) -> Result<Entry, Failure> {
    use_os_store();
    Entry::new(SERVICE, device).map_err(keyring_failure)
}

fn keyring_failure(e: Error) -> Failure {
    Failure::usage(
        format!("OS keyring unavailable: {e}"),
        "Start a Secret Service (GNOME Keyring, KWallet) in this session, or pass the password with --password-env VAR.",
    )
}

pub fn set_password(device: &str, password: &Secret) -> Result<(), Failure> {
    entry(device)?
        .set_password(password.expose())
        .map_err(keyring_failure)
}

/// The stored password, or None when the device has none.
pub fn password(device: &str) -> Result<Option<Secret>, Failure> {
    match entry(device)?.get_password() {
        Ok(p) => Ok(Some(Secret::new(p))),
        Err(Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_failure(e)),
    }
}

/// Forgets the device's password; none stored is fine.
pub fn delete_password(device: &str) -> Result<(), Failure> {
    match entry(device)?.delete_credential() {
        Ok(()) | Err(Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_failure(e)),
    }
}
