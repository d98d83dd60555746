//! `apx diff A B [--ignore PATH]...`: one line per difference between two
//! JSON files (`+ PATH VALUE`, `- PATH VALUE`, `~ PATH: OLD -> NEW`), or
//! `{"equal", "changes"}` with `--json`. Exit 0 equal, 1 different, 2 bad
//! input.

use std::path::Path;

use serde_json::{Value, json};

use super::args::DiffArgs;
use super::output::{Shown, print_json};
use super::{Context, report};
use crate::core::diff::{Change, Ignore, Op, compared, diff};
use crate::core::error::Failure;
use crate::core::workspace::files;

pub fn run(ctx: &Context, args: DiffArgs) -> u8 {
    let inputs = args
        .ignore
        .iter()
        .map(|p| {
            Ignore::parse(p).map_err(|e| {
                Failure::usage(e, "Give --ignore a JSON pointer such as /**/selfLink.")
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|ignore| Ok((ignore, load(&args.a)?, load(&args.b)?)));
    let (ignore, a, b) = match inputs {
        Ok(inputs) => inputs,
        Err(failure) => return report(ctx, &failure),
    };
    let changes = diff(&a, &b, &ignore);
    if ctx.json {
        print_json(&json!({"equal": changes.is_empty(), "changes": changes}));
    } else {
        let shown = Shown::stdout();
        for change in &changes {
            println!("{}", shown.line(&line(change)));
        }
        match changes.len() {
            0 => eprintln!("equal"),
            1 => eprintln!("1 difference"),
            n => eprintln!("{n} differences"),
        }
    }
    u8::from(!changes.is_empty())
}

/// One difference as a line of text, values as JSON.
fn line(change: &Change) -> String {
    let (op, path) = (change.op, &change.path);
    match op {
        Op::Add => format!("+ {path} {}", change.new),
        Op::Remove => format!("- {path} {}", change.old),
        Op::Change => format!("~ {path}: {} -> {}", change.old, change.new),
    }
}

/// A JSON file (read without following a link, at most
/// [`files::MAX_FILE`]), or the body of a `send --json` document.
fn load(path: &Path) -> Result<Value, Failure> {
    const HINT: &str = "Give two JSON files: response bodies, or `apx send --json` documents.";
    let bytes = files::read(path)
        .map_err(|mut failure| {
            failure.hint = HINT.to_string();
            failure
        })?
        .ok_or_else(|| Failure::usage(format!("{}: no such file", path.display()), HINT))?;
    let document: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("{}: not JSON: {e}", path.display()), HINT))?;
    Ok(compared(document))
}
