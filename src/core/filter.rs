//! jq filters on response bodies, run by the `jaq` crates, with bounded
//! output: at most [`MAX_RESULTS`] results and [`MAX_OUTPUT_BYTES`] of JSON
//! text, checked between results, with a cancel flag for the caller.
//! Values are not `Send` (jaq shares them by `Rc`): a filter is compiled
//! and run on the thread that asks, which needs a stack of [`STACK_SIZE`].
//! A filter that recurses without end overflows any stack, and Rust aborts
//! the process then: the app and the CLI run filters in a child process
//! (`engine::filter_process`), which is the one that runs this.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;

/// The most results one filter may yield (`repeat(.)`, `range(1e9)`).
pub const MAX_RESULTS: usize = 10_000;
/// The most JSON text the results may take together.
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;
/// The deepest nesting of a result that is written out.
const MAX_DEPTH: usize = 256;
/// The longest expression compiled: jaq parses, compiles and runs by
/// recursion, so the length bounds the stack a filter needs.
pub const MAX_EXPR_CHARS: usize = 2000;
/// The stack a filter thread needs for any expression within
/// [`MAX_EXPR_CHARS`] (a thread's default 2 MiB holds about 200 levels).
pub const STACK_SIZE: usize = 64 << 20;

type Compiled = jaq_core::Filter<data::JustLut<Val>>;

/// An expression that does not compile: what is wrong and where.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    /// Character offset in the expression, when known.
    pub offset: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(at) => write!(f, "at character {}: {}", at + 1, self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a filter yielded on one body: each result as compact JSON text, and
/// the error that stopped it, if any (results before it are kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    pub results: Vec<String>,
    pub error: Option<String>,
}

/// A compiled filter.
pub struct Filter {
    compiled: Compiled,
}

impl Filter {
    /// Compiles a jq expression with jq's standard library (less `env`:
    /// a filter reads the body, not the environment).
    pub fn compile(code: &str) -> Result<Filter, CompileError> {
        if code.chars().count() > MAX_EXPR_CHARS {
            return Err(CompileError {
                offset: Some(MAX_EXPR_CHARS),
                message: format!("longer than {MAX_EXPR_CHARS} characters"),
            });
        }
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs().filter(|(name, _, _)| *name != "env"))
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errors| load_error(code, errors))?;
        let compiled = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let first = errors.into_iter().flat_map(|(_, e)| e).next();
                match first {
                    Some((name, undefined)) => CompileError {
                        offset: offset_in(code, name),
                        message: format!("undefined {} {name}", undefined.as_str()),
                    },
                    None => CompileError {
                        offset: None,
                        message: "does not compile".to_string(),
                    },
                }
            })?;
        Ok(Filter { compiled })
    }

    /// Runs the filter on a JSON body. Stops at the first error, at the
    /// output caps, or when `cancel` is set.
    pub fn run(&self, body: &[u8], cancel: &AtomicBool) -> Output {
        let mut output = Output::default();
        let input = match parse_body(body) {
            Ok(v) => v,
            Err(e) => {
                output.error = Some(e);
                return output;
            }
        };
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.compiled.lut, Vars::new([]));
        let mut bytes = 0;
        for item in self.compiled.id.run((ctx, input)) {
            if cancel.load(Ordering::Relaxed) {
                output.error = Some("cancelled".to_string());
                break;
            }
            let value = match item {
                Ok(v) => v,
                Err(exn) => {
                    // `halt` ends the filter quietly; an error stops it.
                    if let Ok(e) = exn.get_err() {
                        output.error = Some(e.to_string());
                    }
                    break;
                }
            };
            if output.results.len() == MAX_RESULTS {
                output.error = Some(format!(
                    "stopped after {MAX_RESULTS} results (more would not be shown)"
                ));
                break;
            }
            let mut text = String::new();
            if let Err(e) = write_json(&mut text, &value, 0, MAX_OUTPUT_BYTES - bytes) {
                output.error = Some(e);
                break;
            }
            bytes += text.len();
            output.results.push(text);
        }
        output
    }
}

/// Compiles and runs `code` on `body`; a compile error becomes the output's
/// error (the filter worker's one call, `engine::filter_process`).
pub fn apply(code: &str, body: &[u8], cancel: &AtomicBool) -> Output {
    match Filter::compile(code) {
        Ok(filter) => filter.run(body, cancel),
        Err(e) => Output {
            results: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

/// The body as a jaq value, read by serde_json: nested at most 128 levels
/// (jaq's own reader has no depth limit).
fn parse_body(body: &[u8]) -> Result<Val, String> {
    serde_json::from_slice::<Val>(body).map_err(|e| format!("the body is not JSON: {e}"))
}

/// The first load (lex or parse) error, worded.
fn load_error(code: &str, errors: jaq_core::load::Errors<&str, ()>) -> CompileError {
    use jaq_core::load::Error;
    let first = errors.into_iter().map(|(_, e)| e).next();
    let (found, expected) = match first {
        Some(Error::Lex(errs)) => match errs.into_iter().next() {
            Some((expect, found)) => (found, expect.as_str().to_string()),
            None => ("", String::new()),
        },
        Some(Error::Parse(errs)) => match errs.into_iter().next() {
            Some((expect, found)) => (found, expect.as_str().to_string()),
            None => ("", String::new()),
        },
        Some(Error::Io(errs)) => {
            let message = errs
                .into_iter()
                .next()
                .map_or_else(String::new, |(path, e)| {
                    format!("cannot import {path}: {e}")
                });
            return CompileError {
                offset: None,
                message,
            };
        }
        None => ("", String::new()),
    };
    let offset = offset_in(code, found);
    let got = match found.chars().next() {
        None => "the end".to_string(),
        Some(_) => format!("{:?}", found.chars().take(20).collect::<String>()),
    };
    CompileError {
        offset,
        message: format!("expected {expected}, found {got}"),
    }
}

/// Where `part` (a slice of `code`) starts, in characters.
fn offset_in(code: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(code.as_ptr() as usize)?;
    code.get(..start).map(|before| before.chars().count())
}

/// Writes `value` as compact JSON within `budget` bytes. Numbers jq cannot
/// write as JSON (NaN) become `null`, infinities the largest doubles (as
/// jq does); byte strings and invalid UTF-8 become text.
fn write_json(out: &mut String, value: &Val, depth: usize, budget: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("a result is nested deeper than {MAX_DEPTH} levels"));
    }
    match value {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) => {
            let text = n.to_string();
            out.push_str(match text.as_str() {
                "NaN" => "null",
                "Infinity" => "1.7976931348623157e308",
                "-Infinity" => "-1.7976931348623157e308",
                t => t,
            });
        }
        Val::TStr(b) | Val::BStr(b) => write_str(out, &String::from_utf8_lossy(b)),
        Val::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item, depth + 1, budget)?;
                check(out, budget)?;
            }
            out.push(']');
        }
        Val::Obj(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match key {
                    Val::TStr(b) | Val::BStr(b) => write_str(out, &String::from_utf8_lossy(b)),
                    other => {
                        let mut text = String::new();
                        write_json(&mut text, other, depth + 1, budget)?;
                        write_str(out, &text);
                    }
                }
                out.push(':');
                write_json(out, item, depth + 1, budget)?;
                check(out, budget)?;
            }
            out.push('}');
        }
    }
    check(out, budget)
}

fn write_str(out: &mut String, text: &str) {
    // A string always serializes.
    let _ = write!(out, "{}", serde_json::Value::from(text));
}

fn check(out: &str, budget: usize) -> Result<(), String> {
    if out.len() > budget {
        Err(format!(
            "the results pass {} MiB (more would not be shown)",
            MAX_OUTPUT_BYTES >> 20
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: &str, body: &str) -> Output {
        Filter::compile(code)
            .unwrap()
            .run(body.as_bytes(), &AtomicBool::new(false))
    }

    #[test]
    fn results_are_compact_json_one_each() {
        let out = run(
            ".items[] | {id, n: .n}",
            r#"{"items":[{"id":"a","n":1.5},{"id":"b","n":2}]}"#,
        );
        assert_eq!(
            out.results,
            [r#"{"id":"a","n":1.5}"#, r#"{"id":"b","n":2}"#]
        );
        assert_eq!(out.error, None);
        let out = run("map(.) | length, (.[0] | ascii_upcase)", r#"["x\u001b"]"#);
        assert_eq!(out.results, ["1", r#""X\u001b""#]);
    }

    #[test]
    fn compile_errors_say_where() {
        let e = Filter::compile(".items[] |").err().unwrap();
        assert!(e.message.contains("expected"), "{e}");
        let e = Filter::compile("{a: 1").err().unwrap();
        assert!(
            e.message.contains("brace") || e.message.contains("expected"),
            "{e}"
        );
        let e = Filter::compile(".a | nosuch(1)").err().unwrap();
        assert_eq!(e.offset, Some(5));
        assert_eq!(e.message, "undefined filter nosuch");
        assert_eq!(e.to_string(), "at character 6: undefined filter nosuch");
        assert!(Filter::compile("env").is_err());
    }

    #[test]
    fn runtime_errors_keep_earlier_results() {
        let out = run(".[] | .a", r#"[{"a":1}, 3]"#);
        assert_eq!(out.results, ["1"]);
        assert!(out.error.unwrap().contains("cannot index"));
        let out = run("halt", "{}");
        assert_eq!(out, Output::default());
    }

    #[test]
    fn output_is_bounded() {
        let out = run("repeat(.)", "1");
        assert_eq!(out.results.len(), MAX_RESULTS);
        assert!(out.error.unwrap().contains("stopped after"));
        let out = run("range(1e9)", "null");
        assert_eq!(out.results.len(), MAX_RESULTS);
        let out = run("limit(3; repeat(.))", "1");
        assert_eq!(out.results, ["1", "1", "1"]);
        let out = run(r#"[limit(20; repeat("x" * 1000000))] | .[]"#, "null");
        assert!(out.results.len() < 20);
        assert!(out.error.unwrap().contains("MiB"));
        let out = run("reduce range(1000) as $i (null; [.])", "null");
        assert!(out.error.unwrap().contains("nested deeper"));
        let cancelled = Filter::compile("repeat(.)")
            .unwrap()
            .run(b"1", &AtomicBool::new(true));
        assert_eq!(cancelled.error.as_deref(), Some("cancelled"));
    }

    #[test]
    fn the_longest_expressions_fit_the_filter_stack() {
        let half = MAX_EXPR_CHARS / 2 - 1;
        let worst = [
            ".|".repeat(half) + ".",
            "1+".repeat(half) + "1",
            "(".repeat(half) + &")".repeat(half),
            "[".repeat(half) + &"]".repeat(half),
            "-".repeat(MAX_EXPR_CHARS - 1) + "1",
        ];
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || {
                for code in worst {
                    assert!(code.len() >= MAX_EXPR_CHARS - 2 && code.len() <= MAX_EXPR_CHARS);
                    if let Ok(f) = Filter::compile(&code) {
                        f.run(b"1", &AtomicBool::new(false));
                    }
                }
            })
            .unwrap()
            .join()
            .unwrap();
        let long = ".".repeat(MAX_EXPR_CHARS + 1);
        assert!(
            Filter::compile(&long)
                .err()
                .unwrap()
                .message
                .contains("longer")
        );
    }

    #[test]
    fn bodies_that_are_not_json_or_too_deep_are_errors() {
        assert!(run(".", "<html>").error.unwrap().contains("not JSON"));
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(run(".", &deep).error.unwrap().contains("not JSON"));
        assert_eq!(run("nan, infinite", "null").results[0], "null");
    }
}
