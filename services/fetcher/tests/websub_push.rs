//! A hub's push read in place of a poll (`pushed.rs`), on loopback.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use news_core::bus::Bus;
use news_fetcher::Fetcher;
use tokio_util::sync::CancellationToken;

use common::websub::{feed, hub, signature, wait_for, websub_config};
use common::{article, reply, serve};

/// A signed push that carries its feed is read in place of a poll: the
/// page of the item it brings is fetched, the feed is not, an item taken
/// before is not fetched again, and the feed keeps its hourly schedule.
/// Two pushes before the feed's turn (pushes come at most every 5 s after
/// a poll) may each name other items: each body is read (since round 65;
/// before, the feed was fetched).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_that_carries_its_feed_is_read_without_fetching_the_feed() {
    news_fetcher::http::install_tls_provider();
    let (hub_url, forms) = hub().await;
    let listed: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec!["/p1".into()]));
    let site_base: Arc<Mutex<String>> = Arc::default();
    let (site, seen) = {
        let (hub_url, listed, base) = (hub_url.clone(), listed.clone(), site_base.clone());
        serve(Arc::new(move |path: &str, _: &str| {
            let base = base.lock().unwrap().clone();
            let body = match path {
                "/p.xml" => feed(
                    &hub_url,
                    &format!("{base}/p.xml"),
                    &listed.lock().unwrap(),
                    &base,
                ),
                _ => article(path),
            };
            (reply("200 OK", &[], &body), Duration::ZERO)
        }))
        .await
    };
    let base = format!("http://{site}");
    *site_base.lock().unwrap() = base.clone();
    let feed_url = format!("{base}/p.xml");
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, _) = websub_config(dir.path(), vec![feed_url.clone()]);
    cfg.fetcher.poll_min = Duration::from_secs(3600);
    cfg.fetcher.poll_max = Duration::from_secs(3600);
    cfg.validate().unwrap();
    let bus = Bus::from_config(&cfg).unwrap();
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
    let token = CancellationToken::new();
    let running = tokio::spawn(fetcher.run(token.clone(), false));
    wait_for("the request to the hub", || {
        forms.lock().unwrap().len() == 1
    })
    .await;
    wait_for("the first poll's page", || seen.count("/p1") == 1).await;
    let secret = forms.lock().unwrap()[0]["hub.secret"].clone();
    let callback = forms.lock().unwrap()[0]["hub.callback"].clone();
    let client = reqwest::Client::new();
    let push = |items: &[&str]| {
        let paths: Vec<String> = items.iter().map(|p| p.to_string()).collect();
        let body = feed(&hub_url, &feed_url, &paths, &base);
        let request = client
            .post(&callback)
            .header("Content-Type", "application/rss+xml")
            .header("X-Hub-Signature", signature(&secret, &body))
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };

    // A burst: each push names an item of its own, which the feed does not
    // list yet.
    assert_eq!(push(&["/p2", "/p1"]).await, 202);
    assert_eq!(push(&["/p3", "/p1"]).await, 202);
    wait_for("both pushed items' pages", || {
        seen.count("/p2") == 1 && seen.count("/p3") == 1
    })
    .await;
    assert_eq!(seen.count("/p.xml"), 1, "a burst is read, not fetched");
    listed.lock().unwrap().extend(["/p2".into(), "/p3".into()]);

    // One push, with an item the feed itself does not list yet.
    assert_eq!(push(&["/p4", "/p3", "/p2", "/p1"]).await, 202);
    wait_for("the page of the item only the push names", || {
        seen.count("/p4") == 1
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    token.cancel();
    running.await.unwrap().unwrap();
    assert_eq!(
        seen.count("/p.xml"),
        1,
        "the pushes were read, not the feed"
    );
    let fetched: HashMap<&str, usize> = ["/p1", "/p2", "/p3"]
        .into_iter()
        .map(|p| (p, seen.count(p)))
        .collect();
    assert!(fetched.values().all(|&n| n == 1), "{fetched:?}");
    let status = news_fetcher::status::feed_statuses(&cfg, &[])
        .unwrap()
        .into_iter()
        .find(|s| s.url == feed_url)
        .expect("the feed's status");
    let next = status.next_poll_at.expect("a next poll");
    assert!(
        next > chrono::Utc::now() + chrono::Duration::minutes(50),
        "the hourly schedule stands: next poll {next}"
    );
}
