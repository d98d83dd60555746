//! The command list: every command once, with its name and shortcut. It
//! drives the menus, the keyboard shortcuts and the command palette.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::actions::{Action, View};
use super::settings::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Send,
    Cancel,
    SaveRequest,
    Find,
    FocusUrl,
    NewTab,
    CloseTab,
    NextTab,
    PreviousTab,
    Palette,
    CopyCurl,
    NewRequest,
    NewFolder,
    /// Renames the saved-requests tree's selected node.
    RenameSelected,
    /// Deletes the saved-requests tree's selected node (after a confirmation).
    DeleteSelected,
    NewDevice,
    OpenWorkspace,
    ExportCollection,
    ImportPostman,
    ReloadWorkspace,
    Theme(Theme),
    Quit,
}

const fn key(modifiers: Modifiers, key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(modifiers, key))
}

const SHIFT_COMMAND: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};

impl Command {
    /// Every command, in palette order.
    pub const ALL: [Command; 24] = [
        Command::Send,
        Command::Cancel,
        Command::SaveRequest,
        Command::Find,
        Command::FocusUrl,
        Command::NewTab,
        Command::CloseTab,
        Command::NextTab,
        Command::PreviousTab,
        Command::Palette,
        Command::CopyCurl,
        Command::NewRequest,
        Command::NewFolder,
        Command::RenameSelected,
        Command::DeleteSelected,
        Command::NewDevice,
        Command::OpenWorkspace,
        Command::ExportCollection,
        Command::ImportPostman,
        Command::ReloadWorkspace,
        Command::Theme(Theme::System),
        Command::Theme(Theme::Dark),
        Command::Theme(Theme::Light),
        Command::Quit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Command::Send => "Send request",
            Command::Cancel => "Cancel request",
            Command::SaveRequest => "Save request…",
            Command::Find => "Find in response",
            Command::FocusUrl => "Go to URL field",
            Command::NewTab => "New tab",
            Command::CloseTab => "Close tab",
            Command::NextTab => "Next tab",
            Command::PreviousTab => "Previous tab",
            Command::Palette => "Command palette…",
            Command::CopyCurl => "Copy as curl",
            Command::NewRequest => "New request...",
            Command::NewFolder => "New folder...",
            Command::RenameSelected => "Rename saved request or folder...",
            Command::DeleteSelected => "Delete saved request or folder...",
            Command::NewDevice => "New device…",
            Command::OpenWorkspace => "Open workspace...",
            Command::ExportCollection => "Export collection...",
            Command::ImportPostman => "Import Postman collection…",
            Command::ReloadWorkspace => "Reload workspace",
            Command::Theme(Theme::System) => "Theme: follow system",
            Command::Theme(Theme::Dark) => "Theme: dark",
            Command::Theme(Theme::Light) => "Theme: light",
            Command::Quit => "Quit",
        }
    }

    /// The main shortcut (Ctrl on Linux and Windows, Cmd on macOS).
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        match self {
            Command::Send => key(Modifiers::COMMAND, Key::Enter),
            Command::Cancel => key(Modifiers::NONE, Key::Escape),
            Command::SaveRequest => key(Modifiers::COMMAND, Key::S),
            Command::Find => key(Modifiers::COMMAND, Key::F),
            Command::FocusUrl => key(Modifiers::COMMAND, Key::L),
            Command::NewTab => key(Modifiers::COMMAND, Key::T),
            Command::CloseTab => key(Modifiers::COMMAND, Key::W),
            Command::NextTab => key(Modifiers::CTRL, Key::Tab),
            Command::PreviousTab => key(
                Modifiers {
                    shift: true,
                    ..Modifiers::CTRL
                },
                Key::Tab,
            ),
            Command::Palette => key(Modifiers::COMMAND, Key::K),
            Command::Quit => key(Modifiers::COMMAND, Key::Q),
            Command::NewRequest => key(Modifiers::COMMAND, Key::N),
            Command::RenameSelected => key(Modifiers::NONE, Key::F2),
            Command::DeleteSelected => key(Modifiers::NONE, Key::Delete),
            _ => None,
        }
    }

    /// Other shortcuts for the same command.
    fn alternatives(self) -> &'static [KeyboardShortcut] {
        const PALETTE: [KeyboardShortcut; 1] = [KeyboardShortcut::new(SHIFT_COMMAND, Key::P)];
        match self {
            Command::Palette => &PALETTE,
            _ => &[],
        }
    }

    /// The commands whose shortcut was pressed this frame (consumed, so that
    /// no focused widget sees them: Ctrl+Enter sends from anywhere). Esc is
    /// Cancel only while a request runs (else it closes dialogs); F2 and Del
    /// act on the tree only while no text field has the keyboard.
    pub fn pressed(ctx: &egui::Context, running: bool) -> Vec<Command> {
        let mut pressed = Vec::new();
        let typing = ctx.text_edit_focused();
        // Longer modifier sets first: Ctrl+Shift+Tab is not Ctrl+Tab.
        let mut all: Vec<(Command, KeyboardShortcut)> = Command::ALL
            .iter()
            .filter(|c| running || **c != Command::Cancel)
            .filter(|c| !typing || !matches!(c, Command::RenameSelected | Command::DeleteSelected))
            .flat_map(|c| {
                c.shortcut()
                    .into_iter()
                    .chain(c.alternatives().iter().copied())
                    .map(move |s| (*c, s))
            })
            .collect();
        all.sort_by_key(|(_, s)| std::cmp::Reverse(modifier_count(s.modifiers)));
        ctx.input_mut(|i| {
            for (command, shortcut) in all {
                if i.consume_shortcut(&shortcut) && !pressed.contains(&command) {
                    pressed.push(command);
                }
            }
        });
        pressed
    }

    /// A menu entry showing the shortcut; clicking runs the command.
    pub fn menu_item(self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let mut button = egui::Button::new(self.name());
        if let Some(s) = self.shortcut() {
            button = button.shortcut_text(ui.ctx().format_shortcut(&s));
        }
        if ui.add(button).clicked() {
            actions.push(Action::Run(self));
            ui.close();
        }
    }
}

fn modifier_count(m: Modifiers) -> u8 {
    u8::from(m.shift) + u8::from(m.alt) + u8::from(m.ctrl || m.command || m.mac_cmd)
}

/// The command palette: a search field over every command and device.
#[derive(Default)]
pub struct Palette {
    pub query: String,
    pub selected: usize,
    focused: bool,
}

/// A palette entry: its text and what choosing it does.
struct Entry {
    text: String,
    shortcut: Option<KeyboardShortcut>,
    action: fn(&str) -> Action,
    arg: String,
}

fn entries(view: &View) -> Vec<Entry> {
    let mut list: Vec<Entry> = Command::ALL
        .iter()
        .filter(|c| **c != Command::Palette)
        .map(|c| Entry {
            text: c.name().to_string(),
            shortcut: c.shortcut(),
            action: |arg| {
                let c = Command::ALL
                    .iter()
                    .find(|c| c.name() == arg)
                    .copied()
                    .unwrap_or(Command::Palette);
                Action::Run(c)
            },
            arg: c.name().to_string(),
        })
        .collect();
    list.extend(view.devices.iter().map(|d| Entry {
        text: format!("Switch device: {}", d.name),
        shortcut: None,
        action: |arg| Action::SelectDevice(arg.to_string()),
        arg: d.name.clone(),
    }));
    list
}

/// How well `query` matches `text` as a subsequence (case-insensitive):
/// None when it does not; higher for consecutive letters and word starts.
pub fn fuzzy_score(query: &str, text: &str) -> Option<i32> {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let mut score = 0;
    let mut at = 0;
    let mut previous: Option<usize> = None;
    for q in query.to_lowercase().chars().filter(|c| !c.is_whitespace()) {
        let found = (at..text.len()).find(|&i| text[i] == q)?;
        score += 1;
        if previous == Some(found.wrapping_sub(1)) {
            score += 5;
        }
        if found == 0 || !text[found - 1].is_alphanumeric() {
            score += 3;
        }
        score -= (found - at) as i32 / 4;
        previous = Some(found);
        at = found + 1;
    }
    Some(score)
}

impl Palette {
    /// Draws the palette; returns what was chosen (and whether to close).
    pub fn ui(&mut self, ctx: &egui::Context, view: &View) -> (Option<Action>, bool) {
        let mut matches: Vec<(i32, Entry)> = entries(view)
            .into_iter()
            .filter_map(|e| fuzzy_score(&self.query, &e.text).map(|s| (s, e)))
            .collect();
        matches.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
        let mut chosen = None;
        let mut close = false;
        let (up, down, enter) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::Enter),
            )
        });
        if down {
            self.selected = (self.selected + 1).min(matches.len().saturating_sub(1));
        }
        if up {
            self.selected = self.selected.saturating_sub(1);
        }
        let modal = egui::Modal::new(egui::Id::unique("command-palette")).show(ctx, |ui| {
            ui.set_width(460.0);
            let l = ui.label("Command");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut self.query)
                        .hint_text("Type a command or a device name")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
            if !self.focused {
                field.request_focus();
                self.focused = true;
            }
            if field.changed() {
                self.selected = 0;
            }
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for (i, (_, entry)) in matches.iter().enumerate() {
                        let mut button =
                            egui::Button::selectable(i == self.selected, entry.text.as_str());
                        if let Some(s) = entry.shortcut {
                            button = button.shortcut_text(ctx.format_shortcut(&s));
                        }
                        if ui.add(button).clicked() {
                            chosen = Some((entry.action)(&entry.arg));
                        }
                    }
                    if matches.is_empty() {
                        ui.weak("No command matches.");
                    }
                });
        });
        if enter && let Some((_, entry)) = matches.get(self.selected) {
            chosen = Some((entry.action)(&entry.arg));
        }
        if modal.should_close() || chosen.is_some() {
            close = true;
        }
        (chosen, close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matching_prefers_word_starts_and_runs() {
        assert!(fuzzy_score("nt", "New tab").is_some());
        assert!(fuzzy_score("xyz", "New tab").is_none());
        let send = fuzzy_score("send", "Send request").unwrap();
        let scattered = fuzzy_score("send", "Switch device: edge-fwd").unwrap_or(i32::MIN);
        assert!(send > scattered);
    }

    #[test]
    fn every_shortcut_is_unique() {
        let mut seen = Vec::new();
        for c in Command::ALL {
            for s in c
                .shortcut()
                .into_iter()
                .chain(c.alternatives().iter().copied())
            {
                assert!(!seen.contains(&s), "{} reuses a shortcut", c.name());
                seen.push(s);
            }
        }
    }
}
