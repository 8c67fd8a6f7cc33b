//! Reading the input PDF: header, last xref section, lopdf view, raw object bytes,
//! page tree, certification (DocMDP) and existing field names.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};
use memchr::memmem;

use super::lexer::{self, parse_obj_header, skip_ws};
use super::PadesError;

/// Object numbers above this are treated as damage (PDF's own implementation limit is 8.4 M).
const MAX_OBJECT_NUMBER: u64 = 10_000_000;
/// Bounds on tree walks, so cyclic or absurd structures end quickly.
const MAX_TREE_NODES: usize = 2_000_000;
const MAX_PARENT_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XrefKind {
    Table,
    Stream,
}

pub(crate) struct Source<'a> {
    pub buf: &'a [u8],
    /// Offset of `%PDF-`; xref offsets are relative to it.
    pub header: usize,
    /// Value of the last `startxref`: the new section's `/Prev`.
    pub prev: u64,
    pub kind: XrefKind,
    pub doc: Document,
}

/// The original bytes of an object's value, for splicing.
pub(crate) struct RawObject {
    pub gen: u16,
    pub bytes: Vec<u8>,
}

fn damaged(why: impl Into<String>) -> PadesError {
    PadesError::Damaged(why.into())
}

/// lopdf filter: drop the content of ordinary streams while loading (we never read them),
/// which keeps memory near the input size for large documents. Object streams are kept.
fn drop_stream_data(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = obj {
        if !s.dict.has_type(b"ObjStm") && !s.content.is_empty() {
            s.content = vec![b' '];
        }
    }
    // lopdf keeps the mutated object for top-level objects but the returned one for objects
    // inside object streams, so return a (now cheap) copy.
    Some((id, obj.clone()))
}

impl<'a> Source<'a> {
    pub fn open(buf: &'a [u8]) -> Result<Source<'a>, PadesError> {
        let head = &buf[..buf.len().min(1024)];
        let header = memmem::find(head, b"%PDF-").ok_or(PadesError::NotPdf)?;
        let sx = memmem::rfind(buf, b"startxref").ok_or_else(|| damaged("no startxref found"))?;
        let p = skip_ws(buf, sx + 9);
        let digits = buf[p..].iter().take_while(|b| b.is_ascii_digit()).count();
        let prev = lexer::parse_uint(&buf[p..p + digits])
            .ok_or_else(|| damaged("startxref has no valid offset"))?;
        let at = usize::try_from(prev)
            .ok()
            .and_then(|o| o.checked_add(header))
            .filter(|&o| o < buf.len())
            .ok_or_else(|| damaged("startxref points outside the file"))?;
        let kind = if buf[at..].starts_with(b"xref") {
            XrefKind::Table
        } else if parse_obj_header(buf, at).is_some() {
            XrefKind::Stream
        } else {
            return Err(damaged(
                "startxref does not point at a cross-reference section",
            ));
        };

        let options = LoadOptions {
            filter: Some(drop_stream_data),
            strict: false,
            ..LoadOptions::default()
        };
        // lopdf is not built for hostile input; a panic in it must become an error.
        let loaded = catch_unwind(AssertUnwindSafe(|| {
            Document::load_mem_with_options(buf, options)
        }));
        let doc = match loaded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) => {
                if declares_encryption(buf) {
                    return Err(PadesError::Encrypted);
                }
                return Err(damaged(format!(
                    "the PDF structure could not be read ({e})"
                )));
            }
            Err(_) => return Err(damaged("the PDF structure could not be read")),
        };
        if doc.was_encrypted()
            || doc.encryption_state.is_some()
            || doc.trailer.get(b"Encrypt").is_ok()
        {
            return Err(PadesError::Encrypted);
        }
        if doc.xref_recovery.is_some() {
            return Err(damaged(
                "its cross-reference table is broken (a viewer would have to repair it)",
            ));
        }
        Ok(Source {
            buf,
            header,
            prev,
            kind,
            doc,
        })
    }

    pub fn catalog_id(&self) -> Result<ObjectId, PadesError> {
        self.doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|_| damaged("the trailer has no /Root reference"))
    }

    pub fn dict(&self, id: ObjectId) -> Result<&Dictionary, PadesError> {
        self.doc.get_dictionary(id).map_err(|_| {
            damaged(format!(
                "object {} {} is missing or not a dictionary",
                id.0, id.1
            ))
        })
    }

    /// Follows a reference (if any) to the dictionary it names.
    pub fn deref_dict<'d>(&'d self, obj: &'d Object) -> Option<&'d Dictionary> {
        self.doc.dereference(obj).ok()?.1.as_dict().ok()
    }

    /// Raw bytes of an object's value, from the file or from its object stream.
    pub fn raw_object(&self, id: u32) -> Result<RawObject, PadesError> {
        use lopdf::xref::XrefEntry;
        let missing = || damaged(format!("object {id} could not be located"));
        match self.doc.reference_table.get(id) {
            Some(XrefEntry::Normal { offset, generation }) => {
                let pos = (*offset as usize)
                    .checked_add(self.header)
                    .ok_or_else(missing)?;
                let (n, g, after) = parse_obj_header(self.buf, pos).ok_or_else(missing)?;
                if n != id || g != *generation {
                    return Err(missing());
                }
                let bytes = value_at(self.buf, after)?;
                Ok(RawObject { gen: g, bytes })
            }
            Some(XrefEntry::Compressed { container, index }) => {
                let stream = self
                    .doc
                    .get_object((*container, 0))
                    .and_then(Object::as_stream)
                    .map_err(|_| missing())?;
                let first = stream
                    .dict
                    .get(b"First")
                    .and_then(Object::as_i64)
                    .ok()
                    .and_then(|f| usize::try_from(f).ok())
                    .ok_or_else(missing)?;
                let data = stream.decompressed_content().map_err(|_| missing())?;
                let offset = objstm_offset(&data, first, id, *index).ok_or_else(missing)?;
                let start = first.checked_add(offset).ok_or_else(missing)?;
                let bytes = value_at(&data, start)?;
                Ok(RawObject { gen: 0, bytes })
            }
            _ => Err(missing()),
        }
    }

    /// First object number that is free in every sense: trailer /Size, lopdf's view and a
    /// raw scan of `N G obj` headers (catches xref streams that no xref lists).
    pub fn next_free_number(&self) -> Result<u32, PadesError> {
        let mut next = self
            .doc
            .trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(0);
        next = next.max(u64::from(self.doc.max_id) + 1);
        next = next.max(u64::from(self.doc.reference_table.max_id()) + 1);
        for hit in memmem::find_iter(self.buf, b"obj") {
            if let Some(n) = number_before_obj(self.buf, hit) {
                if n < MAX_OBJECT_NUMBER {
                    next = next.max(n + 1);
                }
            }
        }
        if next > MAX_OBJECT_NUMBER {
            return Err(damaged("it declares an impossible number of objects"));
        }
        u32::try_from(next).map_err(|_| damaged("object numbers overflow"))
    }

    /// Page object ids in document order.
    pub fn pages(&self) -> Result<Vec<ObjectId>, PadesError> {
        let catalog = self.dict(self.catalog_id()?)?;
        let root = catalog
            .get(b"Pages")
            .and_then(Object::as_reference)
            .map_err(|_| damaged("the catalog has no page tree"))?;
        let mut pages = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !seen.insert(id) || seen.len() > MAX_TREE_NODES {
                return Err(damaged("the page tree is cyclic or too large"));
            }
            let node = self.dict(id)?;
            match node.get(b"Kids").and_then(Object::as_array) {
                Ok(kids) if !node.has_type(b"Page") => {
                    for kid in kids.iter().rev() {
                        stack.push(
                            kid.as_reference()
                                .map_err(|_| damaged("bad page tree entry"))?,
                        );
                    }
                }
                _ => pages.push(id),
            }
        }
        Ok(pages)
    }

    /// Lower-left corner of the page's CropBox (else MediaBox), following inheritance.
    pub fn page_origin(&self, page: ObjectId) -> (f32, f32) {
        for key in [&b"CropBox"[..], b"MediaBox"] {
            let mut node = self.doc.get_dictionary(page).ok();
            for _ in 0..MAX_PARENT_DEPTH {
                let Some(d) = node else { break };
                if let Some(b) = d.get(key).ok().and_then(|o| self.doc.dereference(o).ok()) {
                    if let Ok(arr) = b.1.as_array() {
                        let n: Vec<f32> = arr.iter().filter_map(|o| o.as_float().ok()).collect();
                        if n.len() == 4 {
                            return (n[0].min(n[2]), n[1].min(n[3]));
                        }
                    }
                }
                node = d.get(b"Parent").ok().and_then(|p| self.deref_dict(p));
            }
        }
        (0.0, 0.0)
    }

    /// DocMDP permission level of a certified document (`None` if not certified).
    pub fn docmdp_level(&self) -> Option<i64> {
        let catalog = self.dict(self.catalog_id().ok()?).ok()?;
        let perms = self.deref_dict(catalog.get(b"Perms").ok()?)?;
        let sig = self.deref_dict(perms.get(b"DocMDP").ok()?)?;
        let refs = sig
            .get(b"Reference")
            .ok()
            .and_then(|r| self.doc.dereference(r).ok());
        if let Some(Ok(refs)) = refs.map(|r| r.1.as_array()) {
            for r in refs {
                let Some(sigref) = self.deref_dict(r) else {
                    continue;
                };
                if sigref
                    .get(b"TransformMethod")
                    .and_then(Object::as_name)
                    .ok()
                    == Some(b"DocMDP")
                {
                    let p = sigref
                        .get(b"TransformParams")
                        .ok()
                        .and_then(|t| self.deref_dict(t))
                        .and_then(|t| t.get(b"P").and_then(Object::as_i64).ok());
                    return Some(p.unwrap_or(2));
                }
            }
        }
        Some(2)
    }

    /// Names (/T) of the root fields of the AcroForm, decoded to UTF-8 bytes.
    pub fn root_field_names(&self) -> HashSet<String> {
        let mut names = HashSet::new();
        let fields = self
            .catalog_id()
            .ok()
            .and_then(|c| self.dict(c).ok())
            .and_then(|c| self.deref_dict(c.get(b"AcroForm").ok()?))
            .and_then(|f| self.doc.dereference(f.get(b"Fields").ok()?).ok())
            .and_then(|(_, a)| a.as_array().ok());
        for field in fields.into_iter().flatten() {
            if let Some(Ok(Object::String(t, _))) = self.deref_dict(field).map(|f| f.get(b"T")) {
                names.insert(text_string_to_utf8(t));
            }
        }
        names
    }
}

fn text_string_to_utf8(t: &[u8]) -> String {
    if let Some(rest) = t.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        t.iter().map(|&b| char::from(b)).collect()
    }
}

fn declares_encryption(buf: &[u8]) -> bool {
    let tail = &buf[buf.len().saturating_sub(64 * 1024)..];
    memmem::find(tail, b"/Encrypt").is_some()
}

/// The value after an `obj` keyword; refuses streams (we only edit dictionaries/arrays).
fn value_at(buf: &[u8], pos: usize) -> Result<Vec<u8>, PadesError> {
    let start = skip_ws(buf, pos);
    let end = lexer::value_end(buf, start).map_err(|e| damaged(e.0))?;
    let after = skip_ws(buf, end);
    if buf.get(after..after + 6) == Some(b"stream") {
        return Err(damaged("an object that must be updated is a stream"));
    }
    Ok(buf[start..end].to_vec())
}

/// Offset (relative to /First) of object `id` in an object stream's header.
fn objstm_offset(data: &[u8], first: usize, id: u32, index: u16) -> Option<usize> {
    let header = data.get(..first)?;
    let mut nums = header
        .split(|b| lexer::is_ws(*b))
        .filter(|t| !t.is_empty())
        .map(lexer::parse_uint);
    let mut pairs = Vec::new();
    while let (Some(n), Some(off)) = (nums.next(), nums.next()) {
        pairs.push((n?, off?));
    }
    // Prefer the slot the xref names; fall back to a search by number.
    let hit = pairs
        .get(usize::from(index))
        .filter(|(n, _)| *n == u64::from(id))
        .or_else(|| pairs.iter().find(|(n, _)| *n == u64::from(id)))?;
    usize::try_from(hit.1).ok()
}

/// For an `obj` keyword at `hit`, the object number of a preceding `N G ` (else None).
fn number_before_obj(buf: &[u8], hit: usize) -> Option<u64> {
    if hit == 0 || !lexer::is_ws(buf[hit - 1]) {
        return None;
    }
    // Look back a bounded distance only, so long runs of whitespace cost nothing extra.
    let floor = hit.saturating_sub(48);
    let mut i = hit;
    while i > floor && lexer::is_ws(buf[i - 1]) {
        i -= 1;
    }
    let gen_end = i;
    while i > floor && buf[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i == gen_end || i == floor || !lexer::is_ws(buf[i - 1]) {
        return None;
    }
    while i > floor && lexer::is_ws(buf[i - 1]) {
        i -= 1;
    }
    let num_end = i;
    while i > floor && buf[i - 1].is_ascii_digit() {
        i -= 1;
    }
    lexer::parse_uint(&buf[i..num_end])
}
