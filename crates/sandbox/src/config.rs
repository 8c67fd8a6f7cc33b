//! How a sandbox is set up: where it listens, who may log in, its limits and its starting faults.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::faults::Faults;

/// A client service allowed to obtain tokens (the `--client ID:SECRET` of the command line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCredentials {
    pub id: String,
    pub secret: String,
}

impl ClientCredentials {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// Parses `ID:SECRET`; the id may not contain `:` (as in HTTP Basic), the secret may.
    pub fn parse(text: &str) -> Option<Self> {
        let (id, secret) = text.split_once(':')?;
        (!id.is_empty() && !secret.is_empty()).then(|| Self::new(id, secret))
    }
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Address to bind; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Folder that keeps the generated test CA between runs.
    pub data_dir: PathBuf,
    pub clients: Vec<ClientCredentials>,
    /// `expires_in` of issued tokens, in seconds (the real service says 86399).
    pub token_lifetime_secs: u64,
    /// API requests allowed in flight at once; one more is answered 429.
    pub max_in_flight: usize,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Signed contents kept for the consult endpoints, in bytes; older operations lose theirs first.
    pub stored_content_budget: usize,
    /// Faults active from the start (they can be changed at run time through `POST /sandbox/faults`).
    pub faults: Faults,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: default_data_dir(),
            clients: vec![ClientCredentials::new("sandbox", "sandbox")],
            token_lifetime_secs: 86_399,
            max_in_flight: 8,
            max_body_bytes: 512 * 1024 * 1024,
            stored_content_budget: 256 * 1024 * 1024,
            faults: Faults::default(),
        }
    }
}

/// `$XDG_DATA_HOME/signstash/sandbox`, else `~/.local/share/signstash/sandbox`, else a temp folder.
pub fn default_data_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("signstash").join("sandbox")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_client_credentials() {
        assert_eq!(
            ClientCredentials::parse("a:b:c"),
            Some(ClientCredentials::new("a", "b:c"))
        );
        assert_eq!(ClientCredentials::parse("nocolon"), None);
        assert_eq!(ClientCredentials::parse(":secret"), None);
        assert_eq!(ClientCredentials::parse("id:"), None);
    }
}
