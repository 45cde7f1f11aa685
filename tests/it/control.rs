//! Subscriptions changed at run time: `newsmill feeds add` and `feeds remove`
//! write `news.feeds.v1` on tansu while a `newsmill fetch` process runs.
//! And `newsmill feeds list`: what the fetcher knows of each of them.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{
    RequestLog, Running, broker, child_env, newsmill_bin, run_newsmill, serve_dir_logged,
    serve_on_the_embedded_log, tail_json, unique,
};

fn count(log: &RequestLog, path: &str) -> usize {
    log.lock().unwrap().iter().filter(|p| *p == path).count()
}

async fn wait_for(log: &RequestLog, path: &str, limit: Duration) {
    let start = Instant::now();
    while count(log, path) == 0 {
        assert!(
            start.elapsed() < limit,
            "{path} not requested within {limit:?}: {:?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn feeds_command(env: &[(String, String)], action: &str, url: &str) {
    run_newsmill(&["feeds", action, url], env);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_added_and_removed_through_the_control_topic_while_running() {
    let site = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        std::fs::write(
            site.path().join(format!("{name}.xml")),
            format!("<rss version=\"2.0\"><channel><title>{name}</title><item><title>{name}</title><link>/{name}1.html</link></item></channel></rss>"),
        )
        .unwrap();
        std::fs::write(
            site.path().join(format!("{name}1.html")),
            format!("<html><head><title>{name} story</title></head><body><article><p>The {name} story has enough words to be an article for this test of the fetcher.</p></article></body></html>"),
        )
        .unwrap();
    }
    let (addr, log) = serve_dir_logged(site.path().to_path_buf(), Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    let tag = unique("ctl");
    let a = format!("http://{addr}/a.xml");
    let b = format!("http://{addr}/b.xml");
    let mut env = child_env(data.path(), Some(&broker()), &a, &tag);
    env.push(("NEWSMILL__FETCHER__POLL_MIN".into(), "1s".into()));
    env.push(("NEWSMILL__FETCHER__POLL_MAX".into(), "1s".into()));
    let mut fetch = Running(
        Command::new(newsmill_bin())
            .arg("fetch")
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start newsmill fetch"),
    );

    wait_for(&log, "/a1.html", Duration::from_secs(60)).await;
    assert_eq!(count(&log, "/b.xml"), 0, "b is not subscribed yet");
    feeds_command(&env, "add", &b);
    wait_for(&log, "/b1.html", Duration::from_secs(60)).await;
    feeds_command(&env, "remove", &b);
    // The remove reaches the running fetcher within a few seconds; after
    // that, b is never polled again although it would be due every second.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let b_polls = count(&log, "/b.xml");
    let a_polls = count(&log, "/a.xml");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(count(&log, "/b.xml"), b_polls, "removed feed still polled");
    assert!(count(&log, "/a.xml") > a_polls, "a keeps being polled");

    fetch.kill().unwrap();
    fetch.wait().unwrap();
    // The list reads the control topic on Kafka: b is gone from it.
    let listed = list_feeds(&env, false);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["url"], a.as_str());
    assert_eq!(listed[0]["health"], "active");
    assert!(listed[0]["last_new_item_at"].is_string(), "{listed:?}");
    let raw = tail_json(&env, &format!("{tag}.raw"));
    let mut urls: Vec<&str> = raw
        .iter()
        .map(|r| r["fetched_url"].as_str().unwrap())
        .collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            format!("http://{addr}/a1.html"),
            format!("http://{addr}/b1.html")
        ],
        "each article produced once"
    );
}

/// `newsmill feeds list` as JSON lines.
fn list_feeds(env: &[(String, String)], failing: bool) -> Vec<serde_json::Value> {
    let args: &[&str] = if failing {
        &["feeds", "list", "--failing"]
    } else {
        &["feeds", "list"]
    };
    let out = run_newsmill(args, env);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An operator with thousands of feeds asks which are broken, and why:
/// after a drain on the embedded log, each feed's health and last error
/// are listed, a paused one as paused (never polled), and a private feed's
/// password is in neither the list nor the dead letters, though the HTTP
/// library's error quotes the URL it was given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_list_says_which_feeds_fail_and_why() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("feed.xml"),
        "<rss version=\"2.0\"><channel><title>ok</title><item><title>One</title><link>/one.html</link></item></channel></rss>",
    )
    .unwrap();
    std::fs::write(
        site.path().join("one.html"),
        "<html><body><article><p>The one story has enough words to be an article for this test of the list.</p></article></body></html>",
    )
    .unwrap();
    std::fs::write(site.path().join("garbage.xml"), "\u{0}\u{1} not a feed").unwrap();
    let (_data, mut env) = serve_on_the_embedded_log(site.path(), "list").await;
    let good = env
        .iter()
        .find(|(k, _)| k == "NEWSMILL__FETCHER__FEEDS")
        .map(|(_, v)| v.trim_matches(['[', ']', '"']).to_string())
        .unwrap();
    let base = good.trim_end_matches("feed.xml").to_string();
    let missing = format!("{base}missing.xml");
    let garbage = format!("{base}garbage.xml");
    let paused = format!("{base}paused.xml");
    // Port 9 (discard) has no listener: the connection is refused.
    let private = "http://reader:s3cretpass@127.0.0.1:9/private.xml";
    let feeds = [&good, &missing, &garbage, &paused, private];
    for (k, v) in env.iter_mut() {
        if k == "NEWSMILL__FETCHER__FEEDS" {
            *v = serde_json::to_string(&feeds).unwrap();
        }
    }
    run_newsmill(&["feeds", "pause", &paused], &env);
    run_newsmill(&["run", "--drain"], &env);

    let listed = list_feeds(&env, false);
    let of = |url: &str| -> &serde_json::Value {
        listed
            .iter()
            .find(|f| f["url"] == url)
            .unwrap_or_else(|| panic!("{url} in {listed:?}"))
    };
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert_eq!(of(&good)["health"], "active");
    assert!(of(&good)["last_new_item_at"].is_string());
    assert_eq!(of(&good)["last_error"], serde_json::Value::Null);
    assert_eq!(of(&missing)["health"], "failing");
    assert_eq!(of(&missing)["last_error"], "http 404");
    assert_eq!(of(&missing)["failures"], 1);
    assert_eq!(of(&missing)["last_ok_at"], serde_json::Value::Null);
    assert_eq!(of(&garbage)["health"], "failing");
    assert!(
        of(&garbage)["last_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("parse: ")),
        "{listed:?}"
    );
    assert_eq!(of(&paused)["health"], "paused");
    assert_eq!(of(&paused)["last_polled_at"], serde_json::Value::Null);
    let private_row = of("http://********:********@127.0.0.1:9/private.xml");
    assert_eq!(private_row["health"], "failing");
    assert!(
        private_row["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("refused")),
        "{private_row}"
    );
    let everything = format!("{listed:?}{:?}", tail_json(&env, "news.dlq.v1"));
    assert!(!everything.contains("s3cretpass"), "{everything}");
    assert!(
        everything.contains("127.0.0.1:9/private.xml"),
        "{everything}"
    );

    let mut failing: Vec<String> = list_feeds(&env, true)
        .iter()
        .map(|f| f["url"].as_str().unwrap().to_string())
        .collect();
    failing.sort();
    let mut expected = vec![
        missing,
        garbage,
        "http://********:********@127.0.0.1:9/private.xml".to_string(),
    ];
    expected.sort();
    assert_eq!(failing, expected);
}

/// Each feed `feeds list` shows, as (url, title or "", health), sorted.
fn url_title_health(env: &[(String, String)]) -> Vec<(String, String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut feeds: Vec<(String, String, String)> = list_feeds(env, false)
        .iter()
        .map(|f| (text(&f["url"]), text(&f["title"]), text(&f["health"])))
        .collect();
    feeds.sort();
    feeds
}

/// `newsmill feeds export`: the subscriptions of the config and of the
/// control topic, a paused one marked, as OPML that another newsmill takes
/// as its `fetcher.opml` (on the embedded log; no fetcher runs).
#[test]
fn feeds_export_writes_the_subscriptions_as_opml_another_newsmill_reads() {
    let data = tempfile::tempdir().unwrap();
    let env = child_env(
        data.path(),
        None,
        "https://config.example/rss",
        &unique("export"),
    );
    run_newsmill(
        &[
            "feeds",
            "add",
            "https://added.example/feed?a=1&b=2",
            "--title",
            "Added <one> & co",
        ],
        &env,
    );
    run_newsmill(
        &[
            "feeds",
            "add",
            "https://reader:hunter2@private.example/feed",
        ],
        &env,
    );
    // A URL that is not subscribed (the feed's, without its credentials)
    // is refused, since a pause subscribes a feed the topic does not know.
    let stray = Command::new(newsmill_tests::newsmill_bin())
        .args(["feeds", "pause", "https://private.example/feed"])
        .envs(env.iter().cloned())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&stray.stderr);
    assert!(
        !stray.status.success() && said.contains("is not subscribed"),
        "{said}"
    );
    feeds_command(&env, "pause", "https://reader:hunter2@private.example/feed");
    let out = run_newsmill(&["feeds", "export"], &env);
    let opml = String::from_utf8(out.stdout).unwrap();
    assert!(!opml.contains("hunter2"), "{opml}");
    assert_eq!(opml.matches("<outline ").count(), 3, "{opml}");
    assert_eq!(opml.matches("/newsmill/paused").count(), 1, "{opml}");

    let with = run_newsmill(&["feeds", "export", "--with-credentials"], &env);
    assert!(String::from_utf8_lossy(&with.stdout).contains("reader:hunter2@"));
    let file = data.path().join("export.opml");
    std::fs::write(&file, &with.stdout).unwrap();

    // Another newsmill, on a data directory of its own, with the export as
    // its OPML file. (Its control topic is made by a command that changes
    // nothing: the config's own feed added again.)
    let other = tempfile::tempdir().unwrap();
    let mut env2 = child_env(
        other.path(),
        None,
        "https://config.example/rss",
        &unique("import"),
    );
    env2.push(("NEWSMILL__FETCHER__OPML".into(), file.display().to_string()));
    feeds_command(&env2, "add", "https://config.example/rss");
    let listed = url_title_health(&env2);
    let feeds: Vec<(&str, &str, &str)> = listed
        .iter()
        .map(|(u, t, h)| (u.as_str(), t.as_str(), h.as_str()))
        .collect();
    assert_eq!(
        feeds,
        [
            (
                "https://********:********@private.example/feed",
                "private.example",
                "paused"
            ),
            (
                "https://added.example/feed?a=1&b=2",
                "Added <one> & co",
                "new"
            ),
            // The config's own feed, untitled there, is the config's.
            ("https://config.example/rss", "", "new"),
        ]
    );

    // `feeds import` writes the same subscriptions to a third newsmill's
    // control topic; the masked export's private feed is refused there.
    let third = tempfile::tempdir().unwrap();
    let env3 = child_env(
        third.path(),
        None,
        "https://config.example/rss",
        &unique("import3"),
    );
    let masked = data.path().join("masked.opml");
    std::fs::write(&masked, opml.as_bytes()).unwrap();
    let out = run_newsmill(&["feeds", "import", masked.to_str().unwrap()], &env3);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("masked (export it with --with-credentials)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_newsmill(&["feeds", "import", file.to_str().unwrap()], &env3);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!said.contains("hunter2"), "{said}");
    let imported = url_title_health(&env3);
    let urls: Vec<(&str, &str)> = imported
        .iter()
        .map(|(u, _, h)| (u.as_str(), h.as_str()))
        .collect();
    assert_eq!(
        urls,
        [
            ("https://********:********@private.example/feed", "paused"),
            ("https://added.example/feed?a=1&b=2", "new"),
            ("https://config.example/rss", "new"),
        ]
    );
}

/// Kafka's compaction keeps each feed's last command alone: a pause says
/// the feed is subscribed and carries its title, so that a fetcher that
/// reads only the pause knows the feed, paused, by its name (on the
/// embedded log, which keeps every command: what a compacted topic would
/// keep is read by hand).
#[test]
fn a_pause_carries_what_compaction_would_otherwise_lose() {
    let data = tempfile::tempdir().unwrap();
    let env = child_env(
        data.path(),
        None,
        "https://config.example/rss",
        &unique("compact"),
    );
    let feed = "https://added.example/feed";
    run_newsmill(
        &[
            "feeds",
            "add",
            feed,
            "--title",
            "Added",
            "--feed-text-only",
            "--poll-min",
            "90s",
            "--poll-max",
            "15m",
        ],
        &env,
    );
    feeds_command(&env, "pause", feed);
    let commands = tail_json(&env, "news.feeds.v1");
    let last = commands.last().unwrap();
    assert_eq!(last["feed_text_only"], true, "{last}");
    assert_eq!(
        (&last["poll_min_secs"], &last["poll_max_secs"]),
        (&90.into(), &900.into()),
        "{last}"
    );
    assert_eq!(
        (&last["action"], &last["title"]),
        (&"pause".into(), &"Added".into())
    );
    let compacted: news_core::messages::FeedCommand = serde_json::from_value(last.clone()).unwrap();
    let cfg = news_core::Config::default();
    let subs = news_fetcher::status::subscriptions_after(&cfg, &[compacted]).unwrap();
    let sub = subs
        .all()
        .find(|s| s.url == feed)
        .expect("still subscribed");
    assert!(sub.paused && sub.settings.feed_text_only);
    assert_eq!(
        (sub.settings.poll_min_secs, sub.settings.poll_max_secs),
        (Some(90), Some(900))
    );
    assert_eq!(sub.title.as_deref(), Some("Added"));
    let listed = list_feeds(&env, false);
    let listed = listed.iter().find(|f| f["url"] == feed).unwrap();
    assert_eq!(listed["feed_text_only"], true, "{listed}");
    assert_eq!(
        (&listed["poll_min_secs"], &listed["poll_max_secs"]),
        (&90.into(), &900.into()),
        "{listed}"
    );
    let config_feed = list_feeds(&env, false);
    let config_feed = config_feed.iter().find(|f| f["url"] != feed).unwrap();
    assert!(config_feed.get("poll_max_secs").is_none(), "{config_feed}");
    let export = String::from_utf8(run_newsmill(&["feeds", "export"], &env).stdout).unwrap();
    assert!(
        export.contains(
            "category=\"/newsmill/paused,/newsmill/feed-text-only,/newsmill/poll-min/90s,/newsmill/poll-max/900s\""
        ),
        "{export}"
    );

    // `feeds set` changes one setting and keeps the others, and the pause.
    run_newsmill(&["feeds", "set", feed, "--poll-max", "default"], &env);
    let commands = tail_json(&env, "news.feeds.v1");
    let last = commands.last().unwrap();
    assert_eq!(
        (&last["action"], &last["title"], &last["feed_text_only"]),
        (&"pause".into(), &"Added".into(), &true.into()),
        "{last}"
    );
    assert_eq!(last["poll_min_secs"], 90, "{last}");
    assert!(last.get("poll_max_secs").is_none(), "{last}");
    // The config's feed is as the config says.
    let out = Command::new(newsmill_bin())
        .args([
            "feeds",
            "set",
            "https://config.example/rss",
            "--poll-max",
            "1m",
        ])
        .envs(env.iter().cloned())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("comes from the config"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(tail_json(&env, "news.feeds.v1").len(), commands.len());
}
