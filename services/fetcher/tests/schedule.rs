//! A feed's own word on its schedule, against a loopback server: `<ttl>`
//! holds polls back for its minutes, a 304 answer included, and
//! `<skipHours>` moves the next poll out of the hours it names. And a
//! feed whose dates say nothing: stamped anew at every answer, they stop
//! making its items new.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use news_core::bus::Bus;

mod common;
use common::{article, config, edit_state, reply, run_once, serve};

fn feed_with(extra: &str) -> Vec<u8> {
    format!(
        "<rss version=\"2.0\"><channel><title>t</title>{extra}\
         <item><title>a</title><link>/s/1</link></item></channel></rss>"
    )
    .into_bytes()
}

/// When `feeds list` says the feed at `path` is next polled, and what it
/// shows of its schedule.
fn next_poll(cfg: &news_core::config::Config, path: &str) -> (DateTime<Utc>, serde_json::Value) {
    let statuses = news_fetcher::status::feed_statuses(cfg, &[]).unwrap();
    let st = statuses.iter().find(|s| s.url.ends_with(path)).unwrap();
    (
        st.next_poll_at.expect("polled"),
        serde_json::to_value(&st.schedule).unwrap(),
    )
}

/// Now, to the second the state keeps times in.
fn whole_seconds_now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap()
}

#[tokio::test]
async fn a_feeds_ttl_and_skipped_hours_hold_its_polls_back() {
    // The one hour the second feed allows: twelve hours from now, so that
    // the test does not depend on when it runs.
    let open_hour = (Utc::now().hour() + 12) % 24;
    let skipped: String = (0..24)
        .filter(|h| *h != open_hour)
        .map(|h| format!("<hour>{h}</hour>"))
        .collect();
    let night = feed_with(&format!("<skipHours>{skipped}</skipHours>"));
    let (addr, seen) = serve(Arc::new(move |path: &str, head: &str| {
        let conditional = head.to_ascii_lowercase().contains("if-none-match: \"v1\"");
        let body = match path {
            "/ttl.xml" if conditional => {
                return (
                    reply("304 Not Modified", &[("ETag", "\"v1\"")], b""),
                    Duration::ZERO,
                );
            }
            "/ttl.xml" => feed_with("<ttl>180</ttl>"),
            "/night.xml" => night.clone(),
            "/plain.xml" => feed_with(""),
            "/robots.txt" => return (reply("404 Not Found", &[], b""), Duration::ZERO),
            p => article(p),
        };
        (
            reply("200 OK", &[("ETag", "\"v1\"")], &body),
            Duration::ZERO,
        )
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = ["/ttl.xml", "/night.xml", "/plain.xml"]
        .iter()
        .map(|p| format!("http://{addr}{p}"))
        .collect();
    let mut cfg = config(dir.path(), feeds);
    cfg.fetcher.poll_max = Duration::from_secs(6 * 3600);
    let bus = Bus::from_config(&cfg).unwrap();
    let started = whole_seconds_now();
    run_once(&cfg, &bus).await;

    let (plain, shown) = next_poll(&cfg, "/plain.xml");
    assert!(plain < started + chrono::Duration::seconds(60), "{plain}");
    assert_eq!(shown, serde_json::Value::Null, "no schedule to show");

    let (ttl, shown) = next_poll(&cfg, "/ttl.xml");
    assert!(ttl >= started + chrono::Duration::minutes(180), "{ttl}");
    assert_eq!(shown, serde_json::json!({"ttl_minutes": 180}));

    let (night, shown) = next_poll(&cfg, "/night.xml");
    assert_eq!(night.hour(), open_hour, "{night}");
    assert!(night > started + chrono::Duration::hours(10), "{night}");
    assert_eq!(shown["skip_hours"].as_array().unwrap().len(), 23);

    // Made due by hand, the ttl feed answers 304: no feed to read the ttl
    // from, and the ttl it gave before still holds the next poll back.
    let key = format!("/feeds/http:~1~1{addr}~1ttl.xml/next_poll");
    edit_state(dir.path(), |state| {
        *state.pointer_mut(&key).expect("the feed's schedule") = 0.into();
    });
    let again = whole_seconds_now();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.not_modified, 1, "{report:?}");
    assert_eq!(seen.count("/ttl.xml"), 2);
    let (ttl, _) = next_poll(&cfg, "/ttl.xml");
    assert!(ttl >= again + chrono::Duration::minutes(180), "{ttl}");
}

/// A feed that stamps every item with the time of the request: the second
/// poll that finds every known item changed makes its dates ignored, and
/// from then on only a new item or a new headline has a page fetched.
#[tokio::test]
async fn a_feed_that_rewrites_its_dates_at_every_answer_stops_having_its_pages_fetched_again() {
    let extra: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
    let listed = extra.clone();
    let (addr, seen) = serve_stamped_feed(Arc::new(move || {
        let mut items: Vec<(String, String)> = (0..6)
            .map(|i| (format!("/s/{i}"), format!("Story {i}")))
            .collect();
        // Later: a headline rewritten, a story added.
        for (link, title) in listed.lock().unwrap().iter() {
            match items.iter_mut().find(|(l, _)| l == link) {
                Some(item) => item.1 = title.clone(),
                None => items.push((link.clone(), title.clone())),
            }
        }
        items
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![format!("http://{addr}/stamped.xml")]);
    let bus = Bus::from_config(&cfg).unwrap();
    let pages = || {
        (0..6)
            .map(|i| seen.count(&format!("/s/{i}")))
            .sum::<usize>()
    };
    let mut fetched = Vec::new();
    for round in 0..4 {
        if round > 0 {
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        run_once(&cfg, &bus).await;
        fetched.push(pages());
    }
    // Taken, taken again (one rewrite could be a move to a new system),
    // then no more.
    assert_eq!(fetched, [6, 12, 12, 12]);
    let statuses = news_fetcher::status::feed_statuses(&cfg, &[]).unwrap();
    assert!(statuses[0].ignores_updated, "{:?}", statuses[0]);

    // A new item, and a known one under a new headline, are still new.
    extra
        .lock()
        .unwrap()
        .push(("/s/new".into(), "A new story".into()));
    extra
        .lock()
        .unwrap()
        .push(("/s/0".into(), "Story 0, updated".into()));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let report = run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/s/new"), 1, "{report:?}");
    assert_eq!(report.items_new, 2, "{report:?}");
}

/// A small feed (three items) that stamps each with the time of the
/// request: four polls in a row that find every known item changed make
/// its dates ignored (before round 65 a feed of fewer than five items was
/// never judged, and had every page fetched again at every poll).
#[tokio::test]
async fn a_small_feed_that_rewrites_its_dates_stops_having_its_pages_fetched_again() {
    let (addr, seen) = serve_stamped_feed(Arc::new(|| {
        (0..3)
            .map(|i| (format!("/s/{i}"), format!("Story {i}")))
            .collect()
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/stamped.xml");
    let cfg = config(dir.path(), vec![url.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    let pages = || {
        (0..3)
            .map(|i| seen.count(&format!("/s/{i}")))
            .sum::<usize>()
    };
    let mut fetched = Vec::new();
    for _ in 0..6 {
        run_once(&cfg, &bus).await;
        fetched.push(pages());
        common::make_due(dir.path(), &url);
    }
    assert_eq!(fetched, [3, 6, 9, 12, 12, 12]);
    let statuses = news_fetcher::status::feed_statuses(&cfg, &[]).unwrap();
    assert!(statuses[0].ignores_updated, "{:?}", statuses[0]);
}

/// A site whose Atom feed `/stamped.xml` lists the `(link, headline)` items
/// `items` gives at each request, each stamped `updated` with the time of
/// that request; every other path is an article page, robots.txt none.
async fn serve_stamped_feed(
    items: Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync>,
) -> (std::net::SocketAddr, Arc<common::Seen>) {
    let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    serve(Arc::new(move |path: &str, _: &str| {
        let body = match path {
            "/stamped.xml" => {
                let n = requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let stamp = format!("2024-06-01T10:{:02}:00Z", n % 60);
                let entries: String = items()
                    .iter()
                    .map(|(link, title)| format!("<entry><title>{title}</title><link href=\"{link}\"/><id>{link}</id><updated>{stamp}</updated></entry>"))
                    .collect();
                format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>{entries}</feed>")
                    .into_bytes()
            }
            "/robots.txt" => return (reply("404 Not Found", &[], b""), Duration::ZERO),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await
}
