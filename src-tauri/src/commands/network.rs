//! Office networks in the app: the proxy (one for the whole app; its user and password in the OS
//! keyring, never returned), an extra trusted CA per environment (chosen with a native dialog and
//! checked at once), the client options every connection is built with, "Diagnose" and "Export
//! diagnostics" (a zip for IT or support, written through a native save dialog).

use std::path::PathBuf;

use serde::Serialize;
use signstash_core::client::{ClientOptions, SignStashClient};
use signstash_core::network::bundle::{self, BundleSources};
use signstash_core::network::config::{ExtraCa, NetworkSettings, ProxyMode};
use signstash_core::network::doctor::{self, DoctorReport};
use signstash_core::network::proxy::{self, ProxyCredentials};
use signstash_core::settings::{EnvironmentSettings, Settings};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::commands::settings::{
    credentials_for, has_credentials, store, ConnectionCheck, SettingsView,
};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// The network settings as the UI shows them: the proxy login's user, never its password.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NetworkView {
    pub network: NetworkSettings,
    /// User of the saved proxy login, if one is saved in the keyring.
    pub proxy_user: Option<String>,
    /// The system's proxy right now (no user or password), e.g. "http://proxy:3128/"; none: direct.
    pub system_proxy: Option<String>,
}

/// One environment's diagnosis for "Diagnose".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentCheck {
    pub environment_id: String,
    pub check: ConnectionCheck,
}

/// What "Export diagnostics" wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedDiagnostics {
    pub path: String,
    pub entries: Vec<String>,
}

fn proxy_login(state: &AppState) -> Option<ProxyCredentials> {
    match state.credentials.load_proxy() {
        Ok(login) => login,
        Err(e) => {
            tracing::warn!(code = e.code(), "proxy login not readable from the keyring");
            None
        }
    }
}

/// The options every connection of the app is built with: the proxy setting (with the saved
/// login for a manual proxy) and the environment's extra CA.
pub fn client_options(
    state: &AppState,
    settings: &Settings,
    env: &EnvironmentSettings,
) -> ClientOptions {
    let network = settings.network.clone().unwrap_or_default();
    ClientOptions {
        proxy: network.proxy_setting(),
        proxy_credentials: if network.proxy == ProxyMode::Manual {
            proxy_login(state)
        } else {
            None
        },
        extra_root_certificates_pem: env
            .extra_ca_certificate
            .iter()
            .map(|ca| ca.pem.clone().into_bytes())
            .collect(),
        ..ClientOptions::default()
    }
}

/// A client for one environment, as signing, resume and the watch folder all build it: its
/// address (the embedded sandbox's for Sandbox), the saved credentials, the app's token cache,
/// the proxy and the extra CA.
pub fn client_for(
    state: &AppState,
    settings: &Settings,
    environment_id: &str,
) -> Result<SignStashClient> {
    let lang = state.lang();
    let env_settings = settings
        .environment(environment_id)
        .ok_or_else(|| AppError::UnknownEnvironment(environment_id.to_string()))?;
    let environment = env_settings
        .to_environment(state.sandbox_host())
        .map_err(|e| AppError::Service(e, lang))?;
    let credentials = credentials_for(state, env_settings)?;
    SignStashClient::new(
        environment,
        credentials,
        state.tokens.clone(),
        &client_options(state, settings, env_settings),
    )
    .map_err(|e| AppError::Service(e, lang))
}

fn network_view(state: &AppState) -> NetworkView {
    NetworkView {
        network: state.settings().network.unwrap_or_default(),
        proxy_user: proxy_login(state).map(|l| l.username),
        system_proxy: proxy::system_proxy(),
    }
}

#[tauri::command]
pub fn get_network(state: State<'_, AppState>) -> NetworkView {
    network_view(&state)
}

#[tauri::command]
pub fn save_network(state: State<'_, AppState>, network: NetworkSettings) -> Result<NetworkView> {
    let mut settings = state.settings();
    settings.network = Some(NetworkSettings {
        proxy: network.proxy,
        proxy_address: network.proxy_address.trim().to_string(),
    });
    store(&state, settings)?;
    tracing::info!(proxy = ?network.proxy, "network settings saved");
    Ok(network_view(&state))
}

/// Saves (or replaces) the manual proxy's user and password in the OS keyring.
#[tauri::command]
pub fn save_proxy_login(
    state: State<'_, AppState>,
    user: String,
    password: String,
) -> Result<NetworkView> {
    let user = user.trim().to_string();
    if user.is_empty() || password.is_empty() {
        return Err(AppError::ProxyLoginIncomplete);
    }
    state
        .credentials
        .save_proxy(&ProxyCredentials::new(user, password))?;
    tracing::info!("proxy login saved in the keyring");
    Ok(network_view(&state))
}

#[tauri::command]
pub fn delete_proxy_login(state: State<'_, AppState>) -> Result<NetworkView> {
    state.credentials.delete_proxy()?;
    tracing::info!("proxy login deleted from the keyring");
    Ok(network_view(&state))
}

/// Test hook for the e2e, which cannot reach a native dialog over WebDriver (scripts/e2e.sh sets
/// these): the path the dialog would have returned. Compiled into debug builds only, so the
/// shipped release binary has no such path.
#[cfg(debug_assertions)]
fn e2e_dialog_path(save: bool) -> Option<PathBuf> {
    let name = if save {
        "SIGNSTASH_E2E_SAVE_PATH"
    } else {
        "SIGNSTASH_E2E_OPEN_PATH"
    };
    std::env::var_os(name)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// Asks for a path with a native dialog; `None` when the person cancels.
async fn ask_path(app: &AppHandle, save: bool, file_name: &str) -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    if let Some(path) = e2e_dialog_path(save) {
        return Some(path);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let dialog = app.dialog().file();
    if save {
        dialog
            .add_filter("ZIP", &["zip"])
            .set_file_name(file_name)
            .save_file(move |p| {
                let _ = tx.send(p);
            });
    } else {
        dialog
            .add_filter("PEM", &["pem", "crt", "cer", "PEM", "CRT", "CER"])
            .pick_file(move |p| {
                let _ = tx.send(p);
            });
    }
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// "Choose CA certificate…": a native dialog, then the file is checked and kept (as PEM text)
/// in the environment's settings. `None` when cancelled.
#[tauri::command]
pub async fn choose_ca_certificate(
    app: AppHandle,
    state: State<'_, AppState>,
    environment_id: String,
) -> Result<Option<SettingsView>> {
    let Some(path) = ask_path(&app, false, "").await else {
        return Ok(None);
    };
    set_ca_from_file(&state, &environment_id, &path).map(Some)
}

fn set_ca_from_file(
    state: &AppState,
    environment_id: &str,
    path: &std::path::Path,
) -> Result<SettingsView> {
    let lang = state.lang();
    // A certificate is a few kB; refuse to read something huge chosen by mistake.
    let meta =
        std::fs::metadata(path).map_err(|e| AppError::Io(format!("{}: {e}", path.display())))?;
    if meta.len() > 1024 * 1024 {
        return Err(AppError::Service(
            signstash_core::error::SignStashError::CaCertificate {
                reason: "the file is larger than 1 MB; a CA certificate is a few kB".into(),
            },
            lang,
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| AppError::Io(format!("{}: {e}", path.display())))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ca = ExtraCa::from_pem(file_name, &bytes).map_err(|e| AppError::Service(e, lang))?;
    let mut settings = state.settings();
    let env = settings
        .environment_mut(environment_id)
        .ok_or_else(|| AppError::UnknownEnvironment(environment_id.to_string()))?;
    env.extra_ca_certificate = Some(ca);
    store(state, settings)?;
    tracing::info!(environment = %environment_id, "extra CA certificate set");
    Ok(crate::commands::settings::view(state))
}

#[tauri::command]
pub fn remove_ca_certificate(
    state: State<'_, AppState>,
    environment_id: String,
) -> Result<SettingsView> {
    let mut settings = state.settings();
    let env = settings
        .environment_mut(&environment_id)
        .ok_or_else(|| AppError::UnknownEnvironment(environment_id.clone()))?;
    env.extra_ca_certificate = None;
    store(&state, settings)?;
    tracing::info!(environment = %environment_id, "extra CA certificate removed");
    Ok(crate::commands::settings::view(&state))
}

/// The doctor on every environment that can connect (credentials saved, or the Sandbox).
async fn diagnose_all(state: &AppState) -> Result<Vec<(String, DoctorReport)>> {
    let lang = state.lang();
    let settings = state.settings();
    let mut reports = Vec::new();
    for env in &settings.environments {
        if !has_credentials(state, &env.id) {
            continue;
        }
        let environment = env
            .to_environment(state.sandbox_host())
            .map_err(|e| AppError::Service(e, lang))?;
        let credentials = credentials_for(state, env)?;
        let options = client_options(state, &settings, env);
        let report = doctor::diagnose(&environment, &credentials, &options, lang).await;
        tracing::info!(environment = %env.id, passed = report.passed, "diagnosis");
        reports.push((env.id.clone(), report));
    }
    Ok(reports)
}

/// "Diagnose": each environment with credentials, step by step.
#[tauri::command]
pub async fn diagnose(state: State<'_, AppState>) -> Result<Vec<EnvironmentCheck>> {
    Ok(diagnose_all(&state)
        .await?
        .into_iter()
        .map(|(environment_id, report)| EnvironmentCheck {
            environment_id,
            check: crate::commands::settings::check(report),
        })
        .collect())
}

/// "Export diagnostics": a fresh diagnosis, the settings without secrets and the recent logs, in
/// a zip where the person chooses. `None` when cancelled.
#[tauri::command]
pub async fn export_diagnostics(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ExportedDiagnostics>> {
    let Some(path) = ask_path(&app, true, "signstash-diagnostics.zip").await else {
        return Ok(None);
    };
    let reports: Vec<DoctorReport> = diagnose_all(&state)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    // Scrubbed too, even though neither should be anywhere near the bundle's inputs.
    let mut redact: Vec<String> = proxy_login(&state)
        .map(|l| l.password.expose().to_string())
        .into_iter()
        .collect();
    for env in &state.settings().environments {
        if let Ok(Some(saved)) = state.credentials.load(&env.id) {
            redact.push(saved.secret.expose().to_string());
        }
    }
    let sources = BundleSources {
        program: format!("signstash-desk {}", state.version),
        settings_file: Some(state.settings_path.clone()),
        log_dir: app.path().app_log_dir().ok(),
    };
    let summary = tauri::async_runtime::spawn_blocking(move || {
        let redact: Vec<&str> = redact.iter().map(String::as_str).collect();
        // The save dialog already asked before replacing a file.
        bundle::write_bundle(&path, &reports, &sources, &redact, true)
    })
    .await
    .map_err(|e| AppError::Io(e.to_string()))??;
    tracing::info!(path = %summary.path.display(), "diagnostics exported");
    Ok(Some(ExportedDiagnostics {
        path: summary.path.to_string_lossy().into_owned(),
        entries: summary.entries,
    }))
}
