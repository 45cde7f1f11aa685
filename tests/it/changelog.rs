//! A dedup instance loses its disk: its replacement rebuilds the window from
//! the changelog topic on tansu, and then decides exactly as one engine that
//! saw the whole stream without interruption.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use news_core::bus::{Bus, OutRecord};
use news_core::config::Config;
use news_core::messages::{CleanArticle, ExtractionMethod, SCHEMA_VERSION};
use news_dedup::{ArticleIn, Engine, params_from};
use newsmill_tests::{
    broker, child_env, create_topic, dedup_partitions_missing, exit_of, free_port, newsmill_bin,
    spawn_newsmill, tail_json, unique, validate_with_python,
};

const CITIES: [&str; 28] = [
    "Aldmere", "Brisk", "Corvale", "Dunmore", "Eskby", "Farrow", "Galen", "Hesk", "Ivory",
    "Jarrow", "Kestrel", "Lorne", "Marsh", "Norvik", "Oxley", "Pellam", "Quarry", "Ravel", "Selby",
    "Tarn", "Ulm", "Vance", "Wexley", "Yarrow", "Zell", "Ambry", "Borne", "Cairn",
];
const PEOPLE: [&str; 28] = [
    "Moravec",
    "Lindqvist",
    "Okafor",
    "Tanaka",
    "Brandt",
    "Duval",
    "Herrera",
    "Kowalski",
    "Nakamura",
    "Osei",
    "Petrov",
    "Quist",
    "Rossi",
    "Sato",
    "Varga",
    "Weiss",
    "Yilmaz",
    "Zhou",
    "Abbott",
    "Bianchi",
    "Castro",
    "Dimitrov",
    "Eriksen",
    "Fischer",
    "Greco",
    "Holm",
    "Ito",
    "Jansen",
];
const KINDS: [(&str, &str); 4] = [
    ("fire", "firefighters"),
    ("flood", "rescuers"),
    ("strike", "union leaders"),
    ("quake", "seismologists"),
];

/// One event's report as its first outlet wrote it.
fn original(e: usize) -> (String, String) {
    let (city, who, (kind, crew)) = (CITIES[e], PEOPLE[e], KINDS[e % 4]);
    let n = 17 + e * 7;
    (
        format!("{kind} in {city} leaves {n} injured"),
        format!(
            "A {kind} in {city} injured {n} people on Monday, mayor {who} said.\n\
             {crew} worked through the night in the {city} district of Old Quay.\n\
             {who} asked residents to avoid the area until Wednesday.\n\
             The regional office in {city} opened a hotline with {} operators.",
            n + 3
        ),
    )
}

/// The same text under another outlet's chrome (a syndicated copy).
fn copy(e: usize) -> (String, String) {
    let (title, text) = original(e);
    (
        title.to_uppercase(),
        format!("{text}\nCopyright wire service. All rights reserved."),
    )
}

/// Another outlet's own words about the same event.
fn rewrite(e: usize) -> (String, String) {
    let (city, who, (kind, crew)) = (CITIES[e], PEOPLE[e], KINDS[e % 4]);
    let n = 17 + e * 7;
    (
        format!("{city} counts {n} hurt after {kind}"),
        format!(
            "Mayor {who} of {city} says {n} were hurt in Monday's {kind}.\n\
             According to {who}, {crew} stayed in Old Quay overnight, and a hotline staffed by {} operators is open.",
            n + 3
        ),
    )
}

/// The stories of `orig-0` (which `copy-0` joins) and `orig-1`, once the
/// dedup topic holds the three verdicts.
fn two_stories_of_three(
    env: &[(String, String)],
    topic: &str,
) -> (serde_json::Value, serde_json::Value) {
    let verdicts = wait_for_verdicts(env, topic, &["orig-0", "copy-0", "orig-1"]);
    let story_of = |id: &str| {
        verdicts
            .iter()
            .find(|v| v["id"] == id)
            .map(|v| v["story_id"].clone())
            .unwrap()
    };
    assert_eq!(story_of("copy-0"), story_of("orig-0"), "a copy joins");
    (story_of("orig-0"), story_of("orig-1"))
}

fn article(id: &str, (title, text): (String, String), at: DateTime<Utc>) -> CleanArticle {
    CleanArticle {
        schema_version: SCHEMA_VERSION,
        id: id.to_string(),
        // And on other outlets, for the stories' sources.
        url: match id.split('-').next() {
            Some("copy") => format!("https://wire.example.net/{id}"),
            Some("rewrite") => format!("https://www.example.com/{id}"),
            _ => format!("https://example.org/{id}"),
        },
        feed_url: None,
        fetched_url: None,
        canonical_url: None,
        description: None,
        section: None,
        keywords: Vec::new(),
        paywalled: None,
        fetched_at: at,
        cleaned_at: at,
        title: Some(title),
        authors: Vec::new(),
        published: None,
        modified: None,
        // Copies and rewrites in other languages, so that a story's
        // languages show what the replacement learnt from the changelog.
        language: Some(
            match id.split('-').next() {
                Some("copy") => "fr",
                Some("rewrite") => "de",
                _ => "en",
            }
            .into(),
        ),
        site_name: None,
        lead_image: None,
        word_count: text.split_whitespace().count() as u32,
        text_sha256: news_core::ids::sha256_hex(&text),
        text,
        method: ExtractionMethod::PlainText,
        text_source: None,
        empty_reason: None,
    }
}

fn stream() -> (Vec<CleanArticle>, usize) {
    let base = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let mut specs: Vec<(String, (String, String))> = Vec::new();
    // Before the disk is lost: 24 events, copies and rewrites of 8 of them.
    for e in 0..24 {
        specs.push((format!("orig-{e}"), original(e)));
        if e < 8 {
            specs.push((format!("copy-{e}"), copy(e)));
            specs.push((format!("rewrite-{e}"), rewrite(e)));
        }
    }
    let first = specs.len();
    // After: copies and rewrites of events the first instance saw, and news.
    for e in 8..18 {
        specs.push((format!("copy-{e}"), copy(e)));
        specs.push((format!("rewrite-{e}"), rewrite(e)));
    }
    for e in 24..28 {
        specs.push((format!("orig-{e}"), original(e)));
    }
    let articles = specs
        .into_iter()
        .enumerate()
        .map(|(i, (id, doc))| article(&id, doc, base + chrono::Duration::seconds(i as i64)))
        .collect();
    (articles, first)
}

async fn produce(topic: &str, articles: &[CleanArticle]) {
    let mut config = Config::default();
    config.bus.brokers = broker();
    config.bus.partitions = 1;
    produce_on(config, topic, articles).await;
}

async fn produce_on(config: Config, topic: &str, articles: &[CleanArticle]) {
    let bus = Bus::from_config(&config).unwrap();
    bus.ensure_topics(&[topic]).await.unwrap();
    let producer = bus.producer().unwrap();
    for a in articles {
        producer
            .send_and_wait(OutRecord::json(topic, &a.id, a))
            .await
            .expect("acknowledged");
    }
    producer.flush(Duration::from_secs(10)).unwrap();
}

/// Wait until the dedup topic holds a verdict for each of `ids`.
fn wait_for_verdicts(
    env: &[(String, String)],
    topic: &str,
    ids: &[&str],
) -> Vec<serde_json::Value> {
    let started = Instant::now();
    loop {
        let verdicts = tail_json(env, topic);
        let missing = ids
            .iter()
            .filter(|id| !verdicts.iter().any(|v| v["id"] == **id))
            .count();
        if missing == 0 {
            return verdicts;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{missing} of {} articles still undecided",
            ids.len()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replacement_with_an_empty_disk_rebuilds_from_the_changelog() {
    let tag = unique("changelog");
    let (articles, first) = stream();
    let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    let env_for = |dir: &std::path::Path| {
        let mut env = child_env(dir, Some(&broker()), "http://127.0.0.1:9/none.xml", &tag);
        // One partition: the stream's order is the order of decisions.
        env.push(("NEWSMILL__BUS__PARTITIONS".into(), "1".into()));
        env
    };
    let clean_topic = format!("{tag}.clean");
    let dedup_topic = format!("{tag}.dedup");

    let first_disk = tempfile::tempdir().unwrap();
    let env = env_for(first_disk.path());
    let mut first_instance = spawn_newsmill("dedup", &env);
    produce(&clean_topic, &articles[..first]).await;
    wait_for_verdicts(&env, &dedup_topic, &ids[..first]);
    // Let the last facts' acknowledgements land, then lose the instance and
    // its disk.
    tokio::time::sleep(Duration::from_secs(1)).await;
    first_instance.kill().unwrap();
    first_instance.wait().unwrap();
    drop(first_disk);

    let second_disk = tempfile::tempdir().unwrap();
    let env = env_for(second_disk.path());
    let mut replacement = spawn_newsmill("dedup", &env);
    // Redelivered inputs (at-least-once) come with the new ones.
    produce(&clean_topic, &articles[..4]).await;
    produce(&clean_topic, &articles[first..]).await;
    let verdicts = wait_for_verdicts(&env, &dedup_topic, &ids);
    // SIGTERM: the replacement drains, so every fact it owes is written.
    let term = std::process::Command::new("kill")
        .args(["-TERM", &replacement.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(replacement.wait().unwrap().success(), "graceful exit");

    // `newsmill stats` reads the same topics: one fact per decided article.
    let stats = std::process::Command::new(newsmill_bin())
        .arg("stats")
        .envs(env.iter().cloned())
        .output()
        .expect("run newsmill stats");
    let stats = String::from_utf8_lossy(&stats.stdout);
    let facts: usize = stats
        .lines()
        .find(|l| l.contains(&format!("{tag}.dedup_changelog: 1 partitions")))
        .and_then(|l| l.split(", ").nth(1)?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no changelog line in stats:\n{stats}"));
    // tansu's end offsets lag the last multi-record batch, so no exact count.
    assert!(facts > first, "{facts} facts:\n{stats}");
    assert!(
        stats.contains(&format!("group g-{tag}-dedup: p0 lag")),
        "{stats}"
    );

    // One engine that saw the whole stream without interruption.
    let mut reference = Engine::new(params_from(&Config::default()));
    let mut expected = BTreeMap::new();
    for a in &articles {
        let d = reference.decide(&ArticleIn {
            id: &a.id,
            title: a.title.as_deref(),
            text: &a.text,
            at: a.fetched_at.timestamp(),
            published: None,
            lang: a.language.as_deref(),
            source: None,
        });
        expected.insert(a.id.clone(), d);
    }
    let mut linked_back = std::collections::BTreeSet::new();
    for v in &verdicts {
        let id = v["id"].as_str().unwrap();
        let want = &expected[id];
        assert_eq!(v["story_id"], want.story_id, "{id}: {v}");
        assert_eq!(v["kind"], want.kind.as_str(), "{id}: {v}");
        assert_eq!(
            v["duplicate_of"].as_str(),
            want.duplicate_of.as_deref(),
            "{id}: {v}"
        );
        let after = ids[first..].contains(&id);
        let dup = v["duplicate_of"].as_str().unwrap_or("");
        if after && ids[..first].contains(&dup) {
            linked_back.insert(id);
        }
    }
    // The copies and rewrites after the loss found what the lost disk held.
    let later_copies = ids[first..]
        .iter()
        .filter(|id| !id.starts_with("orig-"))
        .count();
    assert_eq!(
        linked_back.len(),
        later_copies,
        "later copies and rewrites linked to earlier articles: {linked_back:?}"
    );

    // Stories founded before the loss list their founder's language and
    // outlet, which only the changelog told the replacement, before the
    // later members'.
    let stories = tail_json(&env, &format!("{tag}.stories"));
    for e in 8..18 {
        let story_id = &expected[&format!("orig-{e}")].story_id;
        let fullest = stories
            .iter()
            .filter(|s| s["story_id"] == **story_id)
            .max_by_key(|s| s["member_count"].as_u64())
            .unwrap_or_else(|| panic!("no summary of orig-{e}'s story"));
        assert_eq!(fullest["member_count"], 3, "orig-{e}: {fullest}");
        assert_eq!(
            fullest["languages"],
            serde_json::json!(["en", "fr", "de"]),
            "orig-{e}: {fullest}"
        );
        let outlets = serde_json::json!([
            {"source": "example.org", "articles": 1},
            {"source": "example.net", "articles": 1},
            {"source": "example.com", "articles": 1},
        ]);
        assert_eq!(fullest["sources"], outlets, "orig-{e}: {fullest}");
    }
}

/// A changelog topic made compacted by hand (as state topics often are)
/// would keep one fact of the window, since every fact has one key: the
/// dedup stage refuses to start on it, saying why, instead of losing its
/// state at the next replacement.
#[tokio::test]
async fn a_compacted_changelog_topic_is_refused_at_start() {
    let tag = unique("compacted");
    let disk = tempfile::tempdir().unwrap();
    let env = child_env(
        disk.path(),
        Some(&broker()),
        "http://127.0.0.1:9/none.xml",
        &tag,
    );
    let changelog = format!("{tag}.dedup_changelog");
    create_topic(&changelog, &[("cleanup.policy", "compact")]).await;

    let (status, stderr) = exit_of(&["dedup"], &env, Duration::from_secs(60))
        .await
        .expect("newsmill dedup kept running on a compacted changelog");
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains(&changelog) && stderr.contains("cleanup.policy=compact"),
        "{stderr}"
    );
}

/// A story whose last member leaves the window is announced closed: its
/// last summary comes again on the stories topic, after the open ones,
/// with `closed_at`.
#[tokio::test(flavor = "multi_thread")]
async fn a_story_is_announced_closed_when_its_last_member_leaves_the_window() {
    let tag = unique("closed");
    let disk = tempfile::tempdir().unwrap();
    let mut env = child_env(
        disk.path(),
        Some(&broker()),
        "http://127.0.0.1:9/none.xml",
        &tag,
    );
    env.push(("NEWSMILL__BUS__PARTITIONS".into(), "1".into()));
    let base = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let articles = [
        article("orig-0", original(0), base),
        article("copy-0", copy(0), base + chrono::Duration::hours(1)),
        // Four days later, past the 72 h window.
        article("orig-1", original(1), base + chrono::Duration::days(4)),
    ];
    let mut dedup = spawn_newsmill("dedup", &env);
    produce(&format!("{tag}.clean"), &articles).await;
    let (closing, open) = two_stories_of_three(&env, &format!("{tag}.dedup"));
    let started = Instant::now();
    let summaries = loop {
        let summaries = tail_json(&env, &format!("{tag}.stories"));
        if summaries.iter().any(|s| s["story_id"] == open) {
            break summaries;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{summaries:?}");
        std::thread::sleep(Duration::from_millis(300));
    };
    dedup.kill().unwrap();
    dedup.wait().unwrap();
    let of_closing: Vec<&serde_json::Value> = summaries
        .iter()
        .filter(|s| s["story_id"] == closing)
        .collect();
    let last = of_closing.last().expect("summaries of the first story");
    assert!(last["closed_at"].is_string(), "{of_closing:?}");
    assert_eq!(last["members"], serde_json::json!(["orig-0", "copy-0"]));
    assert_eq!(
        of_closing
            .iter()
            .filter(|s| s.get("closed_at").is_some())
            .count(),
        1,
        "closed once, after its open summaries: {of_closing:?}"
    );
    let of_open: Vec<_> = summaries.iter().filter(|s| s["story_id"] == open).collect();
    assert!(
        of_open.iter().all(|s| s.get("closed_at").is_none()),
        "{of_open:?}"
    );
    // Another client reads the closing summary by the published schema.
    let report = validate_with_python(&broker(), &[(format!("{tag}.stories"), "news.stories.v1")]);
    assert!(
        report.contains(&format!("{tag}.stories: {} valid", summaries.len())),
        "{report}"
    );
}

/// A quiet stream's story closes with no later article to close it: once
/// dedup's input is read to its end and quiet for `runner.idle_after`, a
/// story whose members are all older than the window plus
/// `dedup.quiet_close_delay` (by this clock) is announced closed, once, and
/// a younger one stays open. On tansu, "read to its end" comes from
/// librdkafka's statistics.
#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_streams_old_story_is_announced_closed_with_no_later_article_on_kafka() {
    quiet_stream_closes_its_old_story(Some(broker())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_streams_old_story_is_announced_closed_with_no_later_article_on_the_embedded_log() {
    quiet_stream_closes_its_old_story(None).await;
}

/// Quiet closing as deployed (the harness turns it off), with a quiet
/// second instead of 30.
fn with_quiet_closing(env: &mut Vec<(String, String)>) {
    env.retain(|(k, _)| k != "NEWSMILL__DEDUP__QUIET_CLOSE_DELAY");
    env.push(("NEWSMILL__RUNNER__IDLE_AFTER".into(), "1s".into()));
}

async fn quiet_stream_closes_its_old_story(brokers: Option<String>) {
    let tag = unique("quiet");
    let disk = tempfile::tempdir().unwrap();
    let mut env = child_env(
        disk.path(),
        brokers.as_deref(),
        "http://127.0.0.1:9/none.xml",
        &tag,
    );
    with_quiet_closing(&mut env);
    env.push(("NEWSMILL__BUS__PARTITIONS".into(), "1".into()));
    let topic = |role: &str, default: &str| match brokers {
        Some(_) => format!("{tag}.{role}"),
        None => default.to_string(),
    };
    // 4.5 days old, past the 72 h window and the hour's delay; the last
    // article, two days old, closes nothing by arriving (2.5 days later).
    let now = Utc::now();
    let articles = [
        article("orig-0", original(0), now - chrono::Duration::hours(108)),
        article("copy-0", copy(0), now - chrono::Duration::hours(107)),
        article("orig-1", original(1), now - chrono::Duration::hours(48)),
    ];
    let mut config = Config::default();
    config.bus.partitions = 1;
    config.bus.data_dir = disk.path().to_path_buf();
    if let Some(b) = &brokers {
        config.bus.brokers = b.clone();
    }
    // On the embedded log the producer's handle is dropped before dedup
    // opens the log.
    produce_on(config, &topic("clean", "news.clean.v1"), &articles).await;
    let mut dedup = spawn_newsmill("dedup", &env);
    let (old, young) = two_stories_of_three(&env, &topic("dedup", "news.dedup.v1"));
    let stories_topic = topic("stories", "news.stories.v1");
    let closing = |summaries: &[serde_json::Value], story: &serde_json::Value| {
        summaries
            .iter()
            .filter(|s| s["story_id"] == *story && s.get("closed_at").is_some())
            .cloned()
            .collect::<Vec<_>>()
    };
    let started = Instant::now();
    let closed = loop {
        let closed = closing(&tail_json(&env, &stories_topic), &old);
        if !closed.is_empty() {
            break closed;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the old story was never closed"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(
        closed[0]["members"],
        serde_json::json!(["orig-0", "copy-0"])
    );
    // A few more quiet seconds (idle checks run every 2 s): nothing more.
    std::thread::sleep(Duration::from_secs(5));
    let summaries = tail_json(&env, &stories_topic);
    dedup.kill().unwrap();
    dedup.wait().unwrap();
    assert_eq!(closing(&summaries, &old).len(), 1, "closed once");
    assert!(closing(&summaries, &young).is_empty(), "{summaries:?}");
}

/// Two dedup instances in one group (a mistake the sole-reader watch
/// reports) each hold part of the input. Neither is quiet while a
/// partition the other holds may carry news it has not seen, so neither
/// closes a story by quiet; once the second leaves, the first holds the
/// whole input and closes the old stories.
#[tokio::test(flavor = "multi_thread")]
async fn a_dedup_instance_missing_partitions_closes_no_story_by_quiet_until_it_holds_them_all() {
    let tag = unique("quiet-split");
    let disks = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let admins: Vec<String> = disks
        .iter()
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let envs: Vec<Vec<(String, String)>> = disks
        .iter()
        .zip(&admins)
        .map(|(disk, admin)| {
            let mut env = child_env(disk.path(), Some(&broker()), "http://127.0.0.1:9/", &tag);
            env.retain(|(k, _)| k != "NEWSMILL__ADMIN__LISTEN");
            env.push(("NEWSMILL__ADMIN__LISTEN".into(), admin.clone()));
            with_quiet_closing(&mut env);
            env
        })
        .collect();
    let mut running: Vec<_> = envs
        .iter()
        .map(|env| spawn_newsmill("dedup", env))
        .collect();
    // Each instance misses some of the three partitions before news comes.
    let started = Instant::now();
    loop {
        let mut missing = Vec::new();
        for admin in &admins {
            missing.extend(dedup_partitions_missing(admin).await);
        }
        if missing.len() == 2 && missing.iter().all(|m| *m > 0.0) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no split seen: {missing:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Twelve events 100 hours old, past the window and the delay, keyed
    // over the partitions.
    let now = Utc::now();
    let articles: Vec<CleanArticle> = (0..12)
        .map(|e| {
            let at = now - chrono::Duration::hours(100);
            article(&format!("orig-{e}"), original(e), at)
        })
        .collect();
    let mut config = Config::default();
    config.bus.brokers = broker();
    produce_on(config, &format!("{tag}.clean"), &articles).await;
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    wait_for_verdicts(&envs[0], &format!("{tag}.dedup"), &ids);
    let stories = format!("{tag}.stories");
    let closures = || {
        tail_json(&envs[0], &stories)
            .iter()
            .filter(|s| s.get("closed_at").is_some())
            .count()
    };
    // Quiet for longer than `runner.idle_after`, the statistics' 5 s and
    // the check every 2 s.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(closures(), 0, "a story closed by quiet while split");
    running[1].kill().unwrap();
    running[1].wait().unwrap();
    let left = Instant::now();
    while closures() == 0 {
        assert!(
            left.elapsed() < Duration::from_secs(90),
            "the instance left holding every partition closed nothing"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    running[0].kill().unwrap();
    running[0].wait().unwrap();
}
