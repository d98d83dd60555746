//! Proxies and client certificates through the real binary: an HTTP
//! CONNECT proxy and a TLS server that demands a client certificate, both
//! in-process on 127.0.0.1.

mod support;

use std::sync::atomic::Ordering;

use apx::core::platform::Platform;
use support::mtls::{client_identity, encrypt_key_file, mutual_tls_server};
use support::proxy::{Mode, Proxy};
use support::{RefusedPort, appliance, apx_env, apx_in, base64_of, leaked_forms, runtime};

/// `send --json` to `url` with Basic auth as the demo admin of `asa`,
/// pinned to its certificate.
fn send_args<'a>(asa: &'a apx::demo::Appliance, url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let args = [&["--json", "--auth", "basic"][..], extra].concat();
    support::send_args(asa, &args, url)
}

#[test]
fn a_connect_proxy_carries_the_request_and_the_pin_applies_to_the_appliance() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let proxy = Proxy::start(&rt, Mode::Open);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let proxy_url = proxy.url();
    let run = apx_in(
        dir.path(),
        &send_args(&asa, &url, &["--proxy", &proxy_url, "-v"]),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["status"], 200);
    assert_eq!(proxy.tunnels(), 1);
    assert!(
        run.stderr.contains(&proxy_url),
        "-v names the hop: {}",
        run.stderr
    );
    let port = url::Url::parse(&asa.url).unwrap().port().unwrap();
    for head in proxy.heads.lock().unwrap().iter() {
        assert!(
            head.starts_with(&format!("CONNECT 127.0.0.1:{port} ")),
            "the proxy sees only the tunnel: {head}"
        );
        assert!(!head.contains("serialnumber") && !head.contains("Authorization: Basic"));
    }

    // The pin is checked against the appliance behind the tunnel.
    let wrong = "AA:".repeat(31) + "AA";
    let mut args = send_args(&asa, &url, &["--proxy", &proxy_url]);
    let at = args.iter().position(|a| *a == asa.sha256).unwrap();
    args[at] = &wrong;
    let refused = apx_in(dir.path(), &args);
    assert_eq!(refused.code, 3, "{}", refused.stdout);
    assert_eq!(refused.json()["error"]["kind"], "tls");
    assert_eq!(proxy.tunnels(), 2);
}

#[test]
fn the_environment_proxy_is_honoured_unless_no_proxy_says_otherwise() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let proxy = Proxy::start(&rt, Mode::Open);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let proxy_url = proxy.url();
    let env = [("HTTPS_PROXY", proxy_url.as_str())];

    let through = apx_env(dir.path(), &send_args(&asa, &url, &[]), &env);
    assert_eq!(through.code, 0, "{}", through.stdout);
    assert_eq!(proxy.tunnels(), 1, "HTTPS_PROXY is honoured");

    let direct = apx_env(dir.path(), &send_args(&asa, &url, &["--no-proxy"]), &env);
    assert_eq!(direct.code, 0, "{}", direct.stdout);
    assert_eq!(proxy.tunnels(), 1, "--no-proxy ignores HTTPS_PROXY");

    let excluded = apx_env(
        dir.path(),
        &send_args(&asa, &url, &[]),
        &[("HTTPS_PROXY", &proxy_url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(excluded.code, 0, "{}", excluded.stdout);
    assert_eq!(proxy.tunnels(), 1, "NO_PROXY lists the appliance");
}

#[test]
fn a_proxy_that_refuses_asks_for_auth_or_is_down_is_kind_proxy_and_named() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let forbidden = Proxy::start(&rt, Mode::Forbidden);
    let auth = Proxy::start(&rt, Mode::Auth("Basic nobody".into()));
    let down = RefusedPort::new();
    let down_url = format!("http://127.0.0.1:{}", down.port);
    for (proxy, words) in [
        (forbidden.url(), "refused the tunnel"),
        (auth.url(), "407"),
        (down_url, "cannot reach the proxy"),
    ] {
        let run = apx_in(dir.path(), &send_args(&asa, &url, &["--proxy", &proxy]));
        assert_eq!(run.code, 3, "{proxy}: {}", run.stdout);
        let error = &run.json()["error"];
        assert_eq!(error["kind"], "proxy", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(&proxy), "names the proxy: {message}");
        assert!(message.contains(words), "{message}");
        let hint = error["hint"].as_str().unwrap();
        assert!(!hint.is_empty());
        if words == "407" {
            assert!(hint.contains("apx proxy set-password"), "{hint}");
            assert!(hint.contains("Proxy password"), "{hint}");
        }
    }
    assert_eq!(asa.stats.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn credentials_in_a_proxy_flag_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let send = apx_in(
        dir.path(),
        &[
            "send",
            "--json",
            "--proxy",
            "http://user:hunter2-proxy@127.0.0.1:3128",
            "https://127.0.0.1:1/api",
        ],
    );
    assert_eq!(send.code, 2, "{}", send.stdout);
    let add = apx_in(
        dir.path(),
        &[
            "device",
            "add",
            "fw",
            "--platform",
            "asa",
            "--url",
            "https://127.0.0.1:1",
            "--proxy",
            "http://user:hunter2-proxy@127.0.0.1:3128",
        ],
    );
    assert_eq!(add.code, 2, "{}", add.stderr);
    for text in [&send.stdout, &send.stderr, &add.stdout, &add.stderr] {
        assert!(!text.contains("hunter2-proxy"), "{text}");
    }
    assert!(!dir.path().join("saved_requests/devices.json").exists());
}

#[test]
fn proxy_credentials_from_the_environment_are_used_and_never_shown() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let secret = "pr0xy-S3cret";
    let proxy = Proxy::start(
        &rt,
        Mode::Auth(format!("Basic {}", base64_of(&format!("ops:{secret}")))),
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let with = format!("http://ops:{secret}@127.0.0.1:{}", proxy.port);
    let wrong = format!("http://ops:{secret}-old@127.0.0.1:{}", proxy.port);
    let ok = apx_env(
        dir.path(),
        &send_args(&asa, &url, &["-v"]),
        &[("HTTPS_PROXY", &with)],
    );
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);
    assert_eq!(proxy.tunnels(), 1);
    let refused = apx_env(
        dir.path(),
        &send_args(&asa, &url, &["-v"]),
        &[("HTTPS_PROXY", &wrong)],
    );
    assert_eq!(refused.code, 3, "{}", refused.stdout);
    assert_eq!(refused.json()["error"]["kind"], "proxy");
    let mut seen = format!(
        "{}{}{}{}",
        ok.stdout, ok.stderr, refused.stdout, refused.stderr
    );
    for file in support::files_under(dir.path()) {
        seen.push_str(&String::from_utf8_lossy(&std::fs::read(file).unwrap()));
    }
    assert_eq!(leaked_forms(&seen, &[secret]), Vec::<String>::new());
}

#[test]
fn a_server_requiring_a_client_certificate_gets_one_with_cert_and_key() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = client_identity(dir.path(), "ops");
    let (_, stranger_cert, stranger_key) = client_identity(dir.path(), "stranger");
    let (url, pin) = mutual_tls_server(&rt, ca.der());
    let send = |extra: &[&str]| {
        let mut args = vec!["send", "--json", "--pin", &pin];
        args.extend_from_slice(extra);
        args.push(&url);
        apx_in(dir.path(), &args)
    };

    let none = send(&[]);
    assert_eq!(none.code, 3, "{}", none.stdout);
    let error = &none.json()["error"];
    assert_eq!(error["kind"], "tls", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("client certificate"),
        "{error}"
    );
    assert!(
        error["hint"].as_str().unwrap().contains("--cert"),
        "{error}"
    );

    let ok = send(&["--cert", &cert, "--key", &key]);
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);
    assert_eq!(ok.json()["status"], 200);

    let stranger = send(&["--cert", &stranger_cert, "--key", &stranger_key]);
    assert_eq!(stranger.code, 3, "{}", stranger.stdout);
    let error = &stranger.json()["error"];
    assert_eq!(error["kind"], "tls", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("refused the client certificate"),
        "{error}"
    );
}

#[test]
fn an_encrypted_client_key_opens_with_its_passphrase_only() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = client_identity(dir.path(), "ops");
    let passphrase = "K3y-Passphr4se";
    encrypt_key_file(&key, passphrase);
    let (url, pin) = mutual_tls_server(&rt, ca.der());
    let send = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            "send", "--json", "--pin", &pin, "--cert", &cert, "--key", &key,
        ];
        args.extend_from_slice(extra);
        args.push(&url);
        apx_env(dir.path(), &args, env)
    };
    let with = ["--key-passphrase-env", "KEY_PASS"];

    let ok = send(&with, &[("KEY_PASS", passphrase)]);
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);
    assert_eq!(ok.json()["status"], 200);

    let wrong = send(&with, &[("KEY_PASS", "not-it")]);
    assert_eq!(wrong.code, 2, "{}", wrong.stdout);
    let error = &wrong.json()["error"];
    assert_eq!(error["kind"], "usage", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("passphrase does not open"),
        "{error}"
    );

    let unset = send(&with, &[]);
    assert_eq!(unset.code, 2, "{}", unset.stdout);

    // No flag and no terminal to ask on.
    let none = send(&[], &[]);
    assert_eq!(none.code, 2, "{}", none.stdout);
    let error = &none.json()["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("encrypted private key"),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("--key-passphrase-env"),
        "{error}"
    );
    let seen: String = [&ok, &wrong, &unset, &none]
        .iter()
        .map(|r| format!("{}{}", r.stdout, r.stderr))
        .collect();
    assert_eq!(leaked_forms(&seen, &[passphrase]), Vec::<String>::new());
}

#[test]
fn a_device_keeps_its_proxy_and_client_certificate() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = client_identity(dir.path(), "ops");
    let (url, pin) = mutual_tls_server(&rt, ca.der());
    let proxy = Proxy::start(&rt, Mode::Open);
    let proxy_url = proxy.url();
    let base = url.trim_end_matches("/api");
    let add = apx_in(
        dir.path(),
        &[
            "device",
            "add",
            "edge",
            "--platform",
            "generic",
            "--url",
            base,
            "--pin",
            &pin,
            "--proxy",
            &proxy_url,
            "--cert",
            &cert,
            "--key",
            &key,
        ],
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let devices: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("saved_requests/devices.json")).unwrap(),
    )
    .unwrap();
    let device = &devices.as_array().map_or(&devices["devices"][0], |a| &a[0]);
    assert_eq!(device["proxy"], proxy_url.as_str(), "{devices}");
    assert!(device["client_cert"].as_str().unwrap().ends_with("ops.crt"));
    assert!(device["client_key"].as_str().unwrap().ends_with("ops.key"));

    let run = apx_in(dir.path(), &["send", "--json", "--device", "edge", "/api"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(proxy.tunnels(), 1, "the device's proxy carried it");
}

#[test]
fn a_socks5_proxy_carries_send_and_probe() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let (socks, opened) = support::proxy::socks5(&rt, None);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/monitoring/serialnumber", asa.url);
    let run = apx_in(dir.path(), &send_args(&asa, &url, &["--proxy", &socks]));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(opened.load(Ordering::SeqCst), 1);
    let probe = apx_in(
        dir.path(),
        &[
            "probe",
            "--json",
            "--pin",
            &asa.sha256,
            "--proxy",
            &socks,
            &asa.url,
        ],
    );
    assert_eq!(probe.code, 0, "{}\n{}", probe.stdout, probe.stderr);
    assert_eq!(probe.json()["chain"][0]["sha256"], asa.sha256.as_str());
    assert_eq!(opened.load(Ordering::SeqCst), 2);
}

#[test]
fn probe_goes_through_the_proxy_and_presents_the_client_certificate() {
    let rt = runtime();
    let asa = appliance(&rt, Platform::Asa);
    let proxy = Proxy::start(&rt, Mode::Open);
    let dir = tempfile::tempdir().unwrap();
    let proxy_url = proxy.url();
    let probe = apx_in(
        dir.path(),
        &[
            "probe",
            "--json",
            "--pin",
            &asa.sha256,
            "--proxy",
            &proxy_url,
            &asa.url,
        ],
    );
    assert_eq!(probe.code, 0, "{}\n{}", probe.stdout, probe.stderr);
    assert_eq!(probe.json()["verified"], true);
    assert_eq!(proxy.tunnels(), 1);
    let forbidden = Proxy::start(&rt, Mode::Forbidden);
    let refused = apx_in(
        dir.path(),
        &["probe", "--json", "--proxy", &forbidden.url(), &asa.url],
    );
    assert_eq!(refused.code, 3, "{}", refused.stdout);
    assert_eq!(refused.json()["error"]["kind"], "proxy");

    let (ca, cert, key) = client_identity(dir.path(), "ops");
    let (url, pin) = mutual_tls_server(&rt, ca.der());
    let with = apx_in(
        dir.path(),
        &[
            "probe", "--json", "--pin", &pin, "--cert", &cert, "--key", &key, &url,
        ],
    );
    assert_eq!(with.code, 0, "{}\n{}", with.stdout, with.stderr);
    assert_eq!(with.json()["verified"], true);
}

/// `apx proxy set-password` checks what it is given before touching the
/// keyring: a proxy without credentials, a set variable, a usable user.
#[test]
fn proxy_set_password_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let set = |proxy: &str, user: &str, env: &[(&str, &str)]| {
        apx_env(
            dir.path(),
            &[
                "proxy",
                "set-password",
                proxy,
                "--user",
                user,
                "--password-env",
                "PROXY_PW",
                "--json",
            ],
            env,
        )
    };
    let pw = [("PROXY_PW", "pr0xy-Input")];
    for (run, words) in [
        (
            set("http://u:s3cret@proxy:3128", "ops", &pw),
            "credentials in a proxy URL",
        ),
        (
            set("ftp://proxy:21", "ops", &pw),
            "unsupported proxy scheme",
        ),
        (set("http://proxy:3128", "ops", &[]), "PROXY_PW is not set"),
        (set("http://proxy:3128", "a:b", &pw), "proxy user"),
    ] {
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        let message = run.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(words), "{message}");
        assert!(!run.stdout.contains("s3cret") && !run.stdout.contains("pr0xy-Input"));
    }
}
