//! The batch engine against the sandbox on loopback: every document ends signed-verified-saved or
//! failed with a reason, one token serves a whole batch, faults are recovered without signing twice.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use signstash_core::batch::{self, BatchOptions, Outcome};
use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::inputs::{self, InputFile};
use signstash_core::output::OutputWriter;
use signstash_core::token::{Credentials, TokenCache};
use signstash_sandbox::{ClientCredentials, RunningSandbox, SandboxConfig};
use signstash_testdocs::pdf;
use tokio_util::sync::CancellationToken;

struct Setup {
    sandbox: RunningSandbox,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    };
    let sandbox = RunningSandbox::start(config).await.expect("sandbox");
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    Setup { sandbox, dir, http }
}

impl Setup {
    fn client(&self, hosted: bool) -> SignStashClient {
        let base = if hosted {
            self.sandbox.hosted_api_base()
        } else {
            self.sandbox.proxy_api_base()
        };
        let environment =
            Environment::custom("test", &self.sandbox.token_url(), &base).expect("environment");
        let options = ClientOptions {
            proxy: ProxySetting::Direct,
            ..ClientOptions::default()
        };
        SignStashClient::new(
            environment,
            Credentials::new("bar", "barsecret"),
            Arc::new(TokenCache::new()),
            &options,
        )
        .expect("client")
    }

    fn inputs(&self, name: &str, documents: &[(String, Vec<u8>)]) -> Vec<InputFile> {
        let folder = self.dir.path().join(name);
        std::fs::create_dir_all(&folder).expect("mkdir");
        for (file, bytes) in documents {
            std::fs::write(folder.join(file), bytes).expect("write");
        }
        let listed = inputs::collect(
            &[folder],
            100 * 1024 * 1024,
            &inputs::OutputFolders::default(),
        );
        assert!(listed.skipped.is_empty(), "{:?}", listed.skipped);
        listed.files
    }

    fn writer(&self, name: &str) -> (OutputWriter, PathBuf) {
        let out = self.dir.path().join(name);
        std::fs::create_dir_all(&out).expect("mkdir");
        (OutputWriter::into_folder(&out), out)
    }

    async fn faults(&self, patch: Value) {
        let url = format!("{}/sandbox/faults", self.sandbox.base_url());
        assert!(self
            .http
            .post(url)
            .json(&patch)
            .send()
            .await
            .expect("faults")
            .status()
            .is_success());
    }
}

fn quick() -> BatchOptions {
    BatchOptions {
        backoff: Duration::from_millis(20),
        lang: Lang::En,
        ..BatchOptions::default()
    }
}

async fn sign(
    client: &SignStashClient,
    writer: &OutputWriter,
    files: &[InputFile],
    options: &BatchOptions,
) -> Vec<Outcome> {
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let outcomes = batch::run(
        client,
        writer,
        files,
        options,
        &events,
        &CancellationToken::new(),
    )
    .await;
    drop(events);
    let mut finals = 0;
    while let Some(event) = received.recv().await {
        if matches!(
            event,
            batch::Event::Saved { .. } | batch::Event::Failed { .. }
        ) {
            finals += 1;
        }
    }
    assert_eq!(finals, files.len(), "exactly one final event per document");
    outcomes
}

fn pdfsig_ok(path: &Path) -> bool {
    let output = std::process::Command::new("pdfsig")
        .args(["-nocert", "-no-ocsp"])
        .arg(path)
        .output()
        .expect("pdfsig installed");
    let text = String::from_utf8_lossy(&output.stdout);
    text.contains("Signature is Valid") && text.contains("Total document signed")
}

fn saved(outcomes: &[Outcome]) -> usize {
    outcomes.iter().filter(|o| o.result.is_ok()).count()
}

#[tokio::test]
async fn two_hundred_documents_one_token_every_output_verified() {
    let s = setup().await;
    let documents: Vec<_> = (0..200)
        .map(|i| (format!("f{i:03}.pdf"), pdf(&format!("Fatura {i}"))))
        .collect();
    let files = s.inputs("in", &documents);
    let (writer, out) = s.writer("out");
    let outcomes = sign(&s.client(false), &writer, &files, &quick()).await;
    assert_eq!(
        saved(&outcomes),
        200,
        "{:?}",
        outcomes.iter().find(|o| o.result.is_err())
    );
    let stats = s.sandbox.stats();
    assert_eq!(stats.tokens_issued, 1);
    // Requests of 50 at most, the first two a quarter and a half of that: 13, 25, 50, 50, 50, 12.
    assert_eq!(stats.sign_requests, 6);
    for outcome in outcomes.iter().step_by(40) {
        assert!(pdfsig_ok(outcome.result.as_ref().expect("saved")));
    }
    assert!(out.join("f000_signed.pdf").exists());
    // The originals are untouched.
    for (name, bytes) in &documents {
        assert_eq!(
            &std::fs::read(s.dir.path().join("in").join(name)).expect("read"),
            bytes
        );
    }
}

#[tokio::test]
async fn a_bad_document_never_fails_its_neighbours() {
    let s = setup().await;
    let xml = b"<?xml version=\"1.0\"?><Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"><ID>1</ID></Invoice>".to_vec();
    let files = s.inputs(
        "mixed",
        &[
            ("a.pdf".into(), pdf("a")),
            ("b.xml".into(), xml),
            (
                "c.pdf".into(),
                b"\x89PNG\r\n\x1a\n not a pdf at all".to_vec(),
            ),
            ("d.pdf".into(), pdf("d")),
        ],
    );
    let (writer, _) = s.writer("out");
    s.faults(json!({"document_error_next": 1, "document_sign_error": "TIMESTAMP_SIGN_ERROR"}))
        .await;
    let outcomes = sign(&s.client(true), &writer, &files, &quick()).await;
    let codes: Vec<String> = outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(_) => "saved".into(),
            Err(f) => f.code.clone(),
        })
        .collect();
    assert_eq!(codes[0], "sign.TIMESTAMP_SIGN_ERROR", "{codes:?}");
    assert_eq!(codes[1], "saved");
    let xml = outcomes[1].result.as_ref().expect("saved");
    let xmlsec = std::process::Command::new("xmlsec1")
        .arg("--verify")
        .arg("--trusted-pem")
        .arg(s.sandbox.ca_cert_path())
        .arg(xml)
        .output()
        .expect("xmlsec1 installed");
    assert!(xmlsec.status.success(), "xmlsec1 accepts the saved XML");
    assert!(codes[2].starts_with("detect."), "{codes:?}");
    assert_eq!(codes[3], "saved");
    assert!(outcomes[0]
        .result
        .as_ref()
        .err()
        .is_some_and(|f| f.message.contains("timestamp")));
}

#[tokio::test]
async fn token_expiry_mid_batch_loses_nothing() {
    let s = setup().await;
    let documents: Vec<_> = (0..6)
        .map(|i| (format!("t{i}.pdf"), pdf(&i.to_string())))
        .collect();
    let files = s.inputs("in", &documents);
    let (writer, _) = s.writer("out");
    let options = BatchOptions {
        budget: batch::Budget {
            max_documents: 1,
            ..Default::default()
        },
        max_in_flight: 1,
        ..quick()
    };
    s.faults(json!({"token_max_uses": 2})).await;
    let client = s.client(true);
    let outcomes = sign(&client, &writer, &files, &options).await;
    assert_eq!(saved(&outcomes), 6);
    s.faults(json!({"reset": true, "fail_next": 1, "fail_status": 401}))
        .await;
    let more = s.inputs("more", &[("x.pdf".into(), pdf("x"))]);
    assert_eq!(saved(&sign(&client, &writer, &more, &options).await), 1);
    assert_eq!(s.sandbox.stats().duplicate_contents_signed, 0);
}

#[tokio::test]
async fn server_errors_are_retried_and_lost_answers_recovered_without_signing_twice() {
    let s = setup().await;
    let (writer, _) = s.writer("out");
    let client = s.client(true);
    for (status, name) in [(503, "a"), (500, "b"), (429, "c")] {
        s.faults(json!({"fail_next": 2, "fail_status": status}))
            .await;
        let files = s.inputs(name, &[(format!("{name}.pdf"), pdf(name))]);
        assert_eq!(
            saved(&sign(&client, &writer, &files, &quick()).await),
            1,
            "after two {status}"
        );
    }

    for fault in [
        "drop_connection_next",
        "truncated_body_next",
        "malformed_json_next",
    ] {
        s.faults(json!({fault: 1})).await;
        let files = s.inputs(fault, &[(format!("{fault}.pdf"), pdf(fault))]);
        let outcomes = sign(&client, &writer, &files, &quick()).await;
        assert_eq!(saved(&outcomes), 1, "{fault}: {:?}", outcomes[0].result);
    }
    let stats = s.sandbox.stats();
    assert_eq!(
        stats.documents_signed, 6,
        "each document signed exactly once"
    );
    assert_eq!(stats.duplicate_contents_signed, 0);
}

#[tokio::test]
async fn on_the_proxy_a_lost_answer_is_not_resent_blindly() {
    let s = setup().await;
    let (writer, out) = s.writer("out");
    s.faults(json!({"drop_connection_next": 1})).await;
    let files = s.inputs("p", &[("p.pdf".into(), pdf("p"))]);
    let outcomes = sign(&s.client(false), &writer, &files, &quick()).await;
    let failure = outcomes[0]
        .result
        .as_ref()
        .expect_err("cannot be confirmed on the proxy");
    assert_eq!(failure.code, "api.reused_reference");
    assert_eq!(
        s.sandbox.stats().documents_signed,
        1,
        "signed once, never twice"
    );
    assert_eq!(
        std::fs::read_dir(out).expect("out").count(),
        0,
        "nothing half-written"
    );
}

#[tokio::test]
async fn a_returned_document_that_is_not_base64_is_not_saved() {
    let s = setup().await;
    let (writer, out) = s.writer("out");
    s.faults(json!({"invalid_base64_next": 1, "unsafe_name_next": 1}))
        .await;
    let files = s.inputs("b", &[("b.pdf".into(), pdf("b"))]);
    let outcomes = sign(&s.client(false), &writer, &files, &quick()).await;
    assert_eq!(
        outcomes[0].result.as_ref().expect_err("refused").code,
        "answer.bad_content"
    );
    assert_eq!(std::fs::read_dir(&out).expect("out").count(), 0);
    // The server's name (../../b.pdf) is never used: the next one lands in `out` under the local name.
    s.faults(json!({"unsafe_name_next": 1})).await;
    let outcomes = sign(&s.client(false), &writer, &files, &quick()).await;
    assert_eq!(
        outcomes[0].result.as_ref().expect("saved"),
        &out.join("b_signed.pdf")
    );
}

/// Large answers are parsed as they arrive instead of read whole: the same recovery and refusals
/// hold on that path (forced here for small answers).
#[tokio::test]
async fn streamed_answers_recover_and_refuse_like_whole_ones() {
    let s = setup().await;
    let (writer, out) = s.writer("out");
    let streamed = |hosted: bool| {
        let base = if hosted {
            s.sandbox.hosted_api_base()
        } else {
            s.sandbox.proxy_api_base()
        };
        let environment =
            Environment::custom("test", &s.sandbox.token_url(), &base).expect("environment");
        let options = ClientOptions {
            proxy: ProxySetting::Direct,
            read_whole_answer_max_bytes: 0,
            ..ClientOptions::default()
        };
        SignStashClient::new(
            environment,
            Credentials::new("bar", "barsecret"),
            Arc::new(TokenCache::new()),
            &options,
        )
        .expect("client")
    };
    let client = streamed(true);
    let documents: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| (format!("s{i}.pdf"), pdf(&format!("s{i}"))))
        .collect();
    let files = s.inputs("plain", &documents);
    let outcomes = sign(&client, &writer, &files, &quick()).await;
    assert_eq!(saved(&outcomes), 3);
    for outcome in &outcomes {
        assert!(pdfsig_ok(outcome.result.as_ref().expect("saved")));
    }
    for fault in [
        "drop_connection_next",
        "truncated_body_next",
        "malformed_json_next",
    ] {
        s.faults(json!({fault: 1})).await;
        let files = s.inputs(fault, &[(format!("{fault}.pdf"), pdf(fault))]);
        let outcomes = sign(&client, &writer, &files, &quick()).await;
        assert_eq!(saved(&outcomes), 1, "{fault}: {:?}", outcomes[0].result);
    }
    assert_eq!(s.sandbox.stats().documents_signed, 6);
    assert_eq!(s.sandbox.stats().duplicate_contents_signed, 0);

    s.faults(json!({"invalid_base64_next": 1})).await;
    let files = s.inputs("b", &[("b.pdf".into(), pdf("b"))]);
    let outcomes = sign(&streamed(false), &writer, &files, &quick()).await;
    assert_eq!(
        outcomes[0].result.as_ref().expect_err("refused").code,
        "answer.bad_content"
    );
    assert!(!out.join("b_signed.pdf").exists());
}
