//! Command-line arguments, per docs/cli-contract.md.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "apx",
    version,
    about = "API explorer for Cisco security appliances (ASA, FXOS, FMC, FDM, WSA, SMA, ESA)",
    long_about = "With no subcommand, apx opens the desktop app. The subcommands are its headless twin."
)]
pub struct Cli {
    /// The workspace folder (device tree + saved requests)
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "saved_requests"
    )]
    pub workspace: PathBuf,
    /// Print one JSON document on stdout instead of human text
    #[arg(long, global = true)]
    pub json: bool,
    /// Log the exchange (method, URL, status, timings; never secrets) on stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Open the app with the built-in demo appliances running
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send one request
    Send(SendArgs),
    /// Show the TLS chain a server presents (sends no request, no credentials)
    Probe(ProbeArgs),
    /// Manage the devices of the workspace
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Keep a proxy's credentials in the OS keyring
    #[command(subcommand)]
    Proxy(ProxyCommand),
    /// Serve the simulated ASA, FXOS, FMC, FDM, WSA, SMA and ESA appliances until interrupted
    Demo,
    /// Import requests from another tool into the workspace
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export saved requests for another tool
    #[command(subcommand)]
    Export(ExportCommand),
    /// Run a saved request, or every saved request of a folder, one session per device
    Run(RunArgs),
    /// Compare two JSON files (bodies, or `send --json` documents): exit 0 equal, 1 different
    Diff(DiffArgs),
    /// List a platform's or device's API catalog (built-in and imported operations)
    Catalog(CatalogArgs),
}

/// `apx catalog (--platform P | --device NAME) [TEXT]`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The catalog of this platform: asa, fxos, wsa, sma, esa, fmc, fdm, generic
    #[arg(long, value_name = "PLATFORM", required_unless_present = "device")]
    pub platform: Option<String>,
    /// The catalog of this device (its platform's, and its own import)
    #[arg(long, value_name = "NAME", conflicts_with = "platform")]
    pub device: Option<String>,
    /// Only operations whose path, summary, tag or operationId contain every word
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first JSON file
    pub a: PathBuf,
    /// The second JSON file
    pub b: PathBuf,
    /// Ignore this path and everything under it: a JSON pointer whose
    /// segments may be * (one segment) or ** (any number); repeatable
    #[arg(long, value_name = "PATH")]
    pub ignore: Vec<String>,
}

/// How to trust the server's certificate (at most one).
#[derive(Debug, Args, Clone, Default)]
pub struct TrustArgs {
    /// Skip certificate verification for this call only
    #[arg(long, conflicts_with_all = ["cacert", "pin"])]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file (in addition to the system roots)
    #[arg(long, value_name = "FILE", conflicts_with = "pin")]
    pub cacert: Option<PathBuf>,
    /// Trust a server whose leaf certificate has this SHA-256 fingerprint
    #[arg(long, value_name = "SHA256")]
    pub pin: Option<String>,
}

/// The proxy and client certificate (`send`, `run`, `probe`).
#[derive(Debug, Args, Clone, Default)]
pub struct ReachArgs {
    /// Send through this proxy (http://, https:// or socks5://HOST:PORT;
    /// no credentials: those come from `apx proxy set-password`)
    #[arg(long, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,
    /// Go straight to the device: ignore the device's proxy and
    /// HTTPS_PROXY, HTTP_PROXY, ALL_PROXY
    #[arg(long)]
    pub no_proxy: bool,
    /// Present this client certificate (PEM) for mutual TLS; needs --key
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM; encrypted PKCS#8 asks for its passphrase); needs --cert
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// The environment variable holding the passphrase of an encrypted --key
    /// (else a terminal prompt)
    #[arg(long, value_name = "VAR")]
    pub key_passphrase_env: Option<String>,
}

/// Fan-out: the same request(s) to many devices (`send`, `run`).
#[derive(Debug, Args, Clone)]
pub struct FanoutArgs {
    /// Send to many devices: a folder of the device tree (with its
    /// subfolders; / for all) or a comma-separated list of device names
    #[arg(long, value_name = "SELECTOR", conflicts_with = "device")]
    pub devices: Option<String>,
    /// With --devices: at most N devices at a time
    #[arg(
        long,
        value_name = "N",
        default_value = "8",
        value_parser = clap::value_parser!(u16).range(1..=1024),
        requires = "devices"
    )]
    pub concurrency: u16,
}

/// Connection options shared by `send` and `run`.
#[derive(Debug, Args, Clone)]
pub struct ConnectionArgs {
    /// A device of the workspace: base URL, platform, username, TLS trust
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Platform preset: asa, fxos, fmc, fdm, wsa, sma, esa, generic
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// none, basic, or token (the platform's login flow)
    #[arg(long, value_name = "AUTH")]
    pub auth: Option<String>,
    /// Username (overrides the device's)
    #[arg(short = 'u', long = "user", value_name = "USER")]
    pub user: Option<String>,
    /// Read the password from this environment variable
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// AsyncOS two-factor login: read the passcode from this environment
    /// variable (else a prompt on a terminal)
    #[arg(long, value_name = "VAR")]
    pub otp_env: Option<String>,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Whole-request timeout in seconds (at most a day)
    #[arg(
        long,
        value_name = "SECS",
        default_value = "30",
        value_parser = seconds,
        allow_negative_numbers = true
    )]
    pub timeout: Duration,
    /// The most a response body held in memory may take (no -o, or an
    /// error answer); suffixes K, M, G. With -o a 2xx body streams to disk
    /// without a cap
    #[arg(
        long,
        value_name = "SIZE",
        default_value = "200M",
        value_parser = byte_size,
        allow_negative_numbers = true
    )]
    pub max_body: u64,
    /// Allow plain http:// for ASA and FXOS, whose guides require HTTPS
    #[arg(long)]
    pub allow_http: bool,
    /// FMC: the domain (e.g. Global/Lab) whose uuid fills {domainUUID}
    #[arg(long, value_name = "NAME")]
    pub domain: Option<String>,
    /// FDM: the API version (e.g. v6) that replaces latest in /api/fdm/latest/
    #[arg(long, value_name = "V")]
    pub api_version: Option<String>,
    /// How many times a 429 Too Many Requests is retried
    #[arg(long, value_name = "N", default_value_t = crate::engine::session::DEFAULT_RETRIES)]
    pub retries: u32,
    #[command(flatten)]
    pub reach: ReachArgs,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fanout: FanoutArgs,
    /// Method (default GET, or POST when a body is given)
    #[arg(short = 'X', long = "method", value_name = "METHOD")]
    pub method: Option<String>,
    /// Extra header 'Name: value' (repeatable; overrides a preset header)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Request body; @FILE reads a file
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Write the response body to FILE (binary safe)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "filter"
    )]
    pub output: Option<PathBuf>,
    /// Follow the collection's pages (ASA rangeInfo, FMC/FDM paging) in one
    /// session and print one document holding every page's items
    #[arg(long)]
    pub all_pages: bool,
    /// A jq expression applied to the response body; prints its results
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// A full URL, or with --device a path joined to the device's base URL
    pub target: String,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fanout: FanoutArgs,
    /// A jq expression applied to each response body; prints its results
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// A saved request file or a folder of them (a path, or relative to the workspace)
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Trust the CA certificates in this PEM file
    #[arg(long, value_name = "FILE", conflicts_with = "pin")]
    pub cacert: Option<PathBuf>,
    /// Expect the leaf certificate with this SHA-256 fingerprint
    #[arg(long, value_name = "SHA256")]
    pub pin: Option<String>,
    /// Handshake timeout in seconds (at most a day)
    #[arg(
        long,
        value_name = "SECS",
        default_value = "15",
        value_parser = seconds,
        allow_negative_numbers = true
    )]
    pub timeout: Duration,
    #[command(flatten)]
    pub reach: ReachArgs,
    /// An https:// URL
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Add a device to the workspace
    Add(Box<DeviceAddArgs>),
    /// List the devices (no secrets)
    List,
    /// Remove a device (and its keyring entry)
    Remove { name: String },
    /// Store the device's password in the OS keyring
    SetPassword {
        name: String,
        #[arg(long, value_name = "VAR")]
        password_env: String,
    },
}

/// `apx proxy set-password|forget`: credentials kept under the proxy's
/// `scheme://host:port`.
#[derive(Debug, Subcommand)]
pub enum ProxyCommand {
    /// Store a proxy's user and password in the OS keyring
    SetPassword {
        /// The proxy, as given to --proxy (http://HOST:PORT, socks5://HOST:PORT)
        proxy: String,
        #[arg(long, value_name = "USER")]
        user: String,
        /// The environment variable holding the password
        #[arg(long, value_name = "VAR")]
        password_env: String,
    },
    /// Remove a proxy's credentials from the OS keyring
    Forget { proxy: String },
}

/// `apx device add`.
#[derive(Debug, Args)]
pub struct DeviceAddArgs {
    pub name: String,
    #[arg(long, value_name = "PLATFORM")]
    pub platform: String,
    #[arg(long, value_name = "URL")]
    pub url: String,
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Folder in the device tree, e.g. Lab/DC1
    #[arg(long, value_name = "PATH", default_value = "")]
    pub folder: String,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Allow plain http:// for ASA and FXOS, whose guides require HTTPS
    #[arg(long)]
    pub allow_http: bool,
    /// FMC: the domain (e.g. Global/Lab) whose uuid fills {domainUUID}
    #[arg(long, value_name = "NAME")]
    pub domain: Option<String>,
    /// FDM: the API version (e.g. v6) that replaces latest in /api/fdm/latest/
    #[arg(long, value_name = "V")]
    pub api_version: Option<String>,
    /// Reach the device through this proxy (http://, https:// or socks5://HOST:PORT, no credentials)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Present this client certificate (PEM) for mutual TLS; needs --key
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM; encrypted PKCS#8 asks for its passphrase); needs --cert
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a Postman Collection v2.0/v2.1 as saved requests (secrets are not written)
    Postman {
        /// The collection file (JSON)
        file: PathBuf,
        /// Workspace folder to import into; default: the collection's name
        #[arg(long, value_name = "FOLDER")]
        into: Option<String>,
    },
    /// Import a Swagger 2.0 or OpenAPI 3.x spec (JSON or YAML) as the
    /// catalog of a platform or a device
    Openapi {
        /// The spec file, or with --device the word `device` to fetch the
        /// spec the device serves
        source: String,
        /// --platform P or --device NAME (one of them) names the catalog;
        /// the other options are for fetching from the device
        #[command(flatten)]
        connection: Box<ConnectionArgs>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Print a curl command line equivalent to a saved request
    Curl {
        /// A saved request file (a path, or relative to the workspace)
        file: PathBuf,
        /// The device to resolve it against; default: the one the request names
        #[arg(long, value_name = "NAME")]
        device: Option<String>,
    },
    /// Export a workspace folder as a Postman Collection v2.1 (no secrets)
    Postman {
        /// The workspace folder, e.g. Lab/ASA ("" for every saved request)
        folder: String,
        /// Write the collection to FILE instead of stdout
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write an Ansible inventory and playbook (ansible.builtin.uri) that run
    /// saved requests on devices; the password comes from apx_password
    #[command(group(clap::ArgGroup::new("target").required(true).args(["device", "devices"])))]
    Ansible {
        /// A saved request file or a folder of them (a path, or relative to the workspace)
        path: PathBuf,
        /// The device to run them on
        #[arg(long, value_name = "NAME")]
        device: Option<String>,
        /// A folder of the device tree, or device names separated by commas
        #[arg(long, value_name = "SELECTOR")]
        devices: Option<String>,
        /// The folder to write inventory.yml and playbook.yml into
        #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
        output: PathBuf,
    },
}

/// The longest `--timeout`: a day.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// `--timeout SECS`: a positive number of seconds, at most a day (a larger
/// one does not fit a timer; clap reports the error, exit 2).
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    // Written so that NaN fails too.
    if !(secs > 0.0 && secs <= MAX_TIMEOUT_SECS) {
        return Err(format!(
            "must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--max-body SIZE`: bytes, or a whole number with K, M or G (1024-based).
fn byte_size(text: &str) -> Result<u64, String> {
    let bad = || {
        format!("{text:?} is not a size: give bytes, or a whole number with K, M or G (e.g. 200M)")
    };
    let trimmed = text.trim();
    let (digits, unit) = match trimmed.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => (&trimmed[..at], c.to_ascii_uppercase()),
        _ => (trimmed, 'B'),
    };
    let scale: u64 = match unit {
        'B' => 1,
        'K' => 1 << 10,
        'M' => 1 << 20,
        'G' => 1 << 30,
        _ => return Err(bad()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let bytes = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{text:?} is too large"))?;
    if bytes == 0 {
        return Err("must be at least 1 byte".to_string());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_k_m_g_suffixes() {
        assert_eq!(byte_size("512"), Ok(512));
        assert_eq!(byte_size("1K"), Ok(1024));
        assert_eq!(byte_size("8m"), Ok(8 << 20));
        assert_eq!(byte_size("200M"), Ok(200 << 20));
        assert_eq!(byte_size(" 2G "), Ok(2 << 30));
        assert_eq!(byte_size("17179869183G"), Ok(17179869183 << 30));
    }

    #[test]
    fn bad_sizes_are_refused() {
        for bad in [
            "", "M", "-1", "1.5M", "1T", "1KB", "1 K", "+1K", "0x10", "é", "1é",
        ] {
            assert!(byte_size(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(byte_size("0"), Err("must be at least 1 byte".to_string()));
        assert!(byte_size("0K").is_err());
        assert!(byte_size("17179869184G").unwrap_err().contains("too large"));
        assert!(
            byte_size("99999999999999999999")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn timeouts_are_positive_and_fit_a_timer() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "-1", "1e20", "86401", "inf", "NaN", "", "5s"] {
            assert!(seconds(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
