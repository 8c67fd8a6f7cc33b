//! Writes the incremental update: the original bytes untouched, then our objects, a new
//! xref section of the same kind as the previous one, the trailer and `%%EOF`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use lopdf::Object;
use memchr::memmem;
use sha2::{Digest, Sha256};

use super::source::{Source, XrefKind};
use super::PadesError;

/// Width of the ByteRange placeholder `[0 a b c]`, patched in place and space padded.
pub(crate) const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

static ID_COUNTER: AtomicU64 = AtomicU64::new(0);

pub(crate) struct NewObject {
    pub id: u32,
    pub gen: u16,
    /// The value (dictionary, array or dictionary + stream), without `obj`/`endobj`.
    pub body: Vec<u8>,
}

/// Where the signature dictionary's placeholders ended up in the output.
pub(crate) struct Written {
    pub out: Vec<u8>,
    /// Index of the ByteRange placeholder's `[`.
    pub byte_range: usize,
    /// Index of the `<` opening /Contents.
    pub contents: usize,
}

/// Appends `objects` (the signature dictionary is `sig_id`) and the xref/trailer to a copy
/// of the input, in one buffer preallocated to the final size.
pub(crate) fn write_update(
    src: &Source<'_>,
    objects: &[NewObject],
    sig_id: u32,
    next_free: u32,
) -> Result<Written, PadesError> {
    let input = src.buf;
    let extra: usize = objects.iter().map(|o| o.body.len() + 40).sum::<usize>() + 1024;
    let mut out = Vec::with_capacity(input.len() + extra + objects.len() * 20);
    out.extend_from_slice(input);
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }

    let rel = |abs: usize| abs.checked_sub(src.header);
    let mut entries: Vec<(u32, u16, usize)> = Vec::with_capacity(objects.len() + 1);
    let mut sig_range = None;
    for o in objects {
        let offset = rel(out.len()).ok_or(PadesError::Internal("offset".into()))?;
        entries.push((o.id, o.gen, offset));
        let start = out.len();
        let _ = writeln!(Bytes(&mut out), "{} {} obj", o.id, o.gen);
        out.extend_from_slice(&o.body);
        out.extend_from_slice(b"\nendobj\n");
        if o.id == sig_id {
            sig_range = Some(start..out.len());
        }
    }
    let sig_range = sig_range.ok_or(PadesError::Internal("signature object missing".into()))?;
    let find = |pat: &[u8]| {
        memmem::find(&out[sig_range.clone()], pat).map(|i| sig_range.start + i + pat.len() - 1)
    };
    let byte_range = find(b"/ByteRange [").ok_or(PadesError::Internal("no ByteRange".into()))?;
    let contents = find(b"/Contents <").ok_or(PadesError::Internal("no Contents".into()))?;

    let trailer = trailer_entries(src)?;
    let xref_offset = rel(out.len()).ok_or(PadesError::Internal("offset".into()))?;
    match src.kind {
        XrefKind::Table => {
            entries.sort_unstable();
            let size = next_free;
            out.extend_from_slice(b"xref\n");
            for run in runs(&entries) {
                let _ = writeln!(Bytes(&mut out), "{} {}", run[0].0, run.len());
                for (_, gen, off) in run {
                    let _ = write!(Bytes(&mut out), "{off:010} {gen:05} n\r\n");
                }
            }
            let _ = write!(
                Bytes(&mut out),
                "trailer\n<< /Size {size}{trailer} /Prev {} >>\n",
                src.prev
            );
        }
        XrefKind::Stream => {
            // The xref stream lists itself, as the last object number.
            let xref_id = next_free;
            entries.push((xref_id, 0, xref_offset));
            entries.sort_unstable();
            let mut index = String::new();
            let mut rows = Vec::with_capacity(entries.len() * 7);
            for run in runs(&entries) {
                let _ = write!(index, "{} {} ", run[0].0, run.len());
                for (_, gen, off) in run {
                    let off = u32::try_from(*off).map_err(|_| PadesError::InputTooLarge)?;
                    rows.push(1u8);
                    rows.extend_from_slice(&off.to_be_bytes());
                    rows.extend_from_slice(&gen.to_be_bytes());
                }
            }
            let _ = write!(
                Bytes(&mut out),
                "{xref_id} 0 obj\n<< /Type /XRef /Size {} /W [1 4 2] /Index [{}]{trailer} /Prev {} /Length {} >>\nstream\n",
                xref_id + 1,
                index.trim_end(),
                src.prev,
                rows.len()
            );
            out.extend_from_slice(&rows);
            out.extend_from_slice(b"\nendstream\nendobj\n");
        }
    }
    let _ = write!(Bytes(&mut out), "startxref\n{xref_offset}\n%%EOF\n");
    Ok(Written {
        out,
        byte_range,
        contents,
    })
}

/// `/Root`, `/Info` and `/ID` for the new trailer (with a fresh second /ID element).
fn trailer_entries(src: &Source<'_>) -> Result<String, PadesError> {
    let t = &src.doc.trailer;
    let (rn, rg) = src.catalog_id()?;
    let mut s = format!(" /Root {rn} {rg} R");
    if let Ok((n, g)) = t.get(b"Info").and_then(Object::as_reference) {
        let _ = write!(s, " /Info {n} {g} R");
    }
    let id0 = match t.get(b"ID").and_then(Object::as_array) {
        Ok(arr) => match arr.first() {
            Some(Object::String(b, _)) => Some(b.clone()),
            _ => None,
        },
        Err(_) => None,
    };
    let mut h = Sha256::new();
    h.update(id0.as_deref().unwrap_or_default());
    h.update(src.buf.len().to_be_bytes());
    h.update(ID_COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.update(nanos.to_be_bytes());
    let new_id = hex(&h.finalize()[..16]);
    let first = id0.as_deref().map(hex).unwrap_or_else(|| new_id.clone());
    let _ = write!(s, " /ID [<{first}> <{new_id}>]");
    Ok(s)
}

pub(crate) fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02X}");
    }
    s
}

/// Splits sorted entries into runs of consecutive object numbers (xref subsections).
fn runs(entries: &[(u32, u16, usize)]) -> Vec<&[(u32, u16, usize)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[i - 1].0 + 1 {
            out.push(&entries[start..i]);
            start = i;
        }
    }
    out
}

/// `fmt::Write` adapter over a byte vector (ASCII only is written through it).
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}
