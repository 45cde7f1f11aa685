//! Pages that send a reader on with `<meta http-equiv="refresh">`: an
//! interstitial (a link tracker's hop, a moved story's stub, a script
//! redirect's `<noscript>` fallback) holds no article, and the page it
//! names does. A browser follows it; so does the fetcher, within bounds.

use scraper::{Html, Selector};
use url::Url;

/// Bytes of a page searched for the tag: it belongs in the head.
const REFRESH_SEARCH_BYTES: usize = 64 * 1024;
/// The longest delay followed. A longer one is a page reloading itself now
/// and then (a live blog), or a "session expired" jump back home, and the
/// page itself is what was asked for.
const MAX_FOLLOWED_DELAY_SECS: u64 = 10;
/// Refreshes followed for one article, on top of its HTTP redirects.
pub const MAX_REFRESH_HOPS: usize = 3;

/// Where the page at `page_url` sends its reader at once, if it does: an
/// http(s) URL other than the page's own.
pub fn refresh_target(html: &str, page_url: &Url) -> Option<Url> {
    let head = &html[..html.floor_char_boundary(REFRESH_SEARCH_BYTES)];
    // Most pages have no such tag: skip the parse for them. (Two plain
    // searches, far quicker than one ignoring case, and they miss only
    // a mixed case past the first letter.)
    if !head.contains("efresh") && !head.contains("EFRESH") {
        return None;
    }
    // Read as a client that runs no script reads it: a `<noscript>`
    // fallback counts (the parser, with scripting on, keeps its insides as
    // text).
    let doc = Html::parse_document(&without_noscript_tags(head));
    let metas = Selector::parse("meta[http-equiv][content]").ok()?;
    doc.select(&metas)
        .filter(|m| {
            m.value()
                .attr("http-equiv")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
        })
        .find_map(|m| {
            let (delay, target) = parse_refresh(m.value().attr("content")?)?;
            if delay > MAX_FOLLOWED_DELAY_SECS {
                return None;
            }
            let url = page_url.join(target).ok()?;
            let same_page = {
                let (mut a, mut b) = (url.clone(), page_url.clone());
                a.set_fragment(None);
                b.set_fragment(None);
                a == b
            };
            (matches!(url.scheme(), "http" | "https") && !same_page).then_some(url)
        })
}

/// `html` with its `<noscript>` and `</noscript>` tags (any case) cut out
/// and their insides kept.
fn without_noscript_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let name = tag[1..].strip_prefix('/').unwrap_or(&tag[1..]);
        let is_noscript = name
            .get(..8)
            .is_some_and(|n| n.eq_ignore_ascii_case("noscript"))
            && name[8..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace());
        match (is_noscript, tag.find('>')) {
            (true, Some(close)) => rest = &tag[close + 1..],
            _ => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The delay and URL of a refresh's `content` ("0; url='/next'"), as
/// HTML's declarative refresh reads it; None when it names no URL.
fn parse_refresh(content: &str) -> Option<(u64, &str)> {
    let s = content.trim_start();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let delay = s[..digits].parse::<u64>().unwrap_or(0);
    // The delay's fraction, then one separator.
    let rest = s[digits..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let rest = rest
        .trim_start()
        .trim_start_matches([';', ','])
        .trim_start();
    if digits == 0 && rest.len() == s.len() {
        return None;
    }
    let rest = match rest.get(..3) {
        Some(key) if key.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start();
            after.strip_prefix('=').map_or(rest, str::trim_start)
        }
        _ => rest,
    };
    let target = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
        _ => rest,
    }
    .trim();
    (!target.is_empty()).then_some((delay, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(html: &str) -> Option<String> {
        let page = Url::parse("https://news.example/go/123").unwrap();
        refresh_target(html, &page).map(|u| u.to_string())
    }

    #[test]
    fn a_stub_sends_the_reader_to_the_article() {
        assert_eq!(
            target(r#"<html><head><meta http-equiv="refresh" content="0; url=/2024/06/story.html"></head></html>"#).as_deref(),
            Some("https://news.example/2024/06/story.html")
        );
        // Any case, quotes, a comma, no "url=", a script redirect's fallback.
        for html in [
            r#"<META HTTP-EQUIV="Refresh" CONTENT="2;URL='https://other.example/a?b=1'">"#,
            r#"<meta http-equiv="refresh" content='1, url="https://other.example/a?b=1"'>"#,
            r#"<meta http-equiv="refresh" content="0;https://other.example/a?b=1">"#,
            r#"<head><script>location='x'</script><NOSCRIPT class="n"><meta http-equiv="refresh" content="0;url=https://other.example/a?b=1"></noscript></head>"#,
        ] {
            assert_eq!(
                target(html).as_deref(),
                Some("https://other.example/a?b=1"),
                "{html}"
            );
        }
    }

    #[test]
    fn the_urls_character_references_are_read() {
        assert_eq!(
            target(r#"<meta http-equiv="refresh" content="0;url=/a?b=1&amp;c=2">"#).as_deref(),
            Some("https://news.example/a?b=1&c=2")
        );
    }

    #[test]
    fn a_page_that_reloads_itself_or_waits_long_is_the_page() {
        for html in [
            // A live page reloading every five minutes.
            r#"<meta http-equiv="refresh" content="300">"#,
            r#"<meta http-equiv="refresh" content="300; url=https://news.example/">"#,
            // Itself, with or without a fragment.
            r#"<meta http-equiv="refresh" content="0; url=/go/123#top">"#,
            // Nowhere a fetch may go.
            r#"<meta http-equiv="refresh" content="0; url=javascript:alert(1)">"#,
            r#"<meta http-equiv="refresh" content="0; url=file:///etc/passwd">"#,
            r#"<meta http-equiv="refresh" content="0; url=">"#,
            // Old IE's alone (a conditional comment, as a news site's
            // pages carry it), which every other client skips.
            r#"<!--[if lte IE 9]><meta http-equiv="refresh" content="1;url=/static/unsupp.html" /><![endif]-->"#,
            // Other tags, and the word in the text only.
            r#"<meta name="refresh" content="0; url=/x">"#,
            "<p>Refresh the page to see the latest results.</p>",
        ] {
            assert_eq!(target(html), None, "{html}");
        }
    }

    #[test]
    fn a_tag_past_the_head_is_not_searched_for() {
        let late = format!(
            "<html><body>{}<meta http-equiv=\"refresh\" content=\"0; url=/x\"></body></html>",
            "<p>story text</p>".repeat(5_000)
        );
        assert_eq!(target(&late), None);
    }
}
