//! Failures as data: a kind, the decoded platform error body, a hint, and
//! the remedy the hint stands for. Rendering (terminal, JSON, GUI panel)
//! lives with each front end.

use serde::{Deserialize, Serialize};

/// What went wrong, coarsely; decides the CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// The server answered with 4xx/5xx.
    Http,
    /// A login was refused or no credentials were available to the flow.
    Auth,
    /// Certificate verification or TLS handshake failure.
    Tls,
    /// Connection refused or reset, DNS failure, body cut off.
    Connect,
    /// The proxy could not be reached, refused the tunnel, or asked for
    /// authentication (407).
    Proxy,
    /// The request did not complete in time.
    Timeout,
    /// Bad input: flag, URL, JSON body, workspace file, unknown device.
    Usage,
    /// Stopped by the user before it completed.
    Cancelled,
    /// A response body passed the size it may take (`--max-body`, the
    /// app's body size limit); the transfer was stopped.
    #[serde(rename = "too_large")]
    TooLarge,
}

impl FailureKind {
    /// Exit code per the CLI contract.
    pub fn exit_code(self) -> u8 {
        match self {
            FailureKind::Http | FailureKind::Auth => 1,
            FailureKind::Usage => 2,
            FailureKind::Tls
            | FailureKind::Connect
            | FailureKind::Proxy
            | FailureKind::Timeout
            | FailureKind::Cancelled
            | FailureKind::TooLarge => 3,
        }
    }

    /// A short title for headings.
    pub fn title(self) -> &'static str {
        match self {
            FailureKind::Http => "HTTP error",
            FailureKind::Auth => "Authentication failed",
            FailureKind::Tls => "TLS failure",
            FailureKind::Connect => "Connection failed",
            FailureKind::Proxy => "Proxy failure",
            FailureKind::Timeout => "Timed out",
            FailureKind::Usage => "Invalid input",
            FailureKind::Cancelled => "Cancelled",
            FailureKind::TooLarge => "Body too large",
        }
    }
}

/// Which platform error body shape was decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorFormat {
    Asa,
    Fxos,
    Asyncos,
    Fmc,
    Fdm,
}

/// A platform error body, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedBody {
    pub format: ErrorFormat,
    /// The platform's own code, e.g. "551" or "DUPLICATE".
    pub code: Option<String>,
    pub message: String,
    /// Every further message or field, one line each.
    pub details: Vec<String>,
}

/// What the user can do about a failure, as data: the CLI words it as flags
/// (the `hint`), the app as its own button or setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Pin the certificate the server presented, for this device alone.
    TrustCertificate,
    /// Give the request more time.
    RaiseTimeout,
    /// Supply the device's password.
    EnterPassword,
    /// Supply the passcode of a two-factor login, then send again.
    EnterPasscode,
    /// Supply the passphrase of the encrypted client key, then send again.
    EnterKeyPassphrase,
    /// Let the body go to a file, or raise the body size limit.
    RaiseBodyLimit,
    /// Allow plain `http://` for this device.
    AllowPlainHttp,
}

/// One failure, ready to render. Field names match the CLI's `--json` contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub format: Option<ErrorFormat>,
    pub code: Option<String>,
    pub message: String,
    pub details: Vec<String>,
    pub hint: String,
    /// The HTTP status of the response that failed, when one came back (a
    /// refused login, a body cut off after its head). Not part of the error
    /// object: the CLI prints it as the document's `status`.
    #[serde(skip)]
    pub status: Option<u16>,
    /// What `hint` tells the user to do, for front ends that offer it their
    /// own way. Not part of the CLI's JSON.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Failure {
            kind,
            format: None,
            code: None,
            message: message.into(),
            details: Vec::new(),
            hint: hint.into(),
            status: None,
            remedy: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Failure::new(FailureKind::Usage, message, hint)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.details.push(detail.into());
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Fills format, code, message and details from a decoded platform body,
    /// keeping the status line as the first detail.
    pub fn with_decoded(mut self, decoded: DecodedBody) -> Self {
        self.details.insert(0, std::mem::take(&mut self.message));
        self.format = Some(decoded.format);
        self.code = decoded.code.or(self.code);
        self.message = decoded.message;
        self.details.extend(decoded.details);
        self
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// `200 MiB`, `1 KiB`, `1500 bytes`: a limit as it was most likely given.
pub fn size_text(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remedy_stays_out_of_the_cli_json() {
        let failure = Failure::new(FailureKind::Timeout, "slow", "raise --timeout")
            .with_remedy(Remedy::RaiseTimeout);
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(json["hint"], "raise --timeout");
        assert!(json.get("remedy").is_none(), "{json}");
    }
}
