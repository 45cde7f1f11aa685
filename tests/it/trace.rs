//! `newsmill trace` as an operator uses it, after a run on a loopback site
//! where one page answers 404: an article that went through is found in
//! its feed's seen items, on each stage topic and in its story; the page
//! that failed is found in its dead letter; an article no feed listed is
//! found nowhere, and says so. On the embedded log and on tansu.

use std::time::Duration;

use newsmill_tests::{broker, child_env, run_newsmill, serve_dir, synthetic_site, unique};

/// What `newsmill trace TARGET` printed: its JSON lines and its summary.
fn trace(env: &[(String, String)], target: &str) -> (Vec<serde_json::Value>, String) {
    trace_with(env, &[target])
}

fn trace_with(env: &[(String, String)], args: &[&str]) -> (Vec<serde_json::Value>, String) {
    let out = run_newsmill(&[&["trace"], args].concat(), env);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (lines, String::from_utf8_lossy(&out.stderr).to_string())
}

/// The findings on `topic`.
fn on<'a>(lines: &'a [serde_json::Value], topic: &str) -> Vec<&'a serde_json::Value> {
    lines.iter().filter(|l| l["topic"] == topic).collect()
}

async fn an_articles_way_is_traced(brokers: Option<String>) {
    let site = tempfile::tempdir().unwrap();
    synthetic_site(site.path(), 3);
    std::fs::remove_file(site.path().join("a/1.html")).unwrap();
    let addr = serve_dir(site.path().to_path_buf(), Duration::ZERO).await;
    let feed_url = format!("http://{addr}/feed.xml");
    let data = tempfile::tempdir().unwrap();
    let tag = unique("trace");
    let env = child_env(data.path(), brokers.as_deref(), &feed_url, &tag);
    let topic = |role: &str| match &brokers {
        Some(_) => format!("{tag}.{role}"),
        None => format!("news.{role}.v1"),
    };
    run_newsmill(&["run", "--drain"], &env);
    let after_run = (chrono::Utc::now() + chrono::Duration::milliseconds(5)).to_rfc3339();

    // An article that went the whole way, named by its URL.
    let (lines, summary) = trace(&env, &format!("http://{addr}/a/0.html"));
    let id = lines[0]["article"].as_str().unwrap().to_string();
    assert_eq!(
        id,
        news_core::ids::article_id(&format!("http://{addr}/a/0.html"))
    );
    assert_eq!(lines[1]["fetcher"]["taken_by"][0], feed_url, "{lines:?}");
    for role in ["raw", "clean", "dedup"] {
        let found = on(&lines, &topic(role));
        assert_eq!(found.len(), 1, "{role}: {lines:?}");
        assert_eq!(found[0]["message"]["id"], id.as_str());
    }
    let raw = &on(&lines, &topic("raw"))[0]["message"];
    assert!(
        raw["html"].as_str().unwrap().contains("… ("),
        "the page's HTML is abridged: {raw}"
    );
    let verdict = &on(&lines, &topic("dedup"))[0]["message"];
    let story = &on(&lines, &topic("stories"));
    assert_eq!(story.len(), 1, "the story's latest summary: {lines:?}");
    assert_eq!(story[0]["message"]["story_id"], verdict["story_id"]);
    assert!(
        story[0]["message"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == id.as_str())
    );
    assert!(on(&lines, &topic("dlq")).is_empty());
    assert!(
        summary.contains("taken by 1 feed(s)") && summary.contains("0 dead letter(s)"),
        "{summary}"
    );

    if brokers.is_some() {
        // On Kafka each keyed topic is read in the one partition its key
        // goes to, where the article's records are; reading every
        // partition finds the same.
        assert!(
            summary.contains("read by key, one partition each"),
            "{summary}"
        );
        for role in ["raw", "clean", "dedup", "stories"] {
            let partition = &on(&lines, &topic(role))[0]["partition"];
            let read = format!("{}:{partition}", topic(role));
            assert!(summary.contains(&read), "{read}: {summary}");
        }
        let url = format!("http://{addr}/a/0.html");
        let (every, every_summary) = trace_with(&env, &[&url, "--all-partitions"]);
        assert_eq!(every, lines);
        assert!(!every_summary.contains("read by key"), "{every_summary}");
    }

    // Records written since a moment (round 67): within the last hour,
    // all of them; since the run ended, none, and on Kafka each
    // partition is read from that moment by the broker's time index.
    let url = format!("http://{addr}/a/0.html");
    let (recent, recent_summary) = trace_with(&env, &[&url, "--since", "1h"]);
    assert_eq!(recent, lines);
    assert!(
        recent_summary.contains("records written since"),
        "{recent_summary}"
    );
    let (later, later_summary) = trace_with(&env, &[&url, "--since", &after_run]);
    assert_eq!(later.len(), 2, "the id and the fetcher's part: {later:?}");
    assert!(later[1]["fetcher"].is_object(), "{later:?}");
    assert!(
        later_summary.contains("on no stage topic"),
        "{later_summary}"
    );

    // The same article named by its id (the same on either bus).
    if brokers.is_none() {
        let (by_id, _) = trace(&env, &id.to_uppercase());
        assert_eq!(by_id[0]["article"], id.as_str());
        assert_eq!(by_id.len(), lines.len());
    }

    // The page that answered 404: its dead letter, and no stage's record.
    let (lines, summary) = trace(&env, &format!("http://{addr}/a/1.html"));
    let letters = on(&lines, &topic("dlq"));
    assert_eq!(letters.len(), 1, "{lines:?}");
    assert_eq!(letters[0]["message"]["stage"], "fetch");
    assert!(
        letters[0]["message"]["reason"]
            .as_str()
            .unwrap()
            .contains("404"),
        "{letters:?}"
    );
    assert!(on(&lines, &topic("raw")).is_empty());
    assert!(summary.contains("1 dead letter(s)"), "{summary}");
    let page_id = news_core::ids::article_id(&format!("http://{addr}/a/1.html"));
    assert_eq!(letters[0]["key"], page_id.as_str(), "{letters:?}");
    if brokers.is_some() {
        // The fetcher's letter is keyed by the page's article id, so it is
        // in the one partition of the dead-letter topic read.
        let read = format!("{}:{}", topic("dlq"), letters[0]["partition"]);
        assert!(summary.contains(&read), "{read}: {summary}");
    }

    // An article no feed listed.
    let (lines, summary) = trace(&env, &format!("http://{addr}/a/9.html"));
    assert_eq!(lines.len(), 1, "the id alone: {lines:?}");
    assert!(
        summary.contains("taken by no feed") && summary.contains("on no stage topic"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_articles_way_is_traced_on_the_embedded_log() {
    an_articles_way_is_traced(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_articles_way_is_traced_on_tansu() {
    an_articles_way_is_traced(Some(broker())).await;
}
