//! `POST api/v0/document/sign/base64/` and `POST api/v0/document/sign/` (multipart): validate, take
//! the references, sign every document (one bad document never fails its neighbours), store the
//! operation and answer a `SignOperation` (spec §4.1, §4.2, §5.1).

use std::time::Instant;

use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::answer::{self, AnswerDocument};
use crate::auth::Caller;
use crate::clock::service_timestamp;
use crate::error::ApiError;
use crate::faults::{self, AnswerFaults};
use crate::model::{
    CompanyOut, DocumentOut, FolderOut, OperationOut, QueuePriorityOut, SignRequestIn,
};
use crate::server::{ApiBase, Shared};
use crate::signing::{sign_document, DocumentFailure};
use crate::stats::Stats;
use crate::store::{StoredDocument, StoredOperation};
use crate::validate::{validate, Contents, ValidRequest};

/// How a JSON body that does not parse is answered: broken syntax is a malformed request (`0.0.2`),
/// a value of the wrong type a failed validation (`0.0.6`).
fn parse_error(error: serde_json::Error) -> ApiError {
    match error.classify() {
        serde_json::error::Category::Data => ApiError::Invalid(format!("signRequest: {error}")),
        _ => ApiError::MissingField(format!(
            "signRequest is not a readable JSON request: {error}"
        )),
    }
}

pub async fn sign_base64(
    State(shared): State<Shared>,
    Extension(base): Extension<ApiBase>,
    Extension(caller): Extension<Caller>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let body = read_body(request, shared.config.max_body_bytes).await?;
    // The body is dropped once its documents are decoded, so a large request is not held twice.
    let request = {
        let parsed: SignRequestIn<'_> = serde_json::from_slice(&body).map_err(parse_error)?;
        validate(parsed, Contents::Base64, &shared.pki.signer.common_name)?
    };
    drop(body);
    process_to_completion(shared, base, caller, request, started).await
}

/// Reads a body into one buffer sized from Content-Length: collecting chunks and then joining them
/// would hold a 100 MB request twice.
async fn read_body(request: axum::extract::Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let too_large = || ApiError::TooLarge(format!("the request body is larger than {limit} bytes"));
    if declared > limit {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared);
    let mut chunks = request.into_body().into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::MissingField(format!("request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub async fn sign_multipart(
    State(shared): State<Shared>,
    Extension(base): Extension<ApiBase>,
    Extension(caller): Extension<Caller>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let mut files = Vec::new();
    let mut sign_request = None;
    let bad_part = |e: axum::extract::multipart::MultipartError| {
        ApiError::MissingField(format!("multipart body could not be read: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(bad_part)? {
        match field.name() {
            Some("files") => {
                let file_name = field.file_name().map(str::to_string);
                files.push((file_name, field.bytes().await.map_err(bad_part)?));
            }
            Some("signRequest") => sign_request = Some(field.bytes().await.map_err(bad_part)?),
            _ => {}
        }
    }
    let sign_request =
        sign_request.ok_or_else(|| ApiError::MissingField("signRequest part".into()))?;
    if files.is_empty() {
        return Err(ApiError::MissingField("files part".into()));
    }
    let request = {
        let parsed: SignRequestIn<'_> =
            serde_json::from_slice(&sign_request).map_err(parse_error)?;
        validate(
            parsed,
            Contents::Files(files),
            &shared.pki.signer.common_name,
        )?
    };
    process_to_completion(shared, base, caller, request, started).await
}

/// Like a real service, a request once accepted is signed and stored even if the client hangs up
/// (or is killed) meanwhile: the work runs in its own task, which a dropped connection does not
/// cancel. Only the answer is lost, and the consult endpoints still find the operation.
async fn process_to_completion(
    shared: Shared,
    base: ApiBase,
    caller: Caller,
    request: ValidRequest,
    started: Instant,
) -> Result<Response, ApiError> {
    tokio::spawn(process(shared, base, caller, request, started))
        .await
        .map_err(|e| ApiError::Unhandled(format!("signing task failed: {e}")))?
}

async fn process(
    shared: Shared,
    base: ApiBase,
    caller: Caller,
    request: ValidRequest,
    started: Instant,
) -> Result<Response, ApiError> {
    Stats::bump(&shared.stats.sign_requests);
    let count = request.documents.len() as u64;
    shared
        .stats
        .documents_received
        .fetch_add(count, std::sync::atomic::Ordering::Relaxed);

    let operation_id = {
        let mut references: Vec<&str> = vec![&request.external_reference];
        references.extend(
            request
                .documents
                .iter()
                .map(|d| d.external_reference.as_str()),
        );
        let mut store = shared
            .store
            .lock()
            .map_err(|_| ApiError::Unhandled("store poisoned".into()))?;
        store.reserve_references(&references).map_err(|r| {
            ApiError::ReusedReference(format!("externalReference '{r}' already exists"))
        })?
    };

    // Faults are drawn when the request arrives, so concurrent requests each take their own.
    let (answer_faults, failing_documents, sign_error) = {
        let mut faults = shared
            .faults
            .lock()
            .map_err(|_| ApiError::Unhandled("faults poisoned".into()))?;
        let answer_faults = AnswerFaults::take(&mut faults);
        let failing: Vec<bool> = (0..request.documents.len())
            .map(|_| faults::take(&mut faults.document_error_next))
            .collect();
        (answer_faults, failing, faults.document_sign_error.clone())
    };

    let pki = shared.pki.clone();
    let received_at = time::OffsetDateTime::now_utc();
    let ValidRequest {
        external_reference,
        description,
        return_signed_content,
        documents,
    } = request;
    let signed = tokio::task::spawn_blocking(move || {
        let jobs: Vec<_> = documents.into_iter().zip(failing_documents).collect();
        sign_all(jobs, &pki, &sign_error, received_at)
    })
    .await
    .map_err(|e| ApiError::Unhandled(format!("signing task failed: {e}")))?;

    let mut stored = Vec::with_capacity(signed.len());
    for (index, (document, result)) in signed.into_iter().enumerate() {
        let content_length = document.content_length;
        let (status, error, content) = match result {
            Ok(bytes) => {
                shared.stats.record_signed(document.original_sha256);
                ("SIGNED", None, Some(Bytes::from(bytes)))
            }
            Err(failure) => {
                Stats::bump(&shared.stats.documents_failed);
                tracing::info!(reference = %document.external_reference, reason = %failure.reason, "document not signed");
                ("ERROR_SIGNING", Some(failure.sign_error), None)
            }
        };
        let hosted = base == ApiBase::Hosted;
        stored.push(StoredDocument {
            out: DocumentOut {
                external_reference: document.external_reference,
                name: document.name,
                content_type: document.content_type,
                internal_id: operation_id * 1000 + index as i64,
                sign_status: status,
                sign_error: error,
                cipher_status: "NO_CIPHER",
                storage_status: if hosted && content.is_some() {
                    "CONTENT_STORED"
                } else {
                    "CONTENT_NOT_STORED"
                },
                content_length,
                additional_content_length: 0,
                reception_date: service_timestamp(received_at),
                storage_period: if hosted { 12 } else { 0 },
                storage_end_date: hosted
                    .then(|| service_timestamp(received_at + time::Duration::days(365))),
                document_attributes: document.attributes,
            },
            signed: content,
        });
    }
    let any_signed = stored.iter().any(|d| d.signed.is_some());
    let operation = OperationOut {
        id: operation_id,
        kind: "SIGN",
        status: if any_signed {
            "EXECUTED"
        } else {
            "EXECUTION_ERROR"
        },
        issuer_company: CompanyOut::default(),
        issuer_client_service_alias: caller.client_id,
        creation_date: service_timestamp(received_at),
        folder_external_reference: external_reference.clone(),
        signature_queue_priority: QueuePriorityOut::default(),
    };
    let folder = FolderOut {
        folder_id: crate::auth::uuid_like(&Sha256::digest(external_reference.as_bytes())),
        external_reference,
        description,
        folder_content: if base == ApiBase::Hosted {
            "DOCUMENT"
        } else {
            "HASH"
        },
    };
    let execution_time_ms = started.elapsed().as_millis() as u64;
    // The proxy answers with the signed documents whatever the flag; the hosted service only when asked.
    let with_content = base == ApiBase::Proxy || return_signed_content;
    let documents: Vec<AnswerDocument<'_>> = stored
        .iter()
        .map(|d| AnswerDocument {
            out: &d.out,
            signed: d.signed.as_deref().filter(|_| with_content),
        })
        .collect();
    let body = answer::sign_operation(
        &operation,
        &folder,
        &documents,
        execution_time_ms,
        &answer_faults,
    )?;
    drop(documents);

    let keep_contents = base == ApiBase::Hosted;
    if !keep_contents {
        stored.iter_mut().for_each(|d| d.signed = None);
    }
    if let Ok(mut store) = shared.store.lock() {
        store.insert(StoredOperation {
            operation,
            folder,
            documents: stored,
            execution_time_ms,
        });
    }
    shared.stats.processing_micros.fetch_add(
        started.elapsed().as_micros() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
    if answer_faults != AnswerFaults::default() {
        Stats::bump(&shared.stats.faults_fired);
    }
    Ok(answer::deliver(body, &answer_faults))
}

/// One document after signing: what the answer needs besides the signed bytes.
struct SignedDocument {
    external_reference: String,
    name: String,
    content_type: String,
    content_length: u64,
    original_sha256: [u8; 32],
    attributes: Vec<crate::model::AttributeOut>,
}

/// Signs the documents on all cores, in order; each result stands alone.
fn sign_all(
    jobs: Vec<(crate::validate::ValidDocument, bool)>,
    pki: &crate::pki::Pki,
    fault_error: &str,
    signing_time: time::OffsetDateTime,
) -> Vec<(SignedDocument, Result<Vec<u8>, DocumentFailure>)> {
    use rayon::prelude::*;
    jobs.into_par_iter()
        .map(|(document, fail)| {
            let original_sha256: [u8; 32] = Sha256::digest(&document.content).into();
            let result = if fail {
                Err(DocumentFailure {
                    sign_error: fault_error.to_string(),
                    reason: "fault switch".into(),
                })
            } else {
                sign_document(&document, pki, signing_time)
            };
            let summary = SignedDocument {
                external_reference: document.external_reference,
                name: document.name,
                content_type: document.content_type,
                content_length: document.content.len() as u64,
                original_sha256,
                attributes: document.attributes,
            };
            (summary, result)
        })
        .collect()
}
