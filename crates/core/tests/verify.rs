//! Detection and verify-before-save against documents signed by the real sandbox signers
//! (PAdES with the in-process CMS/TSA, XAdES with libxmlsec1), written to and read back
//! from disk, plus tampered, truncated, unsigned and hostile variants.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use signstash_core::detect::{content_type, detect, signature_type, DetectError, DocumentKind};
use signstash_core::verify::{
    verify_signed, verify_signed_file, verify_signed_pdf, verify_signed_xml, HashedOriginal,
    SignatureCheck, Verified, VerifyError,
};
use signstash_sandbox::pades::{sign_pdf, PadesRequest, VisibleBox};
use signstash_sandbox::pki::Pki;
use signstash_sandbox::xades::{sign_xml, XadesRequest, XmlCanonical, XmlSigner, XmlTransform};

struct Env {
    dir: tempfile::TempDir,
    pki: Pki,
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let pki = Pki::load_or_create(&dir.path().join("pki")).expect("test PKI");
        Env { dir, pki }
    })
}

/// Round trip through a real file, as the app does.
fn on_disk(name: &str, bytes: &[u8]) -> Vec<u8> {
    // Tests run in parallel in one folder: each write gets its own file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path: PathBuf = env().dir.path().join(format!("{n}-{name}"));
    std::fs::write(&path, bytes).expect("write");
    std::fs::read(&path).expect("read")
}

/// A valid classic-xref PDF with `filler` bytes of page content; no trailing newline
/// after `%%EOF` so the signer has to add one.
fn make_pdf(filler: usize) -> Vec<u8> {
    let mut content = String::from("BT /F1 24 Tf 72 760 Td (Fatura FT 2026/1) Tj ET\n");
    let mut y = 720;
    while content.len() < filler {
        let _ = writeln!(content, "BT /F1 6 Tf 40 {y} Td (Linha {y} produto) Tj ET");
        y = if y < 60 { 720 } else { y - 7 };
    }
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1);
    for off in offsets {
        let _ = writeln!(x, "{off:010} 00000 n ");
    }
    let _ = write!(
        x,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF",
        objs.len() + 1
    );
    out.extend_from_slice(x.as_bytes());
    out
}

fn pades(timestamp: bool, visible: bool) -> PadesRequest<'static> {
    PadesRequest {
        reason: Some("Faturação"),
        location: Some("Lisboa"),
        timestamp,
        visible: visible.then(|| VisibleBox {
            page: 1,
            x: 300.0,
            y: 60.0,
            width: 200.0,
            height: 50.0,
            lines: vec!["Assinado digitalmente".into()],
            font_size: 8.0,
            background: None,
        }),
        signing_time: time::OffsetDateTime::now_utc(),
    }
}

fn signed_pdf(original: &[u8], timestamp: bool) -> Vec<u8> {
    let out = sign_pdf(original, &env().pki, &pades(timestamp, false)).expect("sandbox signs");
    on_disk("signed.pdf", &out)
}

/// The `[0 a b c]` of the last signature, read back with a plain parse.
fn byte_range(signed: &[u8]) -> [usize; 4] {
    verify_signed_pdf(&[], signed).expect("valid").byte_range
}

#[test]
fn detects_kinds_from_bytes() {
    let pdf = make_pdf(100);
    assert_eq!(detect(&pdf), Ok(DocumentKind::Pdf));
    let mut junk_first = vec![b'x'; 500];
    junk_first.extend_from_slice(&pdf);
    assert_eq!(detect(&junk_first), Ok(DocumentKind::Pdf));
    let mut too_late = vec![b'x'; 1100];
    too_late.extend_from_slice(&pdf);
    assert!(detect(&too_late).is_err());

    assert_eq!(
        detect(b"<?xml version=\"1.0\"?><a/>"),
        Ok(DocumentKind::Xml)
    );
    assert_eq!(detect(b"\n  <Invoice/>"), Ok(DocumentKind::Xml));
    assert_eq!(
        detect(b"\xef\xbb\xbf<?xml version=\"1.0\"?><a/>"),
        Ok(DocumentKind::Xml)
    );
    let utf16 = |be: bool| {
        let mut v = if be {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for u in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>".encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    };
    assert_eq!(detect(&utf16(false)), Ok(DocumentKind::Xml));
    assert_eq!(detect(&utf16(true)), Ok(DocumentKind::Xml));

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let err = detect(png).expect_err("PNG");
    assert_eq!(
        err.to_string(),
        "this is a PNG image, not a PDF or XML invoice"
    );
    assert_eq!(err.code(), "detect.unsupported");
    let zip = b"PK\x03\x04\x14\0\x06\0word/document.xml";
    assert!(detect(zip).expect_err("zip").to_string().contains("ZIP"));
    assert_eq!(detect(b""), Err(DetectError::Empty));
    assert!(detect(b"Fatura 123, total 45 EUR\n")
        .expect_err("text")
        .to_string()
        .contains("plain text"));
    assert!(detect(b"<!DOCTYPE html><html></html>")
        .expect_err("html")
        .to_string()
        .contains("HTML"));
    assert!(detect(b"\xff\xd8\xff\xe0JFIF")
        .expect_err("jpeg")
        .to_string()
        .contains("JPEG"));
    assert_eq!(detect(&[0u8, 1, 2, 3, 200, 201]), Err(DetectError::Unknown));
    assert_eq!(
        detect(b"< not a tag"),
        Err(DetectError::Unsupported {
            what: "a plain text file"
        })
    );

    assert_eq!(content_type(DocumentKind::Pdf), "application/pdf");
    assert_eq!(content_type(DocumentKind::Xml), "application/xml");
    assert_eq!(signature_type(DocumentKind::Pdf), "PAdES");
    assert_eq!(signature_type(DocumentKind::Xml), "XAdES");
}

#[test]
fn accepts_pdfs_signed_by_the_sandbox() {
    let original = on_disk("original.pdf", &make_pdf(2000));
    assert_ne!(original.last(), Some(&b'\n'), "signer must add the newline");
    for (timestamp, visible) in [(false, false), (true, false), (false, true), (true, true)] {
        let out = sign_pdf(&original, &env().pki, &pades(timestamp, visible)).expect("signs");
        let signed = on_disk("signed.pdf", &out);
        let info = verify_signed_pdf(&original, &signed).expect("accepted");
        assert_eq!(info.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
        assert_eq!(
            info.signer_common_name.as_deref(),
            Some(env().pki.signer.common_name.as_str())
        );
        assert_eq!(info.has_timestamp, timestamp);
        assert_eq!(
            info.signature_check,
            SignatureCheck::Verified("ECDSA P-256")
        );
        assert_eq!(info.byte_range[2] + info.byte_range[3], signed.len());
        assert!(matches!(
            verify_signed(DocumentKind::Pdf, &original, &signed),
            Ok(Verified::Pdf(_))
        ));
    }
}

fn hashed(bytes: &[u8]) -> HashedOriginal {
    use sha2::Digest;
    HashedOriginal {
        state: sha2::Sha256::new_with_prefix(bytes),
        length: bytes.len(),
    }
}

#[test]
fn the_digest_of_the_original_as_sent_is_reused_and_still_binds_the_signature() {
    let original = make_pdf(20_000);
    let signed = signed_pdf(&original, false);
    let path = env().dir.path().join("hashed-original.pdf");
    std::fs::write(&path, &original).expect("write");
    let check = |hashed: Option<&HashedOriginal>| {
        verify_signed_file(DocumentKind::Pdf, &path, &signed, hashed).expect("file read")
    };
    assert!(check(None).is_ok());
    assert!(check(Some(&hashed(&original))).is_ok());
    // A state from other bytes of the same length is used, and the digest no longer matches.
    let mut other = original.clone();
    other[100] ^= 1;
    assert_eq!(
        check(Some(&hashed(&other))).map(|_| ()),
        Err(VerifyError::DigestMismatch)
    );
    // One of another length is not the file's: ignored, and the file is hashed again.
    assert!(check(Some(&hashed(&original[..100]))).is_ok());
}

#[test]
fn a_second_signature_is_checked_against_the_once_signed_file() {
    let original = make_pdf(500);
    let once = signed_pdf(&original, false);
    let twice = sign_pdf(&once, &env().pki, &pades(true, false)).expect("signs again");
    assert!(verify_signed_pdf(&once, &twice).is_ok());
    // The last signature covers everything, so it also verifies against the first original.
    assert!(
        verify_signed_pdf(&original, &twice)
            .expect("ok")
            .has_timestamp
    );
}

#[test]
fn rejects_tampered_truncated_unsigned_and_foreign_pdfs() {
    let original = make_pdf(3000);
    let signed = signed_pdf(&original, false);
    let [_, a, b, _] = byte_range(&signed);

    // A byte flipped in the signed update (outside /Contents) or in the original copy.
    let mut flipped = signed.clone();
    let m = flipped.len() - 3;
    flipped[m] ^= 0x01;
    assert_eq!(
        verify_signed_pdf(&original, &flipped),
        Err(VerifyError::DigestMismatch)
    );
    let mut flipped = signed.clone();
    flipped[a - 5] = b'X';
    let e = verify_signed_pdf(&original, &flipped).expect_err("changed sig dict");
    assert!(
        matches!(e, VerifyError::DigestMismatch | VerifyError::ByteRange(_)),
        "{e}"
    );
    let mut flipped = signed.clone();
    flipped[100] ^= 0x20;
    assert_eq!(
        verify_signed_pdf(&original, &flipped),
        Err(VerifyError::NotIncremental)
    );

    // The signature value itself (last bytes of a B-B CMS: ECDSA s) altered.
    let hex = &signed[a + 1..b - 1];
    let der_hex_len = hex.iter().rposition(|&c| c != b'0').expect("CMS") + 1;
    let mut bad_sig = signed.clone();
    let pos = a + der_hex_len; // last non-zero hex digit: inside the DER, not padding
    bad_sig[pos] = if bad_sig[pos] == b'1' { b'2' } else { b'1' };
    let e = verify_signed_pdf(&original, &bad_sig).expect_err("bad signature");
    assert!(
        matches!(e, VerifyError::SignatureInvalid | VerifyError::Cms(_)),
        "{e}"
    );

    // A signed file whose prefix differs from the original we sent.
    let mut other = original.clone();
    let i = other.windows(4).position(|w| w == b"2026").expect("text");
    other[i + 3] = b'7';
    let other_signed = signed_pdf(&other, false);
    let e = verify_signed_pdf(&original, &other_signed).expect_err("other doc");
    assert_eq!(e, VerifyError::NotIncremental);
    assert_eq!(e.code(), "verify.not_incremental");

    // The original returned as-is, or with a newline only.
    assert_eq!(
        verify_signed_pdf(&original, &original),
        Err(VerifyError::NoSignature)
    );
    let mut nl = original.clone();
    nl.push(b'\n');
    assert_eq!(
        verify_signed_pdf(&original, &nl),
        Err(VerifyError::NoSignature)
    );

    // Truncated output.
    let e = verify_signed_pdf(&original, &signed[..signed.len() - 10]).expect_err("cut");
    assert_eq!(e.code(), "verify.byterange", "{e}");
    let e = verify_signed_pdf(&original, &signed[..(a + b) / 2]).expect_err("cut in CMS");
    assert!(
        e.code() == "verify.byterange" || e.code() == "verify.no_signature",
        "{e}"
    );
    assert_eq!(
        verify_signed_pdf(&original, &original[..original.len() - 7]),
        Err(VerifyError::Truncated)
    );
    assert_eq!(verify_signed_pdf(&original, b""), Err(VerifyError::Empty));

    // Garbage.
    assert_eq!(
        verify_signed_pdf(&original, b"<html>502 Bad Gateway</html>"),
        Err(VerifyError::NotIncremental)
    );
    let mut tail = original.clone();
    tail.extend_from_slice(b"\n/ByteRange [0 10 20");
    assert_eq!(
        verify_signed_pdf(&original, &tail).map_err(|e| e.code()),
        Err("verify.byterange")
    );
}

#[test]
fn hostile_updates_never_panic() {
    let original = make_pdf(300);
    let signed = signed_pdf(&original, true);
    let [_, a, b, _] = byte_range(&signed);
    // Deterministic xorshift: mutate bytes of the update, often inside the CMS.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let update = original.len()..signed.len();
    let mut rejected = 0;
    for i in 0..1500 {
        let mut m = signed.clone();
        for _ in 0..1 + rnd() % 3 {
            let pos = if i % 2 == 0 {
                a + 1 + (rnd() as usize) % (b - a - 2).min(6000)
            } else {
                update.start + (rnd() as usize) % update.len()
            };
            m[pos] = b"0123456789ABCDEF<>/[] \n"[(rnd() % 23) as usize];
        }
        if i % 7 == 0 {
            m.truncate(update.start + (rnd() as usize) % update.len());
        }
        if verify_signed_pdf(&original, &m).is_err() {
            rejected += 1;
        }
    }
    assert!(rejected > 1000, "most mutations are caught ({rejected})");
    for junk in [
        &b"\0\0\0"[..],
        b"/ByteRange",
        b"/ByteRange [0 99999999999999999999999 1 1]",
    ] {
        let mut m = original.clone();
        m.extend_from_slice(junk);
        assert!(verify_signed_pdf(&original, &m).is_err());
    }
}

#[test]
fn verify_cost_on_200_kb_and_20_mb() {
    for (label, size) in [("200 KB", 200 * 1024), ("20 MB", 20 * 1024 * 1024)] {
        let original = make_pdf(size);
        let signed = signed_pdf(&original, true);
        let start = Instant::now();
        let runs = 5;
        for _ in 0..runs {
            verify_signed_pdf(&original, &signed).expect("valid");
        }
        let each = start.elapsed() / runs;
        println!(
            "verify_signed_pdf {label} ({} bytes): {each:?} per call",
            signed.len()
        );
    }
}

const UBL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>FT 2026/1</cbc:ID>
  <cbc:Note>Fatura de serviços</cbc:Note>
  <cbc:PayableAmount currencyID="EUR">123.00</cbc:PayableAmount>
</Invoice>
"#;

fn signed_xml(original: &[u8]) -> Vec<u8> {
    let pki = &env().pki;
    let signer = XmlSigner {
        cert_der: &pki.signer.cert_der,
        cert_pem: &pki.signer.cert_pem,
        key_pem: &pki.signer.key_pem,
        ca_pem: Some(&pki.ca.cert_pem),
    };
    let req = XadesRequest {
        signature_location: None,
        transform: XmlTransform::Enveloped,
        canonical: XmlCanonical::Exclusive,
        signing_time: time::OffsetDateTime::now_utc(),
    };
    let out = sign_xml(original, &signer, &req).expect("sandbox signs XML");
    on_disk("signed.xml", &out)
}

#[test]
fn accepts_xml_signed_by_the_sandbox() {
    let original = on_disk("original.xml", UBL.as_bytes());
    let signed = signed_xml(&original);
    assert_eq!(verify_signed_xml(&original, &signed), Ok(()));
    assert_eq!(
        verify_signed(DocumentKind::Xml, &original, &signed),
        Ok(Verified::Xml)
    );
    // A second signature on an already signed invoice.
    let twice = signed_xml(&signed);
    assert_eq!(verify_signed_xml(&signed, &twice), Ok(()));
    // Latin-1 invoices stay Latin-1.
    let latin1: Vec<u8> = UBL
        .replace("UTF-8", "ISO-8859-1")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    let signed = signed_xml(&latin1);
    assert_eq!(verify_signed_xml(&latin1, &signed), Ok(()));
    // Plain (non-UBL) XML.
    let plain = b"<?xml version=\"1.0\"?><doc><total>1</total></doc>";
    assert_eq!(verify_signed_xml(plain, &signed_xml(plain)), Ok(()));
}

#[test]
fn rejects_unsigned_foreign_and_hostile_xml() {
    let original = UBL.as_bytes();
    let signed = signed_xml(original);
    let e = verify_signed_xml(original, original).expect_err("unsigned");
    assert_eq!(e.code(), "verify.no_signature");

    let other = b"<?xml version=\"1.0\"?><CreditNote xmlns=\"urn:x\"><a/></CreditNote>";
    let other_signed = signed_xml(other);
    let e = verify_signed_xml(original, &other_signed).expect_err("different document");
    assert_eq!(e.code(), "verify.different_document");
    assert!(e.to_string().contains("CreditNote"), "{e}");

    let text = String::from_utf8(signed.clone()).expect("UTF-8");
    let start = text.find("<ds:SignatureValue").expect("value");
    let open_end = start + text[start..].find('>').expect(">") + 1;
    let close = text.find("</ds:SignatureValue>").expect("close");
    let emptied = format!("{}{}", &text[..open_end], &text[close..]);
    assert_eq!(
        verify_signed_xml(original, emptied.as_bytes()),
        Err(VerifyError::EmptySignatureValue)
    );

    let dtd =
        b"<?xml version=\"1.0\"?><!DOCTYPE Invoice [<!ENTITY a \"aaaa\">]><Invoice>&a;</Invoice>";
    assert_eq!(
        verify_signed_xml(original, dtd),
        Err(VerifyError::DtdRefused)
    );
    assert_eq!(
        verify_signed_xml(original, &signed[..signed.len() / 2]).map_err(|e| e.code()),
        Err("verify.not_xml")
    );
    assert_eq!(
        verify_signed_xml(original, b"\x89PNG\r\n\x1a\n").map_err(|e| e.code()),
        Err("verify.not_xml")
    );
    assert_eq!(verify_signed_xml(original, b""), Err(VerifyError::Empty));
    // UTF-16 documents are read (here: unsigned, so refused for that reason only).
    let mut utf16 = vec![0xff, 0xfe];
    for u in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Invoice/>".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(
        verify_signed_xml(&utf16, &utf16),
        Err(VerifyError::NoSignature)
    );
    let e = verify_signed_xml(dtd, &signed).expect_err("original with DTD");
    assert_eq!(e.code(), "verify.original_not_xml");
    // A signature element in another namespace is not an XML-DSig signature.
    let fake = UBL.replace(
        "</Invoice>",
        "<Signature><SignatureValue>AAAA</SignatureValue></Signature></Invoice>",
    );
    assert_eq!(
        verify_signed_xml(original, fake.as_bytes()),
        Err(VerifyError::NoSignature)
    );
}

// A throwaway RSA-2048 test seal (self-signed, made with `openssl req -x509 -newkey rsa:2048`):
// the sandbox signer is P-256 only, and a real qualified seal may well be RSA.
const RSA_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCclQV4TwrAbtRk\ni3OHlqtv0084WQErbFcBuLvz3iGap3OQgshlR26xCkqd4nAoY5mASDcJjO65OGJD\nsJrOIPkA40aa4XSkQqV4cLCcEsEVsPWqhv8CdVn4yYSRuP+/nyW7azYcVmfqdzpx\nj0W4QVqBVHoBMncKjfTri44dyVnrodRxD3d8NOQY9f07TUk2rWvkZBfgkdP8bTZH\n3d7Oj1GBub11J+VJusypPnJ9/BCgacz6hmtP5tPJ8BakLL+OwYbCkcrth7ap5OZg\ncrbpBdKKR2auhXVCaXHbUTojQns3+a5tYtEmZ22qPKTghw0DyiEmX5j1b/pIdsCy\nu0ETByglAgMBAAECggEAIE8zoL6WllyIIPMRdLHnUBzHJPZgomgpj+ZhihGU14ej\n9fa2iQdzVL6t5OQ7hmn+25SLHsJg5AE5bYQ8fToah09eW0kYO2ixIigGmT3Zb7Nj\nDbvrVMOIPCjA3RzSUOTy8ThPIwvFR4EwowwQM9Pwa+1Ve3fBToE6P3w9Z/ILRu57\n+lNwCmfBaFSJWeS2+dIk7YnXt7EpW4s2SMLRujrJ2yb5fP1dAZv1eSuIfksHNeCj\nAkMsNNw7ofCPbD0uju5Wnps/Ofb8h9mpT9Vc5e7+XiWEDqt2fSFeDHXjjbfryRu5\nzrIp4EvGtwN17Lvy6No3rhm28XFiiBhL1wxXlxmdIQKBgQDI5MuuBwMwErqxA6vR\nlv3ZSivy7ODRShvpQ1vwteycqy7F82M/v5Nh29B/3tV0aJ9tUcOa7N7gY+FagPLo\n3TMFlS5MIFd0WPn761y05dtSdmE3BlcYgnXYhpWi7Y9wX57mlYACvGcRglzibJ2/\nZBL4e/E/Rx2hp+Hrdq5PLihlHQKBgQDHiJDAlQ7zMcrRRewTYCIW274rPufLib0A\nPDMhljsnXrbzHZvLU20K9C42450DJV+zhjCo+PQ3NIf6sD+PPzeVUhQyns3ivO7B\ndofmbLnH+VKZNgm6dutq4NcT6e4AgidFkra0sozrmQUEMgjsm5YO0b4fnhKp7PN8\n3AfSTymIqQKBgFLOrH5ReajpL3cjskE0YfKdNjxuE8VxLMwb7dvswVla3m7OAk0W\npKOjve/XZFkVfxHKsDw+AyivQwbRPE9sTkmw0mKiuinFO1XyEEaosJzvGudZf7Ek\npXrZDvkXvxZs88zMNvXpvvpip/LVHrjzgTZXsHuKztYBo4gxZWxR9GipAoGARpqm\nTd7wuVFHKSIK1RhRN7Ft6zOJJdaJUEn89ceJCvdS2VgCxsGwdg3NRJLp/jD9WjMD\niOb+04H9E9HFy9RcwLOYfgj/ZVnhSge9MuYKHx60AY7Dhn2J8/m3YU6Hbxqe9tlh\nWTNM9hjhU4i467BqOrgxBFMU25gC2I2rHtnwInECgYEAhy+mF/sUqij4ZdqTJVOS\ncdL0XGHhVcKtUCgRKM+sad+jotHfG2z1rcf3YIQzIHqOxi+xFWr2XU2p6flcZFv7\nWyE7C+I5L6w1zwaSvw11z7BwSH3+5eSSfyU2ka8By33JXhNeXUkrKBzdDy3FgwDx\nrqwpbKH1F9CGLbc7PPt70DM=\n-----END PRIVATE KEY-----";
const RSA_CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIUIELREWf1muNZlZ5MXxJjsOy1NSowDQYJKoZIhvcNAQEL\nBQAwSjELMAkGA1UEBhMCUFQxGDAWBgNVBAoMD0VtcHJlc2EgRXhlbXBsbzEhMB8G\nA1UEAwwYRW1wcmVzYSBFeGVtcGxvIFJTQSBTZWFsMCAXDTI2MTEyODA4MjQ1M1oY\nDzIxMjYxMTA0MDgyNDUzWjBKMQswCQYDVQQGEwJQVDEYMBYGA1UECgwPRW1wcmVz\nYSBFeGVtcGxvMSEwHwYDVQQDDBhFbXByZXNhIEV4ZW1wbG8gUlNBIFNlYWwwggEi\nMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCclQV4TwrAbtRki3OHlqtv0084\nWQErbFcBuLvz3iGap3OQgshlR26xCkqd4nAoY5mASDcJjO65OGJDsJrOIPkA40aa\n4XSkQqV4cLCcEsEVsPWqhv8CdVn4yYSRuP+/nyW7azYcVmfqdzpxj0W4QVqBVHoB\nMncKjfTri44dyVnrodRxD3d8NOQY9f07TUk2rWvkZBfgkdP8bTZH3d7Oj1GBub11\nJ+VJusypPnJ9/BCgacz6hmtP5tPJ8BakLL+OwYbCkcrth7ap5OZgcrbpBdKKR2au\nhXVCaXHbUTojQns3+a5tYtEmZ22qPKTghw0DyiEmX5j1b/pIdsCyu0ETByglAgMB\nAAGjUzBRMB0GA1UdDgQWBBRqLMixi90rJe1Mp5ETWC8Qs5FPqTAfBgNVHSMEGDAW\ngBRqLMixi90rJe1Mp5ETWC8Qs5FPqTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\nDQEBCwUAA4IBAQAZap4G607pdz3NDr6sGKX0syoFTWteL8cv4fWqbV+1ZgnxKccE\nTTkb1W09HimpmPo4YMsmWsEUlYdak4e170cZpYBzjbwxZE2a44MFOmyHJW0hggUX\nqzuVqWsChojXN7euHTx5QbR5XbGOySaeqquepL3h0Wk29XBkJyTo28z7HfUMtEl1\nbK35pBbQVOI8QEYhiIZjvt6LS2OUPNQgafZxRjAwF0rRUmxKx3Enf2+GIaKknWLY\n724mf7uLX5yELLtfEwwH1j56PsAw7B2vTjxbV7wPGnsrovVkoqCe3JE7siTyDwS6\nooXeyAHunFyqSFwsrnBbcw6VISarMBQwhfbv\n-----END CERTIFICATE-----";

/// Replaces the sandbox's CMS in `signed` by one made with the RSA test seal over the same
/// ByteRange, tampering with the signature value when asked.
fn resign_with_rsa(signed: &[u8], tamper: bool) -> Vec<u8> {
    use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
    use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
    use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
    use der::{DecodePem, Encode};
    use rsa::pkcs8::DecodePrivateKey;
    use sha2::Digest;

    let [_, a, b, _] = byte_range(signed);
    let mut h = sha2::Sha256::new();
    h.update(&signed[..a]);
    h.update(&signed[b..]);
    let digest = h.finalize().to_vec();

    let cert = x509_cert::Certificate::from_pem(RSA_CERT).expect("cert");
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(RSA_KEY).expect("key");
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
    let eci = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sha256 = spki_sha256();
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    let si = SignerInfoBuilder::new(&signer, sid, sha256.clone(), &eci, Some(&digest))
        .expect("signer info");
    let mut sd = SignedDataBuilder::new(&eci);
    sd.add_digest_algorithm(sha256).expect("alg");
    sd.add_certificate(CertificateChoices::Certificate(cert))
        .expect("cert");
    sd.add_signer_info::<_, rsa::pkcs1v15::Signature>(si)
        .expect("sign");
    let mut der = sd.build().expect("build").to_der().expect("der");
    if tamper {
        // The RSA signature value is the last element of the DER (no unsigned attributes).
        let last = der.len() - 1;
        der[last] ^= 0x01;
    }
    let mut out = signed.to_vec();
    let hex: String = der.iter().map(|x| format!("{x:02X}")).collect();
    assert!(hex.len() <= b - a - 2, "RSA CMS fits the reservation");
    out[a + 1..b - 1].fill(b'0');
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

fn spki_sha256() -> x509_cert::spki::AlgorithmIdentifierOwned {
    x509_cert::spki::AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    }
}

#[test]
fn checks_rsa_signatures_too() {
    let original = make_pdf(1000);
    let signed = signed_pdf(&original, true); // B-T reserves room for a bigger CMS
    let rsa_signed = resign_with_rsa(&signed, false);
    let info = verify_signed_pdf(&original, &rsa_signed).expect("RSA signature accepted");
    assert_eq!(
        info.signature_check,
        SignatureCheck::Verified("RSA PKCS#1 v1.5")
    );
    assert_eq!(
        info.signer_common_name.as_deref(),
        Some("Empresa Exemplo RSA Seal")
    );
    assert!(!info.has_timestamp);
    assert_eq!(
        verify_signed_pdf(&original, &resign_with_rsa(&signed, true)),
        Err(VerifyError::SignatureInvalid)
    );
}
