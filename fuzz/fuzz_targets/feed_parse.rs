//! Feed parsing never panics (libfuzzer's panic hook aborts before our
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
    if let Ok(feed) = news_fetcher::parse_feed(data, "http://example.org/feed/", content_type) {
        let _ = feed.items("http://example.org/feed/");
    }
});
