//! Turns a sign request into what will be signed, or into the error the service would answer:
//! `0.0.2` for a missing mandatory field, `0.0.6` for a value it does not accept.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::ApiError;
use crate::model::{AttributeOut, SignDocumentIn, SignRequestIn, SignatureInfoIn};
use crate::pades::VisibleBox;
use crate::xades::{XmlCanonical, XmlTransform};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Xml,
}

#[derive(Debug)]
pub enum SignOptions {
    Pades {
        reason: Option<String>,
        location: Option<String>,
        timestamp: bool,
        visible: Option<VisibleBox>,
    },
    Xades {
        location: Option<String>,
        transform: XmlTransform,
        canonical: XmlCanonical,
    },
}

#[derive(Debug)]
pub struct ValidDocument {
    pub external_reference: String,
    pub name: String,
    pub content_type: String,
    pub kind: DocumentKind,
    pub content: Vec<u8>,
    pub options: SignOptions,
    /// `documentAttributes` echoed in the answer.
    pub attributes: Vec<AttributeOut>,
}

#[derive(Debug)]
pub struct ValidRequest {
    pub external_reference: String,
    pub description: String,
    pub return_signed_content: bool,
    pub documents: Vec<ValidDocument>,
}

/// Where document bytes come from: inline base64 (`sign/base64/`) or multipart file parts.
pub enum Contents {
    Base64,
    Files(Vec<(Option<String>, bytes::Bytes)>),
}

fn required<T>(value: Option<T>, path: impl FnOnce() -> String) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::MissingField(path()))
}

fn required_text(value: Option<String>, path: impl FnOnce() -> String) -> Result<String, ApiError> {
    let path_text = path();
    match value {
        Some(text) if !text.trim().is_empty() => Ok(text),
        _ => Err(ApiError::MissingField(path_text)),
    }
}

pub fn validate(
    request: SignRequestIn<'_>,
    mut contents: Contents,
    signer_cn: &str,
) -> Result<ValidRequest, ApiError> {
    let external_reference = required_text(request.external_reference, || {
        "signRequest.externalReference".into()
    })?;
    // `description` is mandatory but may be empty (public clients send "").
    let description = required(request.description, || "signRequest.description".into())?;
    let documents_in = required(request.documents, || "signRequest.documents".into())?;
    if documents_in.is_empty() {
        return Err(ApiError::MissingField(
            "signRequest.documents is empty".into(),
        ));
    }
    let mut documents = Vec::with_capacity(documents_in.len());
    for (index, document) in documents_in.into_iter().enumerate() {
        documents.push(validate_document(
            document,
            index,
            &mut contents,
            signer_cn,
        )?);
    }
    Ok(ValidRequest {
        external_reference,
        description,
        return_signed_content: request.return_signed_content.unwrap_or(false),
        documents,
    })
}

fn validate_document(
    document: SignDocumentIn<'_>,
    index: usize,
    contents: &mut Contents,
    signer_cn: &str,
) -> Result<ValidDocument, ApiError> {
    let at = format!("signRequest.documents[{index}]");
    let request = required(document.document_request, || {
        format!("{at}.documentRequest")
    })?;
    let info = required(document.signature_info, || format!("{at}.signatureInfo"))?;
    let external_reference = required_text(request.external_reference, || {
        format!("{at}.documentRequest.externalReference")
    })?;
    let name = required_text(request.name, || format!("{at}.documentRequest.name"))?;
    let content_type = required_text(request.content_type, || {
        format!("{at}.documentRequest.contentType")
    })?;
    let kind = match content_type.as_str() {
        "application/pdf" => DocumentKind::Pdf,
        "text/xml" | "application/xml" => DocumentKind::Xml,
        other => {
            return Err(ApiError::Invalid(format!(
                "{at}.documentRequest.contentType '{other}' is not a known value"
            )))
        }
    };
    let content = match contents {
        Contents::Base64 => {
            let text = required(request.base64_content, || {
                format!("{at}.documentRequest.base64Content")
            })?;
            STANDARD.decode(text.as_bytes()).map_err(|e| {
                ApiError::Invalid(format!(
                    "{at}.documentRequest.base64Content is not valid base64: {e}"
                ))
            })?
        }
        Contents::Files(files) => take_file(files, &name, &at)?,
    };
    let (options, attributes) = validate_signature(info, kind, &at, signer_cn)?;
    Ok(ValidDocument {
        external_reference,
        name,
        content_type,
        kind,
        content,
        options,
        attributes,
    })
}

/// Multipart matching is undocumented: take the part whose file name is the document's name, else
/// the next unclaimed part in order.
fn take_file(
    files: &mut Vec<(Option<String>, bytes::Bytes)>,
    name: &str,
    at: &str,
) -> Result<Vec<u8>, ApiError> {
    if files.is_empty() {
        return Err(ApiError::MissingField(format!(
            "files: no file part left for {at} ({name})"
        )));
    }
    let position = files
        .iter()
        .position(|(file_name, _)| file_name.as_deref() == Some(name))
        .unwrap_or(0);
    Ok(files.remove(position).1.to_vec())
}

fn attribute(key: &'static str, value: impl Into<String>) -> AttributeOut {
    AttributeOut {
        attribute_key: key,
        attribute_value: value.into(),
    }
}

fn validate_signature(
    info: SignatureInfoIn,
    kind: DocumentKind,
    at: &str,
    signer_cn: &str,
) -> Result<(SignOptions, Vec<AttributeOut>), ApiError> {
    let signature_type = required_text(info.signature_type, || {
        format!("{at}.signatureInfo.signatureType")
    })?;
    let mut attributes = Vec::new();
    match (signature_type.as_str(), kind) {
        ("PAdES", DocumentKind::Pdf) => {
            let visible = match &info.visible_signature_info {
                Some(v) => Some(crate::visible::parse(v, &format!("{at}.signatureInfo.visibleSignatureInfo"), signer_cn)?),
                None => None,
            };
            attributes.push(attribute("GLOBAL_SIGNATURE_VISIBILITY_ENABLED", visible.is_some().to_string()));
            if let Some(v) = &info.visible_signature_info {
                let echo = [
                    ("VISIBLE_SIGNATURE_LOCATION_TYPE", &v.location_type),
                    ("VISIBLE_SIGNATURE_LOCATION_VALUE", &v.location_value),
                    ("VISIBLE_SIGNATURE_AREA", &v.area),
                    ("VISIBLE_SIGNATURE_AREA_BACKGROUND_COLOR", &v.area_background_color),
                    ("VISIBLE_SIGNATURE_FONT", &v.font),
                    ("VISIBLE_SIGNATURE_TEMPLATE_TYPE", &v.template_type),
                    ("VISIBLE_SIGNATURE_TEMPLATE_CONTENT", &v.one_off_template),
                    ("VISIBLE_SIGNATURE_IMAGE_TYPE", &v.image_type),
                ];
                for (key, value) in echo {
                    if let Some(value) = value {
                        attributes.push(attribute(key, value.clone()));
                    }
                }
            }
            if let Some(reason) = &info.reason {
                attributes.push(attribute("SIGNATURE_ATTRIBUTE_REASON", reason.clone()));
            }
            if let Some(location) = &info.location {
                attributes.push(attribute("SIGNATURE_ATTRIBUTE_LOCATION", location.clone()));
            }
            let options = SignOptions::Pades {
                reason: info.reason,
                location: info.location,
                timestamp: info.apply_timestamp.unwrap_or(false),
                visible,
            };
            Ok((options, attributes))
        }
        ("XAdES", DocumentKind::Xml) => {
            let advanced = info.advanced_signature_info;
            let field = format!("{at}.signatureInfo.advancedSignatureInfo");
            let transform = match advanced.as_ref().and_then(|a| a.signature_transform.as_deref()) {
                None | Some("ENVELOPED") => XmlTransform::Enveloped,
                Some("XPATH") => XmlTransform::XPath,
                Some("XPATH2_FILTER") => XmlTransform::XPath2Filter,
                Some(other) => {
                    return Err(ApiError::Invalid(format!("{field}.signatureTransform '{other}' is not a known value")))
                }
            };
            let canonical = match advanced.as_ref().and_then(|a| a.canonical_transform.as_deref()) {
                None | Some("EXCLUSIVE") => XmlCanonical::Exclusive,
                Some("EXCLUSIVE_WITH_COMMENTS") => XmlCanonical::ExclusiveWithComments,
                Some(other) => {
                    return Err(ApiError::Invalid(format!("{field}.canonicalTransform '{other}' is not a known value")))
                }
            };
            let location = advanced.and_then(|a| a.signature_location).filter(|l| !l.trim().is_empty());
            if let Some(location) = &location {
                attributes.push(attribute("SIGNATURE_ATTRIBUTE_XPATH_LOCATION", location.clone()));
            }
            attributes.push(attribute("SIGNATURE_ATTRIBUTE_TRANSFORM", match transform {
                XmlTransform::Enveloped => "ENVELOPED",
                XmlTransform::XPath => "XPATH",
                XmlTransform::XPath2Filter => "XPATH2_FILTER",
            }));
            attributes.push(attribute("SIGNATURE_ATTRIBUTE_CANONICAL", match canonical {
                XmlCanonical::Exclusive => "EXCLUSIVE",
                XmlCanonical::ExclusiveWithComments => "EXCLUSIVE_WITH_COMMENTS",
            }));
            Ok((SignOptions::Xades { location, transform, canonical }, attributes))
        }
        ("PAdES" | "XAdES", _) => Err(ApiError::Invalid(format!(
            "{at}.signatureInfo.signatureType {signature_type} does not fit contentType of the document"
        ))),
        ("CAdES", _) => Err(ApiError::Invalid(format!(
            "{at}.signatureInfo.signatureType CAdES needs a binary contentType, which this API does not take"
        ))),
        (other, _) => Err(ApiError::Invalid(format!("{at}.signatureInfo.signatureType '{other}' is not a known value"))),
    }
}
