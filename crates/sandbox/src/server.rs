//! The HTTP server: shared state, routes under both API bases, and the layers every request passes
//! (path clean-up, fault latency and forced failures, the in-flight limit, the bearer check).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, OriginalUri, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;
use tokio::sync::oneshot;
use tower::ServiceExt;

use crate::auth::{self, TokenStore};
use crate::config::SandboxConfig;
use crate::error::ApiError;
use crate::faults::{self, Faults, FaultsPatch};
use crate::pki::Pki;
use crate::stats::{Stats, StatsSnapshot};
use crate::store::OperationStore;
use crate::{consult, sign};

pub const TOKEN_PATH: &str = "/oauth2/authorization-server/oauth/token";
pub const HOSTED_BASE: &str = "/signstash/einvoice-integration-ws";
pub const PROXY_BASE: &str = "/signstash/einvoice-integration-client-ws";

/// Which of the two business APIs a request came in on: they differ in what they answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiBase {
    /// The hosted Integration Service: consult endpoints, `signedContent` only when asked.
    Hosted,
    /// The on-premise Proxy Client: sign only, `signedContent` always.
    Proxy,
}

pub struct SharedState {
    pub config: SandboxConfig,
    pub pki: Arc<Pki>,
    pub tokens: TokenStore,
    pub faults: Mutex<Faults>,
    pub stats: Stats,
    pub store: Mutex<OperationStore>,
}

pub type Shared = Arc<SharedState>;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("could not prepare the sandbox's test certificates in {dir}: {reason}")]
    Pki { dir: PathBuf, reason: String },
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running sandbox; dropping it (or [`RunningSandbox::stop`]) stops it.
pub struct RunningSandbox {
    addr: SocketAddr,
    shared: Shared,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// Creates (or reuses) the test CA, binds, and serves in the background on the current runtime.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let data_dir = config.data_dir.clone();
        let pki = tokio::task::spawn_blocking(move || Pki::load_or_create(&data_dir))
            .await
            .map_err(|e| SandboxError::Pki {
                dir: config.data_dir.clone(),
                reason: e.to_string(),
            })?
            .map_err(|e| SandboxError::Pki {
                dir: config.data_dir.clone(),
                reason: e.to_string(),
            })?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.listen,
            source,
        })?;
        let shared = Arc::new(SharedState {
            faults: Mutex::new(config.faults.clone()),
            store: Mutex::new(OperationStore::new(config.stored_content_budget)),
            pki: Arc::new(pki),
            tokens: TokenStore::default(),
            stats: Stats::default(),
            config,
        });
        let app = router(shared.clone());
        // Paths are cleaned before routing, so `//` and trailing slashes reach the same handlers.
        let service =
            tower::service_fn(move |request: Request| app.clone().oneshot(normalize_path(request)));
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, tower::make::Shared::new(service))
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url())
    }

    /// The hosted Integration Service base (append `api/v0/...`).
    pub fn hosted_api_base(&self) -> String {
        format!("{}{HOSTED_BASE}/", self.base_url())
    }

    /// The on-premise Proxy Client base (append `api/v0/...`).
    pub fn proxy_api_base(&self) -> String {
        format!("{}{PROXY_BASE}/", self.base_url())
    }

    pub fn ca_cert_path(&self) -> PathBuf {
        self.shared.pki.ca_cert_path.clone()
    }

    pub fn ca_cert_pem(&self) -> &str {
        &self.shared.pki.ca.cert_pem
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }

    pub fn set_faults(&self, faults: Faults) {
        if let Ok(mut current) = self.shared.faults.lock() {
            *current = faults;
        }
    }

    pub async fn stop(mut self) {
        self.shutdown();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Collapses repeated slashes and drops a trailing one (`api/v0//document/sign/base64/` works).
fn normalize_path(mut request: Request) -> Request {
    let uri = request.uri();
    let path = uri.path();
    if !path.contains("//") && (path.len() <= 1 || !path.ends_with('/')) {
        return request;
    }
    let mut clean = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(segment);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if let Some(query) = uri.query() {
        clean.push('?');
        clean.push_str(query);
    }
    let mut parts = uri.clone().into_parts();
    if let Ok(path_and_query) = clean.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(new_uri) = axum::http::Uri::from_parts(parts) {
            *request.uri_mut() = new_uri;
        }
    }
    request
}

fn api_routes(shared: &Shared, base: ApiBase) -> Router<Shared> {
    let mut routes = Router::new()
        .route("/api/v0/document/sign/base64", post(sign::sign_base64))
        .route("/api/v0/document/sign", post(sign::sign_multipart));
    if base == ApiBase::Hosted {
        routes = routes
            .route(
                "/api/v0/operation/id/withDocumentExternalReference/{reference}",
                get(consult::id_by_reference),
            )
            .route("/api/v0/operation/status/{id}", get(consult::status))
            .route(
                "/api/v0/operation/sign/detail/{id}/contentInResponse/{include}",
                get(consult::detail),
            )
            .route(
                "/api/v0/operation/sign/detail/{id}/documents",
                get(consult::documents_zip),
            )
            .route(
                "/api/v0/delivery/mail/resend/{id}/{attach}",
                post(consult::resend_mail),
            );
    }
    // Layers run outside-in in reverse order of these calls: in-flight limit, then latency and forced
    // failures, then the bearer check.
    routes
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            auth::require_bearer,
        ))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            forced_failure,
        ))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            limit_in_flight,
        ))
        .layer(Extension(base))
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            TOKEN_PATH,
            post(auth::token_endpoint)
                .route_layer(middleware::from_fn_with_state(shared.clone(), latency)),
        )
        .nest(HOSTED_BASE, api_routes(&shared, ApiBase::Hosted))
        .nest(PROXY_BASE, api_routes(&shared, ApiBase::Proxy))
        .route("/sandbox/stats", get(stats))
        .route("/sandbox/faults", get(get_faults).post(post_faults))
        .route("/sandbox/ca.pem", get(ca_pem))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(shared.config.max_body_bytes))
        .with_state(shared)
}

async fn index(State(shared): State<Shared>) -> Json<serde_json::Value> {
    Json(json!({
        "service": "Sign'Stash sandbox (training; signatures are NOT VALID)",
        "token_path": TOKEN_PATH,
        "api_bases": [format!("{HOSTED_BASE}/"), format!("{PROXY_BASE}/")],
        "ca_certificate": shared.pki.ca_cert_path,
    }))
}

async fn not_found(uri: OriginalUri) -> ApiError {
    ApiError::NotFound {
        path: uri.path().to_string(),
    }
}

async fn latency(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let delay = shared.faults.lock().map(|f| f.latency_ms).unwrap_or(0);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    next.run(request).await
}

async fn limit_in_flight(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    Stats::bump(&shared.stats.api_requests);
    let (now, _guard) = shared.stats.enter();
    if now as usize > shared.config.max_in_flight {
        Stats::bump(&shared.stats.rejected_too_many);
        return ApiError::TooManyRequests {
            path: request.uri().path().to_string(),
        }
        .into_response();
    }
    latency(State(shared.clone()), request, next).await
}

/// `fail_next`: the request is refused as a failing service would, before anything is processed.
async fn forced_failure(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let status = shared
        .faults
        .lock()
        .ok()
        .and_then(|mut f| faults::take(&mut f.fail_next).then_some(f.fail_status));
    let Some(status) = status else {
        return next.run(request).await;
    };
    Stats::bump(&shared.stats.faults_fired);
    let path = request.uri().path().to_string();
    match status {
        429 => ApiError::TooManyRequests { path }.into_response(),
        401 => ApiError::InvalidToken("Invalid access token").into_response(),
        409 => ApiError::TokenExpired.into_response(),
        503 => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
        )
            .into_response(),
        _ => ApiError::Unhandled("sandbox fault: forced server error".into()).into_response(),
    }
}

async fn stats(State(shared): State<Shared>) -> Json<StatsSnapshot> {
    Json(shared.stats.snapshot())
}

async fn get_faults(State(shared): State<Shared>) -> Response {
    match shared.faults.lock() {
        Ok(faults) => Json(faults.clone()).into_response(),
        Err(_) => ApiError::Unhandled("faults poisoned".into()).into_response(),
    }
}

async fn post_faults(State(shared): State<Shared>, body: axum::body::Bytes) -> Response {
    let bad_request = |message: String| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": message})),
        )
            .into_response()
    };
    let patch: FaultsPatch = match serde_json::from_slice(&body) {
        Ok(patch) => patch,
        Err(e) => return bad_request(format!("not a faults object: {e}")),
    };
    let Ok(mut faults) = shared.faults.lock() else {
        return ApiError::Unhandled("faults poisoned".into()).into_response();
    };
    match faults.apply(patch) {
        Ok(()) => Json(faults.clone()).into_response(),
        Err(e) => bad_request(e.to_string()),
    }
}

async fn ca_pem(State(shared): State<Shared>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
        shared.pki.ca.cert_pem.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_slashes() {
        let request = |p: &str| {
            normalize_path(
                Request::builder()
                    .uri(p)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
        };
        assert_eq!(request("/a//b/c/").uri().path(), "/a/b/c");
        assert_eq!(request("//a/?x=1").uri().to_string(), "/a?x=1");
        assert_eq!(request("/").uri().path(), "/");
        assert_eq!(request("/a/b").uri().path(), "/a/b");
    }
}
