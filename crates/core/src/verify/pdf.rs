//! PAdES verify-before-save: the signed PDF is the original plus an incremental update whose
//! new signature dictionary's /ByteRange covers the whole file except its own /Contents,
//! and whose CMS messageDigest is the digest of those ranges.
//!
//! A byte scan of the appended part is enough (and linear): everything before it is the
//! original, byte for byte, which is checked first.

use memchr::memmem;
use sha2::Digest;

use super::cms::{self, MAX_CMS_LEN};
use super::VerifyError;

/// Digest algorithms accepted in a SignerInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    pub(crate) fn from_oid(oid: &const_oid::ObjectIdentifier) -> Option<Self> {
        use const_oid::db::rfc5912::{ID_SHA_256, ID_SHA_384, ID_SHA_512};
        match *oid {
            ID_SHA_256 => Some(Self::Sha256),
            ID_SHA_384 => Some(Self::Sha384),
            ID_SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Digest of the concatenation of `parts`, hashed in place (no copy).
    pub(crate) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Self::Sha256 => run::<sha2::Sha256>(parts),
            Self::Sha384 => run::<sha2::Sha384>(parts),
            Self::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

/// Whether the CMS signature value was checked against the signer certificate's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Checked and valid, with this algorithm (e.g. "ECDSA P-256").
    Verified(&'static str),
    /// Not checked, for this reason (e.g. an unsupported key type). The digest still matched.
    NotChecked(String),
}

/// What was found in the new signature of a signed PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSignatureInfo {
    /// e.g. `ETSI.CAdES.detached` (PAdES) or `adbe.pkcs7.detached`.
    pub sub_filter: Option<String>,
    /// Subject CN of the signer certificate (e.g. the company of a qualified seal).
    pub signer_common_name: Option<String>,
    pub digest_algorithm: DigestAlgorithm,
    /// An RFC 3161 signature timestamp is attached (PAdES B-T).
    pub has_timestamp: bool,
    pub signature_check: SignatureCheck,
    /// `[0, a, b, c]` as written in the file.
    pub byte_range: [usize; 4],
}

/// PDF whitespace (ISO 32000-1 §7.2.2).
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// Checks that `signed` is `original` plus a new signature over the whole file (see the
/// module doc). Never panics; linear in the size of `signed`.
pub fn verify_signed_pdf(original: &[u8], signed: &[u8]) -> Result<PdfSignatureInfo, VerifyError> {
    if signed.is_empty() {
        return Err(VerifyError::Empty);
    }
    if signed.len() < original.len() {
        return Err(if original.starts_with(signed) {
            VerifyError::Truncated
        } else {
            VerifyError::NotIncremental
        });
    }
    // The signer may add a newline after the original before its update (the sandbox does
    // when the original does not end in CR/LF); that is part of the appended bytes.
    if !signed.starts_with(original) {
        return Err(VerifyError::NotIncremental);
    }
    verify_appended(original.len(), signed, None)
}

/// [`verify_signed_pdf`] once `signed[..base]` is known to be the original. `hashed_original`,
/// the SHA-256 state after exactly those `base` bytes, saves hashing them again.
pub(crate) fn verify_appended(
    base: usize,
    signed: &[u8],
    hashed_original: Option<&sha2::Sha256>,
) -> Result<PdfSignatureInfo, VerifyError> {
    let appended = &signed[base..];
    let br_rel = memmem::rfind(appended, b"/ByteRange").ok_or(VerifyError::NoSignature)?;
    let br_pos = base + br_rel;
    let [zero, a, b, c] = parse_byte_range(signed, br_pos + b"/ByteRange".len())?;

    let br_err = |m: &str| VerifyError::ByteRange(m.to_owned());
    if zero != 0 {
        return Err(br_err("it does not start at the beginning of the file"));
    }
    let end = b
        .checked_add(c)
        .ok_or_else(|| br_err("the numbers overflow"))?;
    if end != signed.len() {
        return Err(br_err(if end > signed.len() {
            "it points past the end of the file, which looks truncated"
        } else {
            "it stops before the end of the file"
        }));
    }
    if a < base || a >= b || b - a < 2 {
        return Err(br_err("the excluded part is not in the new signature"));
    }
    // The gap must be exactly the /Contents hex string `<...>`.
    if signed[a] != b'<' || signed[b - 1] != b'>' {
        return Err(br_err("the excluded part is not the signature's /Contents"));
    }
    let before = &signed[base..a];
    let key_end = before.iter().rposition(|&c| !is_ws(c)).map_or(0, |i| i + 1);
    if !before[..key_end].ends_with(b"/Contents") {
        return Err(br_err("the excluded part is not the signature's /Contents"));
    }
    let (dict_start, dict_end) = object_bounds(signed, base, a, b);
    if br_pos < dict_start || br_pos >= dict_end {
        return Err(br_err("/ByteRange and /Contents are in different objects"));
    }

    let der = decode_contents(&signed[a + 1..b - 1])?;
    let (head, tail) = (&signed[..a], &signed[b..]);
    let found = cms::check(&der, |alg| match (alg, hashed_original) {
        (DigestAlgorithm::Sha256, Some(state)) => {
            let mut rest = state.clone();
            rest.update(&signed[base..a]);
            rest.update(tail);
            rest.finalize().to_vec()
        }
        _ => alg.digest(&[head, tail]),
    })?;
    let sub_filter = name_after(&signed[dict_start..a], b"/SubFilter")
        .or_else(|| name_after(&signed[b..dict_end], b"/SubFilter"));
    if sub_filter.as_deref() == Some("ETSI.RFC3161") {
        return Err(VerifyError::Unsupported(
            "the last revision is a document timestamp, not a signature".into(),
        ));
    }
    Ok(PdfSignatureInfo {
        sub_filter,
        signer_common_name: found.signer_common_name,
        digest_algorithm: found.digest_algorithm,
        has_timestamp: found.has_timestamp,
        signature_check: found.signature_check,
        byte_range: [zero, a, b, c],
    })
}

/// Parses `[n n n n]` after `/ByteRange` at `pos`.
fn parse_byte_range(s: &[u8], mut pos: usize) -> Result<[usize; 4], VerifyError> {
    let bad = || VerifyError::ByteRange("it is not four numbers".into());
    let skip = |pos: &mut usize| {
        while s.get(*pos).is_some_and(|&c| is_ws(c)) {
            *pos += 1;
        }
    };
    skip(&mut pos);
    if s.get(pos) != Some(&b'[') {
        return Err(bad());
    }
    pos += 1;
    let mut out = [0usize; 4];
    for slot in &mut out {
        skip(&mut pos);
        let start = pos;
        let mut n: usize = 0;
        while let Some(&d) = s.get(pos).filter(|c| c.is_ascii_digit()) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(usize::from(d - b'0')))
                .ok_or_else(bad)?;
            pos += 1;
        }
        if pos == start {
            return Err(bad());
        }
        *slot = n;
    }
    skip(&mut pos);
    if s.get(pos) != Some(&b']') {
        return Err(bad());
    }
    Ok(out)
}

/// Bounds of the indirect object holding the hex string `a..b`, searched no further back
/// than `base`: from its `N G obj` header to its `endobj` (or the whole appended part when
/// they are not found).
fn object_bounds(s: &[u8], base: usize, a: usize, b: usize) -> (usize, usize) {
    let mut start = base;
    let mut hay = &s[base..a];
    while let Some(i) = memmem::rfind(hay, b"obj") {
        // `N G obj`, not `endobj`.
        if i > 0 && is_ws(hay[i - 1]) {
            let digits = hay[..i - 1].trim_ascii_end();
            if digits.last().is_some_and(u8::is_ascii_digit) {
                start = base + i;
                break;
            }
        }
        hay = &hay[..i];
    }
    let end = memmem::find(&s[b..], b"endobj").map_or(s.len(), |i| b + i);
    (start, end)
}

/// The name value after the first `key` in `s`, e.g. `ETSI.CAdES.detached`.
fn name_after(s: &[u8], key: &[u8]) -> Option<String> {
    let i = memmem::find(s, key)? + key.len();
    let rest = &s[i..];
    let start = rest.iter().position(|&c| !is_ws(c))?;
    let rest = rest[start..].strip_prefix(b"/")?;
    let len = rest
        .iter()
        .position(|&c| is_ws(c) || b"/[]<>()%{}".contains(&c))
        .unwrap_or(rest.len())
        .min(128);
    Some(String::from_utf8_lossy(&rest[..len]).into_owned())
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes the /Contents hex string (whitespace allowed) to the DER of the CMS, which is
/// followed only by zero padding. Decodes no more than the DER's own length.
fn decode_contents(hex: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let bad = |m: &str| VerifyError::Cms(m.to_owned());
    let mut nibbles = hex.iter().copied().filter(|&c| !is_ws(c)).map(hex_val);
    let mut next_byte = || -> Option<Result<u8, VerifyError>> {
        let hi = nibbles.next()?;
        let lo = nibbles.next().unwrap_or(Some(0)); // odd count: last digit is x0 (§7.3.4.3)
        Some(match (hi, lo) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err(bad("/Contents is not a hexadecimal string")),
        })
    };
    let mut der = Vec::new();
    while der.len() < 6 {
        match next_byte() {
            Some(byte) => der.push(byte?),
            None => break,
        }
    }
    if der.iter().all(|&b| b == 0) {
        return Err(VerifyError::NoSignature);
    }
    let total = cms::der_len(&der).ok_or_else(|| bad("the signature is not DER"))?;
    if total > MAX_CMS_LEN {
        return Err(VerifyError::Unsupported(
            "a signature larger than 2 MB".into(),
        ));
    }
    if der.len() > total {
        // Bytes already read past the DER must be padding, like the rest.
        if der[total..].iter().any(|&b| b != 0) {
            return Err(bad("unexpected data after the signature in /Contents"));
        }
        der.truncate(total);
    }
    der.reserve(total - der.len());
    while der.len() < total {
        match next_byte() {
            Some(byte) => der.push(byte?),
            None => return Err(bad("the signature is cut short")),
        }
    }
    while let Some(byte) = next_byte() {
        if byte? != 0 {
            return Err(bad("unexpected data after the signature in /Contents"));
        }
    }
    Ok(der)
}
