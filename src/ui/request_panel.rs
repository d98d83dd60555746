//! The request builder of a tab: target, method, catalog, and the Params,
//! Headers, Auth and Body tabs. It edits its tab's draft and returns
//! actions for the rest (send, save, passwords, curl).

use super::actions::{Action, View};
use super::commands::Command;
use super::draft::METHODS;
use super::tabs::{RequestTab, Tab};
use super::widgets::platform_badge;
use crate::core::interop::looks_like_curl;
use crate::core::platform::{AuthMode, Platform};
use crate::core::request::Header;

pub fn ui(ui: &mut egui::Ui, tab: &mut Tab, view: &View) -> Vec<Action> {
    let mut actions = Vec::new();
    target_row(ui, tab, view, &mut actions);
    operation_form(ui, tab);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        for (section, label) in [
            (RequestTab::Params, "Params"),
            (RequestTab::Headers, "Headers"),
            (RequestTab::Auth, "Auth"),
            (RequestTab::Body, "Body"),
        ] {
            ui.selectable_value(&mut tab.section, section, label);
        }
    });
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_height(120.0);
        ui.set_width(ui.available_width());
        match tab.section {
            RequestTab::Params => params_tab(ui, tab),
            RequestTab::Headers => headers_tab(ui, tab, view),
            RequestTab::Auth => auth_tab(ui, tab, view, &mut actions),
            RequestTab::Body => body_tab(ui, tab, view),
        }
    });
    actions
}

/// Why Send is disabled, if it is.
pub fn send_blocker(tab: &Tab, view: &View) -> Option<String> {
    if tab.is_running() {
        return Some("a request is running".into());
    }
    if tab.draft.url.trim().is_empty() {
        return Some("enter a path or URL".into());
    }
    tab.draft
        .body_problem(view.platform(&tab.draft, tab.device.as_deref()))
        .map(|p| format!("the body is not valid JSON ({p})"))
}

fn target_row(ui: &mut egui::Ui, tab: &mut Tab, view: &View, actions: &mut Vec<Action>) {
    let device = view.device(tab.device.as_deref());
    let platform = view.platform(&tab.draft, tab.device.as_deref());
    ui.horizontal(|ui| {
        platform_badge(ui, platform);
        match device {
            Some(d) => ui.strong(&d.name).on_hover_text(&d.base_url),
            None => ui.weak("No device: use a full URL"),
        };
        egui::ComboBox::from_id_salt("platform")
            .selected_text(match tab.draft.platform {
                Some(p) => p.id().to_string(),
                None => format!("{} (device)", platform.id()),
            })
            .width(110.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut tab.draft.platform, None, "device's platform");
                for p in Platform::ALL {
                    ui.selectable_value(&mut tab.draft.platform, Some(p), p.label());
                }
            })
            .response
            .on_hover_text("Platform preset: headers, auth flow, error decoding");
        ui.checkbox(&mut tab.draft.all_pages, "All pages")
            .on_hover_text("GET every page of the collection (ASA rangeInfo, FMC and FDM paging) in one session and show their items as one body");
    });
    ui.horizontal(|ui| {
        let method_label = ui.label("Method");
        egui::ComboBox::from_id_salt("method")
            .selected_text(&tab.draft.method)
            .width(80.0)
            .show_ui(ui, |ui| {
                for m in METHODS {
                    ui.selectable_value(&mut tab.draft.method, m.to_string(), m);
                }
            })
            .response
            .labelled_by(method_label.id);
        let url_label = ui.label("URL");
        let buttons_width = 360.0;
        // A one-line field turns a pasted script's line breaks into
        // spaces: a curl command (an exported login, request and logout)
        // is taken from the paste as it was.
        let url_id = ui.make_persistent_id("url-field");
        let pasted_curl = ui.memory(|m| m.has_focus(url_id)).then(|| {
            ui.input_mut(|i| {
                let at = i
                    .events
                    .iter()
                    .position(|e| matches!(e, egui::Event::Paste(text) if looks_like_curl(text)))?;
                match i.events.remove(at) {
                    egui::Event::Paste(text) => Some(text),
                    _ => None,
                }
            })
        });
        if let Some(text) = pasted_curl.flatten() {
            actions.push(Action::ImportCurl(text));
        }
        let url = ui.add(
            egui::TextEdit::singleline(&mut tab.draft.url)
                .id(url_id)
                .hint_text(
                    "/api/objects/networkobjects, https://host/path, or paste a curl command",
                )
                .desired_width((ui.available_width() - buttons_width).max(150.0))
                .font(egui::TextStyle::Monospace),
        );
        let url = url.labelled_by(url_label.id);
        if url.changed() && looks_like_curl(&tab.draft.url) {
            actions.push(Action::ImportCurl(tab.draft.url.clone()));
        }
        if std::mem::take(&mut tab.focus_url) {
            url.request_focus();
        }
        if ui
            .button("Catalog")
            .on_hover_text(format!(
                "The {} API catalog: built-in and imported operations",
                platform.id()
            ))
            .clicked()
        {
            actions.push(Action::OpenCatalog);
        }
        let ctx = ui.ctx().clone();
        let shortcut = |c: Command| {
            c.shortcut()
                .map(|s| ctx.format_shortcut(&s))
                .unwrap_or_default()
        };
        if tab.is_running() {
            if ui
                .button("Cancel request")
                .on_hover_text(shortcut(Command::Cancel))
                .clicked()
            {
                actions.push(Action::Run(Command::Cancel));
            }
        } else {
            let blocker = send_blocker(tab, view);
            let send = ui.add_enabled(blocker.is_none(), egui::Button::new("Send"));
            let send = match &blocker {
                Some(why) => send.on_disabled_hover_text(why.as_str()),
                None => send.on_hover_text(shortcut(Command::Send)),
            };
            if send.clicked() {
                actions.push(Action::Run(Command::Send));
            }
        }
        if ui
            .button("Save…")
            .on_hover_text(shortcut(Command::SaveRequest))
            .clicked()
        {
            actions.push(Action::Run(Command::SaveRequest));
        }
        if ui.button("Copy as curl").clicked() {
            actions.push(Action::Run(Command::CopyCurl));
        }
    });
}

/// The picked catalog operation: its path and query parameters as a form
/// (editing it rewrites the URL) and its description beside it.
fn operation_form(ui: &mut egui::Ui, tab: &mut Tab) {
    let Some(form) = &mut tab.operation else {
        return;
    };
    let mut close = false;
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                ui.strong(format!("{} {}", form.operation.method, form.operation.path));
                close = ui
                    .small_button("Close")
                    .on_hover_text("Hide the operation's form")
                    .clicked();
            });
            if form.ui(ui) {
                tab.draft.url = form.url();
            }
        });
        if !form.operation.description.is_empty() {
            ui.separator();
            egui::ScrollArea::vertical()
                .id_salt("operation-description")
                .max_height(140.0)
                .show(ui, |ui| {
                    ui.add(egui::Label::new(&form.operation.description).wrap());
                });
        }
    });
    if close {
        tab.operation = None;
    }
}

fn params_tab(ui: &mut egui::Ui, tab: &mut Tab) {
    let mut params = tab.draft.params();
    let mut changed = false;
    let mut remove = None;
    egui::Grid::new("params")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.strong("Name");
            ui.strong("Value");
            ui.end_row();
            for (i, (k, v)) in params.iter_mut().enumerate() {
                changed |= ui
                    .add(egui::TextEdit::singleline(k).desired_width(180.0))
                    .changed();
                changed |= ui
                    .add(egui::TextEdit::singleline(v).desired_width(320.0))
                    .changed();
                if ui.small_button("x").on_hover_text("Remove").clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        params.remove(i);
        changed = true;
    }
    if ui.button("+ Add parameter").clicked() {
        params.push(("name".into(), String::new()));
        changed = true;
    }
    if changed {
        tab.draft.set_params(&params);
    }
    if params.is_empty() {
        ui.weak("Query parameters of the URL appear here. AsyncOS reports take startDate, endDate and device_type.");
    }
}

fn headers_tab(ui: &mut egui::Ui, tab: &mut Tab, view: &View) {
    let platform = view.platform(&tab.draft, tab.device.as_deref());
    let has_body = !tab.draft.body.trim().is_empty();
    let presets = platform.preset_headers(has_body);
    ui.label(format!("Sent by the {} preset:", platform.id()));
    for preset in &presets {
        let overridden = tab
            .draft
            .headers
            .iter()
            .any(|h| h.enabled && h.name.eq_ignore_ascii_case(&preset.name));
        let text = format!("{}: {}", preset.name, preset.value);
        if overridden {
            ui.weak(egui::RichText::new(text).strikethrough())
                .on_hover_text("Overridden below");
        } else {
            ui.monospace(text);
        }
    }
    if let Some(header) = platform.token_header() {
        ui.weak(format!(
            "{header}: (session token, added when Auth is Token)"
        ));
    }
    ui.separator();
    let mut remove = None;
    egui::Grid::new("headers")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for (i, h) in tab.draft.headers.iter_mut().enumerate() {
                ui.checkbox(&mut h.enabled, "")
                    .on_hover_text("Send this header");
                // No label beside each row's fields: name them for
                // screen readers (and tests) by their row.
                ui.add(
                    egui::TextEdit::singleline(&mut h.name)
                        .desired_width(180.0)
                        .hint_text("Name"),
                )
                .accessible_name(format!("Header name {}", i + 1));
                ui.add(
                    egui::TextEdit::singleline(&mut h.value)
                        .desired_width(320.0)
                        .hint_text("value"),
                )
                .accessible_name(format!("Header value {}", i + 1));
                if ui.small_button("x").on_hover_text("Remove").clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        tab.draft.headers.remove(i);
    }
    if ui.button("+ Add header").clicked() {
        tab.draft.headers.push(Header::new("", ""));
    }
}

fn auth_tab(ui: &mut egui::Ui, tab: &mut Tab, view: &View, actions: &mut Vec<Action>) {
    let platform = view.platform(&tab.draft, tab.device.as_deref());
    let current = view.auth(&tab.draft, tab.device.as_deref());
    ui.horizontal(|ui| {
        ui.label("Auth");
        for mode in AuthMode::ALL {
            let allowed = match mode {
                AuthMode::Token => platform.token_flow_name().is_some(),
                AuthMode::Basic => platform.supports_basic(),
                AuthMode::None => true,
            };
            let label = match mode {
                AuthMode::None => "None",
                AuthMode::Basic => "Basic",
                AuthMode::Token => "Token",
            };
            if ui
                .add_enabled(allowed, egui::RadioButton::new(current == mode, label))
                .clicked()
            {
                tab.draft.auth = Some(mode);
            }
        }
    });
    match current {
        AuthMode::Token => {
            if let Some(flow) = platform.token_flow_name() {
                ui.label(format!("Flow: {flow}. {}", session_end(platform)));
                ui.weak(match view.session_idle {
                    Some(idle) => format!(
                        "The session stays open between sends and ends after {} min without one, when the device is edited, or when apx exits (View > Keep sessions open).",
                        idle.as_secs() / 60
                    ),
                    None => "Every send logs in and ends its session (View > Keep sessions open).".into(),
                });
            }
        }
        AuthMode::Basic => {
            ui.label("Authorization: Basic on every request.");
        }
        AuthMode::None => {
            ui.label("No credentials are sent.");
        }
    }
    let Some(device) = view.device(tab.device.as_deref()) else {
        if current != AuthMode::None {
            ui.weak("Select a device to use its username and password.");
        }
        return;
    };
    ui.horizontal(|ui| {
        ui.label("User");
        ui.monospace(
            device
                .username
                .as_deref()
                .unwrap_or("(none: edit the device)"),
        );
    });
    let known = view.passwords.contains_key(&device.name);
    let source = if known {
        "typed for this session"
    } else if view.transient.contains(&device.name) {
        "none"
    } else {
        "OS keyring (looked up when sending)"
    };
    ui.horizontal(|ui| {
        let l = ui.label("Password");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut tab.password_input)
                    .password(true)
                    .hint_text(source)
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
        if std::mem::take(&mut tab.focus_password) {
            field.request_focus();
        }
        if field.changed() {
            let password = Some(tab.password_input.clone())
                .filter(|p| !p.is_empty())
                .map(crate::core::secret::Secret::new);
            actions.push(Action::SetPassword {
                device: device.name.clone(),
                password,
            });
        }
        if known && ui.small_button("Forget").clicked() {
            tab.password_input.clear();
            actions.push(Action::SetPassword {
                device: device.name.clone(),
                password: None,
            });
        }
    });
}

/// What happens to a token session once the requests are done.
fn session_end(platform: Platform) -> &'static str {
    match platform {
        Platform::Asa => {
            "apx logs in once, reuses the token, and logs out when the session ends (DELETE /api/tokenservices/…)."
        }
        Platform::Fxos => {
            "apx logs in once, reuses the token, and logs out when the session ends (POST /api/logout)."
        }
        Platform::Fmc => {
            "apx logs in once, fills {domainUUID} with the session's domain, refreshes the 30-minute token (at most 3 times, then logs in again), and revokes it when the session ends (POST .../auth/revokeaccess)."
        }
        Platform::Fdm => {
            "apx logs in once (OAuth password grant), refreshes the token when it expires or is refused, and revokes it when the session ends (grant_type revoke_token)."
        }
        Platform::Wsa | Platform::Sma | Platform::Esa => {
            "apx logs in once, reuses the token and adopts refreshed ones. AsyncOS has no logout: the token is dropped when the session ends and expires on the appliance after its session timeout."
        }
        Platform::Generic => "",
    }
}

fn body_tab(ui: &mut egui::Ui, tab: &mut Tab, view: &View) {
    let platform = view.platform(&tab.draft, tab.device.as_deref());
    let problem = tab.draft.body_problem(platform);
    ui.horizontal(|ui| {
        if ui
            .button("Format")
            .on_hover_text("Re-indent the JSON body")
            .clicked()
            && let Some(text) = crate::core::pretty_json::pretty(tab.draft.body.as_bytes())
        {
            tab.draft.body = text;
        }
        match &problem {
            Some(p) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Invalid JSON at {}:{}: {}", p.line, p.column, p.message),
                );
            }
            None if tab.draft.body.trim().is_empty() => {
                ui.weak("No body.");
            }
            None => {
                ui.weak("Valid.");
            }
        }
    });
    let look = super::highlight::Look::of(ui);
    let cache = &mut tab.body_highlight;
    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
        let text = text.as_str();
        let mut job = match cache {
            Some((t, l, job)) if t == text && *l == look => job.clone(),
            _ => match super::highlight::highlight_now(text, &look) {
                Some(job) => {
                    *cache = Some((text.to_owned(), look.clone(), job.clone()));
                    job
                }
                None => egui::text::LayoutJob::simple(
                    text.to_owned(),
                    look.font.clone(),
                    ui.visuals().text_color(),
                    wrap_width,
                ),
            },
        };
        job.wrap.max_width = wrap_width;
        ui.ctx().fonts_mut(|f| f.layout_job(job))
    };
    let label = ui.label("Request body");
    egui::ScrollArea::vertical()
        .max_height(220.0)
        .id_salt("body-editor")
        .show(ui, |ui| {
            ui.add(
                egui::TextEdit::multiline(&mut tab.draft.body)
                    .code_editor()
                    .desired_rows(8)
                    .desired_width(f32::INFINITY)
                    .layouter(&mut layouter),
            )
            .labelled_by(label.id);
        });
}
