//! Article pages that fail in a way that may pass are tried again on the
//! feed's later polls, after a fetcher restart and while the feed answers
//! `304`; pages that will not come are dead-lettered once. A real loopback
//! server and the embedded log; each round is a new `Fetcher`, as after a
//! restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use news_core::Config;
use news_core::bus::Bus;
use news_core::messages::RawItem;
use news_fetcher::Fetcher;
use tokio_util::sync::CancellationToken;

mod common;
use common::{Seen, article, config, read_all, reply, rss, run_once, serve};

/// The config for `feeds` with a first retry 1 s after a failure, and
/// its embedded log in `dir`.
fn quick_retries(dir: &std::path::Path, feeds: Vec<String>) -> (Config, Bus) {
    let mut cfg = config(dir, feeds);
    cfg.fetcher.page_retry_delay = Duration::from_secs(1);
    let bus = Bus::from_config(&cfg).unwrap();
    (cfg, bus)
}

/// Rounds, each a new fetcher, until `done` holds or 20 s pass.
async fn rounds_until(cfg: &Config, bus: &Bus, seen: &Seen, done: impl Fn(&Seen) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(seen) {
        assert!(
            Instant::now() < deadline,
            "not done after 20 s: {:?}",
            seen.requests.lock().unwrap()
        );
        run_once(cfg, bus).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A feed (ETag, then `304`) of six pages: one fine, one gone (404), one
/// that answers 503 twice before it comes, one that always answers 503,
/// one that answers 429 with `Retry-After: 3` once, and one listed after it.
fn flaky_site() -> common::Route {
    let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    Arc::new(move |path: &str, head: &str| {
        let n = {
            let mut calls = calls.lock().unwrap();
            let n = calls.entry(path.to_string()).or_default();
            *n += 1;
            *n
        };
        let conditional = head.to_ascii_lowercase().contains("if-none-match");
        let unavailable = reply("503 Service Unavailable", &[], b"down");
        let bytes = match path {
            "/robots.txt" => reply("404 Not Found", &[], b""),
            "/feed.xml" if conditional => reply("304 Not Modified", &[("ETag", "\"v1\"")], b""),
            "/feed.xml" => {
                let pages = ["ok", "gone", "flaky", "down", "slow", "after"];
                let links: Vec<String> = pages.iter().map(|p| format!("/a/{p}")).collect();
                reply("200 OK", &[("ETag", "\"v1\"")], &rss("", &links))
            }
            "/a/gone" => reply("404 Not Found", &[], b""),
            "/a/flaky" if n <= 2 => unavailable,
            "/a/down" => unavailable,
            "/a/slow" if n == 1 => reply("429 Too Many Requests", &[("Retry-After", "3")], b""),
            p => reply("200 OK", &[], &article(p)),
        };
        (bytes, Duration::ZERO)
    })
}

fn gap(times: &[Instant], from: usize, to: usize) -> Duration {
    times[to].duration_since(times[from])
}

#[tokio::test]
async fn pages_that_fail_for_a_while_come_later_and_those_that_will_not_are_dead_lettered_once() {
    let (addr, seen) = serve(flaky_site()).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, bus) = quick_retries(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    cfg.fetcher.page_retries = 2;

    let first = run_once(&cfg, &bus).await;
    assert_eq!(
        (first.pages_fetched, first.failures, first.pages_waiting),
        (1, 1, 4),
        "ok fetched, gone failed, flaky, down and slow failed for now, after held back: {first:?}"
    );
    assert_eq!(
        seen.count("/a/after"),
        0,
        "a 429 holds the host's next page back"
    );

    rounds_until(&cfg, &bus, &seen, |s| {
        s.count("/a/down") == 3 && s.count("/a/flaky") == 3 && s.count("/a/after") == 1
    })
    .await;
    // One more round: nothing is asked for again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run_once(&cfg, &bus).await;

    let count = |p: &str| seen.count(&format!("/a/{p}"));
    assert_eq!(
        ["ok", "gone", "flaky", "down", "slow", "after"].map(count),
        [1, 1, 3, 3, 2, 1],
        "requests per page"
    );
    assert!(
        seen.count("/feed.xml") >= 3,
        "the feed was polled again and answered 304"
    );

    let mut fetched: Vec<String> = read_all(&bus, &cfg.topics.raw)
        .await
        .into_iter()
        .map(|v| serde_json::from_value::<RawItem>(v).unwrap().fetched_url)
        .map(|u| u.rsplit('/').next().unwrap().to_string())
        .collect();
    fetched.sort();
    assert_eq!(fetched, ["after", "flaky", "ok", "slow"], "each page once");

    let dlq = read_all(&bus, &cfg.topics.dlq).await;
    let letters: Vec<(String, String)> = dlq
        .iter()
        .map(|d| {
            let source = d["source"].as_str().unwrap();
            let page = source.rsplit('/').next().unwrap().to_string();
            (page, d["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        letters,
        [
            ("gone".to_string(), "http 404".to_string()),
            (
                "down".to_string(),
                "http 503 (after 3 attempts)".to_string()
            )
        ],
        "{dlq:?}"
    );

    // The waits: 1 s after the first failure, 4 s after the second, and
    // the 429's Retry-After for that page and the host's next one.
    let flaky = seen.times("/a/flaky");
    assert!(gap(&flaky, 0, 1) >= Duration::from_secs(1), "{flaky:?}");
    assert!(gap(&flaky, 1, 2) >= Duration::from_secs(4), "{flaky:?}");
    let (slow, after) = (seen.times("/a/slow"), seen.times("/a/after"));
    assert!(gap(&slow, 0, 1) >= Duration::from_secs(3));
    assert!(after[0].duration_since(slow[0]) >= Duration::from_secs(3));
}

/// A feed of two pages on a site whose robots.txt answers 500 the first
/// time and 200 after; the count of robots.txt requests.
fn robots_fails_once_site() -> (common::Route, Arc<Mutex<usize>>) {
    let robots_calls = Arc::new(Mutex::new(0usize));
    let calls = robots_calls.clone();
    let route: common::Route = Arc::new(move |path: &str, _: &str| {
        let bytes = match path {
            "/robots.txt" => {
                let mut n = calls.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    reply("500 Internal Server Error", &[], b"")
                } else {
                    reply("200 OK", &[], b"User-agent: *\nDisallow: /private/\n")
                }
            }
            "/feed.xml" => reply("200 OK", &[], &rss("", &["/a/1".into(), "/a/2".into()])),
            p => reply("200 OK", &[], &article(p)),
        };
        (bytes, Duration::ZERO)
    });
    (route, robots_calls)
}

#[tokio::test]
async fn pages_held_back_by_an_unreachable_robots_txt_come_once_it_answers() {
    let (route, _) = robots_fails_once_site();
    let (addr, seen) = serve(route).await;
    let dir = tempfile::tempdir().unwrap();
    let (cfg, bus) = quick_retries(dir.path(), vec![format!("http://{addr}/feed.xml")]);

    let first = run_once(&cfg, &bus).await;
    assert_eq!(
        (first.pages_fetched, first.pages_waiting),
        (0, 2),
        "{first:?}"
    );
    assert_eq!(seen.count("/a/1") + seen.count("/a/2"), 0);
    rounds_until(&cfg, &bus, &seen, |s| {
        s.count("/a/1") == 1 && s.count("/a/2") == 1
    })
    .await;
    assert_eq!(read_all(&bus, &cfg.topics.raw).await.len(), 2);
    assert!(
        read_all(&bus, &cfg.topics.dlq).await.is_empty(),
        "no dead letter for a refusal that passed"
    );
}

/// One fetcher that keeps running, so that its robots.txt cache lives on:
/// the pages behind a robots.txt that answered 500 ask it again when they
/// are due. Round 29's fetcher kept that answer for 10 minutes and spent
/// each attempt on it without asking (here the two allowed, then both pages
/// were dead-lettered).
#[tokio::test]
async fn a_running_fetcher_asks_an_unreachable_robots_txt_again_when_its_pages_are_due() {
    let (route, robots_calls) = robots_fails_once_site();
    let (addr, seen) = serve(route).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, bus) = quick_retries(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    cfg.fetcher.page_retries = 2;
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
    let token = CancellationToken::new();
    let running = tokio::spawn(fetcher.run(token.clone(), false));
    let deadline = Instant::now() + Duration::from_secs(15);
    while seen.count("/a/1") + seen.count("/a/2") < 2 {
        let gave_up = !read_all(&bus, &cfg.topics.dlq).await.is_empty();
        assert!(
            !gave_up && Instant::now() < deadline,
            "dead-lettered: {gave_up}; requests {:?}",
            seen.requests.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    token.cancel();
    running.await.unwrap().unwrap();
    assert_eq!(*robots_calls.lock().unwrap(), 2, "asked again once");
    assert_eq!((seen.count("/a/1"), seen.count("/a/2")), (1, 1));
    assert_eq!(read_all(&bus, &cfg.topics.raw).await.len(), 2);
    assert!(read_all(&bus, &cfg.topics.dlq).await.is_empty());
}

#[tokio::test]
async fn a_429_holds_back_the_hosts_pages_in_every_feed() {
    let limited = Arc::new(Mutex::new(0usize));
    let calls = limited.clone();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| match path {
        "/robots.txt" => (reply("404 Not Found", &[], b""), Duration::ZERO),
        "/a.xml" => (
            reply("200 OK", &[], &rss("", &["/a/limited".into()])),
            Duration::ZERO,
        ),
        // The other feed answers later, after the 429.
        "/b.xml" => (
            reply("200 OK", &[], &rss("", &["/b/1".into(), "/b/2".into()])),
            Duration::from_millis(500),
        ),
        "/a/limited"
            if {
                let mut n = calls.lock().unwrap();
                *n += 1;
                *n == 1
            } =>
        {
            (
                reply("429 Too Many Requests", &[("Retry-After", "3")], b""),
                Duration::ZERO,
            )
        }
        p => (reply("200 OK", &[], &article(p)), Duration::ZERO),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = vec![
        format!("http://{addr}/a.xml"),
        format!("http://{addr}/b.xml"),
    ];
    let (cfg, bus) = quick_retries(dir.path(), feeds);

    let first = run_once(&cfg, &bus).await;
    assert_eq!(
        (first.pages_fetched, first.pages_waiting),
        (0, 3),
        "{first:?}"
    );
    assert_eq!(seen.count("/b/1") + seen.count("/b/2"), 0);
    rounds_until(&cfg, &bus, &seen, |s| {
        s.count("/a/limited") == 2 && s.count("/b/1") == 1 && s.count("/b/2") == 1
    })
    .await;
    let limited_at = seen.times("/a/limited")[0];
    for page in ["/a/limited", "/b/1", "/b/2"] {
        let last = *seen.times(page).last().unwrap();
        assert!(
            last.duration_since(limited_at) >= Duration::from_secs(3),
            "{page}"
        );
    }
    assert_eq!(read_all(&bus, &cfg.topics.raw).await.len(), 3);
}

/// A bus that will take no page again (a Kafka producer failed for good;
/// here an embedded log opened for reading only) stops a running fetcher
/// with the reason, and its pages stay untaken: a fetcher on a bus that
/// works takes them. Before round 54 the fetcher ran on, and each page
/// spent its attempts on the bus and was then remembered and lost.
#[tokio::test]
async fn a_bus_that_failed_for_good_stops_the_fetcher_and_loses_no_page() {
    let (addr, _seen) = serve(Arc::new(|path: &str, _: &str| {
        let bytes = match path {
            "/robots.txt" => reply("404 Not Found", &[], b""),
            "/feed.xml" => reply("200 OK", &[], &rss("", &["/a/one".into(), "/a/two".into()])),
            p => reply("200 OK", &[], &article(p)),
        };
        (bytes, Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    // No second attempt at a failing page: a bus failure is not one.
    cfg.fetcher.page_retries = 0;
    cfg.fetcher.page_retry_delay = Duration::from_secs(1);
    drop(Bus::from_config(&cfg).unwrap()); // the log, made empty
    let read_only = Bus::reader_from_config(&cfg).unwrap();
    let fetcher = Fetcher::new(cfg.clone(), read_only.producer().unwrap()).unwrap();
    let ended = tokio::time::timeout(
        Duration::from_secs(20),
        fetcher.run(CancellationToken::new(), false),
    )
    .await
    .expect("the fetcher stops once its bus has failed for good");
    let reason = ended
        .expect_err("a failed bus ends the fetcher with an error")
        .to_string();
    assert!(reason.contains("read-only"), "{reason}");

    // A restart: the pages wait `page_retry_delay` at most.
    let bus = Bus::from_config(&cfg).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut raw = Vec::new();
    while raw.len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(300)).await;
        run_once(&cfg, &bus).await;
        raw = read_all(&bus, &cfg.topics.raw).await;
    }
    let urls: Vec<&str> = raw.iter().map(|m| m["url"].as_str().unwrap()).collect();
    assert_eq!(
        urls.len(),
        2,
        "both pages come once the bus works: {urls:?}"
    );
    assert!(read_all(&bus, &cfg.topics.dlq).await.is_empty());
}

/// A full-text feed whose pages fail for a while: a page that comes on its
/// second attempt and one that never comes both go out with their feed
/// item's whole story (20 KB), not the 4 KiB the retry list keeps: the
/// first for the cleaner to compare its page with, the second in its
/// place. A restart between the attempts, as every round here is, keeps
/// it; once both left the list, nothing is kept on disk.
#[tokio::test]
async fn pages_that_waited_for_a_retry_keep_their_feed_items_whole_story() {
    let story: String = (0..400)
        .map(|i| format!("Sentence {i} of the harbour story, told whole in the feed. "))
        .collect();
    let feed_story = story.clone();
    let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let n = {
            let mut calls = calls.lock().unwrap();
            let n = calls.entry(path.to_string()).or_default();
            *n += 1;
            *n
        };
        let items: String = ["late", "down"]
            .iter()
            // Each its own story: a text on several items is the feed's.
            .map(|p| format!("<item><title>{p}</title><link>/a/{p}</link><content:encoded><![CDATA[<p>The {p} page. {feed_story}</p>]]></content:encoded></item>"))
            .collect();
        let bytes = match path {
            "/robots.txt" => reply("404 Not Found", &[], b""),
            "/feed.xml" => reply(
                "200 OK",
                &[],
                format!("<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>t</title>{items}</channel></rss>").as_bytes(),
            ),
            "/a/late" if n > 1 => reply("200 OK", &[], &article(path)),
            _ => reply("503 Service Unavailable", &[], b"down"),
        };
        (bytes, Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, bus) = quick_retries(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    cfg.fetcher.page_retries = 1;
    run_once(&cfg, &bus).await;
    let kept = dir.path().join("fetcher-waiting");
    assert_eq!(
        std::fs::read_dir(&kept).unwrap().count(),
        2,
        "both wait, whole"
    );
    rounds_until(&cfg, &bus, &seen, |s| {
        s.count("/a/late") == 2 && s.count("/a/down") == 2
    })
    .await;

    let raw: Vec<RawItem> = read_all(&bus, &cfg.topics.raw)
        .await
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    assert_eq!(raw.len(), 2, "{raw:?}");
    for r in &raw {
        // A feed with no description gives its content as the summary.
        let text = format!(
            "{}{}",
            r.item.summary.as_deref().unwrap_or(""),
            r.item.content.as_deref().unwrap_or("")
        );
        assert!(text.len() > story.len(), "{}: {} bytes", r.url, text.len());
        assert!(text.contains("Sentence 399 of"), "{}", r.url);
    }
    let unread = raw.iter().find(|r| r.url.ends_with("/a/down")).unwrap();
    assert!(unread.unread.is_some() && unread.html.is_empty());
    assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 0, "nothing left");
}
