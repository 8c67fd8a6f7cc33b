//! The service's JSON, written from the spec (§6) for the sandbox alone: the client has its own types,
//! so a misreading of the spec on one side shows up as a failing test instead of agreeing with itself.
//!
//! Incoming fields are all optional here so that a missing one becomes the service's `0.0.2`, and enum
//! values stay strings so that a wrong one becomes `0.0.6`, as the real service answers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequestIn<'a> {
    pub external_reference: Option<String>,
    pub description: Option<String>,
    #[serde(borrow)]
    pub documents: Option<Vec<SignDocumentIn<'a>>>,
    pub return_signed_content: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignDocumentIn<'a> {
    #[serde(borrow)]
    pub document_request: Option<DocumentRequestIn<'a>>,
    pub signature_info: Option<SignatureInfoIn>,
}

/// `Base64Document` (§4.1) and `Document` (multipart §4.2, without content).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRequestIn<'a> {
    pub external_reference: Option<String>,
    pub name: Option<String>,
    pub content_type: Option<String>,
    /// Borrowed from the request body: a 100 MB document is not copied before it is decoded.
    #[serde(borrow)]
    pub base64_content: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureInfoIn {
    pub signature_type: Option<String>,
    pub visible_signature_info: Option<VisibleSignatureInfoIn>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub apply_timestamp: Option<bool>,
    pub advanced_signature_info: Option<AdvancedSignatureInfoIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisibleSignatureInfoIn {
    pub location_type: Option<String>,
    pub location_value: Option<String>,
    pub area: Option<String>,
    pub area_background_color: Option<String>,
    pub font: Option<String>,
    pub template_type: Option<String>,
    pub one_off_template: Option<String>,
    pub image_type: Option<String>,
    pub image_value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedSignatureInfoIn {
    pub signature_location: Option<String>,
    pub signature_transform: Option<String>,
    pub canonical_transform: Option<String>,
}

/// `SignOperation` (§6.6); also `BaseOperation` (§6.5) when `folder`/`documentList` are left out.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOut {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: &'static str,
    pub issuer_company: CompanyOut,
    pub issuer_client_service_alias: String,
    pub creation_date: String,
    pub folder_external_reference: String,
    pub signature_queue_priority: QueuePriorityOut,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyOut {
    pub name: &'static str,
    pub vat_number: &'static str,
    pub country_code: &'static str,
    pub i18n_code: &'static str,
    pub status: &'static str,
}

impl Default for CompanyOut {
    fn default() -> Self {
        Self {
            name: "Sign'Stash Sandbox (NOT VALID)",
            vat_number: "999999990",
            country_code: "PRT",
            i18n_code: "pt_PT",
            status: "ACTIVE",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuePriorityOut {
    pub id: i64,
    pub name: &'static str,
    pub default_priority: bool,
}

impl Default for QueuePriorityOut {
    fn default() -> Self {
        Self {
            id: 1,
            name: "DEFAULT",
            default_priority: true,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderOut {
    pub folder_id: String,
    pub external_reference: String,
    pub description: String,
    pub folder_content: &'static str,
}

/// `DocumentResponse` without `signedContent`, which is written separately (see `sign::answer`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentOut {
    pub external_reference: String,
    pub name: String,
    pub content_type: String,
    pub internal_id: i64,
    pub sign_status: &'static str,
    pub sign_error: Option<String>,
    pub cipher_status: &'static str,
    pub storage_status: &'static str,
    pub content_length: u64,
    pub additional_content_length: u64,
    pub reception_date: String,
    pub storage_period: i64,
    pub storage_end_date: Option<String>,
    pub document_attributes: Vec<AttributeOut>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeOut {
    pub attribute_key: &'static str,
    pub attribute_value: String,
}
