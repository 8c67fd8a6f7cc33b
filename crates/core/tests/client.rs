//! The API client against real HTTP on loopback: the sandbox (written independently from the spec)
//! for the service, and tiny axum servers for what the sandbox does not do (redirects, non-JSON
//! tokens). Then the models against JSON fixtures written by hand from the spec.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::environment::Environment;
use signstash_core::error::{Lang, SignStashError};
use signstash_core::model::{
    parse_operation_id, AdvancedSignatureInfo, Base64Document, BaseOperation, CanonicalTransform,
    ContentType, DocumentResponse, ErrorResponse, FolderContent, LocationType, OAuthErrorResponse,
    OperationStatus, SignDocument, SignError, SignOperation, SignRequest, SignStatus,
    SignatureInfo, SignatureTransform, SignatureType, StorageStatus, TemplateType, TokenResponse,
    VisibleSignatureInfo,
};
use signstash_core::token::{Credentials, TokenCache};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig, StatsSnapshot};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

struct Sandbox {
    running: RunningSandbox,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

async fn sandbox() -> Sandbox {
    let data = tempfile::tempdir().expect("temp dir");
    let running = RunningSandbox::start(SandboxConfig {
        data_dir: data.path().to_path_buf(),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        max_in_flight: 64,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    Sandbox {
        running,
        http,
        _data: data,
    }
}

impl Sandbox {
    fn hosted(&self) -> Environment {
        Environment::custom(
            "sbx-hosted",
            &self.running.token_url(),
            &self.running.hosted_api_base(),
        )
        .expect("environment")
    }

    fn proxy(&self) -> Environment {
        Environment::custom(
            "sbx-proxy",
            &self.running.token_url(),
            &self.running.proxy_api_base(),
        )
        .expect("environment")
    }

    fn client(&self, environment: Environment) -> SignStashClient {
        client_for(environment, "barsecret", options())
    }

    fn stats(&self) -> StatsSnapshot {
        self.running.stats()
    }

    async fn faults(&self, patch: Value) {
        let answer = self
            .http
            .post(format!("{}/sandbox/faults", self.running.base_url()))
            .json(&patch)
            .send()
            .await
            .expect("faults");
        assert_eq!(answer.status(), 200, "faults accepted: {patch}");
    }
}

fn options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(60),
        proxy: ProxySetting::Direct,
        ..ClientOptions::default()
    }
}

fn client_for(environment: Environment, secret: &str, options: ClientOptions) -> SignStashClient {
    SignStashClient::new(
        environment,
        Credentials::new("bar", secret),
        Arc::new(TokenCache::new()),
        &options,
    )
    .expect("client")
}

/// A one-page PDF with a line of text, offsets computed so any reader accepts it.
fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 50 780 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
    ];
    let mut out = b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n".to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{object}\nendobj\n", n + 1).into_bytes());
    }
    let xref_at = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

fn pdf_request(reference: &str) -> SignRequest {
    let mut signature = SignatureInfo::new(SignatureType::PAdES);
    signature.reason = Some("Fatura".into());
    signature.location = Some("Lisboa".into());
    SignRequest::new(
        format!("{reference}_Request"),
        "teste",
        vec![SignDocument {
            document_request: Base64Document::from_bytes(
                reference,
                format!("{reference}.pdf"),
                ContentType::Pdf,
                &pdf(reference),
            ),
            signature_info: signature,
        }],
    )
}

/// A loopback port with nothing listening on it.
async fn unused_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

/// A tiny server answering every request with `answer`, counting the requests it got.
async fn tiny_server(
    answer: impl Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (SocketAddr, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let answer = answer.clone();
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            answer()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, hits)
}

fn assert_no_secret(error: &SignStashError) {
    for text in [
        format!("{error:?}"),
        error.to_string(),
        error.message(Lang::Pt),
        error.message(Lang::En),
        error.support_detail(),
    ] {
        assert!(
            !text.contains("barsecret") && !text.contains("wrongsecret"),
            "{text}"
        );
        assert!(!text.contains("eyJ"), "no token in {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Signing and consulting
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_a_pdf_on_both_bases() {
    let sandbox = sandbox().await;
    for (environment, hosted) in [(sandbox.hosted(), true), (sandbox.proxy(), false)] {
        assert_eq!(environment.hosted, hosted);
        let client = sandbox.client(environment);
        let reference = if hosted { "FT-H-1" } else { "FT-P-1" };
        let operation = client
            .sign_base64(&pdf_request(reference))
            .await
            .expect("signed");
        assert!(operation.is_executed(), "{operation:?}");
        assert_eq!(operation.document_list.len(), 1);
        let document = &operation.document_list[0];
        assert!(document.is_signed(), "{document:?}");
        assert_eq!(document.external_reference.as_deref(), Some(reference));
        let signed = STANDARD
            .decode(document.signed_content.as_deref().expect("signedContent"))
            .expect("base64");
        assert!(signed.starts_with(b"%PDF"));
        assert!(signed.len() > pdf(reference).len(), "a signature was added");
        let content = operation
            .folder
            .as_ref()
            .and_then(|f| f.folder_content.clone());
        assert_eq!(
            content,
            Some(if hosted {
                FolderContent::Document
            } else {
                FolderContent::Hash
            })
        );

        if hosted {
            let id = operation.id.expect("operation id");
            assert_eq!(
                client
                    .operation_id_by_reference(reference)
                    .await
                    .expect("lookup"),
                Some(id)
            );
            assert_eq!(
                client
                    .operation_id_by_reference("never sent / odd?ref")
                    .await
                    .expect("lookup"),
                None
            );
            let detail = client.operation_detail(id, true).await.expect("detail");
            assert_eq!(detail.id, Some(id));
            assert!(detail.document_list[0].signed_content.is_some());
            let status = client.operation_status(id).await.expect("status");
            assert_eq!(status.status, Some(OperationStatus::Executed));
        } else {
            let error = client
                .operation_id_by_reference(reference)
                .await
                .expect_err("proxy");
            assert_eq!(error.code(), "config.consult_unavailable");
        }
    }
    assert_eq!(sandbox.stats().tokens_issued, 2, "one token per client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_failure_comes_back_inside_the_operation() {
    let sandbox = sandbox().await;
    sandbox
        .faults(
            json!({"document_error_next": 1, "document_sign_error": "INVALID_CERT_ACCESS_ACCOUNT"}),
        )
        .await;
    let operation = sandbox
        .client(sandbox.hosted())
        .sign_base64(&pdf_request("FT-DOC-ERR"))
        .await
        .expect("answer");
    let document = &operation.document_list[0];
    assert_eq!(document.sign_status, Some(SignStatus::ErrorSigning));
    assert_eq!(
        document.sign_error,
        Some(SignError::InvalidCertAccessAccount)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_reference_is_its_own_error() {
    let sandbox = sandbox().await;
    let client = sandbox.client(sandbox.hosted());
    client
        .sign_base64(&pdf_request("FT-REUSE"))
        .await
        .expect("first");
    let error = client
        .sign_base64(&pdf_request("FT-REUSE"))
        .await
        .expect_err("second");
    assert_eq!(error.code(), "api.reused_reference");
    assert_eq!(error.http_status(), Some(409));
    assert!(!error.is_retryable() && !error.is_auth_expired());
    assert!(error.message(Lang::Pt).contains("Histórico"));
    assert!(error.support_detail().contains("0.0.7"));
}

// ---------------------------------------------------------------------------------------------
// Credentials and addresses
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_is_invalid_client_in_both_languages() {
    let sandbox = sandbox().await;
    let client = client_for(sandbox.hosted(), "wrongsecret", options());
    let error = client
        .sign_base64(&pdf_request("FT-BAD"))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "auth.invalid_client");
    assert_eq!(error.http_status(), Some(401));
    assert!(!error.is_retryable() && !error.is_auth_expired());
    assert!(
        error.message(Lang::Pt).contains("credenciais"),
        "{}",
        error.message(Lang::Pt)
    );
    assert!(
        error.message(Lang::En).contains("credentials"),
        "{}",
        error.message(Lang::En)
    );
    assert_ne!(error.message(Lang::Pt), error.message(Lang::En));
    assert_no_secret(&error);
    assert!(!format!("{client:?}").contains("wrongsecret"));
    assert_eq!(
        sandbox.stats().api_requests,
        0,
        "nothing sent without a token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_addresses_map_to_their_codes() {
    let sandbox = sandbox().await;
    let base = sandbox.running.base_url();

    let wrong_token = Environment::custom(
        "e",
        &format!("{base}/oauth/token"),
        &sandbox.running.hosted_api_base(),
    )
    .expect("env");
    let error = sandbox
        .client(wrong_token)
        .request_token()
        .await
        .expect_err("404");
    assert_eq!(error.code(), "auth.token_url_wrong");
    assert_eq!(error.http_status(), Some(404));

    let wrong_base = Environment::custom(
        "e",
        &sandbox.running.token_url(),
        &format!("{base}/signstash/nothing-here"),
    )
    .expect("env");
    let error = sandbox
        .client(wrong_base)
        .sign_base64(&pdf_request("FT-404"))
        .await
        .expect_err("404");
    assert_eq!(error.code(), "api.not_found");

    let port = unused_port().await;
    let refused = Environment::custom(
        "e",
        &format!("http://127.0.0.1:{port}/oauth2/authorization-server/oauth/token"),
        &format!("http://127.0.0.1:{port}/signstash/einvoice-integration-ws"),
    )
    .expect("env");
    let error = sandbox
        .client(refused)
        .sign_base64(&pdf_request("FT-REFUSED"))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "net.refused");
    assert!(error.is_retryable());
    assert!(error
        .message(Lang::Pt)
        .contains(&format!("127.0.0.1:{port}")));

    let unresolvable = Environment::custom(
        "e",
        "http://no-such-host.invalid/t",
        "http://no-such-host.invalid/b",
    )
    .expect("env");
    let error = sandbox
        .client(unresolvable)
        .request_token()
        .await
        .expect_err("dns");
    assert_eq!(error.code(), "net.dns", "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_are_not_json_are_malformed() {
    let sandbox = sandbox().await;
    sandbox.faults(json!({"malformed_json_next": 1})).await;
    let error = sandbox
        .client(sandbox.hosted())
        .sign_base64(&pdf_request("FT-MALFORMED"))
        .await
        .expect_err("malformed");
    assert_eq!(error.code(), "answer.malformed");
    assert!(!error.is_retryable());

    // A token URL that answers 200 with a web page is not a token endpoint.
    let (page, _) =
        tiny_server(|| axum::response::IntoResponse::into_response("<html>hello</html>")).await;
    let environment = Environment::custom(
        "e",
        &format!("http://{page}/token"),
        &sandbox.running.hosted_api_base(),
    )
    .expect("env");
    let error = sandbox
        .client(environment)
        .request_token()
        .await
        .expect_err("not a token");
    assert_eq!(error.code(), "auth.token_url_wrong");
}

// ---------------------------------------------------------------------------------------------
// Tokens: renewal on refusal, no loops, single flight
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_409_and_401_each_cost_exactly_one_new_token() {
    let sandbox = sandbox().await;
    let client = sandbox.client(sandbox.hosted());
    client
        .sign_base64(&pdf_request("FT-T-0"))
        .await
        .expect("warm-up");
    assert_eq!(sandbox.stats().tokens_issued, 1);
    for (n, status) in [409, 401].into_iter().enumerate() {
        let before = sandbox.stats();
        sandbox
            .faults(json!({"fail_next": 1, "fail_status": status}))
            .await;
        client
            .sign_base64(&pdf_request(&format!("FT-T-{}", n + 1)))
            .await
            .expect("retried once and signed");
        let after = sandbox.stats();
        assert_eq!(
            after.tokens_issued - before.tokens_issued,
            1,
            "one new token after {status}"
        );
        assert_eq!(
            after.api_requests - before.api_requests,
            2,
            "the request was sent twice after {status}"
        );
    }
    // The sandbox's own expiry (token_max_uses) is the documented 409 0.0.10.
    sandbox.faults(json!({"token_max_uses": 1})).await;
    let before = sandbox.stats();
    client
        .sign_base64(&pdf_request("FT-T-9"))
        .await
        .expect("signed after re-token");
    assert_eq!(sandbox.stats().tokens_issued - before.tokens_issued, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_401_does_not_loop() {
    let sandbox = sandbox().await;
    let client = sandbox.client(sandbox.hosted());
    sandbox
        .faults(json!({"fail_next": 50, "fail_status": 401}))
        .await;
    let error = client
        .sign_base64(&pdf_request("FT-401"))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "auth.invalid_token");
    assert!(error.is_auth_expired());
    let stats = sandbox.stats();
    assert_eq!(stats.api_requests, 2, "sent once, retried once");
    assert_eq!(stats.tokens_issued, 2);
    assert_no_secret(&error);

    sandbox
        .faults(json!({"fail_next": 50, "fail_status": 409}))
        .await;
    let error = client
        .sign_base64(&pdf_request("FT-409"))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "auth.token_expired");
    assert_eq!(sandbox.stats().api_requests, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_signs_share_one_token() {
    let sandbox = sandbox().await;
    sandbox.faults(json!({"latency_ms": 200})).await; // keeps the token request in flight while others ask
    let client = sandbox.client(sandbox.hosted());
    let mut tasks = Vec::new();
    for n in 0..20 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client.sign_base64(&pdf_request(&format!("FT-C-{n}"))).await
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("signed");
    }
    let stats = sandbox.stats();
    assert_eq!(stats.tokens_issued, 1);
    assert_eq!(stats.token_requests, 1);
    assert_eq!(stats.documents_signed, 20);
}

// ---------------------------------------------------------------------------------------------
// Failures the batch engine retries, and what the client refuses to do
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_trouble_is_retryable_but_not_retried_here() {
    let sandbox = sandbox().await;
    let client = sandbox.client(sandbox.hosted());
    for (status, code) in [
        (500, "api.server_error"),
        (503, "api.server_error"),
        (429, "api.too_many_requests"),
    ] {
        let before = sandbox.stats().api_requests;
        sandbox
            .faults(json!({"fail_next": 1, "fail_status": status}))
            .await;
        let error = client
            .sign_base64(&pdf_request(&format!("FT-S-{status}")))
            .await
            .expect_err("fails");
        assert_eq!(error.code(), code, "{status}");
        assert!(error.is_retryable());
        assert_eq!(
            sandbox.stats().api_requests - before,
            1,
            "not retried by the client"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_drops_and_big_answers() {
    let sandbox = sandbox().await;
    let quick = ClientOptions {
        timeout: Duration::from_millis(700),
        ..options()
    };
    let client = client_for(sandbox.hosted(), "barsecret", quick);
    client.token().await.expect("token first");
    sandbox.faults(json!({"latency_ms": 3000})).await;
    let error = client
        .sign_base64(&pdf_request("FT-SLOW"))
        .await
        .expect_err("timeout");
    assert_eq!(error.code(), "net.timeout");
    assert!(error.is_retryable());
    sandbox
        .faults(json!({"latency_ms": 0, "drop_connection_next": 1}))
        .await;

    let client = sandbox.client(sandbox.hosted());
    let error = client
        .sign_base64(&pdf_request("FT-DROP"))
        .await
        .expect_err("dropped");
    assert_eq!(error.code(), "net.connection_lost", "{error:?}");
    assert!(error.is_retryable());

    let small = ClientOptions {
        max_answer_bytes: 2048,
        ..options()
    };
    let client = client_for(sandbox.hosted(), "barsecret", small);
    let error = client
        .sign_base64(&pdf_request("FT-BIG"))
        .await
        .expect_err("too large");
    assert_eq!(error.code(), "answer.too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed() {
    let sandbox = sandbox().await;
    let (target, target_hits) =
        tiny_server(|| axum::response::IntoResponse::into_response("{}")).await;
    let location = format!("http://{target}/elsewhere?secret=1");
    let (redirector, redirector_hits) = tiny_server(move || {
        axum::response::IntoResponse::into_response((
            axum::http::StatusCode::FOUND,
            [(axum::http::header::LOCATION, location.clone())],
        ))
    })
    .await;

    let token_redirect = Environment::custom(
        "e",
        &format!("http://{redirector}/token"),
        &sandbox.running.hosted_api_base(),
    )
    .expect("env");
    let error = sandbox
        .client(token_redirect)
        .request_token()
        .await
        .expect_err("redirect");
    assert_eq!(error.code(), "net.redirect");
    assert_eq!(error.http_status(), Some(302));
    assert!(!error.support_detail().contains("secret=1"));

    let api_redirect = Environment::custom(
        "e",
        &sandbox.running.token_url(),
        &format!("http://{redirector}/signstash/einvoice-integration-ws/"),
    )
    .expect("env");
    let error = sandbox
        .client(api_redirect)
        .sign_base64(&pdf_request("FT-REDIR"))
        .await
        .expect_err("redirect");
    assert_eq!(error.code(), "net.redirect");

    assert_eq!(redirector_hits.load(Ordering::SeqCst), 2);
    assert_eq!(
        target_hits.load(Ordering::SeqCst),
        0,
        "the other port was never asked"
    );
}

#[test]
fn every_error_has_a_code_and_two_messages() {
    use signstash_core::error::{ServiceDetail, UrlField};
    let detail = ServiceDetail {
        status: 500,
        code: Some("9.9.9".into()),
        ..ServiceDetail::default()
    };
    let errors = vec![
        SignStashError::InvalidUrl {
            field: UrlField::TokenUrl,
            reason: "x".into(),
        },
        SignStashError::ConsultUnavailable,
        SignStashError::HttpClient("x".into()),
        SignStashError::InvalidClient { status: 401 },
        SignStashError::BadTokenRequest {
            status: 400,
            error: "unsupported_grant_type".into(),
        },
        SignStashError::TokenUrlWrong { status: 404 },
        SignStashError::TokenExpired(detail.clone()),
        SignStashError::InvalidToken { status: 401 },
        SignStashError::LicenceInvalid(detail.clone()),
        SignStashError::ServiceInactive(detail.clone()),
        SignStashError::IssuerInactive(detail.clone()),
        SignStashError::SecretTooWeak(detail.clone()),
        SignStashError::MissingField(detail.clone()),
        SignStashError::ConfigurationMissing(detail.clone()),
        SignStashError::TooLarge(detail.clone()),
        SignStashError::Email(detail.clone()),
        SignStashError::Validation(detail.clone()),
        SignStashError::ReusedReference(detail.clone()),
        SignStashError::VisibleSignature(detail.clone()),
        SignStashError::Service(detail.clone()),
        SignStashError::ApiNotFound { status: 404 },
        SignStashError::UnexpectedStatus { status: 418 },
        SignStashError::TooManyRequests {
            retry_after_secs: Some(2),
        },
        SignStashError::ServerError(detail),
        SignStashError::Dns { host: "h".into() },
        SignStashError::ConnectionRefused { host: "h".into() },
        SignStashError::Unreachable {
            host: "h".into(),
            detail: "x".into(),
        },
        SignStashError::ConnectionLost { detail: "x".into() },
        SignStashError::Timeout { host: "h".into() },
        SignStashError::Tls {
            host: "h".into(),
            detail: "x".into(),
        },
        SignStashError::Redirect {
            status: 302,
            location: None,
        },
        SignStashError::Malformed {
            status: 200,
            detail: "x".into(),
        },
        SignStashError::AnswerTooLarge {
            limit_bytes: 1 << 30,
        },
    ];
    let mut codes = std::collections::HashSet::new();
    for error in &errors {
        assert!(
            codes.insert(error.code()),
            "duplicate code {}",
            error.code()
        );
        let (pt, en) = (error.message(Lang::Pt), error.message(Lang::En));
        assert!(
            pt.len() > 30 && en.len() > 30 && pt != en,
            "{}",
            error.code()
        );
        assert!(pt.ends_with('.') && en.ends_with('.'), "{}", error.code());
    }
    assert_eq!(codes.len(), 33);
}

// ---------------------------------------------------------------------------------------------
// Models against JSON written from the spec
// ---------------------------------------------------------------------------------------------

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

#[test]
fn request_serialises_like_the_spec_example() {
    let mut pdf_signature = SignatureInfo::new(SignatureType::PAdES);
    pdf_signature.reason = Some("Invoice".into());
    pdf_signature.location = Some("Lisboa".into());
    pdf_signature.visible_signature_info = Some(VisibleSignatureInfo {
        location_type: LocationType::Coordinate,
        location_value: "page=1,x=400,y=40".into(),
        area: Some("width=160,height=45".into()),
        area_background_color: Some("transparent".into()),
        font: Some("color=#000000,size=8".into()),
        template_type: Some(TemplateType::OneOff),
        one_off_template: Some("Assinado digitalmente por $certificate.getCommonName()".into()),
        image_type: None,
        image_value: None,
    });
    let mut xml_signature = SignatureInfo::new(SignatureType::XAdES);
    xml_signature.advanced_signature_info = Some(AdvancedSignatureInfo {
        signature_location: Some("SignatureInformation".into()),
        signature_transform: Some(SignatureTransform::Enveloped),
        canonical_transform: Some(CanonicalTransform::ExclusiveWithComments),
    });
    let request = SignRequest::new(
        "SVC1-INV-2024-0001_Request",
        "Invoice FT 2024/1",
        vec![
            SignDocument {
                document_request: Base64Document::from_bytes(
                    "SVC1-INV-2024-0001",
                    "FT_2024_1.pdf",
                    ContentType::Pdf,
                    b"%PDF-1.7\n",
                ),
                signature_info: pdf_signature,
            },
            SignDocument {
                document_request: Base64Document::from_bytes(
                    "SVC1-INV-2024-0002",
                    "FT_2024_2.xml",
                    ContentType::ApplicationXml,
                    b"<Invoice/>",
                ),
                signature_info: xml_signature,
            },
        ],
    );
    let written = serde_json::to_value(&request).expect("serialise");
    let expected: Value =
        serde_json::from_slice(&fixture("sign_request.json")).expect("fixture JSON");
    assert_eq!(written, expected);
    let read: SignRequest = serde_json::from_value(expected).expect("round trip");
    assert_eq!(read, request);
    assert!(
        !format!("{request:?}").contains("JVBER"),
        "no content in Debug"
    );
}

#[test]
fn sign_operation_reads_liberally() {
    let operation: SignOperation =
        serde_json::from_slice(&fixture("sign_operation.json")).expect("reads");
    assert_eq!(operation.id, Some(123));
    assert!(operation.is_executed());
    assert_eq!(
        operation.creation_date.as_deref(),
        Some("2024-05-01T10:20:30.123+0000")
    );
    assert_eq!(operation.execution_time, Some(1800));
    assert_eq!(
        operation
            .folder
            .as_ref()
            .and_then(|f| f.folder_content.clone()),
        Some(FolderContent::Hash)
    );
    let company = operation.issuer_company.as_ref().expect("company");
    assert_eq!(
        company.limit_current_consumption,
        Some(42),
        "numeric string read as number"
    );
    assert_eq!(company.notify_expired_limit, Some(false));
    assert_eq!(
        company.creation_date.as_deref(),
        Some("2023-01-02 03:04:05.678")
    );
    let queue = operation.signature_queue_priority.as_ref().expect("queue");
    assert_eq!(
        (queue.start_time.as_deref(), queue.end_time.as_deref()),
        (None, Some("2024-05-01T10:20:30.123Z"))
    );

    let [signed, failed, odd] = &operation.document_list[..] else {
        panic!("three documents")
    };
    assert!(signed.is_signed());
    assert_eq!(signed.internal_id, Some(987_654_321_012));
    assert_eq!(
        signed.reception_date.as_deref(),
        Some("2024-05-01 10:20:30.123")
    );
    assert_eq!(
        signed.storage_end_date.as_deref(),
        Some("2034-05-01T10:20:30.123+01:00")
    );
    assert_eq!(signed.document_attributes.len(), 3);
    assert_eq!(signed.sign_error, None);
    assert!(
        !format!("{signed:?}").contains("JVBER"),
        "no content in Debug"
    );
    assert_eq!(failed.sign_status, Some(SignStatus::ErrorSigning));
    assert_eq!(failed.sign_error, Some(SignError::InvalidCertAccessAccount));
    assert!(failed.document_attributes.is_empty(), "null list");
    assert_eq!(
        odd.sign_status,
        Some(SignStatus::Other("QUEUED_SOMEHOW".into()))
    );
    assert_eq!(odd.sign_error, Some(SignError::Other("A_NEW_ERROR".into())));
    assert_eq!(
        odd.storage_status,
        Some(StorageStatus::Other("ARCHIVED".into()))
    );
    assert_eq!(odd.name, None);

    let minimal: SignOperation = serde_json::from_str(r#"{"id":1}"#).expect("minimal");
    assert!(minimal.document_list.is_empty() && minimal.status.is_none());
    let empty_doc: DocumentResponse = serde_json::from_str("{}").expect("empty");
    assert!(!empty_doc.is_signed());
}

#[test]
fn other_answers_read() {
    let base: BaseOperation =
        serde_json::from_slice(&fixture("base_operation.json")).expect("base");
    assert_eq!(base.id, Some(77));
    assert_eq!(base.status, Some(OperationStatus::PendingExecution));
    assert_eq!(
        base.creation_date.as_deref(),
        Some("1714558830123"),
        "epoch millis kept as text"
    );

    let token: TokenResponse =
        serde_json::from_slice(&fixture("token_response.json")).expect("token");
    assert_eq!(token.expires_in, Some(86_399));
    assert_eq!(token.token_type.as_deref(), Some("bearer"));
    assert!(!format!("{token:?}").contains("eyJ"), "token not in Debug");

    let oauth: OAuthErrorResponse =
        serde_json::from_slice(&fixture("oauth_error.json")).expect("oauth error");
    assert_eq!(oauth.error, "invalid_client");

    let error: ErrorResponse =
        serde_json::from_slice(&fixture("error_response.json")).expect("error");
    assert_eq!(error.error_code.as_deref(), Some("0.0.2"));
    let image: ErrorResponse =
        serde_json::from_slice(&fixture("error_response_2_2_1.json")).expect("2.2.1");
    assert!(image
        .cause_message
        .as_deref()
        .is_some_and(|c| c.contains("smaller than the uploaded image")));

    assert_eq!(parse_operation_id(b"123"), Some(123));
    assert_eq!(parse_operation_id(b"\"124\""), Some(124));
    assert_eq!(parse_operation_id(br#"{"id":125}"#), Some(125));
    assert_eq!(parse_operation_id(b"<html>"), None);

    assert_eq!(
        SignatureType::from("pades"),
        SignatureType::PAdES,
        "case-insensitive"
    );
    assert_eq!(
        serde_json::to_string(&ContentType::Other("image/png".into())).expect("json"),
        "\"image/png\""
    );
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

/// An HTTPS server on loopback with a freshly made self-signed certificate, answering every request
/// with a token; returns its address and the certificate (PEM) to trust it.
async fn tls_token_server() -> (SocketAddr, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;

    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let body = r#"{"access_token":"eyJtls","token_type":"bearer","expires_in":3600}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (addr, pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificates_are_tls_errors_and_extra_roots_fix_them() {
    let (addr, pem) = tls_token_server().await;
    let environment = Environment::custom(
        "tls",
        &format!("https://{addr}/oauth2/authorization-server/oauth/token"),
        &format!("https://{addr}/signstash/einvoice-integration-ws/"),
    )
    .expect("env");

    let error = client_for(environment.clone(), "barsecret", options())
        .request_token()
        .await
        .expect_err("untrusted");
    assert_eq!(error.code(), "net.tls", "{error:?}");
    assert!(!error.is_retryable());
    assert!(error.message(Lang::Pt).contains("ligação segura"));

    let trusting = ClientOptions {
        extra_root_certificates_pem: vec![pem.into_bytes()],
        ..options()
    };
    let token = client_for(environment, "barsecret", trusting)
        .request_token()
        .await
        .expect("trusted");
    assert_eq!(token.token.expose(), "eyJtls");
    assert_eq!(token.lifetime, Duration::from_secs(3600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_proxy_carries_the_requests() {
    let sandbox = sandbox().await;
    // The "proxy" answers a token itself: what matters is that the request went to it.
    let (proxy, hits) = tiny_server(|| {
        axum::response::IntoResponse::into_response((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            r#"{"access_token":"eyJviaproxy","token_type":"bearer","expires_in":3600}"#,
        ))
    })
    .await;
    let through = ClientOptions {
        proxy: ProxySetting::Url(format!("http://{proxy}")),
        ..options()
    };
    let token = client_for(sandbox.hosted(), "barsecret", through)
        .request_token()
        .await
        .expect("token via proxy");
    assert_eq!(token.token.expose(), "eyJviaproxy");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        sandbox.stats().token_requests,
        0,
        "the sandbox was not asked directly"
    );

    let bad = ClientOptions {
        proxy: ProxySetting::Url("::not a proxy::".into()),
        ..options()
    };
    let error = SignStashClient::new(
        sandbox.hosted(),
        Credentials::new("bar", "x"),
        Arc::new(TokenCache::new()),
        &bad,
    )
    .expect_err("bad proxy");
    assert_eq!(error.code(), "config.invalid_url");
}

#[test]
fn proxy_credentials_stay_out_of_debug() {
    let setting = ProxySetting::Url("http://alice:pa55word@proxy.local:3128".into());
    let shown = format!("{setting:?}");
    assert!(
        !shown.contains("pa55word") && !shown.contains("alice"),
        "{shown}"
    );
    assert!(shown.contains("proxy.local:3128"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_http_port_is_a_tls_error() {
    let sandbox = sandbox().await;
    let https = sandbox.running.base_url().replace("http://", "https://");
    let environment = Environment::custom(
        "e",
        &format!("{https}/oauth2/authorization-server/oauth/token"),
        &format!("{https}/signstash/einvoice-integration-ws/"),
    )
    .expect("env");
    let error = sandbox
        .client(environment)
        .request_token()
        .await
        .expect_err("not TLS");
    assert_eq!(error.code(), "net.tls", "{error:?}");
}
