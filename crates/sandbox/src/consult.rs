//! The consult endpoints of the hosted Integration Service (spec §4.3–§4.6); the proxy has none.

use std::io::Write;

use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::answer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::server::Shared;
use crate::store::StoredOperation;

fn operation_id(text: &str) -> Result<i64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::Invalid(format!("operationId '{text}' is not a number")))
}

fn with_operation<T>(
    shared: &Shared,
    caller: &Caller,
    id: &str,
    path: &OriginalUri,
    then: impl FnOnce(&StoredOperation) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let id = operation_id(id)?;
    let store = shared
        .store
        .lock()
        .map_err(|_| ApiError::Unhandled("store poisoned".into()))?;
    let operation = store
        .get(id, &caller.client_id)
        .ok_or_else(|| ApiError::NotFound {
            path: path.path().to_string(),
        })?;
    then(operation)
}

/// `GET operation/id/withDocumentExternalReference/{ref}`: the operation id as a bare JSON number.
pub async fn id_by_reference(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    Path(reference): Path<String>,
) -> Result<Json<i64>, ApiError> {
    let store = shared
        .store
        .lock()
        .map_err(|_| ApiError::Unhandled("store poisoned".into()))?;
    store
        .find_by_reference(&reference, &caller.client_id)
        .map(Json)
        .ok_or_else(|| ApiError::NotFound {
            path: uri.path().to_string(),
        })
}

/// `GET operation/status/{id}`: the `BaseOperation`.
pub async fn status(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    with_operation(&shared, &caller, &id, &uri, |op| {
        Ok(Json(op.operation.clone()).into_response())
    })
}

/// `GET operation/sign/detail/{id}/contentInResponse/{bool}`: the `SignOperation`.
pub async fn detail(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    Path((id, include)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let include = match include.as_str() {
        "true" => true,
        "false" => false,
        other => {
            return Err(ApiError::Invalid(format!(
                "contentInResponse '{other}' is not true or false"
            )))
        }
    };
    let body = with_operation(&shared, &caller, &id, &uri, |op| {
        answer::stored_operation(op, include)
    })?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// `GET operation/sign/detail/{id}/documents`: a ZIP of the signed documents, entries
/// `<externalRef>.<name>`.
pub async fn documents_zip(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let zip = with_operation(&shared, &caller, &id, &uri, |op| {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        // Signed PDFs are compressed already; storing keeps this fast and dependency-free.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        for document in &op.documents {
            let Some(content) = &document.signed else {
                continue;
            };
            let entry = format!("{}.{}", document.out.external_reference, document.out.name);
            let zip_error = |e: zip::result::ZipError| ApiError::Unhandled(format!("zip: {e}"));
            writer.start_file(entry, options).map_err(zip_error)?;
            writer
                .write_all(content)
                .map_err(|e| ApiError::Unhandled(format!("zip: {e}")))?;
        }
        let cursor = writer
            .finish()
            .map_err(|e| ApiError::Unhandled(format!("zip: {e}")))?;
        Ok(cursor.into_inner())
    })?;
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/zip"),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"documents.zip\""),
        ),
    ];
    Ok((headers, zip).into_response())
}

/// `POST delivery/mail/resend/{id}/{attach}`: the sandbox sends no e-mail; it checks the operation and
/// answers with no body.
pub async fn resend_mail(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    Path((id, _attach)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    with_operation(&shared, &caller, &id, &uri, |_| {
        Ok(axum::http::StatusCode::OK.into_response())
    })
}
