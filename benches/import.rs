//! Importing many requests of one long name (whose file names differ only
//! past the 80-character slug, so they all compete for one file name):
//! `apx import postman` (the bulk import: each folder listed once, linear)
//! against saving the same requests one by one with `save_request` (which
//! probes `slug.json`, `slug-2.json`, … reading each file: quadratic), and
//! against importing them again into the folder that holds them.
//!
//! Run: `cargo bench --bench import`.

mod support;

use std::process::Command;
use std::time::Instant;

use apx::core::workspace::Workspace;
use apx::core::workspace::saved::SavedRequest;
use serde_json::json;
use support::{measure, median};

const RUNS: usize = 3;

fn name() -> String {
    format!("Get{}", " long-name".repeat(9))
}

fn request(name: String) -> SavedRequest {
    SavedRequest {
        name,
        description: None,
        device: None,
        platform: None,
        auth: None,
        method: "GET".into(),
        url: "https://10.0.0.1/api/x".into(),
        headers: Vec::new(),
        body: None,
    }
}

fn main() {
    println!(
        "import: N requests named {:?} into one folder, median of {RUNS} runs",
        name()
    );
    for count in [100, 1000, 5000] {
        let dir = tempfile::tempdir().expect("tempdir");
        let items: Vec<serde_json::Value> = (0..count)
            .map(|i| json!({"name": name(), "request": format!("https://10.0.0.1/api/{i}")}))
            .collect();
        let collection = json!({
            "info": {"name": "Many", "schema": apx::core::interop::POSTMAN_SCHEMA_V21},
            "item": items,
        });
        let file = dir.path().join("many.json");
        std::fs::write(&file, collection.to_string()).expect("collection");
        let mut first = Vec::new();
        let mut again = Vec::new();
        for run in 0..RUNS {
            let ws = dir.path().join(format!("ws{run}"));
            let mut import = Command::new(env!("CARGO_BIN_EXE_apx"));
            import
                .arg("--workspace")
                .arg(&ws)
                .arg("import")
                .arg("postman")
                .arg(&file);
            first.push(measure(&mut import).wall.as_secs_f64() * 1000.0);
            again.push(measure(&mut import).wall.as_secs_f64() * 1000.0);
        }
        println!(
            "{count:>5} requests: apx import postman {:.0} ms, again into the same folder {:.0} ms",
            median(first),
            median(again)
        );
        if count <= 1000 {
            let ws = Workspace::new(dir.path().join("one-by-one"));
            let started = Instant::now();
            for i in 1..=count {
                let name = match i {
                    1 => name(),
                    i => format!("{} ({i})", name()),
                };
                ws.save_request("Many", &request(name)).expect("save");
            }
            println!(
                "{count:>5} requests: save_request one by one {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}
