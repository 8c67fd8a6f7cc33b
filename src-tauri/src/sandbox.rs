//! The embedded Sign'Stash sandbox: the Sandbox (training) environment works offline, with no
//! credentials, from the first start. It listens on a loopback port for the app's lifetime: the
//! port of the last start when it is free, so that a batch interrupted on the Sandbox can still be
//! resumed after a restart (the journal records the service's address, port included).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use signstash_sandbox::{RunningSandbox, SandboxConfig};

use crate::error::{AppError, Result};

/// In the sandbox's data folder: the port it listened on last time.
const PORT_FILE: &str = "port";

/// A running embedded sandbox; dropping it stops the server.
pub struct EmbeddedSandbox {
    pub base_url: String,
    _server: RunningSandbox,
}

/// Starts the sandbox with its test CA kept in `data_dir` (created on first start, then reused).
pub fn start_embedded_sandbox(data_dir: PathBuf) -> Result<Option<EmbeddedSandbox>> {
    let last = last_port(&data_dir);
    let server = match last.map(|port| start(&data_dir, port)) {
        Some(Ok(server)) => server,
        Some(Err(e)) => {
            tracing::info!(error = %e, "the sandbox's last port is taken; using another");
            start(&data_dir, 0)?
        }
        None => start(&data_dir, 0)?,
    };
    let port = server.addr().port();
    if last != Some(port) {
        if let Err(e) = std::fs::write(data_dir.join(PORT_FILE), port.to_string()) {
            tracing::warn!(error = %e, "the sandbox's port could not be remembered");
        }
    }
    let base_url = server.base_url();
    tracing::info!(%base_url, ca = %server.ca_cert_path().display(), "embedded sandbox started");
    Ok(Some(EmbeddedSandbox {
        base_url,
        _server: server,
    }))
}

fn start(data_dir: &Path, port: u16) -> Result<RunningSandbox> {
    let config = SandboxConfig {
        data_dir: data_dir.to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], port)),
        ..SandboxConfig::default()
    };
    tauri::async_runtime::block_on(RunningSandbox::start(config))
        .map_err(|e| AppError::SandboxUnavailable(e.to_string()))
}

/// The remembered port; anything unreadable counts as none (a fresh port is then chosen).
fn last_port(data_dir: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(data_dir.join(PORT_FILE)).ok()?;
    text.trim().parse().ok().filter(|port| *port != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_listens_where_the_last_start_did_unless_that_port_is_taken() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = start_embedded_sandbox(dir.path().to_path_buf())
            .expect("started")
            .expect("sandbox");
        let url = first.base_url.clone();
        drop(first);

        let again = start_embedded_sandbox(dir.path().to_path_buf())
            .expect("restarted")
            .expect("sandbox");
        assert_eq!(again.base_url, url, "same port after a restart");

        // While it still runs, its port is taken: a second start must pick (and remember) another.
        let other = start_embedded_sandbox(dir.path().to_path_buf())
            .expect("started elsewhere")
            .expect("sandbox");
        assert_ne!(other.base_url, url);
        assert_eq!(
            last_port(dir.path()),
            Some(other._server.addr().port()),
            "the new port is remembered"
        );

        std::fs::write(dir.path().join(PORT_FILE), "not a port").expect("written");
        assert_eq!(last_port(dir.path()), None);
    }
}
