//! Server text on a terminal: escape sequences in bodies, decoded error
//! messages, redirect targets, saved request names and certificate subjects
//! are shown escaped, never run by the terminal; piped output and `--json`
//! stay exact.

mod support;

use std::time::Duration;

use support::{apx_in, apx_on_terminal, runtime};
use tokio::io::AsyncWriteExt;

/// A body that retitles the window, clears the screen, and carries a C1
/// control (U+009B, a one-character CSI) next to line breaks that stay; no
/// final line break (a pipe gets none added).
const BODY: &[u8] = b"plain \x1b]0;pwned\x07\x1b[2Jtext\r\nnext\tline\n\xc2\x9b2J end";

/// An ASA error body whose decoded code, message and details hold escapes.
const ASA_ERROR: &str = r#"{"messages":[{"level":"Error","code":"BAD\u001b[5m","details":"value \u001b[31mred\u001b[0m refused\nhint: fake","context":"\u001b]0;x\u0007"}]}"#;

/// The longest any of these runs may take.
const DEADLINE: Duration = Duration::from_secs(60);

/// A server answering `/body`, `/moved` (a redirect whose target holds a C1
/// control: header values cannot carry ESC itself) and anything else with
/// the ASA error.
fn hostile_server(rt: &tokio::runtime::Runtime) -> (u16, String) {
    support::raw_tls_server(rt, |mut tls| async move {
        let head = support::read_head(&mut tls).await;
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (status, headers, body): (&str, &str, &[u8]) = match path.as_str() {
            "/body" => ("200 OK", "Content-Type: text/plain\r\n", BODY),
            "/moved" => ("302 Found", "Location: /next\u{9b}2Jhere\r\n", b""),
            _ => (
                "400 Bad Request",
                "Content-Type: application/json\r\n",
                ASA_ERROR.as_bytes(),
            ),
        };
        let answer = format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = tls.write_all(answer.as_bytes()).await;
        let _ = tls.write_all(body).await;
        let _ = tls.shutdown().await;
    })
}

/// Fails when a raw ESC or a UTF-8 C1 control reached the terminal.
fn assert_inert(what: &str, screen: &[u8]) {
    let text = String::from_utf8_lossy(screen);
    assert!(
        !screen.contains(&0x1b),
        "{what}: a raw ESC reached the terminal:\n{text:?}"
    );
    assert!(
        !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)),
        "{what}: a C1 control reached the terminal:\n{text:?}"
    );
}

#[test]
fn server_text_is_escaped_on_a_terminal_and_exact_in_a_pipe() {
    let rt = runtime();
    let (port, fp) = hostile_server(&rt);
    let url = |path: &str| format!("https://127.0.0.1:{port}{path}");
    let dir = tempfile::tempdir().unwrap();

    let (code, screen) =
        apx_on_terminal(dir.path(), &["send", "--pin", &fp, &url("/body")], DEADLINE);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&screen));
    assert_inert("body", &screen);
    let text = String::from_utf8_lossy(&screen);
    assert!(
        text.contains(r"plain \x1b]0;pwned\x07\x1b[2Jtext"),
        "{text}"
    );
    assert!(text.contains("next\tline"), "tabs stay: {text:?}");

    let (code, screen) = apx_on_terminal(
        dir.path(),
        &["send", "--pin", &fp, &url("/moved")],
        DEADLINE,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&screen));
    assert_inert("redirect", &screen);
    assert!(String::from_utf8_lossy(&screen).contains(r"/next\u{9b}2Jhere"));

    let (code, screen) = apx_on_terminal(
        dir.path(),
        &["send", "--platform", "asa", "--pin", &fp, &url("/error")],
        DEADLINE,
    );
    assert_eq!(code, 1, "{}", String::from_utf8_lossy(&screen));
    assert_inert("decoded error", &screen);
    let text = String::from_utf8_lossy(&screen);
    assert!(
        text.contains(r"value \x1b[31mred\x1b[0m refused\nhint: fake"),
        "a server's line break cannot forge a line: {text}"
    );

    // A saved request's name (a workspace may come from a clone).
    let saved = support::save_request(
        dir.path(),
        "evil\u{1b}[2J",
        Some(apx::core::platform::Platform::Asa),
        &url("/error"),
    );
    let (code, screen) = apx_on_terminal(
        dir.path(),
        &["run", "--pin", &fp, saved.to_str().unwrap()],
        DEADLINE,
    );
    assert_eq!(code, 1, "{}", String::from_utf8_lossy(&screen));
    assert_inert("run", &screen);

    // Piped, the body is the server's, byte for byte; --json is exact JSON.
    let piped = support::output_within(&mut support::apx_command(
        dir.path(),
        &["send", "--pin", &fp, &url("/body")],
    ));
    assert_eq!(piped.status.code(), Some(0));
    assert_eq!(piped.stdout, BODY);
    let json = apx_in(dir.path(), &["send", "--json", "--pin", &fp, &url("/body")]);
    assert_eq!(
        json.json()["body"],
        String::from_utf8(BODY.to_vec()).unwrap()
    );
    let json = apx_in(
        dir.path(),
        &[
            "send",
            "--json",
            "--platform",
            "asa",
            "--pin",
            &fp,
            &url("/error"),
        ],
    );
    assert_eq!(
        json.json()["error"]["message"],
        "value \u{1b}[31mred\u{1b}[0m refused\nhint: fake"
    );
}

#[test]
fn certificate_subjects_are_escaped_on_a_terminal() {
    let rt = runtime();
    let cert =
        apx::demo::certs::self_signed(&["evil\u{1b}]0;pwned\u{7}.example", "127.0.0.1"]).unwrap();
    let (port, _) = support::raw_tls_server_with(&rt, &cert, |mut tls| async move {
        support::read_head(&mut tls).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let (code, screen) = apx_on_terminal(
        dir.path(),
        &["probe", &format!("https://127.0.0.1:{port}/")],
        DEADLINE,
    );
    assert_eq!(code, 3, "self-signed: {}", String::from_utf8_lossy(&screen));
    assert_inert("probe", &screen);
    assert!(
        String::from_utf8_lossy(&screen).contains(r"evil\x1b]0;pwned\x07.example"),
        "{}",
        String::from_utf8_lossy(&screen)
    );
}
