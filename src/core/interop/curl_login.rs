//! The token logins and logouts of each platform as POSIX shell lines around
//! an exported `curl` command: the login puts the session token in
//! `$APX_TOKEN` (the password comes from `$APX_PASSWORD`), the request uses
//! it, and the logout ends the session where the platform has one.

use super::shell_words::quote;
use crate::core::platform::Platform;

/// Shell lines around the request: a comment, the login, and the logout.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSteps {
    pub comment: String,
    pub login: String,
    pub logout: Option<String>,
}

/// The steps for `platform`, or None where it has no token login. `user` is
/// already escaped for the inside of double quotes; `tls` holds curl's trust
/// options (`-k`, `--cacert FILE`), quoted, with a trailing space when set.
pub fn token_steps(platform: Platform, user: &str, origin: &str, tls: &str) -> Option<TokenSteps> {
    let origin = origin.trim_end_matches('/');
    // Quoted for the shell: a host name may hold `'`, `$` or `;`.
    let url = |path: &str| quote(&format!("{origin}{path}"));
    match platform {
        Platform::Asa => Some(TokenSteps {
            comment: "# ASA token service: log in (POST /api/tokenservices), send with X-Auth-Token, log out".into(),
            login: format!(
                "APX_TOKEN=$(curl -s {tls}-X POST -u \"{user}:$APX_PASSWORD\" -H 'User-Agent: REST API Agent' -H 'Content-Type: application/json' -o /dev/null -D - {} | tr -d '\\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: *//p')",
                url("/api/tokenservices")
            ),
            logout: Some(format!(
                "curl -s -o /dev/null {tls}-X DELETE -H 'User-Agent: REST API Agent' -H 'Content-Type: application/json' -H \"X-Auth-Token: $APX_TOKEN\" {}\"$APX_TOKEN\"",
                url("/api/tokenservices/")
            )),
        }),
        Platform::Fxos => Some(TokenSteps {
            comment: "# FXOS: log in (POST /api/login), send with the TOKEN header, log out".into(),
            login: format!(
                "APX_TOKEN=$(curl -s {tls}-X POST -H \"username: {user}\" -H \"password: $APX_PASSWORD\" -H 'Accept: application/json' {} | sed -n 's/.*\"token\" *: *\"\\([^\"]*\\)\".*/\\1/p')",
                url("/api/login")
            ),
            logout: Some(format!(
                "curl -s -o /dev/null {tls}-X POST -H \"TOKEN: $APX_TOKEN\" -H 'Accept: application/json' {}",
                url("/api/logout")
            )),
        }),
        Platform::Wsa | Platform::Sma | Platform::Esa => Some(TokenSteps {
            comment: format!(
                "# AsyncOS JWT: log in (POST {}/login, base64 credentials), send with the jwtToken header",
                platform.api_base()
            ),
            login: format!(
                "APX_TOKEN=$(curl -s {tls}-X POST -H 'Content-Type: application/json' -H 'Accept: application/json' --data-raw \"{{\\\"data\\\":{{\\\"userName\\\":\\\"$(printf %s \"{user}\" | base64 | tr -d '\\n')\\\",\\\"passphrase\\\":\\\"$(printf %s \"$APX_PASSWORD\" | base64 | tr -d '\\n')\\\"}}}}\" {} | sed -n 's/.*\"jwtToken\" *: *\"\\([^\"]*\\)\".*/\\1/p')",
                url(&format!("{}/login", platform.api_base()))
            ),
            logout: None,
        }),
        Platform::Generic => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_logs_in_from_the_password_variable() {
        for platform in [Platform::Asa, Platform::Fxos, Platform::Wsa] {
            let steps = token_steps(platform, "admin", "https://h:1/", "-k ").unwrap();
            assert!(
                steps.login.starts_with("APX_TOKEN=$(curl -s -k -X POST "),
                "{steps:?}"
            );
            assert!(steps.login.contains("$APX_PASSWORD"), "{steps:?}");
            assert!(!steps.login.contains("https://h:1//"), "{steps:?}");
        }
        let wsa = token_steps(Platform::Wsa, "admin", "https://h:1", "").unwrap();
        assert!(
            wsa.login.contains(" https://h:1/wsa/api/v2.0/login "),
            "{wsa:?}"
        );
        // A hostile host name stays one quoted word.
        let asa = token_steps(Platform::Asa, "admin", "https://x';id;'", "").unwrap();
        let quoted = r"'https://x'\'';id;'\''/api/tokenservices'";
        assert!(asa.login.contains(quoted), "{asa:?}");
        assert!(wsa.logout.is_none());
        assert!(token_steps(Platform::Generic, "admin", "https://h", "").is_none());
    }
}
