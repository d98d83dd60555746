//! Sending the active tab's request, and the searches and jq filters run
//! on its answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{ApxApp, view};
use crate::core::error::{Failure, Remedy};
use crate::core::platform::{AuthMode, catalog};
use crate::core::request::origin;
use crate::core::workspace::variables::prepare;
use crate::engine::kept::Keep;
use crate::engine::session::SecondFactor;
use crate::engine::session_choice::SessionChoice;
use crate::engine::{Job, JobRequest};
use crate::ui::inbox::Msg;
use crate::ui::tabs::{ResponseState, Running, TabId};

impl ApxApp {
    /// Sends the active tab's draft.
    pub fn send(&mut self) {
        self.send_with(SecondFactor::Unavailable);
    }

    /// Sends the active tab's request, with a two-factor passcode if given.
    pub(super) fn send_with(&mut self, second_factor: SecondFactor) {
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let tab = self.tabs.active();
        if crate::ui::request_panel::send_blocker(tab, &v).is_some() {
            return;
        }
        let job = self.build_job().map(|mut job| {
            job.session.second_factor = second_factor;
            job
        });
        let tab = self.tabs.active_mut();
        let job = match job {
            Ok(job) => job,
            Err(failure) => {
                tab.response = ResponseState {
                    input_error: Some(failure),
                    ..ResponseState::default()
                };
                return;
            }
        };
        let id = self.engine.run(job);
        let keep_tab = tab.response.tab;
        // The filter stays, to apply to the new answer.
        let filter = std::mem::take(&mut tab.response.filter);
        tab.response = ResponseState {
            device: tab.device.clone(),
            job: Some(id),
            running: Some(Running {
                job: id,
                started: Instant::now(),
                status: None,
                received: 0,
                total: None,
                page: None,
            }),
            tab: keep_tab,
            filter,
            ..ResponseState::default()
        };
        self.notice = None;
    }

    /// Opens the passphrase dialog for the active tab's device's client key.
    pub(super) fn ask_key_passphrase(&mut self) {
        let device = self.tabs.active().device.as_deref();
        if let Some(key) = device
            .and_then(|name| self.tree.find(name))
            .and_then(|d| d.reach.client_key.clone())
        {
            self.dialogs.key_passphrase =
                Some(super::super::key_passphrase_dialog::KeyPassphraseDialog::new(key));
        }
    }

    pub(super) fn build_job(&self) -> Result<Job, Failure> {
        let tab = self.tabs.active();
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let device = self.selected_device();
        let saved = tab.draft.to_saved(device.map(|d| d.name.as_str()));
        let prepared = prepare(&saved, device)?;
        let auth = v.auth(&tab.draft, tab.device.as_deref());
        let password = device.and_then(|d| self.passwords.get(&d.name).cloned());
        let keyring = device
            .filter(|d| !self.tree.transient.contains(&d.name))
            .map(|d| self.keyring_key(d, None));
        if auth != AuthMode::None && password.is_none() && keyring.is_none() {
            return Err(Failure::usage(
                "no password for this request",
                "Select a device and type its password in the Auth tab, or set Auth to None.",
            )
            .with_remedy(Remedy::EnterPassword));
        }
        let choice = SessionChoice {
            device,
            platform: Some(prepared.platform),
            auth: Some(auth),
            ..SessionChoice::default()
        };
        let url = prepared.url.clone();
        let mut request =
            JobRequest::from_prepared(tab.draft.name.clone(), prepared, self.settings.body_sink());
        request.all_pages = tab.draft.all_pages;
        let mut session = choice.spec(&request.request.url, self.settings.timeout(), password);
        session.reach.key_passphrase = (session.reach.client_identity.as_ref())
            .and_then(|identity| self.key_passphrases.get(&identity.key).cloned());
        Ok(Job {
            session,
            requests: vec![request],
            keyring,
            keep: self.settings.session_idle().map(|idle| Keep {
                // A request to no device shares its origin's session.
                key: device.map_or_else(|| origin(&url), |d| d.name.clone()),
                idle,
            }),
        })
    }

    /// Points the active tab at another device. An endpoint of the previous
    /// device's platform, as its catalog filled it in, means nothing to
    /// another platform: it starts from the new one's catalog instead. The
    /// user's own work stays; so does the response, labelled with the
    /// device it came from.
    pub fn select_device(&mut self, name: &str) {
        let before = self.selected_device().map(|d| d.platform);
        let after = self.tree.find(name).map(|d| d.platform);
        let tab = self.tabs.active_mut();
        if tab.device.as_deref() == Some(name) {
            return;
        }
        tab.device = Some(name.to_string());
        tab.password_input.clear();
        tab.draft.platform = None;
        tab.draft.auth = None;
        let from_old_catalog = before.is_some_and(|p| {
            catalog::endpoints(p)
                .iter()
                .any(|e| tab.draft.is_untouched(e))
        });
        let empty = tab.draft.url.trim().is_empty() && tab.draft.saved_path.is_none();
        if before != after
            && (empty || from_old_catalog)
            && let Some(first) = after.and_then(|p| catalog::endpoints(p).first())
        {
            tab.draft.use_endpoint(first);
        }
    }

    pub(super) fn import_curl(&mut self, text: &str) {
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        match crate::ui::curl::import(text, &v) {
            Ok(imported) => {
                let tab = self.tabs.active_mut();
                tab.draft = imported.draft;
                if imported.device.is_some() || imported.editor.is_some() {
                    tab.device = imported.device.clone();
                }
                if let (Some(device), Some(password)) = (imported.device, imported.password) {
                    self.passwords.insert(device, password);
                }
                if imported.editor.is_some() {
                    self.dialogs.editor = imported.editor;
                }
                self.notice = Some(imported.notice);
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// Starts a search of the tab's shown text in the background (a newer
    /// one cancels it); its hits arrive in the inbox.
    pub(super) fn refresh_find(&mut self, tab: TabId) {
        self.find_generation += 1;
        let generation = self.find_generation;
        if let Some(previous) = self.find_cancel.take() {
            previous.store(true, Ordering::Relaxed);
        }
        let Some(t) = self.tabs.by_id(tab) else {
            return;
        };
        let r = &mut t.response;
        r.find_hits.clear();
        r.find_index = 0;
        r.find_pending = false;
        r.find_generation = generation;
        let Some(text) = r.shown_text().filter(|_| r.find_open) else {
            return;
        };
        if r.find.is_empty() {
            return;
        }
        let text = Arc::clone(text);
        let needle = r.find.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        r.find_pending = true;
        self.find_cancel = Some(cancel.clone());
        self.inbox.outbox().spawn(move || Msg::Found {
            tab,
            generation,
            hits: text.find(&needle, &cancel).unwrap_or_default(),
        });
    }

    /// Runs the tab's jq filter on its body in a worker process, from a
    /// worker thread (a newer run cancels it: the process is killed); the
    /// results arrive in the inbox.
    pub(super) fn refresh_filter(&mut self, tab: TabId) {
        self.filter_generation += 1;
        let generation = self.filter_generation;
        if let Some(previous) = self.filter_cancel.take() {
            previous.store(true, Ordering::Relaxed);
        }
        let Some(t) = self.tabs.by_id(tab) else {
            return;
        };
        let r = &mut t.response;
        r.filter_generation = generation;
        r.filter_pending = false;
        let code = r.filter.trim().to_string();
        let body = match r.result.as_ref().map(|res| &res.body) {
            Some(crate::engine::http::Body::Memory(bytes)) if !code.is_empty() => bytes.clone(),
            _ => {
                r.filtered = None;
                return;
            }
        };
        let cancel = Arc::new(AtomicBool::new(false));
        r.filter_pending = true;
        self.filter_cancel = Some(cancel.clone());
        self.inbox.outbox().spawn(move || {
            use crate::engine::filter_process::{TIME_LIMIT, apply};
            Msg::Filtered {
                tab,
                generation,
                filtered: crate::ui::body_text::Filtered::of(apply(
                    &code, &body, &cancel, TIME_LIMIT,
                )),
            }
        });
    }
}
