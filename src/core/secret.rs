//! A string that must never be printed: passwords and session tokens.

use std::fmt;

/// A secret value; `Debug` and `Display` print `(redacted)`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

/// Replaces every occurrence of each non-empty secret in `text` with `(redacted)`.
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if !secret.is_empty() {
            out = out.replace(secret.expose(), "(redacted)");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "(redacted) (redacted)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let t = Secret::new("abc123");
        assert_eq!(
            redact("/api/tokenservices/abc123?x=abc123", &[&t]),
            "/api/tokenservices/(redacted)?x=(redacted)"
        );
        assert_eq!(redact("keep", &[&Secret::new("")]), "keep");
    }
}
