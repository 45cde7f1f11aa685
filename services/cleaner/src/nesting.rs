//! html5ever checks element scope by walking the stack of open elements, so
//! parsing is quadratic in nesting depth: 100,000 nested `<div>`s take about
//! 30 s. Real pages stay far below `MAX_DEPTH`; past it this pre-pass drops
//! the extra tags (keeping their text), which bounds parse time.

use std::borrow::Cow;

pub const MAX_DEPTH: usize = 400;

enum TagKind {
    /// Never has content or an end tag (`<br>`).
    Void,
    /// Its content is text up to its end tag (`<script>`).
    RawText,
    Normal,
}

/// One match on the lowercased name: this runs for every tag of every page,
/// and comparing against each name in turn was a measurable share of it.
fn tag_kind(name: &str) -> TagKind {
    let mut lower = [0u8; 9];
    let Some(buf) = lower.get_mut(..name.len()) else {
        return TagKind::Normal;
    };
    buf.copy_from_slice(name.as_bytes());
    buf.make_ascii_lowercase();
    match &*buf {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"param" | b"source" | b"track" | b"wbr" | b"keygen" => TagKind::Void,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"plaintext" => TagKind::RawText,
        _ => TagKind::Normal,
    }
}

/// `html` with tags beyond `max_depth` removed; borrowed when nothing changes.
pub fn limit_nesting(html: &str, max_depth: usize) -> Cow<'_, str> {
    if scan(html, max_depth, None) {
        let mut out = String::with_capacity(html.len());
        scan(html, max_depth, Some(&mut out));
        Cow::Owned(out)
    } else {
        Cow::Borrowed(html)
    }
}

/// Walk the tags; returns whether the depth ever exceeds `max_depth`. With
/// `out`, writes the document without the tags past the limit.
fn scan(html: &str, max_depth: usize, mut out: Option<&mut String>) -> bool {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut suppressed = 0usize;
    let mut exceeded = false;
    let mut copied = 0usize;
    let mut i = 0usize;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let start = i + off;
        let Some(end_off) = memchr(b'>', &bytes[start..]) else {
            break;
        };
        let end = start + end_off + 1;
        let inner = &html[start + 1..end - 1];
        let closing = inner.starts_with('/');
        let bare = inner.trim_start_matches('/');
        let name_len = bare
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-')
            .count();
        let name = &bare[..name_len];
        let mut drop_tag = false;
        let mut next = end;
        if !name.is_empty() && !inner.starts_with('!') && !inner.starts_with('?') {
            if closing {
                if suppressed > 0 {
                    suppressed -= 1;
                    drop_tag = true;
                } else {
                    depth = depth.saturating_sub(1);
                }
            } else if !inner.ends_with('/') {
                match tag_kind(name) {
                    TagKind::Void => {}
                    // Skip raw text to its end tag: '<' inside it is not markup.
                    TagKind::RawText => {
                        next = find_end_tag(bytes, end, name.as_bytes()).unwrap_or(html.len());
                    }
                    TagKind::Normal if depth >= max_depth => {
                        exceeded = true;
                        suppressed += 1;
                        drop_tag = true;
                    }
                    TagKind::Normal => depth += 1,
                }
            }
        }
        if drop_tag && let Some(out) = out.as_deref_mut() {
            out.push_str(&html[copied..start]);
            copied = end;
        }
        i = next.max(start + 1);
    }
    if let Some(out) = out {
        out.push_str(&html[copied..]);
    }
    exceeded
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

/// Offset of the next `</name` (any case) from `from`, jumping between '<'s:
/// inline scripts run to hundreds of kilobytes.
fn find_end_tag(hay: &[u8], mut from: usize, name: &[u8]) -> Option<usize> {
    while let Some(off) = memchr(b'<', &hay[from..]) {
        let at = from + off;
        let rest = &hay[at + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name)
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_are_untouched() {
        let html = "<html><body><div><p>a<br>b</p><script>if (a<b) {}</script></div></body></html>";
        assert!(matches!(limit_nesting(html, 10), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_inside_scripts_does_not_count() {
        let html = format!(
            "<div><script>{}</SCRIPT ></div>{}",
            "<div>".repeat(50),
            "<p>x</p>".repeat(3)
        );
        assert!(matches!(limit_nesting(&html, 10), Cow::Borrowed(_)));
        let unclosed = format!("<script>{}", "<div>".repeat(50));
        assert!(matches!(limit_nesting(&unclosed, 10), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_tags_are_dropped_and_text_kept() {
        let html = format!("{}deep{}", "<div>".repeat(50), "</div>".repeat(50));
        let out = limit_nesting(&html, 10);
        assert_eq!(out.matches("<div>").count(), 10);
        assert_eq!(out.matches("</div>").count(), 10);
        assert!(out.contains("deep"));
    }
}
