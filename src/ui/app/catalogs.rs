//! The API catalog window: the catalog read from the workspace, and the
//! spec a device serves fetched into it.

use super::{ApxApp, view};
use crate::core::catalog::Catalog;
use crate::core::platform::Platform;
use crate::core::workspace::catalogs::CatalogKey;
use crate::engine::Event;
use crate::engine::session_choice::SessionChoice;
use crate::engine::spec_fetch::{spec_job, spec_url, store_spec, version_of};
use crate::ui::catalog_browser::Fetch;
use crate::ui::inbox::Msg;

impl ApxApp {
    /// Opens the catalog browser on the built-ins of the active tab's
    /// platform at once, and reads the workspace's imports (the platform's,
    /// and a saved device's own) in the background.
    pub(super) fn open_catalog(&mut self) {
        let tab = self.tabs.active();
        let platform = tab
            .draft
            .platform
            .or_else(|| {
                tab.device
                    .as_deref()
                    .and_then(|d| self.tree.find(d))
                    .map(|d| d.platform)
            })
            .unwrap_or(Platform::Generic);
        let key = match &tab.device {
            Some(name) if tab.draft.platform.is_none() && !self.tree.transient.contains(name) => {
                CatalogKey::Device(name.clone())
            }
            _ => CatalogKey::Platform(platform),
        };
        self.catalog
            .show(key.clone(), Catalog::new(platform, Vec::new()));
        self.catalog.fetch_from = tab
            .device
            .clone()
            .filter(|_| tab.draft.platform.is_none() && platform.spec_path().is_some());
        let workspace = self.workspace.clone();
        self.inbox.outbox().spawn(move || Msg::CatalogLoaded {
            outcome: workspace.catalog(&key),
            key,
        });
    }

    /// Fetches the spec the device the window offers serves, in a session of
    /// its own; the catalog is stored off the UI thread when it arrives.
    pub(super) fn fetch_catalog(&mut self) {
        let v = view(
            &self.tree,
            &self.passwords,
            &self.workspace,
            self.settings.session_idle(),
        );
        let Some(device) = self
            .catalog
            .fetch_from
            .as_deref()
            .and_then(|name| self.tree.find(name))
            .cloned()
        else {
            return;
        };
        let url = match spec_url(&device) {
            Ok(url) => url,
            Err(failure) => {
                self.catalog.fetched(&self.catalog_key(), Err(failure));
                return;
            }
        };
        let choice = SessionChoice {
            device: Some(&device),
            ..SessionChoice::default()
        };
        let password = v.passwords.get(&device.name).cloned();
        let session = choice.spec(&url, self.settings.timeout(), password);
        let keyring =
            (!self.tree.transient.contains(&device.name)).then(|| self.keyring_key(&device, None));
        let job = self.engine.run(spec_job(&device, url, session, keyring));
        self.catalog.fetching = Some(Fetch {
            job,
            device: device.name,
            platform: device.platform,
            key: self.catalog_key(),
            version: None,
        });
    }

    /// The key of the catalog the window shows.
    fn catalog_key(&self) -> CatalogKey {
        self.catalog
            .key()
            .cloned()
            .unwrap_or(CatalogKey::Platform(Platform::Generic))
    }

    /// An event of the spec fetch: the device's version is kept, and the
    /// spec's answer is parsed and stored in the background. Whether the
    /// event was the fetch's.
    pub(super) fn catalog_event(&mut self, event: &Event) -> bool {
        let Some(fetch) = &mut self.catalog.fetching else {
            return false;
        };
        let id = fetch.job;
        match event {
            // The version, asked first where the platform tells it.
            Event::Finished { job, index, result }
                if *job == id && *index == 0 && fetch.platform.version_path().is_some() =>
            {
                fetch.version = version_of(fetch.platform, result);
                true
            }
            Event::Finished { job, result, .. } if *job == id => {
                let (device, key) = (fetch.device.clone(), fetch.key.clone());
                let version = fetch.version.clone();
                let workspace = self.workspace.clone();
                let result = (**result).clone();
                self.inbox.outbox().spawn(move || {
                    let outcome = store_spec(&workspace, &device, version, result)
                        .and_then(|stored| Ok((stored, workspace.catalog(&key)?)));
                    Msg::CatalogFetched { key, outcome }
                });
                true
            }
            Event::Finished { job, .. }
            | Event::Started { job, .. }
            | Event::Tls { job, .. }
            | Event::Head { job, .. }
            | Event::Progress { job, .. }
            | Event::Page { job, .. }
            | Event::Exchange { job, .. }
            | Event::JobDone { job } => *job == id,
            Event::Keyring { .. } | Event::Sessions(_) => false,
        }
    }
}
