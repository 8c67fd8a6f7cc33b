//! State managed by Tauri and shared by the commands.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use signstash_core::credentials::CredentialStore;
use signstash_core::error::Lang;
use signstash_core::journal::Journal;
use signstash_core::settings::Settings;
use signstash_core::token::TokenCache;
use tokio_util::sync::CancellationToken;

use crate::sandbox::EmbeddedSandbox;

pub struct AppState {
    pub version: String,
    pub settings_path: PathBuf,
    pub settings: Mutex<Settings>,
    pub credentials: CredentialStore,
    /// One cache for the app's life, keyed by (environment, client id): environments never share tokens.
    pub tokens: Arc<TokenCache>,
    /// Opened on first use, so a journal problem never stops the app from starting.
    pub journal: Mutex<Option<Arc<Journal>>>,
    /// The language the UI shows when none is saved (it follows the system's).
    pub ui_lang: Mutex<Option<Lang>>,
    /// Set while a batch runs; cancelling it stops what has not been sent yet.
    pub running: Mutex<Option<CancellationToken>>,
    /// Kept alive for the app's lifetime: dropping it stops the embedded sandbox.
    pub sandbox: Option<EmbeddedSandbox>,
    /// Kept alive so the log file writer flushes until the app exits.
    pub _log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// A poisoned lock only means another command panicked mid-update; the data is still usable.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// The language of messages: the saved choice, else the UI's (from the system), else Portuguese.
    pub fn lang(&self) -> Lang {
        lock(&self.settings)
            .lang()
            .or(*lock(&self.ui_lang))
            .unwrap_or(Lang::Pt)
    }

    pub fn sandbox_host(&self) -> Option<&str> {
        self.sandbox.as_ref().map(|s| s.base_url.as_str())
    }
}
