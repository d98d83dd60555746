//! What the app remembers between runs, through eframe storage. Never secrets:
//! no passwords, no tokens, no header values, no bodies.

use serde::{Deserialize, Serialize};

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
    /// Response bodies larger than this many megabytes go to a temporary
    /// file instead of memory.
    pub max_body_mb: u64,
    pub last_device: Option<String>,
    pub last_method: Option<String>,
    pub last_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::default(),
            max_body_mb: 200,
            last_device: None,
            last_method: None,
            last_url: None,
        }
    }
}

impl Settings {
    /// The in-memory limit for response bodies, in bytes.
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_mb.max(1).saturating_mul(1 << 20)
    }
}

pub const STORAGE_KEY: &str = "apx-settings";
