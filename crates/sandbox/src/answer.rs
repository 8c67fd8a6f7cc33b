//! Writes a `SignOperation` answer, and delivers it — or, under a fault switch, breaks it the way a
//! bad network or a bad server would.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use base64::display::Base64Display;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde::Serialize;

use crate::error::ApiError;
use crate::faults::AnswerFaults;
use crate::model::{DocumentOut, FolderOut, OperationOut};

pub struct AnswerDocument<'a> {
    pub out: &'a DocumentOut,
    /// The signed bytes when the answer carries them.
    pub signed: Option<&'a [u8]>,
}

/// Base64 written straight into the JSON output: a 75 MB document is not first copied into a String.
struct Base64Field<'a>(&'a [u8]);

impl Serialize for Base64Field<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Base64Display::new(self.0, &STANDARD))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DocumentAnswer<'a> {
    #[serde(flatten)]
    out: DocumentOut,
    #[serde(skip_serializing_if = "SignedContent::is_absent")]
    signed_content: SignedContent<'a>,
}

enum SignedContent<'a> {
    Absent,
    Bytes(Base64Field<'a>),
    NotBase64,
}

impl SignedContent<'_> {
    fn is_absent(&self) -> bool {
        matches!(self, SignedContent::Absent)
    }
}

impl Serialize for SignedContent<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SignedContent::Absent => serializer.serialize_none(),
            SignedContent::Bytes(b) => b.serialize(serializer),
            SignedContent::NotBase64 => serializer.serialize_str("%%% this is not base64 %%%"),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignOperationAnswer<'a> {
    #[serde(flatten)]
    operation: &'a OperationOut,
    folder: &'a FolderOut,
    document_list: Vec<DocumentAnswer<'a>>,
    execution_time: u64,
}

/// The JSON of a `SignOperation`; `documents[i].signed` decides whether `signedContent` is written.
pub fn sign_operation(
    operation: &OperationOut,
    folder: &FolderOut,
    documents: &[AnswerDocument<'_>],
    execution_time_ms: u64,
    faults: &AnswerFaults,
) -> Result<Vec<u8>, ApiError> {
    let document_list = documents
        .iter()
        .map(|d| {
            let mut out = d.out.clone();
            if faults.unsafe_names {
                out.name = format!("../../{}", out.name);
            }
            let signed_content = match d.signed {
                None => SignedContent::Absent,
                Some(_) if faults.invalid_base64 => SignedContent::NotBase64,
                Some(bytes) => SignedContent::Bytes(Base64Field(bytes)),
            };
            DocumentAnswer {
                out,
                signed_content,
            }
        })
        .collect();
    let answer = SignOperationAnswer {
        operation,
        folder,
        document_list,
        execution_time: execution_time_ms,
    };
    let capacity = documents
        .iter()
        .filter_map(|d| d.signed)
        .map(|b| b.len() / 3 * 4 + 4)
        .sum::<usize>()
        + 4096;
    let mut body = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut body, &answer).map_err(|e| ApiError::Unhandled(e.to_string()))?;
    if faults.malformed_json {
        // Keep the start of a real answer, then break the syntax, as a proxy error page would.
        body.truncate(body.len().min(80));
        body.extend_from_slice(b"<html><body>502 Bad Gateway</body></html>");
    }
    Ok(body)
}

/// A 200 JSON answer; under a fault it is cut half-way or the connection is dropped before any
/// byte of it (the documents stay signed, as after a real network failure).
pub fn deliver(body: Vec<u8>, faults: &AnswerFaults) -> Response {
    let length = body.len();
    let body = if faults.drop_connection {
        let broken = futures_util::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::other("sandbox fault: connection dropped"))
        });
        Body::from_stream(broken)
    } else if faults.truncated_body {
        let half = Bytes::from(body).slice(..length / 2);
        // The pause lets the first half reach the client before the connection breaks.
        let cut = futures_util::stream::once(async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Err(std::io::Error::other("sandbox fault: body truncated"))
        });
        Body::from_stream(futures_util::StreamExt::chain(
            futures_util::stream::iter([Ok(half)]),
            cut,
        ))
    } else {
        Body::from(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// A `SignOperation` as the consult endpoint answers it (§4.5).
pub fn stored_operation(
    operation: &crate::store::StoredOperation,
    include_content: bool,
) -> Result<Vec<u8>, ApiError> {
    let documents: Vec<AnswerDocument<'_>> = operation
        .documents
        .iter()
        .map(|d| AnswerDocument {
            out: &d.out,
            signed: d.signed.as_deref().filter(|_| include_content),
        })
        .collect();
    sign_operation(
        &operation.operation,
        &operation.folder,
        &documents,
        operation.execution_time_ms,
        &AnswerFaults::default(),
    )
}
