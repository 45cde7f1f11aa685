//! Where the dedup state lives between runs: a local snapshot file (both
//! backends) and, on Kafka, a changelog topic of `Fact`s from which a
//! replacement instance with an empty disk rebuilds the window.

use std::io::{Read, Write};
use std::path::Path;

use news_core::bus::{InRecord, OutRecord};

use crate::engine::{Engine, Fact};

/// Snapshot files open with this tag and format number; a snapshot from
/// another format is set aside, not misread.
const SNAPSHOT_MAGIC: &[u8; 8] = b"NMDEDUP\0";
const SNAPSHOT_FORMAT: u32 = 2;
/// Changelog records carry their format in this header.
pub const CHANGELOG_FORMAT_HEADER: &str = "changelog-format";
const CHANGELOG_FORMAT: &str = "1";
/// Every fact goes to one partition, under one key: replay needs them in
/// decision order.
const CHANGELOG_KEY: &str = "dedup";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("snapshot format {found} (this build reads {SNAPSHOT_FORMAT})")]
    OtherFormat { found: String },
    #[error("corrupt: {0}")]
    Corrupt(String),
}

pub fn read_snapshot(path: &Path) -> Result<Engine, SnapshotError> {
    let mut input = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut head = [0u8; 12];
    if input.read_exact(&mut head).is_err() || &head[..8] != SNAPSHOT_MAGIC {
        return Err(SnapshotError::OtherFormat {
            found: "untagged".into(),
        });
    }
    let format = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    if format != SNAPSHOT_FORMAT {
        return Err(SnapshotError::OtherFormat {
            found: format.to_string(),
        });
    }
    bincode::deserialize_from(input).map_err(|e| SnapshotError::Corrupt(e.to_string()))
}

/// Write atomically: a temporary file, synced, then renamed over the old one.
pub fn write_snapshot(path: &Path, engine: &Engine) -> Result<(), SnapshotError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Binary (bincode), streamed: JSON snapshots of 50,000 articles were
    // 164 MB and made the snapshot, not the decisions, the bottleneck.
    let tmp = path.with_extension("bin.tmp");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    out.write_all(SNAPSHOT_MAGIC)?;
    out.write_all(&SNAPSHOT_FORMAT.to_le_bytes())?;
    bincode::serialize_into(&mut out, engine).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
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
    match record.header(CHANGELOG_FORMAT_HEADER) {
        Some(f) if f == CHANGELOG_FORMAT.as_bytes() => {}
        other => {
            return Err(format!(
                "changelog format {:?}, expected {CHANGELOG_FORMAT}",
                other.map(String::from_utf8_lossy)
            ));
        }
    }
    bincode::deserialize(&record.payload).map_err(|e| format!("undecodable fact: {e}"))
}
