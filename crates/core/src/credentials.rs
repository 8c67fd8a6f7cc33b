//! Client-service credentials in the OS keyring, one entry per environment, shared by the app and
//! the CLI. The secret lives only there: never in a config file, a log or an answer to the UI.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::network::proxy::ProxyCredentials;
use crate::token::Credentials;

/// Keyring service name of every entry; the user name is the environment id.
pub const KEYRING_SERVICE: &str = "pt.multicert.signstash.desk";

/// What is stored in the keyring entry (the client id travels with its secret).
#[derive(Serialize, Deserialize)]
struct Stored {
    client_id: String,
    client_secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("the system keyring is not available ({0}); on Linux a Secret Service such as gnome-keyring must be running")]
    Unavailable(String),
    #[error("the saved credentials of environment '{0}' are damaged; save them again")]
    Damaged(String),
}

impl CredentialsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "credentials.keyring_unavailable",
            Self::Damaged(_) => "credentials.damaged",
        }
    }
}

/// Where credentials are kept: the platform's store, or a named one for tests.
#[derive(Clone, Debug)]
pub struct CredentialStore {
    service: String,
}

impl Default for CredentialStore {
    fn default() -> Self {
        Self {
            service: KEYRING_SERVICE.into(),
        }
    }
}

impl CredentialStore {
    /// A store under another service name, so tests never touch the user's real entries.
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, environment: &str) -> Result<keyring::Entry, CredentialsError> {
        keyring::Entry::new(&self.service, environment)
            .map_err(|e| CredentialsError::Unavailable(e.to_string()))
    }

    pub fn save(
        &self,
        environment: &str,
        credentials: &Credentials,
    ) -> Result<(), CredentialsError> {
        let stored = Stored {
            client_id: credentials.client_id.clone(),
            client_secret: credentials.secret.expose().to_string(),
        };
        let json = Zeroizing::new(
            serde_json::to_string(&stored).map_err(|e| CredentialsError::Damaged(e.to_string()))?,
        );
        // Wipe the plain copy of the secret rather than leave it in freed memory.
        drop(Zeroizing::new(stored.client_secret));
        self.entry(environment)?
            .set_password(&json)
            .map_err(|e| CredentialsError::Unavailable(e.to_string()))
    }

    pub fn load(&self, environment: &str) -> Result<Option<Credentials>, CredentialsError> {
        match self.entry(environment)?.get_password() {
            Ok(json) => {
                let json = Zeroizing::new(json);
                let stored: Stored = serde_json::from_str(&json)
                    .map_err(|_| CredentialsError::Damaged(environment.into()))?;
                let secret = Zeroizing::new(stored.client_secret);
                Ok(Some(Credentials::new(stored.client_id, secret.as_str())))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(CredentialsError::Unavailable(e.to_string())),
        }
    }

    /// The HTTP proxy's user and password live in their own keyring service (`<service>.proxy`), so
    /// no environment id can ever clash with them.
    fn proxy_store(&self) -> Self {
        Self::with_service(format!("{}.proxy", self.service))
    }

    pub fn save_proxy(&self, credentials: &ProxyCredentials) -> Result<(), CredentialsError> {
        self.proxy_store().save(
            "proxy",
            &Credentials::new(credentials.username.clone(), credentials.password.expose()),
        )
    }

    pub fn load_proxy(&self) -> Result<Option<ProxyCredentials>, CredentialsError> {
        Ok(self.proxy_store().load("proxy")?.map(|c| ProxyCredentials {
            username: c.client_id,
            password: c.secret,
        }))
    }

    pub fn delete_proxy(&self) -> Result<(), CredentialsError> {
        self.proxy_store().delete("proxy")
    }

    /// Deletes the entry; deleting what is not there is not an error.
    pub fn delete(&self, environment: &str) -> Result<(), CredentialsError> {
        match self.entry(environment)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(CredentialsError::Unavailable(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let c = Credentials::new("PRT.1-x", "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    /// Runs against the real Secret Service (`make test` wraps cargo test in a D-Bus session with an
    /// unlocked gnome-keyring). Fails, rather than skipping, when there is none.
    #[test]
    fn round_trip_through_the_os_keyring() {
        let store = CredentialStore::with_service(format!("signstash-test-{}", std::process::id()));
        let credentials = Credentials::new("PRT.123-abc", "s3cr:et ção");
        store
            .delete("staging")
            .expect("keyring reachable (run under scripts/with-keyring.sh)");
        assert_eq!(store.load("staging").expect("load"), None);
        store.save("staging", &credentials).expect("save");
        assert_eq!(
            store.load("staging").expect("load"),
            Some(credentials.clone())
        );
        // A second process would see it too: a fresh handle reads the same entry.
        let again = CredentialStore::with_service(store.service.clone());
        assert_eq!(again.load("staging").expect("load"), Some(credentials));
        assert_eq!(
            again.load("production").expect("load"),
            None,
            "environments never share credentials"
        );
        store.delete("staging").expect("delete");
        assert_eq!(store.load("staging").expect("load"), None);
    }

    #[test]
    fn proxy_credentials_round_trip_apart_from_environments() {
        let store =
            CredentialStore::with_service(format!("signstash-test-proxy-{}", std::process::id()));
        store.delete_proxy().expect("keyring reachable");
        assert_eq!(store.load_proxy().expect("load"), None);
        store
            .save_proxy(&ProxyCredentials::new("alice", "pr0xy pa55"))
            .expect("save");
        assert_eq!(
            store.load_proxy().expect("load"),
            Some(ProxyCredentials::new("alice", "pr0xy pa55"))
        );
        assert_eq!(
            store.load("proxy").expect("load"),
            None,
            "not readable as an environment named 'proxy'"
        );
        store.delete_proxy().expect("delete");
        assert_eq!(store.load_proxy().expect("load"), None);
    }
}
