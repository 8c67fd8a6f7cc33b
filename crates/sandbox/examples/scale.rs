//! Scale figures of the sandbox, measured on a separate `signstash sandbox` process:
//! 1. one request of 100 PDFs of 200 KB: the sandbox's own processing time;
//! 2. one request whose body is about 100 MB (one PDF of 75 MB): the sandbox's peak memory.
//!
//! Run with `make bench-sandbox` (or `cargo run --release -p signstash-sandbox --example scale --
//! target/release/signstash`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use signstash_testdocs::padded_pdf;

struct Sandbox {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18_999)
}

fn start(binary: &str) -> Sandbox {
    let data = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let child = Command::new(binary)
        .args([
            "sandbox",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--client",
            "bench:bench",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the signstash binary");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Sandbox {
        child,
        base,
        _data: data,
    }
}

fn sign_request(reference: &str, documents: &[Vec<u8>]) -> Vec<u8> {
    let documents: Vec<Value> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({"documentRequest": {"externalReference": format!("{reference}-{i}"), "name": format!("f{i}.pdf"),
                   "contentType": "application/pdf", "base64Content": STANDARD.encode(d)},
                   "signatureInfo": {"signatureType": "PAdES", "reason": "Fatura", "location": "Lisboa"}})
        })
        .collect();
    serde_json::to_vec(
        &json!({"externalReference": reference, "description": "scale", "documents": documents}),
    )
    .expect("JSON")
}

/// A fresh sandbox process with a token for it.
struct Session {
    sandbox: Sandbox,
    http: reqwest::Client,
    token: String,
}

impl Session {
    async fn open(binary: &str) -> Session {
        let sandbox = start(binary);
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(600))
            .build()
            .expect("client");
        let token: Value = http
            .post(format!(
                "{}/oauth2/authorization-server/oauth/token",
                sandbox.base
            ))
            .basic_auth("bench", Some("bench"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let token = token["access_token"]
            .as_str()
            .expect("access_token")
            .to_string();
        Session {
            sandbox,
            http,
            token,
        }
    }

    async fn sign(&self, body: Vec<u8>) -> reqwest::Response {
        let url = format!(
            "{}/signstash/einvoice-integration-client-ws/api/v0/document/sign/base64/",
            self.sandbox.base
        );
        self.http
            .post(url)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sign request")
    }

    async fn stat(&self, name: &str) -> f64 {
        let stats: Value = self
            .http
            .get(format!("{}/sandbox/stats", self.sandbox.base))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON");
        stats[name].as_f64().unwrap_or(0.0)
    }
}

fn main() {
    let binary = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/release/signstash".into());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let session = Session::open(&binary).await;
        // Warm-up, so first-request costs (thread pools, allocations) are not counted.
        session.sign(sign_request("warm", &[padded_pdf("Fatura warm", 200 * 1024)])).await;
        let documents: Vec<Vec<u8>> = (0..100).map(|i| padded_pdf(&format!("Fatura {i}"), 200 * 1024)).collect();
        let before = session.stat("processing_ms").await;
        let started = Instant::now();
        let answer: Value = session.sign(sign_request("hundred", &documents)).await.json().await.expect("answer");
        let round_trip_ms = started.elapsed().as_secs_f64() * 1000.0;
        let processing_ms = session.stat("processing_ms").await - before;
        let signed = answer["documentList"].as_array().map_or(0, |d| d.iter().filter(|d| d["signStatus"] == "SIGNED").count());
        println!(
            "100 documents of 200 KB in one request: {signed} signed; sandbox processing {processing_ms:.0} ms \
             (executionTime {} ms); round trip {round_trip_ms:.0} ms",
            answer["executionTime"]
        );
        drop(session);

        // Memory is measured on a fresh sandbox, so earlier requests do not count.
        let session = Session::open(&binary).await;
        let rss_before = session.stat("peak_rss_mb").await;
        let big = sign_request("big", &[padded_pdf("Fatura big", 75 * 1024 * 1024)]);
        let body_mb = big.len() as f64 / 1_048_576.0;
        let response = session.sign(big).await;
        let status = response.status();
        let answer_mb = response.bytes().await.map(|b| b.len() as f64 / 1_048_576.0).unwrap_or(0.0);
        let rss_after = session.stat("peak_rss_mb").await;
        let growth = (rss_after - rss_before) / body_mb;
        println!(
            "one {body_mb:.0} MB request (a 75 MB PDF): HTTP {status}, answer {answer_mb:.0} MB; sandbox peak RSS \
             {rss_before:.0} MB before, {rss_after:.0} MB after: grew {growth:.2}x the body"
        );
        println!(
            "{}",
            json!({"hundred_docs_processing_ms": processing_ms, "hundred_docs_signed": signed, "big_body_mb": body_mb,
                   "sandbox_peak_rss_mb": rss_after, "peak_rss_growth_over_body": growth})
        );
    });
}
