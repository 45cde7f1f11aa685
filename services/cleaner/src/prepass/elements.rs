//! Whole elements the pass removes: `<link>`s and `<meta>`s that metadata
//! does not read, and the insides of SVG icons. They are a tenth of the
//! tags html5ever is handed once scripts are gone, and extraction skips all
//! three (each inline, so the text on either side joins as it did).

use memchr::{memchr, memmem};

use super::{comment_end, is_space, scan_tag};
use crate::metadata::{reads_link, reads_meta};

/// Whether a `<link>` or `<meta>` with these attributes is one that
/// metadata does not read. `attr` gives an attribute as the parser would:
/// `None` when absent, `Some(None)` when its value cannot be told without
/// the parser (a character reference), which keeps the tag.
pub(crate) fn unread_link_or_meta<'a>(
    element: &str,
    attr: impl Fn(&str) -> Option<Option<&'a str>>,
) -> bool {
    if element.eq_ignore_ascii_case("link") {
        return match attr("rel") {
            None => true,
            Some(None) => false,
            Some(Some(rel)) => !reads_link(rel),
        };
    }
    if !element.eq_ignore_ascii_case("meta") {
        return false;
    }
    // Metadata reads `property`, else `name`, else `itemprop`, with `content`.
    let key = ["property", "name", "itemprop"]
        .iter()
        .find_map(|name| attr(name));
    match key {
        None => true,
        Some(None) => false,
        Some(Some(_)) if attr("content").is_none() => true,
        Some(Some(key)) => !reads_meta(&key.to_ascii_lowercase()),
    }
}

/// The first attribute named `wanted` (any case) among a tag's raw
/// attributes (`raw`: from after its name to its '>'): `Some(Some(value))`,
/// `Some(None)` when its value holds a character reference, `None` when
/// the tag has none. Read as `scan_tag` reads them.
pub(crate) fn raw_attribute<'a>(raw: &'a str, wanted: &str) -> Option<Option<&'a str>> {
    let b = raw.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            return None;
        }
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &raw[name_start..i];
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let mut value = "";
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            let start = i;
            match b.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = memchr(quote, &b[i + 1..]).map_or(b.len(), |off| i + 1 + off);
                    value = &raw[start + 1..end];
                    i = (end + 1).min(b.len());
                }
                _ => {
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    value = &raw[start..i];
                }
            }
        }
        if name.eq_ignore_ascii_case(wanted) {
            return Some((!value.contains('&')).then_some(value));
        }
    }
}

/// SVG elements an icon is drawn with. None of them makes the tokenizer or
/// the tree builder leave SVG for HTML (`<p>`, `<b>`, `<font color>` ...
/// do), and none is a point where HTML content starts (`<foreignObject>`,
/// `<desc>`, `<title>`).
fn drawing_element(name: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"path",
        b"g",
        b"circle",
        b"rect",
        b"ellipse",
        b"line",
        b"polyline",
        b"polygon",
        b"defs",
        b"use",
        b"symbol",
        b"lineargradient",
        b"radialgradient",
        b"stop",
        b"clippath",
        b"mask",
        b"pattern",
        b"filter",
        b"marker",
        b"image",
        b"animate",
        b"animatetransform",
        b"set",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        // Filter primitives: feGaussianBlur, feOffset, feMerge ...
        || (name.len() > 2 && name[..2].eq_ignore_ascii_case(b"fe")
            && name.iter().all(u8::is_ascii_alphabetic))
}

/// Where the `</svg>` that ends an icon starting at `body` (just after its
/// start tag) begins, when everything up to it is drawing elements,
/// whitespace, comments and CDATA, and every end tag closes an element the
/// icon opened: then the parser builds the same page around an empty
/// `<svg>`. `None` for anything else, which keeps the body.
pub(super) fn icon_body_end(b: &[u8], body: usize) -> Option<usize> {
    // Elements the icon opened and has not closed; an end tag for anything
    // else could close an element outside it.
    let mut open: Vec<&[u8]> = Vec::new();
    let mut scratch = Vec::new();
    let mut i = body;
    loop {
        let lt = i + memchr(b'<', &b[i..])?;
        if !b[i..lt].iter().all(|&c| is_space(c)) {
            return None;
        }
        i = match b.get(lt + 1)? {
            b'/' if b.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let tag = scan_tag(b, lt + 2, &mut scratch);
                let name = &b[lt + 2..tag.name_end];
                if name.eq_ignore_ascii_case(b"svg") {
                    return Some(lt);
                }
                let at = open.iter().rposition(|n| n.eq_ignore_ascii_case(name))?;
                open.truncate(at);
                tag.end
            }
            b'!' if b[lt..].starts_with(b"<!--") => comment_end(b, lt + 4).1,
            b'!' if b[lt..].starts_with(b"<![CDATA[") => {
                lt + 9 + memmem::find(&b[lt + 9..], b"]]>")? + 3
            }
            c if c.is_ascii_alphabetic() => {
                let tag = scan_tag(b, lt + 1, &mut scratch);
                let name = &b[lt + 1..tag.name_end];
                if !drawing_element(name) {
                    return None;
                }
                if !tag.self_closing {
                    open.push(name);
                }
                tag.end
            }
            _ => return None,
        };
        if i >= b.len() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MAX_DEPTH, outline, prepare};
    use super::*;
    use crate::metadata;

    #[test]
    fn a_raw_attribute_is_read_as_the_parser_reads_it() {
        let raw = " REL=a rel='b' content=\"x > y\" data-a=1/ name = c href=&amp; >";
        assert_eq!(raw_attribute(raw, "rel"), Some(Some("a")));
        assert_eq!(raw_attribute(raw, "content"), Some(Some("x > y")));
        assert_eq!(raw_attribute(raw, "name"), Some(Some("c")));
        assert_eq!(raw_attribute(raw, "href"), Some(None));
        assert_eq!(raw_attribute(raw, "property"), None);
        assert_eq!(raw_attribute(" hidden>", "hidden"), Some(Some("")));
    }

    #[test]
    fn unread_links_and_metas_go_and_read_ones_stay() {
        let html = "<head><link rel=stylesheet href=a.css><link REL=Canonical href=https://x.test/a>\
            <meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
            <meta property=\"og:title\" content=\"Story\"><meta name=Author content=\"Ann Lee\">\
            <meta itemprop=headline content=\"H &amp; S\"><meta name=\"og&#58;x\" content=y>\
            <link rel=\"&#99;anonical\" href=/b><meta property=og:type></head>\
            <p>a <meta itemprop=position content=1> story <link rel=preload href=c> here</p>";
        let prepared = prepare(html, MAX_DEPTH);
        for gone in [
            "stylesheet",
            "charset",
            "viewport",
            "position",
            "preload",
            "og:type",
        ] {
            assert!(!prepared.contains(gone), "{gone}: {prepared}");
        }
        for kept in [
            "Canonical",
            "og:title",
            "Author",
            "headline",
            "og&#58;x",
            "&#99;anonical",
        ] {
            assert!(prepared.contains(kept), "{kept}: {prepared}");
        }
        let read = |page: &str| {
            let md = metadata::extract(&scraper::Html::parse_document(page));
            (md.title, md.authors, md.canonical_url)
        };
        assert_eq!(read(&prepared), read(html));
        assert_eq!(outline(&prepared), outline(html));
    }

    #[test]
    fn metadata_reads_meta_keys_only_through_the_lists_the_pass_asks() {
        // A key read as a literal (`meta(&["..."])`, `k == "..."`) would be
        // cut by the pass before metadata could read it.
        let source = include_str!("../metadata.rs");
        let body = &source[source.find("pub fn extract").expect("extract")..];
        for literal_read in ["meta(&[", "k == \"", "mk == \""] {
            assert!(!body.contains(literal_read), "{literal_read}");
        }
        let page = |key: &str| format!("<meta property=\"{key}\" content=\"v\"><p>story</p>");
        for key in [
            "og:title",
            "article:published_time",
            "og:locale",
            "og:type",
            "author",
        ] {
            assert!(prepare(&page(key), MAX_DEPTH).contains(key), "{key}");
        }
    }

    #[test]
    fn icons_lose_their_insides_and_other_svgs_keep_them() {
        let icon = "<p>share <svg class=i viewBox='0 0 9 9'><g fill=none><path d='M0 0'/>\
            <circle r=1></circle></g><!-- x --><![CDATA[ y ]]><linearGradient><stop/>\
            </linearGradient><feGaussianBlur/></svg> now</p>";
        let prepared = prepare(icon, MAX_DEPTH);
        assert!(prepared.contains("<svg class=i ></svg> now"), "{prepared}");
        assert_eq!(outline(&prepared), outline(icon));
        // Each keeps its `<path`: a way out to HTML, text (an integration
        // point's or a stray one), an end tag for an element the icon did
        // not open, a `<select>` or frameset that drops the `<svg>`, a
        // nested one, and one that never ends.
        for kept in [
            "<svg><path/><p>out</p></svg><p>story",
            "<svg><title>Share</title><path/></svg>",
            "<svg>a<path/></svg>",
            "<g><svg></g><path/></svg><p>story",
            "<select><svg> <path/> </svg></select>",
            "<frameset><svg> <path/> </svg>",
            "<svg><svg><path/></svg></svg>",
            "<svg><path/>",
        ] {
            let prepared = prepare(kept, MAX_DEPTH);
            assert_eq!(outline(&prepared), outline(kept), "{kept}");
            assert!(prepared.contains("<path"), "{kept} => {prepared}");
        }
    }
}
