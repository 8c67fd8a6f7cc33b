//! The client's own JSON types for the Sign'Stash API (spec §3.2, §6, §7), written from the spec and
//! independent of the sandbox's. Requests are written exactly; answers are read liberally: unknown
//! fields are ignored, optional fields may be missing or `null`, enums keep unknown values, numbers
//! may come as strings and dates stay text (spec §6.8 lists several formats).

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::lenient::{list, open_enum, opt_bool};

mod answer;
pub use answer::*;

open_enum!(ContentType { Pdf = "application/pdf", TextXml = "text/xml", ApplicationXml = "application/xml" });
open_enum!(SignatureType { PAdES = "PAdES", XAdES = "XAdES", CAdES = "CAdES" });
open_enum!(LocationType { SignField = "SIGN_FIELD", Coordinate = "COORDINATE", Placeholder = "PLACEHOLDER" });
open_enum!(TemplateType { OneOff = "ONE_OFF", ServiceCustomization = "SERVICE_CUSTOMIZATION" });
open_enum!(ImageType { Png = "IMAGE_PNG", Jpg = "IMAGE_JPG" });
open_enum!(SignatureTransform { Enveloped = "ENVELOPED", XPath = "XPATH", XPath2Filter = "XPATH2_FILTER" });
open_enum!(CanonicalTransform { Exclusive = "EXCLUSIVE", ExclusiveWithComments = "EXCLUSIVE_WITH_COMMENTS" });
open_enum!(DeliveryStatus { Pending = "PENDING", Sent = "SENT", Received = "RECEIVED", SendingError = "SENDING_ERROR", SendingFailed = "SENDING_FAILED" });
open_enum!(OperationType { Sign = "SIGN", ExtendPreservation = "EXTEND_PRESERVATION" });
open_enum!(OperationStatus { PendingExecution = "PENDING_EXECUTION", Executed = "EXECUTED", ExecutionError = "EXECUTION_ERROR", ExecutionFailed = "EXECUTION_FAILED" });
open_enum!(FolderContent { Document = "DOCUMENT", Hash = "HASH" });
open_enum!(SignStatus { Received = "RECEIVED", ErrorSigning = "ERROR_SIGNING", Signed = "SIGNED" });
open_enum!(SignError {
    InvalidCertServiceCreds = "INVALID_CERT_SERVICE_CREDS",
    InvalidCertAccessAccount = "INVALID_CERT_ACCESS_ACCOUNT",
    CertServiceGlobalError = "CERT_SERVICE_GLOBAL_ERROR",
    ConfigurationSignError = "CONFIGURATION_SIGN_ERROR",
    TimestampSignError = "TIMESTAMP_SIGN_ERROR",
    InvalidCertificateSignError = "INVALID_CERTIFICATE_SIGN_ERROR",
    StorageServiceGlobalError = "STORAGE_SERVICE_GLOBAL_ERROR",
    SignOperationInternalError = "SIGN_OPERATION_INTERNAL_ERROR",
});
open_enum!(CipherStatus { Pending = "PENDING", ErrorCiphering = "ERROR_CIPHERING", Ciphered = "CIPHERED", NoCipher = "NO_CIPHER" });
open_enum!(StorageStatus { ContentPreserved = "CONTENT_PRESERVED", ContentStored = "CONTENT_STORED", ContentNotStored = "CONTENT_NOT_STORED", Deleted = "DELETED" });
open_enum!(CompanyStatus { Registered = "REGISTERED", Active = "ACTIVE", Suspended = "SUSPENDED", Blocked = "BLOCKED", Deleted = "DELETED" });

// ---------------------------------------------------------------------------------------------
// Requests (§6.1, §6.3, §6.4, §7)
// ---------------------------------------------------------------------------------------------

/// SignRequestBase64Document: the body of `POST api/v0/document/sign/base64/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    pub external_reference: String,
    pub description: String,
    pub documents: Vec<SignDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preservation_info: Option<PreservationInfo>,
    /// Always sent; the service's default is `false`, which would leave `signedContent` empty.
    #[serde(default)]
    pub return_signed_content: bool,
}

impl SignRequest {
    /// A request that asks for the signed contents back (`returnSignedContent: true`).
    pub fn new(
        external_reference: impl Into<String>,
        description: impl Into<String>,
        documents: Vec<SignDocument>,
    ) -> Self {
        Self {
            external_reference: external_reference.into(),
            description: description.into(),
            documents,
            preservation_info: None,
            return_signed_content: true,
        }
    }
}

/// SignDocumentBase64Document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignDocument {
    pub document_request: Base64Document,
    pub signature_info: SignatureInfo,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Base64Document {
    pub external_reference: String,
    pub name: String,
    pub content_type: ContentType,
    pub base64_content: String,
}

impl Base64Document {
    pub fn from_bytes(
        external_reference: impl Into<String>,
        name: impl Into<String>,
        content_type: ContentType,
        bytes: &[u8],
    ) -> Self {
        Self {
            external_reference: external_reference.into(),
            name: name.into(),
            content_type,
            base64_content: STANDARD.encode(bytes),
        }
    }
}

// Document contents stay out of logs and Debug output: only their size is shown.
impl fmt::Debug for Base64Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Base64Document")
            .field("external_reference", &self.external_reference)
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("base64_len", &self.base64_content.len())
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureInfo {
    pub signature_type: SignatureType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_signature_info: Option<VisibleSignatureInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default)]
    pub apply_timestamp: bool,
    /// XAdES only; must be left out for PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced_signature_info: Option<AdvancedSignatureInfo>,
}

impl SignatureInfo {
    pub fn new(signature_type: SignatureType) -> Self {
        Self {
            signature_type,
            visible_signature_info: None,
            reason: None,
            location: None,
            apply_timestamp: false,
            advanced_signature_info: None,
        }
    }
}

/// PAdES visible signature (spec §7). Areas and coordinates are in px, the font size in pt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisibleSignatureInfo {
    pub location_type: LocationType,
    /// `page=<n>,x=<x>,y=<y>` for COORDINATE, the field name or the placeholder word otherwise.
    pub location_value: String,
    /// `width=<w>,height=<h>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// `#RRGGBB` or `transparent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_background_color: Option<String>,
    /// `color=#000000,size=<pt>` (only black is supported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_type: Option<TemplateType>,
    /// Apache Velocity text, e.g. `Assinado por $certificate.getCommonName()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_off_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<ImageType>,
    /// Base64 image; it must fit in `area` (else error 2.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_value: Option<String>,
}

/// XAdES placement and transforms (spec §6.3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedSignatureInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_transform: Option<SignatureTransform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_transform: Option<CanonicalTransform>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreservationInfo {
    pub preserve_content: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_info: Option<DeliveryInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryInfo {
    #[serde(
        default,
        deserialize_with = "opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub attach_documents: Option<bool>,
    #[serde(default, deserialize_with = "list")]
    pub person_receiver: Vec<Person>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(default)]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<DeliveryStatus>,
}
