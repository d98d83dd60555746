//! Device passwords in the OS keyring. Never in files.
//!
//! An entry is bound to where the password may go: the workspace (its
//! canonical folder), the device's name, the origin its base URL points at
//! (scheme, host, port) and the user. A `git pull` that moves a device to
//! another address, or another workspace with a device of the same name,
//! finds no password: a password is only ever sent where it was stored for.
//!
//! Beside each entry, a second one (holding no secret) records the origin
//! and user the device's password was stored for, so that a miss can say
//! why. Entries of earlier versions (keyed by the device name alone) are
//! never sent on their own: they are migrated only when a person confirms
//! the address ([`migrate_legacy`]).

use std::path::Path;
use std::sync::{Arc, Once};

use keyring_core::{CredentialStore, Entry, Error};

use crate::core::error::{Failure, Remedy};
use crate::core::reach::ProxyCredentials;
use crate::core::request::{origin, with_api_port};
use crate::core::secret::Secret;
use crate::core::workspace::Device;

const SERVICE: &str = "apx";
/// Prefix of this version's account names.
const VERSION: &str = "v2";

/// Uses the system's keyring as the store (see [`os_store`]), unless a
/// store (e.g. keyring's mock, in tests) was set already. Failure leaves no
/// store, and keyring operations then report that.
pub fn use_os_store() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if keyring_core::get_default_store().is_none() {
            match os_store() {
                Ok(store) => keyring_core::set_default_store(store),
                Err(e) => tracing::debug!("no OS keyring: {e}"),
            }
        }
    });
}

/// The desktop's Secret Service (GNOME Keyring, KWallet) over D-Bus.
#[cfg(all(unix, not(target_os = "macos")))]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

/// The Windows Credential Manager (generic credentials of the user).
#[cfg(windows)]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

/// The user's login Keychain.
#[cfg(target_os = "macos")]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

/// What to do when the keyring cannot be reached, in the system's terms.
const KEYRING_HINT: &str = if cfg!(windows) {
    "The Windows Credential Manager did not answer; pass the password with --password-env VAR."
} else if cfg!(target_os = "macos") {
    "Unlock the login Keychain (Keychain Access), or pass the password with --password-env VAR."
} else {
    "Start a Secret Service (GNOME Keyring, KWallet) in this session, or pass the password with --password-env VAR."
};

/// Where a stored password belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringKey {
    /// The workspace folder, canonical when it exists.
    pub workspace: String,
    pub device: String,
    /// `scheme://host:port` of the device's base URL (API port applied).
    pub origin: String,
    pub user: String,
}

impl KeyringKey {
    /// The key for `device` of the workspace in `workspace_dir`, for `user`
    /// (the device's own user unless overridden).
    pub fn new(workspace_dir: &Path, device: &Device, user: Option<&str>) -> KeyringKey {
        let workspace = std::fs::canonicalize(workspace_dir)
            .unwrap_or_else(|_| workspace_dir.to_path_buf())
            .display()
            .to_string();
        let base = with_api_port(&device.base_url, device.platform);
        let origin = url::Url::parse(&base).map(|u| origin(&u)).unwrap_or(base);
        KeyringKey {
            workspace,
            device: device.name.clone(),
            origin,
            user: user
                .map(str::to_string)
                .or_else(|| device.username.clone())
                .unwrap_or_default(),
        }
    }

    /// The same device under another name (a rename in the app).
    pub fn renamed(&self, name: &str) -> KeyringKey {
        KeyringKey {
            device: name.to_string(),
            ..self.clone()
        }
    }

    fn account(&self) -> String {
        // Newlines cannot occur in a path from a person, a device name
        // (validated) or an origin, so the parts cannot run into each other.
        format!(
            "{VERSION}\n{}\n{}\n{}\n{}",
            self.workspace, self.device, self.origin, self.user
        )
    }

    /// The entry that records where the device's password was stored for.
    fn binding_account(&self) -> String {
        format!("{VERSION}-binding\n{}\n{}", self.workspace, self.device)
    }

    fn binding_value(&self) -> String {
        format!("{}\n{}", self.origin, self.user)
    }
}

/// What the keyring holds for a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Secret),
    /// Nothing stored for this device.
    Missing,
    /// A password is stored for this device, but for another address or user.
    Elsewhere {
        origin: String,
        user: String,
    },
    /// Only an earlier apx's entry (device name alone, no address) exists.
    Legacy,
}

impl Lookup {
    /// The password, or a failure that says why none may be sent; `None`
    /// when nothing is stored.
    pub fn into_password(self, key: &KeyringKey) -> Result<Option<Secret>, Failure> {
        match self {
            Lookup::Found(secret) => Ok(Some(secret)),
            Lookup::Missing => Ok(None),
            Lookup::Elsewhere { origin, user } => Err(Failure::usage(
                format!(
                    "the keyring password of {:?} was stored for {user}@{origin}, not {}@{}: it is not sent elsewhere",
                    key.device, key.user, key.origin
                ),
                format!(
                    "If the device really moved, enter its password again: `apx device set-password {} --password-env VAR`, or in the app Edit device > Password > Remember in the OS keyring.",
                    key.device
                ),
            )
            .with_remedy(Remedy::EnterPassword)),
            Lookup::Legacy => Err(Failure::usage(
                format!(
                    "the keyring password of {:?} was stored by an earlier apx, for no particular address",
                    key.device
                ),
                format!(
                    "apx sends a stored password only to the address it was stored for. Run the command in a terminal to confirm {} (or store it again: `apx device set-password {} --password-env VAR`).",
                    key.origin, key.device
                ),
            )
            .with_remedy(Remedy::EnterPassword)),
        }
    }
}

fn entry(account: &str) -> Result<Entry, Failure> {
    super::ui_thread::assert_not_in_frame("the OS keyring");
    use_os_store();
    Entry::new(SERVICE, account).map_err(keyring_failure)
}

fn keyring_failure(e: Error) -> Failure {
    Failure::usage(format!("OS keyring unavailable: {e}"), KEYRING_HINT)
}

fn get(account: &str) -> Result<Option<String>, Failure> {
    match entry(account)?.get_password() {
        Ok(p) => Ok(Some(p)),
        Err(Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_failure(e)),
    }
}

fn delete(account: &str) -> Result<(), Failure> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_failure(e)),
    }
}

/// Stores the device's password for the key's address and user (replacing
/// the one stored for another address, if any).
pub fn set_password(key: &KeyringKey, password: &Secret) -> Result<(), Failure> {
    delete_password(key)?;
    entry(&key.account())?
        .set_password(password.expose())
        .map_err(keyring_failure)?;
    entry(&key.binding_account())?
        .set_password(&key.binding_value())
        .map_err(keyring_failure)
}

/// What is stored for the key.
pub fn password(key: &KeyringKey) -> Result<Lookup, Failure> {
    if let Some(p) = get(&key.account())? {
        return Ok(Lookup::Found(Secret::new(p)));
    }
    if let Some(binding) = get(&key.binding_account())? {
        let (origin, user) = binding.split_once('\n').unwrap_or((&binding, ""));
        if (origin, user) != (key.origin.as_str(), key.user.as_str()) {
            return Ok(Lookup::Elsewhere {
                origin: origin.to_string(),
                user: user.to_string(),
            });
        }
    }
    if get(&key.device)?.is_some() {
        return Ok(Lookup::Legacy);
    }
    Ok(Lookup::Missing)
}

/// Forgets this workspace's password of the device, whatever address it
/// was stored for. Other workspaces' entries, and an earlier apx's entry
/// (which may belong to another workspace), are left alone.
pub fn delete_password(key: &KeyringKey) -> Result<(), Failure> {
    if let Some(binding) = get(&key.binding_account())? {
        let (origin, user) = binding.split_once('\n').unwrap_or((&binding, ""));
        let stored = KeyringKey {
            origin: origin.to_string(),
            user: user.to_string(),
            ..key.clone()
        };
        delete(&stored.account())?;
        delete(&key.binding_account())?;
    }
    delete(&key.account())
}

/// Moves the device's password to a new name (a rename), keeping its address.
pub fn rename(key: &KeyringKey, new_name: &str) -> Result<(), Failure> {
    if let Lookup::Found(password) = password(key)? {
        set_password(&key.renamed(new_name), &password)?;
        delete_password(key)?;
    }
    Ok(())
}

/// Binds an earlier apx's entry (keyed by the device name alone) to this
/// key's address once a person has confirmed it, and removes the old entry.
pub fn migrate_legacy(key: &KeyringKey) -> Result<Option<Secret>, Failure> {
    let Some(legacy) = get(&key.device)? else {
        return Ok(None);
    };
    let password = Secret::new(legacy);
    set_password(key, &password)?;
    delete(&key.device)?;
    Ok(Some(password))
}

/// The entry of a proxy's credentials, by its `scheme://host:port`.
fn proxy_account(proxy: &str) -> String {
    format!("{VERSION}-proxy\n{proxy}")
}

/// Stores the credentials of the proxy `proxy` (`scheme://host:port`); the
/// entry holds `user`, a newline, then the password.
pub fn set_proxy_credentials(proxy: &str, credentials: &ProxyCredentials) -> Result<(), Failure> {
    let value = format!("{}\n{}", credentials.user, credentials.password.expose());
    entry(&proxy_account(proxy))?
        .set_password(&value)
        .map_err(keyring_failure)
}

/// The stored credentials of the proxy `proxy` (`scheme://host:port`).
pub fn proxy_credentials(proxy: &str) -> Result<Option<ProxyCredentials>, Failure> {
    Ok(get(&proxy_account(proxy))?.and_then(|value| {
        let (user, password) = value.split_once('\n')?;
        ProxyCredentials::new(user, Secret::new(password)).ok()
    }))
}

/// Forgets the credentials of the proxy `proxy` (`scheme://host:port`).
pub fn forget_proxy(proxy: &str) -> Result<(), Failure> {
    delete(&proxy_account(proxy))
}

/// The entry of an encrypted client key's passphrase, by the key file's path.
/// The account of a key file's passphrase: its absolute path (a relative
/// `key.pem` in one workspace is not another's).
fn key_account(path: &Path) -> String {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("{VERSION}-key\n{}", path.display())
}

/// Stores the passphrase of the encrypted client key at `path`.
pub fn set_key_passphrase(path: &Path, passphrase: &Secret) -> Result<(), Failure> {
    entry(&key_account(path))?
        .set_password(passphrase.expose())
        .map_err(keyring_failure)
}

/// The stored passphrase of the encrypted client key at `path`.
pub fn key_passphrase(path: &Path) -> Result<Option<Secret>, Failure> {
    Ok(get(&key_account(path))?.map(Secret::new))
}
