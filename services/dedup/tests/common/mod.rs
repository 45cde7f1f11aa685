//! What the dedup stage's tests share.

use news_core::bus::InRecord;

/// Where a clean article the tests hand the stage came from: offset 0 of
/// the clean topic, with no key, headers or payload of its own.
pub fn clean_origin() -> InRecord {
    InRecord {
        topic: "news.clean.v1".into(),
        partition: 0,
        offset: 0,
        next_offset: 1,
        key: None,
        headers: vec![],
        payload: vec![],
        timestamp_ms: None,
    }
}
