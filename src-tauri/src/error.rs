//! The one error type that crosses from Rust to the UI.
//!
//! The UI receives `{ code, message }`: `code` is stable and is what the UI branches on to show a
//! plain-language sentence in the user's language; `message` is technical detail for logs and the
//! "copy for support" line, never the main text shown to a person.

use serde::{Serialize, Serializer};
use ts_rs::TS;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the embedded sandbox could not start: {0}")]
    SandboxUnavailable(String),
    #[error(transparent)]
    Tauri(#[from] tauri::Error),
}

/// Stable machine codes. Adding a variant is fine; renaming one breaks the UI's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    SandboxUnavailable,
    Internal,
}

/// What a failed command returns to the UI (the shape of a rejected `invoke`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::SandboxUnavailable(_) => ErrorCode::SandboxUnavailable,
            AppError::Tauri(_) => ErrorCode::Internal,
        }
    }
}

impl From<&AppError> for CommandError {
    fn from(err: &AppError) -> Self {
        CommandError {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

// Manual impl so every variant, including wrapped foreign errors, serializes to `{code, message}`.
impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        // Whatever reaches the UI is also worth a line in the log, with the full detail.
        tracing::warn!(code = ?self.code(), error = %self, "command failed");
        CommandError::from(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_to_code_and_message() {
        let err = AppError::SandboxUnavailable("port 8443 in use".into());
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "sandbox_unavailable",
                "message": "the embedded sandbox could not start: port 8443 in use"
            })
        );
    }

    #[test]
    fn foreign_errors_are_internal() {
        let err = AppError::from(tauri::Error::UnknownPath);
        assert_eq!(err.code(), ErrorCode::Internal);
    }
}
