//! Feed parsing (and a `Link` header's, and the choice among a sitemap
//! index's sitemaps) never panics (libfuzzer's panic hook aborts before our
//! catch_unwind can hide one) and its output always serialises.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the HTTP charset the bytes arrive with.
    let content_type = match data.first().map(|b| b % 4) {
        Some(0) => Some("application/rss+xml; charset=utf-16"),
        Some(1) => Some("text/xml; charset=windows-1251"),
        Some(2) => Some("application/xml"),
        _ => None,
    };
    let base = url::Url::parse("http://example.org/feed/").expect("a URL");
    match news_fetcher::parse_feed(data, base.as_str(), content_type) {
        Ok(feed) => {
            let _ = feed.items(base.as_str());
            // WebSub's hub and topic, from the feed's links.
            let _ = news_fetcher::websub::hub_of(&feed, &[], &base);
        }
        // A sitemap index: which of its sitemaps a subscription follows,
        // and which would replace or retire which.
        Err(news_fetcher::feed::FeedError::SitemapIndex(listed)) => {
            let reading = news_fetcher::sitemap_index::IndexReading::of(&listed, &base);
            if let Some(first) = reading.to_follow.first() {
                let _ = reading.successor_of(first);
                let _ = reading.superseded(&reading.to_follow, Some(first));
            }
        }
        Err(_) => {}
    }
    // The same bytes as a `Link` header, as an answer carries one.
    let _ = news_fetcher::http::link_header(&String::from_utf8_lossy(data), &base);
});
