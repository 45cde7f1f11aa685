//! Bytes to text: the BOM first, then the shape of the first characters
//! (UTF-16 without a BOM), then the HTTP charset, then the XML prolog, then
//! UTF-8 if the bytes are valid UTF-8, and windows-1252 as the last resort
//! (what browsers assume for legacy pages).

use std::io::Read;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::code_pages::{CODE_PAGES, CodePage};

/// The most a gzip file inflates to. The sitemap protocol allows 50 MB
/// for one sitemap; a news sitemap (1,000 entries at most) is far smaller,
/// and what a poll reads of any sitemap is its last 48 hours.
pub const MAX_INFLATED_BYTES: u64 = 32 << 20;

/// A document served as a gzip file (`sitemap.xml.gz` as
/// `application/x-gzip`, which HTTP does not undo, or read from disk),
/// inflated, within `MAX_INFLATED_BYTES`; none for bytes that are no gzip.
pub fn gunzipped(bytes: &[u8]) -> Option<Result<Vec<u8>, String>> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    let mut inflated = Vec::new();
    let read = flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut inflated);
    Some(match read {
        Err(e) => Err(format!("a gzip file that does not inflate: {e}")),
        Ok(_) if inflated.len() as u64 > MAX_INFLATED_BYTES => Err(format!(
            "a gzip file that inflates to more than {} MiB",
            MAX_INFLATED_BYTES >> 20
        )),
        Ok(_) => Ok(inflated),
    })
}

pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used.
    pub encoding: String,
    /// Content-Language from HTTP, when given.
    pub language: Option<String>,
}

/// The byte range of the quoted encoding name in a leading `<?xml …?>`
/// prolog, quotes included.
fn prolog_encoding(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    if !rest.get(..5)?.eq_ignore_ascii_case("<?xml") {
        return None;
    }
    let prolog = &rest[..rest.find('>')?];
    let lower = prolog.to_ascii_lowercase();
    let at = lower.find("encoding")? + "encoding".len();
    let b = prolog.as_bytes();
    let mut i = at;
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    if b.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    let quote = *b.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
    let len = b[i + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-'))
        .count();
    (len > 0 && b.get(i + 1 + len) == Some(&quote)).then(|| start + i..start + i + len + 2)
}

/// UTF-16 without a BOM shows as a NUL byte next to every ASCII `<`.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [0, b'<', 0, _, ..] => Some(UTF_16BE),
        [b'<', 0, _, 0, ..] => Some(UTF_16LE),
        _ => None,
    }
}

/// A character set: one the WHATWG Encoding Standard knows, or a DOS/OEM
/// code page that old feeds still declare.
#[derive(Clone, Copy, PartialEq)]
enum Charset {
    Whatwg(&'static Encoding),
    Oem(u16),
    Table(&'static CodePage),
}

/// Labels outside the WHATWG list that feeds use (Python codec names).
const EXTRA_LABELS: &[(&str, &str)] = &[
    ("mac", "macintosh"),
    ("macroman", "macintosh"),
    ("maccyrillic", "x-mac-cyrillic"),
    ("mac-cyrillic", "x-mac-cyrillic"),
    ("ms-ansi", "windows-1252"),
    ("ms-arab", "windows-1256"),
    ("ms-cyrl", "windows-1251"),
    ("ms-ee", "windows-1250"),
    ("ms-greek", "windows-1253"),
    ("ms-hebr", "windows-1255"),
    ("ms-turk", "windows-1254"),
    ("winbaltrim", "windows-1257"),
    ("cskoi8r", "koi8-r"),
];

fn label(name: &str) -> Option<Charset> {
    let name = name.trim().to_ascii_lowercase().replace('_', "-");
    if let Some(e) = Encoding::for_label(name.as_bytes()) {
        return Some(Charset::Whatwg(e));
    }
    if let Some((_, to)) = EXTRA_LABELS.iter().find(|(from, _)| *from == name) {
        return Encoding::for_label(to.as_bytes()).map(Charset::Whatwg);
    }
    oem_code_page(&name).map(Charset::Oem).or_else(|| {
        CODE_PAGES
            .iter()
            .find(|page| page.labels.contains(&name.as_str()))
            .map(Charset::Table)
    })
}

/// "cp437", "ibm437", "437", "cspc8codepage437", "cp-is" (861), ...
fn oem_code_page(name: &str) -> Option<u16> {
    let named = match name {
        "cp-is" => Some(861),
        "cspc8codepage437" => Some(437),
        "cspc775baltic" => Some(775),
        "cspc850multilingual" => Some(850),
        "cspcp852" => Some(852),
        "cspc862latinhebrew" => Some(862),
        _ => None,
    };
    let number = named.or_else(|| {
        let digits = ["cp", "ibm", "csibm", "oem"]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .unwrap_or(name);
        digits.parse().ok()
    })?;
    oem_cp::code_table::DECODING_TABLE_CP_MAP
        .get(&number)
        .map(|_| number)
}

fn decode_with(charset: Charset, bytes: &[u8]) -> String {
    match charset {
        Charset::Whatwg(e) => e.decode_without_bom_handling(bytes).0.into_owned(),
        Charset::Oem(cp) => oem_cp::code_table::DECODING_TABLE_CP_MAP
            .get(&cp)
            .map(|t| t.decode_string_lossy(bytes))
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned()),
        Charset::Table(page) => bytes
            .iter()
            .map(|&b| match b {
                0..0x80 => char::from(b),
                _ => char::from_u32(u32::from(page.high[usize::from(b - 0x80)]))
                    .unwrap_or(char::REPLACEMENT_CHARACTER),
            })
            .collect(),
    }
}

fn charset_name(charset: Charset) -> String {
    match charset {
        Charset::Whatwg(e) => e.name().to_ascii_lowercase(),
        Charset::Oem(cp) => format!("cp{cp}"),
        Charset::Table(page) => page.name.to_string(),
    }
}

/// Decode feed bytes to UTF-8; the prolog is rewritten to say UTF-8 to match.
pub fn decode_feed(bytes: &[u8], http_content_type: Option<&str>) -> Decoded {
    let (enc, skip) = if let Some((e, n)) = Encoding::for_bom(bytes) {
        (Charset::Whatwg(e), n)
    } else if let Some(e) = sniff_utf16(bytes) {
        (Charset::Whatwg(e), 0)
    } else {
        let http = http_content_type
            .and_then(news_core::charset::charset_param)
            .and_then(|c| label(&c));
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
        let prolog = prolog_encoding(&head)
            .and_then(|r| label(&head[r.start + 1..r.end - 1]))
            // An ASCII prolog cannot be UTF-16: the bytes say otherwise.
            .filter(|e| *e != Charset::Whatwg(UTF_16LE) && *e != Charset::Whatwg(UTF_16BE));
        let guess = || {
            Charset::Whatwg(if std::str::from_utf8(bytes).is_ok() {
                UTF_8
            } else {
                WINDOWS_1252
            })
        };
        (http.or(prolog).unwrap_or_else(guess), 0)
    };
    let text = decode_with(enc, &bytes[skip..]);
    // The text is UTF-8 now, whatever the prolog said.
    let text = match prolog_encoding(&text) {
        Some(r) => format!("{}\"utf-8\"{}", &text[..r.start], &text[r.end..]),
        None => text,
    };
    Decoded {
        text,
        encoding: charset_name(enc),
        language: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_charset_beats_the_prolog() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xe9</a>";
        let d = decode_feed(bytes, Some("text/xml; charset=iso-8859-1"));
        assert!(d.text.contains('é'));
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn bomless_utf16_is_sniffed() {
        let mut bytes = Vec::new();
        for u in "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>Ж</a>".encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        let d = decode_feed(&bytes, None);
        assert!(d.text.contains("<a>Ж</a>"), "{}", d.text);
    }

    #[test]
    fn dos_code_pages_are_decoded() {
        let d = decode_feed(
            b"<?xml version=\"1.0\" encoding=\"cp437\"?><a>\x80</a>",
            None,
        );
        assert!(d.text.contains("<a>\u{c7}</a>"), "{}", d.text);
        assert_eq!(d.encoding, "cp437");
    }

    #[test]
    fn code_pages_outside_both_libraries_are_decoded() {
        let cases: [(&str, &[u8], &str, &str); 4] = [
            ("macgreek", b"\x80\xa1", "mac-greek", "ÄΓ"),
            ("MacCentralEurope", b"\x8b", "mac-latin2", "č"),
            ("cp1125", b"\xf2\xf4", "cp1125", "ҐЄ"),
            ("koi8_t", b"\x80", "koi8-t", "қ"),
        ];
        for (label, bytes, name, text) in cases {
            let mut feed = format!("<?xml version=\"1.0\" encoding=\"{label}\"?><a>").into_bytes();
            feed.extend_from_slice(bytes);
            feed.extend_from_slice(b"</a>");
            let d = decode_feed(&feed, None);
            assert!(
                d.text.contains(&format!("<a>{text}</a>")),
                "{label}: {}",
                d.text
            );
            assert_eq!(d.encoding, name);
        }
    }

    #[test]
    fn invalid_utf8_without_a_label_falls_back_to_windows_1252() {
        let d = decode_feed(b"<a>caf\xe9</a>", None);
        assert_eq!(d.text, "<a>café</a>");
    }
}
