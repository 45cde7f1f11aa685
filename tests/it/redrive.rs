//! `newsmill redrive` as an operator uses it: pages whose cleaned output
//! was too big for `bus.max_message_bytes` are dead-lettered; once the
//! limit is raised, a redrive sends them back to `news.raw.v1`, and the
//! next run cleans and decides them. Under that limit a letter keeps an
//! eighth of it (12,500 bytes) of each page, so both come back whole from
//! their origin records. On the embedded log and on tansu.
//!
//! And an article page the fetcher gave up on: its letter holds the page
//! request, and a redrive asks for the page again once it is there.

use std::process::Command;
use std::time::Duration;

use news_core::bus::{Bus, OutRecord};
use newsmill_tests::{
    broker, child_env, newsmill_bin, repo_root, serve_dir_logged, synthetic_site, tail_json, unique,
};

/// A raw message for a page of `paragraphs` distinct paragraphs (about
/// 100 bytes each).
fn raw_page(name: &str, paragraphs: usize) -> (String, Vec<u8>) {
    let example =
        std::fs::read_to_string(repo_root().join("schemas/examples/news.raw.v1.example.json"))
            .unwrap();
    let mut raw: serde_json::Value = serde_json::from_str(&example).unwrap();
    let body: String = (0..paragraphs)
        .map(|i| {
            format!(
                "<p>Paragraph {i} of the {name} report says the budget for district {i} rose by {} percent this year.</p>",
                i % 97
            )
        })
        .collect();
    let url = format!("https://example.com/{name}");
    let id = news_core::ids::article_id(&url);
    raw["html"] = format!(
        "<html><head><title>The {name} report</title></head><body><article><h1>The {name} report</h1>{body}</article></body></html>"
    )
    .into();
    raw["id"] = id.clone().into();
    raw["url"] = url.clone().into();
    raw["fetched_url"] = url.into();
    (id, serde_json::to_vec(&raw).unwrap())
}

fn newsmill(env: &[(String, String)], args: &[&str]) -> (String, String) {
    let out = Command::new(newsmill_bin())
        .args(args)
        .envs(env.iter().cloned())
        .output()
        .expect("run newsmill");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(
        out.status.success(),
        "newsmill {args:?} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

async fn oversized_pages_come_back_after_the_limit_is_raised(brokers: Option<String>) {
    let data = tempfile::tempdir().unwrap();
    let tag = unique("redrive");
    // No feeds: the runs only clean and decide what is on the raw topic.
    let mut env: Vec<(String, String)> = child_env(data.path(), brokers.as_deref(), "", &tag)
        .into_iter()
        .filter(|(k, _)| k != "NEWSMILL__FETCHER__FEEDS")
        .collect();
    env.push(("NEWSMILL__FETCHER__FEEDS".into(), "[]".into()));
    let topic = |role: &str| match &brokers {
        Some(_) => format!("{tag}.{role}"),
        None => format!("news.{role}.v1"),
    };
    let big = raw_page("big", 4000);
    let small = raw_page("small", 1500);
    assert!(big.1.len() > 300_000 && (120_000..250_000).contains(&small.1.len()));
    {
        let mut cfg = news_core::Config::default();
        cfg.bus.data_dir = data.path().to_path_buf();
        if let Some(b) = &brokers {
            cfg.bus.brokers = b.clone();
        }
        let bus = Bus::from_config(&cfg).unwrap();
        bus.ensure_topics(&[topic("raw").as_str()]).await.unwrap();
        let producer = bus.producer().unwrap();
        for (id, payload) in [&big, &small] {
            let record = OutRecord {
                topic: topic("raw"),
                key: id.clone(),
                headers: vec![],
                payload: payload.clone(),
            };
            producer.send_and_wait(record).await.unwrap();
        }
    }

    // A limit the cleaned pages exceed: both are dead-lettered.
    let mut small_limit = env.clone();
    small_limit.push(("NEWSMILL__BUS__MAX_MESSAGE_BYTES".into(), "100000".into()));
    let before_run = chrono::Utc::now().to_rfc3339();
    newsmill(&small_limit, &["run", "--drain"]);
    assert!(tail_json(&env, &topic("clean")).is_empty());
    let letters = tail_json(&env, &topic("dlq"));
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert!(letters.iter().all(|l| l["error_type"] == "oversized"));
    for letter in &letters {
        assert_eq!(letter["payload_truncated"], true);
        assert!(
            letter["payload"].as_str().unwrap().len() <= 12_500,
            "a letter fits the limit"
        );
    }

    // Selections that take none send none.
    let (_, none) = newsmill(&env, &["redrive", "--stage", "dedup"]);
    assert!(none.contains("0 sent again"), "{none}");
    let (_, none) = newsmill(&env, &["redrive", "--since", "2999-01-01T00:00:00Z"]);
    assert!(none.contains("0 sent again"), "{none}");
    // Read from a time (round 67: on Kafka, by the broker's time index),
    // the letters written since are all there.
    let (_, since) = newsmill(&env, &["redrive", "--dry-run", "--since", &before_run]);
    assert!(since.contains("2 would be sent again"), "{since}");
    let (lines, dry) = newsmill(&env, &["redrive", "--dry-run"]);
    assert!(
        dry.contains(
            "2 would be sent again (2 from the origin record, 0 from the letter's payload, 0 pages fetched)"
        ),
        "{dry}"
    );
    assert_eq!(lines.lines().count(), 2, "one line per letter: {lines}");

    // With the default limit: sent back, then cleaned and decided.
    let (_, sent) = newsmill(&env, &["redrive", "--error-type", "oversized"]);
    assert!(
        sent.contains(
            "2 sent again (2 from the origin record, 0 from the letter's payload, 0 pages fetched)"
        ),
        "{sent}"
    );
    let mut raw: Vec<String> = tail_json(&env, &topic("raw"))
        .iter()
        .map(|r| r.to_string())
        .collect();
    raw.sort_unstable();
    assert_eq!(raw.len(), 4, "two originals, two sent again");
    assert_eq!(
        (&raw[0], &raw[2]),
        (&raw[1], &raw[3]),
        "each message twice, byte for byte"
    );
    newsmill(&env, &["run", "--drain"]);
    let clean = tail_json(&env, &topic("clean"));
    let mut ids: Vec<&str> = clean.iter().map(|c| c["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut expected = [big.0.as_str(), small.0.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(
        clean
            .iter()
            .all(|c| c["text"].as_str().unwrap().len() > 140_000),
        "whole texts"
    );
    assert_eq!(tail_json(&env, &topic("dedup")).len(), 2);
    assert_eq!(
        tail_json(&env, &topic("dlq")).len(),
        2,
        "no new dead letter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_pages_come_back_after_the_limit_is_raised_on_the_embedded_log() {
    oversized_pages_come_back_after_the_limit_is_raised(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_pages_come_back_after_the_limit_is_raised_on_tansu() {
    oversized_pages_come_back_after_the_limit_is_raised(Some(broker())).await;
}

/// A page that answered 404 when its feed was polled is dead-lettered with
/// its page request. A redrive while it still fails sends nothing; once the
/// page is there, a redrive fetches it under the article id and feed item
/// the poll had, and the next run cleans and decides it. On the embedded
/// log (the fetch is the same on either bus).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_the_fetcher_gave_up_on_is_fetched_again_once_it_is_there() {
    let site = tempfile::tempdir().unwrap();
    synthetic_site(site.path(), 3);
    let page = site.path().join("a/1.html");
    let saved = std::fs::read(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    let (addr, requests) = serve_dir_logged(site.path().to_path_buf(), Duration::ZERO).await;
    let asked_for_page = || {
        let log = requests.lock().unwrap();
        log.iter().filter(|p| p.as_str() == "/a/1.html").count()
    };
    let feed_url = format!("http://{addr}/feed.xml");
    let data = tempfile::tempdir().unwrap();
    let env = child_env(data.path(), None, &feed_url, &unique("refetch"));

    newsmill(&env, &["run", "--drain"]);
    let letters = tail_json(&env, "news.dlq.v1");
    assert_eq!(letters.len(), 1, "{letters:?}");
    let letter = &letters[0];
    assert_eq!(
        (&letter["stage"], &letter["error_type"]),
        (&"fetch".into(), &"fetch".into())
    );
    assert_eq!(letter["reason"], "http 404");
    let request: serde_json::Value =
        serde_json::from_str(letter["payload"].as_str().unwrap()).unwrap();
    assert_eq!(request["link"], format!("http://{addr}/a/1.html"));
    assert_eq!(request["item"]["feed_url"], feed_url);
    assert_eq!(tail_json(&env, "news.dedup.v1").len(), 2);
    assert_eq!(asked_for_page(), 1);

    // Still missing: asked for once more, nothing sent, the error told.
    let (lines, still) = newsmill(&env, &["redrive", "--stage", "fetch"]);
    assert!(
        still.contains("0 sent again") && still.contains("1 page fetch failed again"),
        "{still}"
    );
    let line: serde_json::Value = serde_json::from_str(lines.trim()).unwrap();
    assert_eq!(line["error"], "http 404");
    assert_eq!(asked_for_page(), 2);
    assert_eq!(tail_json(&env, "news.raw.v1").len(), 2);

    // Back: a dry run asks nothing; the redrive fetches it.
    std::fs::write(&page, &saved).unwrap();
    let (_, dry) = newsmill(&env, &["redrive", "--dry-run"]);
    assert!(
        dry.contains("1 would be sent again (0 from the origin record, 0 from the letter's payload, 1 pages fetched)"),
        "{dry}"
    );
    assert_eq!(asked_for_page(), 2);
    let (_, sent) = newsmill(&env, &["redrive", "--error-type", "fetch"]);
    assert!(
        sent.contains(
            "1 sent again (0 from the origin record, 0 from the letter's payload, 1 pages fetched)"
        ),
        "{sent}"
    );
    assert_eq!(asked_for_page(), 3);
    let raw = tail_json(&env, "news.raw.v1");
    assert_eq!(raw.len(), 3);
    let fetched = &raw[2];
    assert_eq!(fetched["id"], request["id"]);
    assert_eq!(fetched["item"], request["item"]);
    assert!(fetched["html"].as_str().unwrap().contains("Bexby plan 1"));

    // The next run takes it through; the feed's poll does not ask again.
    newsmill(&env, &["run", "--drain"]);
    let verdicts = tail_json(&env, "news.dedup.v1");
    let mut ids: Vec<&str> = verdicts.iter().map(|v| v["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{verdicts:?}");
    assert!(ids.contains(&request["id"].as_str().unwrap()));
    assert_eq!(
        tail_json(&env, "news.dlq.v1").len(),
        1,
        "no new dead letter"
    );
    assert_eq!(asked_for_page(), 3);
}
