//! Main-content extraction and the fetcher's meta-refresh reading never
//! panic, on HTML or plain text, valid UTF-8 or not; and the pass before html5ever leaves the parsed page
//! unchanged apart from what it cuts (script and style bodies, unread
//! attributes, unread `<link>`s and `<meta>`s, icons' insides, comment
//! text, indentation).
#![no_main]
use libfuzzer_sys::fuzz_target;
use news_cleaner::prepass::{outline, prepare};
use news_cleaner::{Limits, extract_html, extract_plain};

fuzz_target!(|data: &[u8]| {
    let (text, _) = news_core::charset::decode_html(data, None);
    let limits = Limits::default();
    let html = extract_html(&text, limits);
    let _ = news_cleaner::word_count(&html.text);
    let _ = extract_plain(&text, limits);
    let page_url = url::Url::parse("https://news.example/go/1").expect("a URL");
    let _ = news_fetcher::refresh::refresh_target(&text, &page_url);
    assert_eq!(outline(&prepare(&text, usize::MAX)), outline(&text));
});
