//! Runs a batch: each planned request is read, sent, retried and checked on its own; a bounded
//! number run at once. Every document ends as exactly one of: signed, verified and saved; or failed
//! with a reason.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::{plan, sign_errors, BatchOptions, Event, Failure, Outcome, Recorder};
use crate::client::SignStashClient;
use crate::detect::{self, DocumentKind};
use crate::error::{Lang, SignStashError};
use crate::inputs::InputFile;
use crate::model::{
    Base64Document, ContentType, SignDocument, SignOperation, SignRequest, SignStatus,
    SignatureInfo, SignatureType,
};
use crate::output::OutputWriter;
use crate::verify;

/// A document read and ready to send.
pub(crate) struct Prepared {
    pub(crate) index: usize,
    pub(crate) kind: DocumentKind,
    pub(crate) bytes: Vec<u8>,
    pub(crate) reference: String,
}

struct Context<'a> {
    client: &'a SignStashClient,
    writer: &'a OutputWriter,
    files: &'a [InputFile],
    options: &'a BatchOptions,
    events: &'a UnboundedSender<Event>,
    cancel: &'a CancellationToken,
    recorder: Option<&'a dyn Recorder>,
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
    };
    for (index, file) in files.iter().enumerate() {
        context.emit(Event::Queued {
            index,
            path: file.path.clone(),
        });
    }
    let groups = plan::plan(files, options.budget);
    let mut outcomes: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    let mut finished =
        futures_util::stream::iter(groups.into_iter().map(|group| sign_group(&context, group)))
            .buffer_unordered(options.max_in_flight.max(1));
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

fn new_reference() -> String {
    format!("ssd-{}", uuid::Uuid::new_v4().simple())
}

async fn sign_group(context: &Context<'_>, group: Vec<usize>) -> Vec<(usize, Outcome)> {
    let lang = context.options.lang;
    let mut outcomes = Vec::with_capacity(group.len());
    let request_reference = new_reference();
    let mut prepared = Vec::with_capacity(group.len());
    for (n, index) in group.into_iter().enumerate() {
        let path = &context.files[index].path;
        let reference = format!("{request_reference}-{n}");
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
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
        if bytes.len() as u64 != context.files[index].size {
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
        match detect::detect(&bytes) {
            Ok(kind) => prepared.push(Prepared {
                index,
                kind,
                bytes,
                reference,
            }),
            Err(e) => outcomes.push((
                index,
                context.fail(index, None, failure(e.code(), e.to_string())),
            )),
        }
    }
    if prepared.is_empty() {
        return outcomes;
    }
    if let Some(recorder) = context.recorder {
        let sent: Vec<(usize, &str, &[u8])> = prepared
            .iter()
            .map(|d| (d.index, d.reference.as_str(), d.bytes.as_slice()))
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
        Ok(operation) => {
            for document in prepared {
                let index = document.index;
                outcomes.push((index, finish_document(context, &operation, document)));
            }
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
                    info.visible_signature_info = signature.visible.clone();
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
                document_request: Base64Document::from_bytes(
                    &document.reference,
                    file_name_of(document),
                    content_type,
                    &document.bytes,
                ),
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
) -> Result<SignOperation, Failure> {
    let options = context.options;
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
        let error = match context.client.sign_base64(request).await {
            Ok(operation) => return Ok(operation),
            Err(error) => error,
        };
        tracing::warn!(code = error.code(), attempt, "sign request failed");
        // The same references are resent, so a request the service did process is refused (0.0.7)
        // instead of being signed twice; on the hosted base it is found and fetched.
        let lost =
            answer_may_be_lost(&error) || (attempt > 0 && error.code() == "api.reused_reference");
        if lost {
            if let Some(operation) = already_signed(context, prepared).await {
                return Ok(operation);
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
fn finish_document(
    context: &Context<'_>,
    operation: &SignOperation,
    document: Prepared,
) -> Outcome {
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
        return context.fail(
            index,
            Some(reference),
            failure("answer.document_missing", message),
        );
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
        return context.fail(index, Some(reference), failure(code, message));
    }
    let signed = match answer
        .signed_content
        .as_deref()
        .map(|c| STANDARD.decode(c.trim()))
    {
        Some(Ok(bytes)) => bytes,
        Some(Err(_)) | None => {
            let message = if pt {
                "O serviço devolveu o documento assinado num formato ilegível; nada foi gravado. Tente de novo."
            } else {
                "The service returned the signed document in an unreadable form; nothing was saved. Try again."
            };
            return context.fail(
                index,
                Some(reference),
                failure("answer.bad_content", message),
            );
        }
    };
    if let Err(e) = verify::verify_signed(document.kind, &document.bytes, &signed) {
        return context.fail(index, Some(reference), failure(e.code(), e.to_string()));
    }
    context.emit(Event::Signed { index });
    let input = &context.files[index].path;
    match context.writer.write(input, &signed) {
        Ok(output) => {
            if let Some(recorder) = context.recorder {
                recorder.saved(index, &output, operation.id);
            }
            context.emit(Event::Saved {
                index,
                output: output.clone(),
            });
            Outcome {
                input: input.clone(),
                external_reference: Some(reference),
                operation_id: operation.id,
                result: Ok(output),
            }
        }
        Err(e) => context.fail(index, Some(reference), failure(e.code(), e.to_string())),
    }
}
