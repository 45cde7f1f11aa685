//! A story whose last member leaves the window is announced closed on the
//! stories topic: its last summary again, with `closed_at`. After a restart
//! from a snapshot, the closures decided since it are announced again (the
//! instance may have stopped before it published them); a new disk's
//! rebuild from the changelog announces none (they were announced when
//! they happened). The engine's side is in `engine_closed_tests.rs`.

use chrono::{Duration, Utc};
use news_core::bus::{InRecord, OutRecord};
use news_core::config::Config;
use news_core::messages::{CleanArticle, Story};
use news_core::runner::Stage;
use news_dedup::DedupStage;

const QUAKE: &str = "A magnitude 6.1 earthquake struck the Lindqvist valley on Monday, \
    and 14 people were hurt when the old market hall of Varden collapsed, the mayor said.";
const FERRY: &str = "The ferry line between Osei and the island of Tarn will close for \
    nine weeks from March while its pier is rebuilt for 3.4 million euros, the port said.";
const STRIKE: &str = "Teachers in the county of Brandt walked out on Thursday over pay, \
    closing 212 schools, and their union said the strike would last until Monday.";

fn article(id: &str, text: &str, days_ago: i64) -> CleanArticle {
    let example = include_str!("../../../schemas/examples/news.clean.v1.example.json");
    let mut a: CleanArticle = serde_json::from_str(example).unwrap();
    a.id = id.into();
    a.url = format!("https://example.org/{id}");
    a.title = Some(text.split(',').next().unwrap().to_string());
    a.text = text.into();
    a.text_sha256 = news_core::ids::sha256_hex(text);
    a.word_count = text.split_whitespace().count() as u32;
    a.fetched_at = Utc::now() - Duration::days(days_ago);
    a
}

fn origin() -> InRecord {
    as_input(OutRecord {
        topic: "news.clean.v1".into(),
        key: String::new(),
        headers: vec![],
        payload: vec![],
    })
}

fn as_input(r: OutRecord) -> InRecord {
    InRecord {
        topic: r.topic,
        partition: 0,
        offset: 0,
        next_offset: 1,
        key: Some(r.key.into_bytes()),
        headers: r.headers,
        payload: r.payload,
        timestamp_ms: None,
    }
}

/// The summaries among a stage's outputs, in order.
fn summaries(out: &[OutRecord]) -> Vec<Story> {
    out.iter()
        .filter(|r| r.topic == "news.stories.v1")
        .map(|r| serde_json::from_slice(&r.payload).unwrap())
        .collect()
}

fn closed(out: &[OutRecord]) -> Vec<Story> {
    summaries(out)
        .into_iter()
        .filter(|s| s.closed_at.is_some())
        .collect()
}

#[test]
fn a_story_is_announced_closed_once_when_its_last_member_leaves_the_window() {
    // The window is 72 h, counted by the articles' fetch times.
    let mut stage = DedupStage::new(&Config::default(), None).unwrap();
    let mut process = |a: CleanArticle| stage.process(a, &origin()).unwrap();
    let out = process(article("quake-1", QUAKE, 9));
    let quake_story = summaries(&out)[0].story_id.clone();
    let out = process(article("quake-2", QUAKE, 7));
    assert_eq!(summaries(&out)[0].story_id, quake_story, "a copy joins");
    // quake-1 leaves the window here, quake-2 is still in it.
    let out = process(article("ferry", FERRY, 5));
    let ferry_story = summaries(&out)[0].story_id.clone();
    assert!(closed(&out).is_empty(), "a member is still in the window");
    // Now both leave, the oldest first, and each takes its story along.
    let out = process(article("strike", STRIKE, 0));
    let announced = closed(&out);
    let ids: Vec<&str> = announced.iter().map(|s| s.story_id.as_str()).collect();
    assert_eq!(ids, [quake_story.as_str(), ferry_story.as_str()]);
    let quake = &announced[0];
    assert_eq!(quake.members, ["quake-1", "quake-2"]);
    assert_eq!(quake.member_count, 2);
    assert!(quake.closed_at.unwrap() > quake.last_seen);
    // The article's own story comes last, open.
    let last = summaries(&out).pop().unwrap();
    assert!(last.closed_at.is_none() && last.members == ["strike"]);
    // Announced once: the next article closes nothing more.
    let out = process(article("strike-2", STRIKE, 0));
    assert!(closed(&out).is_empty());
    assert!(stage.engine().story(&quake_story).is_none());
}

#[test]
fn closures_after_the_snapshot_are_announced_again_and_a_new_disk_announces_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    // A changelog topic is written on Kafka only; the stage needs no
    // connection to make its facts.
    config.bus.brokers = "127.0.0.1:9".into();
    let mut first = DedupStage::new(&config, Some(dir.path().to_path_buf())).unwrap();
    let mut facts = Vec::new();
    let out = first
        .process(article("quake-1", QUAKE, 9), &origin())
        .unwrap();
    let quake_story = summaries(&out)[0].story_id.clone();
    facts.extend(first.drain_changelog());
    first.checkpoint().unwrap();
    // After the snapshot: the ferry closes the quake's story; then the
    // instance stops before anything else is known to have been published.
    let out = first
        .process(article("ferry", FERRY, 0), &origin())
        .unwrap();
    assert_eq!(closed(&out).len(), 1);
    facts.extend(first.drain_changelog());
    drop(first);
    let facts: Vec<InRecord> = facts.into_iter().map(as_input).collect();

    // Restarted from its snapshot, it catches up on the fact after it.
    let mut restarted = DedupStage::new(&config, Some(dir.path().to_path_buf())).unwrap();
    assert!(restarted.restored_from_snapshot());
    restarted.apply_changelog(&facts[1]).unwrap();
    let out = restarted
        .process(article("ferry", FERRY, 0), &origin())
        .unwrap();
    let again: Vec<String> = closed(&out).into_iter().map(|s| s.story_id).collect();
    assert_eq!(again, [quake_story.as_str()], "announced again");

    // A new disk replays every fact: the closure happened before it.
    let empty = tempfile::tempdir().unwrap();
    let mut rebuilt = DedupStage::new(&config, Some(empty.path().to_path_buf())).unwrap();
    assert!(!rebuilt.restored_from_snapshot());
    for f in &facts {
        rebuilt.apply_changelog(f).unwrap();
    }
    assert!(rebuilt.engine().story(&quake_story).is_none());
    let out = rebuilt
        .process(article("ferry", FERRY, 0), &origin())
        .unwrap();
    assert!(closed(&out).is_empty());
}

/// A quiet stream's stories close too: with no article arriving, a story
/// closes once its last member is older than the window plus
/// `dedup.quiet_close_delay`, by the clock the runner passes in.
#[test]
fn a_quiet_streams_story_closes_once_its_last_member_is_past_the_window_and_the_delay() {
    let mut stage = DedupStage::new(&Config::default(), None).unwrap();
    let out = stage
        .process(article("quake", QUAKE, 4), &origin())
        .unwrap();
    let quake_story = summaries(&out)[0].story_id.clone();
    let out = stage
        .process(article("ferry", FERRY, 2), &origin())
        .unwrap();
    let ferry_story = summaries(&out)[0].story_id.clone();
    // The 72 h window and the default delay of an hour, to the second.
    let quake_last = stage.engine().story(&quake_story).unwrap().last_seen;
    let closes_after = quake_last + 72 * 3600 + 3600;
    assert!(stage.close_quiet_stories(closes_after).is_empty());
    let closing = stage.close_quiet_stories(closes_after + 1);
    assert_eq!(closing.len(), 1, "the ferry's story stays open");
    assert_eq!(closing[0].story_id, quake_story);
    assert_eq!(closing[0].members, ["quake"]);
    assert!(closing[0].closed_at.is_some());
    let now = Utc::now().timestamp();
    assert!(stage.close_quiet_stories(now).is_empty(), "announced once");
    assert!(stage.engine().story(&quake_story).is_none());
    assert!(stage.engine().story(&ferry_story).is_some(), "two days old");

    // With the delay at zero, only arriving articles close stories.
    let mut config = Config::default();
    config.dedup.quiet_close_delay = std::time::Duration::ZERO;
    let mut never = DedupStage::new(&config, None).unwrap();
    never
        .process(article("quake", QUAKE, 9), &origin())
        .unwrap();
    assert!(never.close_quiet_stories(now).is_empty());
    assert_eq!(never.engine().story_count(), 1);
}

/// The runner's side: `when_idle` sends the closing summaries to the
/// stories topic, keyed by story.
#[test]
fn when_idle_sends_the_closing_summaries_to_the_stories_topic() {
    let mut stage = DedupStage::new(&Config::default(), None).unwrap();
    let out = stage
        .process(article("quake", QUAKE, 5), &origin())
        .unwrap();
    let quake_story = summaries(&out)[0].story_id.clone();
    let out = stage.when_idle();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].key, quake_story);
    assert_eq!(closed(&out)[0].story_id, quake_story);
    assert!(stage.when_idle().is_empty());
}

/// The value of one sample in a Prometheus exposition, by its name and
/// labels as written.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().unwrap())
    })
}

/// Articles that leave the window are counted by what made them leave, so
/// that operators see when `dedup.max_articles`, not `dedup.window`, decides
/// what is kept; the window's span says how much time it then holds.
#[test]
fn the_stage_counts_evictions_by_cause_and_the_windows_span() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let metrics = recorder.handle();
    let mut config = Config::default();
    config.dedup.max_articles = 2;
    let mut stage = DedupStage::new(&config, None).unwrap();
    metrics::with_local_recorder(&recorder, || {
        // "old" is past the 72 h window once "quake" comes (age); at the
        // cap of two, "strike" pushes "quake" out a day before its time.
        for (id, text, days_ago) in [
            ("old", FERRY, 9),
            ("quake", QUAKE, 2),
            ("ferry", FERRY, 1),
            ("strike", STRIKE, 0),
        ] {
            stage
                .process(article(id, text, days_ago), &origin())
                .unwrap();
        }
        stage.housekeeping();
    });
    let text = metrics.render();
    let evicted = |reason: &str| {
        sample(
            &text,
            &format!("news_dedup_evictions_total{{reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(evicted("age"), Some(1.0), "{text}");
    assert_eq!(evicted("cap"), Some(1.0), "{text}");
    let span = sample(&text, "news_dedup_window_span_seconds").unwrap();
    assert!(
        (86_000.0..=86_500.0).contains(&span),
        "ferry to strike, a day: {span}"
    );
}
