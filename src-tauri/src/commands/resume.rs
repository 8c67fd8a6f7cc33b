//! Batches a crash or a kill left unfinished (by the app or by `signstash sign`, which share the
//! journal): listed at start as interrupted, and finished by the Resume button with the core's
//! `resume::run` (look the sent requests up by reference, fetch what was signed, sign the rest),
//! its progress pushed to the UI as the same events as a normal batch.

use std::path::Path;

use serde::Serialize;
use signstash_core::client::SignStashClient;
use signstash_core::journal::{DocState, DocumentRecord};
use signstash_core::resume::{self, ResumeError, ResumeOptions};
use tauri::{AppHandle, Emitter, Manager, State};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::commands::history::journal;
use crate::commands::network::client_for;
use crate::commands::sign::{
    progress, BatchSummary, FileStatus, StartedBatch, FINISHED_EVENT, PROGRESS_EVENT,
};
use crate::error::{AppError, Result};
use crate::state::{lock, AppState};

/// One document of an interrupted batch, in the batch's order (progress events carry that index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InterruptedDocument {
    pub path: String,
    /// Signed or failed before the interruption; queued: still to finish.
    pub status: FileStatus,
    pub output: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InterruptedBatch {
    #[ts(type = "number")]
    pub batch_id: i64,
    pub environment_id: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Documents not finished when the batch stopped.
    pub unfinished: usize,
    pub documents: Vec<InterruptedDocument>,
}

fn document_view(d: &DocumentRecord) -> InterruptedDocument {
    let status = match d.state {
        DocState::Saved => FileStatus::Signed,
        DocState::Failed => FileStatus::Failed,
        _ => FileStatus::Queued,
    };
    InterruptedDocument {
        path: d.input_path.to_string_lossy().into_owned(),
        status,
        output: d
            .output_path
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        code: d.error_code.clone(),
        message: d.error_message.clone(),
    }
}

/// Unfinished batches whose processes are gone (a batch still being signed, by this app or by a
/// `signstash` process, is left alone). Marks their documents interrupted and removes the dead
/// processes' temporary files, as `signstash resume` does first.
#[tauri::command]
pub fn interrupted_batches(state: State<'_, AppState>) -> Result<Vec<InterruptedBatch>> {
    let lang = state.lang();
    let journal = journal(&state)?;
    let ids = journal
        .unfinished_batches()
        .map_err(|e| AppError::Journal(e, lang))?;
    let mut found = Vec::new();
    for id in ids {
        let batch = journal.batch(id).map_err(|e| AppError::Journal(e, lang))?;
        if batch.pids.contains(&std::process::id()) {
            continue; // ours, and we are alive
        }
        match resume::recover(&journal, id) {
            Ok(_) => {}
            Err(ResumeError::StillRunning { .. }) => continue,
            Err(e) => return Err(AppError::Resume(e, lang)),
        }
        let documents: Vec<InterruptedDocument> = journal
            .documents(id)
            .map_err(|e| AppError::Journal(e, lang))?
            .iter()
            .map(document_view)
            .collect();
        let unfinished = documents
            .iter()
            .filter(|d| d.status == FileStatus::Queued)
            .count();
        found.push(InterruptedBatch {
            batch_id: id,
            environment_id: batch.environment_id,
            created_at: batch.created_at,
            unfinished,
            documents,
        });
    }
    Ok(found)
}

/// Finishes an interrupted batch in the background; events as for `start_signing`.
#[tauri::command]
pub async fn resume_batch(
    app: AppHandle,
    state: State<'_, AppState>,
    batch_id: i64,
) -> Result<StartedBatch> {
    let cancel = CancellationToken::new();
    {
        let mut running = lock(&state.running);
        if running.is_some() {
            return Err(AppError::Busy);
        }
        *running = Some(cancel.clone());
    }
    let prepared = prepare(&state, batch_id);
    let (client, journal, total) = match prepared {
        Ok(p) => p,
        Err(e) => {
            *lock(&state.running) = None;
            return Err(e);
        }
    };
    let lang = state.lang();
    tracing::info!(batch_id, "resuming an interrupted batch");

    tauri::async_runtime::spawn(async move {
        let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
        let options = ResumeOptions {
            lang: Some(lang),
            ..ResumeOptions::default()
        };
        let work = async {
            let report =
                resume::run(&journal, batch_id, &client, &options, &events_tx, &cancel).await;
            drop(events_tx);
            report
        };
        let forward = async {
            while let Some(event) = events_rx.recv().await {
                if let Err(e) = app.emit(PROGRESS_EVENT, progress(&event)) {
                    tracing::warn!(error = %e, "progress event not delivered");
                }
            }
        };
        let (report, ()) = tokio::join!(work, forward);
        match &report {
            Ok(r) => tracing::info!(
                batch_id,
                recovered = r.recovered,
                resent = r.resent,
                sent_now = r.sent_now,
                saved = r.saved,
                failed = r.failed,
                still_open = r.still_open,
                "resume finished"
            ),
            Err(e) => tracing::warn!(batch_id, code = e.code(), error = %e, "resume failed"),
        }
        let summary = summary(&journal, batch_id, cancel.is_cancelled());
        *lock(&app.state::<AppState>().running) = None;
        if let Err(e) = app.emit(FINISHED_EVENT, summary) {
            tracing::warn!(error = %e, "finish event not delivered");
        }
    });

    Ok(StartedBatch { batch_id, total })
}

type Ready = (
    SignStashClient,
    std::sync::Arc<signstash_core::journal::Journal>,
    usize,
);

fn prepare(state: &AppState, batch_id: i64) -> Result<Ready> {
    let lang = state.lang();
    let journal = journal(state)?;
    let batch = journal
        .batch(batch_id)
        .map_err(|e| AppError::Journal(e, lang))?;
    let client = client_for(state, &state.settings(), &batch.environment_id)?;
    let total = journal
        .documents(batch_id)
        .map_err(|e| AppError::Journal(e, lang))?
        .len();
    Ok((client, journal, total))
}

/// The batch's totals from the journal (what is on disk is what counts, before and after the crash).
fn summary(
    journal: &signstash_core::journal::Journal,
    batch_id: i64,
    cancelled: bool,
) -> BatchSummary {
    let documents = journal.documents(batch_id).unwrap_or_default();
    let signed = documents
        .iter()
        .filter(|d| d.state == DocState::Saved)
        .count();
    let mut output_folders: Vec<String> = documents
        .iter()
        .filter_map(|d| d.output_path.as_deref().and_then(Path::parent))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    output_folders.sort();
    output_folders.dedup();
    BatchSummary {
        signed,
        failed: documents
            .iter()
            .filter(|d| d.state == DocState::Failed)
            .count(),
        cancelled,
        output_folders,
    }
}
