//! Feeds read for their text alone (`fetcher.feed_text_only`), against a
//! real loopback site: their items go out from the feed's text and their
//! pages are never asked for; other feeds' pages are fetched as ever.

use std::sync::Arc;
use std::time::Duration;

use news_core::bus::Bus;

mod common;
use common::{add_command, article, config, read_all, reply, run_once, run_once_after, serve};

/// An RSS feed whose items carry their whole story in `content:encoded`.
fn full_text_feed(paths: &[&str]) -> Vec<u8> {
    let items: String = paths
        .iter()
        .map(|p| {
            format!(
                "<item><title>Story {p}</title><link>{p}</link>\
                 <content:encoded><![CDATA[<p>The whole story of {p}, as the feed carries it.</p>]]></content:encoded></item>"
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>t</title>{items}</channel></rss>"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_feed_read_for_its_text_alone_never_has_its_pages_fetched() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        let body = match path {
            "/full.xml" => full_text_feed(&["/full/1", "/full/2"]),
            "/other.xml" => full_text_feed(&["/other/1"]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let at = |path: &str| format!("http://{addr}{path}");

    // One feed named by its URL: its items go out from its text.
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), vec![at("/full.xml"), at("/other.xml")]);
    cfg.fetcher.feed_text_only = vec![at("/full.xml")];
    cfg.validate().unwrap();
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(
        (report.feed_texts, report.pages_fetched),
        (2, 1),
        "{report:?}"
    );
    assert_eq!(seen.count("/full/1") + seen.count("/full/2"), 0);
    assert_eq!(seen.count("/robots.txt"), 1, "the other feed's site only");
    assert_eq!(seen.count("/other/1"), 1);
    let raw = read_all(&bus, &cfg.topics.raw).await;
    let from_text: Vec<&serde_json::Value> = raw
        .iter()
        .filter(|r| r["unread"]["reason"] == "feed_text_only")
        .collect();
    assert_eq!(from_text.len(), 2, "{raw:?}");
    for r in &from_text {
        assert_eq!(r["html"], "");
        let text = format!("{}{}", r["item"]["summary"], r["item"]["content"]);
        assert!(text.contains("The whole story"), "{r}");
    }
    assert!(
        read_all(&bus, &cfg.topics.dlq).await.is_empty(),
        "no letter"
    );

    // A host name covers every feed on it.
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), vec![at("/full.xml"), at("/other.xml")]);
    cfg.fetcher.feed_text_only = vec!["127.0.0.1".into()];
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(
        (report.feed_texts, report.pages_fetched),
        (3, 0),
        "{report:?}"
    );
    assert_eq!(seen.count("/other/1"), 1, "not asked for again");
}

/// A feed added through the control topic as read for its text alone
/// (`newsmill feeds add --feed-text-only`) has no page fetched either.
#[tokio::test]
async fn a_feed_added_as_read_for_its_text_alone_never_has_its_pages_fetched() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        let body = match path {
            "/full.xml" => full_text_feed(&["/full/1"]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![]);
    let bus = Bus::from_config(&cfg).unwrap();
    let add = add_command(
        &format!("http://{addr}/full.xml"),
        news_core::messages::FeedSettings {
            feed_text_only: true,
            ..Default::default()
        },
    );
    let report = run_once_after(&cfg, &bus, vec![add]).await;
    assert_eq!(
        (report.feed_texts, report.pages_fetched),
        (1, 0),
        "{report:?}"
    );
    assert_eq!(seen.count("/full/1"), 0);
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0]["unread"]["reason"], "feed_text_only");
}
