//! Feed parsing (and a `Link` header's) never panics (libfuzzer's panic hook aborts before our
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
    if let Ok(feed) = news_fetcher::parse_feed(data, base.as_str(), content_type) {
        let _ = feed.items(base.as_str());
        // WebSub's hub and topic, from the feed's links.
        let _ = news_fetcher::websub::hub_of(&feed, &[], &base);
    }
    // The same bytes as a `Link` header, as an answer carries one.
    let _ = news_fetcher::http::link_header(&String::from_utf8_lossy(data), &base);
});
