//! Turns an engine result into a history entry (shared by the CLI and GUI).

use std::time::{SystemTime, UNIX_EPOCH};

use super::RequestResult;
use super::http::Body;
use crate::core::history::{HistoryEntry, HistoryError, MAX_BODY};

/// The history entry of one result: no header values, no credentials; the
/// body only when it is in memory and at most 64 KiB.
pub fn entry(result: &RequestResult, device: Option<&str>) -> HistoryEntry {
    let (body, body_truncated) = match &result.body {
        Body::Memory(bytes) if bytes.len() <= MAX_BODY => {
            let text = (!bytes.is_empty()).then(|| String::from_utf8_lossy(bytes).into_owned());
            (text, false)
        }
        Body::Memory(_) | Body::Spilled { .. } => (None, true),
        Body::File { .. } => (None, false),
    };
    let error = result.error.as_ref().map(|f| HistoryError {
        kind: serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        message: f.message.clone(),
    });
    HistoryEntry {
        timestamp: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        name: (!result.name.is_empty()).then(|| result.name.clone()),
        device: device.map(str::to_string),
        method: result.method.clone(),
        url: result.url.clone(),
        status: result.status,
        error,
        elapsed_ms: (result.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        size: result.body.len(),
        body,
        body_truncated,
    }
}
