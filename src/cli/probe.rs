//! `apx probe URL`: the TLS facts of a server, no request sent.

use super::args::{ProbeArgs, TrustArgs};
use super::output::{Shown, print_json};
use super::send::{identity_from_args, key_passphrase, proxy_from_args, trust_from_args};
use super::{Context, block_on, report};
use crate::core::error::Failure;
use crate::core::reach::Reach;
use crate::core::request::resolve_target;
use crate::engine::probe::{ProbeReport, probe};

pub fn run(ctx: &Context, args: ProbeArgs) -> u8 {
    match probe_report(&args) {
        Ok(report) => {
            if ctx.json {
                print_json(&report);
            } else {
                print_report(&report);
            }
            if report.verified { 0 } else { 3 }
        }
        Err(failure) => report(ctx, &failure),
    }
}

fn probe_report(args: &ProbeArgs) -> Result<ProbeReport, Failure> {
    let url = resolve_target(&args.url, None)?;
    let trust = trust_from_args(&TrustArgs {
        insecure: false,
        cacert: args.cacert.clone(),
        pin: args.pin.clone(),
    })?
    .unwrap_or_default();
    let mut reach = Reach {
        proxy: proxy_from_args(&args.reach)?.unwrap_or_default(),
        client_identity: identity_from_args(&args.reach),
        proxy_credentials: None,
        key_passphrase: None,
    };
    reach.key_passphrase = key_passphrase(&args.reach, reach.client_identity.as_ref())?;
    block_on(probe(&url, &trust, &reach, args.timeout))?
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The report on stdout; what the server presented (names, errors about
/// them) shown escaped on a terminal.
fn print_report(r: &ProbeReport) {
    let shown = Shown::stdout();
    println!("{}", r.url);
    if let (Some(version), Some(cipher)) = (&r.tls_version, &r.cipher) {
        println!("  protocol   {version}, {cipher}");
    }
    match &r.verify_error {
        None => println!("  verified   yes"),
        Some(e) => println!("  verified   NO: {}", shown.line(e)),
    }
    println!(
        "  self-signed {}   expired {}   hostname matches {}",
        yes_no(r.self_signed),
        yes_no(r.expired),
        yes_no(r.hostname_matches)
    );
    for (i, c) in r.chain.iter().enumerate() {
        println!("  [{i}] subject  {}", shown.line(&c.subject));
        println!("      issuer   {}", shown.line(&c.issuer));
        println!("      valid    {} .. {}", c.not_before, c.not_after);
        println!("      sha256   {}", c.sha256);
        if !c.san.is_empty() {
            println!("      SAN      {}", shown.line(&c.san.join(", ")));
        }
    }
    if let Some(hint) = &r.hint {
        println!("hint: {}", shown.line(hint));
    }
}
