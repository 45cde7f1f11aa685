//! Reading Kafka topics outside a consumer group: watermarks, committed
//! offsets, a whole topic to its end (the dedup changelog's replay,
//! `newsmill tail`) and single records by position (a dead letter's origin).

use super::*;

impl KafkaBus {
    /// First and end offsets of each partition of `topic`; empty when the
    /// topic does not exist. Blocking.
    pub fn watermarks(&self, topic: &str) -> Result<Vec<(i32, i64, i64)>, BusError> {
        let consumer: BaseConsumer = self.client_config().create()?;
        self.watermarks_with(&consumer, topic)
    }

    fn watermarks_with(
        &self,
        consumer: &BaseConsumer,
        topic: &str,
    ) -> Result<Vec<(i32, i64, i64)>, BusError> {
        let md = consumer.fetch_metadata(Some(topic), METADATA_TIMEOUT)?;
        let Some(t) = md
            .topics()
            .iter()
            .find(|t| t.name() == topic && t.error().is_none())
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for p in t.partitions() {
            let (low, high) = consumer.fetch_watermarks(topic, p.id(), METADATA_TIMEOUT)?;
            out.push((p.id(), low, high));
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Committed offset of `group` on the given partitions of `topic` (None
    /// where nothing is committed). Blocking.
    pub fn committed(
        &self,
        group: &str,
        topic: &str,
        partitions: impl IntoIterator<Item = i32>,
    ) -> Result<Vec<(i32, Option<i64>)>, BusError> {
        let mut cc = self.client_config();
        cc.set("group.id", group);
        let consumer: BaseConsumer = cc.create()?;
        let mut tpl = TopicPartitionList::new();
        for p in partitions {
            tpl.add_partition(topic, p);
        }
        let committed = consumer.committed_offsets(tpl, METADATA_TIMEOUT)?;
        Ok(committed
            .elements()
            .iter()
            .map(|e| (e.partition(), e.offset().to_raw().filter(|o| *o >= 0)))
            .collect())
    }

    /// Read every partition of `topic` from offset `from` (or its start, if
    /// later) to `end`, without
    /// joining a consumer group, sending each record to `to` in partition
    /// order. Blocking: run it on a blocking thread. Stops early, without
    /// error, when the receiver goes away.
    ///
    /// The end offset the broker reports is not enough on its own: tansu's
    /// leaves out the last multi-record batch, and a replay that stopped
    /// there would lose the newest facts. So a partition is through when it
    /// has reached that offset and then gone quiet, or (for `WrittenBefore`)
    /// shown a record written after the read began. On Kafka the reported
    /// end is exact and the quiet costs two seconds.
    pub fn read_to_end(
        &self,
        topic: &str,
        from: i64,
        end: ReadEnd,
        to: tokio::sync::mpsc::Sender<InRecord>,
    ) -> Result<u64, BusError> {
        self.read_partitions_to_end(topic, ReadStart::Offset(from), end, to, None)
            .map(|(read, _)| read)
    }

    /// As `read_to_end`, but of the one partition the producer puts records
    /// keyed `key` in (by its `partitioner`, librdkafka's default unless
    /// `bus.kafka.partitioner` names another), when it places keys so; of
    /// every partition otherwise. The partition read (None: all) comes
    /// back with the count. A topic whose partitions were added to after
    /// such records were written holds the older ones elsewhere.
    pub fn read_key_to_end(
        &self,
        topic: &str,
        key: &[u8],
        end: ReadEnd,
        to: tokio::sync::mpsc::Sender<InRecord>,
    ) -> Result<(u64, Option<i32>), BusError> {
        self.read_partitions_to_end(topic, ReadStart::Offset(0), end, to, Some(key))
    }

    /// As `read_key_to_end` (every partition when `key` is None), but of
    /// the records written at or after `since_ms` (Unix milliseconds): each
    /// partition starts where the broker's time index puts that moment
    /// (since round 67), so that a trace on a topic that keeps a week of
    /// pages reads the hours asked for, not the week.
    pub fn read_since_to_end(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        since_ms: i64,
        end: ReadEnd,
        to: tokio::sync::mpsc::Sender<InRecord>,
    ) -> Result<(u64, Option<i32>), BusError> {
        self.read_partitions_to_end(topic, ReadStart::Time(since_ms), end, to, key)
    }

    /// The partition `key` goes to in a topic of `partitions` partitions,
    /// under this bus's producer's partitioner.
    fn partition_of(&self, key: &[u8], partitions: usize) -> Option<i32> {
        let partitioner = self
            .extra
            .iter()
            .find(|(k, _)| k == "partitioner")
            .map_or(crate::bus::partitioner::DEFAULT_PARTITIONER, |(_, v)| {
                v.as_str()
            });
        let partitions = i32::try_from(partitions).ok()?;
        crate::bus::partitioner::partition_of_key(partitioner, key, partitions)
    }

    fn read_partitions_to_end(
        &self,
        topic: &str,
        from: ReadStart,
        end: ReadEnd,
        to: tokio::sync::mpsc::Sender<InRecord>,
        key: Option<&[u8]>,
    ) -> Result<(u64, Option<i32>), BusError> {
        let mut cc = self.client_config();
        // Required by librdkafka, but nothing joins or commits: `assign` only.
        cc.set("group.id", "newsmill-replay")
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "false");
        let consumer: BaseConsumer = cc.create()?;
        let started = std::time::Instant::now();
        let mut partitions = std::collections::HashMap::new();
        let mut tpl = TopicPartitionList::new();
        let watermarks = self.watermarks_with(&consumer, topic)?;
        let only = key.and_then(|key| self.partition_of(key, watermarks.len()));
        let watermarks: Vec<(i32, i64, i64)> = watermarks
            .into_iter()
            .filter(|(p, _, _)| only.is_none_or(|only| only == *p))
            .collect();
        let firsts = match from {
            ReadStart::Offset(from) => watermarks.iter().map(|(p, _, _)| (*p, from)).collect(),
            ReadStart::Time(ms) => self.offsets_at(&consumer, topic, &watermarks, ms)?,
        };
        for (p, low, high) in watermarks {
            let from = firsts.get(&p).copied().unwrap_or(high);
            let start = low.max(from);
            partitions.insert(p, PartitionRead::new(high, high <= start, started));
            tpl.add_partition_offset(topic, p, Offset::Offset(start))?;
        }
        if tpl.count() == 0 {
            return Ok((0, only));
        }
        consumer.assign(&tpl)?;
        let written_before = match end {
            ReadEnd::Quiet => None,
            ReadEnd::WrittenBefore(t) => Some(unix_millis(t)),
        };
        let mut read = 0u64;
        let mut last_record = started;
        loop {
            match consumer.poll(Duration::from_millis(250)) {
                None if last_record.elapsed() > REPLAY_STALL
                    && partitions.values().any(|p| !p.reached) =>
                {
                    return Err(BusError::Fatal(format!(
                        "replaying {topic}: no progress for {}s",
                        REPLAY_STALL.as_secs()
                    )));
                }
                None => {}
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(msg)) => {
                    last_record = std::time::Instant::now();
                    let Some(part) = partitions.get_mut(&msg.partition()) else {
                        continue;
                    };
                    part.last_record = last_record;
                    let written_after = written_before
                        .is_some_and(|t| msg.timestamp().to_millis().is_some_and(|ms| ms > t));
                    if part.reached && written_after {
                        part.passed = true;
                        continue;
                    }
                    if msg.offset() + 1 >= part.end {
                        part.reached = true;
                    }
                    // A broker whose time index puts the start early
                    // (tansu answers with the partition's start) still
                    // gives nothing written before the time asked for.
                    let written_before_start = matches!(from, ReadStart::Time(since)
                        if msg.timestamp().to_millis().is_some_and(|ms| ms < since));
                    if written_before_start {
                        continue;
                    }
                    read += 1;
                    if to.blocking_send(in_record(&msg)).is_err() {
                        break;
                    }
                }
            }
            if partitions.values().all(PartitionRead::through) {
                break;
            }
        }
        Ok((read, only))
    }
}

/// Reads single records by position (the origins dead letters name), with
/// one consumer that joins no group. Blocking.
pub struct RecordReader {
    consumer: BaseConsumer,
}

impl KafkaBus {
    pub fn record_reader(&self) -> Result<RecordReader, BusError> {
        let mut cc = self.client_config();
        // Required by librdkafka, but nothing joins or commits: `assign` only.
        cc.set("group.id", "newsmill-record-reader")
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "false");
        Ok(RecordReader {
            consumer: cc.create()?,
        })
    }
}

impl RecordReader {
    /// The record at `offset` of one partition, or `None` when the topic no
    /// longer holds it (retention, compaction). The broker's end offset is
    /// not trusted as a bound (tansu's leaves out the last batch), so an
    /// offset past the end costs `RECORD_WAIT`.
    pub fn read_at(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<Option<InRecord>, BusError> {
        let (low, _) = self
            .consumer
            .fetch_watermarks(topic, partition, METADATA_TIMEOUT)?;
        if offset < low {
            return Ok(None);
        }
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, Offset::Offset(offset))?;
        self.consumer.assign(&tpl)?;
        let deadline = std::time::Instant::now() + RECORD_WAIT;
        while std::time::Instant::now() < deadline {
            match self.consumer.poll(Duration::from_millis(250)) {
                // Left over from the assignment before.
                Some(Ok(msg)) if msg.topic() != topic || msg.partition() != partition => {}
                Some(Ok(msg)) if msg.offset() == offset => return Ok(Some(in_record(&msg))),
                // Compacted away: the partition goes on after it.
                Some(Ok(msg)) if msg.offset() > offset => return Ok(None),
                Some(Ok(_)) | None => {}
                Some(Err(e)) => return Err(e.into()),
            }
        }
        Ok(None)
    }
}

/// How long a read of one record waits for it.
const RECORD_WAIT: Duration = Duration::from_secs(5);

/// Where [`KafkaBus::read_to_end`] stops.
#[derive(Clone, Copy, Debug)]
pub enum ReadEnd {
    /// Where every partition goes quiet: the replay of a topic that nobody
    /// writes meanwhile (a dedup changelog at start-up).
    Quiet,
    /// The records written before this instant: a one-shot read of a topic
    /// that may be written meanwhile, which would never go quiet.
    WrittenBefore(std::time::SystemTime),
}

/// How far the read of one partition has come.
struct PartitionRead {
    /// The end offset the broker reported when the read began.
    end: i64,
    reached: bool,
    /// A record written after the read began was seen.
    passed: bool,
    last_record: std::time::Instant,
}

impl PartitionRead {
    fn new(end: i64, reached: bool, now: std::time::Instant) -> Self {
        PartitionRead {
            end,
            reached,
            passed: false,
            last_record: now,
        }
    }

    fn through(&self) -> bool {
        self.reached && (self.passed || self.last_record.elapsed() >= REPLAY_TAIL_QUIET)
    }
}

fn unix_millis(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Past the reported end, a replay ends after this long without a record.
const REPLAY_TAIL_QUIET: Duration = Duration::from_secs(2);
/// A replay that receives nothing for this long has lost its broker.
const REPLAY_STALL: Duration = Duration::from_secs(60);

/// Where a read of a topic's partitions starts.
#[derive(Debug, Clone, Copy)]
enum ReadStart {
    /// At this offset, or the partition's start if later.
    Offset(i64),
    /// At the first record written at or after this time (Unix ms).
    Time(i64),
}

impl KafkaBus {
    /// The first offset of each partition written at or after `ms`, by
    /// the broker's time index; a partition with none starts at its end.
    fn offsets_at(
        &self,
        consumer: &BaseConsumer,
        topic: &str,
        watermarks: &[(i32, i64, i64)],
        ms: i64,
    ) -> Result<std::collections::HashMap<i32, i64>, BusError> {
        let mut times = TopicPartitionList::new();
        for (p, _, _) in watermarks {
            times.add_partition_offset(topic, *p, Offset::Offset(ms))?;
        }
        let offsets = consumer.offsets_for_times(times, METADATA_TIMEOUT)?;
        Ok(watermarks
            .iter()
            .map(|(p, _, high)| {
                let first = offsets
                    .find_partition(topic, *p)
                    .and_then(|e| e.offset().to_raw())
                    .filter(|o| *o >= 0)
                    .unwrap_or(*high);
                (*p, first)
            })
            .collect())
    }
}
