//! Presets: saved with the settings; exported to and imported from a JSON file chosen in the
//! native dialogs (called from Rust, so the UI needs no dialog or file-system permission).

use std::path::Path;

use signstash_core::presets::{self, Preset, MAX_FILE_BYTES};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::commands::settings::store;
use crate::error::{AppError, Result};
use crate::state::AppState;

/// Replaces the saved presets (create, rename, delete are edits of this list).
#[tauri::command]
pub fn save_presets(state: State<'_, AppState>, presets: Vec<Preset>) -> Result<Vec<Preset>> {
    presets::validate_all(&presets).map_err(|e| AppError::Presets(e, state.lang()))?;
    let mut settings = state.settings();
    settings.presets = presets;
    store(&state, settings)?;
    Ok(state.settings().presets)
}

/// Writes the saved presets to a file the user chooses; the path, or null when cancelled.
#[tauri::command]
pub async fn export_presets(app: AppHandle, state: State<'_, AppState>) -> Result<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter("JSON", &["json"])
        .set_file_name("signstash-presets.json")
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten().and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    write_file(&path, &presets::to_file(&state.settings().presets))?;
    tracing::info!(path = %path.display(), "presets exported");
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// Reads a presets file the user chooses and adds its presets (same name: replaced); the new
/// list, or null when cancelled. A bad file changes nothing and says why.
#[tauri::command]
pub async fn import_presets(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<Vec<Preset>>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter("JSON", &["json"])
        .pick_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten().and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    import_from(&state, &path).map(Some)
}

pub(crate) fn import_from(state: &AppState, path: &Path) -> Result<Vec<Preset>> {
    let lang = state.lang();
    let size = std::fs::metadata(path)
        .map_err(|e| AppError::Io(format!("{}: {e}", path.display())))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(AppError::Presets(presets::PresetError::TooLarge, lang));
    }
    let bytes =
        std::fs::read(path).map_err(|e| AppError::Io(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        AppError::Presets(
            presets::PresetError::NotPresets("not UTF-8 text".into()),
            lang,
        )
    })?;
    let imported = presets::from_file(&text).map_err(|e| AppError::Presets(e, lang))?;
    let mut settings = state.settings();
    let count = imported.len();
    presets::merge(&mut settings.presets, imported);
    presets::validate_all(&settings.presets).map_err(|e| AppError::Presets(e, lang))?;
    store(state, settings)?;
    tracing::info!(count, path = %path.display(), "presets imported");
    Ok(state.settings().presets)
}

/// Temp file beside the target, then rename: a half-written export never replaces a good one.
fn write_file(path: &Path, text: &str) -> Result<()> {
    let temp = path.with_extension("json.part");
    std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            AppError::Io(format!("{}: {e}", path.display()))
        })
}
