//! The whole feed text of article pages waiting for a retry. The retry
//! list is saved with the feeds' JSON file at every save, so it keeps 4 KiB
//! of an item's summary and content (`MAX_WAITING_SUMMARY_BYTES`); a
//! full-text feed's story is longer. The rest waits here, one file per page
//! beside the state file, written once when the page starts waiting, read
//! when it is taken again (the cleaner compares the page with it, and
//! sends it in the page's place if its attempts run out) and deleted when
//! the page leaves the list.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::pages::{MAX_WAITING_SUMMARY_BYTES, PageRetry};

/// Bytes all kept texts may take on disk; beyond it a page keeps its 4 KiB.
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// A file larger than this is not read (the raw topic's item cap is
/// 256 KiB for the content, plus its summary).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Kept {
    summary: Option<String>,
    content: Option<String>,
}

/// The directory of kept texts (none: nothing kept, as for a fetcher of
/// single pages), and the bytes in it.
#[derive(Debug, Default)]
pub struct WaitingTexts {
    dir: Option<PathBuf>,
    bytes: AtomicU64,
}

/// Article ids are hex SHA-256s; anything else never names a file.
fn valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn text_len(page: &PageRetry) -> usize {
    page.item.summary.as_ref().map_or(0, String::len)
        + page.item.content.as_ref().map_or(0, String::len)
}

impl WaitingTexts {
    /// The texts kept in `dir`, those of pages no longer waiting (not in
    /// `waiting`: fetched or given up by a fetcher that stopped before it
    /// deleted them, or of feeds since removed) deleted.
    pub fn open<'a>(dir: PathBuf, waiting: impl Iterator<Item = &'a str>) -> WaitingTexts {
        let waiting: std::collections::HashSet<&str> = waiting.collect();
        let mut bytes = 0;
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let id = name.to_str().and_then(|n| n.strip_suffix(".json"));
                match id {
                    Some(id) if waiting.contains(id) => {
                        bytes += entry.metadata().map_or(0, |m| m.len());
                    }
                    _ => {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        }
        WaitingTexts {
            dir: Some(dir),
            bytes: AtomicU64::new(bytes),
        }
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        valid_id(id).then(|| dir.join(format!("{id}.json")))
    }

    /// Keep `page`'s summary and content when the retry list will cut
    /// them, unless kept already or the budget is spent.
    pub fn keep(&self, page: &PageRetry) {
        if text_len(page) <= MAX_WAITING_SUMMARY_BYTES {
            return;
        }
        let Some(path) = self.path(&page.id) else {
            return;
        };
        if path.exists() {
            return;
        }
        let kept = Kept {
            summary: page.item.summary.clone(),
            content: page.item.content.clone(),
        };
        let Ok(json) = serde_json::to_vec(&kept) else {
            return;
        };
        let len = json.len() as u64;
        if self.bytes.load(Ordering::Relaxed) + len > MAX_TOTAL_BYTES {
            tracing::debug!(article = %page.id, "the kept feed texts are at their bound; this page keeps 4 KiB");
            return;
        }
        if let Some(dir) = &self.dir
            && let Err(e) = write(dir, &path, &json)
        {
            tracing::warn!(dir = %dir.display(), error = %e, "could not keep a waiting page's feed text; it keeps 4 KiB");
            return;
        }
        self.bytes.fetch_add(len, Ordering::Relaxed);
    }

    /// Put back the whole summary and content kept for `page`, if any.
    pub fn restore(&self, page: &mut PageRetry) {
        let Some(path) = self.path(&page.id) else {
            return;
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            return;
        };
        if meta.len() > MAX_FILE_BYTES {
            return;
        }
        if let Some(kept) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Kept>(&b).ok())
        {
            page.item.summary = kept.summary;
            page.item.content = kept.content;
        }
    }

    /// The page left the list: its text is not needed any more.
    pub fn forget(&self, id: &str) {
        let Some(path) = self.path(id) else {
            return;
        };
        if let Ok(meta) = std::fs::metadata(&path)
            && std::fs::remove_file(&path).is_ok()
        {
            self.bytes.fetch_sub(
                meta.len().min(self.bytes.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

fn write(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    news_core::durable::write_file(path, "json.tmp", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use news_core::messages::FeedItemMeta;

    fn page(id: &str, content: &str) -> PageRetry {
        PageRetry {
            id: id.into(),
            link: "https://example.org/a".into(),
            fingerprint: 1,
            item: FeedItemMeta {
                summary: Some("A summary.".into()),
                content: Some(content.into()),
                ..FeedItemMeta::default()
            },
            attempts: 1,
            not_before: 0,
            last_error: String::new(),
        }
    }

    #[test]
    fn a_long_text_is_kept_restored_and_forgotten_and_strays_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let texts = WaitingTexts::open(dir.path().join("w"), std::iter::empty());
        let id = "a".repeat(64);
        let long = "word ".repeat(5_000);
        let whole = page(&id, &long);
        texts.keep(&whole);
        texts.keep(&page(&"b".repeat(64), "short"));
        texts.keep(&page("../../etc/passwd", &long));
        assert_eq!(std::fs::read_dir(dir.path().join("w")).unwrap().count(), 1);
        assert!(texts.bytes() > long.len() as u64);

        let mut cut = page(&id, &long[..100]);
        texts.restore(&mut cut);
        assert_eq!(cut.item.content.as_deref(), Some(long.as_str()));
        assert_eq!(cut.item.summary.as_deref(), Some("A summary."));

        // A restart keeps the texts of waiting pages only.
        let other = "c".repeat(64);
        texts.keep(&page(&other, &long));
        let texts = WaitingTexts::open(dir.path().join("w"), [id.as_str()].into_iter());
        let mut gone = page(&other, "cut");
        texts.restore(&mut gone);
        assert_eq!(gone.item.content.as_deref(), Some("cut"));
        texts.forget(&id);
        assert_eq!(texts.bytes(), 0);
        let mut cut = page(&id, "cut");
        texts.restore(&mut cut);
        assert_eq!(cut.item.content.as_deref(), Some("cut"));
    }
}
