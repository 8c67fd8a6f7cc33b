//! Runs a batch: each planned request is read, sent, retried and checked on its own; a bounded
//! number run at once. Every document ends as exactly one of: signed, verified and saved; or failed
//! with a reason.

use std::collections::HashMap;
use std::io::Read;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::{plan, sign_errors, BatchOptions, Event, Failure, Outcome, Recorder};
use crate::client::{InvalidContent, SignStashClient, SignedContent};
use crate::detect::{self, DocumentKind};
use crate::error::{Lang, SignStashError};
use crate::inputs::InputFile;
use crate::model::{
    Base64Document, ContentType, SignDocument, SignOperation, SignRequest, SignStatus,
    SignatureInfo, SignatureType,
};
use crate::output::{sync_dir, OutputWriter, Staged};
use crate::verify;

/// A document checked and ready to send. Its content is not held: it is streamed from the file
/// into the request, and the signed copy is compared with the file.
pub(crate) struct Prepared {
    pub(crate) index: usize,
    pub(crate) kind: DocumentKind,
    pub(crate) size: u64,
    pub(crate) reference: String,
    /// The SHA-256 state after the file's bytes, when they were hashed for the journal.
    pub(crate) hashed: Option<verify::HashedOriginal>,
}

/// How much of a file is read to tell a PDF from an XML (the whole file when smaller).
const DETECT_BYTES: usize = 64 * 1024;

/// A file as read once before it is sent.
struct Examined {
    /// Told from its start.
    kind: Result<DocumentKind, detect::DetectError>,
    size: u64,
    /// For the journal: the SHA-256 over the whole file, which verify-before-save reuses.
    hashed: Option<verify::HashedOriginal>,
}

/// Reads the start of a file to tell its kind and, when `hash`, hashes all of it in the same
/// pass. `buffer` is reused from one file to the next.
fn examine(path: &std::path::Path, hash: bool, buffer: &mut Vec<u8>) -> std::io::Result<Examined> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    buffer.clear();
    (&mut file).take(DETECT_BYTES as u64).read_to_end(buffer)?;
    let kind = detect::detect(buffer);
    if !hash || kind.is_err() {
        return Ok(Examined {
            kind,
            size,
            hashed: None,
        });
    }
    let mut hashed = verify::HashedOriginal {
        state: sha2::Sha256::new(),
        length: buffer.len(),
    };
    hashed.state.update(&buffer[..]);
    buffer.resize(DETECT_BYTES, 0);
    loop {
        match file.read(buffer) {
            Ok(0) => break,
            Ok(n) => {
                hashed.state.update(&buffer[..n]);
                hashed.length += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Examined {
        kind,
        size,
        hashed: Some(hashed),
    })
}

/// A sign answer: the operation, and each document's signed content by externalReference.
struct Answered {
    operation: SignOperation,
    contents: HashMap<String, SignedContent>,
}

impl Answered {
    /// From an operation read whole (the recovery path): its contents decoded and taken out.
    fn from_operation(mut operation: SignOperation) -> Self {
        let mut contents = HashMap::new();
        for document in &mut operation.document_list {
            if let (Some(reference), Some(content)) = (
                document.external_reference.clone(),
                document.signed_content.take(),
            ) {
                contents.entry(reference).or_insert_with(|| {
                    SignedContent::Decoded(
                        STANDARD.decode(content.trim()).map_err(|_| InvalidContent),
                    )
                });
            }
        }
        Self {
            operation,
            contents,
        }
    }
}

struct Context<'a> {
    client: &'a SignStashClient,
    writer: &'a OutputWriter,
    files: &'a [InputFile],
    options: &'a BatchOptions,
    events: &'a UnboundedSender<Event>,
    cancel: &'a CancellationToken,
    recorder: Option<&'a dyn Recorder>,
    /// Requests at the service at once (`max_in_flight`).
    service: tokio::sync::Semaphore,
}

impl Context<'_> {
    fn emit(&self, event: Event) {
        // Nobody listening is fine: the outcomes are returned anyway.
        let _ = self.events.send(event);
    }

    fn fail(&self, index: usize, reference: Option<String>, failure: Failure) -> Outcome {
        if let Some(recorder) = self.recorder {
            recorder.failed(index, reference.as_deref(), &failure);
        }
        self.emit(Event::Failed {
            index,
            failure: failure.clone(),
        });
        Outcome {
            input: self.files[index].path.clone(),
            external_reference: reference,
            operation_id: None,
            result: Err(failure),
        }
    }
}

fn failure(code: impl Into<String>, message: impl Into<String>) -> Failure {
    Failure {
        code: code.into(),
        message: message.into(),
    }
}

fn service_failure(error: &SignStashError, lang: Lang) -> Failure {
    failure(error.code(), error.message(lang))
}

fn cancelled(lang: Lang) -> Failure {
    let message = if lang == Lang::Pt {
        "Cancelado antes de ser enviado."
    } else {
        "Cancelled before it was sent."
    };
    failure("batch.cancelled", message)
}

/// Signs `files`; `outcomes[i]` belongs to `files[i]`.
pub async fn run(
    client: &SignStashClient,
    writer: &OutputWriter,
    files: &[InputFile],
    options: &BatchOptions,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> Vec<Outcome> {
    run_recorded(client, writer, files, options, events, cancel, None).await
}

/// [`run`], telling `recorder` (the journal) of each step as it happens.
pub async fn run_recorded(
    client: &SignStashClient,
    writer: &OutputWriter,
    files: &[InputFile],
    options: &BatchOptions,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
    recorder: Option<&dyn Recorder>,
) -> Vec<Outcome> {
    let context = Context {
        client,
        writer,
        files,
        options,
        events,
        cancel,
        recorder,
        service: tokio::sync::Semaphore::new(options.max_in_flight.max(1)),
    };
    for (index, file) in files.iter().enumerate() {
        context.emit(Event::Queued {
            index,
            path: file.path.clone(),
        });
    }
    let groups = plan::plan_ramped(files, options.budget);
    let mut outcomes: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    let mut finished =
        futures_util::stream::iter(groups.into_iter().map(|group| sign_group(&context, group)))
            .buffer_unordered(options.max_in_flight.max(1) + lookahead(files));
    while let Some(group_outcomes) = finished.next().await {
        for (index, outcome) in group_outcomes {
            outcomes[index] = Some(outcome);
        }
    }
    outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| {
            outcome.unwrap_or_else(|| {
                context.fail(
                    index,
                    None,
                    failure("batch.lost", "internal error: no outcome"),
                )
            })
        })
        .collect()
}

/// Documents up to this size let one more request be read, prepared or saved beside those at the
/// service.
const LOOKAHEAD_MAX_DOCUMENT: u64 = 1024 * 1024;

/// Requests worked on beyond those at the service. With one more, the service is not left
/// waiting while the client saves one answer and prepares the next request (about 7 % less wall
/// time for 1,000 × 200 KiB at 0 ms, client alone against one sandbox). Only for small documents: a large one is
/// held whole while it is saved, and the memory bound counts the requests in flight.
fn lookahead(files: &[InputFile]) -> usize {
    usize::from(files.iter().all(|f| f.size <= LOOKAHEAD_MAX_DOCUMENT))
}

fn new_reference() -> String {
    format!("ssd-{}", uuid::Uuid::new_v4().simple())
}

async fn sign_group(context: &Context<'_>, group: Vec<usize>) -> Vec<(usize, Outcome)> {
    let lang = context.options.lang;
    let mut outcomes = Vec::with_capacity(group.len());
    let request_reference = new_reference();
    let mut prepared = Vec::with_capacity(group.len());
    // Each file is read once here, off the async task (which also drives the other requests in
    // flight): its start tells its kind and, with a journal, the whole of it is fingerprinted so
    // that resume can tell whether it changed since it was sent.
    let paths: Vec<std::path::PathBuf> = group
        .iter()
        .map(|&index| context.files[index].path.clone())
        .collect();
    let hash = context.recorder.is_some();
    let examined = tokio::task::spawn_blocking(move || {
        let mut buffer = Vec::with_capacity(DETECT_BYTES);
        paths
            .iter()
            .map(|path| examine(path, hash, &mut buffer))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_else(|e| {
        let lost = || Err(std::io::Error::other(format!("internal error: {e}")));
        group.iter().map(|_| lost()).collect()
    });
    for (n, (index, examined)) in group.into_iter().zip(examined).enumerate() {
        let reference = format!("{request_reference}-{n}");
        let Examined { kind, size, hashed } = match examined {
            Ok(examined) => examined,
            Err(e) => {
                let message = if lang == Lang::Pt {
                    format!("Não foi possível ler o ficheiro: {e}")
                } else {
                    format!("The file could not be read: {e}")
                };
                outcomes.push((
                    index,
                    context.fail(index, None, failure("input.unreadable", message)),
                ));
                continue;
            }
        };
        if size != context.files[index].size {
            let message = if lang == Lang::Pt {
                "O ficheiro mudou depois de ser posto na fila; não foi enviado. Junte-o de novo."
            } else {
                "The file changed after it was queued; it was not sent. Add it again."
            };
            outcomes.push((
                index,
                context.fail(index, None, failure("input.changed", message)),
            ));
            continue;
        }
        match kind {
            Ok(kind) => prepared.push(Prepared {
                index,
                kind,
                size,
                reference,
                hashed,
            }),
            Err(e) => outcomes.push((
                index,
                context.fail(index, None, failure(e.code(), e.message(lang))),
            )),
        }
    }
    if prepared.is_empty() {
        return outcomes;
    }
    if let Some(recorder) = context.recorder {
        use sha2::Digest;
        let sent: Vec<(usize, &str, String)> = prepared
            .iter()
            .map(|d| {
                let sha256 = d.hashed.as_ref().map_or_else(String::new, |h| {
                    crate::journal::hex(&h.state.clone().finalize())
                });
                (d.index, d.reference.as_str(), sha256)
            })
            .collect();
        if let Err(e) = recorder.sending(&request_reference, &sent) {
            // Unrecorded, a crash could leave it signed with nobody knowing: not sent.
            let journal_failure = failure("journal.unwritable", e);
            for document in prepared {
                let index = document.index;
                outcomes.push((index, context.fail(index, None, journal_failure.clone())));
            }
            return outcomes;
        }
    }
    let request = build_request(&request_reference, &prepared, context.options);
    let answer = send_with_retries(context, &request, &prepared).await;
    match answer {
        Ok(mut answered) => {
            let mut saves = Vec::new();
            for document in prepared {
                let index = document.index;
                match finish_document(context, &mut answered, document) {
                    Finish::Done(outcome) => outcomes.push((index, outcome)),
                    Finish::Save(job) => saves.push(job),
                }
            }
            drop(answered);
            outcomes.extend(save_all(context, saves).await);
        }
        Err(failure) => {
            for document in prepared {
                let index = document.index;
                outcomes.push((
                    index,
                    context.fail(index, Some(document.reference), failure.clone()),
                ));
            }
        }
    }
    outcomes
}

pub(crate) fn build_request(
    reference: &str,
    prepared: &[Prepared],
    options: &BatchOptions,
) -> SignRequest {
    let signature = &options.signature;
    let documents = prepared
        .iter()
        .map(|document| {
            let (content_type, mut info) = match document.kind {
                DocumentKind::Pdf => {
                    let mut info = SignatureInfo::new(SignatureType::PAdES);
                    info.reason = signature.reason.clone();
                    info.location = signature.location.clone();
                    info.visible_signature_info = options
                        .visible_per_document
                        .get(&document.index)
                        .or(signature.visible.as_ref())
                        .cloned();
                    (ContentType::Pdf, info)
                }
                DocumentKind::Xml => {
                    let mut info = SignatureInfo::new(SignatureType::XAdES);
                    info.advanced_signature_info = signature.xml.clone();
                    (ContentType::ApplicationXml, info)
                }
            };
            info.apply_timestamp = signature.timestamp;
            SignDocument {
                // The content is streamed from the file when the request is sent.
                document_request: Base64Document {
                    external_reference: document.reference.clone(),
                    name: file_name_of(document),
                    content_type,
                    base64_content: String::new(),
                },
                signature_info: info,
            }
        })
        .collect();
    SignRequest::new(reference, options.description.clone(), documents)
}

fn file_name_of(document: &Prepared) -> String {
    // The service only echoes it; our output name always comes from the local path.
    format!(
        "{}.{}",
        document.reference,
        if document.kind == DocumentKind::Pdf {
            "pdf"
        } else {
            "xml"
        }
    )
}

/// An error after which the service may have signed although no answer arrived.
fn answer_may_be_lost(error: &SignStashError) -> bool {
    matches!(
        error.code(),
        "net.timeout" | "net.connection_lost" | "answer.malformed" | "answer.too_large"
    ) || error.http_status().is_some_and(|status| status >= 500)
}

/// On the hosted base, asks whether the request's first document was already signed, and fetches
/// that operation if so: the answer was lost, not the work.
async fn already_signed(context: &Context<'_>, prepared: &[Prepared]) -> Option<SignOperation> {
    if !context.client.environment().hosted {
        return None;
    }
    let reference = &prepared.first()?.reference;
    let id = context
        .client
        .operation_id_by_reference(reference)
        .await
        .ok()??;
    tracing::info!(
        operation = id,
        "the service had already signed this request; fetching it instead of resending"
    );
    context.client.operation_detail(id, true).await.ok()
}

async fn send_with_retries(
    context: &Context<'_>,
    request: &SignRequest,
    prepared: &[Prepared],
) -> Result<Answered, Failure> {
    let options = context.options;
    let files: Vec<_> = prepared
        .iter()
        .map(|d| context.files[d.index].path.clone())
        .collect();
    // A signed document is its original plus a signature (tens of KiB; room for a visible one).
    let largest = prepared.iter().map(|d| d.size).max().unwrap_or(0);
    let expected_size = usize::try_from(largest)
        .unwrap_or(0)
        .saturating_add(256 * 1024);
    let mut attempt = 0;
    loop {
        if context.cancel.is_cancelled() {
            return Err(cancelled(options.lang));
        }
        for document in prepared {
            context.emit(Event::Sending {
                index: document.index,
                attempt,
            });
        }
        let slot = context.service.acquire().await;
        let sent = context
            .client
            .sign_base64_files(request, &files, expected_size)
            .await;
        drop(slot);
        let error = match sent {
            Ok(answer) => {
                return Ok(Answered {
                    operation: answer.operation,
                    contents: answer.contents,
                })
            }
            Err(error) => error,
        };
        tracing::warn!(code = error.code(), attempt, "sign request failed");
        // The same references are resent, so a request the service did process is refused (0.0.7)
        // instead of being signed twice; on the hosted base it is found and fetched.
        let lost =
            answer_may_be_lost(&error) || (attempt > 0 && error.code() == "api.reused_reference");
        if lost {
            if let Some(operation) = already_signed(context, prepared).await {
                return Ok(Answered::from_operation(operation));
            }
        }
        let retryable = error.is_retryable() || (lost && error.code() != "api.reused_reference");
        if !retryable || attempt >= options.retries {
            return Err(service_failure(&error, options.lang));
        }
        let wait = error
            .retry_after()
            .unwrap_or_else(|| options.backoff.saturating_mul(1 << attempt.min(16)))
            .min(options.max_backoff);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = context.cancel.cancelled() => return Err(cancelled(options.lang)),
        }
        attempt += 1;
    }
}

/// Matches the document in the answer by its externalReference (never by position or name), then
/// decodes, verifies and saves it.
/// A document after its answer was read: failed already, or signed and waiting to be verified and saved.
enum Finish {
    Done(Outcome),
    Save(SaveJob),
}

/// Everything verifying and saving one document needs, owned, so it can run on another thread.
struct SaveJob {
    index: usize,
    kind: DocumentKind,
    input: std::path::PathBuf,
    reference: String,
    operation_id: Option<i64>,
    signed: SignedContent,
    hashed: Option<verify::HashedOriginal>,
}

/// Blocking threads that verify and save one answer's documents, each taking its share in turn.
/// A thread per document (37 for a full request of 200 KiB documents) cost more in wake-ups and in
/// memory (each thread its own decode buffer and allocator arena) than it gained: 4 instead gave
/// ~5 % less CPU, ~6 % less wall time and 30 % less peak RSS for 1,000 × 200 KiB at 0 ms.
const SAVING_THREADS: usize = 4;

/// Verifies and saves the documents of one answer off the async task, on [`SAVING_THREADS`]
/// threads: each save waits for its fsync (milliseconds on a busy disk), and the other requests go
/// on meanwhile. The output folders are fsynced once for the whole answer, and only then are the
/// documents reported and recorded as saved.
async fn save_all(context: &Context<'_>, jobs: Vec<SaveJob>) -> Vec<(usize, Outcome)> {
    let lang = context.options.lang;
    let per_thread = jobs.len().div_ceil(SAVING_THREADS).max(1);
    let mut shares: Vec<Vec<SaveJob>> = Vec::new();
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() {
        shares.push(jobs.by_ref().take(per_thread).collect());
    }
    let saves = shares.into_iter().map(|share| {
        let writer = context.writer.clone();
        let events = context.events.clone();
        async move {
            let documents: Vec<(usize, std::path::PathBuf, String)> = share
                .iter()
                .map(|job| (job.index, job.input.clone(), job.reference.clone()))
                .collect();
            let saved =
                tokio::task::spawn_blocking(move || save_share(share, &writer, &events, lang));
            saved.await.unwrap_or_else(|e| {
                let failed = failure("batch.lost", format!("internal error: {e}"));
                documents
                    .into_iter()
                    .map(|(index, input, reference)| {
                        let _ = context.events.send(Event::Failed {
                            index,
                            failure: failed.clone(),
                        });
                        let outcome = Outcome {
                            input,
                            external_reference: Some(reference),
                            operation_id: None,
                            result: Err(failed.clone()),
                        };
                        (index, outcome)
                    })
                    .collect()
            })
        }
    });
    let outcomes: Vec<(usize, Outcome)> = futures_util::future::join_all(saves)
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut folders: Vec<std::path::PathBuf> = outcomes
        .iter()
        .filter_map(|(_, outcome)| outcome.result.as_ref().ok()?.parent().map(Into::into))
        .collect();
    folders.sort();
    folders.dedup();
    if !folders.is_empty() {
        let synced = tokio::task::spawn_blocking(move || folders.iter().for_each(|f| sync_dir(f)));
        if let Err(e) = synced.await {
            tracing::warn!(error = %e, "could not fsync the output folders");
        }
    }
    for (index, outcome) in &outcomes {
        match &outcome.result {
            Ok(output) => {
                context.emit(Event::Saved {
                    index: *index,
                    output: output.clone(),
                });
                if let Some(recorder) = context.recorder {
                    recorder.saved(*index, output, outcome.operation_id);
                }
            }
            Err(failed) => {
                if let Some(recorder) = context.recorder {
                    recorder.failed(*index, outcome.external_reference.as_deref(), failed);
                }
            }
        }
    }
    outcomes
}

thread_local! {
    /// Where a saving thread decodes a document kept as base64 in its answer; reused from one
    /// document to the next, so the thread's memory is not filled afresh for each.
    static DECODED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Larger decode buffers are not kept by a thread waiting for more work.
const DECODED_KEPT_BYTES: usize = 4 * 1024 * 1024;

/// Documents a saving thread writes before it fsyncs and names them: enough for the disk to work on
/// several at once, few enough to keep open files well under any limit.
const STAGED_AT_ONCE: usize = 16;

/// One thread's share of an answer, in rounds: write up to [`STAGED_AT_ONCE`] documents to their
/// temporary files, then fsync and name each. The round's write-back runs together and a journaling
/// filesystem can commit several files at once; fsyncing each file as soon as it was written waited
/// for one commit per document (−12 % wall time on journaled ext4, BENCHMARKS.md).
fn save_share(
    share: Vec<SaveJob>,
    writer: &OutputWriter,
    events: &UnboundedSender<Event>,
    lang: Lang,
) -> Vec<(usize, Outcome)> {
    let mut outcomes = Vec::with_capacity(share.len());
    let mut jobs = share.into_iter().peekable();
    while jobs.peek().is_some() {
        let round: Vec<(usize, Result<Written, Outcome>)> = jobs
            .by_ref()
            .take(STAGED_AT_ONCE)
            .map(|job| (job.index, stage(job, writer, events, lang)))
            .collect();
        for (index, staged) in round {
            let outcome = match staged {
                Ok(written) => name(written, writer, events),
                Err(refused) => refused,
            };
            outcomes.push((index, outcome));
        }
    }
    outcomes
}

/// A verified document in its temporary file, waiting for its name.
struct Written {
    index: usize,
    input: std::path::PathBuf,
    reference: String,
    operation_id: Option<i64>,
    staged: Staged,
}

/// Decodes the document (when still base64 in its answer), verifies it and writes it to its
/// temporary file.
fn stage(
    job: SaveJob,
    writer: &OutputWriter,
    events: &UnboundedSender<Event>,
    lang: Lang,
) -> Result<Written, Outcome> {
    DECODED.with_borrow_mut(|scratch| {
        let staged = match job.signed.decode_into(scratch) {
            Ok(signed) => verify_and_stage(&job, signed, writer, events, lang),
            Err(InvalidContent) => Err(refuse(&job, events, unreadable_content(lang))),
        };
        if scratch.capacity() > DECODED_KEPT_BYTES {
            *scratch = Vec::new();
        }
        staged.map(|staged| Written {
            index: job.index,
            input: job.input,
            reference: job.reference,
            operation_id: job.operation_id,
            staged,
        })
    })
}

/// The staged document fsynced and given its final name.
fn name(written: Written, writer: &OutputWriter, events: &UnboundedSender<Event>) -> Outcome {
    let result = writer.name(written.staged).map_err(|e| {
        let failed = failure(e.code(), e.to_string());
        let _ = events.send(Event::Failed {
            index: written.index,
            failure: failed.clone(),
        });
        failed
    });
    Outcome {
        input: written.input,
        external_reference: Some(written.reference),
        operation_id: result.is_ok().then_some(written.operation_id).flatten(),
        result,
    }
}

fn refuse(job: &SaveJob, events: &UnboundedSender<Event>, failure: Failure) -> Outcome {
    // Nobody listening is fine: the outcomes are returned anyway.
    let _ = events.send(Event::Failed {
        index: job.index,
        failure: failure.clone(),
    });
    Outcome {
        input: job.input.clone(),
        external_reference: Some(job.reference.clone()),
        operation_id: None,
        result: Err(failure),
    }
}

/// Verify-before-save, then the write to a temporary file.
fn verify_and_stage(
    job: &SaveJob,
    signed: &[u8],
    writer: &OutputWriter,
    events: &UnboundedSender<Event>,
    lang: Lang,
) -> Result<Staged, Outcome> {
    let input = &job.input;
    match verify::verify_signed_file(job.kind, input, signed, job.hashed.as_ref()) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(refuse(job, events, failure(e.code(), e.to_string()))),
        Err(e) => {
            let message = if lang == Lang::Pt {
                format!("Não foi possível reler o original para o comparar: {e}")
            } else {
                format!("The original could not be read again to compare it: {e}")
            };
            return Err(refuse(job, events, failure("input.unreadable", message)));
        }
    }
    let _ = events.send(Event::Signed { index: job.index });
    writer
        .stage(input, signed)
        .map_err(|e| refuse(job, events, failure(e.code(), e.to_string())))
}

fn unreadable_content(lang: Lang) -> Failure {
    let message = if lang == Lang::Pt {
        "O serviço devolveu o documento assinado num formato ilegível; nada foi gravado. Tente de novo."
    } else {
        "The service returned the signed document in an unreadable form; nothing was saved. Try again."
    };
    failure("answer.bad_content", message)
}

fn finish_document(context: &Context<'_>, answered: &mut Answered, document: Prepared) -> Finish {
    let operation = &answered.operation;
    let lang = context.options.lang;
    let index = document.index;
    let reference = document.reference.clone();
    let pt = lang == Lang::Pt;
    let answer = operation
        .document_list
        .iter()
        .find(|d| d.external_reference.as_deref() == Some(&reference));
    let Some(answer) = answer else {
        let message = if pt {
            "O serviço não devolveu este documento. Tente de novo."
        } else {
            "The service did not return this document. Try again."
        };
        return Finish::Done(context.fail(
            index,
            Some(reference),
            failure("answer.document_missing", message),
        ));
    };
    if answer.sign_status != Some(SignStatus::Signed) {
        let code = format!(
            "sign.{}",
            answer
                .sign_error
                .as_ref()
                .map_or("ERROR_SIGNING", |e| e.as_str())
        );
        let message = sign_errors::message(answer.sign_error.as_ref(), lang);
        return Finish::Done(context.fail(index, Some(reference), failure(code, message)));
    }
    // Taken out of the answer: the answer's text is freed once its last document is saved.
    let Some(signed) = answered.contents.remove(&reference) else {
        return Finish::Done(context.fail(index, Some(reference), unreadable_content(lang)));
    };
    Finish::Save(SaveJob {
        index,
        kind: document.kind,
        input: context.files[index].path.clone(),
        reference,
        operation_id: operation.id,
        signed,
        hashed: document.hashed,
    })
}
