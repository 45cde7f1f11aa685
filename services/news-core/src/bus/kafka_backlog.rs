//! Records that librdkafka's full local queue could not take yet, kept in
//! the order they were sent.
//!
//! A record is handed to librdkafka when it is sent, so records leave in
//! send order. When the queue is full, that record waits here, and so does
//! every later one until it has gone: handing a later record over first
//! would let an older story summary land after a newer one. The backlog
//! needs no bound of its own: each waiting record has an ack the caller
//! holds, and the runner bounds the acks in flight.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use tokio::sync::oneshot;

use super::OutRecord;

/// What became of a sent record: handed to librdkafka, or waiting its turn.
pub(super) enum Handed {
    Now(DeliveryFuture),
    Later(oneshot::Receiver<Result<DeliveryFuture, KafkaError>>),
}

struct Waiting {
    record: OutRecord,
    handed: oneshot::Sender<Result<DeliveryFuture, KafkaError>>,
}

#[derive(Default)]
pub(super) struct Backlog {
    waiting: Mutex<VecDeque<Waiting>>,
}

impl Backlog {
    fn waiting(&self) -> MutexGuard<'_, VecDeque<Waiting>> {
        // A panic elsewhere while the lock was held leaves a valid queue.
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hand `record` over now, unless earlier records wait or the queue is
    /// full; then it waits behind them.
    pub(super) fn send(
        &self,
        producer: &FutureProducer,
        record: OutRecord,
    ) -> Result<Handed, KafkaError> {
        let mut waiting = self.waiting();
        if waiting.is_empty()
            && let Some(handed) = hand_over(producer, &record)
        {
            return handed.map(Handed::Now);
        }
        let (handed, receiver) = oneshot::channel();
        waiting.push_back(Waiting { record, handed });
        Ok(Handed::Later(receiver))
    }

    /// Hand the waiting records over, oldest first, until the queue is full
    /// again. True while some still wait.
    pub(super) fn drain(&self, producer: &FutureProducer) -> bool {
        let mut waiting = self.waiting();
        while let Some(first) = waiting.front() {
            let Some(result) = hand_over(producer, &first.record) else {
                return true;
            };
            if let Some(first) = waiting.pop_front() {
                // Its ack may have been dropped; the record has gone anyway.
                let _ = first.handed.send(result);
            }
        }
        false
    }
}

/// Give `record` to librdkafka: its delivery, or the error; None when the
/// local queue is full.
fn hand_over(
    producer: &FutureProducer,
    record: &OutRecord,
) -> Option<Result<DeliveryFuture, KafkaError>> {
    match producer.send_result(future_record(record)) {
        Ok(delivery) => Some(Ok(delivery)),
        Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => None,
        Err((e, _)) => Some(Err(e)),
    }
}

/// The librdkafka record for `record`: key, payload and headers.
fn future_record(record: &OutRecord) -> FutureRecord<'_, str, [u8]> {
    let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
    for (name, value) in &record.headers {
        headers = headers.insert(Header {
            key: name,
            value: Some(value),
        });
    }
    FutureRecord::to(&record.topic)
        .key(record.key.as_str())
        .payload(record.payload.as_slice())
        .headers(headers)
}
