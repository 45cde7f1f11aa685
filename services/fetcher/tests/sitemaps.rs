//! Sitemaps that are not news sitemaps, against a real loopback site: an
//! index that names none with "news" in its URL (dated, and WordPress's
//! own, which dates nothing), an ordinary sitemap that dates none of its
//! pages, and a feed that lists more items than it remembers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use news_core::bus::Bus;

mod common;
use common::{
    Seen, article, config, discover, edit_state, make_due, read_all, read_state, reply, rss,
    run_once, run_once_after, serve,
};

/// A sitemap index that dates each sitemap it lists: `(loc, lastmod)`.
fn dated_index(listed: &[(&str, &str)]) -> Vec<u8> {
    let entries: String = listed
        .iter()
        .map(|(loc, lastmod)| {
            format!("<sitemap><loc>{loc}</loc><lastmod>{lastmod}</lastmod></sitemap>")
        })
        .collect();
    format!("<sitemapindex>{entries}</sitemapindex>").into_bytes()
}

/// A WordPress site with an SEO plugin's index (Yoast's names): its posts
/// by number, each dated by the index, beside its pages, categories and
/// authors, which the index dates as lately changed too. `listed` is the
/// index's `(sitemap, lastmod)` at each request.
async fn serve_wordpress_site(
    listed: Arc<Mutex<Vec<(&'static str, &'static str)>>>,
) -> (std::net::SocketAddr, Arc<Seen>) {
    serve(Arc::new(move |path: &str, _: &str| {
        let ok = |body: &[u8]| (reply("200 OK", &[], body), Duration::ZERO);
        let urlset = |entries: &[(&str, &str)]| {
            let urls: String = entries
                .iter()
                .map(|(loc, lastmod)| {
                    format!("<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>")
                })
                .collect();
            format!("<urlset>{urls}</urlset>").into_bytes()
        };
        match path {
            "/" => ok(b"<html><body>No feed here</body></html>"),
            "/robots.txt" => ok(b"User-agent: *\nAllow: /\nSitemap: /sitemap_index.xml\n"),
            "/sitemap_index.xml" => ok(&dated_index(&listed.lock().unwrap())),
            "/post-sitemap2.xml" => ok(&urlset(&[
                ("/2024/05/old-story", "2024-05-20T08:00:00Z"),
                ("/2024/06/quake", "2024-06-02T10:00:00Z"),
            ])),
            "/post-sitemap3.xml" => ok(&urlset(&[("/2024/06/aftershock", "2024-06-03T09:00:00Z")])),
            p if p.starts_with("/2024/") => ok(&article(p)),
            // Every other sitemap lists pages that are no news.
            p if p.ends_with("-sitemap.xml") => ok(&urlset(&[("/about", "2024-06-02T12:00:00Z")])),
            _ => (reply("404 Not Found", &[], b""), Duration::ZERO),
        }
    }))
    .await
}

/// An index with no news sitemap: the subscription follows the sitemap of
/// posts the index dates as changed lately, and takes its recent article;
/// the older posts' sitemap and the pages', categories' and authors',
/// dated as recently, are never asked for. A day on, the posts' next
/// sitemap takes the place of the one followed (round 67), and its
/// article is fetched at the next poll; a new series' sitemap is added as
/// a subscription of its own, although the state holds more than 16
/// sitemaps the index no longer lists (a site's months gone by), since
/// only those it still lists count against the limit.
#[tokio::test]
async fn an_index_without_news_sitemaps_follows_its_posts_that_changed_lately() {
    let listed = Arc::new(Mutex::new(vec![
        ("/post-sitemap.xml", "2024-05-01T08:00:00Z"),
        ("/post-sitemap2.xml", "2024-06-02T10:00:00Z"),
        ("/page-sitemap.xml", "2024-06-02T12:00:00Z"),
        ("/category-sitemap.xml", "2024-06-02T12:00:00Z"),
        ("/author-sitemap.xml", "2024-06-02T12:00:00Z"),
    ]));
    let (addr, seen) = serve_wordpress_site(listed.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let index = format!("http://{addr}/sitemap_index.xml");
    let cfg = config(dir.path(), vec![index.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 1, "{report:?}");
    assert_eq!(seen.count("/2024/06/quake"), 1);
    assert_eq!(
        seen.count("/2024/05/old-story"),
        0,
        "outside its sitemap's 48 h"
    );
    for other in [
        "/post-sitemap.xml",
        "/page-sitemap.xml",
        "/category-sitemap.xml",
        "/author-sitemap.xml",
        "/about",
    ] {
        assert_eq!(seen.count(other), 0, "{other}");
    }
    assert!(read_all(&bus, &cfg.topics.dlq).await.is_empty());
    assert!(read_all(&bus, &cfg.topics.feeds).await.is_empty());
    assert_eq!(
        read_state(dir.path())["feeds"][&index]["moved_to"],
        format!("http://{addr}/post-sitemap2.xml")
    );

    listed.lock().unwrap().extend([
        ("/post-sitemap3.xml", "2024-06-03T09:00:00Z"),
        ("/events-sitemap.xml", "2024-06-03T08:00:00Z"),
    ]);
    edit_state(dir.path(), |state| {
        let feed = &mut state["feeds"][&index];
        feed["next_poll"] = 0.into();
        let watch = &mut feed["sitemap_index"];
        watch["read_at"] = (chrono::Utc::now().timestamp() - 25 * 3600).into();
        for month in 1..=16 {
            let gone = format!("http://{addr}/sitemap-2023-{month:02}.xml");
            watch["sitemaps"].as_array_mut().unwrap().push(gone.into());
        }
    });
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/sitemap_index.xml"), 2, "read again");
    let commands = read_all(&bus, &cfg.topics.feeds).await;
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0]["action"], "add");
    assert_eq!(
        commands[0]["feed_url"],
        format!("http://{addr}/events-sitemap.xml")
    );
    assert_eq!(
        read_state(dir.path())["feeds"][&index]["moved_to"],
        format!("http://{addr}/post-sitemap3.xml")
    );
    assert_eq!(
        seen.count("/post-sitemap3.xml"),
        0,
        "polled from the next poll"
    );
    make_due(dir.path(), &index);
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/2024/06/aftershock"), 1);
    assert_eq!(seen.count("/post-sitemap2.xml"), 2, "no longer polled");
    assert_eq!(seen.count("/page-sitemap.xml"), 0);
}

/// WordPress's own index (`wp-sitemap.xml`), which dates none of its
/// sitemaps nor their pages: the subscription follows the newest sitemap
/// of its posts, whose first list is the site's archive, and fetches the
/// posts it lists later. The index is read again within the hour, not
/// before; when it lists the next sitemap of posts, that one is followed
/// in its place and the posts it lists are all new. Discovery offers the
/// index, which it refused before round 67.
#[tokio::test]
async fn an_index_that_dates_nothing_follows_its_newest_posts() {
    let posts: Arc<Mutex<Vec<Vec<&'static str>>>> = Arc::new(Mutex::new(vec![
        vec!["/2024/01/a", "/2024/02/b"],
        vec!["/2024/05/c", "/2024/06/d"],
    ]));
    let listed = posts.clone();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let posts = listed.lock().unwrap();
        let urlset = |pages: &[&str]| {
            let urls: String = pages
                .iter()
                .map(|p| format!("<url><loc>{p}</loc></url>"))
                .collect();
            format!("<urlset>{urls}</urlset>").into_bytes()
        };
        let body = match path {
            "/robots.txt" => b"User-agent: *\nSitemap: /wp-sitemap.xml\n".to_vec(),
            "/wp-sitemap.xml" => {
                let mut names: Vec<String> = (1..=posts.len())
                    .map(|n| format!("/wp-sitemap-posts-post-{n}.xml"))
                    .collect();
                names.extend(
                    [
                        "/wp-sitemap-posts-page-1.xml",
                        "/wp-sitemap-taxonomies-category-1.xml",
                        "/wp-sitemap-users-1.xml",
                    ]
                    .map(String::from),
                );
                let entries: String = names
                    .iter()
                    .map(|n| format!("<sitemap><loc>{n}</loc></sitemap>"))
                    .collect();
                format!("<sitemapindex>{entries}</sitemapindex>").into_bytes()
            }
            p if p.starts_with("/wp-sitemap-posts-post-") => {
                let n: usize = p
                    .trim_start_matches("/wp-sitemap-posts-post-")
                    .trim_end_matches(".xml")
                    .parse()
                    .unwrap();
                urlset(&posts[n - 1])
            }
            p if p.starts_with("/wp-sitemap") => urlset(&["/about"]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let index = format!("http://{addr}/wp-sitemap.xml");
    let cfg = config(dir.path(), vec![index.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(
        (report.pages_fetched, report.failures),
        (0, 0),
        "{report:?}"
    );
    let state = read_state(dir.path());
    assert_eq!(
        state["feeds"][&index]["moved_to"],
        format!("http://{addr}/wp-sitemap-posts-post-2.xml")
    );
    assert_eq!(state["feeds"][&index]["sitemap_index"]["by_number"], true);
    assert!(read_all(&bus, &cfg.topics.dlq).await.is_empty());
    // `feeds list` says so, and when the index is read next: in an hour.
    let statuses = news_fetcher::status::feed_statuses(&cfg, &[]).unwrap();
    let shown = serde_json::to_value(&statuses[0].sitemap_index).unwrap();
    assert_eq!(shown["by_number"], true, "{shown}");
    assert_eq!(
        shown["sitemaps"],
        serde_json::json!([format!("http://{addr}/wp-sitemap-posts-post-2.xml")])
    );
    let read =
        |field: &str| chrono::DateTime::parse_from_rfc3339(shown[field].as_str().unwrap()).unwrap();
    assert_eq!((read("read_next_at") - read("read_at")).num_seconds(), 3600);

    posts.lock().unwrap()[1].push("/2024/06/e");
    make_due(dir.path(), &index);
    assert_eq!(run_once(&cfg, &bus).await.pages_fetched, 1);
    assert_eq!(seen.count("/2024/06/e"), 1);

    // The next sitemap of posts starts; half an hour on, the index is not
    // read again, an hour on it is.
    posts.lock().unwrap().push(vec!["/2024/06/f"]);
    let read_index_ago = |secs: i64| {
        edit_state(dir.path(), |state| {
            let feed = &mut state["feeds"][&index];
            feed["next_poll"] = 0.into();
            feed["sitemap_index"]["read_at"] = (chrono::Utc::now().timestamp() - secs).into();
        })
    };
    read_index_ago(1800);
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/wp-sitemap.xml"), 1);
    read_index_ago(3700);
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/wp-sitemap.xml"), 2);
    make_due(dir.path(), &index);
    assert_eq!(run_once(&cfg, &bus).await.pages_fetched, 1);
    assert_eq!(seen.count("/2024/06/f"), 1);
    assert!(read_all(&bus, &cfg.topics.feeds).await.is_empty());
    for never in [
        "/wp-sitemap-posts-post-1.xml",
        "/wp-sitemap-posts-page-1.xml",
        "/wp-sitemap-users-1.xml",
        "/about",
        "/2024/01/a",
        "/2024/06/d",
    ] {
        assert_eq!(seen.count(never), 0, "{never}");
    }
    let site = url::Url::parse(&format!("http://{addr}/")).unwrap();
    assert_eq!(discover(&site).await, [url::Url::parse(&index).unwrap()]);
}

/// An ordinary sitemap that dates none of its pages: its first reading
/// takes what it lists as the site's archive and fetches none of it; a page
/// it lists later is fetched. One that lists more pages than its feed
/// remembers is refused, with the reason, and nothing of it is fetched.
#[tokio::test]
async fn an_undated_sitemap_gives_the_pages_it_lists_later() {
    let pages = Arc::new(Mutex::new(vec!["/2019/a", "/2020/b", "/2021/c"]));
    let listed = pages.clone();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let body = match path {
            "/sitemap.xml" => {
                let urls: String = listed
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|p| format!("<url><loc>{p}</loc></url>"))
                    .collect();
                format!("<urlset>{urls}</urlset>").into_bytes()
            }
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let sitemap = format!("http://{addr}/sitemap.xml");
    let mut cfg = config(dir.path(), vec![sitemap.clone()]);
    cfg.fetcher.max_seen_per_feed = 4;
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 0, "{report:?}");
    assert_eq!(report.failures, 0, "{report:?}");
    assert_eq!(seen.requests.lock().unwrap().len(), 1, "the sitemap alone");

    let poll_again = || make_due(dir.path(), &sitemap);
    pages.lock().unwrap().push("/2024/new");
    poll_again();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 1, "{report:?}");
    assert_eq!(seen.count("/2024/new"), 1);
    assert_eq!(seen.count("/2019/a"), 0);
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw.len(), 1);
    assert!(
        raw[0]["item"]["link"]
            .as_str()
            .unwrap()
            .ends_with("/2024/new")
    );

    // A fifth page: more than the four it may remember.
    pages.lock().unwrap().push("/2024/newer");
    poll_again();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(
        (report.pages_fetched, report.failures),
        (0, 1),
        "{report:?}"
    );
    assert_eq!(seen.count("/2024/newer"), 0);
    let error = read_state(dir.path())["feeds"][&sitemap]["last_error"].clone();
    assert!(
        error
            .as_str()
            .is_some_and(|e| e.contains("dates none of its 5 pages")),
        "{error}"
    );
}

/// A feed that lists more items than it remembers offers only as many,
/// newest first: the older ones would be forgotten as the newer are taken,
/// and fetched again at every poll.
#[tokio::test]
async fn a_feed_longer_than_it_remembers_takes_each_item_once() {
    let links: Vec<String> = (1..=8).map(|i| format!("/story-{i}")).collect();
    let feed = rss("", &links);
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let body = if path == "/feed.xml" {
            feed.clone()
        } else {
            article(path)
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/feed.xml");
    let mut cfg = config(dir.path(), vec![url.clone()]);
    (
        cfg.fetcher.max_seen_per_feed,
        cfg.fetcher.max_items_per_poll,
    ) = (5, 3);
    let bus = Bus::from_config(&cfg).unwrap();
    let mut fetched = Vec::new();
    for _ in 0..4 {
        fetched.push(run_once(&cfg, &bus).await.pages_fetched);
        make_due(dir.path(), &url);
    }
    assert_eq!(fetched, [3, 2, 0, 0]);
    for i in 1..=5 {
        assert_eq!(seen.count(&format!("/story-{i}")), 1, "story {i}");
    }
    assert_eq!(seen.count("/story-6"), 0);
}

/// Discovery on such a site, which has no feed and no news sitemap, offers
/// its index, which a subscription follows.
#[tokio::test]
async fn discovery_offers_an_index_of_dated_posts() {
    let listed = Arc::new(Mutex::new(vec![
        ("/post-sitemap.xml", "2024-06-02T10:00:00Z"),
        ("/page-sitemap.xml", "2024-06-02T12:00:00Z"),
    ]));
    let (addr, _) = serve_wordpress_site(listed.clone()).await;
    let site = url::Url::parse(&format!("http://{addr}/")).unwrap();
    assert_eq!(
        discover(&site).await,
        [site.join("/sitemap_index.xml").unwrap()]
    );
    // Dated pages alone are no articles to offer.
    listed.lock().unwrap().remove(0);
    assert!(discover(&site).await.is_empty());
}

/// A site's sitemaps by month, dated by its index: the subscription
/// follows the newest month, and the month before, changed within 48 h of
/// it, becomes a subscription of its own. When a new month starts, the
/// subscription moves to it, and the month the index added, which it no
/// longer offers and a later month has replaced, is removed through the
/// control topic; the month followed before, the subscription's own, is
/// only no longer polled.
#[tokio::test]
async fn a_month_gone_by_that_an_index_added_is_removed() {
    let listed = Arc::new(Mutex::new(vec![
        ("/sitemap-2024-05.xml", "2024-05-31T20:00:00Z"),
        ("/sitemap-2024-06.xml", "2024-06-01T08:00:00Z"),
    ]));
    let index_lists = listed.clone();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let ok = |body: Vec<u8>| (reply("200 OK", &[], &body), Duration::ZERO);
        let month = |story: &str, lastmod: &str| {
            format!("<urlset><url><loc>{story}</loc><lastmod>{lastmod}</lastmod></url></urlset>")
                .into_bytes()
        };
        match path {
            "/sitemap_index.xml" => ok(dated_index(&index_lists.lock().unwrap())),
            "/sitemap-2024-05.xml" => ok(month("/2024/05/may", "2024-05-31T20:00:00Z")),
            "/sitemap-2024-06.xml" => ok(month("/2024/06/june", "2024-06-01T08:00:00Z")),
            "/sitemap-2024-07.xml" => ok(month("/2024/07/july", "2024-07-01T09:00:00Z")),
            p => ok(article(p)),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let index = format!("http://{addr}/sitemap_index.xml");
    let cfg = config(dir.path(), vec![index.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/2024/06/june"), 1);
    let added = read_all(&bus, &cfg.topics.feeds).await;
    let may = format!("http://{addr}/sitemap-2024-05.xml");
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(
        (&added[0]["action"], &added[0]["feed_url"]),
        (&"add".into(), &may.clone().into())
    );

    *listed.lock().unwrap() = vec![
        ("/sitemap-2024-05.xml", "2024-05-31T20:00:00Z"),
        ("/sitemap-2024-06.xml", "2024-06-30T10:00:00Z"),
        ("/sitemap-2024-07.xml", "2024-07-01T09:00:00Z"),
    ];
    edit_state(dir.path(), |state| {
        let feed = &mut state["feeds"][&index];
        feed["next_poll"] = 0.into();
        feed["sitemap_index"]["read_at"] = (chrono::Utc::now().timestamp() - 25 * 3600).into();
    });
    // A fetcher that took the index's command polls May as its own feed.
    let add_may = serde_json::from_value(added[0].clone()).unwrap();
    run_once_after(&cfg, &bus, vec![add_may]).await;
    assert_eq!(seen.count("/2024/05/may"), 1);
    let commands = read_all(&bus, &cfg.topics.feeds).await;
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert_eq!(commands[1]["action"], "remove");
    assert_eq!(commands[1]["feed_url"], may);
    assert_eq!(
        read_state(dir.path())["feeds"][&index]["moved_to"],
        format!("http://{addr}/sitemap-2024-07.xml")
    );
    make_due(dir.path(), &index);
    run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/2024/07/july"), 1);
    assert_eq!(seen.count("/sitemap-2024-06.xml"), 2, "no longer polled");
}
