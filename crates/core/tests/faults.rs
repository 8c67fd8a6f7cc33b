//! The fault matrix (issue 5, item 1) at the level of a whole batch, each case with its expected
//! outcome, and one invariant checked after every case: each input ends as exactly one of {signed,
//! verified and saved; failed with a code and a message}, no original is modified, nothing but the
//! saved outputs is in the output folder (no partial or temporary file), and nothing is signed twice
//! (the sandbox's own counters).
//!
//! Cases already proven elsewhere are not repeated here (see RELIABILITY.md): TLS failures and
//! redirects in client.rs, hostile signed files in verify.rs, output-folder errors in output.rs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value;
use signstash_core::batch::{self, BatchOptions, Event, Outcome};
use signstash_core::client::{ClientOptions, ProxySetting, SignStashClient};
use signstash_core::detect;
use signstash_core::environment::Environment;
use signstash_core::error::Lang;
use signstash_core::inputs::InputFile;
use signstash_core::output::OutputWriter;
use signstash_core::token::{Credentials, TokenCache};
use signstash_core::verify;
use signstash_sandbox::{ClientCredentials, Faults, RunningSandbox, SandboxConfig};
use signstash_testdocs::{pdf, ubl_invoice};
use tokio_util::sync::CancellationToken;

struct Lab {
    sandbox: RunningSandbox,
    dir: tempfile::TempDir,
}

async fn lab() -> Lab {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        clients: vec![ClientCredentials::new("bar", "barsecret")],
        ..SandboxConfig::default()
    };
    let sandbox = RunningSandbox::start(config).await.expect("sandbox");
    Lab { sandbox, dir }
}

fn client_with(token_url: &str, api_base: &str, timeout: Duration) -> SignStashClient {
    let environment = Environment::custom("faults", token_url, api_base).expect("environment");
    let options = ClientOptions {
        proxy: ProxySetting::Direct,
        timeout,
        connect_timeout: Duration::from_secs(2),
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

fn quick() -> BatchOptions {
    BatchOptions {
        retries: 2,
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        lang: Lang::En,
        budget: batch::Budget {
            max_documents: 4,
            ..batch::Budget::default()
        },
        ..BatchOptions::default()
    }
}

/// A case's inputs (PDFs and one UBL invoice) and its own output folder.
struct Case {
    name: String,
    originals: Vec<(PathBuf, Vec<u8>)>,
    files: Vec<InputFile>,
    out: PathBuf,
}

impl Lab {
    fn hosted(&self) -> SignStashClient {
        client_with(
            &self.sandbox.token_url(),
            &self.sandbox.hosted_api_base(),
            Duration::from_secs(30),
        )
    }

    fn case(&self, name: &str, documents: usize) -> Case {
        let input = self.dir.path().join(name).join("in");
        let out = self.dir.path().join(name).join("out");
        std::fs::create_dir_all(&input).expect("mkdir");
        std::fs::create_dir_all(&out).expect("mkdir");
        let mut originals = Vec::new();
        for n in 0..documents {
            let (file, bytes) = if n == 1 {
                (format!("ubl-{n}.xml"), ubl_invoice(&format!("{name}-{n}")))
            } else {
                (format!("doc-{n}.pdf"), pdf(&format!("{name} document {n}")))
            };
            let path = input.join(file);
            std::fs::write(&path, &bytes).expect("write");
            originals.push((path, bytes));
        }
        let files = originals
            .iter()
            .map(|(path, bytes)| InputFile {
                path: path.clone(),
                size: bytes.len() as u64,
            })
            .collect();
        Case {
            name: name.into(),
            originals,
            files,
            out,
        }
    }
}

impl Case {
    async fn run(&self, client: &SignStashClient) -> Vec<Outcome> {
        let (events, _) = tokio::sync::mpsc::unbounded_channel();
        batch::run(
            client,
            &OutputWriter::into_folder(&self.out),
            &self.files,
            &quick(),
            &events,
            &CancellationToken::new(),
        )
        .await
    }

    /// The invariant; returns the failure codes, in input order (`None` for a saved document).
    fn check(&self, outcomes: &[Outcome]) -> Vec<Option<String>> {
        let case = &self.name;
        assert_eq!(
            outcomes.len(),
            self.originals.len(),
            "{case}: one outcome per input"
        );
        let mut saved = BTreeSet::new();
        let mut codes = Vec::new();
        for (outcome, (path, original)) in outcomes.iter().zip(&self.originals) {
            assert_eq!(&outcome.input, path, "{case}: outcomes in input order");
            if let Ok(now) = std::fs::read(path) {
                assert_eq!(&now, original, "{case}: original {path:?} modified");
            }
            match &outcome.result {
                Ok(output) => {
                    assert!(output.starts_with(&self.out), "{case}: {output:?} escaped");
                    if !self.out.exists() {
                        // Saved, then the person deleted the whole output folder.
                        codes.push(None);
                        continue;
                    }
                    let signed = std::fs::read(output).expect("saved output exists");
                    let kind = detect::detect(original).expect("kind");
                    verify::verify_signed(kind, original, &signed)
                        .unwrap_or_else(|e| panic!("{case}: saved but not verified: {e}"));
                    assert!(
                        saved.insert(output.clone()),
                        "{case}: two inputs, one output"
                    );
                    codes.push(None);
                }
                Err(failure) => {
                    assert!(!failure.code.is_empty(), "{case}: failure without a code");
                    assert!(
                        failure.message.len() > 10,
                        "{case}: failure without a reason: {failure:?}"
                    );
                    codes.push(Some(failure.code.clone()));
                }
            }
        }
        let present: BTreeSet<PathBuf> = match std::fs::read_dir(&self.out) {
            Ok(entries) => entries.map(|e| e.expect("entry").path()).collect(),
            Err(_) => BTreeSet::new(),
        };
        let present: BTreeSet<PathBuf> = present.into_iter().filter(|p| p.exists()).collect();
        let expected: BTreeSet<PathBuf> = saved.into_iter().filter(|p| p.exists()).collect();
        assert_eq!(
            present, expected,
            "{case}: only the saved outputs, nothing partial"
        );
        codes
    }
}

fn assert_signed_once(lab: &Lab, before: u64, at_most: usize, case: &str) {
    let stats = lab.sandbox.stats();
    assert_eq!(
        stats.duplicate_contents_signed, 0,
        "{case}: a content signed twice"
    );
    assert!(
        stats.documents_signed - before <= at_most as u64,
        "{case}: {} signed for {at_most} inputs",
        stats.documents_signed - before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sandbox_fault_keeps_the_invariant() {
    let lab = lab().await;
    let client = lab.hosted();
    let proxy = client_with(
        &lab.sandbox.token_url(),
        &lab.sandbox.proxy_api_base(),
        Duration::from_secs(30),
    );
    // (case, faults, proxy base?, expected: every document saved?)
    let cases: Vec<(&str, Faults, bool, bool)> = vec![
        (
            "fail-500",
            Faults {
                fail_next: 2,
                fail_status: 500,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "fail-503",
            Faults {
                fail_next: 2,
                fail_status: 503,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "fail-429",
            Faults {
                fail_next: 2,
                fail_status: 429,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "fail-500-forever",
            Faults {
                fail_next: 1000,
                fail_status: 500,
                ..Faults::default()
            },
            false,
            false,
        ),
        (
            "token-expiry",
            Faults {
                token_max_uses: Some(2),
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "document-errors",
            Faults {
                document_error_next: 2,
                document_sign_error: "TIMESTAMP_SIGN_ERROR".into(),
                ..Faults::default()
            },
            false,
            false,
        ),
        (
            "malformed-json",
            Faults {
                malformed_json_next: 1,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "invalid-base64",
            Faults {
                invalid_base64_next: 1,
                ..Faults::default()
            },
            false,
            false,
        ),
        (
            "truncated-body",
            Faults {
                truncated_body_next: 1,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "dropped-connection",
            Faults {
                drop_connection_next: 1,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "dropped-connection-proxy",
            Faults {
                drop_connection_next: 1,
                ..Faults::default()
            },
            true,
            false,
        ),
        (
            "unsafe-names",
            Faults {
                unsafe_name_next: 2,
                ..Faults::default()
            },
            false,
            true,
        ),
        (
            "latency",
            Faults {
                latency_ms: 200,
                ..Faults::default()
            },
            false,
            true,
        ),
    ];
    for (name, faults, on_proxy, all_saved) in cases {
        let case = lab.case(name, 6);
        lab.sandbox.set_faults(faults);
        let before = lab.sandbox.stats().documents_signed;
        let outcomes = case.run(if on_proxy { &proxy } else { &client }).await;
        lab.sandbox.set_faults(Faults::default());
        let codes = case.check(&outcomes);
        assert_signed_once(&lab, before, 6, name);
        let failed: Vec<_> = codes.iter().flatten().collect();
        if all_saved {
            assert!(
                failed.is_empty(),
                "{name}: expected all saved, got {failed:?}"
            );
        } else {
            assert!(!failed.is_empty(), "{name}: expected failures");
        }
        match name {
            "fail-500-forever" => assert!(
                failed
                    .iter()
                    .all(|c| *c == "api.server_error" || c.starts_with("api.")),
                "{failed:?}"
            ),
            "document-errors" => assert_eq!(failed, ["sign.TIMESTAMP_SIGN_ERROR"; 2]),
            "invalid-base64" => assert!(failed.iter().all(|c| *c == "answer.bad_content")),
            // The proxy cannot be asked: a lost answer is reported, never resent blindly.
            "dropped-connection-proxy" => assert!(!failed.is_empty()),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_services_fail_every_document_with_a_reason() {
    let lab = lab().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let api = lab.sandbox.hosted_api_base();
    let token = lab.sandbox.token_url();
    let cases = [
        (
            "dns",
            "http://signstash-does-not-exist.invalid/oauth/token".to_string(),
            api.clone(),
            "net.dns",
        ),
        (
            "refused",
            format!("http://127.0.0.1:{closed}/oauth/token"),
            format!("http://127.0.0.1:{closed}/signstash/einvoice-integration-ws/"),
            "net.refused",
        ),
        // The token server is down while the API is up.
        (
            "token-down",
            format!("http://127.0.0.1:{closed}/oauth/token"),
            api.clone(),
            "net.refused",
        ),
        // The API is down while the token server is up.
        (
            "api-down",
            token.clone(),
            format!("http://127.0.0.1:{closed}/signstash/einvoice-integration-ws/"),
            "net.refused",
        ),
    ];
    for (name, token_url, api_base, code) in cases {
        let case = lab.case(name, 3);
        let before = lab.sandbox.stats().documents_signed;
        let outcomes = case
            .run(&client_with(&token_url, &api_base, Duration::from_secs(5)))
            .await;
        let codes = case.check(&outcomes);
        assert!(
            codes.iter().all(|c| c.as_deref() == Some(code)),
            "{name}: {codes:?}"
        );
        assert_signed_once(&lab, before, 0, name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_slower_than_the_timeout_fails_with_a_timeout_and_signs_nothing_twice() {
    let lab = lab().await;
    let case = lab.case("slow", 3);
    lab.sandbox.set_faults(Faults {
        latency_ms: 1500,
        ..Faults::default()
    });
    let client = client_with(
        &lab.sandbox.token_url(),
        &lab.sandbox.hosted_api_base(),
        Duration::from_millis(500),
    );
    let outcomes = case.run(&client).await;
    lab.sandbox.set_faults(Faults::default());
    let codes = case.check(&outcomes);
    assert!(
        codes.iter().all(|c| c.as_deref() == Some("net.timeout")),
        "{codes:?}"
    );
    // Requests still sleeping in the sandbox may finish after the client gave up; give them time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_signed_once(&lab, 0, 3, "slow");
}

/// Which lie the answer tells.
#[derive(Clone, Copy)]
enum Lie {
    /// The last document is missing from `documentList`.
    Fewer,
    /// A document nobody sent is added.
    More,
    /// The first two documents' `signedContent` are swapped (each a valid signature, of the
    /// other document).
    Swapped,
}

struct Liar {
    upstream: String,
    lie: Lie,
    http: reqwest::Client,
}

async fn lie(State(liar): State<Arc<Liar>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .expect("request body");
    let url = format!("{}{}", liar.upstream, parts.uri.path());
    let mut forward = liar.http.request(parts.method.clone(), url).body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            forward = forward.header(name, value);
        }
    }
    let answer = forward.send().await.expect("upstream");
    let status = answer.status();
    let bytes = answer.bytes().await.expect("upstream body");
    let mut json: Value = match serde_json::from_slice(&bytes) {
        Ok(json) if parts.uri.path().ends_with("/sign/base64/") && status.is_success() => json,
        _ => {
            return Response::builder()
                .status(status.as_u16())
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .expect("response")
        }
    };
    let list = json["documentList"].as_array_mut().expect("documentList");
    match liar.lie {
        Lie::Fewer => {
            list.pop();
        }
        Lie::More => {
            let mut stranger = list[0].clone();
            stranger["externalReference"] = "someone-else".into();
            stranger["name"] = "../../stranger.pdf".into();
            list.push(stranger);
        }
        Lie::Swapped => {
            let first = list[0]["signedContent"].clone();
            list[0]["signedContent"] = list[2]["signedContent"].clone();
            list[2]["signedContent"] = first;
        }
    }
    Response::builder()
        .status(status.as_u16())
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(&json).expect("json")))
        .expect("response")
}

async fn start_liar(lab: &Lab, lie_told: Lie) -> String {
    let liar = Arc::new(Liar {
        upstream: lab.sandbox.base_url().trim_end_matches('/').to_string(),
        lie: lie_told,
        http: reqwest::Client::builder().no_proxy().build().expect("http"),
    });
    let app = axum::Router::new().fallback(lie).with_state(liar);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/signstash/einvoice-integration-ws/")
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_that_lie_about_the_documents_are_caught() {
    let lab = lab().await;
    for (name, lie_told) in [
        ("fewer", Lie::Fewer),
        ("more", Lie::More),
        ("swapped", Lie::Swapped),
    ] {
        let case = lab.case(name, 4);
        let base = start_liar(&lab, lie_told).await;
        let before = lab.sandbox.stats().documents_signed;
        let client = client_with(&lab.sandbox.token_url(), &base, Duration::from_secs(30));
        let outcomes = case.run(&client).await;
        let codes = case.check(&outcomes);
        assert_signed_once(&lab, before, 4, name);
        match lie_told {
            Lie::Fewer => assert_eq!(
                codes,
                [None, None, None, Some("answer.document_missing".into())]
            ),
            // The stranger is ignored, its name never used.
            Lie::More => {
                assert_eq!(codes, [None, None, None, None]);
                assert!(!lab.dir.path().join(name).join("stranger.pdf").exists());
            }
            // Each is a valid signature, but of the other document: verify-before-save refuses.
            Lie::Swapped => {
                assert!(
                    codes[0]
                        .as_deref()
                        .is_some_and(|c| c.starts_with("verify.")),
                    "{codes:?}"
                );
                assert!(
                    codes[2]
                        .as_deref()
                        .is_some_and(|c| c.starts_with("verify.")),
                    "{codes:?}"
                );
                assert_eq!((&codes[1], &codes[3]), (&None, &None));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn inputs_changed_or_deleted_after_queueing_fail_alone() {
    let lab = lab().await;
    let case = lab.case("changed-input", 5);
    std::fs::remove_file(&case.originals[0].0).expect("delete");
    let mut grown = case.originals[2].1.clone();
    grown.extend_from_slice(b"\n% appended after queueing\n");
    std::fs::write(&case.originals[2].0, &grown).expect("change");
    let before = lab.sandbox.stats().documents_signed;
    let outcomes = case.run(&lab.hosted()).await;
    // The changed one is checked against what it is now, not against the queued bytes.
    let mut check = Case {
        name: case.name.clone(),
        originals: case.originals.clone(),
        files: case.files.clone(),
        out: case.out.clone(),
    };
    check.originals[2].1 = grown;
    let codes = check.check(&outcomes);
    assert_eq!(
        codes,
        [
            Some("input.unreadable".into()),
            None,
            Some("input.changed".into()),
            None,
            None
        ]
    );
    assert_signed_once(&lab, before, 3, "changed-input");
}

#[tokio::test(flavor = "multi_thread")]
async fn output_folder_deleted_mid_batch_fails_the_rest_with_a_reason() {
    let lab = lab().await;
    let case = lab.case("deleted-out", 12);
    let writer = OutputWriter::into_folder(&case.out);
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let out = case.out.clone();
    let watcher = tokio::spawn(async move {
        while let Some(event) = received.recv().await {
            if matches!(event, Event::Saved { .. }) && out.exists() {
                // The engine may be writing the next one meanwhile: try until it is gone.
                while out.exists() {
                    let _ = std::fs::remove_dir_all(&out);
                }
            }
        }
    });
    let options = BatchOptions {
        max_in_flight: 1,
        ..quick()
    };
    let before = lab.sandbox.stats().documents_signed;
    let outcomes = batch::run(
        &lab.hosted(),
        &writer,
        &case.files,
        &options,
        &events,
        &CancellationToken::new(),
    )
    .await;
    drop(events);
    watcher.await.expect("watcher");
    let codes = case.check(&outcomes);
    // The documents of one answer are saved in parallel: whichever came first was saved.
    assert!(
        codes.iter().any(Option::is_none),
        "one was saved before the deletion: {codes:?}"
    );
    assert!(
        codes.iter().flatten().any(|c| c == "output.folder_missing"),
        "{codes:?}"
    );
    assert!(
        codes.iter().flatten().all(|c| c == "output.folder_missing"),
        "{codes:?}"
    );
    assert_signed_once(&lab, before, 12, "deleted-out");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_output_folder_fails_every_document_and_writes_nothing() {
    let lab = lab().await;
    let case = lab.case("read-only", 3);
    // Root ignores permission bits; a folder that is a file stands in for "cannot write here".
    let probe = case.out.join(".probe");
    set_read_only(&case.out, true);
    let privileged = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    let outcomes = if privileged {
        set_read_only(&case.out, false);
        std::fs::remove_dir(&case.out).expect("rmdir");
        std::fs::write(&case.out, b"not a folder").expect("file");
        let outcomes = case.run(&lab.hosted()).await;
        let codes: Vec<_> = outcomes
            .iter()
            .map(|o| o.result.as_ref().err().map(|f| f.code.clone()))
            .collect();
        assert!(
            codes
                .iter()
                .all(|c| c.as_deref() == Some("output.not_a_folder")),
            "{codes:?}"
        );
        std::fs::remove_file(&case.out).expect("rm");
        std::fs::create_dir(&case.out).expect("mkdir");
        outcomes
    } else {
        let outcomes = case.run(&lab.hosted()).await;
        set_read_only(&case.out, false);
        let codes: Vec<_> = outcomes
            .iter()
            .map(|o| o.result.as_ref().err().map(|f| f.code.clone()))
            .collect();
        assert!(
            codes
                .iter()
                .all(|c| c.as_deref() == Some("output.not_writable")),
            "{codes:?}"
        );
        outcomes
    };
    case.check(&outcomes);
}

fn set_read_only(dir: &Path, read_only: bool) {
    let mut permissions = std::fs::metadata(dir).expect("meta").permissions();
    permissions.set_readonly(read_only);
    std::fs::set_permissions(dir, permissions).expect("chmod");
}

#[test]
fn deeply_nested_answers_are_read_without_overflowing_the_stack() {
    // 200 000 levels in a field we do not read: skipped without recursion, the answer still read;
    // the same as a value we would parse: refused at serde_json's 128-level limit, not a crash.
    let nested = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let body = format!(r#"{{"documentList":[],"unknownExtra":{nested}}}"#);
    let parsed = serde_json::from_slice::<signstash_core::model::SignOperation>(body.as_bytes());
    assert!(parsed.expect("read").document_list.is_empty());
    let error = serde_json::from_str::<serde_json::Value>(&nested).expect_err("refused");
    assert!(error.to_string().contains("recursion limit"), "{error}");
}
