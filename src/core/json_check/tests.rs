use super::*;

/// What the `--json` document did before checking while arriving.
fn reference(body: &[u8]) -> Verdict {
    if body.iter().all(u8::is_ascii_whitespace) {
        Verdict::Blank
    } else if serde_json::from_slice::<&serde_json::value::RawValue>(body).is_ok() {
        Verdict::Json
    } else {
        Verdict::NotJson
    }
}

fn checked(chunks: &[&[u8]]) -> Verdict {
    let mut check = JsonCheck::new();
    for chunk in chunks {
        check.feed(chunk);
    }
    check.finish()
}

/// `body` whole, byte by byte, and split in two and in three at every
/// place, agrees with serde_json.
fn agrees(body: &[u8]) -> Verdict {
    let expected = reference(body);
    assert_eq!(
        checked(&[body]),
        expected,
        "whole {:?}",
        body.escape_ascii().to_string()
    );
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(
        checked(&bytes),
        expected,
        "byte by byte {}",
        body.escape_ascii()
    );
    for i in 0..=body.len() {
        let (a, b) = body.split_at(i);
        assert_eq!(
            checked(&[a, b]),
            expected,
            "split at {i}: {}",
            body.escape_ascii()
        );
        for j in i..=body.len() {
            let (b, c) = body[i..].split_at(j - i);
            assert_eq!(
                checked(&[a, &[], b, c]),
                expected,
                "at {i}, {j}: {}",
                body.escape_ascii()
            );
        }
    }
    expected
}

#[test]
fn valid_json_is_accepted_split_anywhere() {
    let valid: [&[u8]; 17] = [
        br#"{"kind":"object#Log","id":12,"ok":true,"none":null,"f":false}"#,
        b" \r\n\t[1, -0, 0.5, -12.75e+3, 4E-2, 0e0, 10, [], {}, [[]], {\"a\":{}}]\n",
        b"0",
        b"-7",
        b"12.5e10",
        b"\"\"",
        b"true",
        b"null ",
        "\"\u{e9}t\u{e9} \u{2713} \u{1f600} caf\u{e9}\"".as_bytes(),
        "{\"cl\u{e9}\":[\"\u{1f600}\u{1f600}\",\"\u{800}\u{ffff}\"]}".as_bytes(),
        br#""\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 \uFFFF""#,
        br#"{"a" : [ 1 , 2 ] , "b" : { "c" : "d" } }"#,
        br#"["a long string that spans more than eight bytes, twice over", 1]"#,
        br#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
        br#"{"a":[{"b":[{"c":1},2]},{"d":[]}],"e":"f"}"#,
        br#"[{}, [], "x", 1, true]"#,
        b"\"\\ud800\"",
    ];
    for body in valid {
        assert_eq!(agrees(body), Verdict::Json, "{}", body.escape_ascii());
    }
}

#[test]
fn invalid_json_is_refused_split_anywhere() {
    let invalid: [&[u8]; 38] = [
        b"{} x",
        b"[1]]",
        b"{}{}",
        b"1 2",
        b"{\"a\":1}garbage",
        b"nulls",
        b"nul",
        b"tru",
        b"[1,]",
        b"{\"a\":1,}",
        b"{,}",
        b"[,1]",
        b"{\"a\"}",
        b"{\"a\" 1}",
        b"{1:2}",
        b"[1 2]",
        b"[1}",
        b"{\"a\":1]",
        b"01",
        b"-",
        b"-a",
        b"1.",
        b"1.e5",
        b".5",
        b"1e",
        b"1e+",
        b"+1",
        b"[01]",
        b"\"abc",
        b"\"a\x01b\"",
        b"\"\\x\"",
        b"\"\\u12G4\"",
        b"\"\\u12\"",
        b"[",
        b"{\"a\":",
        b"\x0c1",
        b"\xef\xbb\xbf{}",
        b"1\x0c",
    ];
    for body in invalid {
        assert_eq!(agrees(body), Verdict::NotJson, "{}", body.escape_ascii());
    }
}

#[test]
fn broken_utf8_is_refused_even_split_across_chunks() {
    let broken: [&[u8]; 8] = [
        b"\"\xc3\"",
        b"\"\xc3\xa9\xa9\"",
        b"\"\xe2\x82\"",
        b"\"\xf0\x9f\x98\"",
        b"\"\xc0\xaf\"",
        b"\"\xed\xa0\x80\"",
        b"\"\xff\"",
        b"\"\xf4\x90\x80\x80\"",
    ];
    for body in broken {
        assert_eq!(agrees(body), Verdict::NotJson, "{}", body.escape_ascii());
    }
    // A character cut off by the end of the body.
    assert_eq!(
        checked(&[b"\"\xe2\x82\xac\"", b"\xe2\x82"]),
        Verdict::NotJson
    );
    assert_eq!(checked(&[b"\"caf\xc3", b"\xa9\""]), Verdict::Json);
    assert_eq!(
        checked(&[b"\"\xf0", b"\x9f", b"\x98", b"\x80\""]),
        Verdict::Json
    );
}

#[test]
fn whitespace_alone_is_blank() {
    for body in [&b""[..], b" ", b"\r\n\t ", b"\x0c", b" \x0c\n"] {
        assert_eq!(agrees(body), Verdict::Blank);
    }
    assert_eq!(checked(&[]), Verdict::Blank);
}

#[test]
fn deep_nesting_is_accepted_and_costs_a_bit_a_level() {
    let depth = 100_000;
    let body = [vec![b'['; depth], vec![b']'; depth]].concat();
    assert_eq!(reference(&body), Verdict::Json);
    let mut check = JsonCheck::new();
    for chunk in body.chunks(777) {
        check.feed(chunk);
    }
    assert!(check.open.bits.capacity() * 8 < depth / 4);
    assert_eq!(check.finish(), Verdict::Json);
    let unclosed = [vec![b'{'; 3], vec![b'['; 200]].concat();
    assert_eq!(agrees(&unclosed[..20]), Verdict::NotJson);
    assert_eq!(checked(&[&unclosed]), Verdict::NotJson);
}

#[test]
fn plain_runs_stop_at_quotes_backslashes_and_controls() {
    assert_eq!(plain_run(b""), 0);
    assert_eq!(plain_run(b"abcdefghijklmnop"), 16);
    for (i, stop) in [b'"', b'\\', 0x00, 0x1f].into_iter().enumerate() {
        for at in 0..20 {
            let mut bytes = vec![b'a'; 24];
            bytes[at] = stop;
            bytes[at + 1 + i % 3] = b'"';
            assert_eq!(plain_run(&bytes), at, "{stop} at {at}");
        }
    }
    assert_eq!(plain_run("\u{e9}\u{7f}\u{ff} é".as_bytes()), 8);
}
