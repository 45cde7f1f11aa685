//! Where the dedup state lives between runs: a local snapshot file (both
//! backends) and, on Kafka, a changelog topic of `Fact`s from which a
//! replacement instance with an empty disk rebuilds the window.

use std::io::{Read, Write};
use std::path::Path;

use news_core::bus::{InRecord, OutRecord};

use crate::engine::old::{EngineV5, EngineV6};
use crate::engine::{Engine, Fact};

/// Snapshot files open with this tag and format number; a snapshot from
/// another format is set aside, not misread.
const SNAPSHOT_MAGIC: &[u8; 8] = b"NMDEDUP\0";
const SNAPSHOT_FORMAT: u32 = 8;
/// Format 7 is format 8 without stories indexed under their names' keys
/// (round 36): read, and the stories indexed.
const SNAPSHOT_FORMAT_V7: u32 = 7;
/// Format 6 is format 7 with stories that do not count their rewrites apart
/// from their copies: read, with every member counted as a rewrite.
const SNAPSHOT_FORMAT_V6: u32 = 6;
/// Format 5 is format 6 with stories that do not keep their languages:
/// read, with none.
const SNAPSHOT_FORMAT_V5: u32 = 5;
/// Format 4 is format 5 without the changelog offset: read, and the stage
/// does not catch up from the changelog.
const SNAPSHOT_FORMAT_V4: u32 = 4;
/// Format 3 kept headlines as sorted sets of words: read, without them.
const SNAPSHOT_FORMAT_V3: u32 = 3;
/// Changelog records carry their format in this header.
pub const CHANGELOG_FORMAT_HEADER: &str = "changelog-format";
const CHANGELOG_FORMAT: &str = "4";
/// Facts without the article's language; read without it.
const CHANGELOG_FORMAT_V3: &str = "3";
/// Facts whose headline was a sorted set of words; read without it, so an
/// upgrade rebuilds its window.
const CHANGELOG_FORMAT_V2: &str = "2";
/// Facts before stories kept names; read without names or headline.
const CHANGELOG_FORMAT_V1: &str = "1";
/// Every fact goes to one partition, under one key: replay needs them in
/// decision order.
const CHANGELOG_KEY: &str = "dedup";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("snapshot format {found} (this build reads {SNAPSHOT_FORMAT})")]
    OtherFormat { found: String },
    #[error("corrupt: {0}")]
    Corrupt(String),
}

/// A snapshot as read back.
pub struct Snapshot {
    pub engine: Engine,
    /// The changelog's end offset as the snapshot was written (Kafka): the
    /// facts from there on are decisions published after it.
    pub changelog_end: Option<i64>,
}

pub fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut input = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut head = [0u8; 12];
    if input.read_exact(&mut head).is_err() || &head[..8] != SNAPSHOT_MAGIC {
        return Err(SnapshotError::OtherFormat {
            found: "untagged".into(),
        });
    }
    let format = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    let known = [
        SNAPSHOT_FORMAT,
        SNAPSHOT_FORMAT_V7,
        SNAPSHOT_FORMAT_V6,
        SNAPSHOT_FORMAT_V5,
        SNAPSHOT_FORMAT_V4,
        SNAPSHOT_FORMAT_V3,
    ];
    if !known.contains(&format) {
        return Err(SnapshotError::OtherFormat {
            found: format.to_string(),
        });
    }
    let mut changelog_end = None;
    if format >= SNAPSHOT_FORMAT_V5 {
        let mut end = [0u8; 8];
        input.read_exact(&mut end)?;
        changelog_end = Some(i64::from_le_bytes(end)).filter(|e| *e >= 0);
    }
    let corrupt = |e: bincode::Error| SnapshotError::Corrupt(e.to_string());
    let mut engine: Engine = if format >= SNAPSHOT_FORMAT_V7 {
        bincode::deserialize_from(input).map_err(corrupt)?
    } else if format == SNAPSHOT_FORMAT_V6 {
        bincode::deserialize_from::<_, EngineV6>(input)
            .map_err(corrupt)?
            .into()
    } else {
        bincode::deserialize_from::<_, EngineV5>(input)
            .map_err(corrupt)?
            .into()
    };
    if format == SNAPSHOT_FORMAT_V3 {
        engine.forget_headlines();
    }
    // Names are keyed as this build keys them, whichever build wrote them,
    // and stories indexed under them (format 7 had no such entries): one
    // pass over the stories, and a name keyed before round 37 still meets
    // its spellings in other alphabets. The format stays 8, so that a build
    // rolled back to round 36 still reads the snapshot (its names with a
    // "p" then meet new ones only as their stories take new members).
    engine.count_name_lists();
    engine.rekey_story_names(format >= SNAPSHOT_FORMAT);
    Ok(Snapshot {
        engine,
        changelog_end,
    })
}

/// Write atomically: a temporary file, synced, then renamed over the old one.
pub fn write_snapshot(
    path: &Path,
    engine: &Engine,
    changelog_end: Option<i64>,
) -> Result<(), SnapshotError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Binary (bincode), streamed: JSON snapshots of 50,000 articles were
    // 164 MB and made the snapshot, not the decisions, the bottleneck.
    let tmp = path.with_extension("bin.tmp");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    out.write_all(SNAPSHOT_MAGIC)?;
    out.write_all(&SNAPSHOT_FORMAT.to_le_bytes())?;
    out.write_all(&changelog_end.unwrap_or(-1).to_le_bytes())?;
    bincode::serialize_into(&mut out, engine).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    news_core::durable::replace_with(&tmp, path)?;
    Ok(())
}

/// Move an unreadable snapshot aside (kept for inspection) so that the stage
/// can start from the changelog or an empty window.
pub fn set_aside(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let aside = path.with_extension(format!("bin.unreadable-{}", chrono::Utc::now().timestamp()));
    std::fs::rename(path, &aside)?;
    Ok(aside)
}

/// The changelog record for one fact (binary: an internal topic).
pub fn fact_record(topic: &str, fact: &Fact) -> OutRecord {
    OutRecord {
        topic: topic.to_string(),
        key: CHANGELOG_KEY.to_string(),
        headers: vec![
            ("content-type".into(), b"application/x-bincode".to_vec()),
            (
                CHANGELOG_FORMAT_HEADER.into(),
                CHANGELOG_FORMAT.as_bytes().to_vec(),
            ),
        ],
        payload: bincode::serialize(fact).expect("facts always serialise"),
    }
}

pub fn decode_fact(record: &InRecord) -> Result<Fact, String> {
    let undecodable = |e: bincode::Error| format!("undecodable fact: {e}");
    match record.header(CHANGELOG_FORMAT_HEADER) {
        // Names are read as this build keys them: facts written before
        // round 37 keyed "p" apart from "b" (the format did not change, so
        // that a build rolled back to round 36 still reads new facts).
        Some(f) if f == CHANGELOG_FORMAT.as_bytes() => {
            bincode::deserialize::<Fact>(&record.payload)
                .map(Fact::with_names_rekeyed)
                .map_err(undecodable)
        }
        Some(f) if f == CHANGELOG_FORMAT_V3.as_bytes() => {
            bincode::deserialize::<FactV3>(&record.payload)
                .map(|f| Fact::from(f).with_names_rekeyed())
                .map_err(undecodable)
        }
        Some(f) if f == CHANGELOG_FORMAT_V2.as_bytes() => {
            bincode::deserialize::<FactV3>(&record.payload)
                .map(|f| Fact {
                    headline: Vec::new(),
                    ..Fact::from(f).with_names_rekeyed()
                })
                .map_err(undecodable)
        }
        Some(f) if f == CHANGELOG_FORMAT_V1.as_bytes() => {
            bincode::deserialize::<FactV1>(&record.payload)
                .map(|f| Fact::from(FactV3::from(f)))
                .map_err(undecodable)
        }
        other => Err(format!(
            "changelog format {:?}, expected {CHANGELOG_FORMAT}",
            other.map(String::from_utf8_lossy)
        )),
    }
}

/// A fact of changelog format 1: the same, without the article's names, and
/// with the headline as a sorted set of words (dropped when read).
#[derive(serde::Serialize, serde::Deserialize)]
struct FactV1 {
    id: String,
    title: Option<String>,
    at: i64,
    published: Option<i64>,
    has_text: bool,
    text_hash: u64,
    shingles: u32,
    sig: Vec<u32>,
    headline: Vec<u32>,
    terms: Vec<u64>,
    vec: Vec<(u64, f32)>,
    decision: crate::engine::Decision,
}

/// Format 1 upgrades to format 3: no names, and its headline dropped.
impl From<FactV1> for FactV3 {
    fn from(f: FactV1) -> FactV3 {
        FactV3 {
            id: f.id,
            title: f.title,
            at: f.at,
            published: f.published,
            has_text: f.has_text,
            text_hash: f.text_hash,
            shingles: f.shingles,
            sig: f.sig,
            headline: Vec::new(),
            terms: f.terms,
            vec: f.vec,
            names: Vec::new(),
            decision: f.decision,
        }
    }
}

/// A fact of changelog formats 2 and 3: the same, without the language.
#[derive(serde::Serialize, serde::Deserialize)]
struct FactV3 {
    id: String,
    title: Option<String>,
    at: i64,
    published: Option<i64>,
    has_text: bool,
    text_hash: u64,
    shingles: u32,
    sig: Vec<u32>,
    headline: Vec<u32>,
    terms: Vec<u64>,
    vec: Vec<(u64, f32)>,
    names: Vec<(u64, f32)>,
    decision: crate::engine::Decision,
}

impl From<FactV3> for Fact {
    fn from(f: FactV3) -> Fact {
        Fact {
            id: f.id,
            title: f.title,
            at: f.at,
            published: f.published,
            lang: None,
            has_text: f.has_text,
            text_hash: f.text_hash,
            shingles: f.shingles,
            sig: f.sig,
            headline: f.headline,
            terms: f.terms,
            vec: f.vec,
            names: f.names,
            decision: f.decision,
        }
    }
}

#[cfg(test)]
mod tests {
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
        });
        let fact = fact.expect("a new article has a fact");
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

        let v3 = FactV3 {
            id: fact.id.clone(),
            title: fact.title.clone(),
            at: fact.at,
            published: fact.published,
            has_text: fact.has_text,
            text_hash: fact.text_hash,
            shingles: fact.shingles,
            sig: fact.sig.clone(),
            headline: fact.headline.clone(),
            terms: fact.terms.clone(),
            vec: fact.vec.clone(),
            names: fact.names.clone(),
            decision: fact.decision.clone(),
        };
        let without_lang = Fact {
            lang: None,
            ..fact.clone()
        };
        let v3_bytes = bincode::serialize(&v3).unwrap();
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
            id: fact.id.clone(),
            title: fact.title.clone(),
            at: fact.at,
            published: fact.published,
            has_text: fact.has_text,
            text_hash: fact.text_hash,
            shingles: fact.shingles,
            sig: fact.sig.clone(),
            headline: fact.headline.clone(),
            terms: fact.terms.clone(),
            vec: fact.vec.clone(),
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
    fn a_format_7_snapshot_is_read_with_its_stories_indexed_under_their_names() {
        // Format 7 indexed stories under their terms only; a translation
        // into another alphabet that shares no number with a story finds
        // it through its names' keys, which the reader adds.
        let translation = translation_after_restore(
            include_str!("../tests/data/names_only.jsonl"),
            ["minister-resigns-en", "minister-resigns-ru"],
            SNAPSHOT_FORMAT_V7,
            Engine::without_name_index,
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
            Engine::with_names_keyed_as_round_36,
        );
        assert_eq!(translation.kind, VerdictKind::Story);
        assert_eq!(
            translation.duplicate_of.as_deref(),
            Some("bridge-collapse-en")
        );
    }

    /// The decision on a translation by an engine restored from a snapshot
    /// of `format` that holds its original, as `as_written` made the state
    /// an older build wrote. The reports are picked from a hand-written set
    /// by id.
    fn translation_after_restore(
        set: &str,
        [original, translation]: [&str; 2],
        format: u32,
        as_written: fn(Engine) -> Engine,
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
            })
        };
        let mut engine = Engine::new(Params::default());
        decide(&mut engine, original);
        let mut bytes = Vec::from(SNAPSHOT_MAGIC.as_slice());
        bytes.extend(format.to_le_bytes());
        bytes.extend((-1i64).to_le_bytes());
        bytes.extend(bincode::serialize(&as_written(engine)).unwrap());
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
        let article = |id, title| ArticleIn {
            id,
            title: Some(title),
            text,
            at: 0,
            published: None,
            lang: Some("en"),
        };
        let first = || {
            let mut engine = Engine::new(Params::default());
            engine.decide(&article("a", "Mayor Brandt opens the Old Quay bridge"));
            let copy = engine.decide(&article("a2", "Mayor Brandt opens the Old Quay bridge"));
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
        write_snapshot(&path, &first(), Some(42)).unwrap();
        // The same text under another headline is not a copy of an article
        // whose headline is known, and is one of an article whose is not.
        let other = article("b", "Ferry era ends as harbour bridge opens");
        let mut current = read_snapshot(&path).unwrap();
        assert_eq!(current.changelog_end, Some(42));
        assert_eq!(story_languages(&current.engine), ["en"]);
        assert_eq!(story_counts(&current.engine), (2, 1));
        assert_eq!(current.engine.decide(&other).kind, VerdictKind::Story);
        // The same text under its own headline is a member, but no new text.
        assert_eq!(story_counts(&current.engine), (3, 1));

        // Format 6: stories without their count of rewrites; every member
        // is taken for one, as format 6's centroids counted them.
        let mut bytes = Vec::from(SNAPSHOT_MAGIC.as_slice());
        bytes.extend(SNAPSHOT_FORMAT_V6.to_le_bytes());
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
}
