//! A parsed feed's entries as the items the pipeline carries on
//! `news.raw.v1`.

use std::collections::HashMap;

use super::{Common, Entry, ParsedFeed};
use news_core::messages::FeedItemMeta;

impl ParsedFeed {
    /// The items in the shape the pipeline carries on `news.raw.v1`.
    pub fn items(&self, feed_url: &str) -> Vec<FeedItemMeta> {
        let mut items: Vec<FeedItemMeta> = self
            .entries
            .iter()
            .map(|e| FeedItemMeta {
                feed_url: feed_url.to_string(),
                guid: e.common.id.clone(),
                title: e.common.title.clone().filter(|t| !t.is_empty()),
                // An entry with no link may still point at its page as
                // out-of-line content, or (a JSON Feed's link post) as the
                // page it is about.
                link: e
                    .common
                    .link
                    .clone()
                    .or_else(|| {
                        e.content
                            .iter()
                            .filter(|c| c.mime == "text/html" || c.mime == "application/xhtml+xml")
                            .find_map(|c| c.src.clone())
                    })
                    .or_else(|| {
                        self.version
                            .starts_with("json")
                            .then(|| e.common.links.iter().find(|l| l.rel == "related"))
                            .flatten()
                            .map(|l| l.href.clone())
                    }),
                published: rfc3339(&e.common.published_parsed)
                    .or_else(|| rfc3339(&e.common.updated_parsed)),
                updated: rfc3339(&e.common.updated_parsed),
                authors: authors(&e.common),
                summary: e.summary.clone(),
                content: full_content(e),
                categories: e.common.tags.iter().map(|t| t.term.clone()).collect(),
                language: e
                    .summary_detail
                    .as_ref()
                    .and_then(|d| d.language.clone())
                    .or_else(|| self.feed.language.clone()),
                image: item_image(e),
            })
            .collect();
        drop_shared(&mut items, Text::Summary);
        drop_shared(&mut items, Text::Content);
        items
    }
}

/// The texts an item carries beside its headline.
#[derive(Clone, Copy)]
enum Text {
    Summary,
    Content,
}

impl Text {
    fn of(self, item: &FeedItemMeta) -> Option<&str> {
        match self {
            Text::Summary => item.summary.as_deref(),
            Text::Content => item.content.as_deref(),
        }
    }

    fn clear(self, item: &mut FeedItemMeta) {
        match self {
            Text::Summary => item.summary = None,
            Text::Content => item.content = None,
        }
    }
}

/// Drops a text the feed gives to items with other links too ("Subscribe
/// to read the full story", a site's standing blurb): it is the feed's, not
/// the item's, and the cleaner, which reads it for a page with no text,
/// would make one story of them all.
fn drop_shared(items: &mut [FeedItemMeta], text: Text) {
    let mut first_link: HashMap<&str, (Option<&str>, bool)> = HashMap::new();
    for item in items.iter() {
        if let Some(t) = text.of(item).map(str::trim).filter(|t| !t.is_empty()) {
            let (link, shared) = first_link.entry(t).or_insert((item.link.as_deref(), false));
            *shared |= *link != item.link.as_deref();
        }
    }
    let shared: Vec<bool> = items
        .iter()
        .map(|item| {
            text.of(item)
                .is_some_and(|t| first_link.get(t.trim()).is_some_and(|s| s.1))
        })
        .collect();
    for (item, shared) in items.iter_mut().zip(shared) {
        if shared {
            text.clear(item);
        }
    }
}

/// Longest image URL carried: beyond it a URL is a data blob, not a link.
const MAX_IMAGE_URL_BYTES: usize = 2048;

/// An entry's picture: its Media RSS thumbnail, else an image among its
/// media contents or enclosures. Only a web address (no `data:` URL).
fn item_image(e: &Entry) -> Option<String> {
    let is_image = |medium: Option<&str>, mime: Option<&str>| {
        medium.is_some_and(|m| m.eq_ignore_ascii_case("image"))
            || mime.is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"))
    };
    e.media_thumbnail
        .iter()
        .map(|m| &m.url)
        .chain(
            e.media_content
                .iter()
                .filter(|m| is_image(m.medium.as_deref(), m.mime.as_deref()))
                .map(|m| &m.url),
        )
        .chain(
            e.enclosures
                .iter()
                .filter(|en| is_image(None, en.mime.as_deref()))
                .map(|en| &en.href),
        )
        .find(|u| {
            u.len() <= MAX_IMAGE_URL_BYTES
                && url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"))
        })
        .cloned()
}

/// Bytes of an entry's content carried on `news.raw.v1`: a feed's full
/// text is rarely over 100 KiB, and the page beside it is what the
/// message's size is for.
pub const MAX_CONTENT_BYTES: usize = 256 * 1024;

/// An entry's inline content, the longest of its text ones, when it is more
/// than its summary (a feed with no description gives its content as the
/// summary too, and the item carries it once).
fn full_content(e: &Entry) -> Option<String> {
    let longest = e
        .content
        .iter()
        .filter(|c| c.src.is_none() && (c.mime.starts_with("text/") || c.mime.contains("xhtml")))
        .map(|c| c.value.trim())
        .filter(|v| !v.is_empty())
        .max_by_key(|v| v.len())?;
    if e.summary.as_deref().map(str::trim) == Some(longest) {
        return None;
    }
    Some(longest[..longest.floor_char_boundary(MAX_CONTENT_BYTES)].to_string())
}

fn rfc3339(s: &Option<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    s.as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.to_utc())
}

fn authors(c: &Common) -> Vec<String> {
    let mut out: Vec<String> = c
        .authors
        .iter()
        .filter_map(|p| p.name.clone().or_else(|| p.email.clone()))
        .collect();
    if out.is_empty() {
        out.extend(c.author.clone());
    }
    out
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
