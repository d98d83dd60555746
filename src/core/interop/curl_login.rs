//! The token logins and logouts of each platform as POSIX shell lines around
//! an exported `curl` command: the login puts the session token in
//! `$APX_TOKEN` (the password comes from `$APX_PASSWORD`), the request uses
//! it, and the logout ends the session where the platform has one. Both
//! reach curl on its stdin (see [`super::curl_stdin`]).

use super::curl_stdin::{Stdin, TOKEN, base64_of, basic_credentials, basic_header};
use super::shell_words::quote;
use crate::core::platform::{Platform, fmc};

/// Shell lines around the request: a comment, the login, and the logout.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSteps {
    pub comment: String,
    pub login: String,
    pub logout: Option<String>,
}

/// The characters a token may have to be taken from a response (a sed
/// bracket expression): nothing a header line, a curl config or a URL
/// gives a meaning to. A server that sends anything else gets no token.
const TOKEN_CHARS: &str = "[A-Za-z0-9._~+/=-]*";

/// The steps for `platform`, or None where it has no token login. `user` is
/// a shell word (a quoted name, or `"$APX_USER"`); `curl` starts each
/// command (`curl --globoff` and the trust options).
pub fn token_steps(platform: Platform, user: &str, origin: &str, curl: &str) -> Option<TokenSteps> {
    let origin = origin.trim_end_matches('/');
    // Quoted for the shell: a host name may hold `'`, `$` or `;`.
    let url = |path: &str| quote(&format!("{origin}{path}"));
    // The first token found, of TOKEN_CHARS only.
    let take = |pattern: &str| {
        format!(
            "sed -n 's#{}#\\1#p' | head -n 1",
            pattern.replace("TOKEN", &format!("\\({TOKEN_CHARS}\\)"))
        )
    };
    match platform {
        Platform::Asa => Some(TokenSteps {
            comment: "# ASA token service: log in (POST /api/tokenservices), send with X-Auth-Token, log out".into(),
            login: format!(
                "{}\nAPX_TOKEN=$({}{curl} -s -X POST -H @- -H 'User-Agent: REST API Agent' -H 'Content-Type: application/json' -o /dev/null -D - {} | tr -d '\\r' | {})",
                basic_credentials(user),
                basic_header(&mut Stdin::default()).pipe(),
                url("/api/tokenservices"),
                take("^[Xx]-[Aa]uth-[Tt]oken: *TOKEN$"),
            ),
            // The URL holds the token: it goes in the config, not on the argv.
            logout: Some(format!(
                "{}{curl} -s -o /dev/null -X DELETE -H 'User-Agent: REST API Agent' -H 'Content-Type: application/json' --config -",
                Stdin::default()
                    .line(
                        &format!("url = \"{}", config_escape(&format!("{origin}/api/tokenservices/"))),
                        TOKEN,
                        "\"",
                    )
                    .line("header = \"X-Auth-Token: ", TOKEN, "\"")
                    .pipe(),
            )),
        }),
        Platform::Fxos => Some(TokenSteps {
            comment: "# FXOS: log in (POST /api/login), send with the TOKEN header, log out".into(),
            login: format!(
                "APX_TOKEN=$({}{curl} -s -X POST -H @- -H 'Accept: application/json' {} | {})",
                Stdin::default()
                    .header("username", user)
                    .header("password", "\"$APX_PASSWORD\"")
                    .pipe(),
                url("/api/login"),
                take(".*\"token\" *: *\"TOKEN\".*"),
            ),
            logout: Some(format!(
                "{}{curl} -s -o /dev/null -X POST -H @- -H 'Accept: application/json' {}",
                Stdin::default().header("TOKEN", TOKEN).pipe(),
                url("/api/logout")
            )),
        }),
        Platform::Wsa | Platform::Sma | Platform::Esa => Some(TokenSteps {
            comment: format!(
                "# AsyncOS JWT: log in (POST {}/login, base64 credentials), send with the jwtToken header",
                platform.api_base()
            ),
            login: format!(
                "APX_TOKEN=$(printf %s {}{}{}{}{} | {curl} -s -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' --data-binary @- {} | {})",
                quote("{\"data\":{\"userName\":\""),
                base64_of(user),
                quote("\",\"passphrase\":\""),
                base64_of("\"$APX_PASSWORD\""),
                quote("\"}}"),
                url(&format!("{}/login", platform.api_base())),
                take(".*\"jwtToken\" *: *\"TOKEN\".*"),
            ),
            logout: None,
        }),
        Platform::Fmc => Some(TokenSteps {
            comment: "# FMC: log in (POST /api/fmc_platform/v1/auth/generatetoken), send with X-auth-access-token in the login's default domain (DOMAIN_UUID), revoke".into(),
            login: format!(
                "{}\nAPX_HEADERS=$({}{curl} -s -X POST -H @- -H 'Accept: application/json' -o /dev/null -D - {} | tr -d '\\r')\nAPX_TOKEN=$(printf '%s\\n' \"$APX_HEADERS\" | {})\nAPX_DOMAIN=$(printf '%s\\n' \"$APX_HEADERS\" | {})",
                basic_credentials(user),
                basic_header(&mut Stdin::default()).pipe(),
                url(fmc::LOGIN_PATH),
                take("^[Xx]-[Aa]uth-[Aa]ccess-[Tt]oken: *TOKEN$"),
                // A uuid: hex digits and dashes only, so that it fits a path.
                "sed -n 's#^[Dd][Oo][Mm][Aa][Ii][Nn]_[Uu][Uu][Ii][Dd]: *\\([0-9A-Fa-f-]*\\)$#\\1#p' | head -n 1",
            ),
            logout: Some(format!(
                "{}{curl} -s -o /dev/null -X POST -H @- -H 'Accept: application/json' {}",
                Stdin::default().header("X-auth-access-token", TOKEN).pipe(),
                url(fmc::REVOKE_PATH)
            )),
        }),
        // FDM's JSON password grant needs the password JSON-escaped, which
        // POSIX shell lines cannot do safely: not exported.
        Platform::Fdm | Platform::Generic => None,
    }
}

/// Escapes text for the inside of a double-quoted curl config value.
fn config_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_logs_in_from_the_password_variable() {
        for platform in [Platform::Asa, Platform::Fxos, Platform::Wsa] {
            let steps = token_steps(platform, "admin", "https://h:1/", "curl -k").unwrap();
            let login = steps.login.lines().last().unwrap();
            assert!(login.starts_with("APX_TOKEN=$(printf "), "{steps:?}");
            assert!(login.contains("| curl -k -s -X POST "), "{steps:?}");
            assert!(steps.login.contains("\"$APX_PASSWORD\""), "{steps:?}");
            assert!(!steps.login.contains("https://h:1//"), "{steps:?}");
            assert!(login.ends_with("| head -n 1)"), "{steps:?}");
        }
        let wsa = token_steps(Platform::Wsa, "admin", "https://h:1", "curl").unwrap();
        assert!(
            wsa.login.contains(" https://h:1/wsa/api/v2.0/login "),
            "{wsa:?}"
        );
        // A hostile host name stays one quoted word.
        let asa = token_steps(Platform::Asa, "admin", "https://x';id;'", "curl").unwrap();
        let quoted = r"'https://x'\'';id;'\''/api/tokenservices'";
        assert!(asa.login.contains(quoted), "{asa:?}");
        // The logout URL holds the token: it travels in the config.
        let logout = asa.logout.unwrap();
        assert!(logout.ends_with("--config -"), "{logout}");
        assert!(
            logout.contains(r#"'url = "https://x'\'';id;'\''/api/tokenservices/'"$APX_TOKEN"'"'"#),
            "{logout}"
        );
        assert!(wsa.logout.is_none());
        assert!(token_steps(Platform::Generic, "admin", "https://h", "curl").is_none());
    }

    #[test]
    fn config_values_escape_quotes_and_backslashes() {
        assert_eq!(config_escape(r#"a"b\c"#), r#"a\"b\\c"#);
    }
}
