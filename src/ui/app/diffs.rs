//! The diff window: opening it on two responses, and comparing them again
//! on a worker whenever its ignore list changes.

use super::ApxApp;
use crate::ui::diff_view::{DiffSide, DiffView};
use crate::ui::inbox::Msg;

impl ApxApp {
    /// Opens the diff window on `left` against `right` (replacing one open).
    pub(super) fn open_diff(&mut self, [left, right]: [DiffSide; 2]) {
        self.dialogs.diff = Some(DiffView::new(left, right));
        self.refresh_diff();
    }

    /// Compares the diff window's responses off the UI thread.
    pub(super) fn refresh_diff(&mut self) {
        if let Some(job) = self.dialogs.diff.as_mut().and_then(DiffView::job) {
            self.inbox.outbox().spawn(move || Msg::Diffed(job.run()));
        }
    }
}
