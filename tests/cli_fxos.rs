//! FXOS sessions through the real binary against the demo chassis: the
//! login's `refreshPeriod` and the guide's header rules.

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use apx::core::platform::Platform;
use apx::demo::ApplianceConfig;
use support::{appliance_with, apx_in, folder_of, localhost_cert, runtime};

#[test]
fn a_long_run_logs_in_again_when_the_token_lifetime_lapses() {
    let rt = runtime();
    // Tokens lapse 10 minutes after the login; each call takes 4.
    let config = ApplianceConfig {
        token_lifetime: Some(Duration::from_secs(600)),
        clock_step: Some(Duration::from_secs(240)),
        ..ApplianceConfig::demo()
    };
    let fxos = appliance_with(&rt, Platform::Fxos, config, &localhost_cert());
    let dir = tempfile::tempdir().unwrap();
    let ws = folder_of(dir.path(), "fxos", &fxos, "/api/sys/firmware", 8);
    let run = apx_in(
        dir.path(),
        &[
            "--workspace",
            &ws,
            "run",
            "fxos",
            "--json",
            "--password-env",
            "APX_PASSWORD",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    let statuses: Vec<_> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_u64())
        .collect();
    assert_eq!(statuses, vec![Some(200); 8], "{doc}");
    // 0, 4, 8 minutes on the first token; 12 is past its 10: a new login.
    assert_eq!(fxos.stats.logins.load(SeqCst), 3);
    assert_eq!(fxos.stats.logouts.load(SeqCst), 1, "the live token's");
}
