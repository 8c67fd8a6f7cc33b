//! XAdES verify-before-save, structural only: the returned XML parses (no DTD), has the
//! same root element as the original, and carries a new `ds:Signature` with a non-empty
//! SignatureValue and at least one Reference digest. Checking the XML-DSig digests would
//! need exclusive canonicalisation, which the core (pure Rust, light) does not have.

use roxmltree::{Document, Node, ParsingOptions};

use super::VerifyError;

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Cap on parsed nodes: far above any invoice, bounds memory on hostile input.
const NODES_LIMIT: u32 = 5_000_000;

/// Checks that `signed` is `original` with a new XML signature (see the module doc).
pub fn verify_signed_xml(original: &[u8], signed: &[u8]) -> Result<(), VerifyError> {
    if signed.is_empty() {
        return Err(VerifyError::Empty);
    }
    let original_text = decode(original).map_err(VerifyError::OriginalNotXml)?;
    let original_doc = parse(&original_text).map_err(|e| match e {
        VerifyError::NotXml(m) => VerifyError::OriginalNotXml(m),
        VerifyError::DtdRefused => VerifyError::OriginalNotXml("it declares a DTD".into()),
        other => other,
    })?;
    let signed_text = decode(signed).map_err(VerifyError::NotXml)?;
    let signed_doc = parse(&signed_text)?;

    let (want, got) = (original_doc.root_element(), signed_doc.root_element());
    if want.tag_name() != got.tag_name() {
        return Err(VerifyError::DifferentDocument {
            expected: display_name(want),
            found: display_name(got),
        });
    }
    let before = signatures(&original_doc).count();
    let sigs: Vec<Node> = signatures(&signed_doc).collect();
    if sigs.len() <= before {
        return Err(VerifyError::NoSignature);
    }
    // At least one signature must be complete; a new one is always complete when made by
    // xmlsec, so "any" instead of "the new one" avoids guessing which one is new.
    let mut last_err = VerifyError::EmptySignatureValue;
    for sig in sigs {
        match check_signature(sig) {
            Ok(()) => return Ok(()),
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

fn check_signature(sig: Node) -> Result<(), VerifyError> {
    let value = ds_child(sig, "SignatureValue").ok_or(VerifyError::EmptySignatureValue)?;
    if text_of(value).trim().is_empty() {
        return Err(VerifyError::EmptySignatureValue);
    }
    let signed_info = ds_child(sig, "SignedInfo")
        .ok_or_else(|| VerifyError::NotXml("the signature has no SignedInfo".into()))?;
    let has_digest = signed_info
        .children()
        .filter(|n| is_ds(*n, "Reference"))
        .filter_map(|r| ds_child(r, "DigestValue"))
        .any(|d| !text_of(d).trim().is_empty());
    if !has_digest {
        return Err(VerifyError::NotXml(
            "the signature references nothing (no DigestValue)".into(),
        ));
    }
    Ok(())
}

fn signatures<'a, 'i>(doc: &'a Document<'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    doc.descendants().filter(|n| is_ds(*n, "Signature"))
}

fn is_ds(n: Node, local: &str) -> bool {
    n.is_element() && n.tag_name().name() == local && n.tag_name().namespace() == Some(DSIG_NS)
}

fn ds_child<'a, 'i>(n: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is_ds(*c, local))
}

fn text_of(n: Node) -> String {
    n.descendants().filter_map(|d| d.text()).collect()
}

fn display_name(n: Node) -> String {
    match n.tag_name().namespace() {
        Some(ns) => format!("{} xmlns=\"{ns}\"", n.tag_name().name()),
        None => n.tag_name().name().to_owned(),
    }
}

fn parse(text: &str) -> Result<Document<'_>, VerifyError> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => VerifyError::DtdRefused,
        e => VerifyError::NotXml(e.to_string()),
    })
}

/// Text of an XML document in UTF-8 (with or without BOM), UTF-16 (BOM) or a single-byte
/// encoding named in the declaration (ISO-8859-1/15, Windows-1252: decoded as Latin-1,
/// which is exact for every markup character and enough for a structural check).
fn decode(b: &[u8]) -> Result<String, String> {
    if let Some(rest) = b.strip_prefix(b"\xef\xbb\xbf") {
        return String::from_utf8(rest.to_vec()).map_err(|_| "invalid UTF-8".into());
    }
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        let units = rest.chunks_exact(2).map(|c| unit([c[0], c[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| "invalid UTF-16".to_owned())
    };
    if let Some(rest) = b.strip_prefix(b"\xff\xfe") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = b.strip_prefix(b"\xfe\xff") {
        return utf16(rest, u16::from_be_bytes);
    }
    if let Ok(s) = std::str::from_utf8(b) {
        return Ok(s.to_owned());
    }
    let decl_end = memchr::memmem::find(&b[..b.len().min(256)], b"?>").unwrap_or(0);
    let decl = String::from_utf8_lossy(&b[..decl_end]).to_ascii_lowercase();
    let single_byte = [
        "iso-8859-1",
        "iso-8859-15",
        "latin1",
        "windows-1252",
        "cp1252",
    ];
    if single_byte.iter().any(|e| decl.contains(e)) {
        return Ok(b.iter().map(|&c| char::from(c)).collect());
    }
    Err("it is not UTF-8 and declares no supported encoding".into())
}
