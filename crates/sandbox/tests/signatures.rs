//! What the sandbox signs over HTTP, judged by independent verifiers: poppler's `pdfsig`, pyHanko
//! (trusting only the sandbox CA) and `xmlsec1`; the visible box checked on a rendering of the page.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{json, Value};

fn run(program: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{} must be installed (make setup): {e}", program.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn pyhanko() -> PathBuf {
    std::env::var_os("PYHANKO")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/pyhanko")
        })
}

fn assert_pdf_valid(path: &Path, ca: &Path, timestamped: bool) {
    let file = path.to_str().expect("path");
    let (_, pdfsig) = run(Path::new("pdfsig"), &["-nocert", "-no-ocsp", file]);
    assert!(pdfsig.contains("Signature is Valid"), "pdfsig: {pdfsig}");
    assert!(pdfsig.contains("Total document signed"), "pdfsig: {pdfsig}");
    assert!(pdfsig.contains("ETSI.CAdES.detached"), "pdfsig: {pdfsig}");
    assert!(
        pdfsig.contains("SANDBOX - NOT VALID"),
        "signer CN says it is not valid: {pdfsig}"
    );
    let ca = ca.to_str().expect("ca path");
    let (ok, report) = run(
        &pyhanko(),
        &[
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust",
            ca,
            "--pretty-print",
            file,
        ],
    );
    assert!(ok, "pyHanko: {report}");
    assert!(
        report.contains("The signer's certificate is trusted."),
        "pyHanko: {report}"
    );
    assert!(
        report.contains("The signature is cryptographically sound."),
        "pyHanko: {report}"
    );
    if timestamped {
        assert!(
            report.contains("The timestamp token is cryptographically sound."),
            "pyHanko: {report}"
        );
        assert!(
            report.contains("The TSA certificate is trusted."),
            "pyHanko: {report}"
        );
    }
}

/// Page 1 rendered at 72 dpi (one pixel per point) in grey: (width, height, pixels).
fn render(path: &Path) -> (usize, usize, Vec<u8>) {
    let prefix = path.with_extension("render");
    let (ok, text) = run(
        Path::new("pdftoppm"),
        &[
            "-gray",
            "-r",
            "72",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            path.to_str().expect("path"),
            prefix.to_str().expect("prefix"),
        ],
    );
    assert!(ok, "pdftoppm: {text}");
    let pgm = std::fs::read(format!("{}.pgm", prefix.display())).expect("rendered page");
    // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    (w, h, pgm[at + 1..].to_vec())
}

/// Dark pixels inside a box given in PDF user space (origin bottom-left).
fn dark_pixels(
    (w, h, pixels): &(usize, usize, Vec<u8>),
    x: usize,
    y: usize,
    width: usize,
    height: usize,
) -> usize {
    let (top, bottom) = (h - (y + height), h - y);
    (top..bottom)
        .flat_map(|row| (x..x + width).map(move |col| row * w + col))
        .filter(|i| pixels[*i] < 128)
        .count()
}

#[tokio::test]
async fn pdfs_signed_over_http_pass_pdfsig_and_pyhanko_on_both_bases() {
    let t = start().await;
    let token = t.token().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = t.sandbox.ca_cert_path();
    for base in [HOSTED, PROXY] {
        let plain = pdf_document(&format!("{base}-plain"), &pdf("Fatura 1"));
        let mut stamped = pdf_document(&format!("{base}-stamped"), &pdf("Fatura 2"));
        stamped["signatureInfo"]["applyTimestamp"] = json!(true);
        stamped["signatureInfo"]["reason"] = json!("Faturação — original");
        let mut visible = pdf_document(&format!("{base}-visible"), &pdf("Fatura 3"));
        visible["signatureInfo"]["visibleSignatureInfo"] = json!({
            "locationType": "COORDINATE", "locationValue": "page=1,x=100,y=200", "area": "width=200,height=60",
            "areaBackgroundColor": "#DDEEFF", "font": "color=#000000,size=8", "templateType": "ONE_OFF",
            "oneOffTemplate": "Assinado digitalmente por $certificate.getCommonName()\\nLisboa"});
        let (status, answer) = t
            .sign(
                base,
                &token,
                &request(&format!("{base}-request"), vec![plain, stamped, visible]),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        for (index, name) in ["plain", "stamped", "visible"].into_iter().enumerate() {
            let signed = signed_content(&answer, index);
            let path = dir
                .path()
                .join(format!("{}-{name}.pdf", base.replace('/', "_")));
            std::fs::write(&path, &signed).expect("write");
            assert_pdf_valid(&path, &ca, name == "stamped");
        }
    }
    let stamped = std::fs::read(
        dir.path()
            .join("_signstash_einvoice-integration-ws-stamped.pdf"),
    )
    .expect("read");
    let appended = &stamped[pdf("Fatura 2").len()..];
    let has = |needle: &[u8]| appended.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(b"/Reason") && has(b"/Location"),
        "reason and location written in the signature"
    );

    // The visible box is where the request put it (PDF points from the bottom-left), and only there.
    let page = render(
        &dir.path()
            .join("_signstash_einvoice-integration-client-ws-visible.pdf"),
    );
    assert_eq!((page.0, page.1), (595, 842));
    assert!(
        dark_pixels(&page, 100, 200, 200, 60) > 100,
        "text and border drawn inside the box"
    );
    assert_eq!(
        dark_pixels(&page, 330, 200, 200, 60),
        0,
        "nothing drawn beside it"
    );
    let unsigned_path = dir.path().join("unsigned.pdf");
    std::fs::write(&unsigned_path, pdf("Fatura 3")).expect("write");
    assert_eq!(
        dark_pixels(&render(&unsigned_path), 100, 200, 200, 60),
        0,
        "the box area was blank before signing"
    );
}

#[tokio::test]
async fn xml_signed_over_http_passes_xmlsec1_with_location_and_transforms() {
    let t = start().await;
    let token = t.token().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut located = xml_document("x-located", &ubl_invoice("FT 2026/7"));
    located["documentRequest"]["contentType"] = json!("text/xml");
    located["signatureInfo"]["advancedSignatureInfo"] = json!({
        "signatureLocation": "SignatureInformation", "signatureTransform": "XPATH", "canonicalTransform": "EXCLUSIVE_WITH_COMMENTS"});
    let plain = xml_document("x-plain", &ubl_invoice("FT 2026/8"));
    let mut with_dtd = xml_document(
        "x-dtd",
        br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"#,
    );
    with_dtd["documentRequest"]["name"] = json!("hostile.xml");
    let (status, answer) = t
        .sign(
            HOSTED,
            &token,
            &request("x-request", vec![located, plain, with_dtd]),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let ca = t.sandbox.ca_cert_path();
    for index in 0..2 {
        let path = dir.path().join(format!("signed-{index}.xml"));
        std::fs::write(&path, signed_content(&answer, index)).expect("write");
        let (ok, report) = run(
            Path::new("xmlsec1"),
            &[
                "--verify",
                "--trusted-pem",
                ca.to_str().expect("ca"),
                path.to_str().expect("p"),
            ],
        );
        assert!(ok, "xmlsec1: {report}");
        let text = std::fs::read_to_string(&path).expect("read");
        let slot = text
            .find("<sac:SignatureInformation")
            .expect("UBL signature slot");
        assert!(
            text.find("<ds:Signature").is_some_and(|at| at > slot),
            "signature inside the slot: {text}"
        );
    }
    let hostile: &Value = &answer["documentList"][2];
    assert_eq!(
        hostile["signStatus"], "ERROR_SIGNING",
        "a document with a DTD is refused alone"
    );
}
