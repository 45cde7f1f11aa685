//! JSON Feed 1.0 and 1.1 (<https://www.jsonfeed.org/version/1.1/>).

use news_core::mojibake::repair_text;
use serde::Deserialize;
use std::borrow::Cow;
use url::Url;

use super::sanitize::sanitize_html;
use super::{Entry, FeedError, Link, Media, ParsedFeed, Person, Tag, Text};
use news_core::dates::{parse_date, to_rfc3339};

#[derive(Deserialize)]
struct JsonFeed {
    version: String,
    title: Option<String>,
    home_page_url: Option<String>,
    feed_url: Option<String>,
    description: Option<String>,
    language: Option<String>,
    author: Option<JsonAuthor>,
    #[serde(default)]
    authors: Vec<JsonAuthor>,
    #[serde(default)]
    items: Vec<JsonItem>,
}

#[derive(Deserialize)]
struct JsonAuthor {
    name: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct JsonItem {
    id: Option<serde_json::Value>,
    url: Option<String>,
    external_url: Option<String>,
    title: Option<String>,
    content_html: Option<String>,
    content_text: Option<String>,
    summary: Option<String>,
    date_published: Option<String>,
    date_modified: Option<String>,
    author: Option<JsonAuthor>,
    #[serde(default)]
    authors: Vec<JsonAuthor>,
    #[serde(default)]
    tags: Vec<String>,
    language: Option<String>,
    #[serde(default)]
    attachments: Vec<JsonAttachment>,
    image: Option<String>,
}

#[derive(Deserialize)]
struct JsonAttachment {
    url: String,
    mime_type: Option<String>,
    title: Option<String>,
    size_in_bytes: Option<u64>,
}

/// Text as its writer meant it (see [`repair_text`]).
fn repaired(s: String) -> String {
    match repair_text(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(fixed) => fixed,
    }
}

fn person(a: JsonAuthor) -> Person {
    Person {
        name: a.name,
        email: None,
        href: a.url,
    }
}

fn plain(value: String, language: Option<String>) -> Text {
    Text {
        value,
        mime: "text/plain".into(),
        language,
        base: None,
        src: None,
    }
}

pub fn parse(text: &str, feed_url: &str) -> Result<ParsedFeed, FeedError> {
    let jf: JsonFeed = serde_json::from_str(text).map_err(|e| FeedError::Parse(e.to_string()))?;
    let version = match jf.version.trim_end_matches('/').rsplit('/').next() {
        Some("1") => "json1",
        Some("1.1") => "json11",
        _ => {
            return Err(FeedError::Parse(format!(
                "unknown JSON Feed version {}",
                jf.version
            )));
        }
    };
    let base = Url::parse(feed_url).ok();
    let abs = |u: &str| match &base {
        Some(b) => b
            .join(u)
            .map(|x| x.to_string())
            .unwrap_or_else(|_| u.to_string()),
        None => u.to_string(),
    };
    let mut out = ParsedFeed {
        version: version.into(),
        ..ParsedFeed::default()
    };
    let feed = &mut out.feed;
    feed.language = jf.language.clone();
    if let Some(t) = jf.title.map(repaired) {
        feed.common.title_detail = Some(plain(t.clone(), jf.language.clone()));
        feed.common.title = Some(t);
    }
    if let Some(home) = &jf.home_page_url {
        feed.common.link = Some(abs(home));
    }
    feed.common
        .links
        .extend(jf.home_page_url.iter().map(|h| Link {
            rel: "alternate".into(),
            mime: Some("text/html".into()),
            href: abs(h),
            ..Link::default()
        }));
    feed.common.links.extend(jf.feed_url.iter().map(|h| Link {
        rel: "self".into(),
        href: abs(h),
        ..Link::default()
    }));
    if let Some(d) = jf.description.map(repaired) {
        feed.subtitle_detail = Some(plain(d.clone(), jf.language.clone()));
        feed.subtitle = Some(d);
    }
    feed.common.authors = jf
        .authors
        .into_iter()
        .chain(jf.author)
        .map(person)
        .collect();
    feed.common.author_detail = feed.common.authors.first().cloned();
    feed.common.author = feed.common.authors.first().and_then(|p| p.name.clone());

    for item in jf.items {
        let mut e = Entry::default();
        e.common.id = item.id.map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        e.common.link = item.url.as_deref().map(abs);
        e.common.links.extend(e.common.link.iter().map(|h| Link {
            rel: "alternate".into(),
            mime: Some("text/html".into()),
            href: h.clone(),
            ..Link::default()
        }));
        e.common
            .links
            .extend(item.external_url.as_deref().map(|h| Link {
                rel: "related".into(),
                href: abs(h),
                ..Link::default()
            }));
        let lang = item.language.or_else(|| jf.language.clone());
        if let Some(t) = item.title.map(repaired) {
            e.common.title_detail = Some(plain(t.clone(), lang.clone()));
            e.common.title = Some(t);
        }
        if let Some(html) = item.content_html.map(repaired) {
            e.content.push(Text {
                value: sanitize_html(&html, base.as_ref()),
                mime: "text/html".into(),
                language: lang.clone(),
                base: None,
                src: None,
            });
        }
        if let Some(text) = item.content_text.map(repaired) {
            e.content.push(plain(text, lang.clone()));
        }
        if let Some(s) = item.summary.map(repaired) {
            e.summary_detail = Some(plain(s.clone(), lang.clone()));
            e.summary = Some(s);
        }
        e.common.published_parsed = item
            .date_published
            .as_deref()
            .and_then(parse_date)
            .map(to_rfc3339);
        e.common.published = item.date_published;
        e.common.updated_parsed = item
            .date_modified
            .as_deref()
            .and_then(parse_date)
            .map(to_rfc3339);
        e.common.updated = item.date_modified;
        e.common.authors = item
            .authors
            .into_iter()
            .chain(item.author)
            .map(person)
            .collect();
        e.common.author_detail = e.common.authors.first().cloned();
        e.common.author = e.common.authors.first().and_then(|p| p.name.clone());
        e.common.tags = item
            .tags
            .into_iter()
            .map(|term| Tag {
                term,
                scheme: None,
                label: None,
            })
            .collect();
        if let Some(image) = item.image.filter(|i| !i.trim().is_empty()) {
            e.media_content.push(Media {
                url: abs(image.trim()),
                medium: Some("image".into()),
                mime: None,
            });
        }
        for a in item.attachments {
            let link = Link {
                rel: "enclosure".into(),
                mime: a.mime_type,
                href: abs(&a.url),
                title: a.title,
                length: a.size_in_bytes.map(|n| n.to_string()),
                hreflang: None,
            };
            e.common.links.push(link.clone());
            e.enclosures.push((&link).into());
        }
        out.entries.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_feed_items_and_attachments() {
        let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J",
            "home_page_url":"https://j.example/","items":[{"id":1,"url":"/a",
            "title":"A","content_html":"<p>x<script>y</script></p>",
            "date_published":"2024-06-01T10:00:00+02:00",
            "attachments":[{"url":"/a.mp3","mime_type":"audio/mpeg","size_in_bytes":10}]}]}"#;
        let f = parse(doc, "https://j.example/feed.json").expect("parses");
        assert_eq!(f.version, "json11");
        let e = &f.entries[0];
        assert_eq!(e.common.id.as_deref(), Some("1"));
        assert_eq!(e.common.link.as_deref(), Some("https://j.example/a"));
        assert_eq!(e.content[0].value, "<p>x</p>");
        assert_eq!(
            e.common.published_parsed.as_deref(),
            Some("2024-06-01T08:00:00Z")
        );
        assert_eq!(e.enclosures[0].length.as_deref(), Some("10"));
    }

    /// A link post names the page it is about in `external_url` alone:
    /// that page is the item's article. An item with its own `url` keeps it.
    #[test]
    fn a_link_posts_external_url_is_its_article() {
        let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J",
            "items":[{"id":"1","external_url":"https://elsewhere.example/story",
            "content_text":"Worth a read."},
            {"id":"2","url":"/2","external_url":"https://elsewhere.example/other",
            "content_text":"Our take."}]}"#;
        let f = parse(doc, "https://j.example/feed.json").expect("parses");
        assert_eq!(f.entries[0].common.link, None, "as feedparser reads it");
        let links: Vec<Option<String>> = f
            .items("https://j.example/feed.json")
            .into_iter()
            .map(|i| i.link)
            .collect();
        assert_eq!(
            links,
            [
                Some("https://elsewhere.example/story".to_string()),
                Some("https://j.example/2".to_string())
            ]
        );
    }

    #[test]
    fn other_json_is_not_a_feed() {
        assert!(parse(r#"{"version":"9"}"#, "https://j.example/").is_err());
        assert!(parse("{", "https://j.example/").is_err());
    }
}
