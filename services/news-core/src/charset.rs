//! Decode HTML bytes to UTF-8: BOM, then the HTTP charset, then a `<meta>`
//! charset, each checked against the bytes; statistical detection last.
//! A `<meta>` that says latin-1 (or gb2312, or shift_jis) over valid UTF-8
//! bytes is a common mislabel, so valid UTF-8 with non-ASCII bytes wins over
//! a legacy label.

use encoding_rs::{Encoding, UTF_8};

/// Bytes of the document head searched for a `<meta charset>`.
const META_SCAN_BYTES: usize = 4096;
/// Non-ASCII bytes, all valid UTF-8, that outweigh a multi-byte legacy label.
const MULTIBYTE_EVIDENCE: usize = 32;

/// Decode `bytes`; `http_content_type` is the Content-Type header, if any.
/// Returns the text and the name of the encoding used. Never fails:
/// undecodable bytes become U+FFFD.
pub fn decode_html(bytes: &[u8], http_content_type: Option<&str>) -> (String, &'static str) {
    let encoding = detect(bytes, http_content_type);
    let (text, used, _had_errors) = encoding.decode(bytes);
    (text.into_owned(), used.name())
}

fn detect(bytes: &[u8], http_content_type: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    let valid_utf8_non_ascii = || std::str::from_utf8(bytes).is_ok() && !bytes.is_ascii();
    let declared = http_content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .or_else(|| meta_charset(&bytes[..bytes.len().min(META_SCAN_BYTES)]));
    if let Some(enc) = declared {
        // UTF-16 labels in a byte stream without a BOM are nearly always wrong.
        if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            return UTF_8;
        }
        if enc != UTF_8 && valid_utf8_non_ascii() {
            // Real text in a legacy multi-byte encoding is valid UTF-8 only
            // by chance, and that chance shrinks fast with its length: a
            // few characters could pass, a page of them does not.
            let non_ascii = bytes.iter().filter(|b| !b.is_ascii()).count();
            if enc.is_single_byte() || non_ascii >= MULTIBYTE_EVIDENCE {
                return UTF_8;
            }
        }
        return enc;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(
        &bytes[..bytes.len().min(64 * 1024)],
        bytes.len() <= 64 * 1024,
    );
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The `charset=` parameter of a Content-Type value.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"charset") {
        let at = from + i + "charset".len();
        from = at;
        let rest = &lower[at..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest: Vec<u8> = rest
            .iter()
            .copied()
            .skip_while(|c| matches!(c, b' ' | b'"' | b'\''))
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
            .collect();
        if let Some(enc) = Encoding::for_label(&rest) {
            return Some(enc);
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_label_over_utf8_bytes_reads_as_utf8() {
        let page = "<meta charset=\"iso-8859-1\"><p>Zürich café</p>".as_bytes();
        let (text, enc) = decode_html(page, None);
        assert_eq!(enc, "UTF-8");
        assert!(text.contains("Zürich café"));
    }

    #[test]
    fn a_multibyte_label_over_utf8_bytes_reads_as_utf8_but_real_gbk_does_not() {
        let story = "谷歌在2014年收购的人工智能公司开发出一款能够用自己的记忆学习新知识的计算机。";
        let page = format!("<meta charset=\"gb2312\"><p>{story}</p>");
        let (text, enc) = decode_html(page.as_bytes(), None);
        assert_eq!(enc, "UTF-8");
        assert!(text.contains(story));
        let (gbk, _, _) = encoding_rs::GBK.encode(&page);
        let (text, enc) = decode_html(&gbk, None);
        assert_eq!(enc, "GBK");
        assert!(text.contains(story));
    }

    #[test]
    fn real_latin1_is_decoded() {
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><p>Z\xfcrich</p>";
        let (text, enc) = decode_html(page, None);
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("Zürich"));
    }

    #[test]
    fn http_header_and_bom() {
        let (text, _) = decode_html(b"<p>\xe9t\xe9</p>", Some("text/html; charset=ISO-8859-1"));
        assert!(text.contains("été"));
        let (text, enc) = decode_html(b"\xef\xbb\xbf<p>x</p>", Some("text/html; charset=latin1"));
        assert_eq!(enc, "UTF-8");
        assert_eq!(text, "<p>x</p>");
    }

    #[test]
    fn unlabelled_legacy_bytes_are_guessed() {
        let cyr = encoding_rs::WINDOWS_1251
            .encode("Привет мир, это тестовая страница новостей")
            .0;
        let (text, _) = decode_html(&cyr, None);
        assert!(text.contains("Привет"));
    }
}
