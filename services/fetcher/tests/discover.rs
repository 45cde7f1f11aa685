//! Feed discovery against a real loopback site: the feeds a page
//! announces, the common paths, a feedless site's news sitemaps, and a
//! subscription to a page.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use news_core::bus::Bus;

mod common;
use common::{
    article, config, discover, edit_state, make_due, read_all, reply, rss, run_once,
    run_once_after, serve,
};

#[tokio::test]
async fn discovery_finds_announced_feeds_then_common_paths() {
    let (addr, _) = serve(Arc::new(|path: &str, _: &str| match path {
        "/" => (
            reply(
                "200 OK",
                &[("Content-Type", "text/html")],
                br#"<html><head><link rel="alternate" type="application/rss+xml" href="/news.rss">
                <link rel="alternate" type="application/atom+xml" href="/broken.atom"></head><body>hi</body></html>"#,
            ),
            Duration::ZERO,
        ),
        "/news.rss" => (reply("200 OK", &[], &rss("", &["/a".into()])), Duration::ZERO),
        "/broken.atom" => (reply("200 OK", &[], b"<html>not a feed</html>"), Duration::ZERO),
        "/blog/" => (reply("200 OK", &[], b"<html><body>no links</body></html>"), Duration::ZERO),
        "/feed.xml" => (reply("200 OK", &[], &rss("", &["/b".into()])), Duration::ZERO),
        _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
    }))
    .await;
    let at = |path: &str| url::Url::parse(&format!("http://{addr}{path}")).unwrap();
    assert_eq!(
        discover(&at("/")).await,
        [at("/news.rss")],
        "announced feeds that parse"
    );
    assert_eq!(
        discover(&at("/blog/")).await,
        [at("/feed.xml")],
        "common paths"
    );
    // A feed URL given directly is itself the answer.
    assert_eq!(discover(&at("/news.rss")).await, [at("/news.rss")]);
}

/// A site with no feed at all: discovery offers the news sitemap that the
/// sitemap index its robots.txt names lists, and neither the ordinary
/// sitemap robots.txt also names nor the index's other sitemaps. Before
/// round 61 it found nothing.
#[tokio::test]
async fn discovery_offers_a_feedless_sites_news_sitemap() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        let urlset = |entry: &str| {
            format!(
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
                 xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">{entry}</urlset>"
            )
            .into_bytes()
        };
        let body = match path {
            "/" => b"<html><body>No feed here</body></html>".to_vec(),
            "/robots.txt" => b"User-agent: *\nAllow: /\n\nSitemap: /sitemap-pages.xml\nsitemap: /sitemap_index.xml # all\n".to_vec(),
            "/sitemap-pages.xml" => urlset("<url><loc>/about</loc><lastmod>2024-06-01</lastmod></url>"),
            "/sitemap_index.xml" => b"<sitemapindex><sitemap><loc>/sitemap-2024.xml</loc></sitemap>\
                <sitemap><loc>/sitemap-news.xml</loc></sitemap></sitemapindex>"
                .to_vec(),
            "/sitemap-news.xml" => urlset(
                "<url><loc>/2024/quake</loc><news:news><news:publication_date>2024-06-02T10:00:00Z\
                 </news:publication_date><news:title>Quake</news:title></news:news></url>",
            ),
            _ => return (reply("404 Not Found", &[], b""), Duration::ZERO),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let site = url::Url::parse(&format!("http://{addr}/")).unwrap();
    assert_eq!(
        discover(&site).await,
        [site.join("/sitemap-news.xml").unwrap()]
    );
    assert_eq!(
        seen.count("/sitemap-2024.xml"),
        0,
        "not a news sitemap by name"
    );
}

/// A new subscription to a site's front page, as an operator may give one:
/// the fetcher polls the feed the page announces in its place, at once and
/// from then on (the page is asked for once). A subscription that read as a
/// feed before and now answers a page is failing, not moved: a feed's error
/// page may announce the site's main feed, which is not what was asked for.
#[tokio::test]
async fn a_subscription_to_a_page_follows_the_feed_it_announces_once_new() {
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = broken.clone();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let page = br#"<!DOCTYPE html><html><head><title>News</title>
            <link rel="alternate" type="application/rss+xml" title="News" href="/news.rss">
            <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments.rss">
            </head><body>Front page</body></html>"#;
        let ok = |body: &[u8]| (reply("200 OK", &[], body), Duration::ZERO);
        match path {
            "/" => ok(page),
            "/world.rss" if flag.load(std::sync::atomic::Ordering::SeqCst) => ok(page),
            "/news.rss" => ok(&rss("", &["/a/1".into()])),
            "/world.rss" => ok(&rss("", &["/w/1".into()])),
            "/comments.rss" => ok(&rss("", &["/c/1".into()])),
            p if p.starts_with("/a/") || p.starts_with("/w/") => ok(&article(p)),
            _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        vec![
            format!("http://{addr}/"),
            format!("http://{addr}/world.rss"),
        ],
    );
    let bus = Bus::from_config(&cfg).unwrap();
    let first = run_once(&cfg, &bus).await;
    assert_eq!(first.pages_fetched, 2, "{first:?}");
    assert_eq!(seen.count("/a/1"), 1);
    assert_eq!(
        seen.count("/comments.rss"),
        0,
        "the first feed it announces"
    );
    let letters = read_all(&bus, &cfg.topics.dlq).await;
    assert!(letters.is_empty(), "{letters:?}");

    broken.store(true, std::sync::atomic::Ordering::SeqCst);
    // The learned interval is 1s; wait until the feeds are due again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let second = run_once(&cfg, &bus).await;
    assert_eq!(second.feeds_polled, 2, "{second:?}");
    assert_eq!(seen.count("/"), 1, "the front page is asked for once");
    assert_eq!(seen.count("/news.rss"), 2);
    assert_eq!(
        second.failures, 1,
        "the feed that became a page: {second:?}"
    );
    let letters = read_all(&bus, &cfg.topics.dlq).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(
        letters[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("/world.rss"),
        "{letters:?}"
    );
}

/// `commands` are one: to add `feed`.
fn assert_one_add(commands: &[serde_json::Value], feed: &str) {
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0]["action"], "add");
    assert_eq!(commands[0]["feed_url"], feed);
}

/// A site whose sitemap index lists the news sitemaps of `sections` as
/// they are at each request; `/news-sitemap.xml` lists `/2024/quake`.
async fn serve_index_site(
    sections: Arc<Mutex<Vec<&'static str>>>,
) -> (std::net::SocketAddr, Arc<common::Seen>) {
    serve(Arc::new(move |path: &str, _: &str| {
        let ok = |body: &[u8]| (reply("200 OK", &[], body), Duration::ZERO);
        match path {
            "/sitemap_index.xml" => {
                let entries: String = sections
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|p| format!("<sitemap><loc>{p}</loc></sitemap>"))
                    .collect();
                ok(format!("<sitemapindex>{entries}</sitemapindex>").as_bytes())
            }
            "/news-sitemap.xml" => ok(QUAKE_NEWS_SITEMAP),
            p if p.starts_with("/2024/") => ok(&article(p)),
            _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
        }
    }))
    .await
}

/// A news sitemap with one article, `/2024/quake`.
const QUAKE_NEWS_SITEMAP: &[u8] = b"<urlset xmlns:news=\"n\"><url><loc>/2024/quake</loc>\
    <news:news><news:publication_date>2024-06-02T10:00:00Z</news:publication_date>\
    <news:title>Quake</news:title></news:news></url></urlset>";

/// A subscription to a sitemap index (the one robots.txt names): the news
/// sitemap it lists is polled in its place, and its article fetched; the
/// index's other sitemaps are never asked for. An index that lists
/// neither news sitemaps nor sitemaps of articles (only pages and tags)
/// is refused, naming what it lists.
#[tokio::test]
async fn a_subscription_to_a_sitemap_index_polls_its_news_sitemaps() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        let ok = |body: &[u8]| (reply("200 OK", &[], body), Duration::ZERO);
        match path {
            "/sitemap_index.xml" => ok(
                b"<sitemapindex><sitemap><loc>/sitemap-pages.xml</loc></sitemap>\
                <sitemap><loc>/news-sitemap.xml</loc></sitemap>\
                <sitemap><loc>/sport/news-sitemap.xml</loc></sitemap></sitemapindex>",
            ),
            "/sport/news-sitemap.xml" => {
                ok(b"<urlset xmlns:news=\"n\"><url><loc>/2024/final</loc>\
                <news:news><news:publication_date>2024-06-02T11:00:00Z</news:publication_date>\
                <news:title>Final</news:title></news:news></url></urlset>")
            }
            "/archive_index.xml" => ok(
                b"<sitemapindex><sitemap><loc>/page-sitemap.xml</loc></sitemap>\
                <sitemap><loc>/tag-sitemap.xml</loc></sitemap></sitemapindex>",
            ),
            "/news-sitemap.xml" => ok(QUAKE_NEWS_SITEMAP),
            p if p.starts_with("/2024/") => ok(&article(p)),
            _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = ["sitemap_index", "archive_index"].map(|f| format!("http://{addr}/{f}.xml"));
    let cfg = config(dir.path(), feeds.to_vec());
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 1, "{report:?}");
    assert_eq!(seen.count("/2024/quake"), 1);
    assert_eq!(seen.count("/sitemap-pages.xml"), 0);
    let letters = read_all(&bus, &cfg.topics.dlq).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(
        letters[0]["reason"]
            .as_str()
            .unwrap()
            .contains("a sitemap index"),
        "{letters:?}"
    );
    assert!(
        letters[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("/archive_index.xml"),
        "{letters:?}"
    );
    // The index's other news sitemap becomes a subscription of its own,
    // through the control topic; the archive index adds none.
    let commands = read_all(&bus, &cfg.topics.feeds).await;
    assert_one_add(&commands, &format!("http://{addr}/sport/news-sitemap.xml"));
    assert_eq!(seen.count("/2024/final"), 0, "not this round");
    // A fetcher that takes the command polls it: its article is fetched.
    let command = serde_json::from_value(commands[0].clone()).unwrap();
    run_once_after(&cfg, &bus, vec![command]).await;
    assert_eq!(seen.count("/2024/final"), 1);
    assert_eq!(seen.count("/2024/quake"), 1, "taken once");
}

/// A followed sitemap index is read again a day later: a news sitemap it
/// lists since then becomes a subscription of its own, once; one it listed
/// before is not added again.
#[tokio::test]
async fn a_news_sitemap_an_index_lists_later_is_added_a_day_on() {
    let sections = Arc::new(Mutex::new(vec!["/news-sitemap.xml"]));
    let (addr, seen) = serve_index_site(sections.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let index = format!("http://{addr}/sitemap_index.xml");
    let cfg = config(dir.path(), vec![index.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/2024/quake"), 1);
    assert!(read_all(&bus, &cfg.topics.feeds).await.is_empty());

    // A day on: the feed due, its index last read 25 hours ago.
    let age_the_index = || {
        edit_state(dir.path(), |state| {
            let feed = &mut state["feeds"][&index];
            feed["next_poll"] = 0.into();
            feed["sitemap_index"]["read_at"] = (chrono::Utc::now().timestamp() - 25 * 3600).into();
        })
    };
    sections.lock().unwrap().push("/sport/news-sitemap.xml");
    age_the_index();
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/sitemap_index.xml"), 2, "read again");
    let commands = read_all(&bus, &cfg.topics.feeds).await;
    assert_one_add(&commands, &format!("http://{addr}/sport/news-sitemap.xml"));
    // The next day's reading finds nothing new to add.
    age_the_index();
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/sitemap_index.xml"), 3);
    assert_eq!(read_all(&bus, &cfg.topics.feeds).await.len(), 1);
    // Within the day, the index is not read at a poll.
    make_due(dir.path(), &index);
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/news-sitemap.xml"), 4);
    assert_eq!(seen.count("/sitemap_index.xml"), 3);
}

/// A subscription that followed a sitemap index before indexes were
/// watched (round 63) has a state that does not say so: its index is read
/// at its next poll, the news sitemaps it lists then are taken as known
/// (added before, or removed by an operator since), and one it lists later
/// is added.
#[tokio::test]
async fn an_index_followed_before_indexes_were_watched_is_watched_from_its_next_poll() {
    let sections = Arc::new(Mutex::new(vec![
        "/news-sitemap.xml",
        "/sport/news-sitemap.xml",
    ]));
    let (addr, seen) = serve_index_site(sections.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let index = format!("http://{addr}/sitemap_index.xml");
    let cfg = config(dir.path(), vec![index.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    run_once(&cfg, &bus).await;
    assert_eq!(
        read_all(&bus, &cfg.topics.feeds).await.len(),
        1,
        "sport added"
    );
    // The state as a fetcher before round 63 wrote it, the feed due.
    let edit_feed = |edit: &dyn Fn(&mut serde_json::Value)| {
        edit_state(dir.path(), |state| {
            let feed = &mut state["feeds"][&index];
            feed["next_poll"] = 0.into();
            edit(feed);
        })
    };
    edit_feed(&|feed| {
        feed.as_object_mut().unwrap().remove("sitemap_index");
    });
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/sitemap_index.xml"), 2, "read at the next poll");
    assert_eq!(
        read_all(&bus, &cfg.topics.feeds).await.len(),
        1,
        "what it lists today is not added again"
    );
    sections.lock().unwrap().push("/culture/news-sitemap.xml");
    edit_feed(&|feed| {
        feed["sitemap_index"]["read_at"] = (chrono::Utc::now().timestamp() - 25 * 3600).into();
    });
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/sitemap_index.xml"), 3);
    let commands = read_all(&bus, &cfg.topics.feeds).await;
    assert_eq!(commands.len(), 2);
    assert_one_add(
        &commands[1..],
        &format!("http://{addr}/culture/news-sitemap.xml"),
    );
}

/// Sitemaps are often files compressed with gzip (`.xml.gz`, served as
/// `application/x-gzip`, which HTTP does not undo): an index and the news
/// sitemap it lists, both so, are read as the sitemaps they hold.
#[tokio::test]
async fn gzipped_sitemaps_are_read_as_the_sitemaps_they_hold() {
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    };
    let index =
        gzip(b"<sitemapindex><sitemap><loc>/news-sitemap.xml.gz</loc></sitemap></sitemapindex>");
    let news = gzip(QUAKE_NEWS_SITEMAP);
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let gzipped = |body: &[u8]| {
            let headers = [("Content-Type", "application/x-gzip")];
            (reply("200 OK", &headers, body), Duration::ZERO)
        };
        match path {
            "/sitemap_index.xml.gz" => gzipped(&index),
            "/news-sitemap.xml.gz" => gzipped(&news),
            p if p.starts_with("/2024/") => (reply("200 OK", &[], &article(p)), Duration::ZERO),
            _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        vec![format!("http://{addr}/sitemap_index.xml.gz")],
    );
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/news-sitemap.xml.gz"), 1);
    assert_eq!(seen.count("/2024/quake"), 1, "{report:?}");
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0]["item"]["title"], "Quake");
}
