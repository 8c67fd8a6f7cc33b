//! The watch folder (the service's hot-folder semantics on the desktop): a file that appears in the
//! input folder is signed once it has stopped growing; the signed file goes to the output folder,
//! the original moves to the backup folder, and a failure leaves `<name>.error.txt` (plain words)
//! in the output folder while the original still moves out of the input folder.
//!
//! Files that settle together are signed together, through the batch engine. What was sent is kept
//! in a small state file ([`state`]) so that a restart never signs a file twice.
//!
//! The folder is watched with `notify` (inotify, FSEvents, ReadDirectoryChangesW) so a new file is
//! seen at once, plus a periodic rescan: change notifications are not delivered for network shares
//! (SMB/NFS changes made by other machines), can overflow under a burst, and do not exist for
//! files that were already there at start.

pub mod files;
pub mod recover;
pub mod settle;
pub mod state;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::watch as latest;
use tokio_util::sync::CancellationToken;

use crate::batch::{self, BatchOptions, Failure};
use crate::client::SignStashClient;
use crate::error::Lang;
use crate::inputs::InputFile;
use crate::output::{NamePattern, OutputDir, OutputWriter};
use recover::Recovery;
use settle::{Listed, Settle};
use state::{Entry, Stage, StateRecorder, WatchState};

/// What the admin chose.
#[derive(Clone, Debug)]
pub struct WatchConfig {
    pub input: PathBuf,
    pub output: PathBuf,
    pub backup: PathBuf,
    pub name_pattern: NamePattern,
    /// Signature options, request size, parallelism and language, as for a batch.
    pub batch: BatchOptions,
    /// Larger files are not sent: they fail with an explanation.
    pub max_file_bytes: u64,
    /// How long size and time must stay unchanged before a file counts as complete.
    pub settle: Duration,
    /// Full rescan of the input folder, whatever the change notifications say.
    pub rescan: Duration,
    /// The state file; `None`: [`default_state_path`].
    pub state_file: Option<PathBuf>,
}

impl WatchConfig {
    pub fn new(input: PathBuf, output: PathBuf, backup: PathBuf) -> Self {
        Self {
            input,
            output,
            backup,
            name_pattern: NamePattern::default(),
            batch: BatchOptions::default(),
            max_file_bytes: 100 * 1024 * 1024,
            settle: Duration::from_secs(2),
            rescan: Duration::from_secs(30),
            state_file: None,
        }
    }
}

/// The state file of the watch on `input`, in the app's data folder (one per input folder).
pub fn default_state_path(input: &Path) -> Result<PathBuf, WatchError> {
    let dir = crate::journal::data_dir().map_err(|_| WatchError::NoDataDir)?;
    let canonical = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    let key = state::fingerprint("", canonical.to_string_lossy().as_bytes());
    let short = key.get(..16).unwrap_or(&key);
    Ok(dir.join("watch").join(format!("{short}.json")))
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("the input folder {0} does not exist or is not a folder")]
    InputMissing(PathBuf),
    #[error("the folder {0} cannot be created or used: {1}")]
    FolderUnusable(PathBuf, std::io::Error),
    #[error("the input, output and backup folders must be three different folders, none inside the input folder")]
    FoldersOverlap,
    #[error("no data folder for the watch state (HOME not set?)")]
    NoDataDir,
    #[error(transparent)]
    State(#[from] state::StateError),
}

impl WatchError {
    pub fn code(&self) -> &'static str {
        match self {
            WatchError::InputMissing(_) => "watch.input_missing",
            WatchError::FolderUnusable(..) => "watch.folder_unusable",
            WatchError::FoldersOverlap => "watch.folders_overlap",
            WatchError::NoDataDir => "watch.no_data_dir",
            WatchError::State(state::StateError::Unreadable { .. }) => "watch.state_unreadable",
            WatchError::State(state::StateError::Unwritable { .. }) => "watch.state_unwritable",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                WatchError::State(state::StateError::Unreadable { path, .. }) => format!(
                    "The watch folder's record {} is damaged. Nothing was signed. Move the files out of the input folder, delete that file and start again.",
                    path.display()
                ),
                other => format!("{other}. Choose the folders again in the watch settings."),
            },
            Lang::Pt => match self {
                WatchError::InputMissing(p) => format!(
                    "A pasta de entrada {} não existe. Escolha-a de novo nas definições da pasta vigiada.",
                    p.display()
                ),
                WatchError::FolderUnusable(p, e) => format!(
                    "Não é possível usar a pasta {} ({e}). Escolha outra nas definições da pasta vigiada.",
                    p.display()
                ),
                WatchError::FoldersOverlap => "As pastas de entrada, de saída e de cópias têm de ser três pastas diferentes, nenhuma dentro da pasta de entrada.".into(),
                WatchError::NoDataDir => "Não há pasta de dados para este utilizador (HOME não definido?).".into(),
                WatchError::State(state::StateError::Unreadable { path, .. }) => format!(
                    "O registo da pasta vigiada {} está danificado. Nada foi assinado. Retire os ficheiros da pasta de entrada, apague esse ficheiro e comece de novo.",
                    path.display()
                ),
                WatchError::State(state::StateError::Unwritable { path, source }) => format!(
                    "Não é possível gravar o registo da pasta vigiada {} ({source}). Verifique o espaço em disco.",
                    path.display()
                ),
            },
        }
    }
}

/// What the watcher is doing, for a status line.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum WatchPhase {
    Starting,
    /// Waiting for files.
    Watching,
    /// A batch is with the service.
    Signing,
    Stopped,
}

/// One thing the watcher did to one file.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// Unix milliseconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// The original's file name.
    pub file: String,
    #[serde(flatten)]
    pub outcome: ActivityOutcome,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum ActivityOutcome {
    Signed {
        output: PathBuf,
        backup: Option<PathBuf>,
    },
    /// Signed before a restart; fetched from the service instead of signed again.
    Recovered {
        output: PathBuf,
        backup: Option<PathBuf>,
    },
    Failed {
        code: String,
        message: String,
        error_file: Option<PathBuf>,
        backup: Option<PathBuf>,
    },
}

/// The latest status: what a toggle, a status line and "last activity" show.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchStatus {
    pub phase: WatchPhase,
    /// Files seen that are still being written or waiting for their batch.
    pub waiting: usize,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub signed: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub failed: u64,
    pub last_activity: Option<Activity>,
    /// Why the last attempt to ask the service or move a file did not work (cleared when it does).
    pub problem: Option<String>,
}

impl Default for WatchStatus {
    fn default() -> Self {
        Self {
            phase: WatchPhase::Starting,
            waiting: 0,
            signed: 0,
            failed: 0,
            last_activity: None,
            problem: None,
        }
    }
}

/// Where the watcher reports: the latest status, and every activity in order.
pub struct Reports {
    status: latest::Sender<WatchStatus>,
    activity: UnboundedSender<Activity>,
}

/// A new pair of report channels: give [`Reports`] to [`run`], keep the receivers.
pub fn reports() -> (
    Reports,
    latest::Receiver<WatchStatus>,
    UnboundedReceiver<Activity>,
) {
    let (status, status_rx) = latest::channel(WatchStatus::default());
    let (activity, activity_rx) = tokio::sync::mpsc::unbounded_channel();
    (Reports { status, activity }, status_rx, activity_rx)
}

impl Reports {
    fn status(&self, change: impl FnOnce(&mut WatchStatus)) {
        self.status.send_modify(change);
    }

    fn activity(&self, file: &Path, outcome: ActivityOutcome) {
        let activity = Activity {
            at_ms: crate::journal::now_ms(),
            file: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            outcome,
        };
        self.status(|s| {
            match activity.outcome {
                ActivityOutcome::Failed { .. } => s.failed += 1,
                _ => s.signed += 1,
            }
            s.last_activity = Some(activity.clone());
        });
        // Nobody listening is fine: the status holds the last one.
        let _ = self.activity.send(activity);
    }
}

/// Checks the folders (creating output and backup when missing) and returns them canonical.
fn prepare_folders(config: &WatchConfig) -> Result<(PathBuf, PathBuf, PathBuf), WatchError> {
    let input = config
        .input
        .canonicalize()
        .ok()
        .filter(|p| p.is_dir())
        .ok_or_else(|| WatchError::InputMissing(config.input.clone()))?;
    let mut made = Vec::new();
    for folder in [&config.output, &config.backup] {
        std::fs::create_dir_all(folder)
            .and_then(|()| folder.canonicalize())
            .map(|p| made.push(p))
            .map_err(|e| WatchError::FolderUnusable(folder.clone(), e))?;
    }
    let (output, backup) = (made.remove(0), made.remove(0));
    if output == backup || output.starts_with(&input) || backup.starts_with(&input) {
        return Err(WatchError::FoldersOverlap);
    }
    Ok((input, output, backup))
}

/// One settled file, read.
struct Ready {
    path: PathBuf,
    name: String,
    key: String,
    content: Vec<u8>,
}

struct Watcher<'a> {
    client: &'a SignStashClient,
    config: &'a WatchConfig,
    output: PathBuf,
    backup: PathBuf,
    writer: OutputWriter,
    state: WatchState,
    reports: &'a Reports,
    cancel: &'a CancellationToken,
    /// Files to leave alone until then (the service could not be asked, a move failed).
    later: std::collections::HashMap<PathBuf, Instant>,
}

/// Watches until `cancel`; returns an error only if it cannot start.
pub async fn run(
    config: WatchConfig,
    client: SignStashClient,
    reports: Reports,
    cancel: CancellationToken,
) -> Result<(), WatchError> {
    let (input, output, backup) = prepare_folders(&config)?;
    let state_path = match &config.state_file {
        Some(path) => path.clone(),
        None => default_state_path(&input)?,
    };
    let state = WatchState::open(&state_path)?;
    tracing::info!(input = %input.display(), output = %output.display(), backup = %backup.display(), state = %state.path().display(), "watching");

    let (changed_tx, mut changed) = tokio::sync::mpsc::unbounded_channel::<()>();
    let notifier = notify::recommended_watcher(move |_event: notify::Result<notify::Event>| {
        let _ = changed_tx.send(());
    })
    .and_then(|mut w| {
        notify::Watcher::watch(&mut w, &input, notify::RecursiveMode::NonRecursive).map(|()| w)
    });
    let _notifier = match notifier {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(error = %e, "no change notifications for the input folder; rescanning it instead");
            None
        }
    };
    let rescan = if _notifier.is_some() {
        config.rescan
    } else {
        config.settle.min(config.rescan)
    };

    let mut watcher = Watcher {
        client: &client,
        writer: OutputWriter::new(
            OutputDir::Fixed(output.clone()),
            config.name_pattern.clone(),
        ),
        config: &config,
        output,
        backup,
        state,
        reports: &reports,
        cancel: &cancel,
        later: Default::default(),
    };
    let mut settle = Settle::new(config.settle);
    let poll = (config.settle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    reports.status(|s| s.phase = WatchPhase::Watching);
    while !cancel.is_cancelled() {
        let listing = match settle::list(&input) {
            Ok(listing) => listing,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the input folder");
                reports.status(|s| s.problem = Some(format!("{}: {e}", input.display())));
                Vec::new()
            }
        };
        let now = Instant::now();
        watcher.later.retain(|_, until| *until > now);
        // A big drop goes in rounds of what the engine sends at once, so originals move out and
        // the status moves on as it goes rather than at the very end.
        let round = config.batch.budget.max_documents.max(1) * config.batch.max_in_flight.max(1);
        let settled: Vec<Listed> = settle
            .observe(&listing, now)
            .into_iter()
            .filter(|f| !watcher.later.contains_key(&f.path))
            .take(round)
            .collect();
        let waiting = settle.waiting(now);
        reports.status(|s| s.waiting = waiting + settled.len());
        if !settled.is_empty() {
            reports.status(|s| s.phase = WatchPhase::Signing);
            watcher.process(settled).await;
            reports.status(|s| s.phase = WatchPhase::Watching);
            continue;
        }
        let wait = if waiting > 0 { poll } else { rescan };
        tokio::select! {
            _ = changed.recv() => {
                // A burst of events is one rescan.
                while changed.try_recv().is_ok() {}
            }
            _ = tokio::time::sleep(wait) => {}
            _ = cancel.cancelled() => {}
        }
    }
    reports.status(|s| {
        s.phase = WatchPhase::Stopped;
        s.waiting = 0;
    });
    Ok(())
}

impl Watcher<'_> {
    fn lang(&self) -> Lang {
        self.config.batch.lang
    }

    async fn process(&mut self, settled: Vec<Listed>) {
        let mut to_sign = Vec::new();
        for file in settled {
            let name = file
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file.size > self.config.max_file_bytes {
                let limit = self.config.max_file_bytes / 1_048_576;
                let message = match self.lang() {
                    Lang::Pt => format!(
                        "O ficheiro tem {} MB, acima do limite de {limit} MB.",
                        file.size / 1_048_576
                    ),
                    Lang::En => format!(
                        "The file is {} MB, above the {limit} MB limit.",
                        file.size / 1_048_576
                    ),
                };
                self.fail(&file.path, None, failure("input.too_large", message));
                continue;
            }
            let content = match std::fs::read(&file.path) {
                Ok(content) => content,
                Err(e) => {
                    // Still being written by another program, or gone: look again later.
                    tracing::debug!(error = %e, file = %file.path.display(), "not readable yet");
                    self.postpone(&file.path);
                    continue;
                }
            };
            let key = state::fingerprint(&name, &content);
            let ready = Ready {
                path: file.path,
                name,
                key,
                content,
            };
            match self.state.get(&ready.key).map(|e| e.stage) {
                None => to_sign.push(ready),
                Some(Stage::Saved { output, .. }) => {
                    // Saved here before the stop; only the move was left.
                    self.finish_signed(&ready, output, false);
                }
                Some(Stage::Failed { .. }) => {
                    // Its error file was written before the stop; only the move was left.
                    self.move_out(&ready);
                }
                Some(Stage::Sending { reference }) => {
                    if self.recover(&ready, &reference).await {
                        to_sign.push(ready);
                    }
                }
            }
        }
        if !to_sign.is_empty() && !self.cancel.is_cancelled() {
            self.sign(to_sign).await;
        }
    }

    /// `true` when the service never signed it and it should be sent again.
    async fn recover(&mut self, ready: &Ready, reference: &str) -> bool {
        let recovery = recover::recover_by_reference(
            self.client,
            &self.writer,
            &ready.path,
            &ready.content,
            reference,
            self.lang(),
        )
        .await;
        match recovery {
            Recovery::Saved(output) => {
                self.finish_signed(ready, output, true);
                false
            }
            Recovery::NotSigned => {
                let _ = self.state.update(vec![(ready.key.clone(), None)]);
                true
            }
            Recovery::AskLater(failure) => {
                tracing::warn!(code = %failure.code, file = %ready.path.display(), "cannot ask the service about an interrupted file yet");
                self.reports
                    .status(|s| s.problem = Some(failure.message.clone()));
                self.postpone(&ready.path);
                false
            }
            Recovery::Unknown(failure) => {
                self.fail(&ready.path, Some(&ready.key), failure);
                false
            }
        }
    }

    async fn sign(&mut self, ready: Vec<Ready>) {
        let files: Vec<InputFile> = ready
            .iter()
            .map(|r| InputFile {
                path: r.path.clone(),
                size: r.content.len() as u64,
            })
            .collect();
        let keys: Vec<(String, String)> = ready
            .iter()
            .map(|r| (r.key.clone(), r.name.clone()))
            .collect();
        let recorder = StateRecorder {
            state: &self.state,
            files: &keys,
        };
        // Progress events are not needed here: each outcome is reported as an activity.
        let (events, _) = tokio::sync::mpsc::unbounded_channel();
        tracing::info!(documents = files.len(), "signing what arrived");
        let outcomes = batch::run_recorded(
            self.client,
            &self.writer,
            &files,
            &self.config.batch,
            &events,
            self.cancel,
            Some(&recorder),
        )
        .await;
        for (ready, outcome) in ready.iter().zip(outcomes) {
            match outcome.result {
                Ok(output) => self.finish_signed(ready, output, false),
                Err(failure) if failure.code == "batch.cancelled" => {
                    // Stopped before it was sent: it stays in the input folder for next time.
                    if outcome.external_reference.is_none() {
                        let _ = self.state.update(vec![(ready.key.clone(), None)]);
                    }
                }
                Err(failure) => self.fail(&ready.path, Some(&ready.key), failure),
            }
        }
    }

    fn finish_signed(&mut self, ready: &Ready, output: PathBuf, recovered: bool) {
        let backup = self.move_out(ready);
        let outcome = if recovered {
            ActivityOutcome::Recovered { output, backup }
        } else {
            ActivityOutcome::Signed { output, backup }
        };
        self.reports.activity(&ready.path, outcome);
    }

    /// Writes the error file, records it, moves the original out and reports.
    fn fail(&mut self, path: &Path, key: Option<&str>, failure: Failure) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = files::error_text(
            &name,
            &failure.message,
            &failure.code,
            &self.backup,
            self.lang(),
        );
        let error_file = match files::write_error_file(path, &self.output, &text) {
            Ok(file) => Some(file),
            Err(e) => {
                tracing::warn!(error = %e, file = %path.display(), "could not write the error file");
                self.reports.status(|s| s.problem = Some(e.clone()));
                self.postpone(path);
                return;
            }
        };
        // Recorded so that, if the move fails, the file is not sent (or explained) again.
        if let Some(key) = key {
            let entry = Entry {
                name: name.clone(),
                stage: Stage::Failed {
                    code: failure.code.clone(),
                },
            };
            if let Err(e) = self.state.update(vec![(key.to_string(), Some(entry))]) {
                tracing::warn!(error = %e, "could not record a failed file");
            }
        }
        let backup = match files::move_into(path, &self.backup) {
            Ok(moved) => {
                if let Some(key) = key {
                    let _ = self.state.update(vec![(key.to_string(), None)]);
                }
                Some(moved)
            }
            Err(e) => {
                self.move_failed(path, &e);
                None
            }
        };
        self.reports.activity(
            path,
            ActivityOutcome::Failed {
                code: failure.code,
                message: failure.message,
                error_file,
                backup,
            },
        );
    }

    /// Moves the original to the backup folder and forgets it; on failure it is tried again later
    /// (the state keeps it from being signed again meanwhile).
    fn move_out(&mut self, ready: &Ready) -> Option<PathBuf> {
        match files::move_into(&ready.path, &self.backup) {
            Ok(moved) => {
                if let Err(e) = self.state.update(vec![(ready.key.clone(), None)]) {
                    tracing::warn!(error = %e, "could not update the watch state");
                }
                self.reports.status(|s| s.problem = None);
                Some(moved)
            }
            Err(e) => {
                self.move_failed(&ready.path, &e);
                None
            }
        }
    }

    fn move_failed(&mut self, path: &Path, e: &std::io::Error) {
        tracing::warn!(error = %e, file = %path.display(), "could not move the original to the backup folder");
        let message = match self.lang() {
            Lang::Pt => format!(
                "Não foi possível mover {} para a pasta de cópias {} ({e}). Será tentado de novo.",
                path.display(),
                self.backup.display()
            ),
            Lang::En => format!(
                "{} could not be moved to the backup folder {} ({e}). It will be tried again.",
                path.display(),
                self.backup.display()
            ),
        };
        self.reports.status(|s| s.problem = Some(message));
        self.postpone(path);
    }

    fn postpone(&mut self, path: &Path) {
        self.later
            .insert(path.to_path_buf(), Instant::now() + self.config.rescan);
    }
}

fn failure(code: &str, message: String) -> Failure {
    Failure {
        code: code.into(),
        message,
    }
}
