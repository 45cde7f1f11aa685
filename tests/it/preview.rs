//! `newsmill preview FEED_URL` as an operator uses it before subscribing a
//! feed: the feed of a loopback site, one page of which answers 404, is
//! polled and cleaned on a temporary log; the configured data directory
//! and topics get nothing.

use std::time::Duration;

use newsmill_tests::{child_env, run_newsmill, serve_dir, synthetic_site, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_shows_the_clean_articles_a_feed_would_give_and_keeps_nothing() {
    let site = tempfile::tempdir().unwrap();
    synthetic_site(site.path(), 4);
    std::fs::remove_file(site.path().join("a/1.html")).unwrap();
    let addr = serve_dir(site.path().to_path_buf(), Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    // The config subscribes another feed, which a preview leaves alone.
    let env = child_env(
        data.path(),
        None,
        "http://127.0.0.1:9/other.xml",
        &unique("preview"),
    );
    let feed = format!("http://{addr}/feed.xml");

    let out = run_newsmill(&["preview", &feed, "-n", "3"], &env);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let articles: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["text"].is_string()).collect();
    assert_eq!(articles.len(), 2, "{lines:?}");
    for article in &articles {
        assert!(
            article["text"]
                .as_str()
                .unwrap()
                .contains("council approved plan number"),
            "{article}"
        );
        assert!(article["word_count"].as_u64().unwrap() > 20);
    }
    let letters: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["dead_letter"].is_object())
        .collect();
    assert_eq!(letters.len(), 1, "{lines:?}");
    assert!(
        letters[0]["dead_letter"]["reason"]
            .as_str()
            .unwrap()
            .contains("404")
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("3 new items, 2 pages fetched") && said.contains("2 articles cleaned"),
        "{said}"
    );
    // Nothing was kept where the configured pipeline keeps its data.
    let kept: Vec<_> = std::fs::read_dir(data.path()).unwrap().collect();
    assert!(kept.is_empty(), "{kept:?}");
}
