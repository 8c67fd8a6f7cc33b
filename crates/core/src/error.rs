//! The typed catalogue of everything that can go wrong talking to Sign'Stash, each with a stable
//! machine code (for the UI, logs and support) and a plain-language message in Portuguese and English.
//!
//! Nothing here ever holds a secret or a token: errors only carry statuses, the service's own error
//! codes and descriptions, host names and short transport details.

use serde::{Deserialize, Serialize};

/// The language of a message shown to a person.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Pt,
    En,
}

/// What the service said alongside an error: the HTTP status and, when it answered with an
/// ErrorResponse (spec §6.7), its code, description and cause, kept for the support detail line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceDetail {
    pub status: u16,
    pub code: Option<String>,
    pub description: Option<String>,
    pub cause: Option<String>,
}

impl ServiceDetail {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }
}

/// Which configured address an [`SignStashError::InvalidUrl`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlField {
    TokenUrl,
    ApiBase,
    Proxy,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignStashError {
    // --- Configuration -------------------------------------------------------------------------
    #[error("invalid {field:?}: {reason}")]
    InvalidUrl { field: UrlField, reason: String },
    #[error("consult endpoints are not available on an on-premise Proxy Client")]
    ConsultUnavailable,
    #[error("could not build the HTTP client: {0}")]
    HttpClient(String),
    /// The extra CA certificate configured for an environment is not a usable PEM certificate.
    #[error("extra CA certificate unusable: {reason}")]
    CaCertificate { reason: String },

    // --- Token endpoint and authorisation ------------------------------------------------------
    /// 401 `invalid_client` / `unauthorized`, 400 `invalid_grant`: wrong client id or secret.
    #[error("client credentials rejected by the token endpoint (HTTP {status})")]
    InvalidClient { status: u16 },
    /// `unsupported_grant_type`, `invalid_request`, `invalid_scope`, `unauthorized_client`, other 4xx.
    #[error("token request refused (HTTP {status}, {error})")]
    BadTokenRequest { status: u16, error: String },
    /// 404/405 or an answer that is not a token: the token URL points somewhere else.
    #[error("the token URL does not answer like an OAuth2 token endpoint (HTTP {status})")]
    TokenUrlWrong { status: u16 },
    /// 409 `0.0.10`: expired, or a token of another environment.
    #[error("access token expired or from another environment: {0:?}")]
    TokenExpired(ServiceDetail),
    /// 401 from the API (Spring's `invalid_token`).
    #[error("access token refused by the API (HTTP {status})")]
    InvalidToken { status: u16 },
    /// 1.1.0
    #[error("client service licence invalid or missing: {0:?}")]
    LicenceInvalid(ServiceDetail),
    /// 1.1.1, 1.1.3
    #[error("licence or client service inactive: {0:?}")]
    ServiceInactive(ServiceDetail),
    /// 1.2.0
    #[error("issuer company inactive: {0:?}")]
    IssuerInactive(ServiceDetail),
    /// 1.1.4
    #[error("client secret too weak: {0:?}")]
    SecretTooWeak(ServiceDetail),

    // --- The API's ErrorResponse codes (spec §8) ----------------------------------------------
    /// 0.0.2
    #[error("mandatory attribute missing: {0:?}")]
    MissingField(ServiceDetail),
    /// 0.0.3
    #[error("client service configuration missing: {0:?}")]
    ConfigurationMissing(ServiceDetail),
    /// 0.0.4
    #[error("attribute too large: {0:?}")]
    TooLarge(ServiceDetail),
    /// 0.0.5
    #[error("e-mail could not be sent: {0:?}")]
    Email(ServiceDetail),
    /// 0.0.6
    #[error("request validation failed: {0:?}")]
    Validation(ServiceDetail),
    /// 0.0.7
    #[error("externalReference already used: {0:?}")]
    ReusedReference(ServiceDetail),
    /// 2.2.1
    #[error("visible signature cannot be placed: {0:?}")]
    VisibleSignature(ServiceDetail),
    /// Any other ErrorResponse code, kept as the service sent it.
    #[error("service error: {0:?}")]
    Service(ServiceDetail),
    /// 404 from the API that is not an ErrorResponse: the API base points somewhere else.
    #[error("API endpoint not found (HTTP {status})")]
    ApiNotFound { status: u16 },
    #[error("unexpected HTTP status {status}")]
    UnexpectedStatus { status: u16 },
    /// 429
    #[error("too many requests (retry after {retry_after_secs:?} s)")]
    TooManyRequests { retry_after_secs: Option<u64> },
    /// 5xx without a more specific code (including 0.0.1, unhandled error).
    #[error("server error: {0:?}")]
    ServerError(ServiceDetail),

    // --- Transport ---------------------------------------------------------------------------
    #[error("host {host} could not be resolved")]
    Dns { host: String },
    #[error("connection to {host} refused")]
    ConnectionRefused { host: String },
    #[error("could not connect to {host}: {detail}")]
    Unreachable { host: String, detail: String },
    #[error("connection lost before the answer was complete: {detail}")]
    ConnectionLost { detail: String },
    #[error("timed out waiting for {host}")]
    Timeout { host: String },
    #[error("TLS failure with {host}: {detail}")]
    Tls { host: String, detail: String },
    /// 407, or a CONNECT tunnel refused for want of (right) proxy credentials.
    #[error("the HTTP proxy refused the proxy credentials")]
    ProxyAuth,
    /// The proxy would not open a tunnel to the host (a wrong password on some proxies, or a
    /// blocked host).
    #[error("the HTTP proxy refused the tunnel to {host}")]
    ProxyRefused { host: String },
    #[error("redirect (HTTP {status}) to {location:?} refused")]
    Redirect {
        status: u16,
        location: Option<String>,
    },

    // --- The answer itself ---------------------------------------------------------------------
    #[error("malformed answer (HTTP {status}): {detail}")]
    Malformed { status: u16, detail: String },
    #[error("answer larger than the limit of {limit_bytes} bytes")]
    AnswerTooLarge { limit_bytes: u64 },
}

impl SignStashError {
    /// A stable machine code for the UI, logs and support; never changes once published.
    pub fn code(&self) -> &'static str {
        use SignStashError::*;
        match self {
            InvalidUrl { .. } => "config.invalid_url",
            ConsultUnavailable => "config.consult_unavailable",
            HttpClient(_) => "config.http_client",
            CaCertificate { .. } => "config.ca_certificate",
            InvalidClient { .. } => "auth.invalid_client",
            BadTokenRequest { .. } => "auth.bad_token_request",
            TokenUrlWrong { .. } => "auth.token_url_wrong",
            TokenExpired(_) => "auth.token_expired",
            InvalidToken { .. } => "auth.invalid_token",
            LicenceInvalid(_) => "auth.licence_invalid",
            ServiceInactive(_) => "auth.service_inactive",
            IssuerInactive(_) => "auth.issuer_inactive",
            SecretTooWeak(_) => "auth.secret_too_weak",
            MissingField(_) => "api.missing_field",
            ConfigurationMissing(_) => "api.configuration_missing",
            TooLarge(_) => "api.too_large",
            Email(_) => "api.email",
            Validation(_) => "api.validation",
            ReusedReference(_) => "api.reused_reference",
            VisibleSignature(_) => "api.visible_signature",
            Service(_) => "api.other",
            ApiNotFound { .. } => "api.not_found",
            UnexpectedStatus { .. } => "api.unexpected_status",
            TooManyRequests { .. } => "api.too_many_requests",
            ServerError(_) => "api.server_error",
            Dns { .. } => "net.dns",
            ConnectionRefused { .. } => "net.refused",
            Unreachable { .. } => "net.unreachable",
            ConnectionLost { .. } => "net.connection_lost",
            Timeout { .. } => "net.timeout",
            Tls { .. } => "net.tls",
            ProxyAuth => "net.proxy_auth",
            ProxyRefused { .. } => "net.proxy_refused",
            Redirect { .. } => "net.redirect",
            Malformed { .. } => "answer.malformed",
            AnswerTooLarge { .. } => "answer.too_large",
        }
    }

    /// Worth trying again later, unchanged (the batch engine decides when and how often).
    /// An unknown ErrorResponse code with a 5xx status counts: Multicert's retry protocol (spec
    /// §8.2) retries API errors; the validation codes never heal by themselves, so they do not.
    pub fn is_retryable(&self) -> bool {
        use SignStashError::*;
        match self {
            TooManyRequests { .. } | ServerError(_) => true,
            Dns { .. } | ConnectionRefused { .. } | Unreachable { .. } => true,
            ConnectionLost { .. } | Timeout { .. } => true,
            Service(detail) => detail.status >= 500,
            _ => false,
        }
    }

    /// The token was refused as expired or invalid: drop it, get a new one and retry once.
    pub fn is_auth_expired(&self) -> bool {
        matches!(self, Self::TokenExpired(_) | Self::InvalidToken { .. })
    }

    /// The HTTP status the answer had, when there was an answer.
    pub fn http_status(&self) -> Option<u16> {
        use SignStashError::*;
        match self {
            InvalidClient { status }
            | BadTokenRequest { status, .. }
            | TokenUrlWrong { status }
            | InvalidToken { status }
            | ApiNotFound { status }
            | UnexpectedStatus { status }
            | Redirect { status, .. }
            | Malformed { status, .. } => Some(*status),
            TooManyRequests { .. } => Some(429),
            other => other.service_detail().map(|d| d.status),
        }
    }

    /// What the service said, for the ErrorResponse-based variants.
    pub fn service_detail(&self) -> Option<&ServiceDetail> {
        use SignStashError::*;
        match self {
            TokenExpired(d)
            | LicenceInvalid(d)
            | ServiceInactive(d)
            | IssuerInactive(d)
            | SecretTooWeak(d)
            | MissingField(d)
            | ConfigurationMissing(d)
            | TooLarge(d)
            | Email(d)
            | Validation(d)
            | ReusedReference(d)
            | VisibleSignature(d)
            | Service(d)
            | ServerError(d) => Some(d),
            _ => None,
        }
    }

    /// How long the service asked us to wait (429 `Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::TooManyRequests {
                retry_after_secs: Some(s),
            } => Some(std::time::Duration::from_secs(*s)),
            _ => None,
        }
    }

    /// The small copyable line for support: our code, the HTTP status and the service's own code and
    /// cause, e.g. `api.reused_reference · HTTP 409 · 0.0.7 · externalReference already exists`.
    pub fn support_detail(&self) -> String {
        let mut parts = vec![self.code().to_string()];
        if let Some(status) = self.http_status() {
            parts.push(format!("HTTP {status}"));
        }
        if let Some(detail) = self.service_detail() {
            parts.extend(detail.code.iter().cloned());
            parts.extend(
                detail
                    .cause
                    .iter()
                    .chain(&detail.description)
                    .take(1)
                    .cloned(),
            );
        } else {
            match self {
                Self::BadTokenRequest { error, .. } => parts.push(error.clone()),
                Self::Unreachable { detail, .. }
                | Self::ConnectionLost { detail }
                | Self::Tls { detail, .. }
                | Self::Malformed { detail, .. }
                | Self::HttpClient(detail) => parts.push(detail.clone()),
                Self::InvalidUrl { reason, .. } | Self::CaCertificate { reason } => {
                    parts.push(reason.clone())
                }
                Self::Redirect {
                    location: Some(location),
                    ..
                } => parts.push(location.clone()),
                _ => {}
            }
        }
        parts.join(" · ")
    }

    /// What happened and what to do, in plain words, for the person using the app.
    pub fn message(&self, lang: Lang) -> String {
        crate::error_messages::message(self, lang)
    }
}
