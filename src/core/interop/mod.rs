//! Interoperability with other tools: Postman collections (v2.0/v2.1) and
//! curl command lines, both ways. Pure: text in, requests out (and back);
//! [`import_postman_file`] then saves a collection into a workspace.
//!
//! Secrets found in imported material (auth blocks, credential headers,
//! secret-looking fields of bodies, URLs and variables) never end up in a
//! [`SavedRequest`]: a `{{variable}}` takes their place, they are handed
//! back separately as [`Secret`]s, and exports refer to credentials through
//! variables (`{{password}}`, `"$APX_PASSWORD"`) only.
//!
//! [`SavedRequest`]: crate::core::workspace::saved::SavedRequest
//! [`Secret`]: crate::core::secret::Secret

mod ansible_export;
mod ansible_flow;
mod curl_export;
mod curl_import;
mod curl_login;
mod curl_options;
mod curl_stdin;
mod folder_export;
mod postman_auth;
mod postman_export;
mod postman_fields;
mod postman_import;
mod postman_workspace;
mod scrub;
mod shell_words;

pub use ansible_export::{
    AnsibleExport, AnsibleTarget, PASSWORD_VAR, ansible_command, export_ansible, write_ansible,
};
pub use curl_export::{CurlInput, export_curl, pinned_key};
pub use curl_import::{CurlImport, import_curl, looks_like_curl};
pub use folder_export::{PostmanFolder, curl_script, folder_requests, postman_folder};
pub use postman_export::{POSTMAN_SCHEMA_V21, export_postman};
pub use postman_import::{FoundSecret, PostmanImport, import_postman};
pub use postman_workspace::{PostmanOutcome, import_postman_file};

/// Whether a variable, field or header name suggests it holds a secret,
/// case-insensitively: it contains a secret word (password, passphrase,
/// passcode, secret, token, API key, credential, private key, session,
/// cookie), or one of its words (split at punctuation and camel case) is a
/// short one (`pw`, `psk`, `key`, `auth`, `sig`, `community`).
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let contains = [
        "pass",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "credential",
        "privatekey",
        "private_key",
        "private-key",
        "session",
        "cookie",
        "preshared",
        "pre-shared",
        "pre_shared",
    ];
    const WORDS: [&str; 8] = [
        "pw",
        "psk",
        "key",
        "auth",
        "sig",
        "signature",
        "community",
        "otp",
    ];
    contains.iter().any(|word| lower.contains(word))
        || words(name).any(|word| WORDS.contains(&word.to_ascii_lowercase().as_str()))
}

/// The words of a name: split at anything not a letter or digit, and
/// before an upper-case letter that follows a lower-case one (`apiKey`).
fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut starts = vec![0];
    let bytes = name.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase() {
            starts.push(i);
        }
    }
    starts.push(bytes.len());
    starts
        .windows(2)
        .flat_map(|w| name[w[0]..w[1]].split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// Whether `text` is exactly one `{{variable}}` reference, so it names a
/// value kept elsewhere rather than holding one.
fn is_variable_ref(text: &str) -> bool {
    let text = text.trim();
    text.strip_prefix("{{")
        .and_then(|rest| rest.strip_suffix("}}"))
        .is_some_and(|name| !name.trim().is_empty() && !name.contains(['{', '}']))
}

/// A name without control characters or surrounding spaces.
fn clean(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A name from the input as shown in a note: cleaned, at most 60 characters.
fn label(name: &str) -> String {
    clip(&clean(name), 60)
}

/// The first `max` characters of `text` (never splits a character), with
/// an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "password",
            "ADMIN_PASSWORD",
            "apiKey",
            "api_key",
            "jwtToken",
            "clientSecret",
            "X-Session",
            "Cookie",
            "JSESSIONID",
            "X-auth-access-token",
            "passcode",
            "credentials",
            "pass",
            "pw",
            "psk",
            "key",
            "sig",
            "X-Auth-Key",
            "Ocp-Apim-Subscription-Key",
            "snmpCommunity",
            "preSharedKey",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "baseUrl",
            "username",
            "host",
            "Accept",
            "author",
            "keyboard",
            "monkey",
            "signal",
            "WWW-Authenticate",
            "Keep-Alive",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn variable_refs_and_clipping() {
        assert!(is_variable_ref("{{password}}"));
        assert!(is_variable_ref(" {{ pw }} "));
        assert!(!is_variable_ref("{{}}"));
        assert!(!is_variable_ref("x{{pw}}"));
        assert!(!is_variable_ref("hunter2"));
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hé", 2), "hé");
    }
}
