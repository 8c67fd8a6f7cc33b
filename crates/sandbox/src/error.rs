//! Every error the sandbox answers, with the status and body the real service uses (spec §3.4, §6.7, §8).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 0.0.1: what the service answers when something unforeseen breaks.
    #[error("unhandled error: {0}")]
    Unhandled(String),
    /// 0.0.2: a mandatory attribute is missing, or the body is not a request at all.
    #[error("mandatory attribute missing: {0}")]
    MissingField(String),
    /// 0.0.4: something is larger than the service accepts.
    #[error("attribute too large: {0}")]
    TooLarge(String),
    /// 0.0.6: a value is not one the service accepts (enum, base64, number, format).
    #[error("request parameter validation failed: {0}")]
    Invalid(String),
    /// 0.0.7: an externalReference was used before.
    #[error("externalReference already exists: {0}")]
    ReusedReference(String),
    /// 0.0.10: the token expired, or belongs to another environment.
    #[error("access token expired or invalid")]
    TokenExpired,
    /// 2.2.1: the visible-signature image does not fit its area.
    #[error("visible signature image larger than its area: {0}")]
    ImageLargerThanArea(String),
    /// The resource server's own 401 (missing or unknown bearer token).
    #[error("invalid bearer token: {0}")]
    InvalidToken(&'static str),
    /// More requests in flight than the service takes.
    #[error("too many requests")]
    TooManyRequests { path: String },
    /// Spring's default answer for an unknown path or id.
    #[error("not found: {path}")]
    NotFound { path: String },
}

impl ApiError {
    fn code_and_description(&self) -> Option<(StatusCode, &'static str, &'static str)> {
        let conflict = StatusCode::CONFLICT;
        let internal = StatusCode::INTERNAL_SERVER_ERROR;
        Some(match self {
            Self::Unhandled(_) => (internal, "0.0.1", "Unhandled error."),
            Self::MissingField(_) => (internal, "0.0.2", "Mandatory attribute is missing."),
            Self::TooLarge(_) => (internal, "0.0.4", "Attribute exceeds the supported size."),
            Self::Invalid(_) => (internal, "0.0.6", "Request parameters validation failed."),
            Self::ReusedReference(_) => (conflict, "0.0.7", "Information already exists."),
            Self::TokenExpired => (
                conflict,
                "0.0.10",
                "Access token provided is expired or invalid. Please check the environment URL.",
            ),
            // The status of 2.2.1 is not documented; the service answers its validation errors with 500.
            Self::ImageLargerThanArea(_) => (
                internal,
                "2.2.1",
                "Visible elements not present for PAdES Signature.",
            ),
            Self::InvalidToken(_) | Self::TooManyRequests { .. } | Self::NotFound { .. } => {
                return None
            }
        })
    }

    fn cause(&self) -> String {
        match self {
            Self::Unhandled(c)
            | Self::MissingField(c)
            | Self::TooLarge(c)
            | Self::Invalid(c)
            | Self::ReusedReference(c)
            | Self::ImageLargerThanArea(c) => c.clone(),
            Self::TokenExpired => "The access token is expired.".into(),
            other => other.to_string(),
        }
    }
}

/// Spring Boot's default error body, which the service's framework answers outside its own handlers.
fn spring_error(status: StatusCode, path: &str) -> Json<serde_json::Value> {
    Json(json!({
        "timestamp": crate::clock::service_timestamp(time::OffsetDateTime::now_utc()),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "path": path,
    }))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some((status, code, description)) = self.code_and_description() {
            let body = json!({
                "errorCode": code,
                "errorCodeDescription": description,
                "causeMessage": self.cause(),
            });
            return (status, Json(body)).into_response();
        }
        match self {
            Self::InvalidToken(description) => {
                let mut response = (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({"error": "invalid_token", "error_description": description})),
                )
                    .into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
                response
            }
            Self::TooManyRequests { path } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    spring_error(StatusCode::TOO_MANY_REQUESTS, &path),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            Self::NotFound { path } => (
                StatusCode::NOT_FOUND,
                spring_error(StatusCode::NOT_FOUND, &path),
            )
                .into_response(),
            _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

/// RFC 6749 §5.2 errors of the token endpoint.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("client authentication failed")]
    InvalidClient,
    #[error("grant_type is missing")]
    MissingGrantType,
    #[error("unsupported grant type {0}")]
    UnsupportedGrantType(String),
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, error, description) = match &self {
            Self::InvalidClient => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Bad client credentials".to_string(),
            ),
            Self::MissingGrantType => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant type".to_string(),
            ),
            Self::UnsupportedGrantType(g) => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("Unsupported grant type: {g}"),
            ),
        };
        let mut response = (
            status,
            Json(json!({"error": error, "error_description": description})),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"oauth2/client\""),
            );
        }
        response
    }
}
