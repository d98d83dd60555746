//! What the app remembers between runs, through eframe storage. Never secrets:
//! no passwords, no tokens, no header values, no bodies.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::http::{DEFAULT_MAX_BODY, Sink};

/// The most a response body may take on disk once it has moved out of
/// memory (or the body size limit, when that is higher): a server sending
/// without end fills neither memory nor the disk.
pub const SPILL_LIMIT: u64 = 4 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Dark,
    Light,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Dark, Theme::Light];

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Follow system",
            Theme::Dark => "Dark",
            Theme::Light => "Light",
        }
    }

    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Dark => egui::ThemePreference::Dark,
            Theme::Light => egui::ThemePreference::Light,
        }
    }
}

/// Persisted settings (window size and panel widths are kept by eframe and
/// egui themselves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub theme: Theme,
    /// Response bodies larger than this many MiB go to a temporary file
    /// instead of memory (up to `SPILL_LIMIT`; larger ones are stopped).
    pub max_body_mb: u64,
    /// How long a request may take, in seconds (View > Timeout).
    pub timeout_secs: u64,
    /// How many devices a fan-out sends to at a time (View > Fan-out
    /// concurrency).
    pub concurrency: u64,
    /// Keep a device's session open between sends (View > Keep sessions
    /// open), logged out after `session_idle_min` minutes without a send.
    pub keep_sessions: bool,
    pub session_idle_min: u64,
    /// The open tabs' drafts (never a secret).
    pub tabs: super::tabs::SavedTabs,
    /// Workspaces opened, the latest first (File > Open workspace).
    pub recent_workspaces: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::default(),
            max_body_mb: DEFAULT_MAX_BODY >> 20,
            timeout_secs: 30,
            concurrency: 8,
            keep_sessions: true,
            session_idle_min: 5,
            tabs: Default::default(),
            recent_workspaces: Vec::new(),
        }
    }
}

/// How many workspaces File > Open workspace remembers.
pub const RECENT_WORKSPACES: usize = 8;

impl Settings {
    /// Puts `dir` first in the recent workspaces (once, at most
    /// [`RECENT_WORKSPACES`] kept).
    pub fn remember_workspace(&mut self, dir: &Path) {
        self.recent_workspaces.retain(|d| d != dir);
        self.recent_workspaces.insert(0, dir.to_path_buf());
        self.recent_workspaces.truncate(RECENT_WORKSPACES);
    }

    /// The in-memory limit for response bodies, in bytes.
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_mb.max(1).saturating_mul(1 << 20)
    }

    /// How long a request may take.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }

    /// How many devices a fan-out sends to at a time (at least one).
    pub fn concurrency(&self) -> usize {
        usize::try_from(self.concurrency.clamp(1, 1024)).unwrap_or(8)
    }

    /// How long a kept session may stay idle; None: sessions are not kept.
    pub fn session_idle(&self) -> Option<Duration> {
        self.keep_sessions
            .then(|| Duration::from_secs(self.session_idle_min.clamp(1, 1440) * 60))
    }

    /// Where the app's response bodies go: memory, then a bounded
    /// temporary file.
    pub fn body_sink(&self) -> Sink {
        let memory = self.max_body_bytes();
        Sink::Spill {
            memory,
            disk: SPILL_LIMIT.max(memory),
        }
    }
}

pub const STORAGE_KEY: &str = "apx-settings";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_workspaces_are_unique_latest_first_and_bounded() {
        let mut s = Settings::default();
        for i in 0..10 {
            s.remember_workspace(Path::new(&format!("/w{i}")));
        }
        s.remember_workspace(Path::new("/w5"));
        assert_eq!(s.recent_workspaces.len(), RECENT_WORKSPACES);
        assert_eq!(s.recent_workspaces[0], Path::new("/w5"));
        assert_eq!(s.recent_workspaces[1], Path::new("/w9"));
        assert_eq!(
            s.recent_workspaces
                .iter()
                .filter(|d| **d == Path::new("/w5"))
                .count(),
            1
        );
    }

    #[test]
    fn bodies_past_the_limit_spill_to_a_bounded_file() {
        assert_eq!(
            Settings::default().body_sink(),
            Sink::Spill {
                memory: DEFAULT_MAX_BODY,
                disk: SPILL_LIMIT
            }
        );
        let huge = Settings {
            max_body_mb: 65_536,
            ..Settings::default()
        };
        assert_eq!(
            huge.body_sink(),
            Sink::Spill {
                memory: 64 << 30,
                disk: 64 << 30
            }
        );
    }
}
