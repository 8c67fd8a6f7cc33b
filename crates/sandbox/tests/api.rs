//! The sandbox over real HTTP on loopback, against JSON written from the spec: tokens, the bearer
//! check, validation codes, both API bases, the consult endpoints and multipart.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn token_endpoint_answers_like_spring_oauth2() {
    let t = start_with(|c| c.token_lifetime_secs = 600).await;
    let url = t.sandbox.token_url();
    let ok: Value = t
        .http
        .post(&url)
        .basic_auth("bar", Some("barsecret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(ok["access_token"].as_str().unwrap().starts_with("eyJhbG"));
    assert_eq!(ok["token_type"], "bearer");
    assert_eq!(ok["expires_in"], 600);
    assert_eq!(ok["scope"], "read write");
    assert!(ok["jti"].is_string());

    // grant_type in the query string with an empty body is accepted too.
    let query = t
        .http
        .post(format!("{url}?grant_type=client_credentials"))
        .basic_auth("bar", Some("barsecret"))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);

    for (id, secret) in [("bar", "wrong"), ("nobody", "barsecret")] {
        let r = t
            .http
            .post(&url)
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.headers().contains_key("www-authenticate"));
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
    }
    let anonymous = t
        .http
        .post(&url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let password = t
        .http
        .post(&url)
        .basic_auth("bar", Some("barsecret"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(password.status(), 400);
    assert_eq!(
        password.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let missing = t
        .http
        .post(&url)
        .basic_auth("bar", Some("barsecret"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );

    let stats = t.stats().await;
    assert_eq!(stats["tokens_issued"], 2);
    assert_eq!(stats["token_requests"], 7);
}

#[tokio::test]
async fn bearer_check_401_for_unknown_and_409_for_expired() {
    let t = start_with(|c| c.token_lifetime_secs = 1).await;
    let body = request("r", vec![pdf_document("d", &pdf("x"))]);
    let (status, answer) = t.sign(HOSTED, "not-a-token", &body).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let missing = t
        .http
        .post(t.url(&format!("{PROXY}/api/v0/document/sign/base64/")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);

    let token = t.token().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, answer) = t.sign(HOSTED, &token, &body).await;
    assert_eq!(
        (status, answer["errorCode"].as_str()),
        (409, Some("0.0.10"))
    );
    assert!(answer["errorCodeDescription"].is_string() && answer["causeMessage"].is_string());
}

#[tokio::test]
async fn tokens_wear_out_after_k_uses_when_asked() {
    let t = start().await;
    t.faults(json!({"token_max_uses": 2})).await;
    let token = t.token().await;
    for (i, expected) in [200, 200, 409].into_iter().enumerate() {
        let (status, _) = t
            .sign(
                PROXY,
                &token,
                &request(
                    &format!("r{i}"),
                    vec![pdf_document(&format!("d{i}"), &pdf("x"))],
                ),
            )
            .await;
        assert_eq!(status, expected, "use {}", i + 1);
    }
    let fresh = t.token().await;
    let (status, _) = t
        .sign(
            PROXY,
            &fresh,
            &request("r9", vec![pdf_document("d9", &pdf("x"))]),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn both_bases_sign_and_differ_in_returned_content_and_folder() {
    let t = start().await;
    let token = t.token().await;
    let mut body = request(
        "hosted-1",
        vec![
            pdf_document("hosted-1-doc", &pdf("a")),
            xml_document("hosted-1-xml", &ubl_invoice("FT 1")),
        ],
    );
    body["returnSignedContent"] = json!(false);
    let (status, hosted) = t.sign(HOSTED, &token, &body).await;
    assert_eq!(status, 200, "{hosted}");
    assert_eq!(hosted["status"], "EXECUTED");
    assert_eq!(hosted["type"], "SIGN");
    assert_eq!(hosted["folder"]["folderContent"], "DOCUMENT");
    assert_eq!(hosted["folderExternalReference"], "hosted-1");
    assert_eq!(hosted["issuerClientServiceAlias"], "bar");
    let documents = hosted["documentList"].as_array().unwrap();
    assert_eq!(documents.len(), 2);
    for d in documents {
        assert_eq!(d["signStatus"], "SIGNED");
        assert!(
            d.get("signedContent").is_none(),
            "hosted base without returnSignedContent: {d}"
        );
    }
    assert_eq!(documents[0]["externalReference"], "hosted-1-doc");
    assert_eq!(documents[1]["contentType"], "application/xml");

    // The proxy answers with the signed content even without the flag, and tolerates `//`.
    let mut body = request("proxy-1", vec![pdf_document("proxy-1-doc", &pdf("b"))]);
    body.as_object_mut().unwrap().remove("returnSignedContent");
    let response = t
        .http
        .post(t.url(&format!("{PROXY}//api/v0//document/sign/base64//")))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let proxy: Value = response.json().await.unwrap();
    assert_eq!(proxy["folder"]["folderContent"], "HASH");
    assert!(signed_content(&proxy, 0).starts_with(b"%PDF"));
    assert_eq!(t.stats().await["documents_signed"], 3);
}

#[tokio::test]
async fn validation_answers_the_spec_codes() {
    let t = start().await;
    let token = t.token().await;
    let doc = pdf_document("v-doc", &pdf("x"));
    let mut cases: Vec<(&str, Value, u16, &str)> = Vec::new();
    let mut no_ref = request("x", vec![doc.clone()]);
    no_ref.as_object_mut().unwrap().remove("externalReference");
    cases.push(("request externalReference", no_ref, 500, "0.0.2"));
    let mut no_description = request("v1", vec![doc.clone()]);
    no_description
        .as_object_mut()
        .unwrap()
        .remove("description");
    cases.push(("description", no_description, 500, "0.0.2"));
    cases.push((
        "no documents",
        json!({"externalReference": "v2", "description": ""}),
        500,
        "0.0.2",
    ));
    let mut no_name = doc.clone();
    no_name["documentRequest"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    cases.push(("document name", request("v3", vec![no_name]), 500, "0.0.2"));
    let mut no_type = doc.clone();
    no_type["signatureInfo"]
        .as_object_mut()
        .unwrap()
        .remove("signatureType");
    cases.push(("signatureType", request("v4", vec![no_type]), 500, "0.0.2"));
    let mut no_location_type = doc.clone();
    no_location_type["signatureInfo"]["visibleSignatureInfo"] =
        json!({"locationValue": "page=1,x=1,y=1"});
    cases.push((
        "locationType",
        request("v5", vec![no_location_type]),
        500,
        "0.0.2",
    ));
    let mut bad_content_type = doc.clone();
    bad_content_type["documentRequest"]["contentType"] = json!("image/png");
    cases.push((
        "contentType enum",
        request("v6", vec![bad_content_type]),
        500,
        "0.0.6",
    ));
    let mut bad_base64 = doc.clone();
    bad_base64["documentRequest"]["base64Content"] = json!("not base64!!");
    cases.push(("base64", request("v7", vec![bad_base64]), 500, "0.0.6"));
    let mut bad_signature_type = doc.clone();
    bad_signature_type["signatureInfo"]["signatureType"] = json!("PADES");
    cases.push((
        "signatureType enum",
        request("v8", vec![bad_signature_type]),
        500,
        "0.0.6",
    ));
    let mut wrong_type = doc.clone();
    wrong_type["signatureInfo"]["signatureType"] = json!("XAdES");
    cases.push((
        "XAdES for a PDF",
        request("v9", vec![wrong_type]),
        500,
        "0.0.6",
    ));
    let mut bad_transform = xml_document("v10-doc", &ubl_invoice("1"));
    bad_transform["signatureInfo"]["advancedSignatureInfo"] = json!({"signatureTransform": "NONE"});
    cases.push((
        "transform enum",
        request("v10", vec![bad_transform]),
        500,
        "0.0.6",
    ));
    let mut bad_coordinates = doc.clone();
    bad_coordinates["signatureInfo"]["visibleSignatureInfo"] =
        json!({"locationType": "COORDINATE", "locationValue": "page=one"});
    cases.push((
        "coordinates",
        request("v11", vec![bad_coordinates]),
        500,
        "0.0.6",
    ));
    let mut wrong_json_type = doc.clone();
    wrong_json_type["signatureInfo"]["applyTimestamp"] = json!("yes");
    cases.push((
        "applyTimestamp type",
        request("v12", vec![wrong_json_type]),
        500,
        "0.0.6",
    ));
    let png_400x100 = {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&400u32.to_be_bytes());
        png.extend_from_slice(&100u32.to_be_bytes());
        png
    };
    let mut big_image = doc.clone();
    big_image["signatureInfo"]["visibleSignatureInfo"] = json!({"locationType": "COORDINATE",
        "locationValue": "page=1,x=10,y=10", "area": "width=155,height=50", "imageType": "IMAGE_PNG",
        "imageValue": b64(&png_400x100)});
    cases.push((
        "image larger than area",
        request("v13", vec![big_image]),
        500,
        "2.2.1",
    ));

    for (what, body, status, code) in cases {
        let (got_status, answer) = t.sign(HOSTED, &token, &body).await;
        assert_eq!(
            (got_status, answer["errorCode"].as_str()),
            (status, Some(code)),
            "{what}: {answer}"
        );
        assert!(
            answer["errorCodeDescription"].is_string() && answer["causeMessage"].is_string(),
            "{what}"
        );
    }
    let raw = t
        .http
        .post(t.url(&format!("{HOSTED}/api/v0/document/sign/base64/")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 500);
    assert_eq!(raw.json::<Value>().await.unwrap()["errorCode"], "0.0.2");
    // Nothing above was signed, and no reference was used up by a refused request.
    assert_eq!(t.stats().await["documents_signed"], 0);
    let (status, _) = t.sign(HOSTED, &token, &request("v1", vec![doc])).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn reused_references_are_409_0_0_7_at_both_levels() {
    let t = start().await;
    let token = t.token().await;
    let (status, _) = t
        .sign(
            HOSTED,
            &token,
            &request("req-a", vec![pdf_document("doc-a", &pdf("a"))]),
        )
        .await;
    assert_eq!(status, 200);
    for (what, body) in [
        (
            "request level",
            request("req-a", vec![pdf_document("doc-b", &pdf("b"))]),
        ),
        (
            "document level",
            request("req-c", vec![pdf_document("doc-a", &pdf("c"))]),
        ),
        (
            "twice in one request",
            request(
                "req-d",
                vec![
                    pdf_document("doc-d", &pdf("d")),
                    pdf_document("doc-d", &pdf("e")),
                ],
            ),
        ),
    ] {
        let (status, answer) = t.sign(PROXY, &token, &body).await;
        assert_eq!(
            (status, answer["errorCode"].as_str()),
            (409, Some("0.0.7")),
            "{what}"
        );
    }
    assert_eq!(t.stats().await["documents_signed"], 1);
}

#[tokio::test]
async fn a_document_that_is_not_what_it_claims_fails_alone() {
    let t = start().await;
    let token = t.token().await;
    let mut liar = pdf_document("liar", &ubl_invoice("x"));
    liar["documentRequest"]["name"] = json!("liar.pdf");
    let body = request(
        "mixed",
        vec![
            pdf_document("good-1", &pdf("1")),
            liar,
            xml_document("not-xml", b"%PDF-1.7 not xml"),
            pdf_document("good-2", &pdf("2")),
        ],
    );
    let (status, answer) = t.sign(HOSTED, &token, &body).await;
    assert_eq!(status, 200);
    let statuses: Vec<&str> = answer["documentList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["signStatus"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["SIGNED", "ERROR_SIGNING", "ERROR_SIGNING", "SIGNED"]
    );
    assert_eq!(
        answer["documentList"][1]["signError"],
        "SIGN_OPERATION_INTERNAL_ERROR"
    );
    assert!(answer["documentList"][1].get("signedContent").is_none());
    assert_eq!(t.stats().await["documents_failed"], 2);
}

#[tokio::test]
async fn consult_endpoints_find_what_was_signed_on_the_hosted_base_only() {
    let t = start().await;
    let token = t.token().await;
    let original = pdf("consult");
    let (_, answer) = t
        .sign(
            HOSTED,
            &token,
            &request(
                "c-req",
                vec![
                    pdf_document("c-doc", &original),
                    xml_document("c-xml", &ubl_invoice("2")),
                ],
            ),
        )
        .await;
    let id = answer["id"].as_i64().unwrap();

    let (status, body) = t
        .get(
            &format!("{HOSTED}/api/v0/operation/id/withDocumentExternalReference/c-doc"),
            &token,
        )
        .await;
    assert_eq!(
        (status, serde_json::from_slice::<Value>(&body).unwrap()),
        (200, json!(id))
    );
    let (status, _) = t
        .get(
            &format!("{HOSTED}/api/v0/operation/id/withDocumentExternalReference/never-sent"),
            &token,
        )
        .await;
    assert_eq!(status, 404);

    let (status, body) = t
        .get(&format!("{HOSTED}/api/v0/operation/status/{id}/"), &token)
        .await;
    let base: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, base["status"].as_str(), base["id"].as_i64()),
        (200, Some("EXECUTED"), Some(id))
    );
    assert!(base.get("documentList").is_none());

    let (_, body) = t
        .get(
            &format!("{HOSTED}/api/v0/operation/sign/detail/{id}/contentInResponse/false"),
            &token,
        )
        .await;
    let without: Value = serde_json::from_slice(&body).unwrap();
    assert!(without["documentList"][0].get("signedContent").is_none());
    let (_, body) = t
        .get(
            &format!("{HOSTED}/api/v0/operation/sign/detail/{id}/contentInResponse/true"),
            &token,
        )
        .await;
    let with: Value = serde_json::from_slice(&body).unwrap();
    let signed = signed_content(&with, 0);
    assert!(signed.starts_with(b"%PDF"));
    let (status, _) = t
        .get(
            &format!("{HOSTED}/api/v0/operation/sign/detail/{id}/contentInResponse/maybe"),
            &token,
        )
        .await;
    assert_eq!(status, 500);

    let (status, zip_bytes) = t
        .get(
            &format!("{HOSTED}/api/v0/operation/sign/detail/{id}/documents"),
            &token,
        )
        .await;
    assert_eq!(status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["c-doc.c-doc.pdf", "c-xml.c-xml.xml"]);
    let mut entry = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("c-doc.c-doc.pdf").unwrap(), &mut entry)
        .unwrap();
    assert_eq!(entry, signed);

    // Another client service does not see this operation; the proxy has no consult endpoints.
    let other = t.token_for("other", "othersecret").await;
    assert_eq!(
        t.get(&format!("{HOSTED}/api/v0/operation/status/{id}"), &other)
            .await
            .0,
        404
    );
    assert_eq!(
        t.get(&format!("{PROXY}/api/v0/operation/status/{id}"), &token)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn multipart_sign_matches_files_by_name() {
    let t = start().await;
    let token = t.token().await;
    let sign_request = json!({"externalReference": "mp", "description": "", "returnSignedContent": true, "documents": [
        {"documentRequest": {"externalReference": "mp-xml", "name": "b.xml", "contentType": "text/xml"}, "signatureInfo": {"signatureType": "XAdES"}},
        {"documentRequest": {"externalReference": "mp-pdf", "name": "a.pdf", "contentType": "application/pdf"}, "signatureInfo": {"signatureType": "PAdES"}}
    ]});
    let form = reqwest::multipart::Form::new()
        .part(
            "files",
            reqwest::multipart::Part::bytes(pdf("mp")).file_name("a.pdf"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(ubl_invoice("mp")).file_name("b.xml"),
        )
        .part(
            "signRequest",
            reqwest::multipart::Part::text(sign_request.to_string())
                .mime_str("application/json")
                .unwrap(),
        );
    let response = t
        .http
        .post(t.url(&format!("{HOSTED}/api/v0/document/sign/")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert!(signed_content(&answer, 0).starts_with(b"<?xml"));
    assert!(signed_content(&answer, 1).starts_with(b"%PDF"));
}

#[tokio::test]
async fn too_many_requests_in_flight_get_429() {
    let t = start_with(|c| c.max_in_flight = 1).await;
    t.faults(json!({"latency_ms": 300})).await;
    let token = t.token().await;
    let first = request("slow-1", vec![pdf_document("slow-1-d", &pdf("1"))]);
    let second = request("slow-2", vec![pdf_document("slow-2-d", &pdf("2"))]);
    let (a, b) = tokio::join!(
        t.sign(PROXY, &token, &first),
        t.sign(PROXY, &token, &second)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 429]);
    assert_eq!(t.stats().await["rejected_too_many"], 1);
}
