//! ===========================================================================================
//! PLACEHOLDER — to be wired to `crates/sandbox` (signstash-sandbox) by the lead engineer.
//! ===========================================================================================
//!
//! The app ships with an embedded Sign'Stash look-alike so that the Sandbox ("formação")
//! environment works offline, out of the box. That crate is being written in parallel, so this
//! module deliberately does not depend on it yet. To wire it:
//!   1. add `signstash-sandbox = { path = "../crates/sandbox" }` to src-tauri/Cargo.toml;
//!   2. start it here (bind 127.0.0.1 on a free port) and keep its handle in `EmbeddedSandbox`
//!      so dropping the handle at exit stops it;
//!   3. return `Some(EmbeddedSandbox { base_url, .. })`; `lib.rs` already passes `base_url` to
//!      the UI as `environment.apiBase`, and maps a start failure to `ErrorCode::SandboxUnavailable`.

use crate::error::Result;

/// A running embedded sandbox. Holds the server handle once wired.
#[derive(Debug)]
pub struct EmbeddedSandbox {
    pub base_url: String,
}

/// Starts the embedded sandbox. Placeholder: starts nothing and returns `None`.
pub fn start_embedded_sandbox() -> Result<Option<EmbeddedSandbox>> {
    tracing::info!("embedded sandbox not wired yet (placeholder); Sandbox has no API base");
    Ok(None)
}
