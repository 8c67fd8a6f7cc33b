//! Shared by the sandbox's HTTP tests: a sandbox on a free loopback port, a plain HTTP client, and
//! documents to sign. Requests are written as JSON from the spec, not with any client's types.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};
#[allow(unused_imports)] // each test file uses some of them
pub use signstash_testdocs::{pdf, ubl_invoice};

pub const HOSTED: &str = "/signstash/einvoice-integration-ws";
pub const PROXY: &str = "/signstash/einvoice-integration-client-ws";

pub struct TestSandbox {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
    _data: tempfile::TempDir,
}

pub async fn start() -> TestSandbox {
    start_with(|_| {}).await
}

pub async fn start_with(adjust: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = SandboxConfig {
        data_dir: data.path().to_path_buf(),
        clients: vec![
            ClientCredentials::new("bar", "barsecret"),
            ClientCredentials::new("other", "othersecret"),
        ],
        ..SandboxConfig::default()
    };
    adjust(&mut config);
    let sandbox = RunningSandbox::start(config).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    TestSandbox {
        sandbox,
        http,
        _data: data,
    }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    pub async fn token_for(&self, id: &str, secret: &str) -> String {
        let answer: Value = self
            .http
            .post(self.sandbox.token_url())
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token JSON");
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub async fn token(&self) -> String {
        self.token_for("bar", "barsecret").await
    }

    /// POSTs a base64 sign request; returns the status and the body as JSON (Null if not JSON).
    pub async fn sign(&self, base: &str, token: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(&format!("{base}/api/v0/document/sign/base64/")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("sign request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Vec<u8>) {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("body").to_vec())
    }

    pub async fn stats(&self) -> Value {
        self.http
            .get(self.url("/sandbox/stats"))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    pub async fn faults(&self, patch: Value) {
        let response = self
            .http
            .post(self.url("/sandbox/faults"))
            .json(&patch)
            .send()
            .await
            .expect("faults");
        assert_eq!(response.status(), 200, "faults accepted");
    }
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn pdf_document(reference: &str, bytes: &[u8]) -> Value {
    json!({
        "documentRequest": {"externalReference": reference, "name": format!("{reference}.pdf"),
                            "contentType": "application/pdf", "base64Content": b64(bytes)},
        "signatureInfo": {"signatureType": "PAdES", "reason": "Fatura", "location": "Lisboa", "applyTimestamp": false}
    })
}

pub fn xml_document(reference: &str, bytes: &[u8]) -> Value {
    json!({
        "documentRequest": {"externalReference": reference, "name": format!("{reference}.xml"),
                            "contentType": "application/xml", "base64Content": b64(bytes)},
        "signatureInfo": {"signatureType": "XAdES"}
    })
}

pub fn request(reference: &str, documents: Vec<Value>) -> Value {
    json!({"externalReference": reference, "description": "test", "returnSignedContent": true, "documents": documents})
}

pub fn signed_content(answer: &Value, index: usize) -> Vec<u8> {
    let text = answer["documentList"][index]["signedContent"]
        .as_str()
        .expect("signedContent");
    STANDARD.decode(text).expect("signedContent is base64")
}
