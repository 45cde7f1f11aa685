//! Sitemaps as feeds (since round 61). Many news sites publish no feed, or
//! a thin one, but keep a Google News sitemap for search engines: a
//! `<urlset>` whose `<url>`s name each article's page (`<loc>`) with its
//! `<news:title>`, `<news:publication_date>` and `<news:language>`. A
//! subscription to one is polled as a feed is. An ordinary sitemap lists
//! every page a site has: it is read as news too, keeping the entries
//! dated within `NEWS_WINDOW` of its newest (a news sitemap holds two days
//! by Google's rules), newest first, so that a subscription takes what
//! changed lately and not the site's archive; one that dates none of its
//! pages says nothing of which are news (`ParsedFeed::is_undated_sitemap`:
//! the poll takes what it first lists as the archive). A sitemap index
//! names other sitemaps, not articles: it is refused with the ones it
//! names and their dates, for the poll to follow (`sitemap_index::
//! IndexReading`) or an operator to subscribe to.

use chrono::{DateTime, Duration, Utc};
use news_core::dates::{parse_date, to_rfc3339};
use news_core::entities::{html_entity, numeric_reference};
use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use url::Url;

use super::{Entry, FeedError, Media, ParsedFeed, Tag};

/// How far back from a sitemap's newest entry the entries are news.
pub const NEWS_WINDOW: Duration = Duration::hours(48);
/// Entries read at most (a sitemap holds at most 50,000 by its protocol).
const MAX_URLS: usize = 50_000;
/// Sitemaps an index's refusal names.
const NAMED_IN_REFUSAL: usize = 3;

/// One `<sitemap>` of an index: where it is and when it last changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListedSitemap {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
}

impl ParsedFeed {
    /// An ordinary sitemap that dates none of its pages (since round 65):
    /// what it says cannot tell its news from its archive.
    pub fn is_undated_sitemap(&self) -> bool {
        self.version == "sitemap"
            && !self.entries.is_empty()
            && self
                .entries
                .iter()
                .all(|e| e.common.updated_parsed.is_none() && e.common.published_parsed.is_none())
    }
}

/// One `<url>` as read.
#[derive(Default)]
struct SitemapUrl {
    loc: Option<String>,
    lastmod: Option<String>,
    title: Option<String>,
    published: Option<String>,
    language: Option<String>,
    publication: Option<String>,
    keywords: Option<String>,
    /// The first image extension's picture of the page.
    image: Option<String>,
}

/// Whether `text` opens with a sitemap's or a sitemap index's root (after
/// the prolog, comments and whitespace).
pub fn is_sitemap(text: &str) -> bool {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return matches!(e.local_name().into_inner(), "urlset" | "sitemapindex");
            }
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Parse a sitemap (or refuse an index). Entries come newest first.
pub fn parse(text: &str, sitemap_url: &str) -> Result<ParsedFeed, FeedError> {
    let base = Url::parse(sitemap_url).ok();
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut path: Vec<String> = Vec::new();
    let mut urls: Vec<SitemapUrl> = Vec::new();
    let mut current: Option<SitemapUrl> = None;
    let mut text_so_far = String::new();
    let mut root: Option<String> = None;
    // An index's sitemaps, for its refusal.
    let mut index: Vec<ListedSitemap> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            // Keep what was read of a broken sitemap, as of a broken feed.
            Err(_) if root.is_some() => break,
            Err(e) => return Err(FeedError::Parse(e.to_string())),
        };
        match event {
            Event::Start(e) => {
                let name = e.local_name().into_inner().to_string();
                root.get_or_insert_with(|| name.clone());
                if name == "url" && path.len() == 1 {
                    current = Some(SitemapUrl::default());
                }
                if name == "sitemap" && path.len() == 1 && index.len() < MAX_URLS {
                    index.push(ListedSitemap::default());
                }
                path.push(name);
                text_so_far.clear();
            }
            // An empty sitemap (`<urlset/>`) lists nothing; it is no error.
            Event::Empty(e) if root.is_none() => {
                root = Some(e.local_name().into_inner().to_string());
            }
            Event::Text(t) => text_so_far.push_str(&t.xml10_content()),
            Event::CData(t) => text_so_far.push_str(&t),
            Event::GeneralRef(r) => {
                let resolved = if r.starts_with('#') {
                    numeric_reference(&r).map(String::from)
                } else {
                    resolve_predefined_entity(&r)
                        .or_else(|| html_entity(&r))
                        .map(str::to_string)
                };
                text_so_far.push_str(&resolved.unwrap_or_default());
            }
            Event::End(_) => {
                let Some(name) = path.pop() else { continue };
                let value = text_so_far.trim().to_string();
                text_so_far.clear();
                let parent = path.last().map(String::as_str);
                if parent == Some("sitemap") && path.len() == 2 {
                    note_listed(&mut index, &name, value);
                    continue;
                }
                match (current.as_mut(), name.as_str()) {
                    (Some(u), "url") if path.len() == 1 => {
                        urls.push(std::mem::take(u));
                        current = None;
                        if urls.len() >= MAX_URLS {
                            break;
                        }
                    }
                    (Some(u), field) => fill(u, parent, field, value),
                    (None, _) => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("urlset") => Ok(feed_of(urls, base.as_ref())),
        Some("sitemapindex") => {
            // A `<sitemap>` with no `loc` lists nothing.
            index.retain(|l| !l.loc.is_empty());
            Err(FeedError::SitemapIndex(index))
        }
        _ => Err(FeedError::Parse("no urlset or sitemapindex root".into())),
    }
}

/// Note one closed element of an index's `<sitemap>`: its `loc` and its
/// `lastmod`, in either order.
fn note_listed(index: &mut [ListedSitemap], field: &str, value: String) {
    let Some(last) = index.last_mut() else { return };
    match field {
        "loc" if last.loc.is_empty() => last.loc = value,
        "lastmod" if last.lastmod.is_none() => last.lastmod = parse_date(&value),
        _ => {}
    }
}

/// Note one closed element of a `<url>`: its own `loc` and `lastmod`, the
/// news extension's fields, and its first image's `loc` (the page's
/// picture; an image's title and a video's fields are not the page's).
fn fill(u: &mut SitemapUrl, parent: Option<&str>, field: &str, value: String) {
    if value.is_empty() {
        return;
    }
    let slot = match (parent, field) {
        (Some("url"), "loc") => &mut u.loc,
        (Some("url"), "lastmod") => &mut u.lastmod,
        (Some("news"), "title") => &mut u.title,
        (Some("news"), "publication_date") => &mut u.published,
        (Some("news"), "keywords") => &mut u.keywords,
        (Some("publication"), "language") => &mut u.language,
        (Some("publication"), "name") => &mut u.publication,
        (Some("image"), "loc") => &mut u.image,
        _ => return,
    };
    slot.get_or_insert(value);
}

/// The entries of a sitemap, newest first: those dated within the window
/// of the newest entry (all of them when none is dated).
fn feed_of(urls: Vec<SitemapUrl>, base: Option<&Url>) -> ParsedFeed {
    let date_of = |u: &SitemapUrl| -> Option<DateTime<Utc>> {
        let published = u.published.as_deref().and_then(parse_date);
        let modified = u.lastmod.as_deref().and_then(parse_date);
        published.max(modified)
    };
    let mut dated: Vec<(Option<DateTime<Utc>>, SitemapUrl)> =
        urls.into_iter().map(|u| (date_of(&u), u)).collect();
    let newest = dated.iter().filter_map(|(d, _)| *d).max();
    if let Some(newest) = newest {
        dated.retain(|(d, _)| d.is_some_and(|d| d >= newest - NEWS_WINDOW));
    }
    dated.sort_by_key(|(date, _)| std::cmp::Reverse(*date));
    let mut feed = ParsedFeed {
        version: if dated.iter().any(|(_, u)| u.published.is_some()) {
            "sitemap-news".into()
        } else {
            "sitemap".into()
        },
        ..ParsedFeed::default()
    };
    feed.feed.common.title = dated.iter().find_map(|(_, u)| u.publication.clone());
    feed.feed.language = dated.iter().find_map(|(_, u)| u.language.clone());
    feed.entries = dated
        .into_iter()
        .filter_map(|(_, u)| entry_of(u, base))
        .collect();
    feed
}

fn entry_of(u: SitemapUrl, base: Option<&Url>) -> Option<Entry> {
    let loc = u.loc?;
    let link = match base {
        Some(b) => b.join(&loc).ok()?.to_string(),
        None => Url::parse(&loc).ok()?.to_string(),
    };
    let mut e = Entry::default();
    e.common.id = Some(link.clone());
    e.common.link = Some(link);
    e.common.title = u.title;
    e.common.published_parsed = u.published.as_deref().and_then(parse_date).map(to_rfc3339);
    e.common.published = u.published;
    e.common.updated_parsed = u.lastmod.as_deref().and_then(parse_date).map(to_rfc3339);
    e.common.updated = u.lastmod;
    let resolved = |loc: &str| match base {
        Some(b) => b.join(loc).ok(),
        None => Url::parse(loc).ok(),
    };
    if let Some(image) = u.image.as_deref().and_then(resolved) {
        e.media_content.push(Media {
            url: image.to_string(),
            medium: Some("image".into()),
            mime: None,
        });
    }
    e.common.tags = u
        .keywords
        .iter()
        .flat_map(|k| k.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|term| Tag {
            term: term.to_string(),
            ..Tag::default()
        })
        .collect();
    Some(e)
}

/// Why an index is no feed: what it names, the first few and the count.
pub(super) fn refusal_of_index(sitemaps: &[ListedSitemap]) -> String {
    let named: Vec<&str> = sitemaps
        .iter()
        .take(NAMED_IN_REFUSAL)
        .map(|s| s.loc.as_str())
        .collect();
    let more = sitemaps.len().saturating_sub(NAMED_IN_REFUSAL);
    format!(
        "a sitemap index, which names sitemaps, not articles: subscribe to the news sitemaps among its {} ({}{})",
        sitemaps.len(),
        named.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
#[path = "sitemap_tests.rs"]
mod tests;
