//! One bus, two backends: Kafka (rdkafka) and an embedded on-disk log.
//! Stages and tools only see `Bus`, `Producer` and `Consumer`.

pub mod embedded;
pub mod kafka;
mod kafka_backlog;
pub mod partitioner;

use std::future::Future;
use std::pin::Pin;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("message of {bytes} bytes exceeds the {limit}-byte limit")]
    Oversized { bytes: usize, limit: usize },
    /// The broker refused the message as larger than its topic takes
    /// (`max.message.bytes`, 1 MiB unless set), which newsmill's own
    /// limit did not catch.
    #[error(
        "the broker refused a message of {bytes} bytes as too large for the topic (its max.message.bytes)"
    )]
    RefusedAsTooLarge { bytes: usize },
    // Not marked as the source: the message holds it already, and a
    // chain printed whole (`error: {e:#}`) would say it twice.
    #[error("kafka: {0}")]
    Kafka(rdkafka::error::KafkaError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Fatal(String),
}

impl From<rdkafka::error::KafkaError> for BusError {
    fn from(e: rdkafka::error::KafkaError) -> Self {
        BusError::Kafka(e)
    }
}

/// A record read from a topic.
#[derive(Debug, Clone)]
pub struct InRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// Offset of the record after this one (offset + 1 on Kafka).
    pub next_offset: i64,
    pub key: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub payload: Vec<u8>,
    pub timestamp_ms: Option<i64>,
}

impl InRecord {
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    pub fn key_str(&self) -> Option<String> {
        self.key
            .as_ref()
            .map(|k| String::from_utf8_lossy(k).into_owned())
    }
}

/// A record to produce.
#[derive(Debug, Clone)]
pub struct OutRecord {
    pub topic: String,
    pub key: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub payload: Vec<u8>,
}

impl OutRecord {
    /// A JSON message with the standard headers (`content-type`, `schema-version`).
    pub fn json<T: serde::Serialize>(topic: &str, key: &str, value: &T) -> OutRecord {
        OutRecord {
            topic: topic.to_string(),
            key: key.to_string(),
            headers: vec![
                ("content-type".into(), b"application/json".to_vec()),
                (
                    "schema-version".into(),
                    crate::messages::SCHEMA_VERSION.to_string().into_bytes(),
                ),
            ],
            payload: serde_json::to_vec(value).expect("messages always serialise"),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<Vec<u8>>) -> OutRecord {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// See [`Bus::record_reader`].
pub enum RecordReader {
    Kafka(kafka::RecordReader),
    Embedded(embedded::EmbeddedBus),
}

impl RecordReader {
    /// The record at `offset` of `topic` (and `partition` on Kafka), or
    /// `None` when the topic no longer holds it. Blocking.
    pub fn read_at(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<Option<InRecord>, BusError> {
        match self {
            RecordReader::Kafka(k) => k.read_at(topic, partition, offset),
            RecordReader::Embedded(e) => match u64::try_from(offset) {
                Ok(offset) if partition == 0 => e.read_at(topic, offset),
                _ => Ok(None),
            },
        }
    }
}

/// A delivery acknowledgement that may still be pending.
pub type Ack = Pin<Box<dyn Future<Output = Result<(), BusError>> + Send>>;

/// The bus selected by the config: Kafka when brokers are set, else embedded.
#[derive(Clone)]
pub enum Bus {
    Kafka(kafka::KafkaBus),
    Embedded(embedded::EmbeddedBus),
}

impl Bus {
    pub fn from_config(config: &Config) -> Result<Bus, BusError> {
        if config.bus.is_kafka() {
            Ok(Bus::Kafka(kafka::KafkaBus::new(config)))
        } else {
            Ok(Bus::Embedded(embedded::EmbeddedBus::open(
                &config.bus.data_dir,
                config.bus.max_message_bytes,
                config.bus.compress_over_bytes,
                config.bus.retention_bytes,
            )?))
        }
    }

    /// A bus for reading only (`tail`, `stats`): never locks the embedded log.
    pub fn reader_from_config(config: &Config) -> Result<Bus, BusError> {
        if config.bus.is_kafka() {
            Ok(Bus::Kafka(kafka::KafkaBus::new(config)))
        } else {
            Ok(Bus::Embedded(embedded::EmbeddedBus::open_reader(
                &config.bus.data_dir,
            )?))
        }
    }

    /// A reader of single records by position, for the origins that dead
    /// letters name. Its reads block on Kafka.
    pub fn record_reader(&self) -> Result<RecordReader, BusError> {
        match self {
            Bus::Kafka(k) => Ok(RecordReader::Kafka(k.record_reader()?)),
            Bus::Embedded(e) => Ok(RecordReader::Embedded(e.clone())),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Bus::Kafka(_) => "kafka",
            Bus::Embedded(_) => "embedded",
        }
    }

    pub fn producer(&self) -> Result<Producer, BusError> {
        match self {
            Bus::Kafka(k) => Ok(Producer::Kafka(k.producer()?)),
            Bus::Embedded(e) => Ok(Producer::Embedded(e.clone())),
        }
    }

    pub fn consumer(&self, group: &str, topics: &[String]) -> Result<Consumer, BusError> {
        match self {
            Bus::Kafka(k) => Ok(Consumer::Kafka(Box::new(k.consumer(group, topics)?))),
            Bus::Embedded(e) => Ok(Consumer::Embedded(e.consumer(group, topics)?)),
        }
    }

    /// Make sure `topics` exist (Kafka: create missing ones; embedded: no-op).
    pub async fn ensure_topics(&self, topics: &[&str]) -> Result<(), BusError> {
        match self {
            Bus::Kafka(k) => k.ensure_topics(topics).await,
            Bus::Embedded(_) => Ok(()),
        }
    }

    /// Fails, naming them, when topics newsmill uses are missing and it is
    /// not to create them (`bus.create_topics = false`): a record sent to a
    /// missing topic fails only after librdkafka has waited for the topic
    /// to appear (`topic.metadata.propagation.max.ms`, 30 s), mid-run.
    pub async fn require_topics(&self, topics: &[&str]) -> Result<(), BusError> {
        let Bus::Kafka(k) = self else { return Ok(()) };
        // An empty name is a topic turned off (the dedup changelog).
        let wanted: Vec<String> = topics
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.to_string())
            .collect();
        let k = k.clone();
        let missing = tokio::task::spawn_blocking(move || {
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            k.missing_topics(&wanted)
        })
        .await
        .map_err(|e| BusError::Fatal(format!("checking topics: {e}")))??;
        if missing.is_empty() {
            return Ok(());
        }
        Err(BusError::Fatal(format!(
            "topics missing on the broker: {} (create them, or set bus.create_topics = true)",
            missing.join(", ")
        )))
    }

    /// Logs a warning for each topic setting made elsewhere that would
    /// refuse newsmill's messages or drop its commands (Kafka only).
    pub async fn warn_of_topic_settings(&self, config: &Config) {
        if let Bus::Kafka(k) = self {
            k.warn_of_topic_settings(config).await;
        }
    }
}

#[derive(Clone)]
pub enum Producer {
    Kafka(kafka::KafkaProducer),
    Embedded(embedded::EmbeddedBus),
}

impl Producer {
    /// Enqueue `record` and return its acknowledgement. Errors that are known
    /// before sending (an oversized message) come back at once.
    pub fn send(&self, record: OutRecord) -> Result<Ack, BusError> {
        match self {
            Producer::Kafka(p) => p.send(record),
            Producer::Embedded(e) => {
                e.append(&record)?;
                Ok(Box::pin(async { Ok(()) }))
            }
        }
    }

    /// Send and wait for the acknowledgement.
    pub async fn send_and_wait(&self, record: OutRecord) -> Result<(), BusError> {
        self.send(record)?.await
    }

    /// Wait until everything sent is acknowledged (Kafka) or on disk (embedded).
    pub fn flush(&self, timeout: std::time::Duration) -> Result<(), BusError> {
        match self {
            Producer::Kafka(p) => p.flush(timeout),
            Producer::Embedded(e) => e.sync(),
        }
    }
}

pub enum Consumer {
    Kafka(Box<kafka::KafkaConsumer>),
    Embedded(embedded::EmbeddedConsumer),
}

impl Consumer {
    /// Next record. Cancel-safe: dropping the future loses nothing.
    pub async fn recv(&mut self) -> Result<InRecord, BusError> {
        match self {
            Consumer::Kafka(k) => k.recv().await,
            Consumer::Embedded(e) => e.recv().await,
        }
    }

    /// Mark a record processed; its position is committed later.
    pub fn store(&mut self, record: &Position) -> Result<(), BusError> {
        match self {
            Consumer::Kafka(k) => k.store(record),
            Consumer::Embedded(e) => e.store(&record.topic, record.next_offset),
        }
    }

    /// Commit stored positions now.
    pub fn commit(&mut self) -> Result<(), BusError> {
        match self {
            Consumer::Kafka(k) => k.commit(),
            Consumer::Embedded(e) => e.commit(),
        }
    }

    /// True once the consumer has partitions to read (always, when embedded).
    pub fn is_assigned(&self) -> bool {
        match self {
            Consumer::Kafka(k) => k.is_assigned(),
            Consumer::Embedded(_) => true,
        }
    }

    /// How many of its input topics' partitions this member holds, once the
    /// backend has said (Kafka's statistics, every 5 s); the embedded log
    /// has one reader, which holds them all, so it says nothing.
    pub fn partitions_held(&self) -> Option<PartitionsHeld> {
        match self {
            Consumer::Kafka(k) => k.partitions_held(),
            Consumer::Embedded(_) => None,
        }
    }

    /// Whether the consumer had read every message of its partitions at
    /// some moment after `since`, as far as the backend can tell: at once
    /// on the embedded log, from statistics on Kafka (every 5 s). False
    /// when unknown.
    pub fn read_to_end_after(&self, since: std::time::Instant) -> bool {
        match self {
            Consumer::Kafka(k) => k.read_to_end_after(since),
            Consumer::Embedded(e) => e.read_to_end(),
        }
    }

    /// Unread messages per `(topic, partition)`, when the backend knows.
    pub fn lag(&self) -> Vec<(String, i32, u64)> {
        match self {
            Consumer::Kafka(_) => Vec::new(), // reported from librdkafka statistics
            Consumer::Embedded(e) => e.lag().into_iter().map(|(t, l)| (t, 0, l)).collect(),
        }
    }
}

/// Partitions of a consumer's input topics: those assigned to it, and all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionsHeld {
    pub held: u32,
    pub total: u32,
}

impl PartitionsHeld {
    pub fn missing(&self) -> u32 {
        self.total.saturating_sub(self.held)
    }
}

/// Where a record sits, kept until its outputs are acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub next_offset: i64,
}

impl From<&InRecord> for Position {
    fn from(r: &InRecord) -> Position {
        Position {
            topic: r.topic.clone(),
            partition: r.partition,
            offset: r.offset,
            next_offset: r.next_offset,
        }
    }
}
