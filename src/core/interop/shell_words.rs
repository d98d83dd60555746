//! POSIX shell words, as much of them as a pasted command line needs:
//! single and double quotes, `$'…'` (as browsers' "Copy as cURL" writes),
//! backslash escapes, line continuations and `#` comments. Nothing is
//! expanded: `$VAR` stays `$VAR`. And the other way: quoting for the shell.

use crate::core::error::Failure;

/// The words of one command, and the text after a shell operator
/// (`|`, `;`, `&`, `<`, `>`) or line break that ended it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub words: Vec<String>,
    pub rest: Option<String>,
}

/// Splits a command line into words.
pub fn split(line: &str) -> Result<Words, Failure> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            // An unescaped line break ends a command, as in a shell (an
            // exported token login, the request, then the logout).
            '\n' if in_word || !words.is_empty() => {
                if in_word {
                    words.push(word);
                }
                let rest = line[index..].trim();
                return Ok(Words {
                    words,
                    rest: (!rest.is_empty()).then(|| rest.to_string()),
                });
            }
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => match chars.next() {
                Some((_, '\n')) => {}
                Some((_, '\r')) if chars.peek().is_some_and(|&(_, n)| n == '\n') => {
                    chars.next();
                }
                Some((_, escaped)) => {
                    word.push(escaped);
                    in_word = true;
                }
                None => return Err(unterminated("a trailing backslash")),
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, inner)) => word.push(inner),
                        None => return Err(unterminated("a single quote")),
                    }
                }
            }
            '"' => {
                in_word = true;
                double_quoted(&mut chars, &mut word)?;
            }
            '$' if chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                chars.next();
                in_word = true;
                ansi_c_quoted(&mut chars, &mut word)?;
            }
            '#' if !in_word => {
                for (_, skipped) in chars.by_ref() {
                    if skipped == '\n' {
                        break;
                    }
                }
            }
            '|' | ';' | '&' | '<' | '>' => {
                if in_word {
                    words.push(word);
                }
                return Ok(Words {
                    words,
                    rest: Some(line[index..].trim().to_string()),
                });
            }
            other => {
                word.push(other);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(Words { words, rest: None })
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// The inside of `"…"`: a backslash escapes only `$`, `` ` ``, `"`, `\` and a newline.
fn double_quoted(chars: &mut Chars<'_>, word: &mut String) -> Result<(), Failure> {
    loop {
        match chars.next() {
            Some((_, '"')) => return Ok(()),
            Some((_, '\\')) => match chars.next() {
                Some((_, '\n')) => {}
                Some((_, c @ ('$' | '`' | '"' | '\\'))) => word.push(c),
                Some((_, c)) => {
                    word.push('\\');
                    word.push(c);
                }
                None => return Err(unterminated("a double quote")),
            },
            Some((_, c)) => word.push(c),
            None => return Err(unterminated("a double quote")),
        }
    }
}

/// The inside of `$'…'`: C escapes; an unknown escape stays as written.
fn ansi_c_quoted(chars: &mut Chars<'_>, word: &mut String) -> Result<(), Failure> {
    loop {
        match chars.next() {
            Some((_, '\'')) => return Ok(()),
            Some((_, '\\')) => match chars.next() {
                Some((_, 'n')) => word.push('\n'),
                Some((_, 't')) => word.push('\t'),
                Some((_, 'r')) => word.push('\r'),
                Some((_, c @ ('\\' | '\'' | '"' | '?'))) => word.push(c),
                Some((_, 'x')) => {
                    let mut hex = String::new();
                    while hex.len() < 2 {
                        match chars.peek() {
                            Some(&(_, h)) if h.is_ascii_hexdigit() => {
                                hex.push(h);
                                chars.next();
                            }
                            _ => break,
                        }
                    }
                    match u8::from_str_radix(&hex, 16) {
                        Ok(byte) if byte.is_ascii() => word.push(char::from(byte)),
                        _ => {
                            word.push_str("\\x");
                            word.push_str(&hex);
                        }
                    }
                }
                Some((_, c)) => {
                    word.push('\\');
                    word.push(c);
                }
                None => return Err(unterminated("a $'…' quote")),
            },
            Some((_, c)) => word.push(c),
            None => return Err(unterminated("a $'…' quote")),
        }
    }
}

fn unterminated(what: &str) -> Failure {
    Failure::usage(
        format!("the command line ends inside {what}"),
        "Paste the whole command: every quote closed, no backslash at the very end.",
    )
}

/// Single-quotes a word for a POSIX shell (a `'` becomes `'\''`); words of
/// only safe characters stay bare.
pub fn quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,%+".contains(&b));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A `#` comment line; line breaks and other control characters in `text`
/// become spaces, so no part of it can start a command.
pub fn comment(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("# {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split(line).unwrap().words
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        assert_eq!(
            words("curl -H 'A: b c' \"x \\\"y\\\" \\$z\" a\\ b \\\n  -k"),
            ["curl", "-H", "A: b c", "x \"y\" $z", "a b", "-k"]
        );
        assert_eq!(words("a''b \"\" 'it'\\''s'"), ["ab", "", "it's"]);
        assert_eq!(words("$'a\\nb\\x41\\'' # comment\n c"), ["a\nbA'", "c"]);
        assert_eq!(words("a \\\r\n b"), ["a", "b"]);
    }

    #[test]
    fn operators_end_the_command() {
        let w = split("curl https://h/x?a=1&b=2 | jq .").unwrap();
        assert_eq!(w.words, ["curl", "https://h/x?a=1"]);
        assert_eq!(w.rest.as_deref(), Some("&b=2 | jq ."));
    }

    #[test]
    fn unterminated_quotes_are_errors() {
        for line in ["'open", "\"open", "$'open", "tail\\", "\"a\\"] {
            assert!(split(line).is_err(), "{line}");
        }
    }

    #[test]
    fn quoting_round_trips() {
        for word in ["plain", "it's", "a b", "", "é'\"$x`\\", "{{v}}"] {
            assert_eq!(words(&quote(word)), [word]);
        }
        assert_eq!(quote("https://h:1/a"), "https://h:1/a");
        assert_eq!(comment("a\nrm -rf x\r\u{85}b"), "# a rm -rf x  b");
    }
}
