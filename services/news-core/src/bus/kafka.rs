//! Kafka backend on rdkafka (bundled librdkafka).
//!
//! Producer: idempotent, `acks=all`, LZ4 batches. Consumer: auto-commit of
//! *stored* offsets only (`enable.auto.offset.store=false`), so an offset is
//! committed only after the runner has seen every output of that message
//! acknowledged. Delivery is at-least-once; consumers are idempotent.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer as _, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::producer::{FutureProducer, Producer as _};
use rdkafka::{ClientContext, Statistics};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::oneshot;

use super::kafka_backlog::{Backlog, Handed};
use super::{Ack, BusError, InRecord, OutRecord, PartitionsHeld, Position};
use crate::config::Config;
use crate::telemetry::names;

/// Kafka connection settings shared by producers, consumers and the admin client.
#[derive(Clone)]
pub struct KafkaBus {
    brokers: String,
    extra: Vec<(String, String)>,
    max_message_bytes: usize,
    session_timeout_ms: u128,
    partitions: i32,
    replication: i32,
    /// Settings for topics this process creates, by topic name.
    topic_configs: Vec<(String, Vec<(&'static str, String)>)>,
}

/// The control topic keeps the last command per feed (compacted). The dedup
/// changelog needs only the active window plus a margin: older facts are
/// evicted on replay anyway, so time retention, never compaction.
fn topic_configs(config: &Config) -> Vec<(String, Vec<(&'static str, String)>)> {
    let changelog_ms = (config.dedup.window + Duration::from_secs(24 * 3600)).as_millis();
    vec![
        (
            config.topics.feeds.clone(),
            vec![("cleanup.policy", "compact".to_string())],
        ),
        (
            config.topics.dedup_changelog.clone(),
            vec![
                ("cleanup.policy", "delete".to_string()),
                ("retention.ms", changelog_ms.to_string()),
            ],
        ),
    ]
}

impl KafkaBus {
    pub fn new(config: &Config) -> KafkaBus {
        KafkaBus {
            brokers: config.bus.brokers.clone(),
            extra: config
                .bus
                .kafka
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            max_message_bytes: config.bus.max_message_bytes,
            session_timeout_ms: config.runner.session_timeout.as_millis(),
            partitions: config.bus.partitions,
            replication: config.bus.replication_factor,
            topic_configs: topic_configs(config),
        }
    }

    fn client_config(&self) -> ClientConfig {
        let mut cc = ClientConfig::new();
        cc.set("bootstrap.servers", &self.brokers);
        for (k, v) in &self.extra {
            cc.set(k, v);
        }
        cc
    }

    pub fn producer(&self) -> Result<KafkaProducer, BusError> {
        let mut cc = self.client_config();
        cc.set("acks", "all")
            .set("enable.idempotence", "true")
            .set("compression.type", "lz4")
            .set("linger.ms", "5")
            // librdkafka would buffer up to 1 GB; a full queue makes the
            // stage wait instead (back-pressure), so 64 MB is plenty.
            .set("queue.buffering.max.kbytes", "65536")
            .set("queue.buffering.max.messages", "20000")
            .set(
                "message.max.bytes",
                (self.max_message_bytes + 64 * 1024).to_string(),
            );
        for (k, v) in &self.extra {
            cc.set(k, v);
        }
        let producer: FutureProducer = cc.create()?;
        Ok(KafkaProducer {
            producer,
            backlog: Arc::default(),
            max_message_bytes: self.max_message_bytes,
        })
    }

    pub fn consumer(&self, group: &str, topics: &[String]) -> Result<KafkaConsumer, BusError> {
        let mut cc = self.client_config();
        cc.set("group.id", group)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", self.session_timeout_ms.to_string())
            .set("statistics.interval.ms", "5000")
            // Prefetch is bounded by the stage's in-flight limit anyway;
            // librdkafka's defaults (64 MB, 100,000 messages per partition)
            // would let a lagging consumer hold that much in memory.
            .set("queued.max.messages.kbytes", "16384")
            .set("queued.min.messages", "1000")
            .set(
                "fetch.message.max.bytes",
                (self.max_message_bytes + 64 * 1024).to_string(),
            );
        for (k, v) in &self.extra {
            cc.set(k, v);
        }
        let context = LagContext {
            assigned: Arc::new(AtomicBool::new(false)),
            held: Arc::new(AtomicU64::new(0)),
        };
        let (assigned, held) = (context.assigned.clone(), context.held.clone());
        let consumer: StreamConsumer<LagContext> = cc.create_with_context(context)?;
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&names)?;
        Ok(KafkaConsumer {
            consumer,
            assigned,
            held,
        })
    }

    /// Create the topics that do not exist yet.
    pub async fn ensure_topics(&self, topics: &[&str]) -> Result<(), BusError> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let new: Vec<NewTopic> = topics
            .iter()
            .map(|t| {
                let mut topic = NewTopic::new(
                    t,
                    self.partitions,
                    TopicReplication::Fixed(self.replication),
                );
                for (name, settings) in &self.topic_configs {
                    if name == t {
                        for (k, v) in settings {
                            topic = topic.set(k, v);
                        }
                    }
                }
                topic
            })
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
        for result in admin.create_topics(new.iter(), &opts).await? {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    return Err(BusError::Fatal(format!("creating topic {topic}: {code}")));
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone)]
pub struct KafkaProducer {
    producer: FutureProducer,
    backlog: Arc<Backlog>,
    max_message_bytes: usize,
}

impl KafkaProducer {
    /// Hand `record` to librdkafka now, so that records leave in the order
    /// they are sent, whatever order their acks are polled in; the ack
    /// completes once the broker has it. A full local queue is
    /// back-pressure, never a drop: the record then waits in the backlog,
    /// with every later one behind it, and polling any of their acks hands
    /// them over in order as the queue empties.
    pub fn send(&self, record: OutRecord) -> Result<Ack, BusError> {
        if record.payload.len() > self.max_message_bytes {
            return Err(BusError::Oversized {
                bytes: record.payload.len(),
                limit: self.max_message_bytes,
            });
        }
        let handed = self.backlog.send(&self.producer, record)?;
        let (producer, backlog) = (self.producer.clone(), self.backlog.clone());
        Ok(Box::pin(async move {
            let delivery = match handed {
                Handed::Now(delivery) => delivery,
                Handed::Later(mut receiver) => loop {
                    backlog.drain(&producer);
                    match receiver.try_recv() {
                        Ok(handed) => break handed?,
                        Err(oneshot::error::TryRecvError::Empty) => {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Err(oneshot::error::TryRecvError::Closed) => {
                            return Err(BusError::Fatal(
                                "the producer's backlog was dropped".into(),
                            ));
                        }
                    }
                },
            };
            match delivery.await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err((e, _))) => Err(BusError::Kafka(e)),
                Err(_) => Err(BusError::Fatal("producer dropped a delivery".into())),
            }
        }))
    }

    /// Hand over what waits in the backlog, then wait for librdkafka to
    /// deliver everything, all within `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), BusError> {
        let deadline = Instant::now() + timeout;
        while self.backlog.drain(&self.producer) {
            if Instant::now() >= deadline {
                return Err(BusError::Kafka(KafkaError::Flush(
                    RDKafkaErrorCode::OperationTimedOut,
                )));
            }
            // Delivers some of the queue, making room; a timeout here is
            // expected.
            let _ = self.producer.flush(Duration::from_millis(20));
        }
        self.producer
            .flush(deadline.saturating_duration_since(Instant::now()))?;
        Ok(())
    }
}

pub struct KafkaConsumer {
    consumer: StreamConsumer<LagContext>,
    assigned: Arc<AtomicBool>,
    /// `PartitionsHeld` packed by `pack_held`; 0 until the first statistics.
    held: Arc<AtomicU64>,
}

impl KafkaConsumer {
    pub async fn recv(&mut self) -> Result<InRecord, BusError> {
        Ok(in_record(&self.consumer.recv().await?))
    }

    pub fn store(&mut self, pos: &Position) -> Result<(), BusError> {
        // librdkafka stores offset + 1 itself.
        match self
            .consumer
            .store_offset(&pos.topic, pos.partition, pos.offset)
        {
            Ok(()) => Ok(()),
            // The partition was revoked meanwhile: its new owner replays the
            // message, which idempotent consumers absorb.
            Err(KafkaError::StoreOffset(
                RDKafkaErrorCode::State | RDKafkaErrorCode::UnknownPartition,
            )) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub fn commit(&mut self) -> Result<(), BusError> {
        match self.consumer.commit_consumer_state(CommitMode::Sync) {
            Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub fn is_assigned(&self) -> bool {
        self.assigned.load(Ordering::Relaxed)
    }

    pub fn partitions_held(&self) -> Option<PartitionsHeld> {
        unpack_held(self.held.load(Ordering::Relaxed))
    }
}

/// One word, so the statistics callback and the stage share it unlocked.
fn pack_held(p: PartitionsHeld) -> u64 {
    (u64::from(p.held) << 32) | u64::from(p.total)
}

fn unpack_held(word: u64) -> Option<PartitionsHeld> {
    let total = word as u32;
    (total > 0).then_some(PartitionsHeld {
        held: (word >> 32) as u32,
        total,
    })
}

fn in_record(msg: &BorrowedMessage<'_>) -> InRecord {
    let headers = msg
        .headers()
        .map(|h| {
            h.iter()
                .map(|hdr| {
                    (
                        hdr.key.to_string(),
                        hdr.value.map(<[u8]>::to_vec).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    InRecord {
        topic: msg.topic().to_string(),
        partition: msg.partition(),
        offset: msg.offset(),
        next_offset: msg.offset() + 1,
        key: msg.key().map(<[u8]>::to_vec),
        headers,
        payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        timestamp_ms: msg.timestamp().to_millis(),
    }
}

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
        let mut cc = self.client_config();
        // Required by librdkafka, but nothing joins or commits: `assign` only.
        cc.set("group.id", "newsmill-replay")
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "false");
        let consumer: BaseConsumer = cc.create()?;
        let started = std::time::Instant::now();
        let mut partitions = std::collections::HashMap::new();
        let mut tpl = TopicPartitionList::new();
        for (p, low, high) in self.watermarks_with(&consumer, topic)? {
            let start = low.max(from);
            partitions.insert(p, PartitionRead::new(high, high <= start, started));
            tpl.add_partition_offset(topic, p, Offset::Offset(start))?;
        }
        if tpl.count() == 0 {
            return Ok(0);
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
        Ok(read)
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

const METADATA_TIMEOUT: Duration = Duration::from_secs(10);
/// Past the reported end, a replay ends after this long without a record.
const REPLAY_TAIL_QUIET: Duration = Duration::from_secs(2);
/// A replay that receives nothing for this long has lost its broker.
const REPLAY_STALL: Duration = Duration::from_secs(60);

/// Reports consumer lag from librdkafka statistics and tracks assignment.
struct LagContext {
    assigned: Arc<AtomicBool>,
    held: Arc<AtomicU64>,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        // librdkafka lists every partition of a subscribed topic, with
        // `desired` set on those assigned to this member.
        let mut held = PartitionsHeld { held: 0, total: 0 };
        for (topic, t) in &statistics.topics {
            for (partition, p) in &t.partitions {
                if *partition < 0 {
                    continue; // the internal "unassigned" partition
                }
                held.total += 1;
                held.held += u32::from(p.desired);
                if p.consumer_lag < 0 {
                    continue;
                }
                metrics::gauge!(names::CONSUMER_LAG, "topic" => topic.clone(), "partition" => partition.to_string())
                    .set(p.consumer_lag as f64);
            }
        }
        self.held.store(pack_held(held), Ordering::Relaxed);
    }
}

impl ConsumerContext for LagContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(_) = rebalance {
            self.assigned.store(false, Ordering::Relaxed);
            // Commit what is stored before the partitions move, to shrink the
            // replay the next owner does.
            if let Err(e) = consumer.commit_consumer_state(CommitMode::Sync)
                && !matches!(e, KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset))
            {
                tracing::warn!(error = %e, "commit before revoke failed");
            }
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            self.assigned.store(tpl.count() > 0, Ordering::Relaxed);
        }
    }
}
