//! Credentials reach an exported curl on its standard input, never on an
//! argv (any local user can read /proc/PID/cmdline): the shell's builtin
//! `printf` writes them into a pipe, and curl reads header lines
//! (`-H @-`), a config (`--config -`) or a body (`--data-binary @-`).

use super::shell_words::quote;

/// The session token the exported login sets.
pub(super) const TOKEN: &str = "\"$APX_TOKEN\"";

/// Lines for curl's standard input, each one shell word: the literal text
/// single-quoted, the value a shell expression (`"$APX_TOKEN"`) that the
/// shell expands.
#[derive(Debug, Default)]
pub(super) struct Stdin {
    lines: Vec<String>,
}

impl Stdin {
    /// A line: `before`, the value of the shell expression `value`, `after`.
    pub fn line(&mut self, before: &str, value: &str, after: &str) -> &mut Self {
        let literal = |text: &str| {
            if text.is_empty() {
                String::new()
            } else {
                quote(text)
            }
        };
        self.lines
            .push(format!("{}{value}{}", literal(before), literal(after)));
        self
    }

    /// A header line `name: VALUE`.
    pub fn header(&mut self, name: &str, value: &str) -> &mut Self {
        self.line(&format!("{name}: "), value, "")
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// `printf '%s\n' LINE… | ` to write before `curl`; empty without lines.
    pub fn pipe(&self) -> String {
        if self.lines.is_empty() {
            return String::new();
        }
        format!("printf '%s\\n' {} | ", self.lines.join(" "))
    }
}

/// The line that sets `$APX_BASIC` to the base64 of `USER:$APX_PASSWORD`
/// (`user` is a shell word), for an `Authorization: Basic` header.
pub(super) fn basic_credentials(user: &str) -> String {
    format!("APX_BASIC=$(printf '%s:%s' {user} \"$APX_PASSWORD\" | base64 | tr -d '\\n')")
}

/// `Authorization: Basic "$APX_BASIC"` (set by [`basic_credentials`]).
pub(super) fn basic_header(stdin: &mut Stdin) -> &mut Stdin {
    stdin.line("Authorization: Basic ", "\"$APX_BASIC\"", "")
}

/// A shell expression: the base64 of the value of `value` (a shell word),
/// on one line.
pub(super) fn base64_of(value: &str) -> String {
    format!("\"$(printf %s {value} | base64 | tr -d '\\n')\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::interop::shell_words::split;

    #[test]
    fn lines_are_one_word_each() {
        let mut stdin = Stdin::default();
        stdin
            .header("X-Auth-Token", TOKEN)
            .line("url = \"h/'", TOKEN, "\"");
        let pipe = stdin.pipe();
        assert_eq!(
            pipe,
            r#"printf '%s\n' 'X-Auth-Token: '"$APX_TOKEN" 'url = "h/'\'''"$APX_TOKEN"'"' | "#
        );
        let words = split(&pipe).unwrap().words;
        assert_eq!(
            words,
            [
                "printf",
                "%s\\n",
                "X-Auth-Token: $APX_TOKEN",
                "url = \"h/'$APX_TOKEN\""
            ]
        );
        assert_eq!(Stdin::default().pipe(), "");
    }
}
