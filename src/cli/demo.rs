//! `apx demo`: serve the simulated appliances until interrupted.

use serde_json::json;

use super::output::print_json;
use super::{Context, report};
use crate::core::error::Failure;
use crate::demo::{self, Appliance};

pub fn run(ctx: &Context) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return report(
                ctx,
                &Failure::usage(format!("cannot start the async runtime: {e}"), ""),
            );
        }
    };
    runtime.block_on(async {
        let appliances = match demo::start_all(Some(demo::DEMO_PORTS)).await {
            Ok(a) => a,
            Err(e) => {
                let failure = Failure::usage(
                    e.to_string(),
                    "Another `apx demo` (or another program) may hold the demo ports 9441-9447; stop it first.",
                );
                return report(ctx, &failure);
            }
        };
        if ctx.json {
            print_json(&json!({"appliances": appliances.iter().map(describe).collect::<Vec<_>>()}));
        } else {
            print_human(&appliances);
        }
        match tokio::signal::ctrl_c().await {
            Ok(()) => 0,
            Err(e) => report(ctx, &Failure::usage(format!("cannot wait for Ctrl+C: {e}"), "")),
        }
    })
}

fn describe(a: &Appliance) -> serde_json::Value {
    json!({
        "name": a.name,
        "platform": a.platform,
        "url": a.url,
        "username": a.username,
        "password": a.password,
        "sha256": a.sha256,
        "certificate_pem": a.cert_pem,
    })
}

fn print_human(appliances: &[Appliance]) {
    println!("apx demo appliances (self-signed certificates made just now):\n");
    for a in appliances {
        println!(
            "  {:<10} {:<28} user {}  password {}",
            a.name, a.url, a.username, a.password
        );
        println!("  {:<10} sha256 {}", "", a.sha256);
    }
    if let Some(asa) = appliances.first() {
        println!("\nTry, in another terminal:");
        println!("  export APX_PASSWORD='{}'", asa.password);
        println!(
            "  apx send --platform asa --auth token -u {} --password-env APX_PASSWORD --pin {} {}/api/objects/networkobjects",
            asa.username, asa.sha256, asa.url
        );
        println!("  apx probe {}", asa.url);
    }
    println!("\nPress Ctrl+C to stop.");
}
