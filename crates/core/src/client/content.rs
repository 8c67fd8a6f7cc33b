//! The signed documents of an answer. An answer read whole keeps each `signedContent` as base64
//! inside the answer's text, decoded only when its document is saved, into a buffer the saving
//! thread reuses: decoding every document of a request up front filled ~10 MiB of fresh memory
//! per request, and those page faults were a large part of the client's CPU in a profile of
//! 1,000 × 200 KiB.

use std::ops::Range;
use std::sync::{Arc, Mutex};

/// A `signedContent` that was not base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidContent;

/// One document's signed content.
#[derive(Debug)]
pub enum SignedContent {
    /// Decoded as the answer arrived (`Err` when it was not base64).
    Decoded(Result<Vec<u8>, InvalidContent>),
    /// The JSON string (quotes included) at `range` in an answer read whole.
    InAnswer {
        answer: Arc<AnswerText>,
        range: Range<usize>,
    },
}

impl SignedContent {
    /// The decoded document; `scratch` holds it when it had to be decoded.
    pub fn decode_into<'a>(&'a self, scratch: &'a mut Vec<u8>) -> Result<&'a [u8], InvalidContent> {
        let (answer, range) = match self {
            Self::Decoded(decoded) => return decoded.as_deref().map_err(|e| *e),
            Self::InAnswer { answer, range } => (answer, range),
        };
        let quoted = answer.0.get(range.clone()).ok_or(InvalidContent)?;
        let inner = quoted
            .get(1..quoted.len().saturating_sub(1))
            .ok_or(InvalidContent)?;
        if let Ok(length) = decode_base64_into(inner, scratch) {
            return Ok(&scratch[..length]);
        }
        // A backslash is not base64: the text has JSON escapes (e.g. "\n" line breaks), which
        // are rare and so only looked for when decoding failed.
        if !inner.contains(&b'\\') {
            return Err(InvalidContent);
        }
        let unescaped: String = serde_json::from_slice(quoted).map_err(|_| InvalidContent)?;
        let length = decode_base64_into(unescaped.as_bytes(), scratch)?;
        Ok(&scratch[..length])
    }

    /// The decoded document in a buffer of its own.
    pub fn to_vec(&self) -> Result<Vec<u8>, InvalidContent> {
        let mut scratch = Vec::new();
        self.decode_into(&mut scratch).map(<[u8]>::to_vec)
    }
}

/// Base64 with any whitespace inside skipped (some encoders break lines) and the padding optional
/// (WHATWG's forgiving base64): be liberal in what the service sends.
pub(crate) fn decode_base64(text: &[u8]) -> Result<Vec<u8>, InvalidContent> {
    base64_simd::forgiving_decode_to_vec(text).map_err(|_| InvalidContent)
}

/// Decodes into the start of `buffer` and returns the decoded length. The buffer only grows (its
/// bytes past the length are left over from earlier documents), so a reused one is not zeroed again.
fn decode_base64_into(text: &[u8], buffer: &mut Vec<u8>) -> Result<usize, InvalidContent> {
    // The forgiving decoder may first copy the text without its whitespace: it needs the text's
    // length.
    if buffer.len() < text.len() {
        buffer.resize(text.len(), 0);
    }
    let out = &mut buffer[..text.len()];
    // Canonical base64 first: the forgiving decoder looks for whitespace in a pass of its own.
    if let Ok(decoded) = base64_simd::STANDARD.decode(text, base64_simd::Out::from_slice(out)) {
        return Ok(decoded.len());
    }
    base64_simd::forgiving_decode(text, base64_simd::Out::from_slice(out))
        .map(|decoded| decoded.len())
        .map_err(|_| InvalidContent)
}

/// The text of an answer read whole. Its buffer goes back to the client's spares when the last
/// document in it has been saved.
#[derive(Debug)]
pub struct AnswerText(Vec<u8>, Arc<AnswerBuffers>);

impl AnswerText {
    pub(crate) fn new(text: Vec<u8>, spares: &Arc<AnswerBuffers>) -> Self {
        Self(text, Arc::clone(spares))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for AnswerText {
    fn drop(&mut self) {
        self.1.give_back(std::mem::take(&mut self.0));
    }
}

/// Spare buffers for answers read whole, kept by a client between its requests: a fresh buffer
/// per answer (about 10 MiB for a full request) is a fresh mapping, page-faulted in as it fills.
#[derive(Debug, Default)]
pub(crate) struct AnswerBuffers(Mutex<Vec<Vec<u8>>>);

impl AnswerBuffers {
    /// Answers alive at once with the default two requests in flight: one being read, one whose
    /// documents are being saved.
    const KEPT: usize = 2;

    pub(crate) fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }

    fn give_back(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut spare) = self.0.lock() {
            if spare.len() < Self::KEPT && buffer.capacity() > 0 {
                spare.push(buffer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_answer(json_string: &str) -> SignedContent {
        let spares = Arc::default();
        let text = format!(r#"{{"signedContent": {json_string}}}"#).into_bytes();
        let start = text.len() - json_string.len() - 1;
        SignedContent::InAnswer {
            answer: Arc::new(AnswerText::new(text, &spares)),
            range: start..start + json_string.len(),
        }
    }

    #[test]
    fn a_reused_buffer_gives_each_document_its_own_bytes() {
        let long = in_answer(&format!("\"{}\"", "QUFB".repeat(1000)));
        let short = in_answer("\"YQ==\"");
        let mut scratch = Vec::new();
        assert_eq!(long.decode_into(&mut scratch), Ok(&[b'A'; 3000][..]));
        assert_eq!(short.decode_into(&mut scratch), Ok(&b"a"[..]));
    }

    #[test]
    fn escapes_whitespace_and_missing_padding_are_accepted_and_garbage_is_not() {
        for (json, expected) in [
            (r#""YQ==""#, Ok(b"a".to_vec())),
            (r#""YQ""#, Ok(b"a".to_vec())),
            (r#""Y\u0051\u003d\u003d""#, Ok(b"a".to_vec())),
            (r#""bm90\nIGJh c2U2NA==""#, Ok(b"not base64".to_vec())),
            (r#""*not base64*""#, Err(InvalidContent)),
            (r#""YQ==\""#, Err(InvalidContent)),
        ] {
            assert_eq!(in_answer(json).to_vec(), expected, "{json}");
        }
        assert_eq!(
            SignedContent::Decoded(Ok(b"x".to_vec())).to_vec(),
            Ok(b"x".to_vec())
        );
    }

    #[test]
    fn an_answers_buffer_goes_back_to_the_spares_when_its_last_document_is_saved() {
        let spares = Arc::new(AnswerBuffers::default());
        let answer = Arc::new(AnswerText::new(Vec::with_capacity(1 << 20), &spares));
        let content = SignedContent::InAnswer {
            answer: Arc::clone(&answer),
            range: 0..0,
        };
        drop(answer);
        assert_eq!(spares.take().capacity(), 0, "still used by a document");
        drop(content);
        assert!(spares.take().capacity() >= 1 << 20);
    }
}
