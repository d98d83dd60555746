//! The pure core: request model, platform presets, error decoders, TLS
//! diagnostics, workspace storage. No tokio, no HTTP client, no UI.

pub mod catalog;
pub mod diff;
pub mod error;
pub mod fanout;
pub mod filter;
pub mod filter_wire;
pub mod history;
pub mod interop;
pub mod json_check;
pub mod openapi;
pub mod paging;
pub mod platform;
pub mod pretty_json;
pub mod reach;
pub mod request;
pub mod secret;
pub mod tls;
pub mod ui_thread;
pub mod workspace;
