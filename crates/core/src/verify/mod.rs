//! Verify-before-save: a document the service returns is only written to disk if it is
//! still the user's document plus a well-formed, new signature over it.
//!
//! This checks integrity (the bytes we sent are the bytes that were signed, and the
//! signature value matches the embedded signer certificate), not trust: judging the
//! service's CA and certificate status is the job of the recipient's validator.

mod cms;
mod pdf;
mod xml;

pub use pdf::{verify_signed_pdf, DigestAlgorithm, PdfSignatureInfo, SignatureCheck};
pub use xml::verify_signed_xml;

use std::io::Read;
use std::path::Path;

use crate::detect::DocumentKind;

/// Why a returned document was not accepted. Messages are plain language; `code()` is
/// stable for reports and translation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the service returned an empty file")]
    Empty,
    #[error("the signed file returned by the service is shorter than the original document, so it is incomplete")]
    Truncated,
    #[error("the signed file does not start with the original document: the service changed the content instead of only adding a signature")]
    NotIncremental,
    #[error("the service returned the document without a new signature")]
    NoSignature,
    #[error("the signature does not cover the whole file ({0})")]
    ByteRange(String),
    #[error("the signature data in the file is damaged ({0})")]
    Cms(String),
    #[error("the signature was made over different content than this file (the document was changed after signing or damaged in transit)")]
    DigestMismatch,
    #[error("the signature value does not match the signer's certificate")]
    SignatureInvalid,
    #[error("the signer's certificate is not included in the signature")]
    SignerCertificateMissing,
    #[error("the signature uses something this app cannot check: {0}")]
    Unsupported(String),
    #[error("the returned document is not readable XML ({0})")]
    NotXml(String),
    #[error("the original document could not be read as XML ({0})")]
    OriginalNotXml(String),
    #[error("the returned XML declares a DTD, which is refused for safety")]
    DtdRefused,
    #[error("the XML signature is empty (no signature value)")]
    EmptySignatureValue,
    #[error("the service returned a different document: expected <{expected}>, got <{found}>")]
    DifferentDocument { expected: String, found: String },
}

impl VerifyError {
    /// Stable machine-readable code, e.g. `verify.digest_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Empty => "verify.empty",
            VerifyError::Truncated => "verify.truncated",
            VerifyError::NotIncremental => "verify.not_incremental",
            VerifyError::NoSignature => "verify.no_signature",
            VerifyError::ByteRange(_) => "verify.byterange",
            VerifyError::Cms(_) => "verify.cms",
            VerifyError::DigestMismatch => "verify.digest_mismatch",
            VerifyError::SignatureInvalid => "verify.signature_invalid",
            VerifyError::SignerCertificateMissing => "verify.signer_certificate",
            VerifyError::Unsupported(_) => "verify.unsupported",
            VerifyError::NotXml(_) => "verify.not_xml",
            VerifyError::OriginalNotXml(_) => "verify.original_not_xml",
            VerifyError::DtdRefused => "verify.dtd",
            VerifyError::EmptySignatureValue => "verify.empty_signature",
            VerifyError::DifferentDocument { .. } => "verify.different_document",
        }
    }
}

/// What was checked on a returned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    Pdf(PdfSignatureInfo),
    Xml,
}

/// Verifies `signed` as the signed version of `original`, by kind.
pub fn verify_signed(
    kind: DocumentKind,
    original: &[u8],
    signed: &[u8],
) -> Result<Verified, VerifyError> {
    match kind {
        DocumentKind::Pdf => verify_signed_pdf(original, signed).map(Verified::Pdf),
        DocumentKind::Xml => verify_signed_xml(original, signed).map(|()| Verified::Xml),
    }
}

/// Verifies `signed` as the signed version of the document in the file `original`. A PDF is
/// compared with the start of `signed` as the file is read, so a large original is never held in
/// memory next to its signed copy; an XML (parsed whole anyway) is read whole.
/// The outer error is the original's file failing to read.
///
/// `hashed_original` is the SHA-256 state after the original's bytes as they were sent: the
/// signature's digest starts with those same bytes, so they are not hashed twice. It is only used
/// when its length is the file's; and it cannot make a bad signature pass, since the signed copy
/// is still compared with the file byte for byte.
pub fn verify_signed_file(
    kind: DocumentKind,
    original: &Path,
    signed: &[u8],
    hashed_original: Option<&HashedOriginal>,
) -> std::io::Result<Result<Verified, VerifyError>> {
    if kind == DocumentKind::Xml {
        let original = std::fs::read(original)?;
        return Ok(verify_signed(kind, &original, signed));
    }
    if signed.is_empty() {
        return Ok(Err(VerifyError::Empty));
    }
    let mut file = std::fs::File::open(original)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut length = 0;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let read = &buffer[..n];
        let Some(same_place) = signed.get(length..length + n) else {
            // The signed file ends inside the original.
            let rest = &signed[length..];
            return Ok(Err(if read.starts_with(rest) {
                VerifyError::Truncated
            } else {
                VerifyError::NotIncremental
            }));
        };
        if same_place != read {
            return Ok(Err(VerifyError::NotIncremental));
        }
        length += n;
    }
    // `signed` starts with the whole original: check the rest.
    let hashed = hashed_original
        .filter(|h| h.length == length)
        .map(|h| &h.state);
    Ok(pdf::verify_appended(length, signed, hashed).map(Verified::Pdf))
}

/// The SHA-256 state after hashing a whole original document of `length` bytes.
#[derive(Clone)]
pub struct HashedOriginal {
    pub state: sha2::Sha256,
    pub length: usize,
}
