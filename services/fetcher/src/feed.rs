//! Feed parsing: feed-rs behind our own layer, which decodes the bytes first
//! (BOM, HTTP charset, XML prolog), uses a fresh parser per document inside
//! `catch_unwind`, accepts `<rss>` without a version, and resolves relative
//! links against the feed URL.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use encoding_rs::{Encoding, UTF_8};
use news_core::messages::FeedItemMeta;
use regex::Regex;
use serde::Serialize;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("not a feed: {0}")]
    Parse(String),
    #[error("feed parser panicked on this document")]
    Panic,
}

/// A feed normalised the way readers expect.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedFeed {
    pub kind: String,
    pub title: Option<String>,
    pub link: Option<String>,
    pub language: Option<String>,
    pub updated: Option<DateTime<Utc>>,
    pub items: Vec<FeedItemMeta>,
}

static PROLOG_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^(\s*<\?xml[^>]*?encoding\s*=\s*)["']([A-Za-z0-9._:-]+)["']"#)
        .expect("valid regex")
});

/// Decode feed bytes to UTF-8, from the BOM, then the HTTP charset, then the
/// XML prolog; the prolog is rewritten to say UTF-8 to match.
pub fn decode_feed(bytes: &[u8], http_content_type: Option<&str>) -> String {
    let (enc, bom_len) = match Encoding::for_bom(bytes) {
        Some((e, n)) => (e, n),
        None => {
            let http = http_content_type
                .and_then(news_core::charset::charset_param)
                .and_then(|l| Encoding::for_label(l.as_bytes()));
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
            let prolog = PROLOG_ENCODING
                .captures(&head)
                .and_then(|c| Encoding::for_label(c[2].as_bytes()));
            let enc = http.or(prolog).unwrap_or(UTF_8);
            // UTF-16 without a BOM, declared in an ASCII prolog, cannot be.
            let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                UTF_8
            } else {
                enc
            };
            (enc, 0)
        }
    };
    let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
    PROLOG_ENCODING.replace(&text, "${1}\"utf-8\"").into_owned()
}

/// Parse a feed document. Never panics.
pub fn parse_feed(
    bytes: &[u8],
    feed_url: &str,
    http_content_type: Option<&str>,
) -> Result<ParsedFeed, FeedError> {
    let text = decode_feed(bytes, http_content_type);
    let parsed = match parse_once(&text, feed_url) {
        Err(FeedError::Parse(_)) if text.contains("<rss") => {
            // feed-rs rejects <rss> without a version attribute; RSS readers
            // treat it as 2.0.
            let patched = text.replacen("<rss", "<rss version=\"2.0\"", 1);
            parse_once(&patched, feed_url)
        }
        other => other,
    }?;
    Ok(normalise(parsed, feed_url))
}

fn parse_once(text: &str, feed_url: &str) -> Result<feed_rs::model::Feed, FeedError> {
    // A fresh parser per document: feed-rs can panic when one is reused.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url))
        .build();
    match catch_unwind(AssertUnwindSafe(|| parser.parse(text.as_bytes()))) {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(e)) => Err(FeedError::Parse(e.to_string())),
        Err(_) => Err(FeedError::Panic),
    }
}

fn normalise(feed: feed_rs::model::Feed, feed_url: &str) -> ParsedFeed {
    let base = Url::parse(feed_url).ok();
    let resolve = |href: &str| -> String {
        match &base {
            Some(b) => b
                .join(href.trim())
                .map(|u| u.to_string())
                .unwrap_or_else(|_| href.trim().to_string()),
            None => href.trim().to_string(),
        }
    };
    let items = feed
        .entries
        .iter()
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| e.links.first())
                .map(|l| resolve(&l.href));
            FeedItemMeta {
                feed_url: feed_url.to_string(),
                guid: (!e.id.is_empty()).then(|| e.id.clone()),
                title: e
                    .title
                    .as_ref()
                    .map(|t| t.content.trim().to_string())
                    .filter(|t| !t.is_empty()),
                link,
                published: e.published.or(e.updated),
                updated: e.updated,
                authors: e
                    .authors
                    .iter()
                    .filter_map(|p| p.name.clone())
                    .filter(|n| !n.trim().is_empty())
                    .collect(),
                summary: e.summary.as_ref().map(|s| s.content.clone()),
                categories: e.categories.iter().map(|c| c.term.clone()).collect(),
                language: feed.language.clone(),
            }
        })
        .collect();
    ParsedFeed {
        kind: format!("{:?}", feed.feed_type),
        title: feed.title.map(|t| t.content),
        link: feed.links.first().map(|l| resolve(&l.href)),
        language: feed.language,
        updated: feed.updated,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versionless_rss_and_relative_links() {
        let xml = br#"<?xml version="1.0"?><rss><channel><title>T</title>
            <item><title>A</title><link>articles/a.html</link><guid>a1</guid></item></channel></rss>"#;
        let f = parse_feed(xml, "https://news.example/feed.xml", None).expect("parses");
        assert_eq!(f.items.len(), 1);
        assert_eq!(
            f.items[0].link.as_deref(),
            Some("https://news.example/articles/a.html")
        );
    }

    #[test]
    fn utf16_with_bom_does_not_panic() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Ü</title></channel></rss>";
        let mut bytes = vec![0xff, 0xfe];
        for u in xml.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let f = parse_feed(&bytes, "https://x.example/", None).expect("parses");
        assert_eq!(f.title.as_deref(), Some("Ü"));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_feed(b"\x00\x01 not xml", "https://x.example/", None).is_err());
    }
}
