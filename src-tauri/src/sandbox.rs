//! The embedded Sign'Stash sandbox: the Sandbox (training) environment works offline, with no
//! credentials, from the first start. It listens on a free loopback port for the app's lifetime.

use std::path::PathBuf;

use signstash_sandbox::{RunningSandbox, SandboxConfig};

use crate::error::{AppError, Result};

/// A running embedded sandbox; dropping it stops the server.
pub struct EmbeddedSandbox {
    pub base_url: String,
    _server: RunningSandbox,
}

/// Starts the sandbox with its test CA kept in `data_dir` (created on first start, then reused).
pub fn start_embedded_sandbox(data_dir: PathBuf) -> Result<Option<EmbeddedSandbox>> {
    let config = SandboxConfig {
        data_dir,
        ..SandboxConfig::default()
    };
    let server = tauri::async_runtime::block_on(RunningSandbox::start(config))
        .map_err(|e| AppError::SandboxUnavailable(e.to_string()))?;
    let base_url = server.base_url();
    tracing::info!(%base_url, ca = %server.ca_cert_path().display(), "embedded sandbox started");
    Ok(Some(EmbeddedSandbox {
        base_url,
        _server: server,
    }))
}
