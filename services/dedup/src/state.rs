//! Where the dedup state lives between runs: a local snapshot file (both
//! backends) and, on Kafka, a changelog topic of `Fact`s from which a
//! replacement instance with an empty disk rebuilds the window.

use std::io::{Read, Write};

use bincode::Options;
use std::path::Path;

use news_core::bus::{InRecord, OutRecord};

use crate::engine::old::{EngineV5, EngineV6, EngineV8};
use crate::engine::{Engine, Fact};

/// Snapshot files open with this tag and format number; a snapshot from
/// another format is set aside, not misread.
const SNAPSHOT_MAGIC: &[u8; 8] = b"NMDEDUP\0";
const SNAPSHOT_FORMAT: u32 = 9;
/// Format 8 is format 9 with stories that do not keep their sources: read,
/// and each story's next member adds its own.
const SNAPSHOT_FORMAT_V8: u32 = 8;
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
const CHANGELOG_FORMAT: &str = "5";
/// Facts without the article's outlet; read without it.
const CHANGELOG_FORMAT_V4: &str = "4";
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
    let file = std::fs::File::open(path)?;
    let file_bytes = file.metadata()?.len();
    let mut input = std::io::BufReader::new(file);
    let mut head = [0u8; 12];
    if input.read_exact(&mut head).is_err() || &head[..8] != SNAPSHOT_MAGIC {
        return Err(SnapshotError::OtherFormat {
            found: "untagged".into(),
        });
    }
    let format = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    let known = [
        SNAPSHOT_FORMAT,
        SNAPSHOT_FORMAT_V8,
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
    // bincode's own encoding, bounded by the file: a length damaged on
    // disk is an error before anything is sized by it (unbounded, bincode
    // sized a string's buffer to the claim, and panicked or ran out of
    // memory at every start).
    let options = bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .with_limit(file_bytes);
    let corrupt = |e: bincode::Error| SnapshotError::Corrupt(e.to_string());
    let mut engine: Engine = if format == SNAPSHOT_FORMAT {
        options.deserialize_from(input).map_err(corrupt)?
    } else if format >= SNAPSHOT_FORMAT_V7 {
        options
            .deserialize_from::<_, EngineV8>(input)
            .map_err(corrupt)?
            .into()
    } else if format == SNAPSHOT_FORMAT_V6 {
        options
            .deserialize_from::<_, EngineV6>(input)
            .map_err(corrupt)?
            .into()
    } else {
        options
            .deserialize_from::<_, EngineV5>(input)
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
    engine.rekey_story_names(format >= SNAPSHOT_FORMAT_V8);
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
        Some(f) if f == CHANGELOG_FORMAT_V4.as_bytes() => {
            bincode::deserialize::<FactV4>(&record.payload)
                .map(|f| Fact::from(f).with_names_rekeyed())
                .map_err(undecodable)
        }
        Some(f) if f == CHANGELOG_FORMAT_V3.as_bytes() => {
            bincode::deserialize::<FactV3>(&record.payload)
                .map(|f| Fact::from(FactV4::from(f)).with_names_rekeyed())
                .map_err(undecodable)
        }
        Some(f) if f == CHANGELOG_FORMAT_V2.as_bytes() => {
            bincode::deserialize::<FactV3>(&record.payload)
                .map(|f| Fact {
                    headline: Vec::new(),
                    ..Fact::from(FactV4::from(f)).with_names_rekeyed()
                })
                .map_err(undecodable)
        }
        Some(f) if f == CHANGELOG_FORMAT_V1.as_bytes() => {
            bincode::deserialize::<FactV1>(&record.payload)
                .map(|f| Fact::from(FactV4::from(FactV3::from(f))))
                .map_err(undecodable)
        }
        other => Err(format!(
            "changelog format {:?}, expected {CHANGELOG_FORMAT}",
            other.map(String::from_utf8_lossy)
        )),
    }
}

/// What every changelog format writes first. bincode writes a nested
/// struct's fields in line, so the older formats below share their parts.
#[derive(serde::Serialize, serde::Deserialize)]
struct FactHead {
    id: String,
    title: Option<String>,
    at: i64,
    published: Option<i64>,
}

/// What every format writes of the article's text, after the head (and
/// format 4's language).
#[derive(serde::Serialize, serde::Deserialize)]
struct FactText {
    has_text: bool,
    text_hash: u64,
    shingles: u32,
    sig: Vec<u32>,
    headline: Vec<u32>,
    terms: Vec<u64>,
    vec: Vec<(u64, f32)>,
}

/// A fact of changelog format 1: without the article's names, and with the
/// headline as a sorted set of words (dropped when read).
#[derive(serde::Serialize, serde::Deserialize)]
struct FactV1 {
    head: FactHead,
    text: FactText,
    decision: crate::engine::Decision,
}

/// Format 1 upgrades to format 3: no names, and its headline dropped.
impl From<FactV1> for FactV3 {
    fn from(
        FactV1 {
            head,
            text,
            decision,
        }: FactV1,
    ) -> FactV3 {
        FactV3 {
            head,
            text: FactText {
                headline: Vec::new(),
                ..text
            },
            names: Vec::new(),
            decision,
        }
    }
}

/// A fact of changelog formats 2 and 3: without the language.
#[derive(serde::Serialize, serde::Deserialize)]
struct FactV3 {
    head: FactHead,
    text: FactText,
    names: Vec<(u64, f32)>,
    decision: crate::engine::Decision,
}

/// A fact of changelog format 4: without the article's outlet.
#[derive(serde::Serialize, serde::Deserialize)]
struct FactV4 {
    head: FactHead,
    lang: Option<String>,
    text: FactText,
    names: Vec<(u64, f32)>,
    decision: crate::engine::Decision,
}

/// Format 3 upgrades to format 4: no language.
impl From<FactV3> for FactV4 {
    fn from(f: FactV3) -> FactV4 {
        FactV4 {
            head: f.head,
            lang: None,
            text: f.text,
            names: f.names,
            decision: f.decision,
        }
    }
}

impl From<FactV4> for Fact {
    fn from(
        FactV4 {
            head,
            lang,
            text,
            names,
            decision,
        }: FactV4,
    ) -> Fact {
        Fact {
            id: head.id,
            title: head.title,
            at: head.at,
            published: head.published,
            lang,
            has_text: text.has_text,
            text_hash: text.text_hash,
            shingles: text.shingles,
            sig: text.sig,
            headline: text.headline,
            terms: text.terms,
            vec: text.vec,
            names,
            decision,
            source: None,
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
