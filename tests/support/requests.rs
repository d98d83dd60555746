//! Saved requests as the tests build them: a GET here, what a test changes
//! by struct update syntax (`SavedRequest { device: ..., ..get(...) }`).

use apx::core::workspace::saved::SavedRequest;

/// The saved request `name`: a GET of `url`, with no device, platform,
/// auth, header or body of its own.
pub fn get(name: &str, url: &str) -> SavedRequest {
    SavedRequest {
        name: name.into(),
        description: None,
        device: None,
        platform: None,
        auth: None,
        method: "GET".into(),
        url: url.into(),
        headers: Vec::new(),
        body: None,
    }
}
