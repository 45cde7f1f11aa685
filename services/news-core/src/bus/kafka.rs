//! Kafka backend on rdkafka (bundled librdkafka).
//!
//! Producer: idempotent, `acks=all`, LZ4 batches. Consumer: auto-commit of
//! *stored* offsets only (`enable.auto.offset.store=false`), so an offset is
//! committed only after the runner has seen every output of that message
//! acknowledged. Delivery is at-least-once; consumers are idempotent.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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

#[path = "kafka_read.rs"]
mod read;
#[path = "kafka_topics.rs"]
mod topics;
pub use read::{ReadEnd, RecordReader};

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

/// How long a request for a topic's metadata or settings waits.
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Room over `bus.max_message_bytes` for a record's key, headers and
/// framing: on the client's limits, and on the topics newsmill creates.
const RECORD_OVERHEAD: usize = 64 * 1024;

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
            topic_configs: topics::topic_configs(config),
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
                (self.max_message_bytes + RECORD_OVERHEAD).to_string(),
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
                (self.max_message_bytes + RECORD_OVERHEAD).to_string(),
            );
        for (k, v) in &self.extra {
            cc.set(k, v);
        }
        let context = LagContext {
            assigned: Arc::new(AtomicBool::new(false)),
            held: Arc::new(AtomicU64::new(0)),
            read_to_end_at: Arc::default(),
        };
        let (assigned, held) = (context.assigned.clone(), context.held.clone());
        let read_to_end_at = context.read_to_end_at.clone();
        let consumer: StreamConsumer<LagContext> = cc.create_with_context(context)?;
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&names)?;
        Ok(KafkaConsumer {
            consumer,
            assigned,
            held,
            read_to_end_at,
        })
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
        let bytes = record.payload.len();
        if bytes > self.max_message_bytes {
            return Err(BusError::Oversized {
                bytes,
                limit: self.max_message_bytes,
            });
        }
        let refused = move |e: KafkaError| refusal_or_error(e, bytes);
        let handed = self.backlog.send(&self.producer, record).map_err(refused)?;
        let (producer, backlog) = (self.producer.clone(), self.backlog.clone());
        Ok(Box::pin(async move {
            let delivery = match handed {
                Handed::Now(delivery) => delivery,
                Handed::Later(mut receiver) => loop {
                    backlog.drain(&producer);
                    match receiver.try_recv() {
                        Ok(handed) => break handed.map_err(refused)?,
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
                Ok(Err((e, _))) => Err(refused(e)),
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

/// A broker's refusal of a message as too large, told apart from other
/// errors: the runner dead-letters such a message rather than stopping
/// on it (a restart would send it again and be refused again).
fn refusal_or_error(e: KafkaError, bytes: usize) -> BusError {
    match e {
        KafkaError::MessageProduction(
            RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::MessageBatchTooLarge,
        ) => BusError::RefusedAsTooLarge { bytes },
        // librdkafka's idempotent producer refuses every later message
        // once it has failed for good: only a new producer sends again.
        KafkaError::MessageProduction(RDKafkaErrorCode::Fatal) => BusError::Fatal(format!(
            "the Kafka producer failed for good ({e}; librdkafka logged why)"
        )),
        e => BusError::Kafka(e),
    }
}

pub struct KafkaConsumer {
    consumer: StreamConsumer<LagContext>,
    assigned: Arc<AtomicBool>,
    /// `PartitionsHeld` packed by `pack_held`; 0 until the first statistics.
    held: Arc<AtomicU64>,
    /// When the last statistics found every held partition read to its end.
    read_to_end_at: Arc<Mutex<Option<Instant>>>,
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

    /// Whether statistics reported after `since` found every partition this
    /// member holds read to its end (librdkafka reports every 5 s).
    pub fn read_to_end_after(&self, since: Instant) -> bool {
        let at = *self
            .read_to_end_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        at.is_some_and(|at| at > since)
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

/// Reports consumer lag from librdkafka statistics and tracks assignment.
struct LagContext {
    assigned: Arc<AtomicBool>,
    held: Arc<AtomicU64>,
    read_to_end_at: Arc<Mutex<Option<Instant>>>,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        // librdkafka lists every partition of a subscribed topic, with
        // `desired` set on those assigned to this member.
        let mut held = PartitionsHeld { held: 0, total: 0 };
        let mut read_to_end = true;
        for (topic, t) in &statistics.topics {
            for (partition, p) in &t.partitions {
                if *partition < 0 {
                    continue; // the internal "unassigned" partition
                }
                held.total += 1;
                held.held += u32::from(p.desired);
                if p.desired {
                    read_to_end &= partition_read_to_end(p);
                }
                if p.consumer_lag < 0 {
                    continue;
                }
                metrics::gauge!(names::CONSUMER_LAG, "topic" => topic.clone(), "partition" => partition.to_string())
                    .set(p.consumer_lag as f64);
            }
        }
        self.held.store(pack_held(held), Ordering::Relaxed);
        *self
            .read_to_end_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            (read_to_end && held.held > 0).then(Instant::now);
    }
}

/// Whether the application has been given every message of a partition:
/// the offset after the last one it took (or, before it took any, the
/// group's committed one) is at the broker's high watermark. Unknown
/// offsets (negative) count as not read.
fn partition_read_to_end(p: &rdkafka::statistics::Partition) -> bool {
    let read = if p.app_offset >= 0 {
        p.app_offset
    } else {
        p.committed_offset
    };
    read >= 0 && p.hi_offset >= 0 && read >= p.hi_offset
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brokers_too_large_answers_are_told_from_other_errors() {
        for code in [
            RDKafkaErrorCode::MessageSizeTooLarge,
            RDKafkaErrorCode::MessageBatchTooLarge,
        ] {
            assert!(matches!(
                refusal_or_error(KafkaError::MessageProduction(code), 7),
                BusError::RefusedAsTooLarge { bytes: 7 }
            ));
        }
        for e in [
            KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull),
            KafkaError::MessageProduction(RDKafkaErrorCode::NotLeaderForPartition),
            KafkaError::Flush(RDKafkaErrorCode::OperationTimedOut),
        ] {
            assert!(matches!(refusal_or_error(e, 7), BusError::Kafka(_)));
        }
        assert!(matches!(
            refusal_or_error(KafkaError::MessageProduction(RDKafkaErrorCode::Fatal), 7),
            BusError::Fatal(_)
        ));
    }

    /// What the application has taken against the broker's high
    /// watermark; -1001 is librdkafka's "not known yet".
    #[test]
    fn a_partition_is_read_to_its_end_when_the_application_took_its_last_message() {
        let at = |app_offset, committed_offset, hi_offset| {
            partition_read_to_end(&rdkafka::statistics::Partition {
                app_offset,
                committed_offset,
                hi_offset,
                ..Default::default()
            })
        };
        assert!(at(10, 4, 10));
        assert!(!at(9, 4, 10), "one message left");
        assert!(at(-1001, 10, 10), "nothing taken since the committed end");
        assert!(!at(-1001, 8, 10), "a backlog behind the committed offset");
        assert!(!at(-1001, -1001, 10), "no position known");
        assert!(!at(10, 4, -1001), "no watermark known");
    }
}
