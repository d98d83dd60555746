//! Where a Postman collection keeps secrets: auth blocks, credential
//! headers and collection variables. Each secret is taken out of the
//! request (a `{{variable}}` takes its place) and handed back on its own.

use serde_json::Value;

use super::postman_import::{FoundSecret, PostmanImport};
use super::{is_variable_ref, looks_secret};
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

/// A header holding a literal credential (`Authorization`, or a name such as
/// `X-Auth-Token` or `X-Api-Key`) gets a `{{variable}}` instead; the value
/// goes to the secrets. `Authorization` keeps its scheme (`Bearer {{…}}`).
pub(super) fn secret_header(out: &mut PostmanImport, mut header: Header, request: &str) -> Header {
    let authorization = header.name.eq_ignore_ascii_case("authorization");
    let literal = !header.value.is_empty() && !header.value.contains("{{");
    if !literal || !(authorization || looks_secret(&header.name)) {
        return header;
    }
    let variable: String = header
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let (scheme, secret) = match header.value.split_once(' ') {
        Some((scheme, rest))
            if authorization && scheme.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            (format!("{scheme} "), rest.trim().to_string())
        }
        _ => (String::new(), header.value.clone()),
    };
    out.secrets.push(FoundSecret {
        request: request.to_string(),
        kind: format!("header {}", header.name),
        user: None,
        secret: Secret::new(secret),
    });
    header.value = format!("{scheme}{{{{{variable}}}}}");
    header
}

/// Splits the collection's `variable` list: secret-looking names (or
/// `type: secret`) go to the secrets, the rest to the variables. A secret
/// variable with no value, or only a `{{reference}}`, holds nothing to keep.
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
        let secret =
            looks_secret(&key) || variable.get("type").and_then(Value::as_str) == Some("secret");
        if !secret {
            out.variables.insert(key, value);
        } else if !value.is_empty() && !is_variable_ref(&value) {
            out.secrets.push(FoundSecret {
                request: collection.to_string(),
                kind: format!("variable {key}"),
                user: None,
                secret: Secret::new(value),
            });
        }
    }
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
