//! Where a Postman collection keeps secrets of its own: auth blocks and
//! variables (secrets inside a request are the scrubber's). Each secret is
//! taken out (a `{{variable}}` takes its place) and handed back on its own.

use serde_json::Value;

use super::postman_import::{FoundSecret, PostmanImport};
use super::scrub::Scrubber;
use super::{is_variable_ref, label, looks_secret};
use crate::core::platform::AuthMode;
use crate::core::request::Header;
use crate::core::secret::Secret;

/// An auth block and where it is defined: a request, a folder or the
/// collection (inherited by the requests below it).
#[derive(Clone)]
pub(super) struct AuthSource<'a> {
    pub block: &'a Value,
    /// The request's name, the folder path or the collection's name.
    pub owner: String,
    /// The same for notes: "'Login'", "folder 'Objects'", "the collection".
    pub label: String,
}

/// What an auth block makes of a request.
pub(super) struct AuthOutcome {
    pub mode: Option<AuthMode>,
    /// A header standing in for the auth (bearer), with a `{{variable}}`.
    pub header: Option<Header>,
}

/// Applies the request's effective auth block. Its secrets and notes are
/// recorded when `first` (a block inherited by many requests counts once).
pub(super) fn apply_auth(
    out: &mut PostmanImport,
    source: Option<&AuthSource<'_>>,
    first: bool,
) -> AuthOutcome {
    let mut outcome = AuthOutcome {
        mode: None,
        header: None,
    };
    let Some(AuthSource {
        block: auth,
        owner,
        label,
    }) = source
    else {
        return outcome;
    };
    let mut secrets = Vec::new();
    let mut notes = Vec::new();
    match auth.get("type").and_then(Value::as_str).unwrap_or_default() {
        "noauth" => outcome.mode = Some(AuthMode::None),
        "basic" => {
            outcome.mode = Some(AuthMode::Basic);
            let user = param(auth, "basic", "username");
            match param(auth, "basic", "password") {
                Some(password) if !is_variable_ref(&password) => secrets.push(FoundSecret {
                    request: owner.clone(),
                    kind: "basic password".into(),
                    user,
                    secret: Secret::new(password),
                }),
                _ => {
                    if let Some(user) = user.filter(|u| !is_variable_ref(u)) {
                        notes.push(format!(
                            "basic-auth user '{user}' on {label}: apx takes the user from the device"
                        ));
                    }
                }
            }
        }
        "bearer" => {
            outcome.mode = Some(AuthMode::None);
            let value = match param(auth, "bearer", "token") {
                Some(token) if is_variable_ref(&token) => format!("Bearer {}", token.trim()),
                Some(token) => {
                    secrets.push(FoundSecret {
                        request: owner.clone(),
                        kind: "bearer token".into(),
                        user: None,
                        secret: Secret::new(token),
                    });
                    "Bearer {{bearer_token}}".into()
                }
                None => "Bearer {{bearer_token}}".into(),
            };
            outcome.header = Some(Header::new("Authorization", value));
        }
        other => notes.push(format!(
            "auth type '{}' on {label} (imported without auth)",
            super::clip(other, 40)
        )),
    }
    if first {
        out.secrets.extend(secrets);
        out.skipped.extend(notes);
    }
    outcome
}

/// One non-empty parameter of an auth block: v2.1 lists `{key, value}`
/// pairs, v2.0 has an object.
fn param(auth: &Value, kind: &str, key: &str) -> Option<String> {
    let value = match auth.get(kind)? {
        Value::Array(pairs) => pairs
            .iter()
            .find(|p| p.get("key").and_then(Value::as_str) == Some(key))?
            .get("value")?,
        Value::Object(fields) => fields.get(key)?,
        _ => return None,
    };
    text(value).filter(|v| !v.is_empty())
}

/// Splits the collection's `variable` list: secret ones go to the secrets,
/// the rest to the variables (with any password in a URL taken out).
pub(super) fn collection_variables(
    out: &mut PostmanImport,
    list: Option<&Value>,
    collection: &str,
) {
    for variable in list.and_then(Value::as_array).into_iter().flatten() {
        let key = variable
            .get("key")
            .or_else(|| variable.get("id"))
            .and_then(text)
            .filter(|k| !k.trim().is_empty());
        let Some(key) = key else {
            continue;
        };
        if variable.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let value = variable.get("value").and_then(text).unwrap_or_default();
        if is_secret_variable(&key, variable) {
            if !value.is_empty() && !is_variable_ref(&value) {
                out.secrets.push(FoundSecret {
                    request: collection.to_string(),
                    kind: format!("variable {}", label(&key)),
                    user: None,
                    secret: Secret::new(value),
                });
            }
        } else {
            let value = variable_value(out, &key, &value, collection);
            out.variables.insert(key, value);
        }
    }
}

/// Whether a collection or path variable holds a secret: by its name, or
/// by Postman's `type: secret`.
pub(super) fn is_secret_variable(key: &str, variable: &Value) -> bool {
    looks_secret(key) || variable.get("type").and_then(Value::as_str) == Some("secret")
}

/// A variable's value with a URL password or secret query parameter in
/// it taken out (to the secrets of `owner`).
pub(super) fn variable_value(
    out: &mut PostmanImport,
    key: &str,
    value: &str,
    owner: &str,
) -> String {
    let mut scrub = Scrubber::default();
    let value = scrub.url(value);
    let context = format!(" in variable {}", label(key));
    hand_back(out, scrub, owner, &context);
    value
}

/// Moves what `scrub` took to the secrets, as found on `request`, each
/// kind followed by `context`.
pub(super) fn hand_back(out: &mut PostmanImport, scrub: Scrubber, request: &str, context: &str) {
    out.secrets
        .extend(scrub.found.into_iter().map(|taken| FoundSecret {
            request: request.to_string(),
            kind: format!("{}{context}", taken.kind),
            user: taken.user,
            secret: taken.secret,
        }));
}

/// A JSON string, number or boolean as text.
pub(super) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
