//! apx: an API explorer for Cisco security appliances.
//!
//! Layers point inward: `core` (pure) ← `engine` (async I/O) ← `cli` and `ui`;
//! `demo` holds the simulated appliances the CLI, GUI and tests serve.

// No panics on input or I/O paths: tests may unwrap, the product may not.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod core;
pub mod demo;
pub mod engine;
pub mod ui;
