//! Finishing a batch that a crash or a kill interrupted, without losing a document or signing one
//! twice. The journal says which documents were sent and with which externalReferences:
//!
//! 1. unfinished documents are marked interrupted, and the temporary files the dead process left
//!    in the output folders are removed ([`recover`]; the app may call it alone at start);
//! 2. each request that was sent is looked up by reference on the hosted service: if it was
//!    signed, the signed content is fetched, verified and saved, not signed again;
//! 3. a sent request the service does not know is sent again with the *same* references, so a
//!    request the service was still processing is refused (`0.0.7`) instead of signed twice, and is
//!    then waited for; on a Proxy Client (no look-up) such a refusal is reported, not resent;
//! 4. documents never sent go through the batch engine as a normal batch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::batch::{self, BatchOptions, Event, Failure, Prepared};
use crate::client::SignStashClient;
use crate::detect;
use crate::error::{Lang, SignStashError};
use crate::inputs::InputFile;
use crate::journal::{
    sha256_hex, BatchRecord, DocState, DocumentRecord, Journal, JournalError, JournalRecorder,
};
use crate::model::{SignOperation, SignStatus};
use crate::output::{NamePattern, OutputDir, OutputWriter, SIGNED_FOLDER};
use crate::verify;

#[derive(Clone, Debug)]
pub struct ResumeOptions {
    /// How long to wait for a request the service holds but has not finished (it was in flight
    /// when the process died).
    pub settle: Duration,
    /// Language of failure messages; the batch's own when `None`.
    pub lang: Option<Lang>,
}

impl Default for ResumeOptions {
    fn default() -> Self {
        Self {
            settle: Duration::from_secs(120),
            lang: None,
        }
    }
}

/// What a resume did, in numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeReport {
    pub batch_id: i64,
    /// Documents found unfinished.
    pub interrupted: usize,
    pub temp_files_removed: usize,
    /// Signed before the crash: fetched from the service and saved, not signed again.
    pub recovered: usize,
    /// Signed before the crash on a Proxy Client, which cannot return them again.
    pub signed_not_retrievable: usize,
    /// Sent before the crash, unknown to the service, sent again with the same references.
    pub resent: usize,
    /// Never sent before the crash; signed now.
    pub sent_now: usize,
    /// The batch's totals afterwards.
    pub saved: usize,
    pub failed: usize,
    /// Still unfinished (service unreachable, request not settled): run resume again.
    pub still_open: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("there is no interrupted batch to resume")]
    NothingToResume,
    #[error("batch {batch} is still being signed by process {pid}")]
    StillRunning { batch: i64, pid: u32 },
    #[error("batch {batch} was signed with {recorded}, not with {given}")]
    OtherEnvironment {
        batch: i64,
        recorded: String,
        given: String,
    },
    #[error("the batch's file name pattern is not valid: {0}")]
    Pattern(String),
}

impl ResumeError {
    pub fn code(&self) -> &'static str {
        match self {
            ResumeError::Journal(e) => e.code(),
            ResumeError::NothingToResume => "resume.nothing",
            ResumeError::StillRunning { .. } => "resume.still_running",
            ResumeError::OtherEnvironment { .. } => "resume.other_environment",
            ResumeError::Pattern(_) => "resume.pattern",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, e) => e.to_string(),
            (Lang::Pt, ResumeError::Journal(e)) => e.message(lang),
            (Lang::Pt, ResumeError::NothingToResume) => {
                "Não há nenhum lote interrompido para retomar.".into()
            }
            (Lang::Pt, ResumeError::StillRunning { batch, pid }) => {
                format!("O lote {batch} ainda está a ser assinado pelo processo {pid}.")
            }
            (
                Lang::Pt,
                ResumeError::OtherEnvironment {
                    batch, recorded, ..
                },
            ) => {
                format!("O lote {batch} foi assinado em {recorded}; retome-o nesse ambiente.")
            }
            (Lang::Pt, ResumeError::Pattern(p)) => {
                format!("O padrão de nomes do lote não é válido: {p}")
            }
        }
    }
}

/// The newest batch with unfinished documents, only among those sent to `api_base` if given.
pub fn latest_unfinished(
    journal: &Journal,
    api_base: Option<&str>,
) -> Result<Option<i64>, ResumeError> {
    for id in journal.unfinished_batches()? {
        let batch = journal.batch(id)?;
        if api_base.is_none_or(|base| same_base(base, &batch.api_base)) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn same_base(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Whether `pid` is a live signstash process (Linux; elsewhere pids are not checked).
fn is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        // A killed process stays a zombie until its parent reaps it: dead all the same.
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X']))
        });
        !zombie
            && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.trim().starts_with("signstash"))
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

fn writer_for(batch: &BatchRecord) -> Result<OutputWriter, ResumeError> {
    let pattern = NamePattern::new(&batch.output.name_pattern)
        .map_err(|e| ResumeError::Pattern(e.to_string()))?;
    let dir = match &batch.output.folder {
        Some(folder) => OutputDir::Fixed(folder.clone()),
        None => OutputDir::SignedFolderBeside,
    };
    Ok(OutputWriter::new(dir, pattern))
}

/// Step 1: marks the batch's unfinished documents interrupted and removes the temporary files its
/// dead processes left in the output folders. Returns (documents interrupted, files removed).
pub fn recover(journal: &Journal, batch_id: i64) -> Result<(usize, usize), ResumeError> {
    let batch = journal.batch(batch_id)?;
    if let Some(&pid) = batch.pids.iter().find(|&&pid| is_running(pid)) {
        return Err(ResumeError::StillRunning {
            batch: batch_id,
            pid,
        });
    }
    journal.mark_interrupted(batch_id)?;
    let documents = journal.documents(batch_id)?;
    let interrupted = documents
        .iter()
        .filter(|d| d.state == DocState::Interrupted)
        .count();
    let mut folders: Vec<PathBuf> = match &batch.output.folder {
        Some(folder) => vec![folder.clone()],
        None => documents
            .iter()
            .map(|d| {
                d.input_path
                    .parent()
                    .unwrap_or_else(|| Path::new("."))
                    .join(SIGNED_FOLDER)
            })
            .collect(),
    };
    folders.sort();
    folders.dedup();
    let dead: Vec<u32> = batch
        .pids
        .iter()
        .copied()
        .filter(|&p| p != std::process::id())
        .collect();
    let mut removed = 0;
    for folder in &folders {
        removed += remove_stale_temps(folder, &dead);
    }
    Ok((interrupted, removed))
}

/// Removes `.signstash-<pid>-<n>.tmp` files of the given (dead) processes; only ours, only those.
fn remove_stale_temps(folder: &Path, pids: &[u32]) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let prefixes: Vec<String> = pids.iter().map(|p| format!(".signstash-{p}-")).collect();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = name.ends_with(".tmp") && prefixes.iter().any(|p| name.starts_with(p));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(file = %entry.path().display(), error = %e, "stale temporary file not removed")
                }
            }
        }
    }
    removed
}

struct Resumer<'a> {
    journal: &'a Journal,
    batch: BatchRecord,
    client: &'a SignStashClient,
    writer: OutputWriter,
    lang: Lang,
    options: &'a ResumeOptions,
    events: &'a UnboundedSender<Event>,
    report: ResumeReport,
}

fn text(lang: Lang, pt: &str, en: &str) -> String {
    if lang == Lang::Pt { pt } else { en }.to_string()
}

/// Resumes `batch_id` with `client` (same environment as the batch). Progress events carry each
/// document's place in the batch's input list.
pub async fn run(
    journal: &Journal,
    batch_id: i64,
    client: &SignStashClient,
    options: &ResumeOptions,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> Result<ResumeReport, ResumeError> {
    let batch = journal.batch(batch_id)?;
    if !same_base(&batch.api_base, &client.environment().api_base) {
        return Err(ResumeError::OtherEnvironment {
            batch: batch_id,
            recorded: batch.api_base.clone(),
            given: client.environment().api_base.clone(),
        });
    }
    let (interrupted, temp_files_removed) = recover(journal, batch_id)?;
    journal.add_run(batch_id)?;
    let writer = writer_for(&batch)?;
    let lang = options.lang.unwrap_or(batch.settings.lang);
    let mut resumer = Resumer {
        journal,
        batch,
        client,
        writer,
        lang,
        options,
        events,
        report: ResumeReport {
            batch_id,
            interrupted,
            temp_files_removed,
            ..ResumeReport::default()
        },
    };
    let open: Vec<DocumentRecord> = journal
        .documents(batch_id)?
        .into_iter()
        .filter(|d| d.state == DocState::Interrupted)
        .collect();
    let mut sent: BTreeMap<String, Vec<DocumentRecord>> = BTreeMap::new();
    let mut unsent = Vec::new();
    for document in open {
        match document.request_reference.clone() {
            Some(request) if document.external_reference.is_some() => {
                sent.entry(request).or_default().push(document)
            }
            _ => unsent.push(document),
        }
    }
    for (request_reference, documents) in sent {
        if cancel.is_cancelled() {
            break;
        }
        resumer.settle_request(&request_reference, documents).await;
    }
    if !cancel.is_cancelled() {
        resumer.sign_unsent(unsent, cancel).await;
    }
    journal.finish_batch_if_done(batch_id)?;
    let mut report = resumer.report;
    for document in journal.documents(batch_id)? {
        match document.state {
            DocState::Saved => report.saved += 1,
            DocState::Failed => report.failed += 1,
            _ => report.still_open += 1,
        }
    }
    Ok(report)
}

/// A document read again from disk for a request that was sent before.
struct Reread {
    record: DocumentRecord,
    prepared: Option<Prepared>,
    /// The original as read again now (empty when it could not be).
    bytes: Vec<u8>,
}

impl Resumer<'_> {
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn index(document: &DocumentRecord) -> usize {
        usize::try_from(document.position).unwrap_or(usize::MAX)
    }

    fn fail(&self, document: &DocumentRecord, code: &str, message: String) {
        if let Err(e) = self.journal.record_failed(
            document.id,
            document.external_reference.as_deref(),
            code,
            &message,
        ) {
            tracing::error!(error = %e, "could not record a failure in the journal");
        }
        self.emit(Event::Failed {
            index: Self::index(document),
            failure: Failure {
                code: code.into(),
                message,
            },
        });
    }

    /// Left open for a later resume (the service could not be asked).
    fn leave_open(&self, document: &DocumentRecord, code: &str, message: String) {
        if let Err(e) = self.journal.record_interrupted(document.id, code, &message) {
            tracing::error!(error = %e, "could not record an open document in the journal");
        }
        self.emit(Event::Failed {
            index: Self::index(document),
            failure: Failure {
                code: code.into(),
                message,
            },
        });
    }

    fn saved(&self, document: &DocumentRecord, output: PathBuf, operation_id: Option<i64>) {
        if let Err(e) = self
            .journal
            .record_saved(document.id, &output, operation_id)
        {
            tracing::error!(error = %e, "could not record a saved document in the journal");
        }
        self.emit(Event::Saved {
            index: Self::index(document),
            output,
        });
    }

    /// Reads the input again; it must be what was sent.
    fn reread(&self, record: DocumentRecord) -> Reread {
        let Some(reference) = record.external_reference.clone() else {
            return Reread {
                record,
                prepared: None,
                bytes: Vec::new(),
            };
        };
        let bytes = match std::fs::read(&record.input_path) {
            Ok(bytes) => bytes,
            Err(e) => {
                let message = if self.lang == Lang::Pt {
                    format!("O original já não pode ser lido ({e}); nada foi gravado.")
                } else {
                    format!("The original can no longer be read ({e}); nothing was saved.")
                };
                self.fail(&record, "input.unreadable", message);
                return Reread {
                    record,
                    prepared: None,
                    bytes: Vec::new(),
                };
            }
        };
        if record
            .sent_sha256
            .as_deref()
            .is_some_and(|sha| sha != sha256_hex(&bytes))
        {
            let message = text(
                self.lang,
                "O original foi alterado depois de enviado; a assinatura não corresponderia. Assine-o de novo.",
                "The original was changed after it was sent; the signature would not match. Sign it again.",
            );
            self.fail(&record, "input.changed", message);
            return Reread {
                record,
                prepared: None,
                bytes: Vec::new(),
            };
        }
        let kind = match detect::detect(&bytes) {
            Ok(kind) => kind,
            Err(e) => {
                self.fail(&record, e.code(), e.message(self.lang));
                return Reread {
                    record,
                    prepared: None,
                    bytes: Vec::new(),
                };
            }
        };
        let index = Self::index(&record);
        Reread {
            record,
            prepared: Some(Prepared {
                index,
                kind,
                size: bytes.len() as u64,
                reference,
                hashed: None,
            }),
            bytes,
        }
    }

    /// Steps 2 and 3 for one request that was sent before the crash.
    async fn settle_request(&mut self, request_reference: &str, documents: Vec<DocumentRecord>) {
        let documents: Vec<Reread> = documents.into_iter().map(|d| self.reread(d)).collect();
        let ready: Vec<&Reread> = documents.iter().filter(|d| d.prepared.is_some()).collect();
        let Some(first) = ready.first() else { return };
        let first_reference = first.record.external_reference.clone().unwrap_or_default();
        let hosted = self.client.environment().hosted;
        if hosted {
            match self
                .client
                .operation_id_by_reference(&first_reference)
                .await
            {
                Ok(Some(id)) => {
                    return self.fetch_and_save(id, &ready, true).await;
                }
                Ok(None) => {}
                Err(e) => return self.leave_all_open(&ready, &e),
            }
        }
        // Unknown to the service (or a Proxy Client, which cannot be asked): send the same
        // references again. Whatever the service did with them, it cannot sign them twice.
        let prepared: Vec<Prepared> = ready
            .iter()
            .filter_map(|d| d.prepared.as_ref())
            .map(|p| Prepared {
                index: p.index,
                kind: p.kind,
                size: p.size,
                reference: p.reference.clone(),
                hashed: None,
            })
            .collect();
        let mut request = batch::build_request(request_reference, &prepared, &self.batch_options());
        // A resend is rare and small: the contents go in the request itself, not streamed.
        for (document, reread) in request.documents.iter_mut().zip(ready.iter()) {
            document.document_request.base64_content = STANDARD.encode(&reread.bytes);
        }
        for document in &ready {
            self.emit(Event::Sending {
                index: Self::index(&document.record),
                attempt: 1,
            });
        }
        match self.client.sign_base64(&request).await {
            Ok(operation) => {
                self.report.resent += ready.len();
                self.save_operation(&operation, &ready, false);
            }
            Err(e) if e.code() == "api.reused_reference" && hosted => {
                // The service holds these references: the request was still being processed.
                self.wait_for(&first_reference, &ready, &e).await;
            }
            Err(e) if e.code() == "api.reused_reference" => {
                for document in &ready {
                    // Killed between writing the output and recording it: it is on disk.
                    if let Some(output) = self.output_saved_before_crash(document) {
                        self.saved(&document.record, output, None);
                        continue;
                    }
                    self.report.signed_not_retrievable += 1;
                    let reference = document.record.external_reference.as_deref().unwrap_or("");
                    let message = if self.lang == Lang::Pt {
                        format!("O serviço já assinou este documento antes da interrupção (referência {reference}), mas um Proxy Client não o pode devolver de novo. Procure-o no serviço ou assine de novo.")
                    } else {
                        format!("The service had already signed this document before the interruption (reference {reference}), but a Proxy Client cannot return it again. Look it up on the service or sign it again.")
                    };
                    self.fail(&document.record, "resume.signed_not_retrievable", message);
                }
            }
            Err(e) if e.is_retryable() || lost_answer(&e) => self.leave_all_open(&ready, &e),
            Err(e) => {
                for document in &ready {
                    self.fail(&document.record, e.code(), e.message(self.lang));
                }
            }
        }
    }

    /// Polls the look-up until the service has finished the request it holds.
    async fn wait_for(&mut self, reference: &str, ready: &[&Reread], refusal: &SignStashError) {
        let started = Instant::now();
        let mut pause = Duration::from_millis(200);
        while started.elapsed() < self.options.settle {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
            match self.client.operation_id_by_reference(reference).await {
                Ok(Some(id)) => return self.fetch_and_save(id, ready, true).await,
                Ok(None) => continue,
                Err(e) if e.is_retryable() || lost_answer(&e) => continue,
                Err(e) => return self.leave_all_open(ready, &e),
            }
        }
        self.leave_all_open(ready, refusal);
    }

    async fn fetch_and_save(&mut self, operation_id: i64, ready: &[&Reread], recovered: bool) {
        match self.client.operation_detail(operation_id, true).await {
            Ok(operation) => self.save_operation(&operation, ready, recovered),
            Err(e) => self.leave_all_open(ready, &e),
        }
    }

    fn leave_all_open(&self, ready: &[&Reread], error: &SignStashError) {
        for document in ready {
            let message = if self.lang == Lang::Pt {
                format!(
                    "{} O documento continua por concluir: execute `signstash resume` de novo.",
                    error.message(self.lang)
                )
            } else {
                format!(
                    "{} The document is still unfinished: run `signstash resume` again.",
                    error.message(self.lang)
                )
            };
            self.leave_open(&document.record, error.code(), message);
        }
    }

    fn save_operation(&mut self, operation: &SignOperation, ready: &[&Reread], recovered: bool) {
        for document in ready {
            let (Some(prepared), Some(reference)) = (
                document.prepared.as_ref(),
                document.record.external_reference.as_deref(),
            ) else {
                continue;
            };
            let answer = operation
                .document_list
                .iter()
                .find(|d| d.external_reference.as_deref() == Some(reference));
            let Some(answer) = answer else {
                let message = text(
                    self.lang,
                    "O serviço não devolveu este documento. Assine-o de novo.",
                    "The service did not return this document. Sign it again.",
                );
                self.fail(&document.record, "answer.document_missing", message);
                continue;
            };
            if answer.sign_status != Some(SignStatus::Signed) {
                let code = format!(
                    "sign.{}",
                    answer
                        .sign_error
                        .as_ref()
                        .map_or("ERROR_SIGNING", |e| e.as_str())
                );
                let message = batch::sign_error_message(answer.sign_error.as_ref(), self.lang);
                self.fail(&document.record, &code, message);
                continue;
            }
            let Some(Ok(signed)) = answer
                .signed_content
                .as_deref()
                .map(|c| STANDARD.decode(c.trim()))
            else {
                let message = text(
                    self.lang,
                    "O serviço devolveu o documento assinado num formato ilegível; nada foi gravado.",
                    "The service returned the signed document in an unreadable form; nothing was saved.",
                );
                self.fail(&document.record, "answer.bad_content", message);
                continue;
            };
            if let Err(e) = verify::verify_signed(prepared.kind, &document.bytes, &signed) {
                self.fail(&document.record, e.code(), e.to_string());
                continue;
            }
            self.emit(Event::Signed {
                index: prepared.index,
            });
            // Killed between saving and recording: the same bytes are already there.
            let input = &document.record.input_path;
            if let Some(existing) = self.writer.identical_output(input, &signed) {
                self.saved(&document.record, existing, operation.id);
            } else {
                match self.writer.write(input, &signed) {
                    Ok(output) => self.saved(&document.record, output, operation.id),
                    Err(e) => {
                        self.fail(&document.record, e.code(), e.to_string());
                        continue;
                    }
                }
            }
            if recovered {
                self.report.recovered += 1;
            }
        }
    }

    /// An output written since the batch began that is a verified signed version of this
    /// document's original (its answer cannot be fetched again to compare bytes), if any.
    fn output_saved_before_crash(&self, document: &Reread) -> Option<PathBuf> {
        let kind = document.prepared.as_ref()?.kind;
        let preferred = self.writer.output_path_for(&document.record.input_path);
        let folder = preferred.parent()?;
        let stem = preferred.file_stem()?.to_str()?.to_owned();
        let since = std::time::UNIX_EPOCH
            + Duration::from_millis(u64::try_from(self.batch.created_at).unwrap_or(0));
        std::fs::read_dir(folder)
            .ok()?
            .flatten()
            .filter(|e| {
                e.file_name().to_str().is_some_and(|n| n.starts_with(&stem))
                    && e.metadata().is_ok_and(|m| {
                        m.is_file() && m.modified().is_ok_and(|modified| modified >= since)
                    })
            })
            .map(|e| e.path())
            .find(|path| {
                std::fs::read(path).is_ok_and(|candidate| {
                    verify::verify_signed(kind, &document.bytes, &candidate).is_ok()
                })
            })
    }

    fn batch_options(&self) -> BatchOptions {
        let settings = &self.batch.settings;
        BatchOptions {
            budget: settings.budget(),
            max_in_flight: settings.max_in_flight.max(1),
            signature: settings.signature.clone(),
            lang: self.lang,
            description: if settings.description.is_empty() {
                BatchOptions::default().description
            } else {
                settings.description.clone()
            },
            // Keyed by position in the batch, as the resent requests number their documents.
            visible_per_document: settings.visible_per_document.clone(),
            ..BatchOptions::default()
        }
    }

    /// Step 4: documents never sent, as a normal batch (new references).
    async fn sign_unsent(&mut self, unsent: Vec<DocumentRecord>, cancel: &CancellationToken) {
        let mut files = Vec::new();
        let mut records = Vec::new();
        for record in unsent {
            match std::fs::metadata(&record.input_path) {
                Ok(meta) if meta.len() != record.input_size => {
                    let message = text(
                        self.lang,
                        "O original mudou de tamanho depois de entrar na fila; não foi assinado. Junte-o de novo.",
                        "The original changed size after it was queued; it was not signed. Add it again.",
                    );
                    self.fail(&record, "input.changed", message);
                }
                Ok(meta) => {
                    files.push(InputFile {
                        path: record.input_path.clone(),
                        size: meta.len(),
                    });
                    records.push(record);
                }
                Err(e) => {
                    let message = if self.lang == Lang::Pt {
                        format!("O original já não pode ser lido ({e}).")
                    } else {
                        format!("The original can no longer be read ({e}).")
                    };
                    self.fail(&record, "input.unreadable", message);
                }
            }
        }
        if files.is_empty() {
            return;
        }
        let recorder = JournalRecorder {
            journal: self.journal,
            document_ids: records.iter().map(|r| r.id).collect(),
        };
        // The engine numbers the subset; the caller sees places in the whole batch.
        let positions: Vec<usize> = records.iter().map(Self::index).collect();
        let mut options = self.batch_options();
        // Placements are keyed by position in the batch too: each placed PDF keeps its own box.
        options.visible_per_document = positions
            .iter()
            .enumerate()
            .filter_map(|(i, position)| {
                let placed = self.batch.settings.visible_per_document.get(position)?;
                Some((i, placed.clone()))
            })
            .collect();
        let (inner, mut inner_events) = tokio::sync::mpsc::unbounded_channel();
        let outer = self.events.clone();
        let forward = async move {
            while let Some(event) = inner_events.recv().await {
                let _ = outer.send(renumber(event, &positions));
            }
        };
        let work = async {
            let outcomes = batch::run_recorded(
                self.client,
                &self.writer,
                &files,
                &options,
                &inner,
                cancel,
                Some(&recorder),
            )
            .await;
            drop(inner);
            outcomes
        };
        let (outcomes, ()) = tokio::join!(work, forward);
        self.report.sent_now += outcomes.iter().filter(|o| o.result.is_ok()).count();
    }
}

fn renumber(event: Event, positions: &[usize]) -> Event {
    let at = |i: usize| positions.get(i).copied().unwrap_or(i);
    match event {
        Event::Queued { index, path } => Event::Queued {
            index: at(index),
            path,
        },
        Event::Sending { index, attempt } => Event::Sending {
            index: at(index),
            attempt,
        },
        Event::Signed { index } => Event::Signed { index: at(index) },
        Event::Saved { index, output } => Event::Saved {
            index: at(index),
            output,
        },
        Event::Failed { index, failure } => Event::Failed {
            index: at(index),
            failure,
        },
    }
}

/// An error after which the service may or may not have the request: ask again later.
fn lost_answer(error: &SignStashError) -> bool {
    matches!(
        error.code(),
        "net.timeout" | "net.connection_lost" | "answer.malformed" | "answer.too_large"
    ) || error.http_status().is_some_and(|status| status >= 500)
}
