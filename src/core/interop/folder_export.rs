//! A folder of saved requests exported whole: as a Postman Collection v2.1
//! (`apx export postman`, File > Export collection) or as a shell script of
//! curl commands. No secret is written: see [`export_postman`] and
//! [`export_curl`].

use super::curl_export::{CurlInput, export_curl};
use super::postman_export::export_postman;
use super::shell_words::comment;
use crate::core::error::Failure;
use crate::core::workspace::Device;
use crate::core::workspace::collections::Collections;
use crate::core::workspace::saved::SavedRequest;
use crate::core::workspace::variables::prepare;

/// The saved requests under `folder` (`""`: all), each with its folder
/// below `folder`; none is an error.
pub fn folder_requests(
    collections: &Collections,
    folder: &str,
) -> Result<Vec<(String, SavedRequest)>, Failure> {
    let folder = folder.trim().trim_matches('/');
    let prefix = format!("{folder}/");
    let requests: Vec<_> = collections
        .requests
        .iter()
        .filter_map(|entry| {
            let below = if folder.is_empty() {
                Some(entry.folder.as_str())
            } else if entry.folder == folder {
                Some("")
            } else {
                entry.folder.strip_prefix(&prefix)
            };
            below.map(|below| (below.to_string(), entry.request.clone()))
        })
        .collect();
    if requests.is_empty() {
        return Err(Failure::usage(
            format!("no saved requests in folder {folder:?}"),
            "Give a folder of the workspace, e.g. Lab/ASA; \"\" exports every saved request.",
        ));
    }
    Ok(requests)
}

/// A folder exported as a Postman collection.
pub struct PostmanFolder {
    pub collection: serde_json::Value,
    /// The collection pretty-printed, with a trailing newline.
    pub text: String,
    /// How many requests it holds.
    pub count: usize,
}

/// The folder's requests as a Postman v2.1 collection named after its last
/// segment (`apx` for the top).
pub fn postman_folder(collections: &Collections, folder: &str) -> Result<PostmanFolder, Failure> {
    let requests = folder_requests(collections, folder)?;
    let name = folder
        .trim()
        .trim_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("apx");
    let collection = export_postman(name, &requests);
    let mut text = serde_json::to_string_pretty(&collection)
        .map_err(|e| Failure::usage(format!("cannot encode the collection: {e}"), ""))?;
    text.push('\n');
    Ok(PostmanFolder {
        collection,
        text,
        count: requests.len(),
    })
}

/// The folder's requests as a POSIX shell script, one curl command each,
/// resolved against the device `device_for` gives (a pinned key is not
/// known offline: curl then verifies as usual, as the script says). A
/// request that cannot be resolved becomes a comment saying why.
pub fn curl_script(
    collections: &Collections,
    folder: &str,
    device_for: impl Fn(&SavedRequest) -> Option<Device>,
) -> Result<(String, usize), Failure> {
    let requests = folder_requests(collections, folder)?;
    let mut script = String::from(
        "#!/bin/sh\n# Exported by apx. Credentials come from $APX_USER and $APX_PASSWORD.\n",
    );
    for (below, request) in &requests {
        let place = if below.is_empty() {
            String::new()
        } else {
            format!(" ({below})")
        };
        script.push('\n');
        script.push_str(&comment(&format!("{}{place}", request.name)));
        script.push('\n');
        let device = device_for(request);
        let command = prepare(request, device.as_ref()).and_then(|prepared| {
            let auth = prepared.auth;
            export_curl(&CurlInput::from_prepared(
                prepared,
                auth,
                device.as_ref().and_then(|d| d.username.clone()),
                device.map(|d| d.trust).unwrap_or_default(),
                None,
            ))
        });
        match command {
            Ok(command) => script.push_str(command.trim_end()),
            Err(f) => script.push_str(&comment(&format!("skipped: {}", f.message))),
        }
        script.push('\n');
    }
    Ok((script, requests.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::workspace::collections::SavedEntry;

    fn entry(folder: &str, name: &str, url: &str) -> SavedEntry {
        SavedEntry {
            folder: folder.into(),
            path: format!("{folder}/{name}.json").into(),
            request: SavedRequest::get(name, url),
        }
    }

    #[test]
    fn a_folder_exports_its_requests_and_subfolders_only() {
        let collections = Collections {
            requests: vec![
                entry("Lab", "one", "https://a.example/x"),
                entry("Lab/Sub", "two", "/relative"),
                entry("Other", "three", "https://c.example/"),
            ],
            ..Collections::default()
        };
        let exported = postman_folder(&collections, "Lab").unwrap();
        let text = exported.text;
        assert_eq!(exported.count, 2);
        assert!(text.contains("\"name\": \"Lab\""), "{text}");
        assert!(!text.contains("three"), "{text}");
        let (script, n) = curl_script(&collections, "Lab", |_| None).unwrap();
        assert_eq!(n, 2);
        assert!(script.starts_with("#!/bin/sh\n"), "{script}");
        assert!(script.contains("https://a.example/x"), "{script}");
        assert!(script.contains("# skipped: "), "{script}");
        assert!(postman_folder(&collections, "Nowhere").is_err());
    }
}
