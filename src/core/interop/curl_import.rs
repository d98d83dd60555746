//! A pasted `curl` command line → a saved request, the credentials it
//! carried (kept apart, never in the request) and the TLS trust it asked for.

use std::path::PathBuf;

use base64::Engine as _;

use super::curl_options::{NO_FILES, Opt, Parsed, parse_options};
use super::shell_words::{self, Words};
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::Header;
use crate::core::secret::Secret;
use crate::core::tls::Trust;
use crate::core::workspace::saved::{RequestBody, SavedRequest};

/// What a curl command line carried over.
#[derive(Debug, Clone, PartialEq)]
pub struct CurlImport {
    /// Holds no credential: `-u` sets `auth: Basic`, token headers set `auth: Token`.
    pub request: SavedRequest,
    /// The user of `-u user[:password]` (or of a literal Basic header).
    pub user: Option<String>,
    /// The password of `-u`, unless it was a shell variable such as `$APX_PASSWORD`.
    pub password: Option<Secret>,
    /// `-k` or `--cacert FILE`; None when curl would verify with the system roots.
    pub trust: Option<Trust>,
    /// What could not be carried over, one line each.
    pub skipped: Vec<String>,
}

/// Parses a pasted curl command line.
pub fn import_curl(command: &str) -> Result<CurlImport, Failure> {
    let (split, piped) = after_printf(shell_words::split(skip_assignments(command))?)?;
    let mut words = split.words.into_iter().skip_while(|w| w == "$");
    let is_curl = words.next().is_some_and(|first| {
        let program = first.rsplit(['/', '\\']).next().unwrap_or_default();
        program.eq_ignore_ascii_case("curl") || program.eq_ignore_ascii_case("curl.exe")
    });
    if !is_curl {
        return Err(Failure::usage(
            "this is not a curl command",
            "Paste a command line that starts with `curl`.",
        ));
    }
    let mut import = interpret(parse_options(words.collect())?, piped)?;
    if let Some(rest) = split.rest {
        let why = if rest.starts_with('&') {
            "a shell operator ends the curl command; an unquoted & in a URL needs quotes"
        } else {
            "after the curl command; not imported"
        };
        import
            .skipped
            .push(format!("{} ({why})", super::clip(&rest, 60)));
    }
    Ok(import)
}

/// Whether `text` is a curl command (after any comments and variable
/// assignments, such as an exported token login, and a `printf` piped into
/// it, as apx's export writes).
pub fn looks_like_curl(text: &str) -> bool {
    let start = skip_assignments(text).trim_start();
    let is_curl = |text: &str| text.starts_with("curl ") || text.starts_with("curl\t");
    if start.starts_with("printf ") {
        let piped = shell_words::split(start).ok().and_then(|w| w.rest);
        return piped
            .as_deref()
            .and_then(|rest| rest.strip_prefix('|'))
            .is_some_and(|after| is_curl(after.trim_start()));
    }
    is_curl(start)
}

/// `printf '%s\n' LINE… | curl …`, as apx's export hands curl its
/// credentials: the curl command, and the lines (None without a printf).
fn after_printf(split: Words) -> Result<(Words, Option<Vec<String>>), Failure> {
    let after = split
        .rest
        .as_deref()
        .and_then(|rest| rest.strip_prefix('|'));
    match after {
        Some(after)
            if split.words.first().is_some_and(|w| w == "printf") && !after.starts_with('|') =>
        {
            let lines = match split.words.get(1).map(String::as_str) {
                Some("%s\\n") => split.words[2..].to_vec(),
                _ => Vec::new(),
            };
            Ok((shell_words::split(after)?, Some(lines)))
        }
        _ => Ok((split, None)),
    }
}

/// The text from its first line that is not a comment, a blank line or a
/// shell variable assignment: an exported token login
/// (`APX_TOKEN=$(curl ...)`) comes before the request it serves.
fn skip_assignments(text: &str) -> &str {
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        let line = line.trim();
        let name = line.split_once('=').map_or("", |(name, _)| name);
        let assignment = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !(line.is_empty() || line.starts_with('#') || assignment) {
            break;
        }
        rest = after;
    }
    rest
}

/// Applies the options, in order, to a request; `piped` holds the lines a
/// `printf` writes into curl's stdin.
fn interpret(parsed: Parsed, mut piped: Option<Vec<String>>) -> Result<CurlImport, Failure> {
    let mut skipped = Vec::new();
    let mut method = None;
    let mut head = false;
    let mut get = false;
    let mut url = None;
    let mut headers: Vec<Header> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut json = false;
    let mut credentials = None;
    let mut trust = None;
    let mut insecure = false;
    let mut pinned_key = false;
    for (opt, flag, value) in parsed.options {
        match opt {
            Opt::Request => method = Some(value.trim().to_ascii_uppercase()),
            Opt::Header if value == "@-" && piped.is_some() => {
                for line in piped.take().unwrap_or_default() {
                    headers.extend(header(&line)?);
                }
            }
            Opt::Header if value.starts_with('@') => {
                skipped.push(format!("{flag} {value}: header files are not read"))
            }
            Opt::Header => match header(&value)? {
                Some(h) => headers.push(h),
                None => skipped.push(format!(
                    "{flag} {value:?}: curl removes the header (ignored)"
                )),
            },
            Opt::Data => match value.strip_prefix('@') {
                Some(file) => {
                    return Err(Failure::usage(
                        format!("{flag} @{file}: {NO_FILES}"),
                        "Paste the body itself (e.g. with --data-raw), or send the file with `apx send -d @FILE`.",
                    ));
                }
                None => data.push(value),
            },
            Opt::DataRaw => data.push(value),
            Opt::DataUrlencode => data.push(urlencode_data(&flag, &value)?),
            Opt::Json => {
                json = true;
                data.push(value);
            }
            Opt::User => credentials = Some(value),
            Opt::CaCert => {
                trust = Some(Trust::Ca {
                    file: PathBuf::from(value),
                })
            }
            Opt::Insecure => insecure = true,
            Opt::PinnedPubkey => {
                pinned_key = true;
                skipped.push(format!(
                    "{flag}: apx pins the leaf certificate's SHA-256 fingerprint, not a public-key hash; pin with the fingerprint `apx probe` shows"
                ));
            }
            Opt::Url => url = url.or(Some(value)),
            Opt::Head => head = true,
            Opt::Get => get = true,
            Opt::AsApx => {}
            Opt::UserAgent => headers.push(Header::parse(&format!("User-Agent: {value}"))?),
            Opt::Referer => headers.push(Header::parse(&format!("Referer: {value}"))?),
            Opt::Cookie if value.contains('=') => {
                headers.push(Header::parse(&format!("Cookie: {value}"))?)
            }
            Opt::Cookie => skipped.push(format!("{flag} {value}: cookie files are not read")),
            Opt::Ignore(_) => skipped.push(format!("{flag} ignored")),
            Opt::Unsupported(_, why) => skipped.push(format!("{flag}: {why}")),
            Opt::Unknown => skipped.push(format!("unknown option {flag} (ignored)")),
        }
    }
    if piped.is_some() {
        skipped.push("what printf pipes into curl (curl does not read it as headers)".into());
    }
    let mut positionals = parsed.positionals.into_iter();
    let url = url.or_else(|| positionals.next()).ok_or_else(|| {
        Failure::usage(
            "the curl command names no URL",
            "Paste the whole command, URL included.",
        )
    })?;
    for extra in positionals {
        skipped.push(format!(
            "extra argument {:?} (ignored)",
            super::clip(&extra, 60)
        ));
    }
    let mut url = with_scheme(url, &mut skipped);
    if json {
        for (name, value) in [
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ] {
            if !headers.iter().any(|h| h.name.eq_ignore_ascii_case(name)) {
                headers.push(Header::new(name, value));
            }
        }
    }
    let mut data = (!data.is_empty()).then(|| data.join("&"));
    if get && let Some(query) = data.take() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    let method = method.unwrap_or_else(|| {
        match (head, data.is_some()) {
            (true, _) => "HEAD",
            (false, true) => "POST",
            (false, false) => "GET",
        }
        .to_string()
    });
    let valid_method = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid_method {
        return Err(Failure::usage(
            format!("invalid method {:?}", super::clip(&method, 40)),
            "Give -X a method such as GET, POST, PUT or DELETE.",
        ));
    }
    let mut auth = None;
    let (mut user, mut password) = (None, None);
    if let Some(value) = credentials {
        auth = Some(AuthMode::Basic);
        (user, password) = split_credentials(&value, &mut skipped);
    }
    headers.retain(|h| match credential_header(h) {
        HeaderCredential::None if is_shell_variable(h.value.trim()) => {
            skipped.push(format!(
                "{}: its value comes from the shell variable {} (not imported)",
                h.name,
                h.value.trim()
            ));
            false
        }
        HeaderCredential::None => true,
        HeaderCredential::Basic(Some((u, p))) => {
            auth = Some(AuthMode::Basic);
            user = user.take().or(Some(u));
            password = password.take().or(Some(p));
            skipped.push(format!("{}: credentials moved out of the request", h.name));
            false
        }
        HeaderCredential::Basic(None) => {
            auth = Some(AuthMode::Basic);
            skipped.push(format!(
                "{}: basic credentials from the shell (not imported); give apx the password with --password-env or `apx device set-password`",
                h.name
            ));
            false
        }
        HeaderCredential::Bearer => {
            skipped.push(format!(
                "{}: a bearer token is not kept in a saved request",
                h.name
            ));
            false
        }
        HeaderCredential::Token => {
            auth = Some(AuthMode::Token);
            skipped.push(format!(
                "{}: a session token is not kept; apx logs in with token auth",
                h.name
            ));
            false
        }
    });
    // `-k --pinnedpubkey` trusts one key, not anything: apx verifies until
    // the certificate is pinned.
    if insecure && !pinned_key {
        trust = Some(Trust::Insecure);
    }
    let name = request_name(&method, &url);
    let body = data.as_deref().and_then(RequestBody::from_text);
    Ok(CurlImport {
        request: SavedRequest {
            name,
            description: None,
            device: None,
            platform: None,
            auth,
            method,
            url,
            headers,
            body,
        },
        user,
        password,
        trust,
        skipped,
    })
}

/// `-H` as curl reads it: `Name: value`; `Name;` sends an empty value;
/// `Name:` with nothing after it removes a header (None).
fn header(value: &str) -> Result<Option<Header>, Failure> {
    if let Some(name) = value.trim().strip_suffix(';')
        && !name.contains(':')
    {
        return Header::parse(&format!("{name}:")).map(Some);
    }
    let header = Header::parse(value)?;
    Ok((!header.value.is_empty()).then_some(header))
}

/// `--data-urlencode`: `content`, `=content` or `name=content` (encoded);
/// `@file` and `name@file` (no `=`) read files, which a paste does not.
fn urlencode_data(flag: &str, value: &str) -> Result<String, Failure> {
    if value.contains('@') && !value.contains('=') {
        return Err(Failure::usage(
            format!("{flag} {value}: {NO_FILES}"),
            "Paste the value itself.",
        ));
    }
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Ok(match value.split_once('=') {
        Some(("", content)) => encode(content),
        Some((name, content)) => format!("{name}={}", encode(content)),
        None => encode(value),
    })
}

/// curl assumes `http://` when the URL has no scheme; so does the import.
fn with_scheme(url: String, skipped: &mut Vec<String>) -> String {
    if url.contains("://") || url.starts_with('/') || url.starts_with("{{") {
        url
    } else {
        skipped.push(format!("{url}: no scheme, so http:// as curl assumes"));
        format!("http://{url}")
    }
}

/// Splits `user[:password]`; a password that is a shell variable is not a
/// password (the shell would have expanded it), so it is not kept.
fn split_credentials(value: &str, skipped: &mut Vec<String>) -> (Option<String>, Option<Secret>) {
    let (user, password) = match value.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (value, None),
    };
    let user = (!user.is_empty()).then(|| user.to_string());
    let password = password.filter(|p| !p.is_empty()).and_then(|p| {
        if is_shell_variable(p) {
            skipped.push(format!(
                "the password comes from the shell variable {p}; give it to apx with --password-env or store it with `apx device set-password`"
            ));
            None
        } else {
            Some(Secret::new(p))
        }
    });
    (user, password)
}

/// `$NAME` or `${NAME}`.
fn is_shell_variable(text: &str) -> bool {
    let name = text
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .or_else(|| text.strip_prefix('$'))
        .unwrap_or_default();
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

enum HeaderCredential {
    None,
    /// The user and password, when the header holds them literally.
    Basic(Option<(String, Secret)>),
    /// Any other `Authorization` value.
    Bearer,
    /// A platform's session-token header.
    Token,
}

/// A header that carries a credential: `Authorization: Basic …` (decoded),
/// a bearer token, or a platform's session-token header.
fn credential_header(header: &Header) -> HeaderCredential {
    let value = header.value.trim();
    if header.name.eq_ignore_ascii_case("authorization") {
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            let credentials = decoded.as_deref().and_then(|d| d.split_once(':'));
            return HeaderCredential::Basic(
                credentials.map(|(user, password)| (user.to_string(), Secret::new(password))),
            );
        }
        return HeaderCredential::Bearer;
    }
    let token_header = Platform::ALL
        .iter()
        .filter_map(|p| p.token_header())
        .any(|name| header.name.eq_ignore_ascii_case(name));
    if token_header {
        HeaderCredential::Token
    } else {
        HeaderCredential::None
    }
}

/// "POST /api/cli": the method and the URL's path.
fn request_name(method: &str, url: &str) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = match without_scheme.find('/') {
        Some(i) if url.contains("://") => &without_scheme[i..],
        Some(_) => without_scheme,
        None => "/",
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    format!("{method} {}", super::clip(path, 80))
}
