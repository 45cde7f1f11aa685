//! Embedded bus: an append-only log per topic on local disk, with committed
//! consumer positions, for one machine and no external service.
//!
//! Layout under `data_dir/log/`:
//! - `<topic>/<base>.seg`: segments named by the offset of their first byte.
//!   A record is `magic, flags, len u32, crc32 u32, body`; offsets are byte
//!   positions across segments, so they only grow.
//! - `groups/<group>/<topic>.pos`: the committed position (next offset),
//!   written by rename so a crash leaves the old or the new value.
//!
//! A killed writer can leave a torn record at the tail; the next writer cuts
//! it off when it opens the topic. Readers treat a torn tail as "not yet".
//! Bytes damaged on disk are skipped, with an error, up to the next whole
//! record: the record they held is lost, and none after it.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::{BusError, InRecord, OutRecord};

#[path = "embedded_record.rs"]
mod record;
use record::{encode_body, frame, scan_segment};

#[path = "embedded_reader.rs"]
mod reader;
use reader::TopicReader;

const SEGMENT_BYTES: u64 = 64 * 1024 * 1024;
/// How often a reader with nothing to read looks again for records written
/// by another process (in-process writers wake readers at once).
const TAIL_POLL: Duration = Duration::from_millis(100);

/// Shared handle to the embedded log. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedBus {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    max_message_bytes: usize,
    compress_over_bytes: usize,
    retention_bytes: u64,
    segment_bytes: u64,
    writers: Mutex<HashMap<String, Arc<Mutex<TopicWriter>>>>,
    appended: Notify,
    _lock: Option<File>,
}

impl EmbeddedBus {
    /// Open the log for writing. Takes an exclusive lock on the data dir so two
    /// processes never append to one log.
    pub fn open(
        data_dir: &Path,
        max_message_bytes: usize,
        compress_over_bytes: usize,
        retention_bytes: u64,
    ) -> Result<EmbeddedBus, BusError> {
        let root = data_dir.join("log");
        fs::create_dir_all(&root).map_err(|e| io_at("making", &root, e))?;
        let lock_path = root.join("LOCK");
        let lock = File::create(&lock_path).map_err(|e| io_at("making", &lock_path, e))?;
        lock.try_lock().map_err(|_| {
            BusError::Fatal(format!(
                "another newsmill process is writing {}; stop it or use another bus.data_dir",
                root.display()
            ))
        })?;
        Ok(Self::build(
            root,
            max_message_bytes,
            compress_over_bytes,
            retention_bytes,
            Some(lock),
        ))
    }

    /// Open the log read-only (for `tail` and `stats` next to a running writer).
    pub fn open_reader(data_dir: &Path) -> Result<EmbeddedBus, BusError> {
        let root = data_dir.join("log");
        if !root.exists() {
            return Err(BusError::Fatal(format!(
                "no embedded log at {}",
                root.display()
            )));
        }
        Ok(Self::build(root, usize::MAX, usize::MAX, u64::MAX, None))
    }

    fn build(
        root: PathBuf,
        max_message_bytes: usize,
        compress_over_bytes: usize,
        retention_bytes: u64,
        lock: Option<File>,
    ) -> EmbeddedBus {
        EmbeddedBus {
            inner: Arc::new(Inner {
                root,
                max_message_bytes,
                compress_over_bytes,
                retention_bytes,
                segment_bytes: SEGMENT_BYTES,
                writers: Mutex::new(HashMap::new()),
                appended: Notify::new(),
                _lock: lock,
            }),
        }
    }

    fn writer(&self, topic: &str) -> Result<Arc<Mutex<TopicWriter>>, BusError> {
        let mut writers = self.inner.writers.lock().expect("writers lock");
        if let Some(w) = writers.get(topic) {
            return Ok(w.clone());
        }
        if self.inner._lock.is_none() {
            return Err(BusError::Fatal("embedded log opened read-only".into()));
        }
        let w = Arc::new(Mutex::new(TopicWriter::open(
            &self.topic_dir(topic)?,
            self.inner.segment_bytes,
        )?));
        writers.insert(topic.to_string(), w.clone());
        Ok(w)
    }

    fn topic_dir(&self, topic: &str) -> Result<PathBuf, BusError> {
        if topic.is_empty()
            || topic.starts_with('.')
            || !topic
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(BusError::Fatal(format!("invalid topic name {topic:?}")));
        }
        Ok(self.inner.root.join(topic))
    }

    /// Append one record; returns its offset. The record is in the OS page
    /// cache when this returns, so it survives the process being killed.
    pub fn append(&self, record: &OutRecord) -> Result<i64, BusError> {
        if record.payload.len() > self.inner.max_message_bytes {
            return Err(BusError::Oversized {
                bytes: record.payload.len(),
                limit: self.inner.max_message_bytes,
            });
        }
        let body = encode_body(record, self.inner.compress_over_bytes);
        let writer = self.writer(&record.topic)?;
        let offset = writer
            .lock()
            .expect("topic writer")
            .append(&body.0, body.1)?;
        self.inner.appended.notify_waiters();
        Ok(offset)
    }

    /// Force appended records to stable storage.
    pub fn sync(&self) -> Result<(), BusError> {
        let writers: Vec<_> = self
            .inner
            .writers
            .lock()
            .expect("writers lock")
            .values()
            .cloned()
            .collect();
        for w in writers {
            w.lock().expect("topic writer").sync()?;
        }
        Ok(())
    }

    /// Drop whole segments that every known group has consumed, while the
    /// topic is over its retention size.
    pub fn enforce_retention(&self, topic: &str) -> Result<(), BusError> {
        let dir = self.topic_dir(topic)?;
        let segments = list_segments(&dir)?;
        let total: u64 = segments
            .iter()
            .map(|(_, p)| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .sum();
        if total <= self.inner.retention_bytes || segments.len() < 2 {
            return Ok(());
        }
        let min_committed = self.min_committed(topic)?;
        let mut excess = total - self.inner.retention_bytes;
        for pair in segments.windows(2) {
            let (next_base, seg) = (pair[1].0, &pair[0].1);
            if excess == 0 || next_base > min_committed {
                break;
            }
            let len = fs::metadata(seg).map(|m| m.len()).unwrap_or(0);
            fs::remove_file(seg)?;
            excess = excess.saturating_sub(len);
        }
        Ok(())
    }

    fn min_committed(&self, topic: &str) -> Result<u64, BusError> {
        let groups = self.inner.root.join("groups");
        let mut min = u64::MAX;
        if let Ok(entries) = fs::read_dir(&groups) {
            for e in entries.flatten() {
                if let Some(pos) = read_position(&e.path().join(format!("{topic}.pos")))? {
                    min = min.min(pos);
                }
            }
        }
        Ok(if min == u64::MAX { 0 } else { min })
    }

    /// A consumer of `topics` for `group`, starting at the committed positions.
    pub fn consumer(&self, group: &str, topics: &[String]) -> Result<EmbeddedConsumer, BusError> {
        let group_dir = self.inner.root.join("groups").join(sanitize(group));
        fs::create_dir_all(&group_dir).map_err(|e| io_at("making", &group_dir, e))?;
        let mut readers = Vec::new();
        for topic in topics {
            let dir = self.topic_dir(topic)?;
            fs::create_dir_all(&dir).map_err(|e| io_at("making", &dir, e))?;
            let pos_file = group_dir.join(format!("{topic}.pos"));
            let committed = read_position(&pos_file)?.unwrap_or(0);
            readers.push(TopicReader::new(topic, dir, pos_file, committed));
        }
        Ok(EmbeddedConsumer {
            bus: self.clone(),
            readers,
            turn: 0,
            last_commit: Instant::now(),
        })
    }

    /// The record that starts at `offset` of `topic`, if the log still
    /// holds it (an offset a dead letter names as its origin).
    pub fn read_at(&self, topic: &str, offset: u64) -> Result<Option<InRecord>, BusError> {
        let mut reader = TopicReader::new(topic, self.topic_dir(topic)?, PathBuf::new(), offset);
        // Retention may have moved the reader past `offset`: then it is gone.
        Ok(reader
            .try_read()?
            .filter(|r| u64::try_from(r.offset) == Ok(offset)))
    }

    /// Calls `each` with the records of `topic` the log still holds, from
    /// its first up to offset `end` (exclusive), in order.
    pub fn read_up_to(
        &self,
        topic: &str,
        end: u64,
        mut each: impl FnMut(InRecord),
    ) -> Result<(), BusError> {
        let mut reader = TopicReader::new(topic, self.topic_dir(topic)?, PathBuf::new(), 0);
        while reader.next < end {
            match reader.try_read()? {
                Some(record) => each(record),
                None => break,
            }
        }
        Ok(())
    }

    /// End offsets (next offset to be written) per topic, for `stats` and lag.
    pub fn end_offset(&self, topic: &str) -> Result<u64, BusError> {
        let dir = self.topic_dir(topic)?;
        let segments = list_segments(&dir)?;
        Ok(match segments.last() {
            Some((base, path)) => base + fs::metadata(path)?.len(),
            None => 0,
        })
    }

    /// Topics that exist in the log.
    pub fn topics(&self) -> Result<Vec<String>, BusError> {
        let mut out = Vec::new();
        for e in fs::read_dir(&self.inner.root)?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() && name != "groups" {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Committed position of `group` on `topic`, if any.
    pub fn committed(&self, group: &str, topic: &str) -> Result<Option<u64>, BusError> {
        read_position(
            &self
                .inner
                .root
                .join("groups")
                .join(sanitize(group))
                .join(format!("{topic}.pos")),
        )
    }
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, BusError> {
    let mut segs = Vec::new();
    match fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(base) = name
                    .strip_suffix(".seg")
                    .and_then(|b| b.parse::<u64>().ok())
                {
                    segs.push((base, e.path()));
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    segs.sort();
    Ok(segs)
}

fn segment_path(dir: &Path, base: u64) -> PathBuf {
    dir.join(format!("{base:020}.seg"))
}

fn read_position(path: &Path) -> Result<Option<u64>, BusError> {
    match fs::read_to_string(path) {
        Ok(s) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| BusError::Fatal(format!("corrupt position file {}", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_at("reading", path, e)),
    }
}

fn write_position(path: &Path, pos: u64) -> Result<(), BusError> {
    let tmp = path.with_extension("pos.tmp");
    let write = || -> io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(pos.to_string().as_bytes())?;
        f.sync_data()?;
        crate::durable::replace_with(&tmp, path)
    };
    write().map_err(|e| io_at("writing", path, e))
}

/// An I/O error that names the file or directory, as an operator with a
/// full disk or a wrong mount needs to see it.
fn io_at(doing: &str, path: &Path, e: io::Error) -> BusError {
    BusError::Io(io::Error::new(
        e.kind(),
        format!("{doing} {}: {e}", path.display()),
    ))
}

struct TopicWriter {
    dir: PathBuf,
    base: u64,
    file: File,
    len: u64,
    /// A new segment is begun once this one holds this many bytes.
    segment_bytes: u64,
    /// A failed append may have left part of its frame past `len`, and
    /// cutting it failed too: it is cut before the next append.
    tail_unknown: bool,
}

impl TopicWriter {
    fn open(dir: &Path, segment_bytes: u64) -> Result<TopicWriter, BusError> {
        fs::create_dir_all(dir).map_err(|e| io_at("making", dir, e))?;
        let segments = list_segments(dir)?;
        let (base, path) = match segments.last() {
            Some((base, path)) => (*base, path.clone()),
            None => (0, segment_path(dir, 0)),
        };
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_at("opening", &path, e))?;
        let scan = scan_segment(&mut file).map_err(|e| match e {
            BusError::Io(e) => io_at("reading", &path, e),
            e => e,
        })?;
        for (start, bytes) in scan.damaged {
            tracing::error!(
                segment = %path.display(),
                offset = base + start,
                bytes,
                "damaged bytes in the log, kept: readers skip them, and the record there is lost"
            );
        }
        if scan.end < file.metadata()?.len() {
            tracing::warn!(segment = %path.display(), valid = scan.end, "cutting torn record at end of log");
            file.set_len(scan.end)
                .map_err(|e| io_at("cutting a torn record from", &path, e))?;
        }
        Ok(TopicWriter {
            dir: dir.to_path_buf(),
            base,
            file,
            len: scan.end,
            segment_bytes,
            tail_unknown: false,
        })
    }

    fn append(&mut self, body: &[u8], flags: u8) -> Result<i64, BusError> {
        if self.tail_unknown {
            self.file
                .set_len(self.len)
                .map_err(|e| self.failed("cutting a failed append from", e))?;
            self.tail_unknown = false;
        }
        if self.len >= self.segment_bytes {
            self.file
                .sync_data()
                .map_err(|e| self.failed("syncing", e))?;
            // Nothing moves until the new segment is open: a failed open
            // (no room for one more file) leaves this writer as it was.
            let base = self.base + self.len;
            let path = segment_path(&self.dir, base);
            self.file = OpenOptions::new()
                .create(true)
                .read(true)
                .append(true)
                .open(&path)
                .map_err(|e| io_at("beginning segment", &path, e))?;
            (self.base, self.len) = (base, 0);
        }
        let offset = self.base + self.len;
        let frame = frame(body, flags);
        if let Err(e) = self.file.write_all(&frame) {
            // A full disk takes the part of a frame that fits. Cut it now,
            // or before the next append: a record after it would sit past
            // the offset it was given, and readers would skip the part as
            // damage.
            self.tail_unknown = self.file.set_len(self.len).is_err();
            return Err(self.failed("appending to", e));
        }
        self.len += frame.len() as u64;
        Ok(offset as i64)
    }

    fn sync(&mut self) -> Result<(), BusError> {
        self.file.sync_data().map_err(|e| self.failed("syncing", e))
    }

    fn failed(&self, doing: &str, e: io::Error) -> BusError {
        io_at(doing, &self.dir, e)
    }
}

/// Reads topics in turn from committed positions; `store` marks a record done
/// and `commit` persists what is stored.
pub struct EmbeddedConsumer {
    bus: EmbeddedBus,
    readers: Vec<TopicReader>,
    turn: usize,
    last_commit: Instant,
}

impl EmbeddedConsumer {
    pub async fn recv(&mut self) -> Result<InRecord, BusError> {
        let bus = self.bus.clone();
        loop {
            let notified = bus.inner.appended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(rec) = self.try_recv()? {
                return Ok(rec);
            }
            let _ = tokio::time::timeout(TAIL_POLL, notified).await;
        }
    }

    /// One record if any topic has one, without waiting.
    pub fn try_recv(&mut self) -> Result<Option<InRecord>, BusError> {
        for i in 0..self.readers.len() {
            let idx = (self.turn + i) % self.readers.len();
            if let Some(rec) = self.readers[idx].try_read()? {
                self.turn = idx + 1;
                return Ok(Some(rec));
            }
        }
        Ok(None)
    }

    /// Mark a record processed: the committed position moves to `next_offset`.
    pub fn store(&mut self, topic: &str, next_offset: i64) -> Result<(), BusError> {
        if let Some(r) = self.readers.iter_mut().find(|r| r.topic == topic) {
            r.stored = r.stored.max(next_offset as u64);
        }
        if self.last_commit.elapsed() > Duration::from_millis(500) {
            self.commit()?;
        }
        Ok(())
    }

    /// Persist stored positions (records already appended are synced first,
    /// so a committed input never refers to output lost in a crash).
    pub fn commit(&mut self) -> Result<(), BusError> {
        self.last_commit = Instant::now();
        if self.readers.iter().all(|r| r.stored == r.committed) {
            return Ok(());
        }
        if self.bus.inner._lock.is_some() {
            self.bus.sync()?;
        }
        for r in &mut self.readers {
            if r.stored != r.committed {
                write_position(&r.pos_file, r.stored)?;
                r.committed = r.stored;
            }
        }
        for topic in self
            .readers
            .iter()
            .map(|r| r.topic.clone())
            .collect::<Vec<_>>()
        {
            if self.bus.inner._lock.is_some() {
                self.bus.enforce_retention(&topic)?;
            }
        }
        Ok(())
    }

    /// Whether every record appended so far has been read.
    pub fn read_to_end(&self) -> bool {
        self.readers
            .iter()
            .all(|r| self.bus.end_offset(&r.topic).is_ok_and(|end| r.next >= end))
    }

    /// Unread records per topic (lag), as `(topic, lag)`.
    pub fn lag(&self) -> Vec<(String, u64)> {
        self.readers
            .iter()
            .map(|r| {
                let end = self.bus.end_offset(&r.topic).unwrap_or(r.next);
                (r.topic.clone(), end.saturating_sub(r.stored))
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "embedded_tests.rs"]
mod tests;
