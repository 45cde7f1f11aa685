//! Feed parsing: RSS 0.90 to 2.0 (with or without a version attribute),
//! RSS 1.0/RDF, Atom 0.3 and 1.0, and JSON Feed 1.x, into one model shaped
//! the way feed readers expect (feedparser's field names, which downstream
//! tools already know).
//!
//! feed-rs was the first layer here, but its model drops what readers need
//! (xml:base and xml:lang per element, content types, Atom 0.3, raw dates),
//! so the XML formats go through our own single streaming pass on quick-xml.
//! HTML inside feeds has its relative URIs resolved and is sanitised.

mod code_pages;
mod decode;
mod items;
mod json;
mod sanitize;
mod sitemap;
mod xml;

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::Serialize;

pub use decode::decode_feed;
pub use news_core::dates::parse_date;
pub use sanitize::sanitize_html;
pub use sitemap::{ListedSitemap, NEWS_WINDOW};

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("not a feed: {0}")]
    Parse(String),
    /// A sitemap index: it names these sitemaps, not articles.
    #[error("not a feed: {}", sitemap::refusal_of_index(.0))]
    SitemapIndex(Vec<ListedSitemap>),
    #[error("feed parser panicked on this document")]
    Panic,
}

/// A text construct: its value plus where it came from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Text {
    pub value: String,
    /// `text/plain`, `text/html` or `application/xhtml+xml` (or another MIME type).
    #[serde(rename = "type")]
    pub mime: String,
    /// Always present: `null` says "no language", which xml:lang="" can mean.
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Atom's out-of-line content: the address of the content itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Link {
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    pub href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hreflang: Option<String>,
}

/// A media file attached to an entry.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Enclosure {
    pub href: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<String>,
}

/// A Media RSS reference (`media:thumbnail`, `media:content`), in
/// feedparser's names; a JSON Feed item's `image` is read as a
/// `media_content` of medium `image`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Media {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
}

/// Media references kept per entry of each kind; a feed lists a few.
pub const MAX_MEDIA_PER_ENTRY: usize = 32;

impl From<&Link> for Enclosure {
    fn from(l: &Link) -> Self {
        Enclosure {
            href: l.href.clone(),
            mime: l.mime.clone(),
            length: l.length.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Person {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

impl Person {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.href.is_none()
    }

    /// "name (email)", or whichever of the two exists.
    fn display(&self) -> Option<String> {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) => Some(format!("{n} ({e})")),
            (Some(n), None) => Some(n.clone()),
            (None, Some(e)) => Some(e.clone()),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Tag {
    pub term: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Fields that feeds and entries share.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Common {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_detail: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights_detail: Option<Text>,
    /// Raw date strings as the feed wrote them; `*_parsed` are RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_parsed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_parsed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_parsed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_parsed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_detail: Option<Person>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Person>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher_detail: Option<Person>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FeedMeta {
    #[serde(flatten)]
    pub common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle_detail: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Link>,
    /// RSS `<ttl>`: minutes the feed may be cached, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// RSS `<skipHours>` and `<skipDays>`: the hours (UTC) and days in
    /// which the publisher asks readers not to poll, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skiphours: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipdays: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub common: Common,
    /// The guid was a permalink and stood in for a missing link.
    pub guidislink: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_detail: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<Enclosure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media_thumbnail: Vec<Media>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media_content: Vec<Media>,
}

/// A feed normalised the way readers expect.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ParsedFeed {
    /// `rss20`, `rss10`, `rss090`, `rss091u`, `atom03`, `atom10`, `json11`, ...
    pub version: String,
    /// The character encoding the bytes were decoded from.
    pub encoding: String,
    pub feed: FeedMeta,
    pub entries: Vec<Entry>,
}

/// Parse a feed document of any supported format. Never panics: a panic in
/// any layer below is caught and reported as an error.
pub fn parse_feed(
    bytes: &[u8],
    feed_url: &str,
    http_content_type: Option<&str>,
) -> Result<ParsedFeed, FeedError> {
    parse_feed_from(
        bytes,
        &FeedSource {
            url: feed_url,
            content_type: http_content_type,
            content_language: None,
        },
    )
}

/// Where a feed document came from: its URL and the HTTP headers that
/// change how it reads.
pub struct FeedSource<'a> {
    pub url: &'a str,
    pub content_type: Option<&'a str>,
    pub content_language: Option<&'a str>,
}

/// [`parse_feed`] with every piece of context.
pub fn parse_feed_from(bytes: &[u8], source: &FeedSource) -> Result<ParsedFeed, FeedError> {
    catch_unwind(AssertUnwindSafe(|| parse_unguarded(bytes, source)))
        .unwrap_or(Err(FeedError::Panic))
}

fn parse_unguarded(bytes: &[u8], source: &FeedSource) -> Result<ParsedFeed, FeedError> {
    let feed_url = source.url;
    let inflated = decode::gunzipped(bytes)
        .transpose()
        .map_err(FeedError::Parse)?;
    // A gzip file's type says nothing of the text inside.
    let (bytes, content_type) = match &inflated {
        Some(inflated) => (inflated.as_slice(), None),
        None => (bytes, source.content_type),
    };
    let mut decoded = decode_feed(bytes, content_type);
    decoded.language = source
        .content_language
        .and_then(|l| l.split(',').next())
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    let head = decoded
        .text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let mut feed = if head.starts_with('{') {
        json::parse(head, feed_url)?
    } else if sitemap::is_sitemap(head) {
        sitemap::parse(head, feed_url)?
    } else {
        xml::parse(&decoded.text, feed_url, decoded.language.as_deref())?
    };
    feed.encoding = decoded.encoding;
    Ok(feed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_served_as_a_gzip_file_is_inflated_within_its_bound() {
        use std::io::Write;
        let gzip = |bytes: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(bytes).unwrap();
            gz.finish().unwrap()
        };
        let sitemap = br#"<?xml version="1.0" encoding="UTF-8"?><urlset
            xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>
            <loc>https://news.example/2024/quake</loc><news:news>
            <news:publication_date>2024-06-02T10:00:00Z</news:publication_date>
            <news:title>Quake jolts the coast</news:title></news:news></url></urlset>"#;
        let url = "https://news.example/news-sitemap.xml.gz";
        let feed = parse_feed(&gzip(sitemap), url, Some("application/x-gzip")).expect("inflated");
        assert_eq!(feed.version, "sitemap-news");
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(
            feed.entries[0].common.title.as_deref(),
            Some("Quake jolts the coast")
        );
        // A bomb stops at the bound; a cut file is an error, not a panic.
        let bomb = gzip(&vec![b' '; decode::MAX_INFLATED_BYTES as usize + 1]);
        assert!(bomb.len() < 100_000);
        let error = parse_feed(&bomb, url, None).unwrap_err().to_string();
        assert!(error.contains("inflates to more than 32 MiB"), "{error}");
        let cut = gzip(sitemap);
        let error = parse_feed(&cut[..cut.len() / 2], url, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("does not inflate"), "{error}");
    }

    #[test]
    fn versionless_rss_and_relative_links() {
        let xml = br#"<?xml version="1.0"?><rss><channel><title>T</title>
            <item><title>A</title><link>articles/a.html</link><guid>a1</guid></item></channel></rss>"#;
        let f = parse_feed(xml, "https://news.example/feed.xml", None).expect("parses");
        let items = f.items("https://news.example/feed.xml");
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].link.as_deref(),
            Some("https://news.example/articles/a.html")
        );
        assert_eq!(f.version, "rss");
    }

    /// A permalink guid is the item's URL: a relative one is resolved
    /// against its base (xml:base, else the feed's URL), as feed readers
    /// do, so that an item with no link still names a page that can be
    /// fetched. Opaque ids, bare words and absolute ids stay as written.
    #[test]
    fn relative_permalink_guids_and_ids_are_resolved_and_opaque_ones_kept() {
        let xml = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>A</title><guid>/2024/06/a-story</guid></item>
            <item xml:base="https://cdn.example/news/"><title>B</title><guid>2024/b.html</guid></item>
            <item><title>C</title><guid>sections/c.html</guid><link>https://news.example/c</link></item>
            <item><title>D</title><guid isPermaLink="false">/opaque/4</guid><link>/d</link></item>
            <item><title>E</title><guid>12345</guid><link>/e</link></item>
            <item><title>F</title><guid>tag:news.example,2024:F ü</guid><link>/f</link></item>
            </channel></rss>"#;
        let f =
            parse_feed(xml.as_bytes(), "https://news.example/feeds/rss.xml", None).expect("parses");
        let items = f.items("https://news.example/feeds/rss.xml");
        let got: Vec<(Option<&str>, Option<&str>)> = items
            .iter()
            .map(|i| (i.guid.as_deref(), i.link.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("https://news.example/2024/06/a-story"),
                    Some("https://news.example/2024/06/a-story")
                ),
                (
                    Some("https://cdn.example/news/2024/b.html"),
                    Some("https://cdn.example/news/2024/b.html")
                ),
                (
                    Some("https://news.example/feeds/sections/c.html"),
                    Some("https://news.example/c")
                ),
                (Some("/opaque/4"), Some("https://news.example/d")),
                (Some("12345"), Some("https://news.example/e")),
                (
                    Some("tag:news.example,2024:F ü"),
                    Some("https://news.example/f")
                ),
            ]
        );
        assert!(f.entries[0].guidislink && !f.entries[2].guidislink);
        // Atom's id is resolved the same way (Atom 0.3 feeds wrote paths).
        let atom = br#"<feed version="0.3" xmlns="http://purl.org/atom/ns#">
            <id>/feeds/all</id><entry><id>/relative/link</id></entry>
            <entry><id>right</id></entry></feed>"#;
        let f = parse_feed(atom, "https://news.example/atom.xml", None).expect("parses");
        assert_eq!(
            f.feed.common.id.as_deref(),
            Some("https://news.example/feeds/all")
        );
        assert_eq!(
            f.entries[0].common.id.as_deref(),
            Some("https://news.example/relative/link")
        );
        assert_eq!(f.entries[1].common.id.as_deref(), Some("right"));
    }

    #[test]
    fn utf16_with_bom_does_not_panic() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Ü</title></channel></rss>";
        let mut bytes = vec![0xff, 0xfe];
        for u in xml.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let f = parse_feed(&bytes, "https://x.example/", None).expect("parses");
        assert_eq!(f.feed.common.title.as_deref(), Some("Ü"));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_feed(b"\x00\x01 not xml", "https://x.example/", None).is_err());
        assert!(parse_feed(b"", "https://x.example/", None).is_err());
    }

    #[test]
    fn atom03_entries_are_read() {
        let xml = br#"<feed version="0.3" xmlns="http://purl.org/atom/ns#">
            <title>Old</title><tagline>Sub</tagline>
            <entry><title>E</title><link rel="alternate" type="text/html" href="/e1"/>
            <id>tag:x,2004:1</id><issued>2004-01-01T10:00:00Z</issued>
            <content type="text/html" mode="escaped">&lt;p&gt;Hi&lt;/p&gt;</content></entry></feed>"#;
        let f = parse_feed(xml, "https://x.example/feed", None).expect("parses");
        assert_eq!(f.version, "atom03");
        assert_eq!(f.feed.subtitle.as_deref(), Some("Sub"));
        let e = &f.entries[0];
        assert_eq!(e.common.link.as_deref(), Some("https://x.example/e1"));
        assert_eq!(
            e.common.published_parsed.as_deref(),
            Some("2004-01-01T10:00:00Z")
        );
        assert_eq!(e.content[0].value, "<p>Hi</p>");
    }

    #[test]
    fn scripts_in_summaries_are_removed() {
        let xml = br#"<rss version="2.0"><channel><item><title>x</title>
            <description>&lt;p onclick="evil()"&gt;ok&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description>
            </item></channel></rss>"#;
        let f = parse_feed(xml, "https://x.example/", None).expect("parses");
        assert_eq!(f.entries[0].summary.as_deref(), Some("<p>ok</p>"));
    }

    #[test]
    fn double_encoded_titles_and_windows_1252_controls_are_repaired() {
        // A title double-encoded by the feed's CMS, the same written as
        // character references, and a Latin-1 reading of windows-1252.
        let xml = "<rss version=\"2.0\"><channel>\
            <item><title>Mayorâ€™s office: bridge wonâ€™t reopen</title></item>\
            <item><title>Mayor&#226;&#128;&#153;s office</title></item>\
            <item><title>don\u{92}t</title><description>a &amp;#147;quote&amp;#148;</description></item>\
            </channel></rss>";
        let f = parse_feed(xml.as_bytes(), "https://x.example/", None).expect("parses");
        let titles: Vec<_> = f
            .entries
            .iter()
            .map(|e| e.common.title.as_deref())
            .collect();
        assert_eq!(
            titles,
            [
                Some("Mayor’s office: bridge won’t reopen"),
                Some("Mayor’s office"),
                Some("don’t")
            ]
        );
        assert_eq!(
            f.entries[2].summary.as_deref(),
            Some("a &#x201c;quote&#x201d;")
        );
    }

    #[test]
    fn out_of_line_content_points_at_the_page_when_there_is_no_link() {
        let xml = br#"<feed xmlns="http://www.w3.org/2005/Atom">
            <entry><id>a</id><title>A</title><content type="html" src="/stories/a.html"/></entry>
            <entry><id>b</id><title>B</title><link href="/stories/b.html"/>
              <content type="html" src="/elsewhere/b"/></entry>
            <entry><id>c</id><title>C</title><content type="video/mp4" src="/c.mp4"/></entry>
            </feed>"#;
        let f = parse_feed(xml, "https://x.example/feed", None).expect("parses");
        let links: Vec<_> = f
            .items("https://x.example/feed")
            .into_iter()
            .map(|i| i.link)
            .collect();
        assert_eq!(
            links,
            [
                Some("https://x.example/stories/a.html".to_string()),
                Some("https://x.example/stories/b.html".to_string()),
                None
            ]
        );
        assert_eq!(
            f.entries[2].content[0].src.as_deref(),
            Some("https://x.example/c.mp4")
        );
    }

    #[test]
    fn html_named_and_numeric_references_read_as_their_characters() {
        // HTML's names in text, in an attribute, and inside escaped HTML,
        // and a hexadecimal reference with a capital X.
        let xml = br#"<rss version="2.0"><channel><item>
            <title>&alpha; and &Scaron;koda &#X41;</title>
            <category domain="&OElig;uvre">&beta;</category>
            <description>&lt;img alt="&amp;Omega;" src="/a.png"&gt;</description>
            </item></channel></rss>"#;
        let f = parse_feed(xml, "https://x.example/", None).expect("parses");
        let entry = &f.entries[0];
        assert_eq!(entry.common.title.as_deref(), Some("α and Škoda A"));
        assert_eq!(entry.common.tags[0].term, "β");
        assert_eq!(entry.common.tags[0].scheme.as_deref(), Some("Œuvre"));
        assert_eq!(
            entry.summary.as_deref(),
            Some(r#"<img alt="Ω" src="https://x.example/a.png" />"#)
        );
    }

    #[test]
    fn markup_written_late_keeps_what_came_before_the_first_child() {
        // Text, an escaped sign, an entity we do not expand, then a child
        // element: the markup starts at the child but must hold all of it.
        let xml = br#"<rss version="2.0"><channel><item>
            <description>AT&amp;T &bogus; said <b>yes</b> &lt;3</description>
            <title>Plain &amp; simple</title>
            </item></channel></rss>"#;
        let f = parse_feed(xml, "https://x.example/", None).expect("parses");
        assert_eq!(
            f.entries[0].summary.as_deref(),
            Some("AT&amp;T &bogus; said <b>yes</b> &lt;3")
        );
        assert_eq!(f.entries[0].common.title.as_deref(), Some("Plain & simple"));
    }
}
