//! One topic of the embedded log read from a position, across its segments.
//!
//! A record cut short at the end of the newest segment is a write in
//! progress: the reader waits for it. Anything else that is no whole record
//! is damage: bytes changed on disk, a record cut short inside an older
//! segment or an older segment that ends short of the next, a length field that a write in progress would have filled by
//! now, or a position that points inside a record. The reader then goes on
//! from the next whole record (or the next segment), with an error logged
//! and counted: the damaged record is lost, and the ones after it are not.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::record::{Frame, decode_body, next_record_after, read_frame};
use super::{list_segments, segment_path};
use crate::bus::{BusError, InRecord};
use crate::telemetry::names;

/// How long a record may stay cut short at the end of the newest segment
/// before it counts as damage. A write is one call, done in far less; a
/// length damaged on disk would otherwise keep the reader waiting for bytes
/// that never come.
const TORN_FOR: Duration = Duration::from_secs(1);

pub(super) struct TopicReader {
    pub(super) topic: String,
    dir: PathBuf,
    pub(super) pos_file: PathBuf,
    /// Next offset to read.
    pub(super) next: u64,
    /// Highest offset marked processed (exclusive).
    pub(super) stored: u64,
    pub(super) committed: u64,
    file: Option<(u64, io::BufReader<File>)>,
    /// A record cut short that the reader waits for: where, and since when.
    torn_since: Option<(u64, Instant)>,
    /// The last search past damage that found no whole record: where the
    /// damage is and how long its segment was, so that a reader polling
    /// for more searches again only once the segment has grown.
    searched: Option<(u64, u64)>,
}

impl TopicReader {
    pub(super) fn new(topic: &str, dir: PathBuf, pos_file: PathBuf, at: u64) -> TopicReader {
        TopicReader {
            topic: topic.to_string(),
            dir,
            pos_file,
            next: at,
            stored: at,
            committed: at,
            file: None,
            torn_since: None,
            searched: None,
        }
    }

    /// Read the record at `self.next`, if a whole one is there.
    pub(super) fn try_read(&mut self) -> Result<Option<InRecord>, BusError> {
        loop {
            if self.file.is_none() {
                let segments = list_segments(&self.dir)?;
                // The segment holding `next`: the last whose base is <= next.
                let Some((base, path)) = segments
                    .iter()
                    .rev()
                    .find(|(b, _)| *b <= self.next)
                    .cloned()
                else {
                    if let Some((first, _)) = segments.first() {
                        // Our position was removed by retention: skip ahead.
                        tracing::warn!(topic = %self.topic, from = self.next, to = first, "position behind retention");
                        self.next = *first;
                        continue;
                    }
                    return Ok(None);
                };
                let mut f = File::open(&path)?;
                f.seek(SeekFrom::Start(self.next - base))?;
                self.file = Some((base, io::BufReader::with_capacity(256 * 1024, f)));
            }
            let (base, reader) = self.file.as_mut().expect("segment open");
            let base = *base;
            let at = self.next;
            let frame = read_frame(reader)?;
            if !matches!(frame, Frame::Record { .. }) {
                self.file = None;
            }
            match frame {
                Frame::Record { flags, body, len } => {
                    self.next += len;
                    self.torn_since = None;
                    return decode_body(&self.topic, at, self.next, flags, &body).map(Some);
                }
                Frame::End => match self.newer_segment(base)? {
                    None => return Ok(None),
                    // The writer rolled to a new segment.
                    Some(newer) if newer <= at => {}
                    // The segment ends short of where the next begins.
                    Some(_) => {
                        if !self.skip_damage(base, at)? {
                            return Ok(None);
                        }
                    }
                },
                Frame::Torn | Frame::Damaged => {
                    let damage = matches!(frame, Frame::Damaged)
                        || self.newer_segment(base)?.is_some()
                        || self.torn_too_long(at);
                    if !damage || !self.skip_damage(base, at)? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// The base of the first segment after the one at `base`, if any.
    fn newer_segment(&self, base: u64) -> Result<Option<u64>, BusError> {
        Ok(list_segments(&self.dir)?
            .into_iter()
            .map(|(b, _)| b)
            .find(|b| *b > base))
    }

    fn torn_too_long(&mut self, at: u64) -> bool {
        match self.torn_since {
            Some((torn_at, since)) if torn_at == at => since.elapsed() >= TORN_FOR,
            _ => {
                self.torn_since = Some((at, Instant::now()));
                false
            }
        }
    }

    /// Moves `next` past the damage at `at` of the segment at `base`, to
    /// the next whole record or else the next segment; false when there is
    /// neither yet.
    fn skip_damage(&mut self, base: u64, at: u64) -> Result<bool, BusError> {
        let mut file = File::open(segment_path(&self.dir, base))?;
        let segment_len = file.metadata()?.len();
        // A write finished, and the writer rolled, since the record was read.
        file.seek(SeekFrom::Start(at - base))?;
        if matches!(
            read_frame(&mut io::BufReader::new(&mut file))?,
            Frame::Record { .. }
        ) {
            return Ok(true);
        }
        let mut to = None;
        if self.searched != Some((at, segment_len)) {
            to = next_record_after(&mut file, at - base)?.map(|k| base + k);
            self.searched = to.is_none().then_some((at, segment_len));
        }
        let Some(to) = to.or(self.newer_segment(base)?) else {
            return Ok(false);
        };
        tracing::error!(
            topic = %self.topic,
            offset = at,
            skipped_bytes = to - at,
            "damaged bytes in the log: the record there is lost; reading on from the next whole record"
        );
        metrics::counter!(names::ERRORS, "stage" => "bus", "error_type" => "log_damaged")
            .increment(1);
        self.next = to;
        self.torn_since = None;
        Ok(true)
    }
}
