//! Every fault switch, over real HTTP: each does what it says, fires as often as asked, then stops.

mod common;

use common::*;
use serde_json::{json, Value};

fn one(reference: &str) -> Value {
    request(
        reference,
        vec![pdf_document(&format!("{reference}-doc"), &pdf(reference))],
    )
}

#[tokio::test]
async fn fail_next_refuses_before_processing_then_recovers() {
    let t = start().await;
    let token = t.token().await;
    for (status, check) in [
        (500, "0.0.1"),
        (429, ""),
        (401, "invalid_token"),
        (409, "0.0.10"),
        (503, ""),
    ] {
        t.faults(json!({"fail_next": 2, "fail_status": status}))
            .await;
        for _ in 0..2 {
            let (got, answer) = t.sign(HOSTED, &token, &one("same-ref")).await;
            assert_eq!(got, status);
            match status {
                500 | 409 => assert_eq!(answer["errorCode"], check),
                401 => assert_eq!(answer["error"], check),
                _ => {}
            }
        }
    }
    // Nothing was processed, so the same reference still signs.
    let (got, _) = t.sign(HOSTED, &token, &one("same-ref")).await;
    assert_eq!(got, 200);
    assert_eq!(t.stats().await["documents_signed"], 1);
    let bad = t
        .http
        .post(t.url("/sandbox/faults"))
        .json(&json!({"fail_status": 418}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn document_errors_hit_the_next_n_documents_only() {
    let t = start().await;
    let token = t.token().await;
    t.faults(
        json!({"document_error_next": 2, "document_sign_error": "INVALID_CERT_ACCESS_ACCOUNT"}),
    )
    .await;
    let body = request(
        "de",
        (0..3)
            .map(|i| pdf_document(&format!("de-{i}"), &pdf("x")))
            .collect(),
    );
    let (status, answer) = t.sign(PROXY, &token, &body).await;
    assert_eq!(status, 200);
    let docs = answer["documentList"].as_array().unwrap();
    assert_eq!(docs[0]["signStatus"], "ERROR_SIGNING");
    assert_eq!(docs[0]["signError"], "INVALID_CERT_ACCESS_ACCOUNT");
    assert_eq!(docs[1]["signStatus"], "ERROR_SIGNING");
    assert_eq!(docs[2]["signStatus"], "SIGNED");
    assert!(docs[2]["signError"].is_null());
}

#[tokio::test]
async fn all_documents_failing_is_an_execution_error() {
    let t = start().await;
    let token = t.token().await;
    t.faults(json!({"document_error_next": 1})).await;
    let (status, answer) = t.sign(PROXY, &token, &one("all-fail")).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("EXECUTION_ERROR"))
    );
}

#[tokio::test]
async fn broken_answers_malformed_json_invalid_base64_unsafe_names() {
    let t = start().await;
    let token = t.token().await;
    t.faults(json!({"malformed_json_next": 1})).await;
    let response = t
        .http
        .post(t.url(&format!("{PROXY}/api/v0/document/sign/base64/")))
        .bearer_auth(&token)
        .json(&one("mj"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "not JSON: {text}"
    );

    t.faults(json!({"invalid_base64_next": 1})).await;
    let (_, answer) = t.sign(PROXY, &token, &one("ib")).await;
    let content = answer["documentList"][0]["signedContent"].as_str().unwrap();
    use base64::Engine;
    assert!(base64::engine::general_purpose::STANDARD
        .decode(content)
        .is_err());

    t.faults(json!({"unsafe_name_next": 1})).await;
    let (_, answer) = t.sign(PROXY, &token, &one("un")).await;
    assert_eq!(answer["documentList"][0]["name"], "../../un-doc.pdf");

    // Each fired once; the next answer is whole again.
    let (status, answer) = t.sign(PROXY, &token, &one("ok")).await;
    assert_eq!(status, 200);
    assert_eq!(answer["documentList"][0]["name"], "ok-doc.pdf");
    assert!(signed_content(&answer, 0).starts_with(b"%PDF"));
}

#[tokio::test]
async fn dropped_and_truncated_answers_after_signing_can_be_recovered_by_reference() {
    let t = start().await;
    let token = t.token().await;
    t.faults(json!({"drop_connection_next": 1, "truncated_body_next": 0}))
        .await;
    let dropped = t
        .http
        .post(t.url(&format!("{HOSTED}/api/v0/document/sign/base64/")))
        .bearer_auth(&token)
        .json(&one("dropped"))
        .send()
        .await;
    let broke = match dropped {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(broke, "the connection was dropped");

    t.faults(json!({"truncated_body_next": 1})).await;
    let response = t
        .http
        .post(t.url(&format!("{HOSTED}/api/v0/document/sign/base64/")))
        .bearer_auth(&token)
        .json(&one("truncated"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.is_err(), "the body was cut");

    // Both were signed before the answer broke: resending is 0.0.7, asking by reference finds them.
    let (status, answer) = t.sign(HOSTED, &token, &one("dropped")).await;
    assert_eq!((status, answer["errorCode"].as_str()), (409, Some("0.0.7")));
    for reference in ["dropped-doc", "truncated-doc"] {
        let (status, body) = t
            .get(
                &format!("{HOSTED}/api/v0/operation/id/withDocumentExternalReference/{reference}"),
                &token,
            )
            .await;
        assert_eq!(status, 200, "{reference}");
        let id: i64 = serde_json::from_slice(&body).unwrap();
        let (_, body) = t
            .get(
                &format!("{HOSTED}/api/v0/operation/sign/detail/{id}/contentInResponse/true"),
                &token,
            )
            .await;
        let detail: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(detail["documentList"][0]["signStatus"], "SIGNED");
        assert!(signed_content(&detail, 0).starts_with(b"%PDF"));
    }
    let stats = t.stats().await;
    assert_eq!(stats["documents_signed"], 2);
    assert_eq!(stats["faults_fired"], 2);
}

#[tokio::test]
async fn latency_is_added_to_token_and_api_answers() {
    let t = start().await;
    let token = t.token().await;
    t.faults(json!({"latency_ms": 150})).await;
    let started = std::time::Instant::now();
    let _ = t.token().await;
    let (status, _) = t.sign(PROXY, &token, &one("lat")).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let current: Value = t
        .http
        .get(t.url("/sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["latency_ms"], 150);
    t.faults(json!({"reset": true})).await;
    let current: Value = t
        .http
        .get(t.url("/sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["latency_ms"], 0);
}
