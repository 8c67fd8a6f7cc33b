//! A small PDF lexer that only finds where values start and end, so changed objects can
//! be edited by splicing their original bytes (never re-serialised; see the notes, §5.1).
//!
//! Every access is bounds-checked and nesting is limited: input bytes are hostile.

const MAX_DEPTH: usize = 64;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct LexError(pub &'static str);

type Result<T> = std::result::Result<T, LexError>;

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Skips whitespace and comments.
pub(crate) fn skip_ws(buf: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = buf.get(pos) {
        if is_ws(b) {
            pos += 1;
        } else if b == b'%' {
            while let Some(&c) = buf.get(pos) {
                if c == b'\n' || c == b'\r' {
                    break;
                }
                pos += 1;
            }
        } else {
            break;
        }
    }
    pos
}

/// End of a regular token (number, keyword, name body) starting at `pos`.
fn token_end(buf: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = buf.get(pos) {
        if is_ws(b) || is_delim(b) {
            break;
        }
        pos += 1;
    }
    pos
}

fn is_uint(tok: &[u8]) -> bool {
    !tok.is_empty() && tok.iter().all(u8::is_ascii_digit)
}

/// Parses an unsigned decimal token (used for object numbers, offsets, lengths).
pub(crate) fn parse_uint(tok: &[u8]) -> Option<u64> {
    if !is_uint(tok) || tok.len() > 15 {
        return None;
    }
    tok.iter().try_fold(0u64, |n, d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// End (exclusive) of the value starting at `pos`, treating `n g R` as one value.
pub(crate) fn value_end(buf: &[u8], pos: usize) -> Result<usize> {
    value_end_depth(buf, pos, 0)
}

fn value_end_depth(buf: &[u8], pos: usize, depth: usize) -> Result<usize> {
    let end = single_end(buf, pos, depth)?;
    // `n g R`: two unsigned integers followed by the keyword R.
    if is_uint(&buf[pos..end]) {
        let p2 = skip_ws(buf, end);
        let e2 = token_end(buf, p2);
        if e2 > p2 && is_uint(&buf[p2..e2]) {
            let p3 = skip_ws(buf, e2);
            if buf.get(p3) == Some(&b'R') && token_end(buf, p3) == p3 + 1 {
                return Ok(p3 + 1);
            }
        }
    }
    Ok(end)
}

fn single_end(buf: &[u8], pos: usize, depth: usize) -> Result<usize> {
    if depth > MAX_DEPTH {
        return Err(LexError("objects are nested too deeply"));
    }
    match buf.get(pos) {
        None => Err(LexError("unexpected end of data inside an object")),
        Some(b'<') if buf.get(pos + 1) == Some(&b'<') => {
            let (_, close) = dict_entries_depth(buf, pos, depth)?;
            Ok(close + 2)
        }
        Some(b'<') => memchr::memchr(b'>', &buf[pos..])
            .map(|i| pos + i + 1)
            .ok_or(LexError("unterminated hex string")),
        Some(b'[') => Ok(array_close_depth(buf, pos, depth)? + 1),
        Some(b'(') => literal_end(buf, pos),
        Some(b'/') => Ok(token_end(buf, pos + 1)),
        Some(_) => {
            let end = token_end(buf, pos);
            if end == pos {
                Err(LexError("unexpected character where a value should start"))
            } else {
                Ok(end)
            }
        }
    }
}

fn literal_end(buf: &[u8], pos: usize) -> Result<usize> {
    let mut nest = 0usize;
    let mut i = pos;
    while let Some(&b) = buf.get(i) {
        match b {
            b'\\' => i += 1,
            b'(' => nest += 1,
            b')' => {
                nest -= 1;
                if nest == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(LexError("unterminated literal string"))
}

/// Index of the `]` closing the array that opens at `pos`.
pub(crate) fn array_close(buf: &[u8], pos: usize) -> Result<usize> {
    array_close_depth(buf, pos, 0)
}

fn array_close_depth(buf: &[u8], pos: usize, depth: usize) -> Result<usize> {
    if buf.get(pos) != Some(&b'[') {
        return Err(LexError("expected an array"));
    }
    let mut p = pos + 1;
    loop {
        p = skip_ws(buf, p);
        match buf.get(p) {
            None => return Err(LexError("unterminated array")),
            Some(b']') => return Ok(p),
            Some(_) => p = value_end_depth(buf, p, depth + 1)?,
        }
    }
}

/// One top-level entry of a dictionary, as byte positions in the buffer.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Key without the slash, `#xx` escapes decoded.
    pub key: Vec<u8>,
    pub value_start: usize,
    pub value_end: usize,
}

/// Entries of the dictionary opening (`<<`) at `pos`, and the index of its closing `>>`.
pub(crate) fn dict_entries(buf: &[u8], pos: usize) -> Result<(Vec<Entry>, usize)> {
    dict_entries_depth(buf, pos, 0)
}

fn dict_entries_depth(buf: &[u8], pos: usize, depth: usize) -> Result<(Vec<Entry>, usize)> {
    if buf.get(pos..pos + 2) != Some(b"<<") {
        return Err(LexError("expected a dictionary"));
    }
    let mut entries = Vec::new();
    let mut p = pos + 2;
    loop {
        p = skip_ws(buf, p);
        match buf.get(p) {
            None => return Err(LexError("unterminated dictionary")),
            Some(b'>') if buf.get(p + 1) == Some(&b'>') => return Ok((entries, p)),
            Some(b'/') => {
                let key_end = token_end(buf, p + 1);
                let key = decode_name(&buf[p + 1..key_end]);
                let value_start = skip_ws(buf, key_end);
                let value_end = value_end_depth(buf, value_start, depth + 1)?;
                entries.push(Entry {
                    key,
                    value_start,
                    value_end,
                });
                p = value_end;
            }
            Some(_) => return Err(LexError("dictionary key is not a name")),
        }
    }
}

fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if raw[i] == b'#' && i + 2 < raw.len() {
            if let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

pub(crate) fn find<'e>(entries: &'e [Entry], key: &[u8]) -> Option<&'e Entry> {
    entries.iter().find(|e| e.key == key)
}

/// `n g R` at the start of `s` (after the caller skipped whitespace).
pub(crate) fn parse_ref(s: &[u8]) -> Option<(u32, u16)> {
    let e1 = token_end(s, 0);
    let n = parse_uint(&s[..e1])?;
    let p2 = skip_ws(s, e1);
    let e2 = token_end(s, p2);
    let g = parse_uint(&s[p2..e2])?;
    let p3 = skip_ws(s, e2);
    (s.get(p3) == Some(&b'R')).then_some(())?;
    Some((u32::try_from(n).ok()?, u16::try_from(g).ok()?))
}

/// Parses `n g obj` at `pos`; returns the numbers and the position after `obj`.
pub(crate) fn parse_obj_header(buf: &[u8], pos: usize) -> Option<(u32, u16, usize)> {
    let p1 = skip_ws(buf, pos);
    let e1 = token_end(buf, p1);
    let n = parse_uint(buf.get(p1..e1)?)?;
    let p2 = skip_ws(buf, e1);
    let e2 = token_end(buf, p2);
    let g = parse_uint(buf.get(p2..e2)?)?;
    let p3 = skip_ws(buf, e2);
    let e3 = token_end(buf, p3);
    (buf.get(p3..e3)? == b"obj").then_some(())?;
    Some((u32::try_from(n).ok()?, u16::try_from(g).ok()?, e3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_with_nested_values_and_refs() {
        let s = b"<< /Type /Page /Kids [1 0 R 2 0 R] /S (a\\)b(c)) /H <ab> /D << /X 1 >> /R 12 0 R /N 5 >>";
        let (e, close) = dict_entries(s, 0).unwrap();
        assert_eq!(close, s.len() - 2);
        let keys: Vec<_> = e
            .iter()
            .map(|e| String::from_utf8_lossy(&e.key).to_string())
            .collect();
        assert_eq!(keys, ["Type", "Kids", "S", "H", "D", "R", "N"]);
        let r = find(&e, b"R").unwrap();
        assert_eq!(parse_ref(&s[r.value_start..r.value_end]), Some((12, 0)));
        assert_eq!(&s[r.value_start..r.value_end], b"12 0 R");
    }

    #[test]
    fn hostile_inputs_error_without_panic() {
        for s in [
            &b"<<"[..],
            b"<< /A [",
            b"<< /A (",
            b"<< 1 2 >>",
            b"[[[[",
            b"<< /A <",
            b"(",
        ] {
            assert!(value_end(s, 0).is_err());
        }
        let deep = vec![b'['; 10_000];
        assert!(value_end(&deep, 0).is_err());
    }
}
