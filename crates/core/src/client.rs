//! The HTTP client for Sign'Stash: token requests (spec §3), the base64 sign endpoint (§4.1, §5.1)
//! and, on the hosted service only, the consult endpoints (§4.3 - §4.5).
//!
//! It retries exactly one thing itself: a request refused because the token expired (401, or 409
//! `0.0.10`) is sent once more with a new token. Every other retry is the batch engine's call,
//! guided by [`SignStashError::is_retryable`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::classify;
use http::Answer;
use http::{host_of, path_of};
pub use http::{ClientOptions, ProxySetting};

mod content;
pub(crate) mod http;
mod stream;
use crate::environment::Environment;
use crate::error::{SignStashError, UrlField};
use crate::model::{parse_operation_id, BaseOperation, SignOperation, SignRequest, TokenResponse};
use crate::token::{AccessToken, Credentials, FetchedToken, TokenCache, DEFAULT_LIFETIME};
pub use content::{InvalidContent, SignedContent};
pub use stream::StreamedAnswer;

/// One environment and one client service. Cheap to clone; clones share the connection pool and,
/// through the [`TokenCache`], the token.
#[derive(Clone)]
pub struct SignStashClient {
    http: reqwest::Client,
    environment: Environment,
    credentials: Credentials,
    tokens: Arc<TokenCache>,
    max_answer_bytes: u64,
    read_whole_answer_max_bytes: u64,
    answer_buffers: Arc<content::AnswerBuffers>,
}

impl std::fmt::Debug for SignStashClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignStashClient")
            .field("environment", &self.environment.id)
            .field("client_id", &self.credentials.client_id)
            .finish_non_exhaustive()
    }
}

impl SignStashClient {
    pub fn new(
        environment: Environment,
        credentials: Credentials,
        tokens: Arc<TokenCache>,
        options: &ClientOptions,
    ) -> Result<Self, SignStashError> {
        Ok(Self {
            http: http::build(options)?,
            environment,
            credentials,
            tokens,
            max_answer_bytes: options.max_answer_bytes,
            read_whole_answer_max_bytes: options.read_whole_answer_max_bytes,
            answer_buffers: Arc::default(),
        })
    }

    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    pub fn client_id(&self) -> &str {
        &self.credentials.client_id
    }

    /// Asks the token endpoint for a new token, bypassing the cache (for "Test connection").
    pub async fn request_token(&self) -> Result<FetchedToken, SignStashError> {
        let url = &self.environment.token_url;
        let host = host_of(url);
        let started = Instant::now();
        let response = self
            .http
            .post(url)
            .basic_auth(
                &self.credentials.client_id,
                Some(self.credentials.secret.expose()),
            )
            .header(ACCEPT, "application/json")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| classify::transport(&e, &host))?;
        let answer = http::read(response, &host, self.max_answer_bytes).await?;
        tracing::debug!(
            environment = %self.environment.id,
            status = answer.status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "token request answered"
        );
        let status = answer.status.as_u16();
        if answer.status.is_redirection() {
            return Err(classify::redirect(status, answer.location()));
        }
        if !answer.status.is_success() {
            return Err(classify::token_failure(
                status,
                answer.retry_after_secs(),
                &answer.body,
            ));
        }
        // A 2xx that is not a token is some other page: the token URL points elsewhere.
        let token = serde_json::from_slice::<TokenResponse>(&answer.body)
            .ok()
            .filter(|t| !t.access_token.trim().is_empty())
            .ok_or(SignStashError::TokenUrlWrong { status })?;
        if let Some(kind) = token.token_type.as_deref() {
            if !kind.eq_ignore_ascii_case("bearer") {
                tracing::warn!(
                    token_type = kind,
                    "token type is not bearer; using it as one"
                );
            }
        }
        let lifetime = match token.expires_in {
            Some(secs) if secs > 0 => Duration::from_secs(secs.unsigned_abs()),
            _ => DEFAULT_LIFETIME,
        };
        Ok(FetchedToken {
            token: AccessToken::new(token.access_token),
            lifetime,
        })
    }

    /// The cached token, or a new one (one request however many tasks ask at once).
    pub async fn token(&self) -> Result<AccessToken, SignStashError> {
        self.tokens
            .get_or_fetch(&self.environment.id, &self.credentials.client_id, || {
                self.request_token()
            })
            .await
    }

    /// `POST api/v0/document/sign/base64/`: signs the documents and returns the operation.
    /// Per-document failures come back inside it (`signStatus = ERROR_SIGNING`).
    pub async fn sign_base64(
        &self,
        request: &SignRequest,
    ) -> Result<SignOperation, SignStashError> {
        let body =
            serde_json::to_vec(request).map_err(|e| SignStashError::HttpClient(e.to_string()))?;
        tracing::info!(
            environment = %self.environment.id,
            reference = %request.external_reference,
            documents = request.documents.len(),
            bytes = body.len(),
            "sign request"
        );
        let url = self.environment.endpoint("document/sign/base64/");
        let answer = self
            .send(Method::POST, &url, Some(Bytes::from(body)))
            .await?;
        parse_success(answer)
    }

    /// `POST api/v0/document/sign/base64/`, streamed both ways: document `i`'s content is read
    /// from `files[i]` and base64-encoded while the body is sent (the request's own
    /// `base64Content` values are ignored), and the answer is parsed as it arrives, each
    /// `signedContent` decoded aside. `expected_size` sizes each decoded buffer (the largest
    /// original plus room for a signature). Memory stays near a chunk per request, not a request.
    pub async fn sign_base64_files(
        &self,
        request: &SignRequest,
        files: &[PathBuf],
        expected_size: usize,
    ) -> Result<StreamedAnswer, SignStashError> {
        let body = stream::StreamedBody::new(request, files)?;
        tracing::info!(
            environment = %self.environment.id,
            reference = %request.external_reference,
            documents = request.documents.len(),
            "sign request (streamed)"
        );
        let url = self.environment.endpoint("document/sign/base64/");
        let host = host_of(&url);
        let token = self.token().await?;
        let sent_at = std::time::Instant::now();
        let mut response = self.post_streamed(&url, &host, &body, &token).await?;
        tracing::debug!(
            until_headers_ms = sent_at.elapsed().as_millis() as u64,
            "sign answer headers"
        );
        if matches!(response.status().as_u16(), 401 | 409) {
            let answer = http::read(response, &host, self.max_answer_bytes).await?;
            if !refuses_token(&answer) {
                return Err(classify::api_failure(
                    answer.status.as_u16(),
                    answer.retry_after_secs(),
                    &answer.body,
                ));
            }
            tracing::info!(
                environment = %self.environment.id,
                status = answer.status.as_u16(),
                "token refused by the API; fetching a new one and retrying once"
            );
            self.tokens
                .invalidate(&self.environment.id, &self.credentials.client_id, &token)
                .await;
            let token = self.token().await?;
            response = self.post_streamed(&url, &host, &body, &token).await?;
        }
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            return Err(classify::redirect(status.as_u16(), location.as_deref()));
        }
        if !status.is_success() {
            let answer = http::read(response, &host, self.max_answer_bytes).await?;
            return Err(classify::api_failure(
                answer.status.as_u16(),
                answer.retry_after_secs(),
                &answer.body,
            ));
        }
        let answered_at = std::time::Instant::now();
        let answer = stream::read_answer(
            response,
            &host,
            self.max_answer_bytes,
            self.read_whole_answer_max_bytes,
            expected_size,
            &self.answer_buffers,
        )
        .await;
        tracing::debug!(
            read_ms = answered_at.elapsed().as_millis() as u64,
            "sign answer read"
        );
        answer
    }

    async fn post_streamed(
        &self,
        url: &str,
        host: &str,
        body: &stream::StreamedBody,
        token: &AccessToken,
    ) -> Result<reqwest::Response, SignStashError> {
        self.http
            .post(url)
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_LENGTH, body.length())
            .body(body.to_body())
            .send()
            .await
            .map_err(|e| classify::transport(&e, host))
    }

    /// `GET api/v0/operation/id/withDocumentExternalReference/{ref}`: the operation holding the
    /// document with this reference, or `None` if the service does not know it (404).
    pub async fn operation_id_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<i64>, SignStashError> {
        self.require_hosted()?;
        let url = self.endpoint_with(&[
            "operation",
            "id",
            "withDocumentExternalReference",
            reference,
        ])?;
        let answer = self.send(Method::GET, &url, None).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let status = answer.status.as_u16();
        let answer = success(answer)?;
        if answer.body.iter().all(u8::is_ascii_whitespace) || answer.body.as_ref() == b"null" {
            return Ok(None);
        }
        parse_operation_id(&answer.body)
            .map(Some)
            .ok_or_else(|| SignStashError::Malformed {
                status,
                detail: "not an operation id".into(),
            })
    }

    /// `GET api/v0/operation/status/{id}`.
    pub async fn operation_status(
        &self,
        operation_id: i64,
    ) -> Result<BaseOperation, SignStashError> {
        self.require_hosted()?;
        let url = self.endpoint_with(&["operation", "status", &operation_id.to_string()])?;
        parse_success(self.send(Method::GET, &url, None).await?)
    }

    /// `GET api/v0/operation/sign/detail/{id}/contentInResponse/{include}`.
    pub async fn operation_detail(
        &self,
        operation_id: i64,
        include_content: bool,
    ) -> Result<SignOperation, SignStashError> {
        self.require_hosted()?;
        let url = self.endpoint_with(&[
            "operation",
            "sign",
            "detail",
            &operation_id.to_string(),
            "contentInResponse",
            if include_content { "true" } else { "false" },
        ])?;
        parse_success(self.send(Method::GET, &url, None).await?)
    }

    fn require_hosted(&self) -> Result<(), SignStashError> {
        if self.environment.hosted {
            Ok(())
        } else {
            Err(SignStashError::ConsultUnavailable)
        }
    }

    /// `api/v0/` plus path segments, each percent-encoded (references may hold any character).
    fn endpoint_with(&self, segments: &[&str]) -> Result<String, SignStashError> {
        let mut url =
            Url::parse(&self.environment.endpoint("")).map_err(|e| SignStashError::InvalidUrl {
                field: UrlField::ApiBase,
                reason: e.to_string(),
            })?;
        url.path_segments_mut()
            .map_err(|()| SignStashError::InvalidUrl {
                field: UrlField::ApiBase,
                reason: "cannot hold a path".into(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url.into())
    }

    /// Sends an API request with the token; if the token is refused as expired or invalid, drops
    /// it and sends the request once more with a new one. Never more than twice.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Bytes>,
    ) -> Result<Answer, SignStashError> {
        let token = self.token().await?;
        let answer = self
            .send_once(method.clone(), url, body.clone(), &token)
            .await?;
        if !refuses_token(&answer) {
            return Ok(answer);
        }
        tracing::info!(
            environment = %self.environment.id,
            status = answer.status.as_u16(),
            "token refused by the API; fetching a new one and retrying once"
        );
        self.tokens
            .invalidate(&self.environment.id, &self.credentials.client_id, &token)
            .await;
        let token = self.token().await?;
        self.send_once(method, url, body, &token).await
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<Bytes>,
        token: &AccessToken,
    ) -> Result<Answer, SignStashError> {
        let host = host_of(url);
        let started = Instant::now();
        let mut request = self
            .http
            .request(method.clone(), url)
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| classify::transport(&e, &host))?;
        let answer = http::read(response, &host, self.max_answer_bytes).await?;
        tracing::debug!(
            environment = %self.environment.id,
            %method,
            path = path_of(url),
            status = answer.status.as_u16(),
            bytes = answer.body.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "API answered"
        );
        if answer.status.is_redirection() {
            return Err(classify::redirect(
                answer.status.as_u16(),
                answer.location(),
            ));
        }
        Ok(answer)
    }
}

/// 401, or 409 with `0.0.10`: the token is refused and a new one may help.
fn refuses_token(answer: &Answer) -> bool {
    matches!(answer.status.as_u16(), 401 | 409)
        && classify::api_failure(answer.status.as_u16(), None, &answer.body).is_auth_expired()
}

/// The answer if it is a 2xx, its error otherwise.
fn success(answer: Answer) -> Result<Answer, SignStashError> {
    if answer.status.is_success() {
        Ok(answer)
    } else {
        Err(classify::api_failure(
            answer.status.as_u16(),
            answer.retry_after_secs(),
            &answer.body,
        ))
    }
}

fn parse_success<T: DeserializeOwned>(answer: Answer) -> Result<T, SignStashError> {
    let answer = success(answer)?;
    serde_json::from_slice(&answer.body).map_err(|e| {
        classify::malformed(
            answer.status.as_u16(),
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("answer"),
            &e,
        )
    })
}
