//! A feed item that changes has its page asked for again (a revision), and
//! since round 67 conditionally, with the validators of its last fetch: a
//! feed that restamps an item whose page did not change has that page
//! answer 304 and nothing published, while a page that did change is
//! published again. Against a real loopback site and a running fetcher.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use news_core::bus::Bus;
use news_core::config::FeedPollBounds;
use news_fetcher::Fetcher;
use tokio_util::sync::CancellationToken;

mod common;
use common::{config, read_all, reply, serve};

/// A page request: the If-None-Match it carried, and the answer's status.
type Asked = (Option<String>, u16);

#[tokio::test]
async fn a_restamped_item_whose_page_did_not_change_is_not_published_again() {
    let feed_reads = Arc::new(AtomicUsize::new(0));
    let asked: Arc<Mutex<Vec<Asked>>> = Arc::default();
    let (reads, log) = (feed_reads.clone(), asked.clone());
    let (addr, _) = serve(Arc::new(move |path: &str, head: &str| {
        let ok = |headers: &[(&str, &str)], body: &[u8]| (reply("200 OK", headers, body), Duration::ZERO);
        match path {
            "/feed.xml" => {
                // The entry restamped at every answer.
                let n = reads.fetch_add(1, Ordering::SeqCst);
                let feed = format!(
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\
                     <entry><id>tag:site,2024:story</id><title>Harbour plan</title>\
                     <link href=\"/story\"/><updated>2024-06-02T10:{:02}:00Z</updated></entry></feed>",
                    n % 60
                );
                ok(&[("Content-Type", "application/atom+xml")], feed.as_bytes())
            }
            "/story" => {
                // The page changes once, after the feed's third answer.
                let version = if reads.load(Ordering::SeqCst) > 3 { "v2" } else { "v1" };
                let etag = format!("\"{version}\"");
                let sent = head.lines().find_map(|l| {
                    let l = l.to_ascii_lowercase();
                    l.strip_prefix("if-none-match: ").map(str::to_string)
                });
                let unchanged = sent.as_deref() == Some(etag.as_str());
                log.lock().unwrap().push((sent, if unchanged { 304 } else { 200 }));
                if unchanged {
                    return (reply("304 Not Modified", &[("ETag", &etag)], b""), Duration::ZERO);
                }
                let body = format!(
                    "<html><head><title>Harbour plan</title></head><body><article>\
                     <p>The harbour plan, {version}: the council voted on Monday.</p></article></body></html>"
                );
                ok(&[("ETag", &etag), ("Content-Type", "text/html")], body.as_bytes())
            }
            _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let feed = format!("http://{addr}/feed.xml");
    let mut cfg = config(dir.path(), vec![feed.clone()]);
    cfg.fetcher.feed_poll.insert(
        feed.clone(),
        FeedPollBounds {
            min: None,
            max: Some(Duration::from_secs(1)),
        },
    );
    cfg.validate().unwrap();
    let bus = Bus::from_config(&cfg).unwrap();
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
    let token = CancellationToken::new();
    let stop = token.clone();
    let run = tokio::spawn(async move { fetcher.run(token, false).await });
    tokio::time::sleep(Duration::from_millis(5500)).await;
    stop.cancel();
    let report = run.await.unwrap().unwrap();

    let asked = asked.lock().unwrap().clone();
    assert!(
        feed_reads.load(Ordering::SeqCst) >= 5,
        "polled {} times",
        feed_reads.load(Ordering::SeqCst)
    );
    // Asked for whole once, then with the validators it answered.
    assert_eq!(asked[0], (None, 200), "{asked:?}");
    assert!(
        asked[1..].iter().all(|(sent, _)| sent.is_some()),
        "{asked:?}"
    );
    let unchanged = asked.iter().filter(|(_, status)| *status == 304).count();
    let changed = asked.iter().filter(|(_, status)| *status == 200).count();
    assert!(unchanged >= 2, "{asked:?}");
    assert_eq!(
        changed, 2,
        "the first fetch and the one revision: {asked:?}"
    );
    assert_eq!(report.pages_unchanged as usize, unchanged, "{report:?}");
    // Published: the page as first fetched, and its revision.
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw.len(), 2, "{raw:?}");
    assert!(raw[0]["html"].as_str().unwrap().contains("v1"));
    assert!(raw[1]["html"].as_str().unwrap().contains("v2"));
}
