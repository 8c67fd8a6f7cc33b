//! Signing a batch: checks the environment's credentials up front (a wrong secret is one clear
//! error and nothing written), then runs the core's batch engine in the background and pushes
//! its progress to the UI as events (`sign-progress`, then one `sign-finished`).

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use signstash_core::batch::{self, BatchOptions, Budget, Event, SignatureOptions};
use signstash_core::client::SignStashClient;
use signstash_core::inputs::InputFile;
use signstash_core::journal::{Journal, JournalRecorder, NewBatch, OutputSettings, ResumeSettings};
use signstash_core::output::{NamePattern, OutputDir, OutputWriter};
use signstash_core::settings::{OutputMode, Settings};
use tauri::{AppHandle, Emitter, Manager, State};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::commands::history::journal;
use crate::commands::network::client_for;
use crate::commands::placement::DocumentPlacement;
use crate::error::{AppError, Result};
use crate::state::{lock, AppState};

pub const PROGRESS_EVENT: &str = "sign-progress";
pub const FINISHED_EVENT: &str = "sign-finished";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Queued,
    Signing,
    Signed,
    Failed,
}

/// One file's new state; `index` is its place in the list given to `start_signing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileProgress {
    pub index: usize,
    pub status: FileStatus,
    pub output: Option<String>,
    pub code: Option<String>,
    /// Plain words, in the language the batch was started in.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    pub signed: usize,
    pub failed: usize,
    pub cancelled: bool,
    /// Where the signed files are (one folder, or one "Signed" folder per source folder).
    pub output_folders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartedBatch {
    #[ts(type = "number")]
    pub batch_id: i64,
    pub total: usize,
}

pub fn progress(event: &Event) -> FileProgress {
    let (index, status) = match event {
        Event::Queued { index, .. } => (*index, FileStatus::Queued),
        Event::Sending { index, .. } | Event::Signed { index } => (*index, FileStatus::Signing),
        Event::Saved { index, .. } => (*index, FileStatus::Signed),
        Event::Failed { index, .. } => (*index, FileStatus::Failed),
    };
    let mut p = FileProgress {
        index,
        status,
        output: None,
        code: None,
        message: None,
    };
    match event {
        Event::Saved { output, .. } => p.output = Some(output.to_string_lossy().into_owned()),
        Event::Failed { failure, .. } => {
            p.code = Some(failure.code.clone());
            p.message = Some(failure.message.clone());
        }
        _ => {}
    }
    p
}

fn writer_for(settings: &Settings) -> Result<OutputWriter> {
    let pattern =
        NamePattern::new(&settings.output.name_pattern).map_err(|e| AppError::Io(e.to_string()))?;
    let dir = match (&settings.output.mode, &settings.output.folder) {
        (OutputMode::Folder, Some(folder)) => {
            std::fs::create_dir_all(folder).map_err(|e| AppError::Io(format!("{folder}: {e}")))?;
            OutputDir::Fixed(PathBuf::from(folder))
        }
        _ => OutputDir::SignedFolderBeside,
    };
    Ok(OutputWriter::new(dir, pattern))
}

pub(crate) fn signature_options(settings: &Settings) -> SignatureOptions {
    let sig = &settings.signature;
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    SignatureOptions {
        reason: text(&sig.reason),
        location: text(&sig.location),
        timestamp: sig.timestamp,
        visible: sig.visible_info(),
        xml: None,
    }
}

/// Everything a batch needs, checked before anything is recorded or sent.
struct Prepared {
    client: SignStashClient,
    writer: OutputWriter,
    files: Vec<InputFile>,
    options: BatchOptions,
    journal: Arc<Journal>,
    batch_id: i64,
    document_ids: Vec<i64>,
    environment_id: String,
}

async fn prepare(
    state: &AppState,
    paths: &[String],
    placements: &[DocumentPlacement],
) -> Result<Prepared> {
    let lang = state.lang();
    // The UI is not trusted with paths: each must be an existing PDF/XML file within the cap,
    // checked before anything is sent (not even a token is asked for otherwise).
    let files: Vec<InputFile> = crate::paths::documents(paths)
        .map_err(|e| AppError::BadPath(e, lang))?
        .into_iter()
        .map(|(path, size)| InputFile { path, size })
        .collect();
    let settings = state.settings();
    let client = client_for(state, &settings, &settings.active_environment)?;
    let environment = client.environment().clone();
    // Before anything is queued: a wrong secret or an unreachable service is one clear error.
    client
        .token()
        .await
        .map_err(|e| AppError::Service(e, lang))?;

    let writer = writer_for(&settings)?;
    let visible_per_document = placements
        .iter()
        .filter(|p| p.index < paths.len())
        .map(|p| Ok((p.index, p.visible_info(&settings.signature.template, lang)?)))
        .collect::<Result<_>>()?;
    let options = BatchOptions {
        visible_per_document,
        budget: Budget::default(),
        max_in_flight: settings.parallel_requests.clamp(1, 8) as usize,
        signature: signature_options(&settings),
        lang,
        ..BatchOptions::default()
    };
    let journal: Arc<Journal> = journal(state)?;
    let new_batch = NewBatch {
        environment_id: environment.id.clone(),
        token_url: environment.token_url.clone(),
        api_base: environment.api_base.clone(),
        hosted: environment.hosted,
        output: OutputSettings {
            folder: match settings.output.mode {
                OutputMode::Folder => settings.output.folder.clone().map(PathBuf::from),
                OutputMode::Beside => None,
            },
            name_pattern: settings.output.name_pattern.clone(),
        },
        settings: ResumeSettings {
            signature: options.signature.clone(),
            max_documents: options.budget.max_documents,
            max_bytes: options.budget.max_bytes,
            max_in_flight: options.max_in_flight,
            lang,
            description: options.description.clone(),
            visible_per_document: options.visible_per_document.clone(),
        },
    };
    let (batch_id, document_ids) = journal
        .begin_batch(&new_batch, &files)
        .map_err(|e| AppError::Journal(e, lang))?;

    Ok(Prepared {
        client,
        writer,
        files,
        options,
        journal,
        batch_id,
        document_ids,
        environment_id: environment.id,
    })
}

#[tauri::command]
pub async fn start_signing(
    app: AppHandle,
    state: State<'_, AppState>,
    paths: Vec<String>,
    placements: Option<Vec<DocumentPlacement>>,
) -> Result<StartedBatch> {
    // One batch at a time: claimed before anything is recorded, released if preparing fails.
    let cancel = CancellationToken::new();
    {
        let mut running = lock(&state.running);
        if running.is_some() {
            return Err(AppError::Busy);
        }
        *running = Some(cancel.clone());
    }
    let Prepared {
        client,
        writer,
        files,
        options,
        journal,
        batch_id,
        document_ids,
        environment_id,
    } = match prepare(&state, &paths, &placements.unwrap_or_default()).await {
        Ok(prepared) => prepared,
        Err(e) => {
            *lock(&state.running) = None;
            return Err(e);
        }
    };
    let total = files.len();
    tracing::info!(batch_id, total, environment = %environment_id, "batch started");

    tauri::async_runtime::spawn(async move {
        let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
        let recorder = JournalRecorder {
            journal: &journal,
            document_ids,
        };
        let work = async {
            let outcomes = batch::run_recorded(
                &client,
                &writer,
                &files,
                &options,
                &events_tx,
                &cancel,
                Some(&recorder),
            )
            .await;
            drop(events_tx);
            outcomes
        };
        let forward = async {
            while let Some(event) = events_rx.recv().await {
                if let Err(e) = app.emit(PROGRESS_EVENT, progress(&event)) {
                    tracing::warn!(error = %e, "progress event not delivered");
                }
            }
        };
        let (outcomes, ()) = tokio::join!(work, forward);
        if let Err(e) = journal.finish_batch_if_done(batch_id) {
            tracing::warn!(error = %e, "could not close the batch in the journal");
        }
        let signed = outcomes.iter().filter(|o| o.result.is_ok()).count();
        let mut output_folders: Vec<String> = outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok())
            .filter_map(|p| p.parent().map(|d| d.to_string_lossy().into_owned()))
            .collect();
        output_folders.sort();
        output_folders.dedup();
        let summary = BatchSummary {
            signed,
            failed: outcomes.len() - signed,
            cancelled: cancel.is_cancelled(),
            output_folders,
        };
        tracing::info!(
            batch_id,
            signed = summary.signed,
            failed = summary.failed,
            "batch finished"
        );
        *lock(&app.state::<AppState>().running) = None;
        if let Err(e) = app.emit(FINISHED_EVENT, summary) {
            tracing::warn!(error = %e, "finish event not delivered");
        }
    });

    Ok(StartedBatch { batch_id, total })
}

/// Stops sending what has not been sent; what is already at the service still comes back.
#[tauri::command]
pub fn cancel_signing(state: State<'_, AppState>) {
    if let Some(cancel) = lock(&state.running).as_ref() {
        tracing::info!("batch cancelled by the user");
        cancel.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signstash_core::batch::Failure;

    #[test]
    fn events_map_to_file_states() {
        let saved = progress(&Event::Saved {
            index: 3,
            output: PathBuf::from("/o/a_signed.pdf"),
        });
        assert_eq!(
            (saved.index, saved.status, saved.output.as_deref()),
            (3, FileStatus::Signed, Some("/o/a_signed.pdf"))
        );
        let failed = progress(&Event::Failed {
            index: 1,
            failure: Failure {
                code: "net.unreachable".into(),
                message: "Sem ligação".into(),
            },
        });
        assert_eq!(failed.status, FileStatus::Failed);
        assert_eq!(failed.message.as_deref(), Some("Sem ligação"));
        assert_eq!(
            progress(&Event::Sending {
                index: 0,
                attempt: 1
            })
            .status,
            FileStatus::Signing
        );
    }
}
