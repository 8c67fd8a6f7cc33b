//! PAdES outputs checked by independent verifiers: pdfsig (poppler), qpdf and pyHanko.
//! All three must be installed; a missing one fails the test. pyHanko is found via the
//! PYHANKO env var, else `<workspace>/.tools/venv/bin/pyhanko`.

mod support;

use signstash_sandbox::pades::{sign_pdf, PadesError, PadesRequest, VisibleBox};
use support::*;

fn req(timestamp: bool, visible: Option<VisibleBox>) -> PadesRequest<'static> {
    PadesRequest {
        reason: Some("Fatura emitida"),
        location: Some("Lisboa"),
        timestamp,
        visible,
        signing_time: time::OffsetDateTime::now_utc(),
    }
}

fn visible_box(page: u32) -> VisibleBox {
    VisibleBox {
        page,
        x: 320.0,
        y: 40.0,
        width: 230.0,
        height: 64.0,
        lines: vec![
            "Assinado digitalmente por".into(),
            "Sign'Stash Sandbox Signer".into(),
            "Data: 2025-03-14 10:20 (Lisboa)".into(),
        ],
        font_size: 8.0,
        background: Some([236, 242, 255]),
    }
}

/// Signs `input` in every mode and checks each output with all verifiers.
fn check_all_modes(name: &str, input: &[u8], last_page: u32, earlier_sigs: usize) {
    let modes: [(&str, bool, Option<VisibleBox>); 5] = [
        ("bb-invisible", false, None),
        ("bb-visible-p1", false, Some(visible_box(1))),
        ("bb-visible-last", false, Some(visible_box(last_page))),
        ("bt-invisible", true, None),
        ("bt-visible", true, Some(visible_box(last_page))),
    ];
    for (mode, ts, vis) in modes {
        let out =
            sign_pdf(input, pki(), &req(ts, vis)).unwrap_or_else(|e| panic!("{name} {mode}: {e}"));
        assert!(
            out.starts_with(input),
            "{name} {mode}: original bytes must be kept"
        );
        let path = write(&format!("{name}-{mode}.pdf"), &out);
        assert_pdfsig(&path, earlier_sigs + 1);
        assert_qpdf_check(&path);
        assert_pyhanko(&path, earlier_sigs + 1, ts);
    }
}

#[test]
fn classic_xref_one_page_all_modes() {
    check_all_modes("classic", &simple_pdf(), 1, 0);
}

#[test]
fn object_streams_and_xref_stream_all_modes() {
    let input = qpdf_objstm(&simple_pdf(), "objstm-input");
    let has = |pat: &[u8]| input.windows(pat.len()).any(|w| w == pat);
    assert!(
        has(b"/Type /XRef") && has(b"/Type /ObjStm"),
        "qpdf must make an xref stream + object streams"
    );
    check_all_modes("objstm", &input, 1, 0);
}

#[test]
fn three_pages_all_modes() {
    let input = make_pdf(&GenOpts {
        pages: 3,
        ..Default::default()
    });
    check_all_modes("three-pages", &input, 3, 0);
}

#[test]
fn already_signed_keeps_earlier_signatures_valid() {
    for (name, input) in [
        ("signed-classic", simple_pdf()),
        (
            "signed-objstm",
            qpdf_objstm(&simple_pdf(), "signed-objstm-input"),
        ),
    ] {
        let once =
            sign_pdf(&input, pki(), &req(false, Some(visible_box(1)))).expect("first signature");
        let twice = sign_pdf(&once, pki(), &req(true, None)).expect("second signature");
        let thrice =
            sign_pdf(&twice, pki(), &req(false, Some(visible_box(1)))).expect("third signature");
        for (i, doc) in [once, twice, thrice].iter().enumerate() {
            let path = write(&format!("{name}-{}.pdf", i + 1), doc);
            assert_pdfsig(&path, i + 1);
            assert_qpdf_check(&path);
            assert_pyhanko(&path, i + 1, i == 1);
            let names: Vec<String> = (1..=i + 1).map(|k| format!("Signature{k}")).collect();
            let text = pdfsig_text(&path);
            for n in names {
                assert!(text.contains(&n), "unique field names expected:\n{text}");
            }
        }
    }
}

#[test]
fn portuguese_reason_and_location_survive() {
    let reason = "Aprovação da faturação — nº 12";
    let location = "São João da Madeira, Portugal";
    let request = PadesRequest {
        reason: Some(reason),
        location: Some(location),
        timestamp: false,
        visible: Some(VisibleBox {
            lines: vec!["Localização: São João".into(), "Razão: Aprovação".into()],
            ..visible_box(1)
        }),
        signing_time: time::OffsetDateTime::now_utc(),
    };
    let out = sign_pdf(&simple_pdf(), pki(), &request).expect("sign");
    let path = write("portuguese.pdf", &out);
    assert_pdfsig(&path, 1);
    assert_qpdf_check(&path);
    assert_pyhanko(&path, 1, false);
    // Read the strings back with an independent parser (lopdf) and decode them.
    let doc = lopdf::Document::load_mem(&out).expect("reload");
    let sig = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .find(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Sig"))
        .expect("sig dict");
    let text = |k: &[u8]| lopdf::decode_text_string(sig.get(k).expect("key")).expect("text string");
    assert_eq!(text(b"Reason"), reason);
    assert_eq!(text(b"Location"), location);
}

#[test]
fn direct_acroform_indirect_annots_junk_and_trailing_bytes() {
    // Direct AcroForm with an existing (non-signature) field, /Annots as an indirect array.
    let first = first_extra_id(1);
    let input = make_pdf(&GenOpts {
        pages: 1,
        catalog_extra: format!("/AcroForm << /Fields [{} 0 R] /DA (/Helv 0 Tf 0 g) >>", first + 1),
        page_extra: format!("/Annots {first} 0 R"),
        extra_objects: vec![
            format!("[{} 0 R]", first + 1),
            format!(
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Signature1) /V (x) /Rect [50 50 150 70] /P 4 0 R /F 4 >>"
            ),
        ],
        ..Default::default()
    });
    let out = sign_pdf(&input, pki(), &req(true, Some(visible_box(1)))).expect("sign");
    let path = write("direct-acroform.pdf", &out);
    assert_pdfsig(&path, 1);
    assert_qpdf_check(&path);
    assert_pyhanko(&path, 1, true);
    assert!(
        pdfsig_text(&path).contains("Signature2"),
        "name must avoid the existing field"
    );

    // Trailing garbage after %%EOF is kept; the new section is appended after it.
    let mut trailing = simple_pdf();
    trailing.extend_from_slice(b"\r\n\r\n   \x00\x00 some trailing junk");
    let out = sign_pdf(&trailing, pki(), &req(false, None)).expect("sign trailing");
    let path = write("trailing-bytes.pdf", &out);
    assert_pdfsig(&path, 1);
    assert_pyhanko(&path, 1, false);

    // Junk before the header: pdfsig and qpdf accept it (pyHanko refuses such files at all).
    let mut junk = b"\xEF\xBB\xBFJUNK\n".to_vec();
    junk.extend_from_slice(&simple_pdf());
    let out = sign_pdf(&junk, pki(), &req(false, None)).expect("sign junk-prefixed");
    let path = write("junk-before-header.pdf", &out);
    assert_pdfsig(&path, 1);
    assert_qpdf_check(&path);
}

#[test]
fn flipped_byte_in_signed_range_is_detected() {
    let out = sign_pdf(&simple_pdf(), pki(), &req(false, None)).expect("sign");
    let mut bad = out.clone();
    // Inside the page content stream (first range), same length, so offsets still work.
    let pos = bad
        .windows(6)
        .position(|w| w == b"Fatura")
        .expect("content text");
    bad[pos] = b'X';
    let path = write("flipped.pdf", &bad);
    let text = pdfsig_text(&path);
    assert!(text.contains("Signature #1"), "{text}");
    assert!(
        !text.contains("Signature is Valid"),
        "tampering not detected:\n{text}"
    );
}

#[test]
fn bad_inputs_give_clear_errors() {
    let r = req(false, None);
    let err = |bytes: &[u8]| sign_pdf(bytes, pki(), &r).expect_err("must fail");
    assert!(matches!(err(b""), PadesError::NotPdf));
    assert!(matches!(
        err(b"\x89PNG\r\n\x1a\n not a pdf at all"),
        PadesError::NotPdf
    ));
    assert!(matches!(
        err(b"%PDF-1.7\n garbage without structure"),
        PadesError::Damaged(_)
    ));
    let pdf = simple_pdf();
    for cut in [20, pdf.len() / 2, pdf.len() - 30] {
        assert!(
            matches!(err(&pdf[..cut]), PadesError::Damaged(_)),
            "truncated at {cut}"
        );
    }
    // Every prefix and some corruptions: an error or a result, never a panic.
    for cut in (0..pdf.len()).step_by(7) {
        let _ = sign_pdf(&pdf[..cut], pki(), &r);
    }
    for i in (0..pdf.len()).step_by(5) {
        let mut m = pdf.clone();
        m[i] = b'(';
        let _ = sign_pdf(&m, pki(), &r);
    }

    let enc = qpdf_encrypt(&pdf, "encrypted-user", "secret");
    assert!(matches!(err(&enc), PadesError::Encrypted), "user password");
    let enc = qpdf_encrypt(&pdf, "encrypted-owner", "");
    assert!(
        matches!(err(&enc), PadesError::Encrypted),
        "owner-only password"
    );

    let out_of_range = req(false, Some(visible_box(2)));
    match sign_pdf(&pdf, pki(), &out_of_range) {
        Err(PadesError::PageOutOfRange { page: 2, pages: 1 }) => {}
        other => panic!("expected PageOutOfRange, got {other:?}"),
    }

    // Certified with DocMDP P=1: refused. P=2: signed, but the field is made invisible.
    for (p, refused) in [(1, true), (2, false)] {
        let first = first_extra_id(1);
        let certified = make_pdf(&GenOpts {
            pages: 1,
            catalog_extra: format!("/Perms << /DocMDP {first} 0 R >>"),
            extra_objects: vec![format!(
                "<< /Type /Sig /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P {p} /V /1.2 >> >>] >>"
            )],
            ..Default::default()
        });
        let res = sign_pdf(&certified, pki(), &req(false, Some(visible_box(1))));
        if refused {
            assert!(
                matches!(res, Err(PadesError::CertifiedNoChangesAllowed)),
                "{res:?}"
            );
        } else {
            let out = res.expect("P=2 signs");
            let tail = String::from_utf8_lossy(&out[certified.len()..]).to_string();
            assert!(
                tail.contains("/Rect [0 0 0 0]"),
                "certified doc must get an invisible field"
            );
        }
    }
}

#[test]
fn deeply_nested_objects_do_not_crash() {
    for depth in [1_000usize, 100_000] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let dict = format!("{}{}", "<< /A ".repeat(depth), ">> ".repeat(depth));
        for obj in [deep, dict] {
            let input = make_pdf(&GenOpts {
                pages: 1,
                extra_objects: vec![obj],
                ..Default::default()
            });
            let _ = sign_pdf(&input, pki(), &req(false, None));
        }
    }
}
