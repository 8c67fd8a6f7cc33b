//! The one error type that crosses from Rust to the UI.
//!
//! The UI receives `{ code, message, detail }`: `code` is stable and is what the UI may branch on;
//! `message` is a plain-language sentence in the user's language where the core has one (else the
//! UI shows its own sentence for the code); `detail` is technical, for the "copy for support" line.

use serde::{Serialize, Serializer};
use signstash_core::credentials::CredentialsError;
use signstash_core::error::{Lang, SignStashError};
use signstash_core::journal::JournalError;
use signstash_core::network::bundle::BundleError;
use signstash_core::presets::PresetError;
use signstash_core::resume::ResumeError;
use signstash_core::settings::SettingsError;
use ts_rs::TS;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the embedded sandbox could not start: {0}")]
    SandboxUnavailable(String),
    #[error("no credentials saved for environment '{0}'")]
    NoCredentials(String),
    #[error("a batch is already being signed")]
    Busy,
    #[error("unknown environment '{0}'")]
    UnknownEnvironment(String),
    #[error("{0}")]
    Service(SignStashError, Lang),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    #[error("{0}")]
    Journal(JournalError, Lang),
    #[error("{0}")]
    Io(String),
    #[error("the watch folder needs an input, an output and a backup folder")]
    WatchNotConfigured,
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("the proxy user and password are both needed")]
    ProxyLoginIncomplete,
    #[error(transparent)]
    Tauri(#[from] tauri::Error),
    #[error("{0}")]
    Resume(ResumeError, Lang),
    #[error("{0}")]
    BadPath(crate::paths::PathError, Lang),
    #[error("{0}")]
    Presets(PresetError, Lang),
    /// Placement by preview: `preview.*` code and the detail.
    #[error("{1}")]
    Preview(&'static str, String, Lang),
}

/// What a failed command returns to the UI (the shape of a rejected `invoke`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: String,
    /// Plain words for the person, or empty when the UI has its own sentence for `code`.
    pub message: String,
    pub detail: String,
}

impl AppError {
    pub fn code(&self) -> String {
        match self {
            AppError::SandboxUnavailable(_) => "sandbox_unavailable".into(),
            AppError::NoCredentials(_) => "no_credentials".into(),
            AppError::Busy => "busy".into(),
            AppError::UnknownEnvironment(_) => "unknown_environment".into(),
            AppError::Service(e, _) => e.code().into(),
            AppError::Settings(e) => e.code().into(),
            AppError::Credentials(e) => e.code().into(),
            AppError::Journal(e, _) => e.code().into(),
            AppError::Io(_) => "io".into(),
            AppError::WatchNotConfigured => "watch.not_configured".into(),
            AppError::Bundle(e) => e.code().into(),
            AppError::ProxyLoginIncomplete => "proxy_login_incomplete".into(),
            AppError::Tauri(_) => "internal".into(),
            AppError::Resume(e, _) => e.code().into(),
            AppError::BadPath(e, _) => e.code().into(),
            AppError::Presets(e, _) => e.code().into(),
            AppError::Preview(code, _, _) => (*code).into(),
        }
    }

    fn plain_message(&self) -> String {
        match self {
            AppError::Service(e, lang) => e.message(*lang),
            AppError::Journal(e, lang) => e.message(*lang),
            AppError::Resume(e, lang) => e.message(*lang),
            AppError::BadPath(e, lang) => e.message(*lang),
            AppError::Presets(e, lang) => e.message(*lang),
            AppError::Preview(code, _, lang) => crate::commands::placement::message(code, *lang),
            _ => String::new(),
        }
    }

    fn detail(&self) -> String {
        match self {
            AppError::Service(e, _) => e.support_detail(),
            other => other.to_string(),
        }
    }
}

impl From<&AppError> for CommandError {
    fn from(err: &AppError) -> Self {
        CommandError {
            code: err.code(),
            message: err.plain_message(),
            detail: err.detail(),
        }
    }
}

// Manual impl so every variant, including wrapped foreign errors, serializes to the same shape.
impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        // Whatever reaches the UI is also worth a line in the log, with the full detail.
        tracing::warn!(code = %self.code(), error = %self, "command failed");
        CommandError::from(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_to_code_message_and_detail() {
        let err = AppError::SandboxUnavailable("port 8443 in use".into());
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "sandbox_unavailable",
                "message": "",
                "detail": "the embedded sandbox could not start: port 8443 in use"
            })
        );
    }

    #[test]
    fn service_errors_carry_the_core_plain_message_in_the_language() {
        let err = SignStashError::InvalidClient { status: 401 };
        let pt = CommandError::from(&AppError::Service(err, Lang::Pt));
        assert!(pt.code.starts_with("auth."), "{}", pt.code);
        assert!(!pt.message.is_empty());
        assert_ne!(pt.message, pt.detail);
    }

    #[test]
    fn foreign_errors_are_internal() {
        let err = AppError::from(tauri::Error::UnknownPath);
        assert_eq!(err.code(), "internal");
    }
}
