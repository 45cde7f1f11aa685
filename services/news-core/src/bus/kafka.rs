//! Kafka backend on rdkafka (bundled librdkafka).
//!
//! Producer: idempotent, `acks=all`, LZ4 batches. Consumer: auto-commit of
//! *stored* offsets only (`enable.auto.offset.store=false`), so an offset is
//! committed only after the runner has seen every output of that message
//! acknowledged. Delivery is at-least-once; consumers are idempotent.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer as _, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};
use rdkafka::{ClientContext, Statistics};

use super::{Ack, BusError, InRecord, OutRecord, Position};
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
            .set(
                "fetch.message.max.bytes",
                (self.max_message_bytes + 64 * 1024).to_string(),
            );
        for (k, v) in &self.extra {
            cc.set(k, v);
        }
        let context = LagContext {
            assigned: Arc::new(AtomicBool::new(false)),
        };
        let assigned = context.assigned.clone();
        let consumer: StreamConsumer<LagContext> = cc.create_with_context(context)?;
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&names)?;
        Ok(KafkaConsumer { consumer, assigned })
    }

    /// Create the topics that do not exist yet.
    pub async fn ensure_topics(&self, topics: &[&str]) -> Result<(), BusError> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let new: Vec<NewTopic> = topics
            .iter()
            .map(|t| {
                NewTopic::new(
                    t,
                    self.partitions,
                    TopicReplication::Fixed(self.replication),
                )
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
    max_message_bytes: usize,
}

impl KafkaProducer {
    pub fn send(&self, record: OutRecord) -> Result<Ack, BusError> {
        if record.payload.len() > self.max_message_bytes {
            return Err(BusError::Oversized {
                bytes: record.payload.len(),
                limit: self.max_message_bytes,
            });
        }
        let producer = self.producer.clone();
        Ok(Box::pin(async move {
            let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
            for (name, value) in &record.headers {
                headers = headers.insert(Header {
                    key: name,
                    value: Some(value),
                });
            }
            let mut fr = FutureRecord::to(&record.topic)
                .key(&record.key)
                .payload(&record.payload)
                .headers(headers);
            // A full local queue is back-pressure, never a drop: wait and retry.
            let delivery = loop {
                match producer.send_result(fr) {
                    Ok(delivery) => break delivery,
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        fr = back;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err((e, _)) => return Err(BusError::Kafka(e)),
                }
            };
            match delivery.await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err((e, _))) => Err(BusError::Kafka(e)),
                Err(_) => Err(BusError::Fatal("producer dropped a delivery".into())),
            }
        }))
    }

    pub fn flush(&self, timeout: Duration) -> Result<(), BusError> {
        self.producer.flush(timeout)?;
        Ok(())
    }
}

pub struct KafkaConsumer {
    consumer: StreamConsumer<LagContext>,
    assigned: Arc<AtomicBool>,
}

impl KafkaConsumer {
    pub async fn recv(&mut self) -> Result<InRecord, BusError> {
        let msg = self.consumer.recv().await?;
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
        Ok(InRecord {
            topic: msg.topic().to_string(),
            partition: msg.partition(),
            offset: msg.offset(),
            next_offset: msg.offset() + 1,
            key: msg.key().map(<[u8]>::to_vec),
            headers,
            payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
            timestamp_ms: msg.timestamp().to_millis(),
        })
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
}

/// Reports consumer lag from librdkafka statistics and tracks assignment.
struct LagContext {
    assigned: Arc<AtomicBool>,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        for (topic, t) in &statistics.topics {
            for (partition, p) in &t.partitions {
                if *partition < 0 || p.consumer_lag < 0 {
                    continue;
                }
                metrics::gauge!(names::CONSUMER_LAG, "topic" => topic.clone(), "partition" => partition.to_string())
                    .set(p.consumer_lag as f64);
            }
        }
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
