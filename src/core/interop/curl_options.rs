//! The curl options apx knows, and the split of a command's words into
//! options (with their values) and other words.

use crate::core::error::Failure;

/// What one option does; `bool` fields tell whether it takes a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Opt {
    Request,
    Header,
    /// `-d`, `--data-binary`…: `@file` means a file.
    Data,
    /// `--data-raw`: `@` is literal.
    DataRaw,
    DataUrlencode,
    Json,
    User,
    CaCert,
    Insecure,
    Url,
    Head,
    Get,
    UserAgent,
    Referer,
    Cookie,
    /// What apx does anyway (`--globoff`); no note.
    AsApx,
    /// `--pinnedpubkey`: with it, `-k` does not mean "trust anything".
    PinnedPubkey,
    /// Harmless for apx; ignored with a note.
    Ignore(bool),
    /// Not carried over, for this reason.
    Unsupported(bool, &'static str),
    /// Not known to apx; taken to have no value.
    Unknown,
}

impl Opt {
    pub(super) fn takes_value(self) -> bool {
        match self {
            Opt::Insecure | Opt::Head | Opt::Get | Opt::AsApx | Opt::Unknown => false,
            Opt::Ignore(value) | Opt::Unsupported(value, _) => value,
            _ => true,
        }
    }
}

pub(super) const NO_FILES: &str = "files named in a pasted command are not read";

/// Long name, short letter, meaning.
pub(super) const OPTIONS: &[(&str, Option<char>, Opt)] = &[
    ("request", Some('X'), Opt::Request),
    ("header", Some('H'), Opt::Header),
    ("data", Some('d'), Opt::Data),
    ("data-ascii", None, Opt::Data),
    ("data-binary", None, Opt::Data),
    ("data-raw", None, Opt::DataRaw),
    ("data-urlencode", None, Opt::DataUrlencode),
    ("json", None, Opt::Json),
    ("user", Some('u'), Opt::User),
    ("cacert", None, Opt::CaCert),
    ("insecure", Some('k'), Opt::Insecure),
    ("url", None, Opt::Url),
    ("head", Some('I'), Opt::Head),
    ("get", Some('G'), Opt::Get),
    ("user-agent", Some('A'), Opt::UserAgent),
    ("referer", Some('e'), Opt::Referer),
    ("cookie", Some('b'), Opt::Cookie),
    ("compressed", None, Opt::Ignore(false)),
    ("silent", Some('s'), Opt::Ignore(false)),
    ("show-error", Some('S'), Opt::Ignore(false)),
    ("verbose", Some('v'), Opt::Ignore(false)),
    ("include", Some('i'), Opt::Ignore(false)),
    ("location", Some('L'), Opt::Ignore(false)),
    ("fail", Some('f'), Opt::Ignore(false)),
    ("globoff", Some('g'), Opt::AsApx),
    ("basic", None, Opt::Ignore(false)),
    ("http1.1", None, Opt::Ignore(false)),
    ("http2", None, Opt::Ignore(false)),
    ("output", Some('o'), Opt::Ignore(true)),
    ("max-time", Some('m'), Opt::Ignore(true)),
    ("connect-timeout", None, Opt::Ignore(true)),
    ("write-out", Some('w'), Opt::Ignore(true)),
    ("retry", None, Opt::Ignore(true)),
    ("cookie-jar", Some('c'), Opt::Ignore(true)),
    (
        "proxy",
        Some('x'),
        Opt::Unsupported(true, "apx does not use a proxy"),
    ),
    (
        "cert",
        Some('E'),
        Opt::Unsupported(true, "client certificates are not supported"),
    ),
    (
        "key",
        None,
        Opt::Unsupported(true, "client certificates are not supported"),
    ),
    (
        "form",
        Some('F'),
        Opt::Unsupported(true, "multipart form data is not supported"),
    ),
    ("upload-file", Some('T'), Opt::Unsupported(true, NO_FILES)),
    (
        "oauth2-bearer",
        None,
        Opt::Unsupported(true, "apx logs in itself; bearer tokens are not kept"),
    ),
    (
        "digest",
        None,
        Opt::Unsupported(false, "digest auth is not supported"),
    ),
    (
        "ntlm",
        None,
        Opt::Unsupported(false, "NTLM auth is not supported"),
    ),
    ("pinnedpubkey", None, Opt::PinnedPubkey),
    (
        "config",
        Some('K'),
        Opt::Unsupported(true, "config files are not read"),
    ),
];

/// The options as met (meaning, flag as written, value), before they are
/// interpreted, and the other words.
#[derive(Default)]
pub(super) struct Parsed {
    pub options: Vec<(Opt, String, String)>,
    pub positionals: Vec<String>,
}

/// Sorts the words after `curl` into options and other words; short
/// options may be bundled (`-sSk`) and take attached values (`-XPOST`).
pub(super) fn parse_options(words: Vec<String>) -> Result<Parsed, Failure> {
    let mut parsed = Parsed::default();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            parsed.positionals.extend(words.by_ref());
        } else if let Some(long) = word.strip_prefix("--") {
            match OPTIONS.iter().find(|(name, _, _)| *name == long) {
                Some(&(_, _, opt)) => {
                    let value = if opt.takes_value() {
                        words.next().ok_or_else(|| needs_value(&word))?
                    } else {
                        String::new()
                    };
                    parsed.options.push((opt, word, value));
                }
                None => parsed.options.push((Opt::Unknown, word, String::new())),
            }
        } else if word.len() > 1 && word.starts_with('-') {
            for (index, letter) in word.char_indices().skip(1) {
                let flag = format!("-{letter}");
                let opt = OPTIONS
                    .iter()
                    .find(|(_, s, _)| *s == Some(letter))
                    .map_or(Opt::Unknown, |&(_, _, opt)| opt);
                if opt.takes_value() {
                    let attached = &word[index + letter.len_utf8()..];
                    let value = if attached.is_empty() {
                        words.next().ok_or_else(|| needs_value(&flag))?
                    } else {
                        attached.to_string()
                    };
                    parsed.options.push((opt, flag, value));
                    break;
                }
                parsed.options.push((opt, flag, String::new()));
            }
        } else {
            parsed.positionals.push(word);
        }
    }
    Ok(parsed)
}

fn needs_value(flag: &str) -> Failure {
    Failure::usage(
        format!("curl option {flag} needs a value"),
        "Paste the whole command line.",
    )
}
