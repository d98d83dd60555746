//! Secret values inside one request: a URL's password, secret-looking query
//! parameters, credential headers, and secret-looking fields of JSON, form
//! and other text bodies. Each value is replaced by a `{{variable}}` named
//! for its field, and handed back on its own.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{is_variable_ref, label, looks_secret};
use crate::core::request::{Header, is_credential_header};
use crate::core::secret::Secret;

/// A secret taken out of a request.
pub(super) struct Taken {
    /// Where it was: "query parameter token", "body field password", ….
    pub kind: String,
    /// The user that goes with a URL's password.
    pub user: Option<String>,
    pub secret: Secret,
}

/// Takes the secrets out of one request. The variable standing for a value
/// is its field's name (`{{password}}`), numbered (`{{password_2}}`) when
/// another value of the request already has that name.
#[derive(Default)]
pub(super) struct Scrubber {
    /// The variable given to each (base name, value).
    variables: HashMap<(String, String), String>,
    /// Variable names in use.
    taken: HashSet<String>,
    /// Per base name, the next number to try.
    next: HashMap<String, usize>,
    /// What was taken, in the order found.
    pub found: Vec<Taken>,
}

impl Scrubber {
    /// Records a secret that the request already refers to as
    /// `{{variable}}` (a path variable), so that no other value gets
    /// that name.
    pub fn reserve(&mut self, kind: String, variable: &str, value: &str) {
        self.taken.insert(variable.to_string());
        self.variables.insert(
            (variable_name(variable), value.to_string()),
            variable.to_string(),
        );
        self.found.push(Taken {
            kind,
            user: None,
            secret: Secret::new(value),
        });
    }

    /// `{{variable}}` in place of `value`, when `key` looks secret and
    /// `value` holds something; the value is recorded under `kind KEY`.
    pub fn field(&mut self, kind: &str, key: &str, value: &str) -> Option<String> {
        (looks_secret(key) && holds_secret(value)).then(|| {
            self.take(
                format!("{kind} {}", label(key)),
                key,
                value.to_string(),
                None,
            )
        })
    }

    /// A credential header (`Authorization`, `X-Auth-Token`, `Cookie`,
    /// `X-Session`, …) with its literal value replaced; `Authorization`
    /// keeps its scheme (`Bearer {{authorization}}`).
    pub fn header(&mut self, mut header: Header) -> Header {
        let schemed = has_auth_scheme(&header.value);
        if !is_credential_header(&header.name) && !schemed {
            return header;
        }
        let scheme_first = schemed || header.name.to_ascii_lowercase().ends_with("authorization");
        let (scheme, secret) = match header.value.split_once(' ') {
            Some((scheme, rest))
                if scheme_first && scheme.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                (format!("{scheme} "), rest.trim().to_string())
            }
            _ => (String::new(), header.value.clone()),
        };
        if holds_secret(&secret) {
            let kind = format!("header {}", label(&header.name));
            let name = header.name.clone();
            header.value = format!("{scheme}{}", self.take(kind, &name, secret, None));
        }
        header
    }

    /// A URL with the password of its user info (`user:pass@host`) and
    /// the values of secret-looking query and fragment parameters replaced.
    pub fn url(&mut self, url: &str) -> String {
        let start = match url.find("://") {
            Some(i) if is_scheme(&url[..i]) => i + 3,
            _ => 0,
        };
        let authority_end = url[start..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| start + i);
        let mut out = String::with_capacity(url.len());
        out.push_str(&url[..start]);
        let mut rest = &url[start..];
        if let Some(at) = url[start..authority_end].rfind('@') {
            let userinfo = &rest[..at];
            match userinfo.split_once(':') {
                Some((user, password)) if holds_secret(&percent_decode(password)) => {
                    let user_name = percent_decode(user);
                    let password = percent_decode(password);
                    let variable =
                        self.take("URL password".into(), "password", password, Some(user_name));
                    out.push_str(user);
                    out.push(':');
                    out.push_str(&variable);
                }
                // A user alone may be a token (`https://TOKEN@host`); apx
                // never sends user info in a URL anyway.
                None if holds_secret(&percent_decode(userinfo)) => {
                    let user = percent_decode(userinfo);
                    out.push_str(&self.take("URL user info".into(), "url_user", user, None));
                }
                _ => out.push_str(userinfo),
            }
            out.push('@');
            rest = &rest[at + 1..];
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        out.push_str(path);
        if let Some(query) = query {
            out.push('?');
            out.push_str(&self.pairs(query, &['&'], "query parameter", false));
        }
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(&self.pairs(fragment, &['&'], "URL fragment", false));
        }
        out
    }

    /// A JSON body, at any depth: every string or number whose field has a
    /// secret-looking name (through arrays: `"tokens": ["a", "b"]`), and
    /// every string inside an object of one (`"credentials": {"pin": "1"}`),
    /// replaced. (Numbers there are kept: `"passwordPolicy": {"minLength": 8}`.)
    pub fn json(&mut self, value: &mut Value) {
        self.json_at(value, "", false, false);
    }

    /// `own`: the field's name looks secret; `inside`: an enclosing one's does.
    fn json_at(&mut self, value: &mut Value, key: &str, own: bool, inside: bool) {
        let literal = match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    self.json_at(field, name, looks_secret(name), inside || own);
                }
                return;
            }
            Value::Array(items) => {
                for item in items {
                    self.json_at(item, key, own, inside);
                }
                return;
            }
            Value::String(text) if (own || inside) && holds_secret(text) => text.clone(),
            Value::Number(number) if own => number.to_string(),
            Value::String(text) => {
                // A command in a string (`username admin password X`).
                if let Some(scrubbed) = self.words(text, false) {
                    *text = scrubbed;
                }
                return;
            }
            _ => return,
        };
        let kind = format!("body field {}", label(key));
        *value = Value::String(self.take(kind, key, literal, None));
    }

    /// A body that is not JSON: `"name": value` fields (JSON holding
    /// `{{variables}}`, cut or broken JSON) and `name=value` pairs (a form,
    /// lines of settings) with the values of secret-looking names replaced.
    pub fn text(&mut self, text: &str) -> String {
        let fields = self.quoted_fields(text);
        let pairs = self.pairs(&fields, &['&', '\n'], "form field", true);
        self.words(&pairs, false).unwrap_or(pairs)
    }

    /// A description: as [`Scrubber::text`]'s free text, but only a word
    /// that looks like a value (six characters or more, with a digit or a
    /// symbol) is taken after a secret word: "the password DescSecret1"
    /// loses it, "set the password for admin" keeps "for".
    pub fn prose(&mut self, text: &str) -> String {
        self.words(text, true).unwrap_or_else(|| text.to_string())
    }

    /// Free text with the word after each secret-looking word replaced
    /// (`enable password X`, `snmp-server community X`, `password: X`), or
    /// None when there is none.
    fn words(&mut self, text: &str, prose: bool) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        let mut rest = text;
        let mut secret_word: Option<String> = None;
        while !rest.is_empty() {
            let start = rest.len() - rest.trim_start().len();
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            rest = &rest[end..];
            if !word.is_empty() && word.chars().all(|c| c == '=' || c == ':') {
                // `password = X`: the separator alone; the value follows.
                out.push_str(word);
                continue;
            }
            match secret_word.take() {
                Some(key) if holds_secret(word) && (!prose || looks_like_value(word)) => {
                    out.push_str(&self.take(
                        format!("value after {}", label(&key)),
                        &key,
                        word.to_string(),
                        None,
                    ));
                    changed = true;
                }
                _ => {
                    out.push_str(word);
                    let bare = word.trim_end_matches([':', '=']);
                    let plain = !bare.is_empty()
                        && bare
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
                    if plain && looks_secret(bare) {
                        secret_word = Some(bare.to_string());
                    }
                }
            }
        }
        changed.then_some(out)
    }

    /// `name=value` pairs separated by `separators`, the values of
    /// secret-looking names (URL-decoded) replaced. `plain` asks for names
    /// without spaces or quotes (in free text, anything else is not a pair).
    fn pairs(&mut self, text: &str, separators: &[char], kind: &str, plain: bool) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        loop {
            let end = rest.find(separators).unwrap_or(rest.len());
            let pair = &rest[..end];
            out.push_str(
                &self
                    .pair(pair, kind, plain)
                    .unwrap_or_else(|| pair.to_string()),
            );
            let Some(separator) = rest[end..].chars().next() else {
                return out;
            };
            out.push(separator);
            rest = &rest[end + separator.len_utf8()..];
        }
    }

    /// One `name=value` pair with its value replaced (spaces around it kept).
    fn pair(&mut self, pair: &str, kind: &str, plain: bool) -> Option<String> {
        let (key, value) = pair.split_once('=')?;
        let name = key.trim();
        let odd = |c: char| c.is_whitespace() || "\"'{}:".contains(c);
        if plain && (name.is_empty() || name.contains(odd)) {
            return None;
        }
        let trimmed = value.trim();
        let variable = self.field(kind, &form_decode(name), &form_decode(trimmed))?;
        let lead = value.len() - value.trim_start().len();
        let trail = &value[lead + trimmed.len()..];
        Some(format!("{key}={}{variable}{trail}", &value[..lead]))
    }

    /// `"name": "value"` and `"name": 1234` fields found in any text, the
    /// values of secret-looking names replaced.
    fn quoted_fields(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('"') {
            let Some(len) = literal_len(&rest[open..]) else {
                break;
            };
            let key_end = open + len;
            let after = &rest[key_end..];
            let value_start = after
                .trim_start()
                .strip_prefix(':')
                .map(|v| key_end + (after.len() - v.len()) + (v.len() - v.trim_start().len()));
            if let Some(start) = value_start {
                let key = unquote(&rest[open..key_end]);
                if let Some((end, variable)) = self.quoted_value(&key, &rest[start..]) {
                    out.push_str(&rest[..start]);
                    out.push_str(&variable);
                    rest = &rest[start + end..];
                    continue;
                }
            }
            out.push_str(&rest[..key_end]);
            rest = &rest[key_end..];
        }
        out.push_str(rest);
        out
    }

    /// For the value at the start of `text` (a string literal or a bare
    /// word such as a number), its length and what replaces it.
    fn quoted_value(&mut self, key: &str, text: &str) -> Option<(usize, String)> {
        if text.starts_with('"') {
            let len = literal_len(text)?;
            let variable = self.field("body field", key, &unquote(&text[..len]))?;
            return Some((len, format!("\"{variable}\"")));
        }
        let len = text.find([',', '}', ']', '\n', '\r']).unwrap_or(text.len());
        let word = text[..len].trim_end();
        let structured = word.starts_with(['[', '{']) && !is_variable_ref(word);
        if structured || matches!(word, "true" | "false" | "null") {
            return None;
        }
        let variable = self.field("body field", key, word)?;
        Some((word.len(), variable))
    }

    fn take(&mut self, kind: String, key: &str, value: String, user: Option<String>) -> String {
        let variable = self.variable_for(key, &value);
        self.found.push(Taken {
            kind,
            user,
            secret: Secret::new(value),
        });
        format!("{{{{{variable}}}}}")
    }

    /// The variable for `value` found under `key`: the one it already has,
    /// else the first free of `key`, `key_2`, `key_3`….
    fn variable_for(&mut self, key: &str, value: &str) -> String {
        let base = variable_name(key);
        let known = (base, value.to_string());
        if let Some(variable) = self.variables.get(&known) {
            return variable.clone();
        }
        let mut n = self.next.get(&known.0).copied().unwrap_or(1);
        let variable = loop {
            let candidate = match n {
                1 => known.0.clone(),
                n => format!("{}_{n}", known.0),
            };
            n += 1;
            if self.taken.insert(candidate.clone()) {
                break candidate;
            }
        };
        self.next.insert(known.0.clone(), n);
        self.variables.insert(known, variable.clone());
        variable
    }
}

/// Whether a word of prose looks like a value rather than a word: six
/// characters or more, with a digit or a symbol.
fn looks_like_value(word: &str) -> bool {
    let word = word.trim_end_matches(['.', ',', ';', ')']);
    word.chars().count() >= 6
        && word
            .chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
}

/// Whether a header value starts with an HTTP auth scheme and a credential
/// (`Bearer abc`, `Basic YWJj`), whatever the header's name.
fn has_auth_scheme(value: &str) -> bool {
    let Some((scheme, rest)) = value.trim().split_once(' ') else {
        return false;
    };
    [
        "bearer",
        "basic",
        "digest",
        "token",
        "negotiate",
        "ntlm",
        "apikey",
    ]
    .contains(&scheme.to_ascii_lowercase().as_str())
        && holds_secret(rest)
}

/// Whether a value holds something to keep secret: not empty, and not
/// only a `{{variable}}` reference.
pub(super) fn holds_secret(value: &str) -> bool {
    !value.trim().is_empty() && !is_variable_ref(value)
}

/// A variable name for a field: lower-case ASCII letters, digits and `_`.
pub(super) fn variable_name(key: &str) -> String {
    let mut name = String::new();
    for c in key.chars() {
        if name.len() >= 40 {
            break;
        }
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    match name.trim_end_matches('_') {
        "" => "secret".into(),
        name => name.into(),
    }
}

/// A URL scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

/// The length of the JSON string literal at the start of `text` (which
/// starts with `"`), closing quote included; `None` when it is not closed.
fn literal_len(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate().skip(1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The text of a JSON string literal (its inside as written if it does
/// not decode).
fn unquote(literal: &str) -> String {
    serde_json::from_str(literal).unwrap_or_else(|_| literal[1..literal.len() - 1].to_string())
}

/// `%XX` escapes decoded (invalid UTF-8 replaced).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A form-encoded name or value decoded (`+` is a space).
fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(scrub: &Scrubber) -> Vec<(&str, &str)> {
        scrub
            .found
            .iter()
            .map(|t| (t.kind.as_str(), t.secret.expose()))
            .collect()
    }

    #[test]
    fn urls_lose_their_password_and_secret_parameters() {
        let mut scrub = Scrubber::default();
        let url =
            scrub.url("https://me:p%40ss@h:8443/a?token=t1&x=1&api_key=&pw={{pw}}#sessionid=s");
        assert_eq!(
            url,
            "https://me:{{password}}@h:8443/a?token={{token}}&x=1&api_key=&pw={{pw}}#sessionid={{sessionid}}"
        );
        assert_eq!(
            kinds(&scrub),
            [
                ("URL password", "p@ss"),
                ("query parameter token", "t1"),
                ("URL fragment sessionid", "s"),
            ]
        );
        assert_eq!(scrub.found[0].user.as_deref(), Some("me"));
        // A "://" in the query is not the scheme's.
        let url = scrub.url("{{base}}/x?token=t2&next=https://h/");
        assert_eq!(url, "{{base}}/x?token={{token_2}}&next=https://h/");
        for kept in [
            "{{baseUrl}}/a/b",
            "https://h/a@b?c=d",
            "h",
            "",
            "?",
            "https://{{u}}:{{p}}@h",
        ] {
            assert_eq!(scrub.url(kept), kept);
        }
    }

    #[test]
    fn text_bodies_lose_quoted_fields_and_form_pairs() {
        let mut scrub = Scrubber::default();
        let text = r#"{"n": {{n}}, "password": "a\"b", "pin_password": 1234, "ok": "password=x", "token": {{t}}, "secret": null}"#;
        assert_eq!(
            scrub.text(text),
            r#"{"n": {{n}}, "password": "{{password}}", "pin_password": {{pin_password}}, "ok": "password=x", "token": {{t}}, "secret": null}"#
        );
        assert_eq!(
            scrub.text("user=me&passwd=a%26b+c\nkey = v\r\napi_key = k \r\n"),
            "user=me&passwd={{passwd}}\nkey = {{key}}\r\napi_key = {{api_key}} \r\n"
        );
        assert_eq!(
            kinds(&scrub),
            [
                ("body field password", "a\"b"),
                ("body field pin_password", "1234"),
                ("form field passwd", "a&b c"),
                ("form field key", "v"),
                ("form field api_key", "k"),
            ]
        );
        // Unclosed literals and stray quotes are left as they are.
        for kept in [r#"{"password": "cut"#, r#"""#, r#""a" : "#, "a=b&c"] {
            assert_eq!(scrub.text(kept), kept);
        }
    }

    #[test]
    fn json_fields_at_any_depth() {
        let mut scrub = Scrubber::default();
        let mut body = serde_json::json!({
            "a": [{"deep": {"Password": "p1"}}],
            "credentials": {"user": "u", "list": ["c1", 7, true, null]},
            "password": "p1",
            "passcode": "{{code}}",
            "secretCount": 3,
            "passwordPolicy": {"minLength": 8, "history": [5]},
            "name": "kept"
        });
        scrub.json(&mut body);
        assert_eq!(
            body,
            serde_json::json!({
                "a": [{"deep": {"Password": "{{password}}"}}],
                "credentials": {"user": "{{user}}", "list": ["{{list}}", 7, true, null]},
                "password": "{{password}}",
                "passcode": "{{code}}",
                "secretCount": "{{secretcount}}",
                "passwordPolicy": {"minLength": 8, "history": [5]},
                "name": "kept"
            })
        );
        assert_eq!(scrub.found.len(), 5);
    }

    #[test]
    fn headers_and_reserved_names() {
        let mut scrub = Scrubber::default();
        scrub.reserve("path variable token".into(), "token", "path");
        let headers = [
            Header::new("Authorization", "Basic YWJj"),
            Header::new("Proxy-Authorization", "Bearer {{proxy}}"),
            Header::new("X-Session", "s{{x}}"),
            Header::new("Cookie", "a=b; c=d"),
            Header::new("Token", "path"),
            Header::new("X-Token", "other"),
            Header::new("Accept", "application/json"),
        ];
        let values: Vec<String> = headers.into_iter().map(|h| scrub.header(h).value).collect();
        assert_eq!(
            values,
            [
                "Basic {{authorization}}",
                "Bearer {{proxy}}",
                "{{x_session}}",
                "{{cookie}}",
                "{{token}}",
                "{{x_token}}",
                "application/json",
            ]
        );
        assert_eq!(variable_name("X-Auth--Token_"), "x_auth_token");
        assert_eq!(variable_name("ÄÖ"), "secret");
        let mut scrub = Scrubber::default();
        let names: Vec<String> = (0..4)
            .map(|i| scrub.field("f", "pwd", &format!("v{}", i % 3)).unwrap())
            .collect();
        assert_eq!(names, ["{{pwd}}", "{{pwd_2}}", "{{pwd_3}}", "{{pwd}}"]);
    }
}
