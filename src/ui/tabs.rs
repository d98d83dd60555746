//! Open requests, one per tab: each with its device, draft and the
//! response that answered it (a response never moves to another request).

use super::actions::Action;
use super::commands::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::body_text::{BodyText, Filtered, Rendered};
use super::draft::Draft;
use crate::core::error::Failure;
use crate::core::platform::{AuthMode, Platform};
use crate::engine::session::ExchangeRecord;
use crate::engine::tls::Handshake;
use crate::engine::{JobId, RequestResult};

pub type TabId = u64;

/// A request under way.
#[derive(Debug, Clone)]
pub struct Running {
    pub job: JobId,
    pub started: Instant,
    pub status: Option<u16>,
    pub received: u64,
    pub total: Option<u64>,
    /// All pages: the page being fetched, and how many there are when known.
    pub page: Option<(u32, Option<u64>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseTab {
    #[default]
    Body,
    Headers,
    Certificate,
    Timeline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestTab {
    Params,
    Headers,
    #[default]
    Auth,
    Body,
}

/// The response of one tab: what is running, what came back (from which
/// device), and how it is shown.
#[derive(Default)]
pub struct ResponseState {
    /// The device the request was sent to (what "trust" pins for).
    pub device: Option<String>,
    /// The job that answered (its rendering is matched by it).
    pub job: Option<JobId>,
    pub running: Option<Running>,
    pub result: Option<RequestResult>,
    /// An input error found before anything was sent.
    pub input_error: Option<Failure>,
    pub rendered: Option<Rendered>,
    pub timeline: Vec<ExchangeRecord>,
    pub handshake: Option<Handshake>,
    pub tab: ResponseTab,
    pub raw: bool,
    pub show_error_body: bool,
    pub find: String,
    pub find_open: bool,
    pub find_hits: Vec<usize>,
    pub find_index: usize,
    /// The search whose hits are awaited (a newer one supersedes it).
    pub find_generation: u64,
    pub find_pending: bool,
    /// The jq filter typed above the body, and its results on this body.
    pub filter: String,
    pub filtered: Option<Filtered>,
    /// The filter run whose results are awaited (a newer one supersedes it).
    pub filter_generation: u64,
    pub filter_pending: bool,
    /// A row to bring into view on the next frame.
    pub scroll_to: Option<usize>,
    /// Whether the body shown at the last frame was JSON with every row on
    /// screen highlighted.
    pub highlighted: bool,
    pub save_path: String,
    pub save_pending: bool,
}

impl ResponseState {
    /// The text the body view shows (and Find searches): the filter's
    /// results while a filter is typed, else the body, pretty or raw.
    pub fn shown_text(&self) -> Option<&std::sync::Arc<BodyText>> {
        match &self.filtered {
            Some(filtered) if !self.filter.trim().is_empty() => Some(&filtered.text),
            _ => self.rendered.as_ref().map(|r| r.text(self.raw)),
        }
    }
}

/// One open request.
pub struct Tab {
    pub id: TabId,
    pub device: Option<String>,
    pub draft: Draft,
    pub section: RequestTab,
    pub response: ResponseState,
    /// The Auth tab's password field (session only, never persisted).
    pub password_input: String,
    pub focus_url: bool,
    /// The Auth tab's password field takes the focus on the next frame.
    pub focus_password: bool,
    /// The catalog operation picked last: its parameter form and description.
    pub operation: Option<super::catalog_browser::OperationForm>,
    /// The request body editor's last highlighted text.
    pub(super) body_highlight: Option<(String, super::highlight::Look, egui::text::LayoutJob)>,
}

impl Tab {
    fn new(id: TabId, device: Option<String>, draft: Draft) -> Tab {
        Tab {
            id,
            device,
            draft,
            section: RequestTab::default(),
            response: ResponseState::default(),
            password_input: String::new(),
            focus_url: false,
            focus_password: false,
            operation: None,
            body_highlight: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.response.running.is_some()
    }

    /// The tab's title: the request's name, else its method and path.
    pub fn title(&self) -> String {
        let d = &self.draft;
        let text = if d.name.is_empty() {
            let path = d.url.split('?').next().unwrap_or_default();
            let path = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("new");
            format!("{} {path}", d.method)
        } else {
            d.name.clone()
        };
        match text.char_indices().nth(28) {
            Some((end, _)) => format!("{}…", &text[..end]),
            None => text,
        }
    }
}

/// The open tabs; there is always at least one.
pub struct Tabs {
    pub list: Vec<Tab>,
    pub active: usize,
    next_id: TabId,
}

impl Default for Tabs {
    fn default() -> Self {
        Tabs {
            list: vec![Tab::new(1, None, Draft::default())],
            active: 0,
            next_id: 2,
        }
    }
}

impl Tabs {
    pub fn active(&self) -> &Tab {
        &self.list[self.active.min(self.list.len() - 1)]
    }

    pub fn active_mut(&mut self) -> &mut Tab {
        let i = self.active.min(self.list.len() - 1);
        &mut self.list[i]
    }

    pub fn by_id(&mut self, id: TabId) -> Option<&mut Tab> {
        self.list.iter_mut().find(|t| t.id == id)
    }

    pub fn by_job(&mut self, job: JobId) -> Option<&mut Tab> {
        self.list
            .iter_mut()
            .find(|t| t.response.running.as_ref().is_some_and(|r| r.job == job))
    }

    /// Opens a tab after the active one and makes it active.
    pub fn open(&mut self, device: Option<String>, draft: Draft) -> &mut Tab {
        let tab = Tab::new(self.next_id, device, draft);
        self.next_id += 1;
        let at = (self.active + 1).min(self.list.len());
        self.list.insert(at, tab);
        self.active = at;
        &mut self.list[at]
    }

    /// Closes a tab (the last one is replaced by an empty one).
    pub fn close(&mut self, index: usize) -> Option<Tab> {
        if index >= self.list.len() {
            return None;
        }
        let closed = self.list.remove(index);
        if self.list.is_empty() {
            let device = closed.device.clone();
            self.open(device, Draft::default());
            self.active = 0;
        } else if self.active >= index && self.active > 0 {
            self.active -= 1;
        }
        Some(closed)
    }

    /// Cycles the active tab by `step`.
    pub fn cycle(&mut self, step: isize) {
        let n = self.list.len() as isize;
        self.active = ((self.active as isize + step).rem_euclid(n)) as usize;
    }

    /// The drafts to remember between runs: no secret (no header, no body,
    /// no URL with a password, no curl command).
    pub fn to_saved(&self) -> SavedTabs {
        let tabs = self
            .list
            .iter()
            .map(|t| SavedTab {
                device: t.device.clone(),
                name: t.draft.name.clone(),
                method: t.draft.method.clone(),
                url: Some(t.draft.url.clone())
                    .filter(|u| !u.trim_start().starts_with("curl "))
                    .filter(|u| url::Url::parse(u).map_or(true, |p| p.password().is_none()))
                    .unwrap_or_default(),
                platform: t.draft.platform,
                auth: t.draft.auth,
            })
            .collect();
        SavedTabs {
            tabs,
            active: self.active,
        }
    }

    /// Reopens remembered tabs.
    pub fn restore(saved: &SavedTabs) -> Tabs {
        let mut tabs = Tabs::default();
        if saved.tabs.is_empty() {
            return tabs;
        }
        tabs.list.clear();
        for s in &saved.tabs {
            let draft = Draft {
                name: s.name.clone(),
                method: s.method.clone(),
                url: s.url.clone(),
                platform: s.platform,
                auth: s.auth,
                ..Draft::default()
            };
            tabs.list
                .push(Tab::new(tabs.next_id, s.device.clone(), draft));
            tabs.next_id += 1;
        }
        tabs.active = saved.active.min(tabs.list.len() - 1);
        tabs
    }
}

/// A remembered tab: the draft's shape, never a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SavedTab {
    pub device: Option<String>,
    pub name: String,
    pub method: String,
    pub url: String,
    pub platform: Option<Platform>,
    pub auth: Option<AuthMode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SavedTabs {
    pub tabs: Vec<SavedTab>,
    pub active: usize,
}

/// The row of open tabs: click to switch, × to close, + for a new one.
pub(super) fn tab_strip(ui: &mut egui::Ui, tabs: &Tabs) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal_wrapped(|ui| {
        for (i, tab) in tabs.list.iter().enumerate() {
            let device = tab.device.as_deref().unwrap_or("no device");
            let title = format!("{} · {device}", tab.title());
            if ui.selectable_label(i == tabs.active, title).clicked() {
                actions.push(Action::SwitchTab(i));
            }
            if ui
                .small_button("×")
                .on_hover_text("Close tab (Ctrl+W)")
                .clicked()
            {
                actions.push(Action::CloseTab(i));
            }
        }
        if ui
            .small_button("+")
            .on_hover_text("New tab (Ctrl+T)")
            .clicked()
        {
            actions.push(Action::Run(Command::NewTab));
        }
    });
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_the_last_tab_leaves_an_empty_one() {
        let mut tabs = Tabs::default();
        tabs.open(Some("fw".into()), Draft::default());
        assert_eq!((tabs.list.len(), tabs.active), (2, 1));
        tabs.close(0);
        assert_eq!(tabs.active, 0);
        tabs.close(0);
        assert_eq!(tabs.list.len(), 1);
        assert_eq!(tabs.active().device.as_deref(), Some("fw"));
    }

    #[test]
    fn remembered_tabs_keep_no_secret() {
        let mut tabs = Tabs::default();
        tabs.active_mut().draft.url = "https://u:pw@h/x".into();
        tabs.active_mut().draft.body = "{\"password\":\"pw\"}".into();
        let saved = serde_json::to_string(&tabs.to_saved()).unwrap();
        assert!(!saved.contains("pw"), "{saved}");
    }
}
