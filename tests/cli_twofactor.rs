//! AsyncOS two-factor login through the real binary against the demo WSA:
//! the passcode from `--otp-env`, a prompt on a terminal, or exit 2; a
//! refused passcode is an auth failure; the passcode is never printed or
//! written.

mod support;

use std::sync::atomic::Ordering::SeqCst;

use apx::core::platform::Platform;
use apx::demo::{Appliance, ApplianceConfig, DEMO_PASSCODE, TwoFactorFlag};
use support::{apx_env, leaked_forms, runtime};

const REPORT: &str = "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa";

fn two_factor_wsa(rt: &tokio::runtime::Runtime, flag: TwoFactorFlag) -> Appliance {
    let config = ApplianceConfig {
        two_factor: Some(flag),
        ..ApplianceConfig::demo()
    };
    support::appliance_with(rt, Platform::Wsa, config, &support::localhost_cert())
}

/// `send --auth token` to the WSA's report, with `extra` flags, in `dir`.
fn send_args(a: &Appliance, extra: &[&str]) -> Vec<String> {
    let url = format!("{}{REPORT}", a.url);
    let args = [&["--auth", "token"][..], extra].concat();
    support::send_args(a, &args, &url)
        .into_iter()
        .map(String::from)
        .collect()
}

fn send(dir: &std::path::Path, a: &Appliance, extra: &[&str], otp: &str) -> support::Run {
    let args = send_args(a, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    apx_env(dir, &args, &[("APX_OTP", otp)])
}

#[test]
fn passcode_from_otp_env_completes_the_login_for_both_answer_shapes() {
    let rt = runtime();
    for flag in [TwoFactorFlag::Text, TwoFactorFlag::Boolean] {
        let wsa = two_factor_wsa(&rt, flag);
        let dir = tempfile::tempdir().unwrap();
        let run = send(
            dir.path(),
            &wsa,
            &["--json", "--otp-env", "APX_OTP"],
            DEMO_PASSCODE,
        );
        assert_eq!(run.code, 0, "{flag:?}: {}{}", run.stdout, run.stderr);
        let doc = run.json();
        assert_eq!(doc["status"], 200, "{flag:?}");
        assert_eq!(doc["error"], serde_json::Value::Null);
        assert_eq!(wsa.stats.logins.load(SeqCst), 1, "{flag:?}");
        assert_eq!(wsa.stats.failed_logins.load(SeqCst), 0, "{flag:?}");
        assert_eq!(wsa.stats.requests.load(SeqCst), 1, "{flag:?}");
    }
}

#[test]
fn a_refused_passcode_is_an_auth_failure() {
    let rt = runtime();
    let wsa = two_factor_wsa(&rt, TwoFactorFlag::Text);
    let dir = tempfile::tempdir().unwrap();
    let run = send(
        dir.path(),
        &wsa,
        &["--json", "--otp-env", "APX_OTP"],
        "59267013",
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "auth", "{doc}");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("passcode"),
        "{doc}"
    );
    assert_eq!(wsa.stats.failed_logins.load(SeqCst), 1);
    assert_eq!(wsa.stats.requests.load(SeqCst), 0);
}

#[test]
fn no_passcode_and_no_terminal_is_exit_2() {
    let rt = runtime();
    let wsa = two_factor_wsa(&rt, TwoFactorFlag::Boolean);
    let dir = tempfile::tempdir().unwrap();
    let args = send_args(&wsa, &["--json"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = support::apx_in(dir.path(), &args);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "usage", "{doc}");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("this account needs a second factor"),
        "{doc}"
    );
    assert!(
        doc["error"]["hint"].as_str().unwrap().contains("--otp-env"),
        "{doc}"
    );
    assert_eq!(wsa.stats.requests.load(SeqCst), 0);
}

#[test]
fn an_unset_otp_env_variable_is_exit_2_before_anything_is_sent() {
    let rt = runtime();
    let wsa = two_factor_wsa(&rt, TwoFactorFlag::Text);
    let dir = tempfile::tempdir().unwrap();
    let args = send_args(&wsa, &["--json", "--otp-env", "APX_NO_SUCH_OTP"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = support::apx_in(dir.path(), &args);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("APX_NO_SUCH_OTP"), "{}", run.stdout);
    assert_eq!(wsa.stats.logins.load(SeqCst), 0);
    assert_eq!(wsa.stats.failed_logins.load(SeqCst), 0);
}

#[test]
fn on_a_terminal_the_passcode_is_prompted_for() {
    if !support::can_run("script") {
        return;
    }
    let rt = runtime();
    let wsa = two_factor_wsa(&rt, TwoFactorFlag::Text);
    let dir = tempfile::tempdir().unwrap();
    let args = send_args(&wsa, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let typed = format!("{DEMO_PASSCODE}\n");
    let (code, screen) =
        support::apx_typed_on_terminal(dir.path(), &args, Some(&typed), support::CHILD_LIMIT);
    let screen = String::from_utf8_lossy(&screen).into_owned();
    let prompt = "Passcode (second factor) for admin: ";
    let after_prompt = screen.split_once(prompt).map(|(_, after)| after);
    assert_eq!(code, 0, "{screen}");
    // Typed ahead, the terminal echoes the keys before the prompt turns
    // echo off; nothing after the prompt shows the passcode.
    let after_prompt = after_prompt.unwrap_or_else(|| panic!("no prompt: {screen}"));
    assert!(after_prompt.contains("HTTP 200"), "{screen}");
    assert!(
        !after_prompt.contains(DEMO_PASSCODE),
        "the passcode was shown: {screen}"
    );
    assert_eq!(wsa.stats.logins.load(SeqCst), 1);
    assert_eq!(wsa.stats.requests.load(SeqCst), 1);
}

#[test]
fn the_passcode_reaches_no_output_and_no_file() {
    let rt = runtime();
    let wsa = two_factor_wsa(&rt, TwoFactorFlag::Boolean);
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("report.json");
    let body = body.to_str().unwrap();
    let mut printed = String::new();
    for extra in [
        &["--otp-env", "APX_OTP"][..],
        &["--json", "--otp-env", "APX_OTP"],
        &["-v", "--otp-env", "APX_OTP"],
        &["-v", "--json", "--otp-env", "APX_OTP"],
        &["--otp-env", "APX_OTP", "-o", body],
    ] {
        let run = send(dir.path(), &wsa, extra, DEMO_PASSCODE);
        assert_eq!(run.code, 0, "{extra:?}: {}{}", run.stdout, run.stderr);
        printed.push_str(&run.stdout);
        printed.push_str(&run.stderr);
    }
    let refused = send(
        dir.path(),
        &wsa,
        &["-v", "--otp-env", "APX_OTP"],
        "59267013",
    );
    assert_eq!(refused.code, 1);
    printed.push_str(&refused.stdout);
    printed.push_str(&refused.stderr);
    assert!(printed.contains("/login/two_factor"), "{printed}");

    let secrets = [DEMO_PASSCODE, "59267013"];
    let leaks = leaked_forms(&printed, &secrets);
    assert!(leaks.is_empty(), "printed {leaks:?}:\n{printed}");
    let files = support::files_under(dir.path());
    assert!(
        files.iter().any(|f| f.ends_with("report.json")),
        "{files:?}"
    );
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let found = leaked_forms(&text, &secrets);
        assert!(found.is_empty(), "{}: {found:?}", file.display());
    }
}
