//! `news.articles.v1` (round 67): each decision sends the clean article
//! with its verdict, keyed by the article, when `dedup.articles` is on (the
//! default), and nothing when it is off.

use news_core::bus::OutRecord;
use news_core::config::Config;
use news_core::messages::{CleanArticle, DecidedArticle, DedupVerdict, VerdictKind};
use news_core::runner::Stage;
use news_dedup::DedupStage;

mod common;
use common::clean_origin;

fn article(id: &str) -> CleanArticle {
    let example = include_str!("../../../schemas/examples/news.clean.v1.example.json");
    let mut a: CleanArticle = serde_json::from_str(example).unwrap();
    a.id = id.into();
    a.url = format!("https://example.org/{id}");
    a
}

/// The one output of `out` on `topic`, decoded.
fn on<T: serde::de::DeserializeOwned>(out: &[OutRecord], topic: &str) -> Option<(String, T)> {
    let mut found = out.iter().filter(|r| r.topic == topic);
    let record = found.next()?;
    assert!(found.next().is_none(), "one record on {topic}");
    Some((
        record.key.clone(),
        serde_json::from_slice(&record.payload).unwrap(),
    ))
}

#[test]
fn each_decision_sends_the_article_with_its_verdict_unless_turned_off() {
    let mut stage = DedupStage::new(&Config::default(), None).unwrap();
    let first = stage.process(article("a1"), &clean_origin()).unwrap();
    let (_, unique): (String, DecidedArticle) = on(&first, "news.articles.v1").unwrap();
    assert_eq!(unique.verdict.kind, VerdictKind::Unique);
    // A copy: the article as it came, with the verdict the dedup topic has.
    let copy = article("a2");
    let out = stage.process(copy.clone(), &clean_origin()).unwrap();
    let (key, decided): (String, DecidedArticle) = on(&out, "news.articles.v1").unwrap();
    let (_, verdict): (String, DedupVerdict) = on(&out, "news.dedup.v1").unwrap();
    assert_eq!(key, "a2");
    assert_eq!(decided.article, copy);
    assert_eq!(decided.verdict.kind, VerdictKind::Exact);
    assert_eq!(decided.verdict.duplicate_of.as_deref(), Some("a1"));
    assert_eq!(decided.verdict.story_id, unique.verdict.story_id);
    assert_eq!(
        (decided.verdict.similarity, decided.verdict.decided_at),
        (verdict.similarity, verdict.decided_at)
    );
    // Delivered again: a replay, and so marked.
    let again = stage.process(copy, &clean_origin()).unwrap();
    let (_, replay): (String, DecidedArticle) = on(&again, "news.articles.v1").unwrap();
    assert!(replay.verdict.replay);

    let mut config = Config::default();
    config.dedup.articles = false;
    let mut quiet = DedupStage::new(&config, None).unwrap();
    let out = quiet.process(article("a1"), &clean_origin()).unwrap();
    assert!(on::<DecidedArticle>(&out, "news.articles.v1").is_none());
    assert!(on::<DedupVerdict>(&out, "news.dedup.v1").is_some());
}
