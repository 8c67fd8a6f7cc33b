//! The client's own JSON types for the Sign'Stash API (spec §3.2, §6, §7), written from the spec and
//! independent of the sandbox's. Requests are written exactly; answers are read liberally: unknown
//! fields are ignored, optional fields may be missing or `null`, enums keep unknown values, numbers
//! may come as strings and dates stay text (spec §6.8 lists several formats).

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::lenient::{list, open_enum, opt_bool, opt_i64, opt_text};

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

// ---------------------------------------------------------------------------------------------
// Answers (§3.2, §6.5 - §6.7)
// ---------------------------------------------------------------------------------------------

/// BaseOperation (`GET api/v0/operation/status/{id}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseOperation {
    #[serde(default, deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    #[serde(default, rename = "type")]
    pub operation_type: Option<OperationType>,
    #[serde(default)]
    pub status: Option<OperationStatus>,
    #[serde(default)]
    pub issuer_company: Option<Company>,
    #[serde(default)]
    pub issuer_client_service_alias: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub folder_external_reference: Option<String>,
    #[serde(default)]
    pub signature_queue_priority: Option<SignatureQueuePriority>,
}

/// SignOperation: the answer of a sign request and of the operation detail.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOperation {
    #[serde(default, deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    #[serde(default, rename = "type")]
    pub operation_type: Option<OperationType>,
    #[serde(default)]
    pub status: Option<OperationStatus>,
    #[serde(default)]
    pub issuer_company: Option<Company>,
    #[serde(default)]
    pub issuer_client_service_alias: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub folder_external_reference: Option<String>,
    #[serde(default)]
    pub signature_queue_priority: Option<SignatureQueuePriority>,
    #[serde(default)]
    pub folder: Option<Folder>,
    #[serde(default, deserialize_with = "list")]
    pub document_list: Vec<DocumentResponse>,
    #[serde(default)]
    pub delivery_info: Option<DeliveryInfo>,
    /// Milliseconds the service spent.
    #[serde(default, deserialize_with = "opt_i64")]
    pub execution_time: Option<i64>,
}

impl SignOperation {
    pub fn is_executed(&self) -> bool {
        self.status == Some(OperationStatus::Executed)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    #[serde(default, deserialize_with = "opt_text")]
    pub folder_id: Option<String>,
    #[serde(default)]
    pub external_reference: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub folder_content: Option<FolderContent>,
}

#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentResponse {
    #[serde(default)]
    pub external_reference: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub content_type: Option<ContentType>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub internal_id: Option<i64>,
    #[serde(default)]
    pub sign_status: Option<SignStatus>,
    #[serde(default)]
    pub sign_error: Option<SignError>,
    #[serde(default)]
    pub cipher_status: Option<CipherStatus>,
    #[serde(default)]
    pub storage_status: Option<StorageStatus>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub content_length: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub additional_content_length: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    pub reception_date: Option<String>,
    /// Months.
    #[serde(default, deserialize_with = "opt_i64")]
    pub storage_period: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    pub storage_end_date: Option<String>,
    /// Base64 of the signed file, when it was asked for.
    #[serde(default)]
    pub signed_content: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub document_attributes: Vec<DocumentAttribute>,
}

impl DocumentResponse {
    pub fn is_signed(&self) -> bool {
        self.sign_status == Some(SignStatus::Signed)
    }
}

// Signed contents stay out of logs and Debug output: only their size is shown.
impl fmt::Debug for DocumentResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentResponse")
            .field("external_reference", &self.external_reference)
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("internal_id", &self.internal_id)
            .field("sign_status", &self.sign_status)
            .field("sign_error", &self.sign_error)
            .field("storage_status", &self.storage_status)
            .field("content_length", &self.content_length)
            .field("reception_date", &self.reception_date)
            .field(
                "signed_content_len",
                &self.signed_content.as_ref().map(String::len),
            )
            .field("document_attributes", &self.document_attributes.len())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentAttribute {
    /// One of the spec's `attributeKey` values (e.g. `SIGNATURE_ATTRIBUTE_REASON`), kept as text.
    #[serde(default)]
    pub attribute_key: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub attribute_value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub name: Option<String>,
    pub vat_number: Option<String>,
    pub country_code: Option<String>,
    pub i18n_code: Option<String>,
    pub invoice_address: Option<String>,
    pub additional_info: Option<String>,
    pub email: Option<String>,
    pub status: Option<CompanyStatus>,
    #[serde(default, deserialize_with = "opt_text")]
    pub creation_date: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub audit_logs_active: Option<bool>,
    #[serde(default, deserialize_with = "opt_text")]
    pub limit_period_start_date: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub limit_period_end_date: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub limit_usage_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub limit_current_consumption: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    pub limit_current_consumption_last_modified_date: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub notify_expired_limit: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureQueuePriority {
    #[serde(default, deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub start_time: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub end_time: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub default_priority: Option<bool>,
}

/// The body of every API error (spec §6.7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    #[serde(default, deserialize_with = "opt_text")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_code_description: Option<String>,
    #[serde(default)]
    pub cause_message: Option<String>,
}

/// A successful token answer (spec §3.2); `jti` and other extras are ignored.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

/// An OAuth2 error answer (RFC 6749 §5.2, also Spring's resource-server 401 body).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct OAuthErrorResponse {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_uri: Option<String>,
}

/// The answer of `operation/id/withDocumentExternalReference/{ref}`: a bare number in the spec;
/// a numeric string or an object with `id` / `operationId` are accepted too.
pub fn parse_operation_id(body: &[u8]) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let number = |v: &serde_json::Value| match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    number(&value).or_else(|| {
        ["id", "operationId"]
            .iter()
            .find_map(|k| value.get(k).and_then(number))
    })
}
