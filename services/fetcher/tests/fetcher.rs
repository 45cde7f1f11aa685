//! The fetch stage end to end against a real loopback HTTP server and the
//! embedded log: robots.txt, per-host limits, permanent moves, restarts,
//! mislabelled charsets and subscription changes.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use news_core::bus::Bus;
use news_core::messages::{FeedAction, FeedCommand, RawItem};
use news_fetcher::{Control, Fetcher};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

mod common;
use common::{
    Seen, article, config, pages_taken, poll_feed_once, read_all, reply, rss, run_once, serve,
    serve_feed, serve_site,
};

#[tokio::test]
async fn robots_disallow_holds_pages_back_and_is_fetched_once() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        let base = String::new();
        let body = match path {
            "/robots.txt" => {
                return (
                    reply("200 OK", &[], b"User-agent: *\nDisallow: /private/\n"),
                    Duration::ZERO,
                );
            }
            "/feed.xml" => rss(
                &base,
                &["/news/1".into(), "/private/2".into(), "/news/3".into()],
            ),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    // Links in the feed are relative; the feed URL resolves them.
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 2, "{report:?}");
    assert_eq!(
        seen.count("/private/2"),
        0,
        "a disallowed page is never requested"
    );
    assert_eq!(
        seen.count("/robots.txt"),
        1,
        "robots.txt is cached per origin"
    );
    let dlq = read_all(&bus, &cfg.topics.dlq).await;
    assert!(
        dlq.iter().any(|d| d["error_type"] == "robots"
            && d["source"].as_str().unwrap().ends_with("/private/2")),
        "{dlq:?}"
    );
}

#[tokio::test]
async fn per_host_limit_holds_under_load_and_is_used() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        if let Some(n) = path
            .strip_prefix("/feed")
            .and_then(|p| p.strip_suffix(".xml"))
        {
            let links: Vec<String> = (0..4).map(|i| format!("/a/{n}-{i}")).collect();
            return (
                reply("200 OK", &[], &rss("", &links)),
                Duration::from_millis(20),
            );
        }
        if path == "/robots.txt" {
            return (reply("404 Not Found", &[], b""), Duration::ZERO);
        }
        (
            reply("200 OK", &[], &article(path)),
            Duration::from_millis(60),
        )
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = (0..6)
        .map(|i| format!("http://{addr}/feed{i}.xml"))
        .collect();
    let mut cfg = config(dir.path(), feeds);
    cfg.fetcher.max_concurrency = 16;
    cfg.fetcher.per_host_concurrency = 3;
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 24, "{report:?}");
    let max = seen.max_in_flight.load(Ordering::SeqCst);
    assert!(
        max <= 3,
        "at most 3 requests at once to one domain, saw {max}"
    );
    assert_eq!(max, 3, "the limit is reached, not serialised below it");
}

#[tokio::test]
async fn restart_resumes_validators_and_seen_items_and_follows_a_permanent_move() {
    let (addr, seen) = serve(Arc::new(|path: &str, head: &str| {
        let conditional = head.to_ascii_lowercase().contains("if-none-match: \"v1\"");
        match path {
            "/old.xml" => (
                reply("301 Moved Permanently", &[("Location", "/new.xml")], b""),
                Duration::ZERO,
            ),
            "/new.xml" if conditional => (
                reply("304 Not Modified", &[("ETag", "\"v1\"")], b""),
                Duration::ZERO,
            ),
            "/new.xml" => (
                reply(
                    "200 OK",
                    &[("ETag", "\"v1\"")],
                    &rss("", &["/s/1".into(), "/s/2".into()]),
                ),
                Duration::ZERO,
            ),
            "/robots.txt" => (reply("404 Not Found", &[], b""), Duration::ZERO),
            p => (reply("200 OK", &[], &article(p)), Duration::ZERO),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![format!("http://{addr}/old.xml")]);
    let bus = Bus::from_config(&cfg).unwrap();
    let first = run_once(&cfg, &bus).await;
    assert_eq!((first.pages_fetched, first.not_modified), (2, 0));
    // The learned interval is 1s; wait until the feed is due again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let second = run_once(&cfg, &bus).await;
    assert_eq!(second.feeds_polled, 1);
    assert_eq!(second.not_modified, 1, "validators survived the restart");
    assert_eq!(second.pages_fetched, 0, "seen items survived the restart");
    assert_eq!(
        seen.count("/old.xml"),
        1,
        "after a 301 the new URL is polled"
    );
    assert_eq!(seen.count("/new.xml"), 2);
    assert_eq!(read_all(&bus, &cfg.topics.raw).await.len(), 2);
}

/// A state file damaged between runs (here cut in half): the next fetcher
/// keeps it aside as `.corrupt`, starts afresh, and each feed takes its seen
/// items back from the seen-items log, so that no page is fetched again.
/// Round 29's fetcher erased the log at that start and fetched all three.
#[tokio::test]
async fn a_corrupt_state_file_does_not_make_the_seen_items_new() {
    let (addr, seen) = serve(Arc::new(|path: &str, _head: &str| match path {
        "/feed.xml" => {
            let links = ["/s/1".into(), "/s/2".into(), "/s/3".into()];
            (reply("200 OK", &[], &rss("", &links)), Duration::ZERO)
        }
        "/robots.txt" => (reply("404 Not Found", &[], b""), Duration::ZERO),
        p => (reply("200 OK", &[], &article(p)), Duration::ZERO),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    let bus = Bus::from_config(&cfg).unwrap();
    assert_eq!(run_once(&cfg, &bus).await.pages_fetched, 3);

    let path = dir.path().join("fetcher-state.json");
    let sound = std::fs::read(&path).unwrap();
    let damaged = &sound[..sound.len() / 2];
    std::fs::write(&path, damaged).unwrap();
    let second = run_once(&cfg, &bus).await;
    assert_eq!(second.feeds_polled, 1, "afresh, the feed is due at once");
    assert_eq!(second.pages_fetched, 0, "seen items came back from the log");
    assert_eq!(
        std::fs::read(path.with_extension("json.corrupt")).unwrap(),
        damaged
    );

    // The file the second run saved is sound, and the log still holds them.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let third = run_once(&cfg, &bus).await;
    assert_eq!((third.feeds_polled, third.pages_fetched), (1, 0));
    for page in ["/s/1", "/s/2", "/s/3"] {
        assert_eq!(seen.count(page), 1, "{page}");
    }
    assert_eq!(seen.count("/feed.xml"), 3);
    assert_eq!(read_all(&bus, &cfg.topics.raw).await.len(), 3);
}

#[tokio::test]
async fn a_mislabelled_charset_is_decoded_by_its_bytes() {
    let (addr, _) = serve(Arc::new(|path: &str, _: &str| match path {
        "/feed.xml" => (reply("200 OK", &[], &rss("", &["/p".into()])), Duration::ZERO),
        "/robots.txt" => (reply("404 Not Found", &[], b""), Duration::ZERO),
        _ => {
            // UTF-8 bytes, labelled latin-1 by both the header and a <meta>.
            let html = "<html><head><meta charset=\"iso-8859-1\"><title>Zürich</title></head><body><p>Grüße aus Zürich, café.</p></body></html>";
            (
                reply("200 OK", &[("Content-Type", "text/html; charset=iso-8859-1")], html.as_bytes()),
                Duration::ZERO,
            )
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    let bus = Bus::from_config(&cfg).unwrap();
    run_once(&cfg, &bus).await;
    let raw: Vec<RawItem> = read_all(&bus, &cfg.topics.raw)
        .await
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    assert_eq!(raw.len(), 1);
    assert!(
        raw[0].html.contains("Grüße aus Zürich, café"),
        "{}",
        raw[0].html
    );
    assert_eq!(raw[0].charset.as_deref(), Some("UTF-8"));
}

#[tokio::test]
async fn control_commands_add_pause_and_remove_feeds_while_running() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| match path {
        "/robots.txt" => (reply("404 Not Found", &[], b""), Duration::ZERO),
        p if p.ends_with(".xml") => {
            let links = vec![format!("{}/item", p.trim_end_matches(".xml"))];
            (reply("200 OK", &[], &rss("", &links)), Duration::ZERO)
        }
        p => (reply("200 OK", &[], &article(p)), Duration::ZERO),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let a = format!("http://{addr}/a.xml");
    let b = format!("http://{addr}/b.xml");
    let cfg = config(dir.path(), vec![a.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    let (tx, rx) = mpsc::channel(16);
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap())
        .unwrap()
        .with_control(rx);
    let token = CancellationToken::new();
    let task = tokio::spawn(fetcher.run(token.clone(), false));
    let send = |url: &str, action| {
        Control::Command(FeedCommand {
            schema_version: 1,
            feed_url: url.into(),
            action,
            at: chrono::Utc::now(),
            title: None,
            settings: Default::default(),
        })
    };
    tx.send(Control::CaughtUp).await.unwrap();
    // Wait for polls until `cond` holds, bounded.
    async fn until(seen: &Seen, cond: impl Fn(&Seen) -> bool) {
        for _ in 0..100 {
            if cond(seen) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("condition not reached: {:?}", seen.requests.lock().unwrap());
    }
    until(&seen, |s| s.count("/a/item") == 1).await;
    tx.send(send(&b, FeedAction::Add)).await.unwrap();
    until(&seen, |s| s.count("/b/item") == 1).await;
    tx.send(send(&a, FeedAction::Pause)).await.unwrap();
    tx.send(send(&b, FeedAction::Remove)).await.unwrap();
    // Let any poll already under way finish, then count.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (a_polls, b_polls) = (seen.count("/a.xml"), seen.count("/b.xml"));
    // Both feeds would be due again within 2s.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(seen.count("/a.xml"), a_polls, "a paused feed is not polled");
    assert_eq!(
        seen.count("/b.xml"),
        b_polls,
        "a removed feed is not polled"
    );
    tx.send(send(&a, FeedAction::Resume)).await.unwrap();
    until(&seen, |s| s.count("/a.xml") > a_polls).await;
    token.cancel();
    task.await.unwrap().unwrap();
    let urls: HashMap<String, usize> =
        read_all(&bus, &cfg.topics.raw)
            .await
            .iter()
            .fold(HashMap::new(), |mut m, v| {
                *m.entry(v["fetched_url"].as_str().unwrap().to_string())
                    .or_default() += 1;
                m
            });
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(
        urls.values().all(|n| *n == 1),
        "each article once: {urls:?}"
    );
}

/// A private feed's URL carries its credentials: the feed is fetched with
/// them (basic auth), but no topic is given them.
#[tokio::test]
async fn a_feeds_credentials_reach_its_server_and_no_topic() {
    // "reader:hunter2" in base64.
    let (addr, seen) = serve(Arc::new(|path: &str, head: &str| {
        let authorised = head
            .to_ascii_lowercase()
            .contains("authorization: basic cmvhzgvyomh1bnrlcji=");
        let body = match path {
            "/feed.xml" | "/broken.xml" if !authorised => {
                return (reply("401 Unauthorized", &[], b""), Duration::ZERO);
            }
            // One link relative, one absolute with the credentials in it.
            "/feed.xml" => {
                let host = head
                    .lines()
                    .find_map(|l| l.strip_prefix("host: ").or(l.strip_prefix("Host: ")))
                    .unwrap_or_default()
                    .trim();
                format!(
                    "<rss version=\"2.0\"><channel><title>t</title>\
                     <item><title>one</title><link>/news/1</link></item>\
                     <item><title>two</title><link>http://reader:hunter2@{host}/news/2</link></item>\
                     </channel></rss>"
                )
                .into_bytes()
            }
            "/broken.xml" => b"this is not a feed".to_vec(),
            // A page that is gone: its dead letter holds its page request.
            "/news/2" => return (reply("404 Not Found", &[], b""), Duration::ZERO),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    one_round_keeping_hunter2(vec![
        format!("http://reader:hunter2@{addr}/feed.xml"),
        format!("http://reader:hunter2@{addr}/broken.xml"),
    ])
    .await;
    assert!(seen.count("/feed.xml") >= 1);
}

/// One round over a private feed with a page gone and a private feed that
/// is broken: one page fetched, two dead letters, and neither they nor the
/// pages hold the secret "hunter2". The pages' messages, returned.
async fn one_round_keeping_hunter2(feeds: Vec<String>) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), feeds);
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 1, "{report:?}");
    assert_eq!(
        report.dead_letters, 2,
        "the broken feed's, the gone page's: {report:?}"
    );
    for topic in [&cfg.topics.raw, &cfg.topics.dlq] {
        let messages = read_all(&bus, topic).await;
        assert!(!messages.is_empty(), "{topic}");
        let text = serde_json::to_string(&messages).unwrap();
        assert!(!text.contains("hunter2"), "{topic}: {text}");
    }
    read_all(&bus, &cfg.topics.raw).await
}

/// A feed's URL may carry its API key or token in its query instead: the
/// feed is fetched with it, and no topic is given it (the parameter stays,
/// its value masked), nor an article link's token.
#[tokio::test]
async fn a_feeds_key_in_its_query_reaches_its_server_and_no_topic() {
    let (addr, seen) = serve(Arc::new(|path: &str, _: &str| {
        let body = match path {
            "/feed.xml?api_key=k3y-hunter2&lang=en" => b"<rss version=\"2.0\"><channel><title>t</title>\
                <item><title>one</title><link>/news/1?access_token=t0ken-hunter2&amp;page=2</link></item>\
                <item><title>two</title><link>/news/2?sig=s1g-hunter2</link></item>\
                </channel></rss>"
                .to_vec(),
            // An error page that quotes the address it was asked for.
            "/broken.xml?X-Amz-Signature=s1g-hunter2" => {
                b"<html><body>No feed at /broken.xml?X-Amz-Signature=s1g-hunter2</body></html>"
                    .to_vec()
            }
            p if p.starts_with("/feed.xml") || p.starts_with("/broken.xml") => {
                return (reply("403 Forbidden", &[], b""), Duration::ZERO);
            }
            // A page that is gone: its dead letter holds its page request.
            p if p.starts_with("/news/2") => {
                return (reply("404 Not Found", &[], b""), Duration::ZERO);
            }
            _ => article("one"),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let raw = one_round_keeping_hunter2(vec![
        format!("http://{addr}/feed.xml?api_key=k3y-hunter2&lang=en"),
        format!("http://{addr}/broken.xml?X-Amz-Signature=s1g-hunter2"),
    ])
    .await;
    assert_eq!(seen.count("/news/1?access_token=t0ken-hunter2&page=2"), 1);
    assert_eq!(seen.count("/news/2?sig=s1g-hunter2"), 1);
    assert_eq!(
        raw[0]["url"],
        format!("https://{addr}/news/1?access_token=********&page=2")
    );
    assert_eq!(
        raw[0]["item"]["feed_url"],
        format!("http://{addr}/feed.xml?api_key=********&lang=en")
    );
}

/// `fetcher.allow_file_urls` lets feeds on this machine link to its files;
/// a feed from the web that links to a file gets nothing read.
#[tokio::test]
async fn only_a_file_feed_may_link_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.html");
    std::fs::write(&secret, article("hunter2 in a local file")).unwrap();
    let secret_url = url::Url::from_file_path(&secret).unwrap().to_string();
    let web_feed = rss("", std::slice::from_ref(&secret_url));
    let (addr, _) = serve(Arc::new(move |_: &str, _: &str| {
        (reply("200 OK", &[], &web_feed), Duration::ZERO)
    }))
    .await;
    let local_feed = dir.path().join("feed.xml");
    std::fs::write(&local_feed, rss("", &[secret_url])).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut cfg = config(data.path(), vec![format!("http://{addr}/feed.xml")]);
    cfg.fetcher.allow_file_urls = true;
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 0, "{report:?}");
    let dlq = read_all(&bus, &cfg.topics.dlq).await;
    assert!(
        dlq.iter()
            .any(|d| d["reason"].as_str().unwrap().contains("not a file")),
        "{dlq:?}"
    );
    assert!(read_all(&bus, &cfg.topics.raw).await.is_empty());
    // The same link in a feed on this machine is read.
    let data = tempfile::tempdir().unwrap();
    let mut cfg = config(
        data.path(),
        vec![url::Url::from_file_path(&local_feed).unwrap().to_string()],
    );
    cfg.fetcher.allow_file_urls = true;
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    assert_eq!(report.pages_fetched, 1, "{report:?}");
}

/// A feed item that links to an image (or a PDF) names no article page:
/// it is dead-lettered with its type, not cleaned into a story of bytes.
#[tokio::test]
async fn a_link_to_an_image_is_no_article() {
    let (addr, _) = serve_site(
        rss("", &["/photo.png".into(), "/news/1".into()]),
        &[("/photo.png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")],
    )
    .await;
    let (_dir, cfg, bus, report) = poll_feed_once(addr).await;
    assert_eq!(pages_taken(&report), (1, 1), "{report:?}");
    let dlq = read_all(&bus, &cfg.topics.dlq).await;
    assert_eq!(
        dlq[0]["reason"], "refused: not an article page: image/png",
        "{dlq:?}"
    );
}

/// An item whose only URL is a relative permalink guid (no `<link>`) has
/// its page fetched: the guid is resolved against the feed's URL.
#[tokio::test]
async fn an_item_known_only_by_a_relative_permalink_guid_is_fetched() {
    let (addr, seen) = serve_feed(
        b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
          <item><title>Seven</title><guid>/news/7</guid></item></channel></rss>",
    )
    .await;
    let (_dir, cfg, bus, report) = poll_feed_once(addr).await;
    assert_eq!(pages_taken(&report), (1, 0), "{report:?}");
    assert_eq!(seen.count("/news/7"), 1);
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw[0]["item"]["link"], format!("http://{addr}/news/7"));
}

/// A link tracker's interstitial sends the reader on with a meta refresh:
/// the page it names is fetched and published, under the feed link's id.
#[tokio::test]
async fn a_meta_refresh_stub_is_followed_to_its_article() {
    let (addr, seen) = serve_site(
        rss("", &["/go/1".into()]),
        &[(
            "/go/1",
            "text/html",
            b"<html><head><meta http-equiv=\"refresh\" content=\"0; url=/story/1\">\
              </head><body>Redirecting...</body></html>",
        )],
    )
    .await;
    let (_dir, cfg, bus, report) = poll_feed_once(addr).await;
    assert_eq!(pages_taken(&report), (1, 0), "{report:?}");
    assert_eq!((seen.count("/go/1"), seen.count("/story/1")), (1, 1));
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw.len(), 1);
    // The canonical URL of the feed link (http is read as https).
    assert_eq!(raw[0]["url"], format!("https://{addr}/go/1"));
    assert_eq!(raw[0]["fetched_url"], format!("http://{addr}/story/1"));
    assert!(
        raw[0]["html"]
            .as_str()
            .unwrap()
            .contains("/story/1 body text."),
        "{raw:?}"
    );
}

/// A server that negotiates content is asked for a feed at a feed's URL
/// and for HTML at a page's.
#[tokio::test]
async fn requests_say_what_they_accept() {
    let heads: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = heads.clone();
    let (addr, _) = serve(Arc::new(move |path: &str, head: &str| {
        kept.lock()
            .unwrap()
            .push((path.to_string(), head.to_ascii_lowercase()));
        let body = match path {
            "/feed.xml" => rss("", &["/news/1".into()]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let (_dir, _, _, report) = poll_feed_once(addr).await;
    assert_eq!(report.pages_fetched, 1);
    let heads = heads.lock().unwrap();
    let accept = |path: &str| {
        let (_, head) = heads.iter().find(|(p, _)| p == path).expect(path);
        head.lines()
            .find_map(|l| l.strip_prefix("accept: "))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        accept("/feed.xml").starts_with("application/rss+xml"),
        "{heads:?}"
    );
    assert!(accept("/news/1").starts_with("text/html"), "{heads:?}");
    assert!(accept("/robots.txt").starts_with("text/plain"), "{heads:?}");
}

/// A site lists one story in two of its feeds. Its page is asked for once
/// and published once; each feed remembers it, so a later round asks for
/// nothing; when the story is updated (a new headline in both feeds), the
/// page is asked for once more. Before round 61 each feed fetched it.
#[tokio::test]
async fn a_story_in_two_feeds_is_fetched_once() {
    let updated = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = updated.clone();
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let item = |link: &str| {
            let title = if link == "/a/2" && flag.load(Ordering::SeqCst) {
                "Quake toll rises".to_string()
            } else {
                format!("Story {link}")
            };
            format!("<item><title>{title}</title><link>{link}</link></item>")
        };
        let feed = |links: &[&str]| {
            let items: String = links.iter().map(|l| item(l)).collect();
            format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>")
                .into_bytes()
        };
        let body = match path {
            "/top.xml" => feed(&["/a/1", "/a/2"]),
            "/world.xml" => feed(&["/a/2", "/a/3"]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = ["top", "world"].map(|f| format!("http://{addr}/{f}.xml"));
    let cfg = config(dir.path(), feeds.to_vec());
    let bus = Bus::from_config(&cfg).unwrap();
    let first = run_once(&cfg, &bus).await;
    assert_eq!(seen.count("/a/2"), 1, "{first:?}");
    assert_eq!((seen.count("/a/1"), seen.count("/a/3")), (1, 1));
    assert_eq!(first.pages_fetched, 3, "{first:?}");
    let raw = read_all(&bus, &cfg.topics.raw).await;
    assert_eq!(raw.len(), 3, "{raw:?}");

    // The learned interval is 1s; wait until the feeds are due again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let again = run_once(&cfg, &bus).await;
    assert_eq!(again.feeds_polled, 2, "{again:?}");
    assert_eq!(again.pages_fetched, 0, "both feeds remember it: {again:?}");
    assert_eq!(seen.count("/a/2"), 1);

    updated.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let update = run_once(&cfg, &bus).await;
    assert_eq!(update.pages_fetched, 1, "{update:?}");
    assert_eq!(seen.count("/a/2"), 2, "the update is asked for once");
    assert_eq!(read_all(&bus, &cfg.topics.raw).await.len(), 4);
}

/// The claims outlive a restart: a second feed of the site that lists the
/// story after the fetcher restarted (here, subscribed then) does not
/// have it fetched again. Before round 63 the claims lived in memory.
#[tokio::test]
async fn a_story_another_feed_took_before_a_restart_is_not_fetched_again() {
    let (addr, seen) = serve(Arc::new(move |path: &str, _: &str| {
        let body = match path {
            "/top.xml" | "/world.xml" => rss("", &["/a/2".into()]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let [top, world] = ["top", "world"].map(|f| format!("http://{addr}/{f}.xml"));
    let bus_cfg = config(dir.path(), vec![top.clone()]);
    let bus = Bus::from_config(&bus_cfg).unwrap();
    run_once(&bus_cfg, &bus).await;
    assert_eq!(seen.count("/a/2"), 1);
    assert!(dir.path().join("fetcher-claims.bin").exists());
    let both = config(dir.path(), vec![top, world]);
    let report = run_once(&both, &bus).await;
    assert_eq!(seen.count("/world.xml"), 1, "{report:?}");
    assert_eq!(seen.count("/a/2"), 1, "{report:?}");
    assert_eq!(report.pages_fetched, 0);
}
