//! apx: an API explorer for Cisco security appliances.
//!
//! Layers point inward: `core` (pure) ← `engine` (async I/O) ← `cli`;
//! `demo` holds the simulated appliances the CLI, GUI and tests serve.

pub mod cli;
pub mod core;
pub mod demo;
pub mod engine;
