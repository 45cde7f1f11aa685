//! Feed discovery: from a site URL, the feeds it announces through
//! `<link rel="alternate">` (and feed-looking `<a>` links), then the common
//! paths, then the news sitemaps its robots.txt names (since round 61). The
//! page parsing is pure; `discover_feeds` does the I/O.

use scraper::{Html, Selector};
use url::Url;

use crate::feed::FeedError;
use crate::http::{FetchError, HttpClient};
use crate::sitemap_index::IndexReading;

/// Paths that commonly serve a site's main feed, tried when the page
/// announces none.
pub const COMMON_FEED_PATHS: &[&str] = &[
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed/",
    "/rss/",
    "/feeds/posts/default",
    "/?feed=rss2",
    "/feed.json",
];

/// At most this many candidates are taken from one page.
const MAX_CANDIDATES: usize = 32;

const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "text/xml",
];

/// Feed URLs announced by an HTML page, in page order, announced
/// `<link rel=alternate>` ones first, without duplicates.
pub fn feed_links(html: &str, page_url: &Url) -> Vec<Url> {
    let doc = Html::parse_document(html);
    let base = Selector::parse("base[href]")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut found: Vec<Url> = Vec::new();
    let mut push = |href: &str| {
        if let Ok(u) = base.join(href.trim())
            && matches!(u.scheme(), "http" | "https")
            && !found.contains(&u)
            && found.len() < MAX_CANDIDATES
        {
            found.push(u);
        }
    };
    if let Ok(links) = Selector::parse("link[href]") {
        for link in doc.select(&links) {
            let el = link.value();
            let rel = el.attr("rel").unwrap_or("").to_ascii_lowercase();
            let kind = el.attr("type").unwrap_or("").trim().to_ascii_lowercase();
            let is_alternate = rel.split_ascii_whitespace().any(|r| r == "alternate");
            // A JSON alternate is only a feed when it says so; plain JSON
            // alternates are often oEmbed or API documents.
            let is_feed_type = FEED_TYPES.contains(&kind.as_str())
                && (kind != "application/json" || el.attr("title").is_some());
            if is_alternate && is_feed_type {
                push(el.attr("href").unwrap_or(""));
            }
        }
    }
    if let Ok(anchors) = Selector::parse("a[href]") {
        for a in doc.select(&anchors) {
            let href = a.value().attr("href").unwrap_or("");
            let lower = href.to_ascii_lowercase();
            let path = lower.split(['?', '#']).next().unwrap_or("");
            let looks_like_feed = path.ends_with(".rss")
                || path.ends_with("/rss")
                || path.ends_with("/feed")
                || path.ends_with("/atom.xml")
                || path.ends_with("/rss.xml")
                || path.ends_with("/feed.xml");
            if looks_like_feed {
                push(href);
            }
        }
    }
    found
}

/// The common feed paths on `site`'s origin.
pub fn common_paths(site: &Url) -> Vec<Url> {
    COMMON_FEED_PATHS
        .iter()
        .filter_map(|p| site.join(p).ok())
        .collect()
}

/// Candidates checked per discovery, so a page full of links stays cheap.
const MAX_PROBES: usize = 8;

/// The feeds of `site`: the URL itself when it is a feed, else the feeds its
/// page announces, else those at the common paths. Every result was fetched
/// and parsed as a feed.
pub async fn discover_feeds(client: &HttpClient, site: &Url) -> Result<Vec<Url>, FetchError> {
    let page = client.get(site, None, "discover").await?;
    if page.status != 200 {
        return Err(FetchError::Status(page.status));
    }
    if is_feed(&page) {
        return Ok(vec![page.final_url]);
    }
    let html = String::from_utf8_lossy(&page.body);
    let mut found = Vec::new();
    for candidate in feed_links(&html, &page.final_url)
        .into_iter()
        .take(MAX_PROBES)
    {
        probe(client, &candidate, &mut found).await;
    }
    if found.is_empty() {
        for candidate in common_paths(&page.final_url) {
            probe(client, &candidate, &mut found).await;
            if !found.is_empty() {
                break;
            }
        }
    }
    if found.is_empty() {
        news_sitemaps(client, &page.final_url, &mut found).await;
    }
    Ok(found)
}

/// The `Sitemap:` lines of a robots.txt, resolved against its URL, in
/// order, without duplicates (at most `MAX_CANDIDATES`).
pub fn sitemap_lines(robots_txt: &str, robots_url: &Url) -> Vec<Url> {
    let mut found: Vec<Url> = Vec::new();
    for line in robots_txt.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("sitemap")
            && let Ok(u) = robots_url.join(value.split('#').next().unwrap_or("").trim())
            && matches!(u.scheme(), "http" | "https")
            && !found.contains(&u)
            && found.len() < MAX_CANDIDATES
        {
            found.push(u);
        }
    }
    found
}

/// For a site with no feed: the news sitemaps its robots.txt names, or
/// that a sitemap index it names lists with "news" in their URL, or (since
/// round 65) an index that lists none but has sitemaps of articles,
/// which a subscription follows (`IndexReading`). An ordinary sitemap is
/// no news source to offer.
async fn news_sitemaps(client: &HttpClient, site: &Url, found: &mut Vec<Url>) {
    let Ok(robots_url) = site.join("/robots.txt") else {
        return;
    };
    let Ok(robots) = client.get(&robots_url, None, "discover").await else {
        return;
    };
    if robots.status != 200 {
        return;
    }
    let mut queue: std::collections::VecDeque<Url> =
        sitemap_lines(&String::from_utf8_lossy(&robots.body), &robots.final_url).into();
    for _ in 0..MAX_PROBES {
        let Some(candidate) = queue.pop_front() else {
            break;
        };
        let Ok(f) = client.get(&candidate, None, "discover").await else {
            continue;
        };
        if f.status != 200 {
            continue;
        }
        match crate::feed::parse_feed(&f.body, f.final_url.as_str(), f.content_type.as_deref()) {
            Ok(p) if p.version == "sitemap-news" && !found.contains(&f.final_url) => {
                found.push(f.final_url);
            }
            Err(FeedError::SitemapIndex(sitemaps)) => {
                let reading = IndexReading::of(&sitemaps, &f.final_url);
                // An index of articles' sitemaps (round 65; since round 67
                // also one that dates none): a subscription to the index
                // follows those that change.
                if reading.news.is_empty()
                    && !reading.to_follow.is_empty()
                    && !found.contains(&f.final_url)
                {
                    found.push(f.final_url);
                }
                queue.extend(reading.news);
            }
            Ok(_) | Err(_) => {}
        }
    }
}

async fn probe(client: &HttpClient, candidate: &Url, found: &mut Vec<Url>) {
    if let Ok(f) = client.get(candidate, None, "discover").await
        && f.status == 200
        && is_feed(&f)
        && !found.contains(&f.final_url)
    {
        found.push(f.final_url);
    }
}

fn is_feed(f: &crate::http::Fetched) -> bool {
    crate::feed::parse_feed(&f.body, f.final_url.as_str(), f.content_type.as_deref())
        .is_ok_and(|p| !p.version.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternate_links_come_first_and_resolve_against_base() {
        let page = Url::parse("https://news.example/world/").unwrap();
        let html = r#"<html><head><base href="https://news.example/">
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="application/rss+xml" href="rss/world.xml">
            <link rel="Alternate" type="application/atom+xml" href="https://news.example/atom">
            <link rel="alternate" type="application/json" href="/wp-json/oembed">
            <link rel="alternate" hreflang="de" href="/de/">
            </head><body><a href="/rss">RSS</a><a href="/about">About</a>
            <a href="rss/world.xml">dup</a><a href="javascript:feed()">x</a></body></html>"#;
        let got: Vec<String> = feed_links(html, &page)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            got,
            [
                "https://news.example/rss/world.xml",
                "https://news.example/atom",
                "https://news.example/rss"
            ]
        );
        assert!(feed_links("\u{0}<<<>>>", &page).is_empty());
        assert_eq!(common_paths(&page)[0].as_str(), "https://news.example/feed");
    }

    #[test]
    fn robots_txt_names_its_sitemaps() {
        let robots = Url::parse("https://news.example/robots.txt").unwrap();
        let txt = "User-agent: *\nDisallow: /private/\nSitemap: https://news.example/news.xml\n\
            SITEMAP:/sitemap_index.xml # every sitemap\nsitemap: https://news.example/news.xml\n\
            Sitemap: ftp://news.example/x.xml\nNoSitemap: /nope.xml\n";
        let got: Vec<String> = sitemap_lines(txt, &robots)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            got,
            [
                "https://news.example/news.xml",
                "https://news.example/sitemap_index.xml"
            ]
        );
    }
}
