//! Settings for admins: environments (addresses, client id), the write-only client secret kept in
//! the OS keyring, Test connection, and the general options. No command returns a secret.

use serde::Serialize;
use signstash_core::error::Lang;
use signstash_core::network::doctor;
use signstash_core::settings::{self, EnvironmentKindSetting, EnvironmentSettings, Settings};
use signstash_core::token::Credentials;
use tauri::State;
use ts_rs::TS;

use crate::commands::network::client_options;
use crate::error::{AppError, Result};
use crate::state::{lock, AppState};

/// Whether a secret is saved for an environment; never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretStatus {
    pub environment_id: String,
    /// True for the embedded Sandbox, which needs none.
    pub built_in: bool,
    pub saved: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: Settings,
    pub secrets: Vec<SecretStatus>,
}

/// The result of "Test connection": each step (resolve → connect → TLS → token → API) with what
/// was found or, for the failed one, the plain-language reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub passed: bool,
    pub steps: Vec<ConnectionStep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    Passed,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStep {
    /// In the language of the app, e.g. "Ligar ao servidor".
    pub title: String,
    pub target: String,
    pub outcome: StepOutcome,
    pub detail: String,
    pub code: Option<String>,
    /// Plain words with the likely fix, for a failed step.
    pub message: Option<String>,
    /// How long the step took.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

fn step(s: doctor::Step) -> ConnectionStep {
    ConnectionStep {
        title: s.title,
        target: s.target,
        outcome: match s.status {
            doctor::StepStatus::Passed => StepOutcome::Passed,
            doctor::StepStatus::Failed => StepOutcome::Failed,
            doctor::StepStatus::Skipped => StepOutcome::Skipped,
        },
        detail: s.detail,
        code: s.problem.as_ref().map(|p| p.code.clone()),
        message: s.problem.map(|p| p.message),
        elapsed_ms: s.elapsed_ms,
    }
}

/// The doctor's report as the UI shows it.
pub(crate) fn check(report: doctor::DoctorReport) -> ConnectionCheck {
    ConnectionCheck {
        passed: report.passed,
        steps: report.steps.into_iter().map(step).collect(),
    }
}

fn is_embedded_sandbox(env: &EnvironmentSettings) -> bool {
    env.kind == EnvironmentKindSetting::Sandbox && env.token_url.is_empty()
}

pub fn has_credentials(state: &AppState, environment_id: &str) -> bool {
    let settings = state.settings();
    match settings.environment(environment_id) {
        Some(env) if is_embedded_sandbox(env) => true,
        Some(_) => matches!(state.credentials.load(environment_id), Ok(Some(_))),
        None => false,
    }
}

/// The credentials to sign with in `env`: the Sandbox's built-in pair, or the keyring's.
pub fn credentials_for(state: &AppState, env: &EnvironmentSettings) -> Result<Credentials> {
    if is_embedded_sandbox(env) {
        return Ok(Credentials::new("sandbox", "sandbox"));
    }
    state
        .credentials
        .load(&env.id)?
        .ok_or_else(|| AppError::NoCredentials(env.id.clone()))
}

pub(crate) fn view(state: &AppState) -> SettingsView {
    let settings = state.settings();
    let secrets = settings
        .environments
        .iter()
        .map(|env| SecretStatus {
            environment_id: env.id.clone(),
            built_in: is_embedded_sandbox(env),
            saved: !is_embedded_sandbox(env) && has_credentials(state, &env.id),
        })
        .collect();
    SettingsView { settings, secrets }
}

pub(crate) fn store(state: &AppState, mut new: Settings) -> Result<()> {
    new.validate()?;
    // The UI does not see the settings' other fields (the watch folder among them): keep them.
    for (key, value) in &lock(&state.settings).other {
        new.other
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
    settings::save(&state.settings_path, &new)?;
    *lock(&state.settings) = new;
    Ok(())
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    view(&state)
}

#[tauri::command]
pub fn save_settings(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<SettingsView> {
    // A changed client id must travel with the saved secret, or signing would pair them wrongly.
    for env in &settings.environments {
        if let Ok(Some(saved)) = state.credentials.load(&env.id) {
            if saved.client_id != env.client_id && !env.client_id.is_empty() {
                let moved = Credentials::new(env.client_id.clone(), saved.secret.expose());
                state.credentials.save(&env.id, &moved)?;
                state.tokens.clear();
            }
        }
    }
    store(&state, settings)?;
    tracing::info!("settings saved");
    crate::commands::watch::restart_if_running(&app);
    Ok(view(&state))
}

#[tauri::command]
pub fn set_active_environment(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    environment_id: String,
) -> Result<()> {
    let mut settings = state.settings();
    if settings.environment(&environment_id).is_none() {
        return Err(AppError::UnknownEnvironment(environment_id));
    }
    settings.active_environment = environment_id;
    store(&state, settings)?;
    // The watch signs in the app's current environment.
    crate::commands::watch::restart_if_running(&app);
    Ok(())
}

/// The UI's language: `remember` saves it (the user chose it); otherwise it only tells the
/// backend which language to answer in (the system's, while nothing is saved).
#[tauri::command]
pub fn set_language(state: State<'_, AppState>, language: String, remember: bool) -> Result<()> {
    let code = if language == "en" { "en" } else { "pt" };
    *lock(&state.ui_lang) = Some(if code == "en" { Lang::En } else { Lang::Pt });
    if !remember {
        return Ok(());
    }
    let mut settings = state.settings();
    settings.language = Some(code.to_string());
    store(&state, settings)
}

/// Saves (or replaces) the client id and secret of an environment in the OS keyring.
#[tauri::command]
pub fn save_secret(
    state: State<'_, AppState>,
    environment_id: String,
    client_id: String,
    secret: String,
) -> Result<SettingsView> {
    let mut settings = state.settings();
    let env = settings
        .environment_mut(&environment_id)
        .ok_or_else(|| AppError::UnknownEnvironment(environment_id.clone()))?;
    env.client_id = client_id.trim().to_string();
    let credentials = Credentials::new(env.client_id.clone(), secret);
    state.credentials.save(&environment_id, &credentials)?;
    // A replaced secret must not keep using a token obtained with the old one.
    state.tokens.clear();
    store(&state, settings)?;
    tracing::info!(environment = %environment_id, "client secret saved in the keyring");
    Ok(view(&state))
}

#[tauri::command]
pub fn delete_secret(state: State<'_, AppState>, environment_id: String) -> Result<SettingsView> {
    state.credentials.delete(&environment_id)?;
    state.tokens.clear();
    tracing::info!(environment = %environment_id, "client secret deleted from the keyring");
    Ok(view(&state))
}

/// Fetches a token with the given addresses and client id, and the secret typed now or saved.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    environment: EnvironmentSettings,
    secret: Option<String>,
) -> Result<ConnectionCheck> {
    let lang = state.lang();
    let credentials = match secret.filter(|s| !s.is_empty()) {
        Some(secret) => Credentials::new(environment.client_id.clone(), secret),
        None => {
            let saved = credentials_for(&state, &environment)?;
            Credentials::new(environment.client_id.clone(), saved.secret.expose())
        }
    };
    let env = environment
        .to_environment(state.sandbox_host())
        .map_err(|e| AppError::Service(e, lang))?;
    // The proxy, and the CA as saved (it is only ever set by choosing a file, which saves it).
    let settings = state.settings();
    let saved = settings
        .environment(&environment.id)
        .unwrap_or(&environment);
    let options = client_options(&state, &settings, saved);
    // The core's diagnosis fetches a fresh token (no cache), step by step.
    let report = doctor::diagnose(&env, &credentials, &options, lang).await;
    tracing::info!(environment = %environment.id, passed = report.passed, "test connection");
    Ok(check(report))
}
