//! History: every document signed or failed, from the core's journal (shared with the CLI),
//! with filter, search and CSV export.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use signstash_core::journal::{HistoryEntry, HistoryQuery, Journal, OutcomeFilter};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::error::{AppError, Result};
use crate::state::{lock, AppState};

/// The journal, opened on first use.
pub fn journal(state: &AppState) -> Result<Arc<Journal>> {
    let mut slot = lock(&state.journal);
    if let Some(journal) = slot.as_ref() {
        return Ok(journal.clone());
    }
    let opened = Arc::new(Journal::open_default().map_err(|e| AppError::Journal(e, state.lang()))?);
    *slot = Some(opened.clone());
    Ok(opened)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum HistoryOutcome {
    Signed,
    Failed,
    Interrupted,
    Pending,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryFilter {
    pub text: Option<String>,
    pub environment_id: Option<String>,
    pub outcome: Option<HistoryOutcome>,
    /// Unix milliseconds, inclusive.
    #[ts(type = "number | null")]
    pub since: Option<i64>,
    #[ts(type = "number | null")]
    pub until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    /// Unix milliseconds of the last change.
    #[ts(type = "number")]
    pub time: i64,
    pub environment_id: String,
    pub input: String,
    pub output: Option<String>,
    #[ts(type = "number | null")]
    pub operation_id: Option<i64>,
    pub external_reference: Option<String>,
    pub outcome: HistoryOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

const MAX_ROWS: usize = 5000;

fn query(filter: &HistoryFilter, limit: usize) -> HistoryQuery {
    HistoryQuery {
        text: filter.text.clone().filter(|t| !t.trim().is_empty()),
        environment_id: filter.environment_id.clone().filter(|e| !e.is_empty()),
        outcome: filter.outcome.map(|o| match o {
            HistoryOutcome::Signed => OutcomeFilter::Saved,
            HistoryOutcome::Failed => OutcomeFilter::Failed,
            HistoryOutcome::Interrupted => OutcomeFilter::Interrupted,
            HistoryOutcome::Pending => OutcomeFilter::Pending,
        }),
        since: filter.since,
        until: filter.until,
        batch_id: None,
        limit,
    }
}

fn row(entry: HistoryEntry) -> HistoryRow {
    let d = entry.document;
    let outcome = match d.state.as_str() {
        "saved" => HistoryOutcome::Signed,
        "failed" => HistoryOutcome::Failed,
        "interrupted" => HistoryOutcome::Interrupted,
        _ => HistoryOutcome::Pending,
    };
    HistoryRow {
        time: d.updated_at,
        environment_id: entry.environment_id,
        input: d.input_path.to_string_lossy().into_owned(),
        output: d.output_path.map(|p| p.to_string_lossy().into_owned()),
        operation_id: d.operation_id,
        external_reference: d.external_reference,
        outcome,
        error_code: d.error_code,
        error_message: d.error_message,
    }
}

#[tauri::command]
pub fn history(state: State<'_, AppState>, filter: HistoryFilter) -> Result<Vec<HistoryRow>> {
    let entries = journal(&state)?
        .history(&query(&filter, MAX_ROWS))
        .map_err(|e| AppError::Journal(e, state.lang()))?;
    Ok(entries.into_iter().map(row).collect())
}

/// Asks where to save, then writes the filtered history as CSV; null when cancelled.
#[tauri::command]
pub async fn export_history_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: HistoryFilter,
) -> Result<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter("CSV", &["csv"])
        .set_file_name("signstash-history.csv")
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten().and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    write_csv(&state, &filter, &path)?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

fn write_csv(state: &AppState, filter: &HistoryFilter, path: &std::path::Path) -> Result<usize> {
    let file = std::fs::File::create(path)
        .map_err(|e| AppError::Io(format!("{}: {e}", path.display())))?;
    journal(state)?
        .export_csv(&query(filter, 0), std::io::BufWriter::new(file))
        .map_err(|e| AppError::Journal(e, state.lang()))
}
