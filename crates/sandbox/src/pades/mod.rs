//! PAdES B-B / B-T signing of PDFs by incremental update.
//!
//! lopdf is used only to read and find things; every object that changes is copied as
//! raw bytes and spliced, and the appended section is written by hand, so earlier
//! signatures stay valid (see /work/shared/notes/pades-in-rust.md).

mod appearance;
pub(crate) mod cms;
mod lexer;
mod source;
mod writer;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::pki::Pki;
use lexer::{array_close, dict_entries, find, parse_ref, LexError};
use source::Source;
use writer::{NewObject, BYTE_RANGE_PLACEHOLDER};

pub use appearance::SANDBOX_MARK;

/// What to sign and how.
#[derive(Debug, Clone)]
pub struct PadesRequest<'a> {
    pub reason: Option<&'a str>,
    pub location: Option<&'a str>,
    /// B-T: add an RFC 3161 signature timestamp from the sandbox TSA.
    pub timestamp: bool,
    /// `None`: invisible signature.
    pub visible: Option<VisibleBox>,
    /// Claimed signing time, written as /M.
    pub signing_time: time::OffsetDateTime,
}

/// A visible signature box, in PDF user space (points) relative to the bottom-left
/// corner of the page's CropBox (or MediaBox).
#[derive(Debug, Clone)]
pub struct VisibleBox {
    /// 1-based page number.
    pub page: u32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// Text already expanded, one entry per line; the sandbox mark is added after them.
    pub lines: Vec<String>,
    pub font_size: f32,
    /// `None` = transparent.
    pub background: Option<[u8; 3]>,
}

#[derive(Debug, thiserror::Error)]
pub enum PadesError {
    #[error("the document is not a PDF file")]
    NotPdf,
    #[error("the PDF is encrypted or password-protected; remove the protection before signing")]
    Encrypted,
    #[error("the PDF is damaged and cannot be signed safely: {0}")]
    Damaged(String),
    #[error(
        "the PDF is certified with 'no changes allowed', so it cannot receive another signature"
    )]
    CertifiedNoChangesAllowed,
    #[error("the visible signature is on page {page} but the document has {pages} page(s)")]
    PageOutOfRange { page: u32, pages: usize },
    #[error("the visible signature area is invalid: {0}")]
    InvalidVisibleBox(String),
    #[error("the PDF is too large to be signed (over 4 GB)")]
    InputTooLarge,
    #[error("the signature did not fit in the space reserved for it in the PDF")]
    SignatureTooLarge,
    #[error("internal signing error: {0}")]
    Internal(String),
}

impl From<LexError> for PadesError {
    fn from(e: LexError) -> Self {
        PadesError::Damaged(e.0.to_string())
    }
}

impl From<cms::CmsError> for PadesError {
    fn from(e: cms::CmsError) -> Self {
        PadesError::Internal(e.0)
    }
}

/// Signs `input` with the sandbox signer and returns the whole signed PDF.
/// Safe to call from many threads at once; never panics on hostile input.
pub fn sign_pdf(input: &[u8], pki: &Pki, req: &PadesRequest) -> Result<Vec<u8>, PadesError> {
    let src = Source::open(input)?;
    let catalog_id = src.catalog_id()?;
    let docmdp = src.docmdp_level();
    if docmdp == Some(1) {
        return Err(PadesError::CertifiedNoChangesAllowed);
    }
    let pages = src.pages()?;
    let first_page = *pages
        .first()
        .ok_or_else(|| PadesError::Damaged("it has no pages".into()))?;
    let mut visible = None;
    if let Some(v) = &req.visible {
        let page = usize::try_from(v.page).unwrap_or(usize::MAX);
        if page == 0 || page > pages.len() {
            return Err(PadesError::PageOutOfRange {
                page: v.page,
                pages: pages.len(),
            });
        }
        let ok = |f: f32| f.is_finite() && f.abs() < 1.0e6;
        if !(ok(v.x) && ok(v.y) && ok(v.width) && ok(v.height)) || v.width < 1.0 || v.height < 1.0 {
            return Err(PadesError::InvalidVisibleBox(
                "position and size must be finite and at least 1 point wide and high".into(),
            ));
        }
        // A new visible field after a certification signature is an illegal change for
        // pyHanko's policy (notes §5.9), so certified documents get an invisible one.
        if docmdp.is_none() {
            visible = Some((v, pages[page - 1]));
        }
    }
    let page_id = visible.map_or(first_page, |(_, p)| p);

    let first_new = src.next_free_number()?;
    let (sig_id, widget_id, ap_id) = (first_new, first_new + 1, first_new + 2);
    let mut next_free = first_new + 3;
    let widget_ref = format!("{widget_id} 0 R");

    let mut edits = Edits::default();
    add_to_annots(&src, &mut edits, page_id.0, &widget_ref)?;
    let mut objects = Vec::with_capacity(8);
    if let Some(acroform) = add_to_acroform(&src, &mut edits, catalog_id.0, &widget_ref, next_free)?
    {
        objects.push(NewObject {
            id: next_free,
            gen: 0,
            body: acroform,
        });
        next_free += 1;
    }

    // Signature dictionary; /ByteRange and /Contents come first so they are found first.
    let reserve = contents_reserve(pki, req.timestamp);
    let mut sig = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange {BYTE_RANGE_PLACEHOLDER} /Contents <"
    )
    .into_bytes();
    sig.resize(sig.len() + 2 * reserve, b'0');
    let mut tail = format!("> /M {}", appearance::pdf_date(req.signing_time));
    if let Some(r) = req.reason {
        let _ = write!(tail, " /Reason {}", appearance::text_string(r));
    }
    if let Some(l) = req.location {
        let _ = write!(tail, " /Location {}", appearance::text_string(l));
    }
    tail.push_str(" >>");
    sig.extend_from_slice(tail.as_bytes());
    objects.push(NewObject {
        id: sig_id,
        gen: 0,
        body: sig,
    });

    let names = src.root_field_names();
    let name = (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !names.contains(n))
        .unwrap_or_else(|| "Signature".into());
    let (rect, ap) = match visible {
        Some((v, pid)) => {
            let (ox, oy) = src.page_origin(pid);
            let (x, y) = (v.x + ox, v.y + oy);
            let n = appearance::num;
            let rect = format!("{} {} {} {}", n(x), n(y), n(x + v.width), n(y + v.height));
            let content = appearance::visible_content(v);
            (rect, appearance::xobject(v.width, v.height, &content, true))
        }
        None => (
            "0 0 0 0".to_string(),
            appearance::xobject(0.0, 0.0, b"", false),
        ),
    };
    let widget = format!(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T {} /V {sig_id} 0 R /F 132 /P {} {} R /Rect [{rect}] /AP << /N {ap_id} 0 R >> >>",
        appearance::text_string(&name),
        page_id.0,
        page_id.1
    );
    objects.push(NewObject {
        id: widget_id,
        gen: 0,
        body: widget.into_bytes(),
    });
    objects.push(NewObject {
        id: ap_id,
        gen: 0,
        body: ap,
    });
    objects.extend(edits.finish());

    let written = writer::write_update(&src, &objects, sig_id, next_free)?;
    drop(src);
    let mut out = written.out;

    // ByteRange: everything except the /Contents hex string, from `<` to after `>`.
    let a = written.contents;
    let b = a + 2 + 2 * reserve;
    let c = out
        .len()
        .checked_sub(b)
        .ok_or_else(|| PadesError::Internal("bad signature placeholder".into()))?;
    if out.get(b - 1) != Some(&b'>') {
        return Err(PadesError::Internal(
            "signature placeholder misplaced".into(),
        ));
    }
    let mut br = format!("[0 {a} {b} {c}");
    if br.len() >= BYTE_RANGE_PLACEHOLDER.len() {
        return Err(PadesError::InputTooLarge);
    }
    while br.len() < BYTE_RANGE_PLACEHOLDER.len() - 1 {
        br.push(' ');
    }
    br.push(']');
    out[written.byte_range..written.byte_range + br.len()].copy_from_slice(br.as_bytes());

    // Hash the two ranges in place: no concatenated copy of a possibly huge file.
    let mut h = Sha256::new();
    h.update(&out[..a]);
    h.update(&out[b..]);
    let digest: [u8; 32] = h.finalize().into();

    let cms_der = build_cms(&digest, pki, req.timestamp)?;
    if cms_der.len() > reserve {
        tracing::error!(
            needed = cms_der.len(),
            reserve,
            "CMS larger than its reservation"
        );
        return Err(PadesError::SignatureTooLarge);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, byte) in cms_der.iter().enumerate() {
        out[a + 1 + 2 * i] = HEX[usize::from(byte >> 4)];
        out[a + 2 + 2 * i] = HEX[usize::from(byte & 15)];
    }
    Ok(out)
}

fn build_cms(digest: &[u8; 32], pki: &Pki, timestamp: bool) -> Result<Vec<u8>, PadesError> {
    let ci = cms::sign(&pki.signer, &[&pki.ca], cms::Content::Detached { digest })?;
    let ci = if timestamp {
        cms::add_signature_timestamp(ci, |imprint| {
            crate::tsa::timestamp_token(imprint, pki).map_err(|e| cms::CmsError(e.to_string()))
        })?
    } else {
        ci
    };
    Ok(cms::to_der(&ci)?)
}

/// Bytes reserved for the CMS. Measured: P-256 B-B ≈ certs + 500, B-T adds ≈ TSA cert +
/// 1,100; we reserve about 500 more each, and `sign_pdf` fails loudly if it is exceeded.
pub(crate) fn contents_reserve(pki: &Pki, timestamp: bool) -> usize {
    let mut n = pki.signer.cert_der.len() + pki.ca.cert_der.len() + 1024;
    if timestamp {
        n += pki.tsa.cert_der.len() + 1536;
    }
    n
}

/// (position, bytes to delete, text to insert), relative to the original bytes.
type Splice = (usize, usize, String);

struct EditedObject {
    gen: u16,
    bytes: Vec<u8>,
    splices: Vec<Splice>,
}

/// Raw-byte edits of existing objects, grouped per object and applied in one pass.
#[derive(Default)]
struct Edits {
    objects: BTreeMap<u32, EditedObject>,
}

impl Edits {
    fn load<'e>(&'e mut self, src: &Source<'_>, id: u32) -> Result<&'e [u8], PadesError> {
        if let std::collections::btree_map::Entry::Vacant(slot) = self.objects.entry(id) {
            let raw = src.raw_object(id)?;
            slot.insert(EditedObject {
                gen: raw.gen,
                bytes: raw.bytes,
                splices: Vec::new(),
            });
        }
        self.objects
            .get(&id)
            .map(|o| o.bytes.as_slice())
            .ok_or_else(|| PadesError::Internal("edit bookkeeping".into()))
    }

    /// Replaces `del` bytes at `pos` of object `id` (already loaded) by `ins`.
    fn splice(&mut self, id: u32, pos: usize, del: usize, ins: String) {
        if let Some(o) = self.objects.get_mut(&id) {
            o.splices.push((pos, del, ins));
        }
    }

    fn finish(self) -> Vec<NewObject> {
        self.objects
            .into_iter()
            .map(|(id, o)| {
                let EditedObject {
                    gen,
                    bytes,
                    mut splices,
                } = o;
                // Back to front, so earlier positions stay valid; stable for equal positions.
                splices.sort_by_key(|s| std::cmp::Reverse(s.0));
                let mut body = bytes;
                for (pos, del, ins) in splices {
                    body.splice(pos..pos + del, ins.into_bytes());
                }
                NewObject { id, gen, body }
            })
            .collect()
    }
}

/// Adds `item` to the array that `entry` names inside object `holder`: a direct array,
/// an indirect array object, or (absent / not an array) a new `[item]`.
fn add_to_array(
    src: &Source<'_>,
    edits: &mut Edits,
    holder: u32,
    key: &str,
    dict_pos: usize,
    item: &str,
) -> Result<(), PadesError> {
    let bytes = edits.load(src, holder)?.to_vec();
    let (entries, close) = dict_entries(&bytes, dict_pos)?;
    match find(&entries, key.as_bytes()) {
        None => edits.splice(holder, close, 0, format!(" /{key} [{item}] ")),
        Some(e) if bytes.get(e.value_start) == Some(&b'[') => {
            let end = array_close(&bytes, e.value_start)?;
            edits.splice(holder, end, 0, format!(" {item}"));
        }
        Some(e) => match parse_ref(&bytes[e.value_start..e.value_end]) {
            Some((n, _)) if n != holder => {
                let arr = edits.load(src, n)?.to_vec();
                if arr.first() != Some(&b'[') {
                    return Err(PadesError::Damaged(format!("/{key} is not an array")));
                }
                let end = array_close(&arr, 0)?;
                edits.splice(n, end, 0, format!(" {item}"));
            }
            _ => {
                let (s, len) = (e.value_start, e.value_end - e.value_start);
                edits.splice(holder, s, len, format!("[{item}]"));
            }
        },
    }
    Ok(())
}

fn add_to_annots(
    src: &Source<'_>,
    edits: &mut Edits,
    page: u32,
    widget: &str,
) -> Result<(), PadesError> {
    add_to_array(src, edits, page, "Annots", 0, widget)
}

/// Registers the widget in the AcroForm. Returns the body of a new AcroForm object (to be
/// numbered `new_id`) when the catalog has none.
fn add_to_acroform(
    src: &Source<'_>,
    edits: &mut Edits,
    catalog: u32,
    widget: &str,
    new_id: u32,
) -> Result<Option<Vec<u8>>, PadesError> {
    let bytes = edits.load(src, catalog)?.to_vec();
    let (entries, close) = dict_entries(&bytes, 0)?;
    let fresh = format!("<< /Fields [{widget}] /SigFlags 3 >>").into_bytes();
    let (holder, pos) = match find(&entries, b"AcroForm") {
        None => {
            edits.splice(catalog, close, 0, format!(" /AcroForm {new_id} 0 R "));
            return Ok(Some(fresh));
        }
        Some(e) if bytes.get(e.value_start..e.value_start + 2) == Some(b"<<") => {
            (catalog, e.value_start)
        }
        Some(e) => match parse_ref(&bytes[e.value_start..e.value_end]) {
            Some((n, _)) if n != catalog && edits.load(src, n)?.starts_with(b"<<") => (n, 0),
            _ => {
                let (s, len) = (e.value_start, e.value_end - e.value_start);
                edits.splice(catalog, s, len, format!("{new_id} 0 R"));
                return Ok(Some(fresh));
            }
        },
    };
    add_to_array(src, edits, holder, "Fields", pos, widget)?;
    // /SigFlags 3 (SignaturesExist | AppendOnly): add it, or replace another value.
    let bytes = edits.load(src, holder)?.to_vec();
    let (entries, close) = dict_entries(&bytes, pos)?;
    match find(&entries, b"SigFlags") {
        None => edits.splice(holder, close, 0, " /SigFlags 3 ".into()),
        Some(e) if &bytes[e.value_start..e.value_end] != b"3" => {
            let (s, len) = (e.value_start, e.value_end - e.value_start);
            edits.splice(holder, s, len, "3".into());
        }
        Some(_) => {}
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cms_fits_its_reservation_with_margin() {
        let dir = std::env::temp_dir().join(format!("signstash-cms-size-{}", std::process::id()));
        let pki = Pki::load_or_create(&dir).expect("pki");
        for ts in [false, true] {
            let der = build_cms(&[7u8; 32], &pki, ts).expect("cms");
            let reserve = contents_reserve(&pki, ts);
            println!(
                "timestamp={ts}: CMS {} bytes, reserved {reserve}",
                der.len()
            );
            assert!(
                der.len() + 400 <= reserve,
                "margin too small: {} vs {reserve}",
                der.len()
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
