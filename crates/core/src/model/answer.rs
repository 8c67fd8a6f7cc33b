//! The answers of the service (spec §3.2, §6.5 - §6.7), read liberally.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{
    CipherStatus, CompanyStatus, ContentType, DeliveryInfo, FolderContent, OperationStatus,
    OperationType, SignError, SignStatus, StorageStatus,
};
use crate::lenient::{list, opt_bool, opt_i64, opt_text};

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
