//! HTML from feeds is untrusted: summaries and content keep the elements,
//! attributes and CSS that render text and images, and lose scripts, event
//! handlers, frames, `javascript:` links and positioning tricks. Relative
//! URIs are resolved against the element's base in the same pass.
//!
//! The tokenizer is deliberately small and forgiving: it never fails, only
//! decides what to keep, and writes tags back in one normal form.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use news_core::entities::{reference_len, unescape};

#[path = "sanitize_lists.rs"]
mod lists;
use lists::*;

static CSS_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(#[0-9a-fA-F]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d{0,2}\.?\d{0,2}(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$",
    )
    .expect("valid regex")
});

/// Only plain declarations pass: no comments, escapes, `expression()` or
/// anything else a CSS parser might read differently from us.
static CSS_GAUNTLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$"#)
        .expect("valid regex")
});

static CSS_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"url\s*\(\s*[^\s)]+?\s*\)\s*").expect("valid regex"));

static CSS_DECLARATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([-\w]+)\s*:\s*([^:;]*)").expect("valid regex"));

fn sanitize_css(style: &str) -> String {
    let style = CSS_URL.replace_all(style, " ");
    if !CSS_GAUNTLET.is_match(&style) {
        return String::new();
    }
    let mut clean = Vec::new();
    for c in CSS_DECLARATION.captures_iter(&style) {
        let (prop, value) = (&c[1], &c[2]);
        if value.trim().is_empty() {
            continue;
        }
        let lower = prop.to_ascii_lowercase();
        let shorthand = lower.split('-').next().unwrap_or("");
        let keep = CSS_PROPERTIES.contains(&lower.as_str())
            || (CSS_SHORTHANDS.contains(&shorthand)
                && value
                    .split_whitespace()
                    .all(|w| CSS_KEYWORDS.contains(&w) || CSS_VALUE.is_match(w)));
        if keep {
            clean.push(format!("{prop}: {value};"));
        }
    }
    clean.join(" ")
}

/// One token of HTML.
enum Token<'a> {
    Text(&'a str),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End(String),
    /// Comments, doctypes, processing instructions: never kept.
    Other,
}

struct Tokenizer<'a> {
    rest: &'a str,
}

// The scanners below are hand-written rather than regexes: they run for
// every tag and attribute of every summary, and dominated parse time.

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// `</?name` at the start of `s`: the name and the bytes it took.
fn tag_name(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let start = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let end = b[start..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b':' | b'_' | b'-')))
        .map_or(b.len(), |p| start + p);
    Some((&s[start..end], end))
}

/// One attribute at the start of `tail` (after optional spaces): its name,
/// raw value and the bytes it took. A value that is not there (`=` with
/// nothing usable after it) leaves the attribute empty.
fn attribute(tail: &str) -> Option<(&str, &str, usize)> {
    let b = tail.as_bytes();
    let start = skip_ws(b, 0);
    let mut i = start;
    while i < b.len()
        && !(b[i].is_ascii_whitespace() || matches!(b[i], b'"' | b'\'' | b'>' | b'/' | b'='))
    {
        i += 1;
    }
    if i == start {
        return None;
    }
    let name = &tail[start..i];
    let eq = skip_ws(b, i);
    if b.get(eq) != Some(&b'=') {
        return Some((name, "", i));
    }
    let v = skip_ws(b, eq + 1);
    match b.get(v) {
        Some(&q @ (b'"' | b'\'')) => match b[v + 1..].iter().position(|&c| c == q) {
            Some(len) => Some((name, &tail[v + 1..v + 1 + len], v + 2 + len)),
            None => Some((name, "", i)),
        },
        Some(c) if *c != b'>' => {
            let end = b[v..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b'>')
                .map_or(b.len(), |p| v + p);
            Some((name, &tail[v..end], end))
        }
        _ => Some((name, "", i)),
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let s = self.rest;
        if !s.starts_with('<') {
            let end = s.find('<').unwrap_or(s.len());
            self.rest = &s[end..];
            return Some(Token::Text(&s[..end]));
        }
        if let Some(body) = s.strip_prefix("<!--") {
            let end = body.find("-->").map(|i| i + 4 + 3).unwrap_or(s.len());
            self.rest = &s[end..];
            return Some(Token::Other);
        }
        if s.starts_with("<!") || s.starts_with("<?") {
            let end = s.find('>').map(|i| i + 1).unwrap_or(s.len());
            self.rest = &s[end..];
            return Some(Token::Other);
        }
        let Some((name, mut pos)) = tag_name(s) else {
            // A lone "<" is text.
            self.rest = &s[1..];
            return Some(Token::Text(&s[..1]));
        };
        let name = name.to_ascii_lowercase();
        if s.as_bytes()[1] == b'/' {
            let end = s[pos..].find('>').map(|i| pos + i + 1).unwrap_or(s.len());
            self.rest = &s[end..];
            return Some(Token::End(name));
        }
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            let tail = &s[pos..];
            let trimmed = tail.trim_start();
            if trimmed.is_empty() {
                pos = s.len();
                break;
            }
            if let Some(after) = trimmed.strip_prefix("/>") {
                self_closing = true;
                pos = s.len() - after.len();
                break;
            }
            if let Some(after) = trimmed.strip_prefix('>') {
                pos = s.len() - after.len();
                break;
            }
            match attribute(tail) {
                Some((name, value, len)) => {
                    attrs.push((name.to_ascii_lowercase(), unescape(value)));
                    pos += len;
                }
                None => pos += tail.chars().next().map_or(1, char::len_utf8),
            }
        }
        self.rest = &s[pos..];
        Some(Token::Start {
            name,
            attrs,
            self_closing,
        })
    }
}

/// Text is copied as written, except that a `&` which starts no character
/// reference and a stray `>` are escaped, so the output is valid HTML.
fn escape_text_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '>']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let reference = reference_len(tail);
        if tail.starts_with('>') {
            out.push_str("&gt;");
        } else if reference == 0 {
            out.push_str("&amp;");
        } else if let Some(c) = c1_reference(&tail[..reference]) {
            // `&#146;` names a C1 control; the writer meant windows-1252's ’.
            let meant = news_core::mojibake::windows_1252_for_c1(c) as u32;
            out.push_str(&format!("&#x{meant:x};"));
            rest = &tail[reference..];
            continue;
        } else {
            out.push('&');
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
}

/// The C1 control a numeric reference such as `&#146;` or `&#x92;` names.
fn c1_reference(reference: &str) -> Option<char> {
    let body = reference.strip_prefix("&#")?.strip_suffix(';')?;
    let n = match body.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => body.parse().ok()?,
    };
    char::from_u32(n).filter(|c| ('\u{80}'..='\u{9f}').contains(c))
}

fn escape_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Resolve a URI attribute; empty if its scheme is not safe to keep.
fn clean_uri(value: &str, base: Option<&Url>) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    let resolved = match base {
        Some(b) => b.join(trimmed).map(|u| u.to_string()).ok(),
        None => Url::parse(trimmed).map(|u| u.to_string()).ok(),
    };
    let kept = match resolved {
        Some(u) => {
            let scheme = u.split(':').next().unwrap_or("").to_ascii_lowercase();
            SAFE_SCHEMES.contains(&scheme.as_str()).then_some(u)
        }
        // Relative with no base to resolve against: keep it if it has no scheme.
        None => (!trimmed.contains(':') || trimmed.starts_with('/')).then(|| trimmed.to_string()),
    };
    kept.unwrap_or_default()
}

/// Sanitise an HTML fragment and resolve its relative URIs against `base`.
pub fn sanitize_html(html: &str, base: Option<&Url>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut dropping: Vec<String> = Vec::new();
    for token in (Tokenizer { rest: html }) {
        match token {
            Token::Start { name, .. } if !dropping.is_empty() => {
                if DROP_WITH_CONTENT.contains(&name.as_str()) {
                    dropping.push(name);
                }
            }
            Token::End(name) if !dropping.is_empty() => {
                if dropping.last() == Some(&name) {
                    dropping.pop();
                }
            }
            _ if !dropping.is_empty() => {}
            Token::Text(t) => escape_text_into(t, &mut out),
            Token::Other => {}
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                if DROP_WITH_CONTENT.contains(&name.as_str()) {
                    if !self_closing {
                        dropping.push(name);
                    }
                    continue;
                }
                if !ELEMENTS.contains(&name.as_str()) {
                    continue;
                }
                out.push('<');
                out.push_str(&name);
                for (key, value) in attrs {
                    if !ATTRIBUTES.contains(&key.as_str()) {
                        continue;
                    }
                    let value = if key == "style" {
                        let css = sanitize_css(&value);
                        if css.is_empty() {
                            continue;
                        }
                        css
                    } else if URI_ATTRIBUTES.contains(&key.as_str()) {
                        clean_uri(&value, base)
                    } else {
                        value
                    };
                    out.push(' ');
                    out.push_str(&key);
                    out.push_str("=\"");
                    out.push_str(&escape_attr(&value));
                    out.push('"');
                }
                out.push_str(if VOID.contains(&name.as_str()) {
                    " />"
                } else {
                    ">"
                });
            }
            Token::End(name) => {
                if ELEMENTS.contains(&name.as_str()) && !VOID.contains(&name.as_str()) {
                    out.push_str("</");
                    out.push_str(&name);
                    out.push('>');
                }
            }
        }
    }
    out
}

/// Whether plain text is really HTML: a closing tag or a character
/// reference, and only known elements. Used where a format lets the
/// publisher put either in the same element (RSS titles and descriptions).
pub fn looks_like_html(s: &str) -> bool {
    let mut has_close = false;
    for (i, _) in s.match_indices('<') {
        let rest = &s[i..];
        let Some((name, len)) = tag_name(rest) else {
            continue;
        };
        // The element name proper: letters and digits only.
        let alnum_len = name.bytes().take_while(u8::is_ascii_alphanumeric).count();
        let element = name[..alnum_len].to_ascii_lowercase();
        if !(ELEMENTS.contains(&element.as_str()) || DROP_WITH_CONTENT.contains(&element.as_str()))
        {
            return false;
        }
        if rest.as_bytes()[1] == b'/' && alnum_len == name.len() && rest[len..].starts_with('>') {
            has_close = true;
        }
    }
    has_close || has_entity(s)
}

/// `&name;`, `&#123;` or `&#x1F;`-like: `&`, an optional `#`, word
/// characters, `;`.
fn has_entity(s: &str) -> bool {
    s.match_indices('&').any(|(i, _)| {
        let rest = s[i + 1..].strip_prefix('#').unwrap_or(&s[i + 1..]);
        let word = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(j, _)| j);
        word > 0 && rest[word..].starts_with(';')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_go() {
        let html = r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">a</a> <a href="/ok">b</a></p>"#;
        let base = Url::parse("https://news.example/feed/").ok();
        assert_eq!(
            sanitize_html(html, base.as_ref()),
            r#"<p>Hi <a href="">a</a> <a href="https://news.example/ok">b</a></p>"#
        );
    }

    #[test]
    fn css_keeps_plain_declarations_only() {
        assert_eq!(
            sanitize_css("color: red; position: absolute"),
            "color: red;"
        );
        assert_eq!(sanitize_css("margin: 99999em"), "");
        assert_eq!(sanitize_css("background: url(javascript:x)"), "");
        assert_eq!(sanitize_css("width: expression(alert(1))"), "");
    }

    #[test]
    fn void_elements_and_unterminated_markup() {
        assert_eq!(
            sanitize_html("a<br>b<img src=x.png", None),
            "a<br />b<img src=\"x.png\" />"
        );
        assert_eq!(
            sanitize_html("<b>unclosed <!-- comment", None),
            "<b>unclosed "
        );
        assert_eq!(
            sanitize_html("1 < 2 & 3 > 0 &amp;", None),
            "1 < 2 &amp; 3 &gt; 0 &amp;"
        );
    }
}
