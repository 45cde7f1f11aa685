//! A pass over the page's bytes before html5ever parses it. It follows the
//! tokenizer's states far enough to know where every tag, comment and
//! raw-text element starts and ends, and it removes six things:
//!
//! - Script and style bodies (JSON-LD stays). They are half the bytes of a
//!   typical news page, html5ever tokenizes them a run at a time, and
//!   extraction never reads them; the tree keeps the empty elements.
//! - Attributes that nothing reads after the parse (`READ_ATTRIBUTES`).
//! - Elements that nothing reads: `<link>`s and `<meta>`s that metadata
//!   does not, and the insides of SVG icons (`elements.rs`).
//! - Comment text; the comments stay, empty.
//! - Indentation: a run of whitespace at either end of a text, outside
//!   `<pre>`, keeps only its first character.
//! - Tags nested deeper than `MAX_DEPTH`, keeping their text. html5ever
//!   checks element scope by walking the stack of open elements, so parsing
//!   is quadratic in depth: 100,000 nested `<div>`s take about 30 s.
//!
//! Everything else is copied byte for byte, so where the pass could still
//! misread the page, the most it removes is script or style text the
//! tokenizer would not have treated as such, an unread attribute or
//! element, or whitespace.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memmem};

mod elements;
mod outline;
use elements::{icon_body_end, raw_attribute, unread_link_or_meta};
pub use outline::outline;

pub const MAX_DEPTH: usize = 400;

#[derive(Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// Never has content or an end tag (`<br>`).
    Void,
    /// Script data, with its escape states; the body goes.
    Script,
    /// Raw text whose body goes.
    Style,
    /// Raw text or RCDATA that is kept (`<title>`, `<textarea>`, and
    /// `<noscript>`, which html5ever reads as raw text with scripting on).
    KeptRawText,
    /// Everything after it is text.
    PlainText,
    /// `<svg>` and `<math>`: inside them, scripts, styles and titles are
    /// markup like any other, and CDATA sections are real.
    Foreign,
    Normal,
}

/// One match on the lowercased name: this runs for every tag of every page.
fn tag_kind(name: &[u8]) -> TagKind {
    let mut lower = [0u8; 9];
    let Some(buf) = lower.get_mut(..name.len()) else {
        return TagKind::Normal;
    };
    buf.copy_from_slice(name);
    buf.make_ascii_lowercase();
    match &*buf {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"param" | b"source" | b"track" | b"wbr" | b"keygen" => TagKind::Void,
        b"script" => TagKind::Script,
        b"style" => TagKind::Style,
        b"textarea" | b"title" | b"xmp" | b"iframe" | b"noembed" | b"noframes" | b"noscript" => {
            TagKind::KeptRawText
        }
        b"plaintext" => TagKind::PlainText,
        b"svg" | b"math" => TagKind::Foreign,
        _ => TagKind::Normal,
    }
}

/// `html` without script and style bodies, unread attributes, comment text,
/// indentation and tags nested deeper than `max_depth`; borrowed when there
/// is nothing to remove.
pub fn prepare(html: &str, max_depth: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut edits = Edits {
        html,
        out: None,
        copied: 0,
    };
    let mut depth = 0usize;
    let mut suppressed = 0usize;
    // Open `<svg>` and `<math>` elements, counted from tags alone. Inside
    // them raw text is markup, and the tokenizer may have left them for
    // HTML (a `<p>` breaks out) without the pass knowing: no text, comment
    // or whitespace is cut there. Unread attributes (SVG paths) are: the
    // tokenizer reads a tag the same in either, and the tree builder looks
    // at attributes there only to leave (`<font color>`) or to enter HTML
    // (`<annotation-xml encoding>`), both kept. A page that leaves one open
    // only keeps more of its bytes.
    let mut open_foreign = [0usize; 2];
    // A script, style, title or other raw-text tag seen while the pass
    // counted a foreign element open: were the tokenizer in HTML by then,
    // what follows it up to the end tag it would look for is text that
    // looks like tags, and nothing is cut before that end tag, even where
    // the pass counts every foreign element closed (a `</svg>` in the
    // text of a `<title>`).
    let mut maybe_raw_text_until = 0usize;
    // Open `<pre>` and `<listing>` elements, whose whitespace is kept: the
    // tree builder drops a newline right after their start tag.
    let mut open_preformatted = 0usize;
    // Where an `<svg>` may not be built as one, its insides are not its
    // own: in a frameset the parser drops the start tag and keeps the
    // whitespace inside, and older parsers do the same in a `<select>`.
    let mut open_select = 0usize;
    let mut frameset = false;
    let mut unread = Vec::new();
    let mut i = 0usize;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        let foreign = open_foreign != [0, 0] || lt < maybe_raw_text_until;
        if !foreign && open_preformatted == 0 {
            squeeze_edge_whitespace(&mut edits, bytes, i, lt);
        }
        i = match bytes.get(lt + 1) {
            Some(b'!') if bytes[lt..].starts_with(b"<!--") => {
                let (text_end, end) = comment_end(bytes, lt + 4);
                if !foreign {
                    edits.cut(lt + 4, text_end);
                }
                end
            }
            Some(b'!') if foreign && bytes[lt..].starts_with(b"<![CDATA[") => {
                memmem::find(&bytes[lt + 9..], b"]]>").map_or(bytes.len(), |off| lt + 9 + off + 3)
            }
            // Doctypes, bogus comments, and CDATA outside foreign content
            // all end at the first '>'.
            Some(b'!' | b'?') => after_gt(bytes, lt + 2),
            Some(b'/') => match bytes.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let tag = scan_tag(bytes, lt + 2, &mut unread);
                    let name = &bytes[lt + 2..tag.name_end];
                    if tag_kind(name) == TagKind::Foreign {
                        let open = &mut open_foreign[foreign_slot(name)];
                        *open = open.saturating_sub(1);
                    }
                    if is_preformatted(name) {
                        open_preformatted = open_preformatted.saturating_sub(1);
                    }
                    if name.eq_ignore_ascii_case(b"select") {
                        open_select = open_select.saturating_sub(1);
                    }
                    if suppressed > 0 {
                        suppressed -= 1;
                        edits.cut(lt, tag.end);
                    } else {
                        depth = depth.saturating_sub(1);
                    }
                    tag.end
                }
                Some(b'>') => lt + 3,
                Some(_) => after_gt(bytes, lt + 2),
                None => bytes.len(),
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let tag = scan_tag(bytes, lt + 1, &mut unread);
                let name = &bytes[lt + 1..tag.name_end];
                let kind = match tag_kind(name) {
                    kind @ (TagKind::Script | TagKind::Style | TagKind::KeptRawText) if foreign => {
                        let end = if kind == TagKind::Script {
                            script_end(bytes, tag.end)
                        } else {
                            raw_text_end(bytes, tag.end, name)
                        };
                        maybe_raw_text_until = maybe_raw_text_until.max(end);
                        TagKind::Normal
                    }
                    kind => kind,
                };
                let suppress = matches!(kind, TagKind::Normal | TagKind::Foreign)
                    && !tag.self_closing
                    && depth >= max_depth;
                let maybe_text = lt < maybe_raw_text_until;
                let attributes = html.get(tag.name_end..tag.end).unwrap_or("");
                // Text on either side of a removed tag joins: after a '<'
                // or inside a character reference ("<" + "svg>", "&am" +
                // "p;") it would read as markup. After a tag's '>' or a
                // space it cannot.
                let joins_safely = lt == 0 || bytes[lt - 1] == b'>' || is_space(bytes[lt - 1]);
                let unread_element = kind == TagKind::Void
                    && !foreign
                    && joins_safely
                    && html.get(lt + 1..tag.name_end).is_some_and(|element| {
                        unread_link_or_meta(element, |a| raw_attribute(attributes, a))
                    });
                if unread_element {
                    edits.cut(lt, tag.end);
                } else if !suppress && !maybe_text {
                    unread.iter().for_each(|&(from, to)| edits.cut(from, to));
                }
                if name.eq_ignore_ascii_case(b"select") {
                    open_select += 1;
                }
                frameset |= name.eq_ignore_ascii_case(b"frameset");
                let icon = kind == TagKind::Foreign
                    && !foreign
                    && !suppress
                    && !tag.self_closing
                    && open_select == 0
                    && !frameset
                    && name.eq_ignore_ascii_case(b"svg");
                let icon_end = icon.then(|| icon_body_end(bytes, tag.end)).flatten();
                if let Some(close) = icon_end {
                    edits.cut(tag.end, close);
                }
                if kind == TagKind::Foreign && !tag.self_closing {
                    open_foreign[foreign_slot(name)] += 1;
                }
                // `<pre/>` is open all the same in HTML.
                if is_preformatted(name) {
                    open_preformatted += 1;
                }
                match kind {
                    TagKind::Void => tag.end,
                    TagKind::Normal | TagKind::Foreign if tag.self_closing => tag.end,
                    TagKind::Normal | TagKind::Foreign if suppress => {
                        suppressed += 1;
                        edits.cut(lt, tag.end);
                        tag.end
                    }
                    TagKind::Normal | TagKind::Foreign => {
                        depth += 1;
                        icon_end.unwrap_or(tag.end)
                    }
                    TagKind::PlainText => bytes.len(),
                    // Raw text, read to its end tag; a self-closed script
                    // is still open in HTML, but keeps its text.
                    TagKind::Script | TagKind::Style | TagKind::KeptRawText => {
                        let close = if kind == TagKind::Script {
                            script_end(bytes, tag.end)
                        } else {
                            raw_text_end(bytes, tag.end, name)
                        };
                        let cut = !tag.self_closing
                            && (kind == TagKind::Style
                                || (kind == TagKind::Script && !is_json_ld(&bytes[lt..tag.end])));
                        if cut {
                            edits.cut(tag.end, close);
                        }
                        if close >= bytes.len() {
                            bytes.len()
                        } else {
                            scan_tag(bytes, close + 2, &mut unread).end
                        }
                    }
                }
            }
            _ => lt + 1,
        }
        .max(lt + 1);
        if i >= bytes.len() {
            break;
        }
    }
    if open_foreign == [0, 0] && open_preformatted == 0 {
        squeeze_edge_whitespace(&mut edits, bytes, i.min(bytes.len()), bytes.len());
    }
    edits.finish()
}

fn is_preformatted(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"pre") || name.eq_ignore_ascii_case(b"listing")
}

/// Shortens the runs of whitespace at either end of the text `from..to` to
/// their first character. Indentation between tags is a seventh of a page's
/// bytes once scripts are gone. The tree builder treats one whitespace
/// character as it treats many (a whitespace-only text node stays one), and
/// everything after the parse splits text on whitespace.
fn squeeze_edge_whitespace(edits: &mut Edits<'_>, b: &[u8], from: usize, to: usize) {
    let lead = b[from..to].iter().take_while(|&&c| is_space(c)).count();
    edits.cut(from + 1, from + lead);
    if from + lead < to {
        let trail = b[from + lead..to]
            .iter()
            .rev()
            .take_while(|&&c| is_space(c))
            .count();
        edits.cut(to - trail + 1, to);
    }
}

/// Which count of open foreign elements a `Foreign` name keeps: `<svg>`s
/// and `<math>`s apart, so that a stray `</svg>` does not close a `<math>`.
fn foreign_slot(name: &[u8]) -> usize {
    usize::from(name.eq_ignore_ascii_case(b"math"))
}

/// The parts of the page kept so far, copied only once something goes.
struct Edits<'a> {
    html: &'a str,
    out: Option<String>,
    copied: usize,
}

impl<'a> Edits<'a> {
    /// Drop `from..to`. Both are at ASCII bytes ('<', after '>') or the end,
    /// so always on character boundaries; checked anyway, as a slip here
    /// must not panic.
    fn cut(&mut self, from: usize, to: usize) {
        let html = self.html;
        if from >= to
            || from < self.copied
            || !html.is_char_boundary(from)
            || !html.is_char_boundary(to)
        {
            return;
        }
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(html.len()));
        out.push_str(&html[self.copied..from]);
        self.copied = to;
    }

    fn finish(self) -> Cow<'a, str> {
        match self.out {
            None => Cow::Borrowed(self.html),
            Some(mut out) => {
                out.push_str(&self.html[self.copied..]);
                Cow::Owned(out)
            }
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Where a tag ends, read as the tokenizer reads it: attribute values in
/// quotes may hold '>' and '<'.
struct Tag {
    name_end: usize,
    /// Just past its '>', or the end of the page.
    end: usize,
    self_closing: bool,
}

/// Reads the tag that starts at `name_start` and leaves in `unread` the
/// byte ranges of the attributes nothing after the parse reads.
fn scan_tag(b: &[u8], name_start: usize, unread: &mut Vec<(usize, usize)>) -> Tag {
    unread.clear();
    let mut i = name_start;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name_end = i;
    let mut self_closing = false;
    loop {
        let Some(&c) = b.get(i) else {
            return Tag {
                name_end,
                end: b.len(),
                self_closing: false,
            };
        };
        match c {
            b'>' => {
                return Tag {
                    name_end,
                    end: i + 1,
                    self_closing,
                };
            }
            b'/' => {
                self_closing = b.get(i + 1) == Some(&b'>');
                i += 1;
                continue;
            }
            c if is_space(c) => {
                i += 1;
                continue;
            }
            _ => {}
        }
        // An attribute name; its first character may be '='.
        let attr_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        // Right after a '/', an attribute stays: cut, it could leave that
        // '/' against the '>' and the tag self-closed (`<svg/x>`), which an
        // SVG element honours.
        let read = b[attr_start - 1] == b'/'
            || is_read_attribute(&b[name_start..name_end], &b[attr_start..i]);
        if !read {
            unread.push((attr_start, i));
        }
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                i = memchr(quote, &b[i + 1..]).map_or(b.len(), |off| i + 1 + off + 1);
            }
            _ => {
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
            }
        }
        if !read && let Some(last) = unread.last_mut() {
            last.1 = i;
        }
    }
}

/// Attributes read after the parse: by the extractor (`attr("...")` in
/// this crate; a test holds the two lists together), and by html5ever's
/// tree builder, where they change the tree (`<input type=hidden>` in a
/// table, `<font color>` leaving an SVG, `<annotation-xml encoding>`,
/// `<template shadowrootmode>`). The rest, a quarter of a page's bytes
/// once scripts are gone (`data-*`, `src`, `srcset`, SVG paths), cost the
/// parser an allocation each and are never looked at.
pub(crate) const READ_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "hidden",
    "aria-hidden",
    "style",
    "role",
    "itemprop",
    "property",
    "name",
    "content",
    "type",
    "rel",
    "href",
    "lang",
    "datetime",
    "color",
    "face",
    "size",
    "encoding",
    "shadowrootmode",
];

/// Formatting elements other than `<a>`: the parser reopens up to three
/// identical ones, element and attributes, after a block closes them (the
/// "Noah's Ark" clause), so their attributes change the tree. An `<a>`
/// closes the one before it, so no two are ever open to compare.
const FORMATTING: &[&str] = &[
    "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Of the attributes above, `href` is read only on `<link>` (the canonical
/// URL); on links it is a sixth of a page's bytes once scripts are gone.
/// Formatting elements keep every attribute.
fn is_read_attribute(element: &[u8], attribute: &[u8]) -> bool {
    if FORMATTING
        .iter()
        .any(|f| f.as_bytes().eq_ignore_ascii_case(element))
    {
        return true;
    }
    if attribute.eq_ignore_ascii_case(b"href") {
        return element.eq_ignore_ascii_case(b"link");
    }
    READ_ATTRIBUTES
        .iter()
        .any(|read| read.as_bytes().eq_ignore_ascii_case(attribute))
}

/// Just past the first '>' at or after `from`.
fn after_gt(b: &[u8], from: usize) -> usize {
    memchr(b'>', &b[from.min(b.len())..]).map_or(b.len(), |off| from + off + 1)
}

/// Where the text of a comment whose body starts at `body` ends, and just
/// past the comment: `-->`, `--!>`, or the abrupt `<!-->` and `<!--->`.
fn comment_end(b: &[u8], body: usize) -> (usize, usize) {
    if b.get(body) == Some(&b'>') {
        return (body, body + 1);
    }
    if b.get(body..body + 2) == Some(b"->") {
        return (body, body + 2);
    }
    let mut from = body;
    while let Some(off) = memmem::find(&b[from..], b"--") {
        let dashes = from + off;
        let mut j = dashes + 2;
        while b.get(j) == Some(&b'-') {
            j += 1;
        }
        match (b.get(j), b.get(j + 1)) {
            (Some(b'>'), _) => return (dashes, j + 1),
            (Some(b'!'), Some(b'>')) => return (dashes, j + 2),
            _ => from = j,
        }
    }
    (b.len(), b.len())
}

/// Whether `</name` (any case) followed by a space, '/' or '>' starts at `at`.
fn is_end_tag(b: &[u8], at: usize, name: &[u8]) -> bool {
    b.get(at + 1) == Some(&b'/') && is_tag_name_at(b, at + 2, name)
}

fn is_tag_name_at(b: &[u8], at: usize, name: &[u8]) -> bool {
    b.get(at..at + name.len())
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
        && b.get(at + name.len())
            .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
}

/// Where the end tag of a raw-text element starts, or the end of the page.
fn raw_text_end(b: &[u8], mut from: usize, name: &[u8]) -> usize {
    while let Some(off) = memchr(b'<', &b[from..]) {
        let at = from + off;
        if is_end_tag(b, at, name) {
            return at;
        }
        from = at + 1;
    }
    b.len()
}

/// Where a script's end tag starts, or the end of the page. Inside
/// `<!-- ... -->` a nested `<script>` runs on past the first `</script>`
/// (the tokenizer's escaped and double-escaped script states).
fn script_end(b: &[u8], mut from: usize) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    loop {
        let next = if state == State::Data {
            memchr(b'<', &b[from..])
        } else {
            memchr2(b'<', b'-', &b[from..])
        };
        let Some(off) = next else {
            return b.len();
        };
        let at = from + off;
        from = at + 1;
        if b[at] == b'-' {
            if b[at..].starts_with(b"-->") {
                state = State::Data;
                from = at + 3;
            }
            continue;
        }
        match state {
            State::Data | State::Escaped if is_end_tag(b, at, b"script") => return at,
            State::DoubleEscaped if is_end_tag(b, at, b"script") => {
                state = State::Escaped;
                from = at + 8;
            }
            // The dashes of `<!--` count towards a closing `-->`: `<!-->`.
            State::Data if b[at..].starts_with(b"<!--") => {
                state = State::Escaped;
                from = at + 2;
            }
            State::Escaped if is_tag_name_at(b, at + 1, b"script") => {
                state = State::DoubleEscaped;
                from = at + 7;
            }
            _ => {}
        }
    }
}

/// A JSON-LD script, which metadata reads.
fn is_json_ld(start_tag: &[u8]) -> bool {
    start_tag
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"ld+json"))
}

#[cfg(test)]
#[path = "prepass_tests.rs"]
mod tests;
