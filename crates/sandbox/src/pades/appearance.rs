//! Visible signature appearance (form XObject) and PDF string/number formatting.

use std::fmt::Write as _;

use super::VisibleBox;

/// Always the last line, so a sandbox output can never pass for a real signature.
pub const SANDBOX_MARK: &str = "SANDBOX - NAO VALIDO / NOT VALID";
const PADDING: f32 = 3.0;
const LEADING: f32 = 1.2;
const MIN_FONT: f32 = 2.0;

/// Helvetica advance widths (1/1000 em) for ASCII 32..=126, from the standard AFM.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Formats a number the way PDF wants it: no exponent, at most 3 decimals.
pub(crate) fn num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

/// A PDF text string: literal when plain ASCII, else UTF-16BE with BOM (hex), so
/// Portuguese accents survive in every reader.
pub(crate) fn text_string(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('(');
        for c in s.chars() {
            if matches!(c, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(')');
        out
    } else {
        let mut out = String::from("<FEFF");
        for unit in s.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push('>');
        out
    }
}

/// `(D:YYYYMMDDHHmmSS+HH'mm')` for /M.
pub(crate) fn pdf_date(t: time::OffsetDateTime) -> String {
    let off = t.offset();
    let (h, m, _) = off.as_hms();
    let sign = if off.is_negative() { '-' } else { '+' };
    format!(
        "(D:{:04}{:02}{:02}{:02}{:02}{:02}{}{:02}'{:02}')",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        sign,
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

/// Maps a char to WinAnsiEncoding (Latin-1 plus the 0x80..0x9F extras); `?` otherwise.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{A0}'..='\u{FF}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '™' => 0x99,
        '\t' => b' ',
        _ => b'?',
    }
}

fn width_em(line: &[u8]) -> f32 {
    line.iter()
        .map(|&b| match b {
            32..=126 => f32::from(HELVETICA_WIDTHS[usize::from(b - 32)]),
            _ => 556.0, // accented letters: close enough for fitting
        })
        .sum::<f32>()
        / 1000.0
}

/// Content stream of a visible signature box, in the box's own space (0,0 bottom-left).
pub(crate) fn visible_content(b: &VisibleBox) -> Vec<u8> {
    let (w, h) = (b.width, b.height);
    let lines: Vec<Vec<u8>> = b
        .lines
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(str::to_owned)
        .chain(std::iter::once(SANDBOX_MARK.to_owned()))
        .map(|l| l.trim_end_matches('\r').chars().map(win_ansi).collect())
        .collect();

    // Shrink the font so every line, the sandbox mark above all, fits the box.
    let n = lines.len() as f32;
    let widest = lines.iter().map(|l| width_em(l)).fold(0.0f32, f32::max);
    let mut size = if b.font_size.is_finite() && b.font_size > 0.0 {
        b.font_size
    } else {
        8.0
    };
    size = size.min((h - 2.0 * PADDING) / (n * LEADING));
    if widest > 0.0 {
        size = size.min((w - 2.0 * PADDING) / widest);
    }
    let size = size.max(MIN_FONT);

    let mut s = String::with_capacity(256 + lines.iter().map(Vec::len).sum::<usize>());
    s.push_str("q\n");
    if let Some([r, g, bl]) = b.background {
        let c = |v: u8| num(f32::from(v) / 255.0);
        let _ = writeln!(s, "{} {} {} rg", c(r), c(g), c(bl));
    }
    let op = if b.background.is_some() { "B" } else { "S" };
    let _ = writeln!(
        s,
        "0.6 w 0 0 0 RG 0.3 0.3 {} {} re {op}\nQ",
        num(w - 0.6),
        num(h - 0.6)
    );
    // Clip to the box so nothing can spill over the page.
    let _ = writeln!(s, "q 0 0 {} {} re W n", num(w), num(h));
    let _ = writeln!(
        s,
        "BT 0 g /F1 {} Tf {} TL {} {} Td",
        num(size),
        num(size * LEADING),
        num(PADDING),
        num(h - PADDING - size)
    );
    let mut out = s.into_bytes();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"T* ");
        }
        out.push(b'(');
        for &c in line {
            if matches!(c, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(c);
        }
        out.extend_from_slice(b") Tj\n");
    }
    out.extend_from_slice(b"ET\nQ\n");
    out
}

/// Full value of the appearance XObject (dictionary + stream).
pub(crate) fn xobject(width: f32, height: f32, content: &[u8], with_font: bool) -> Vec<u8> {
    let resources = if with_font {
        " /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica \
         /Encoding /WinAnsiEncoding >> >> >>"
    } else {
        ""
    };
    let mut out = format!(
        "<< /Type /XObject /Subtype /Form /BBox [0 0 {} {}]{resources} /Length {} >>\nstream\n",
        num(width),
        num(height),
        content.len()
    )
    .into_bytes();
    out.extend_from_slice(content);
    out.extend_from_slice(b"\nendstream");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers() {
        assert_eq!(text_string("Lisboa (PT)"), "(Lisboa \\(PT\\))");
        assert_eq!(text_string("Porto ã"), "<FEFF0050006F00720074006F002000E3>");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(f32::NAN), "0");
    }

    #[test]
    fn content_has_mark_and_escapes() {
        let b = VisibleBox {
            page: 1,
            x: 0.0,
            y: 0.0,
            width: 200.0,
            height: 60.0,
            lines: vec!["Assinado (digitalmente) por João".into()],
            font_size: 8.0,
            background: Some([255, 255, 200]),
        };
        let c = visible_content(&b);
        let text = String::from_utf8_lossy(&c);
        assert!(text.contains(SANDBOX_MARK));
        assert!(text.contains("\\(digitalmente\\)"));
        assert!(c.contains(&0xE3)); // ã in WinAnsi
    }
}
