//! Signs one document with the sandbox's test certificate, after checking that it is what its
//! contentType says. A failure is that document's `ERROR_SIGNING`, never the request's.

use crate::pades::{self, PadesError, PadesRequest};
use crate::pki::Pki;
use crate::validate::{DocumentKind, SignOptions, ValidDocument};
use crate::xades::{self, XadesRequest, XmlSigner};

#[derive(Debug)]
pub struct DocumentFailure {
    /// One of the spec's `signError` values.
    pub sign_error: String,
    /// Why, for the sandbox's log (the service's answer has no field for it).
    pub reason: String,
}

fn failure(sign_error: &str, reason: impl ToString) -> DocumentFailure {
    DocumentFailure {
        sign_error: sign_error.into(),
        reason: reason.to_string(),
    }
}

fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf16 = text.starts_with(b"\xFF\xFE") || text.starts_with(b"\xFE\xFF");
    utf16 || text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

pub fn sign_document(
    document: &ValidDocument,
    pki: &Pki,
    signing_time: time::OffsetDateTime,
) -> Result<Vec<u8>, DocumentFailure> {
    const INTERNAL: &str = "SIGN_OPERATION_INTERNAL_ERROR";
    match (&document.options, document.kind) {
        (
            SignOptions::Pades {
                reason,
                location,
                timestamp,
                visible,
            },
            DocumentKind::Pdf,
        ) => {
            if !looks_like_pdf(&document.content) {
                return Err(failure(
                    INTERNAL,
                    "contentType says PDF but the content is not a PDF",
                ));
            }
            let request = PadesRequest {
                reason: reason.as_deref(),
                location: location.as_deref(),
                timestamp: *timestamp,
                visible: visible.clone(),
                signing_time,
            };
            pades::sign_pdf(&document.content, pki, &request).map_err(|e| {
                let code = match e {
                    PadesError::PageOutOfRange { .. } => "CONFIGURATION_SIGN_ERROR",
                    _ => INTERNAL,
                };
                failure(code, e)
            })
        }
        (
            SignOptions::Xades {
                location,
                transform,
                canonical,
            },
            DocumentKind::Xml,
        ) => {
            if !looks_like_xml(&document.content) {
                return Err(failure(
                    INTERNAL,
                    "contentType says XML but the content is not XML",
                ));
            }
            let signer = XmlSigner {
                cert_der: &pki.signer.cert_der,
                cert_pem: &pki.signer.cert_pem,
                key_pem: &pki.signer.key_pem,
                ca_pem: Some(&pki.ca.cert_pem),
            };
            let request = XadesRequest {
                signature_location: location.as_deref(),
                transform: *transform,
                canonical: *canonical,
                signing_time,
            };
            xades::sign_xml(&document.content, &signer, &request).map_err(|e| failure(INTERNAL, e))
        }
        // validate() only pairs PAdES with PDF and XAdES with XML.
        _ => Err(failure(
            "CONFIGURATION_SIGN_ERROR",
            "signature type does not fit the document",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_content() {
        assert!(looks_like_pdf(b"%PDF-1.7\n"));
        assert!(looks_like_pdf(b"\xEF\xBB\xBF%PDF-1.4"));
        assert!(!looks_like_pdf(b"<?xml version='1.0'?><a/>"));
        assert!(looks_like_xml(b"\xEF\xBB\xBF  <?xml version='1.0'?><a/>"));
        assert!(!looks_like_xml(b"%PDF-1.7"));
    }
}
