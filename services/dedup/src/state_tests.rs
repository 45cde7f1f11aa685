//! Unit tests of `state.rs`: formats old and new, and damaged state.

use super::*;
use crate::engine::{ArticleIn, Params};
use crate::name_keys::is_name_id;
use news_core::messages::VerdictKind;

fn record(format: &str, payload: Vec<u8>) -> InRecord {
    InRecord {
        topic: "news.dedup-state.v1".into(),
        partition: 0,
        offset: 0,
        next_offset: 1,
        key: Some(CHANGELOG_KEY.as_bytes().to_vec()),
        headers: vec![(CHANGELOG_FORMAT_HEADER.into(), format.as_bytes().to_vec())],
        payload,
        timestamp_ms: None,
    }
}

#[test]
fn facts_of_the_previous_formats_still_rebuild_the_window() {
    let mut engine = Engine::new(Params::default());
    let (_, fact) = engine.decide_logged(&ArticleIn {
        id: "a",
        title: Some("Mayor Brandt opens the Old Quay bridge"),
        text: "Mayor Brandt opened the Old Quay bridge on Monday after two years of work.",
        at: 0,
        published: None,
        lang: Some("en-GB"),
        source: Some("example.org"),
    });
    let fact = fact.expect("a new article has a fact");
    assert_eq!(fact.source.as_deref(), Some("example.org"));
    assert!(!fact.names.is_empty(), "{fact:?}");
    assert!(!fact.headline.is_empty(), "{fact:?}");
    assert_eq!(fact.lang.as_deref(), Some("en"));
    let current = fact_record("t", &fact);
    assert_eq!(
        decode_fact(&record(CHANGELOG_FORMAT, current.payload)),
        Ok(fact.clone())
    );
    // Until round 37, names were keyed with "p" apart from "b": they
    // are read as they are keyed now ("Prandt" as "Brandt").
    let as_round_36 = |id: u64| {
        if is_name_id(id) && (id >> 16) & 0xff == u64::from(b'b') {
            id ^ (u64::from(b'b' ^ b'p') << 16)
        } else {
            id
        }
    };
    let v4 = Fact {
        names: fact
            .names
            .iter()
            .map(|(n, w)| (as_round_36(*n), *w))
            .collect(),
        ..fact.clone()
    };
    assert_ne!(v4.names, fact.names);
    assert_eq!(
        decode_fact(&record(CHANGELOG_FORMAT, bincode::serialize(&v4).unwrap())),
        Ok(fact.clone())
    );

    let head = || FactHead {
        id: fact.id.clone(),
        title: fact.title.clone(),
        at: fact.at,
        published: fact.published,
    };
    let text = || FactText {
        has_text: fact.has_text,
        text_hash: fact.text_hash,
        shingles: fact.shingles,
        sig: fact.sig.clone(),
        headline: fact.headline.clone(),
        terms: fact.terms.clone(),
        vec: fact.vec.clone(),
    };
    let v3 = FactV3 {
        head: head(),
        text: text(),
        names: fact.names.clone(),
        decision: fact.decision.clone(),
    };
    let without_source = Fact {
        source: None,
        ..fact.clone()
    };
    let without_lang = Fact {
        lang: None,
        ..without_source.clone()
    };
    let v3_bytes = bincode::serialize(&v3).unwrap();
    // Format 4 is format 5 without the outlet.
    let format_4 = FactV4 {
        head: head(),
        lang: fact.lang.clone(),
        text: text(),
        names: fact.names.clone(),
        decision: fact.decision.clone(),
    };
    // Round 57 wrote a format-4 fact as its `Fact`, which was this one
    // without the outlet, its last field (here `None`, one byte).
    let mut as_round_57 = bincode::serialize(&without_source).unwrap();
    assert_eq!(as_round_57.pop(), Some(0));
    assert_eq!(bincode::serialize(&format_4).unwrap(), as_round_57);
    assert_eq!(decode_fact(&record("4", as_round_57)), Ok(without_source));
    // Format 3 was written flat, field by field, as bincode writes the
    // nested parts.
    let flat = (
        (&fact.id, &fact.title, fact.at, fact.published),
        (fact.has_text, fact.text_hash, fact.shingles, &fact.sig),
        (&fact.headline, &fact.terms, &fact.vec, &fact.names),
        &fact.decision,
    );
    assert_eq!(v3_bytes, bincode::serialize(&flat).unwrap());
    assert_eq!(
        decode_fact(&record("3", v3_bytes.clone())),
        Ok(without_lang.clone())
    );
    // Format 2 is format 3 with headlines as sets: kept, bar those.
    assert_eq!(
        decode_fact(&record("2", v3_bytes)),
        Ok(Fact {
            headline: Vec::new(),
            ..without_lang.clone()
        })
    );

    let v1 = FactV1 {
        head: head(),
        text: text(),
        decision: fact.decision.clone(),
    };
    let old = decode_fact(&record("1", bincode::serialize(&v1).unwrap())).unwrap();
    assert_eq!(
        old,
        Fact {
            names: Vec::new(),
            headline: Vec::new(),
            ..without_lang
        }
    );
    assert!(
        decode_fact(&record("9", Vec::new()))
            .unwrap_err()
            .contains("format")
    );
}

#[test]
fn a_snapshot_whose_lengths_are_corrupt_is_an_error_not_a_panic() {
    // A length field damaged on disk (here an id's) claimed more bytes
    // than exist: read from a file, bincode sized its buffer to the
    // claim first and the stage panicked at start, every start.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dedup-state.bin");
    let mut engine = Engine::new(Params::default());
    let id = "a-rather-long-article-id-to-find-in-the-bytes";
    engine.decide(&ArticleIn {
        id,
        title: None,
        text: "Mayor Brandt opened the Old Quay bridge on Monday.",
        at: 0,
        published: None,
        lang: None,
        source: None,
    });
    write_snapshot(&path, &engine, None).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut stated = (id.len() as u64).to_le_bytes().to_vec();
    stated.extend(id.as_bytes());
    let at = bytes
        .windows(stated.len())
        .position(|w| w == stated)
        .expect("the id is written after its length");
    for claim in [u64::MAX - 7, 1 << 40] {
        let mut damaged = bytes.clone();
        damaged[at..at + 8].copy_from_slice(&claim.to_le_bytes());
        std::fs::write(&path, &damaged).unwrap();
        assert!(
            matches!(read_snapshot(&path), Err(SnapshotError::Corrupt(_))),
            "a claimed length of {claim}"
        );
    }
}

#[test]
fn a_format_7_snapshot_is_read_with_its_stories_indexed_under_their_names() {
    // Format 7 indexed stories under their terms only; a translation
    // into another alphabet that shares no number with a story finds
    // it through its names' keys, which the reader adds.
    let translation = translation_after_restore(
        include_str!("../tests/data/names_only.jsonl"),
        ["minister-resigns-en", "minister-resigns-ru"],
        SNAPSHOT_FORMAT_V7,
        |e| {
            let v8 = EngineV8::written_as(e.without_name_index(), Into::into);
            bincode::serialize(&v8).unwrap()
        },
    );
    assert_eq!(translation.kind, VerdictKind::Story);
    assert_eq!(
        translation.duplicate_of.as_deref(),
        Some("minister-resigns-en")
    );
}

#[test]
fn a_snapshot_of_round_36_is_read_with_its_names_keyed_as_now() {
    // Round 36 keyed "p" apart from "b"; Arabic writes both "ب". A story
    // restored from its state still meets an Arabic translation on
    // "Petra" ("بيترا") and its other names.
    let translation = translation_after_restore(
        include_str!("../tests/data/abjad.jsonl"),
        ["bridge-collapse-en", "bridge-collapse-ar"],
        SNAPSHOT_FORMAT,
        |e| bincode::serialize(&e.with_names_keyed_as_round_36()).unwrap(),
    );
    assert_eq!(translation.kind, VerdictKind::Story);
    assert_eq!(
        translation.duplicate_of.as_deref(),
        Some("bridge-collapse-en")
    );
}

/// The decision on a translation by an engine restored from a snapshot
/// of `format` that holds its original, as `written` writes the state
/// an older build wrote. The reports are picked from a hand-written set
/// by id.
fn translation_after_restore(
    set: &str,
    [original, translation]: [&str; 2],
    format: u32,
    written: fn(Engine) -> Vec<u8>,
) -> crate::engine::Decision {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dedup-state.bin");
    let lines: Vec<serde_json::Value> = set
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let decide = |engine: &mut Engine, id: &str| {
        let v = lines.iter().find(|v| v["id"] == id).unwrap();
        engine.decide(&ArticleIn {
            id,
            title: v["title"].as_str(),
            text: v["text"].as_str().unwrap(),
            at: 0,
            published: None,
            lang: v["lang"].as_str(),
            source: None,
        })
    };
    let mut engine = Engine::new(Params::default());
    decide(&mut engine, original);
    let mut bytes = Vec::from(SNAPSHOT_MAGIC.as_slice());
    bytes.extend(format.to_le_bytes());
    bytes.extend((-1i64).to_le_bytes());
    bytes.extend(written(engine));
    std::fs::write(&path, &bytes).unwrap();
    let mut restored = read_snapshot(&path).unwrap().engine;
    decide(&mut restored, translation)
}

#[test]
fn snapshots_of_older_formats_are_read_without_what_they_lacked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dedup-state.bin");
    let text = "Mayor Brandt opened the Old Quay bridge on Monday after two years of work, \
                and the ferry that crossed the harbour for a century made its last trip.";
    let article = |id, title, source| ArticleIn {
        id,
        title: Some(title),
        text,
        at: 0,
        published: None,
        lang: Some("en"),
        source,
    };
    let headline = "Mayor Brandt opens the Old Quay bridge";
    let first = || {
        let mut engine = Engine::new(Params::default());
        engine.decide(&article("a", headline, Some("example.org")));
        let copy = engine.decide(&article("a2", headline, Some("example.net")));
        assert_eq!(copy.kind, VerdictKind::Exact);
        engine
    };
    let story_counts = |engine: &Engine| {
        let story = engine.story(&crate::engine::story_id_for("a"));
        let story = story.expect("a founded its story");
        (story.member_count, story.rewrites)
    };
    let story_languages = |engine: &Engine| {
        let story = engine.story(&crate::engine::story_id_for("a"));
        story.expect("a founded its story").languages.clone()
    };
    let story_sources = |engine: &Engine| {
        let story = engine.story(&crate::engine::story_id_for("a"));
        story.expect("a founded its story").sources.clone()
    };
    let source = |name: &str, articles| (name.to_string(), articles);
    write_snapshot(&path, &first(), Some(42)).unwrap();
    // The same text under another headline is not a copy of an article
    // whose headline is known, and is one of an article whose is not.
    let other = article(
        "b",
        "Ferry era ends as harbour bridge opens",
        Some("example.org"),
    );
    let mut current = read_snapshot(&path).unwrap();
    assert_eq!(current.changelog_end, Some(42));
    assert_eq!(story_languages(&current.engine), ["en"]);
    assert_eq!(
        story_sources(&current.engine),
        [source("example.org", 1), source("example.net", 1)]
    );
    assert_eq!(story_counts(&current.engine), (2, 1));
    assert_eq!(current.engine.decide(&other).kind, VerdictKind::Story);
    // The same text under its own headline is a member, but no new text.
    assert_eq!(story_counts(&current.engine), (3, 1));
    assert_eq!(
        story_sources(&current.engine),
        [source("example.org", 2), source("example.net", 1)]
    );

    // Format 8: stories without their sources; a new member adds its own.
    let mut bytes = Vec::from(SNAPSHOT_MAGIC.as_slice());
    bytes.extend(SNAPSHOT_FORMAT_V8.to_le_bytes());
    bytes.extend(42i64.to_le_bytes());
    bytes.extend(bincode::serialize(&EngineV8::written_as(first(), Into::into)).unwrap());
    std::fs::write(&path, &bytes).unwrap();
    let mut v8 = read_snapshot(&path).unwrap();
    assert_eq!(v8.changelog_end, Some(42));
    assert_eq!(story_counts(&v8.engine), (2, 1));
    assert!(story_sources(&v8.engine).is_empty());
    assert_eq!(v8.engine.decide(&other).kind, VerdictKind::Story);
    assert_eq!(story_sources(&v8.engine), [source("example.org", 1)]);

    // Format 6: stories without their count of rewrites; every member
    // is taken for one, as format 6's centroids counted them.
    bytes.truncate(12);
    bytes[8..12].copy_from_slice(&SNAPSHOT_FORMAT_V6.to_le_bytes());
    bytes.extend(42i64.to_le_bytes());
    let v6_engine = EngineV6::written_as(first(), Into::into);
    bytes.extend(bincode::serialize(&v6_engine).unwrap());
    std::fs::write(&path, &bytes).unwrap();
    let mut v6 = read_snapshot(&path).unwrap();
    assert_eq!(v6.changelog_end, Some(42));
    assert_eq!(story_languages(&v6.engine), ["en"]);
    assert_eq!(story_counts(&v6.engine), (2, 2));
    assert_eq!(v6.engine.decide(&other).kind, VerdictKind::Story);

    // Format 5: stories without languages; a new member adds its own.
    bytes.truncate(20);
    bytes[8..12].copy_from_slice(&SNAPSHOT_FORMAT_V5.to_le_bytes());
    bytes.extend(bincode::serialize(&EngineV5::written_as(first(), Into::into)).unwrap());
    std::fs::write(&path, &bytes).unwrap();
    let mut v5 = read_snapshot(&path).unwrap();
    assert_eq!(v5.changelog_end, Some(42));
    assert!(story_languages(&v5.engine).is_empty());
    assert_eq!(v5.engine.decide(&other).kind, VerdictKind::Story);
    assert_eq!(story_languages(&v5.engine), ["en"]);

    // Formats 4 and 3 have no changelog offset after the header.
    bytes.drain(12..20);
    bytes[8..12].copy_from_slice(&SNAPSHOT_FORMAT_V4.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let mut v4 = read_snapshot(&path).unwrap();
    assert_eq!(v4.changelog_end, None);
    assert_eq!(v4.engine.decide(&other).kind, VerdictKind::Story);
    bytes[8..12].copy_from_slice(&SNAPSHOT_FORMAT_V3.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let mut old = read_snapshot(&path).unwrap().engine;
    assert_eq!(old.decide(&other).kind, VerdictKind::Exact);
}
