//! The catalog browser: a window listing the catalog of the active tab's
//! device (built-ins and imported operations), searched by words in any
//! order and grouped by tag. Picking an operation returns an action; the
//! request builder then shows its parameters as a form
//! ([`OperationForm`]) and its description.

use std::sync::Arc;

use super::actions::Action;
use crate::core::catalog::Catalog;
use crate::core::error::Failure;
use crate::core::openapi::Operation;
use crate::core::workspace::catalogs::CatalogKey;
use crate::engine::spec_fetch::Stored;

/// One line of the list: a tag's heading or an operation.
enum Row {
    Tag(String),
    Operation(usize),
}

/// A fetch of a device's spec: its job, and where its catalog goes (as
/// they were when it started: the window may show another by its end).
pub struct Fetch {
    pub job: crate::engine::JobId,
    pub device: String,
    pub platform: crate::core::platform::Platform,
    pub key: CatalogKey,
    /// The software version the device told, when it was asked first.
    pub version: Option<String>,
}

/// The browser window's state.
#[derive(Default)]
pub struct CatalogBrowser {
    pub open: bool,
    /// Whose catalog is shown (a load for another is ignored).
    key: Option<CatalogKey>,
    catalog: Arc<Catalog>,
    query: String,
    /// The rows for `query`, recomputed only when it changes.
    rows: Vec<Row>,
    /// The catalog's imports could not be read.
    problem: Option<String>,
    /// The search field takes the focus on the next frame.
    focus: bool,
    /// The device whose own spec can be fetched (FMC, FDM), if any.
    pub fetch_from: Option<String>,
    /// The fetch under way.
    pub fetching: Option<Fetch>,
    /// What the last fetch did, for people.
    fetched: Option<Result<String, String>>,
}

impl CatalogBrowser {
    /// Opens on `catalog` (the built-ins, until the workspace's arrive).
    pub fn show(&mut self, key: CatalogKey, catalog: Catalog) {
        self.open = true;
        self.focus = true;
        self.key = Some(key);
        self.problem = None;
        self.fetched = None;
        self.set(catalog);
    }

    /// The catalog read from the workspace for `key`.
    pub fn loaded(&mut self, key: &CatalogKey, outcome: Result<Catalog, Failure>) {
        if self.key.as_ref() != Some(key) {
            return;
        }
        match outcome {
            Ok(catalog) => self.set(catalog),
            Err(failure) => self.problem = Some(failure.message),
        }
    }

    /// Whose catalog is shown.
    pub fn key(&self) -> Option<&CatalogKey> {
        self.key.as_ref()
    }

    /// A fetch of the device's spec ended: its catalog, or why not.
    pub fn fetched(&mut self, key: &CatalogKey, outcome: Result<(Stored, Catalog), Failure>) {
        self.fetching = None;
        if self.key.as_ref() != Some(key) {
            return;
        }
        self.fetched = Some(match outcome {
            Ok((stored, catalog)) => {
                self.set(catalog);
                Ok(format!(
                    "{} operations of version {} fetched and stored in the workspace",
                    stored.operations, stored.version
                ))
            }
            Err(failure) => Err(format!("{} {}", failure.message, failure.hint)),
        });
    }

    fn set(&mut self, catalog: Catalog) {
        self.catalog = Arc::new(catalog);
        self.search();
    }

    /// The rows of the operations matching the query, grouped by tag in
    /// the order tags first appear.
    fn search(&mut self) {
        let hits = self.catalog.search(&self.query);
        let ops = self.catalog.operations();
        let mut tags: Vec<(&str, Vec<usize>)> = Vec::new();
        for i in hits {
            let tag = ops[i].tag.as_str();
            match tags.iter_mut().find(|(t, _)| *t == tag) {
                Some((_, list)) => list.push(i),
                None => tags.push((tag, vec![i])),
            }
        }
        self.rows = tags
            .into_iter()
            .flat_map(|(tag, list)| {
                let heading = (!tag.is_empty()).then(|| Row::Tag(tag.to_string()));
                heading
                    .into_iter()
                    .chain(list.into_iter().map(Row::Operation))
            })
            .collect();
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut open = self.open;
        egui::Window::new("API catalog")
            .open(&mut open)
            .default_size([640.0, 480.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let label = ui.label("Search");
                    let field = ui
                        .add(
                            egui::TextEdit::singleline(&mut self.query)
                                .hint_text("words of the path, summary, tag or operationId")
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    if field.changed() {
                        self.search();
                    }
                    if std::mem::take(&mut self.focus) {
                        field.request_focus();
                    }
                });
                let count = self
                    .rows
                    .iter()
                    .filter(|r| matches!(r, Row::Operation(_)))
                    .count();
                ui.weak(format!("{count} of {} operations", self.catalog.len()));
                if let Some(problem) = &self.problem {
                    ui.colored_label(ui.visuals().warn_fg_color, problem);
                }
                if let Some(device) = &self.fetch_from {
                    ui.horizontal(|ui| {
                        let idle = self.fetching.is_none();
                        let fetch = ui
                            .add_enabled(idle, egui::Button::new(format!("Fetch the spec {device} serves")))
                            .on_hover_text(
                                "Reads the appliance's own OpenAPI spec through its session and trust, and keeps its operations in the workspace",
                            );
                        if fetch.clicked() {
                            actions.push(Action::FetchCatalog);
                        }
                        if !idle {
                            ui.spinner();
                        }
                        match &self.fetched {
                            Some(Ok(done)) => {
                                ui.weak(done);
                            }
                            Some(Err(why)) => {
                                ui.colored_label(ui.visuals().error_fg_color, why);
                            }
                            None => {}
                        }
                    });
                }
                ui.separator();
                let height = ui.spacing().interact_size.y;
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show_rows(ui, height, self.rows.len(), |ui, range| {
                        for row in &self.rows[range] {
                            match row {
                                Row::Tag(tag) => {
                                    ui.strong(tag);
                                }
                                Row::Operation(i) => {
                                    let op = &self.catalog.operations()[*i];
                                    if operation_row(ui, op) {
                                        actions.push(Action::UseOperation(Box::new(op.clone())));
                                    }
                                }
                            }
                        }
                    });
            });
        let picked = actions.iter().any(|a| matches!(a, Action::UseOperation(_)));
        self.open = open && !picked;
        actions
    }
}

/// One operation's line; whether it was picked.
fn operation_row(ui: &mut egui::Ui, op: &Operation) -> bool {
    ui.horizontal(|ui| {
        let path = op.path.split('?').next().unwrap_or(&op.path);
        let picked = ui
            .button(format!("{} {path}", op.method))
            .on_hover_text(&op.description)
            .clicked();
        ui.weak(&op.summary);
        picked
    })
    .inner
}

/// The picked operation's path and query parameters, as the builder's form.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationForm {
    pub operation: Operation,
    /// A value per path or query parameter, in the operation's order.
    pub values: Vec<(usize, String)>,
}

impl OperationForm {
    pub fn new(operation: Operation) -> OperationForm {
        let values = operation
            .parameters
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.location.as_str(), "path" | "query"))
            .map(|(i, _)| (i, String::new()))
            .collect();
        OperationForm { operation, values }
    }

    /// Whether there is anything to show beside the builder.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.operation.description.is_empty()
    }

    /// The operation's path with the filled path parameters put in and the
    /// filled query parameters appended.
    pub fn url(&self) -> String {
        let mut path = self.operation.path.clone();
        let mut query = Vec::new();
        for (i, value) in &self.values {
            let p = &self.operation.parameters[*i];
            if value.is_empty() {
                continue;
            }
            let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            if p.location == "path" {
                // In a path a space is %20 (a literal + was encoded as %2B).
                path = path.replace(&format!("{{{}}}", p.name), &encoded.replace('+', "%20"));
            } else {
                let name: String =
                    url::form_urlencoded::byte_serialize(p.name.as_bytes()).collect();
                query.push(format!("{name}={encoded}"));
            }
        }
        if query.is_empty() {
            path
        } else {
            let join = if path.contains('?') { '&' } else { '?' };
            format!("{path}{join}{}", query.join("&"))
        }
    }

    /// The form; whether a value changed.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        let parameters = &self.operation.parameters;
        egui::Grid::new("operation-parameters")
            .num_columns(2)
            .show(ui, |ui| {
                for (i, value) in &mut self.values {
                    let p = &parameters[*i];
                    let mark = if p.required { " *" } else { "" };
                    let label = ui
                        .label(format!("{}{mark}", p.name))
                        .on_hover_text(format!("{} parameter", p.location));
                    if p.choices.is_empty() {
                        // FMC sessions put their domain into {domainUUID}.
                        let hint = if p.name == "domainUUID" {
                            "empty: the session's domain"
                        } else {
                            ""
                        };
                        let field = ui
                            .add(
                                egui::TextEdit::singleline(value)
                                    .hint_text(hint)
                                    .desired_width(220.0),
                            )
                            .labelled_by(label.id);
                        changed |= field.changed();
                    } else {
                        egui::ComboBox::from_id_salt(("parameter", *i))
                            .selected_text(value.as_str())
                            .width(220.0)
                            .show_ui(ui, |ui| {
                                changed |= ui
                                    .selectable_value(value, String::new(), "(none)")
                                    .changed();
                                for choice in &p.choices {
                                    changed |= ui
                                        .selectable_value(value, choice.clone(), choice)
                                        .changed();
                                }
                            })
                            .response
                            .labelled_by(label.id);
                    }
                    ui.end_row();
                }
            });
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::openapi::Parameter;

    #[test]
    fn the_form_fills_path_parameters_and_appends_the_query() {
        let param = |name: &str, location: &str| Parameter {
            name: name.into(),
            location: location.into(),
            required: location == "path",
            choices: Vec::new(),
        };
        let mut form = OperationForm::new(Operation {
            method: "GET".into(),
            path: "/d/{domainUUID}/networks/{objectId}".into(),
            summary: String::new(),
            tag: String::new(),
            operation_id: String::new(),
            parameters: vec![
                param("domainUUID", "path"),
                param("X-Token", "header"),
                param("objectId", "path"),
                param("filter", "query"),
            ],
            description: String::new(),
            body: None,
        });
        assert_eq!(form.values.len(), 3, "headers are no form field");
        assert_eq!(form.url(), "/d/{domainUUID}/networks/{objectId}");
        form.values[1].1 = "a b".into();
        form.values[2].1 = "name:x&y".into();
        assert_eq!(
            form.url(),
            "/d/{domainUUID}/networks/a%20b?filter=name%3Ax%26y"
        );
    }
}
