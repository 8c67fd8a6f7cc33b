//! Turning whatever came back (a status and body, or a transport failure) into a [`SignStashError`].
//! Kept apart from the client so the mapping can be tested without a network.

use std::error::Error as _;
use std::io;

use crate::error::{ServiceDetail, SignStashError};
use crate::model::{ErrorResponse, OAuthErrorResponse};

/// How much of a body is kept in an error detail (it is shown for support; never a document).
const DETAIL_CHARS: usize = 200;

/// An ErrorResponse (spec §6.7) mapped to its error by code; unknown codes are kept.
pub(crate) fn from_error_response(status: u16, body: ErrorResponse) -> SignStashError {
    use SignStashError::*;
    let code = body.error_code.clone().unwrap_or_default();
    let detail = ServiceDetail {
        status,
        code: body.error_code,
        description: body.error_code_description,
        cause: body.cause_message.map(|c| truncate(&c)),
    };
    if status == 429 {
        return TooManyRequests {
            retry_after_secs: None,
        };
    }
    match code.trim() {
        "0.0.1" => ServerError(detail),
        "0.0.2" => MissingField(detail),
        "0.0.3" => ConfigurationMissing(detail),
        "0.0.4" => TooLarge(detail),
        "0.0.5" => Email(detail),
        "0.0.6" => Validation(detail),
        "0.0.7" => ReusedReference(detail),
        "0.0.10" => TokenExpired(detail),
        "1.1.0" => LicenceInvalid(detail),
        "1.1.1" | "1.1.3" => ServiceInactive(detail),
        "1.1.4" => SecretTooWeak(detail),
        "1.2.0" => IssuerInactive(detail),
        "2.2.1" => VisibleSignature(detail),
        _ => Service(detail),
    }
}

/// An ErrorResponse, if the body is one (it must at least carry an `errorCode`).
fn error_response(body: &[u8]) -> Option<ErrorResponse> {
    serde_json::from_slice::<ErrorResponse>(body)
        .ok()
        .filter(|e| {
            e.error_code
                .as_deref()
                .is_some_and(|c| !c.trim().is_empty())
        })
}

/// A failed API answer (not 2xx, not a redirect).
pub(crate) fn api_failure(
    status: u16,
    retry_after_secs: Option<u64>,
    body: &[u8],
) -> SignStashError {
    use SignStashError::*;
    match status {
        429 => return TooManyRequests { retry_after_secs },
        407 => return ProxyAuth,
        _ => {}
    }
    if let Some(error) = error_response(body) {
        return from_error_response(status, error);
    }
    match status {
        401 => InvalidToken { status },
        404 | 405 => ApiNotFound { status },
        500..=599 => ServerError(ServiceDetail::status(status)),
        _ => UnexpectedStatus { status },
    }
}

/// A failed token answer (not 2xx, not a redirect).
pub(crate) fn token_failure(
    status: u16,
    retry_after_secs: Option<u64>,
    body: &[u8],
) -> SignStashError {
    use SignStashError::*;
    match status {
        // Spring's 404 body has an "error" field too ("Not Found"), so the status decides first.
        404 | 405 => return TokenUrlWrong { status },
        407 => return ProxyAuth,
        429 => return TooManyRequests { retry_after_secs },
        _ => {}
    }
    let oauth = serde_json::from_slice::<OAuthErrorResponse>(body)
        .ok()
        .filter(|o| !o.error.is_empty() && !o.error.contains(' '));
    if let Some(oauth) = oauth {
        return match oauth.error.as_str() {
            "invalid_client" | "unauthorized" | "invalid_grant" => InvalidClient { status },
            // RFC 6749 §5.2: a failed client authentication is a 401, whatever the code says.
            _ if status == 401 => InvalidClient { status },
            _ if status >= 500 => ServerError(ServiceDetail::status(status)),
            other => BadTokenRequest {
                status,
                error: truncate(other),
            },
        };
    }
    if let Some(error) = error_response(body) {
        return from_error_response(status, error);
    }
    match status {
        401 => InvalidClient { status },
        500..=599 => ServerError(ServiceDetail::status(status)),
        400..=499 => BadTokenRequest {
            status,
            error: format!("HTTP {status}"),
        },
        _ => TokenUrlWrong { status },
    }
}

/// A 3xx answer; the location is kept without query or fragment (they could carry anything).
pub(crate) fn redirect(status: u16, location: Option<&str>) -> SignStashError {
    let location = location.map(|l| match url::Url::parse(l) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => truncate(l.split(['?', '#']).next().unwrap_or_default()),
    });
    SignStashError::Redirect { status, location }
}

/// A body that was expected to be JSON of some shape and is not.
pub(crate) fn malformed(status: u16, what: &str, error: &serde_json::Error) -> SignStashError {
    SignStashError::Malformed {
        status,
        detail: truncate(&format!("{what}: {error}")),
    }
}

/// A reqwest failure while connecting, sending or reading. reqwest keeps the cause in its source
/// chain (hyper, the resolver, rustls, io), so the chain is searched for what really happened.
pub(crate) fn transport(error: &reqwest::Error, host: &str) -> SignStashError {
    use SignStashError::*;
    let host = host.to_string();
    let chain = cause_chain(error);
    let lower = chain.to_lowercase();
    if error.is_timeout() || has_io_kind(error, io::ErrorKind::TimedOut) {
        return Timeout { host };
    }
    // hyper-util's CONNECT tunnel says so when the proxy answers 407.
    if lower.contains("proxy authorization required")
        || lower.contains("proxy authentication required")
    {
        return ProxyAuth;
    }
    // Any other refusal of a CONNECT (tinyproxy answers a wrong password with 401; others 403).
    if lower.contains("tunnel error: unsuccessful") {
        return ProxyRefused { host };
    }
    if has_io_kind(error, io::ErrorKind::ConnectionRefused) {
        return ConnectionRefused { host };
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return Dns { host };
    }
    let tls_words = ["certificate", "tls", "handshake", "ssl"];
    if is_rustls(error) || tls_words.iter().any(|w| lower.contains(w)) {
        return Tls {
            host,
            detail: truncate(&chain),
        };
    }
    if error.is_connect() {
        return Unreachable {
            host,
            detail: truncate(&chain),
        };
    }
    if error.is_builder() {
        return HttpClient(truncate(&chain));
    }
    ConnectionLost {
        detail: truncate(&chain),
    }
}

/// The messages of the error's sources, without reqwest's own top line (it repeats the URL).
fn cause_chain(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(error.without_url_string());
    }
    parts.join(": ")
}

/// Whether any cause in the chain matches. rustls and the connectors report through `io::Error`s
/// (sometimes one inside another) whose inner error `source()` skips, so those are opened by hand.
fn any_cause(
    error: &reqwest::Error,
    matches: &dyn Fn(&(dyn std::error::Error + 'static)) -> bool,
) -> bool {
    fn check(
        error: &(dyn std::error::Error + 'static),
        matches: &dyn Fn(&(dyn std::error::Error + 'static)) -> bool,
    ) -> bool {
        if matches(error) {
            return true;
        }
        let inner = error
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref());
        if inner.is_some_and(|e| check(e, matches)) {
            return true;
        }
        error.source().is_some_and(|e| check(e, matches))
    }
    error.source().is_some_and(|e| check(e, matches))
}

fn is_rustls(error: &reqwest::Error) -> bool {
    any_cause(error, &|e| e.is::<rustls::Error>())
}

/// The rustls error behind a failure, if TLS is what failed (for the diagnosis to say why).
pub(crate) fn rustls_error(error: &reqwest::Error) -> Option<rustls::Error> {
    let found = std::sync::Mutex::new(None);
    any_cause(error, &|e| match e.downcast_ref::<rustls::Error>() {
        Some(tls) => {
            if let Ok(mut slot) = found.lock() {
                *slot = Some(tls.clone());
            }
            true
        }
        None => false,
    });
    found.into_inner().ok().flatten()
}

fn has_io_kind(error: &reqwest::Error, kind: io::ErrorKind) -> bool {
    any_cause(error, &|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == kind)
    })
}

trait WithoutUrl {
    fn without_url_string(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_string(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "<url>");
        }
        text
    }
}

pub(crate) fn truncate(text: &str) -> String {
    let mut out: String = text.chars().take(DETAIL_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_responses_map_by_code() {
        let body = |code: &str| {
            format!(
                r#"{{"errorCode":"{code}","errorCodeDescription":"d","causeMessage":"c","extra":1}}"#
            )
        };
        let cases = [
            (409, "0.0.7", "api.reused_reference"),
            (409, "0.0.10", "auth.token_expired"),
            (500, "0.0.2", "api.missing_field"),
            (500, "0.0.3", "api.configuration_missing"),
            (500, "0.0.4", "api.too_large"),
            (500, "0.0.5", "api.email"),
            (500, "0.0.6", "api.validation"),
            (500, "0.0.1", "api.server_error"),
            (401, "1.1.0", "auth.licence_invalid"),
            (401, "1.1.1", "auth.service_inactive"),
            (409, "1.1.3", "auth.service_inactive"),
            (400, "1.1.4", "auth.secret_too_weak"),
            (403, "1.2.0", "auth.issuer_inactive"),
            (500, "2.2.1", "api.visible_signature"),
            (500, "3.1.9", "api.other"),
        ];
        for (status, code, expected) in cases {
            let error = api_failure(status, None, body(code).as_bytes());
            assert_eq!(error.code(), expected, "{code}");
            assert_eq!(error.http_status(), Some(status));
        }
        let kept = api_failure(500, None, body("3.1.9").as_bytes());
        assert!(kept.support_detail().contains("3.1.9"));
        assert!(kept.is_retryable());
        assert!(!api_failure(409, None, body("0.0.7").as_bytes()).is_retryable());
        assert!(api_failure(409, None, body("0.0.10").as_bytes()).is_auth_expired());
    }

    #[test]
    fn bare_statuses_map_too() {
        let spring = br#"{"timestamp":"x","status":404,"error":"Not Found","path":"/p"}"#;
        assert_eq!(api_failure(404, None, spring).code(), "api.not_found");
        assert_eq!(
            api_failure(401, None, br#"{"error":"invalid_token"}"#).code(),
            "auth.invalid_token"
        );
        let busy = api_failure(429, Some(3), b"");
        assert_eq!(busy.code(), "api.too_many_requests");
        assert_eq!(busy.retry_after(), Some(std::time::Duration::from_secs(3)));
        assert!(busy.is_retryable());
        assert_eq!(api_failure(502, None, b"<html>").code(), "api.server_error");
        assert_eq!(api_failure(418, None, b"").code(), "api.unexpected_status");
    }

    #[test]
    fn token_answers_map() {
        let oauth = |e: &str| format!(r#"{{"error":"{e}","error_description":"x"}}"#);
        assert_eq!(
            token_failure(401, None, oauth("invalid_client").as_bytes()).code(),
            "auth.invalid_client"
        );
        assert_eq!(
            token_failure(400, None, oauth("invalid_grant").as_bytes()).code(),
            "auth.invalid_client"
        );
        assert_eq!(token_failure(401, None, b"").code(), "auth.invalid_client");
        assert_eq!(
            token_failure(400, None, oauth("unsupported_grant_type").as_bytes()).code(),
            "auth.bad_token_request"
        );
        let spring = br#"{"timestamp":"x","status":404,"error":"Not Found","path":"/p"}"#;
        assert_eq!(
            token_failure(404, None, spring).code(),
            "auth.token_url_wrong"
        );
        assert_eq!(token_failure(503, None, b"down").code(), "api.server_error");
        let weak = br#"{"errorCode":"1.1.4","errorCodeDescription":"weak"}"#;
        assert_eq!(
            token_failure(400, None, weak).code(),
            "auth.secret_too_weak"
        );
    }

    #[test]
    fn redirect_location_loses_its_query() {
        let e = redirect(302, Some("https://elsewhere.example/t?code=abc#x"));
        assert_eq!(
            e,
            SignStashError::Redirect {
                status: 302,
                location: Some("https://elsewhere.example/t".into())
            }
        );
    }
}
