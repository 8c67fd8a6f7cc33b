//! Client-service credentials in the OS keyring, one entry per environment, shared by the app and
//! the CLI. The secret lives only there: never in a config file, a log or an answer to the UI.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Keyring service name of every entry; the user name is the environment id.
pub const KEYRING_SERVICE: &str = "pt.multicert.signstash.desk";

/// A client secret that does not print itself.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one place that sends it (the token request).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: Secret,
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
        let json = serde_json::to_string(credentials)
            .map_err(|e| CredentialsError::Damaged(e.to_string()))?;
        self.entry(environment)?
            .set_password(&json)
            .map_err(|e| CredentialsError::Unavailable(e.to_string()))
    }

    pub fn load(&self, environment: &str) -> Result<Option<Credentials>, CredentialsError> {
        match self.entry(environment)?.get_password() {
            Ok(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|_| CredentialsError::Damaged(environment.into())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(CredentialsError::Unavailable(e.to_string())),
        }
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
        let c = Credentials {
            client_id: "PRT.1-x".into(),
            client_secret: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    /// Runs against the real Secret Service (`make test` wraps cargo test in a D-Bus session with an
    /// unlocked gnome-keyring). Fails, rather than skipping, when there is none.
    #[test]
    fn round_trip_through_the_os_keyring() {
        let store = CredentialStore::with_service(format!("signstash-test-{}", std::process::id()));
        let credentials = Credentials {
            client_id: "PRT.123-abc".into(),
            client_secret: Secret::new("s3cr:et ção"),
        };
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
}
