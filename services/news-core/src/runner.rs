//! The stage runner: reads a topic, decodes, calls a pure `Stage`, produces its
//! outputs, and stores an input's position only after every output of that
//! input is acknowledged (at-least-once). It owns the dead-letter path,
//! back-pressure, metrics and graceful shutdown; stages own none of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use serde::de::DeserializeOwned;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::bus::{Ack, Bus, BusError, InRecord, OutRecord, Position, Producer};
use crate::config::Config;
use crate::ids::sha256_hex;
use crate::messages::{DeadLetter, Origin, SCHEMA_VERSION, decode, dlq_payload_limit};
use crate::sole_reader::{SoleReaderWatch, log_change};
use crate::telemetry::{Health, names};

/// In drain mode, how long an input must stay empty before the stage stops.
const DRAIN_QUIET_EMBEDDED: Duration = Duration::from_millis(600);
const DRAIN_QUIET_KAFKA: Duration = Duration::from_secs(4);

/// Why a stage could not process an input.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The input is unusable: it goes to the dead-letter topic and the stage moves on.
    #[error("{reason}")]
    Invalid {
        error_type: &'static str,
        reason: String,
    },
    /// A passing failure: retried with back-off; the process exits non-zero
    /// when retries run out, and the restart resumes from the last commit.
    #[error("retryable: {0}")]
    Retryable(String),
}

impl StageError {
    pub fn invalid(error_type: &'static str, reason: impl Into<String>) -> StageError {
        StageError::Invalid {
            error_type,
            reason: reason.into(),
        }
    }
}

/// A pure processing step. No I/O: it returns the records to produce.
pub trait Stage: Send + 'static {
    type In: DeserializeOwned + Send;
    /// Stage name, used for metrics labels, consumer groups and dead letters.
    const NAME: &'static str;

    /// Turn one input into output records.
    fn process(&mut self, input: Self::In, origin: &InRecord)
    -> Result<Vec<OutRecord>, StageError>;

    /// Records that persist the stage's state (a changelog), produced after
    /// each batch of inputs. Empty for stateless stages.
    fn drain_changelog(&mut self) -> Vec<OutRecord> {
        Vec::new()
    }

    /// Called when every output so far is acknowledged, just before the input
    /// positions are committed: a stage with local state saves it here.
    fn checkpoint(&mut self) -> Result<(), StageError> {
        Ok(())
    }

    /// Called every few seconds with nothing else to do (metrics, eviction).
    fn housekeeping(&mut self) {}

    /// Called every few seconds while the input is quiet: nothing received
    /// for `runner.idle_after`, every partition read to its end, and every
    /// output acknowledged. Returns the outputs owed to the passing of time
    /// alone (the dedup stage's stories that close with no article to
    /// close them); they are sent like any input's.
    fn when_idle(&mut self) -> Vec<OutRecord> {
        Vec::new()
    }

    /// True for a stage whose state lives in local snapshots: its input
    /// positions are committed only right after a `checkpoint`, so that a
    /// crash never resumes past what the saved state knows (a replay then
    /// finds its first decision instead of deciding afresh).
    fn commits_at_checkpoints(&self) -> bool {
        false
    }

    /// For such a stage: whether enough has happened to take a checkpoint.
    fn checkpoint_due(&self) -> bool {
        false
    }

    /// True for a stage that decides over the whole stream and so must be
    /// the only member of its consumer group (`sole_reader.rs`).
    fn needs_every_partition(&self) -> bool {
        false
    }
}

/// Live counters a caller can read while a stage runs.
#[derive(Debug, Default)]
pub struct StageCounters {
    pub received: AtomicU64,
    pub produced: AtomicU64,
    pub dead_letters: AtomicU64,
    pub errors: AtomicU64,
}

impl StageCounters {
    pub fn get(&self) -> (u64, u64, u64, u64) {
        (
            self.received.load(Ordering::Relaxed),
            self.produced.load(Ordering::Relaxed),
            self.dead_letters.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }
}

/// Everything a stage run needs besides the stage.
pub struct RunContext {
    pub bus: Bus,
    pub config: Config,
    pub input_topic: String,
    pub token: CancellationToken,
    pub health: Arc<Health>,
    pub counters: Arc<StageCounters>,
    /// When set, the stage exits once this reads true and its input is drained
    /// (`newsmill run --drain`). When `None` it runs until cancelled.
    pub upstream_done: Option<watch::Receiver<bool>>,
}

/// Build a dead letter for `record`, for a bus whose limit is
/// `max_message_bytes`.
pub fn dead_letter(
    (dlq_topic, max_message_bytes): (&str, usize),
    stage: &str,
    error_type: &str,
    reason: &str,
    record: &InRecord,
    source: Option<String>,
) -> OutRecord {
    let payload = &record.payload;
    let cut = payload.len().min(dlq_payload_limit(max_message_bytes));
    let id = sha256_hex(format!(
        "{}/{}/{}",
        record.topic, record.partition, record.offset
    ));
    let letter = DeadLetter {
        schema_version: SCHEMA_VERSION,
        id: id.clone(),
        stage: stage.to_string(),
        error_type: error_type.to_string(),
        reason: reason.to_string(),
        origin: Some(Origin {
            topic: record.topic.clone(),
            partition: record.partition,
            offset: record.offset,
        }),
        source,
        payload: String::from_utf8_lossy(&payload[..cut]).into_owned(),
        payload_bytes: payload.len() as u64,
        payload_sha256: sha256_hex(payload),
        payload_truncated: cut < payload.len(),
        failed_at: chrono::Utc::now(),
    };
    let key = record.key_str().filter(|k| !k.is_empty()).unwrap_or(id);
    OutRecord::json(dlq_topic, &key, &letter)
        .with_header("origin-topic", record.topic.as_bytes())
        .with_header("origin-partition", record.partition.to_string())
        .with_header("origin-offset", record.offset.to_string())
        .with_header("error-type", error_type.as_bytes())
}

/// Count a dead letter in metrics and counters.
fn count_dead_letter(stage: &'static str, error_type: &str, counters: &StageCounters) {
    counters.dead_letters.fetch_add(1, Ordering::Relaxed);
    metrics::counter!(names::DEAD_LETTERS, "stage" => stage, "reason" => bounded_reason(error_type)).increment(1);
}

/// Dead-letter reasons are a closed set so labels stay bounded.
fn bounded_reason(error_type: &str) -> &'static str {
    match error_type {
        "decode" => "decode",
        "schema_version" => "schema_version",
        "oversized" => "oversized",
        "fetch" => "fetch",
        "parse" => "parse",
        "robots" => "robots",
        _ => "invalid",
    }
}

/// Wait for every send to be acknowledged, in order; the first failure ends it.
async fn acknowledged(acks: Vec<Ack>) -> Result<(), BusError> {
    for ack in acks {
        ack.await?;
    }
    Ok(())
}

/// Outputs over this size get a dead letter made ready in case the broker
/// refuses them: a broker that refuses smaller ones is set below any page,
/// and the stage stops on the error.
const MAY_BE_REFUSED_OVER: usize = 64 * 1024;

/// What sending a stage's outputs needs, owned, so that a send can also
/// wait inside an in-flight future (outputs that follow their facts).
#[derive(Clone)]
struct Sender {
    producer: Producer,
    counters: Arc<StageCounters>,
    dlq_topic: String,
    max_message_bytes: usize,
    stage: &'static str,
}

impl Sender {
    /// Send `record`; an oversized one is replaced by a dead letter naming
    /// it, and so is one the broker refuses as too large.
    fn send(&self, record: OutRecord, origin: &InRecord) -> Result<Ack, BusError> {
        let topic = record.topic.clone();
        let bytes = record.payload.len();
        // Made now, while the input is at hand; only for outputs a broker
        // might refuse (its default limit is 1 MiB).
        let letter_if_refused = (bytes > MAY_BE_REFUSED_OVER).then(|| {
            let reason = format!(
                "output for {topic} of {bytes} bytes refused by the broker as too large (the topic's max.message.bytes)"
            );
            self.oversized_letter(&reason, origin)
        });
        match self.producer.send(record) {
            Ok(ack) => {
                let sender = self.clone();
                let offset = origin.offset;
                Ok(Box::pin(async move {
                    match (ack.await, letter_if_refused) {
                        (Ok(()), _) => {
                            sender.counters.produced.fetch_add(1, Ordering::Relaxed);
                            metrics::counter!(names::MESSAGES_SENT, "topic" => topic).increment(1);
                            Ok(())
                        }
                        (Err(BusError::RefusedAsTooLarge { .. }), Some(letter)) => {
                            tracing::warn!(
                                stage = sender.stage,
                                topic,
                                bytes,
                                offset,
                                "dead-lettering output the broker refused as too large"
                            );
                            count_dead_letter(sender.stage, "oversized", &sender.counters);
                            sender.producer.send(letter)?.await
                        }
                        (Err(e), _) => Err(e),
                    }
                }))
            }
            Err(BusError::Oversized { bytes, limit }) => {
                let reason =
                    format!("output for {topic} of {bytes} bytes exceeds the {limit}-byte limit");
                tracing::warn!(stage = self.stage, %reason, offset = origin.offset, "dead-lettering oversized output");
                count_dead_letter(self.stage, "oversized", &self.counters);
                self.producer.send(self.oversized_letter(&reason, origin))
            }
            Err(e) => Err(e),
        }
    }

    fn oversized_letter(&self, reason: &str, origin: &InRecord) -> OutRecord {
        dead_letter(
            (&self.dlq_topic, self.max_message_bytes),
            self.stage,
            "oversized",
            reason,
            origin,
            None,
        )
    }

    fn send_all(&self, records: Vec<OutRecord>, origin: &InRecord) -> Result<Vec<Ack>, BusError> {
        records.into_iter().map(|r| self.send(r, origin)).collect()
    }
}

/// The consumer group of a stage: every instance of it shares the group.
pub fn stage_group(config: &Config, stage: &str) -> String {
    format!("{}-{stage}", config.bus.group_prefix)
}

/// Run `stage` on `ctx.input_topic` until cancelled (or drained, see
/// `upstream_done`). Returns an error when the bus fails for good, and
/// the stage is then no longer ready.
pub async fn run_stage<S: Stage>(stage: S, ctx: RunContext) -> Result<(), BusError> {
    let health = ctx.health.clone();
    let result = run_stage_to_its_end(stage, ctx).await;
    if result.is_err() {
        health.set_ready(S::NAME, false);
    }
    result
}

async fn run_stage_to_its_end<S: Stage>(mut stage: S, ctx: RunContext) -> Result<(), BusError> {
    let stage_name = S::NAME;
    let group = stage_group(&ctx.config, stage_name);
    let mut consumer = ctx
        .bus
        .consumer(&group, std::slice::from_ref(&ctx.input_topic))?;
    let producer = ctx.bus.producer()?;
    let sender = Sender {
        producer: producer.clone(),
        counters: ctx.counters.clone(),
        dlq_topic: ctx.config.topics.dlq.clone(),
        max_message_bytes: ctx.config.bus.max_message_bytes,
        stage: stage_name,
    };
    // Outputs that follow facts wait for the previous such input's outputs
    // to be sent (handed to the producer, which keeps their order), and so
    // do the outputs of any input while such a wait is on: all go out in
    // input order.
    let mut previous_sent: Option<tokio::sync::oneshot::Receiver<()>> = None;
    let max_in_flight = ctx.config.runner.max_in_flight;
    // Each resolves to its input's position; outputs sent while idle have none.
    let mut inflight: FuturesOrdered<
        futures::future::BoxFuture<'static, Result<Option<Position>, BusError>>,
    > = FuturesOrdered::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last_housekeeping = Instant::now();
    let mut idle_since: Option<Instant> = None;
    let mut last_received = Instant::now();
    let idle_after = ctx.config.runner.idle_after;
    let mut paused_at: Option<Instant> = None;
    let mut paused_secs = 0.0f64;
    // Positions held back until the next checkpoint (stateful stages only).
    let held = stage.commits_at_checkpoints();
    let mut pending: Vec<Position> = Vec::new();
    let mut checkpointing = false;
    let mut sole_reader = stage
        .needs_every_partition()
        .then(|| SoleReaderWatch::new(ctx.config.runner.session_timeout));
    tracing::info!(stage = stage_name, topic = %ctx.input_topic, bus = ctx.bus.name(), "stage started");

    loop {
        ctx.health.set_ready(stage_name, consumer.is_assigned());
        // A due checkpoint stops intake until every output is acknowledged,
        // so the snapshot holds exactly the decisions already published.
        if held && !checkpointing && stage.checkpoint_due() {
            checkpointing = true;
        }
        if checkpointing && inflight.is_empty() {
            stage
                .checkpoint()
                .map_err(|e| BusError::Fatal(format!("{stage_name} checkpoint: {e}")))?;
            for pos in pending.drain(..) {
                consumer.store(&pos)?;
            }
            consumer.commit()?;
            checkpointing = false;
        }
        let full = inflight.len() >= max_in_flight || checkpointing;
        match (full, paused_at) {
            (true, None) => paused_at = Some(Instant::now()),
            (false, Some(t)) => {
                // Counters take whole units: carry the fraction to the next pause.
                paused_secs += t.elapsed().as_secs_f64();
                let whole = paused_secs.floor();
                if whole >= 1.0 {
                    metrics::counter!(names::BACKPRESSURE, "stage" => stage_name)
                        .increment(whole as u64);
                    paused_secs -= whole;
                }
                paused_at = None;
            }
            _ => {}
        }
        tokio::select! {
            biased;
            _ = ctx.token.cancelled() => break,
            Some(done) = inflight.next(), if !inflight.is_empty() => {
                let Some(pos) = done? else { continue };
                if held {
                    pending.push(pos);
                } else {
                    consumer.store(&pos)?;
                }
                metrics::gauge!(names::INFLIGHT, "stage" => stage_name).set(inflight.len() as f64);
            }
            received = consumer.recv(), if !full => {
                let record = match received {
                    Ok(r) => r,
                    Err(BusError::Kafka(e)) => {
                        // Broker trouble is passing: librdkafka reconnects.
                        tracing::warn!(stage = stage_name, error = %e, "consumer error, retrying");
                        metrics::counter!(names::ERRORS, "stage" => "decode", "error_type" => "kafka").increment(1);
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                idle_since = None;
                last_received = Instant::now();
                ctx.health.beat();
                ctx.counters.received.fetch_add(1, Ordering::Relaxed);
                metrics::counter!(names::MESSAGES_RECEIVED, "topic" => record.topic.clone()).increment(1);
                let started = Instant::now();
                let outputs = process_one(&mut stage, &record, &ctx).await?;
                metrics::histogram!(names::STAGE_DURATION, "stage" => stage_name).record(started.elapsed().as_secs_f64());
                let pos = Position::from(&record);
                let facts = stage.drain_changelog();
                // An input whose outputs follow no facts (a replay) still
                // waits while the input before it waits for its facts:
                // sent at once, a replay's story summary, which is newer,
                // would land before that input's, and the topic would end
                // on the older one.
                let mut after = previous_sent.take();
                if after.as_mut().is_some_and(|sent| {
                    !matches!(sent.try_recv(), Err(tokio::sync::oneshot::error::TryRecvError::Empty))
                }) {
                    after = None;
                }
                if facts.is_empty() && after.is_none() {
                    let acks = sender.send_all(outputs, &record)?;
                    inflight.push_back(Box::pin(async move {
                        acknowledged(acks).await?;
                        Ok(Some(pos))
                    }));
                } else {
                    // State first: outputs are sent only once the facts behind
                    // them are acknowledged, so no published verdict lacks its
                    // fact (a restart would decide that input again, and from
                    // other partitions' order it could decide otherwise).
                    let fact_acks = sender.send_all(facts, &record)?;
                    let (sender, origin) = (sender.clone(), record.clone());
                    let (sent, next) = tokio::sync::oneshot::channel();
                    previous_sent = Some(next);
                    inflight.push_back(Box::pin(async move {
                        acknowledged(fact_acks).await?;
                        if let Some(after) = after {
                            // An error before it was sent ends the stage anyway.
                            let _ = after.await;
                        }
                        let acks = sender.send_all(outputs, &origin);
                        let _ = sent.send(());
                        acknowledged(acks?).await?;
                        Ok(Some(pos))
                    }));
                }
                metrics::gauge!(names::INFLIGHT, "stage" => stage_name).set(inflight.len() as f64);
            }
            _ = tick.tick() => {
                ctx.health.beat();
                if last_housekeeping.elapsed() >= Duration::from_secs(2) {
                    stage.housekeeping();
                    for (topic, partition, lag) in consumer.lag() {
                        metrics::gauge!(names::CONSUMER_LAG, "topic" => topic, "partition" => partition.to_string()).set(lag as f64);
                    }
                    if let (Some(watch), Some(held)) = (sole_reader.as_mut(), consumer.partitions_held()) {
                        metrics::gauge!(names::INPUT_PARTITIONS_MISSING, "stage" => stage_name).set(f64::from(held.missing()));
                        if let Some(change) = watch.observe(held, Instant::now()) {
                            log_change(change, stage_name, &group);
                        }
                    }
                    last_housekeeping = Instant::now();
                    // A stage that decides over the whole stream is quiet
                    // only with all of it read: a partition another member
                    // holds may have news this one has not seen.
                    let whole_input = !stage.needs_every_partition()
                        || consumer.partitions_held().is_none_or(|h| h.missing() == 0);
                    if inflight.is_empty()
                        && !checkpointing
                        && whole_input
                        && last_received.elapsed() >= idle_after
                        && consumer.read_to_end_after(last_received)
                    {
                        let outputs = tokio::task::block_in_place(|| stage.when_idle());
                        if !outputs.is_empty() {
                            let acks = sender.send_all(outputs, &idle_origin(&ctx.input_topic))?;
                            inflight.push_back(Box::pin(async move {
                                acknowledged(acks).await?;
                                Ok(None)
                            }));
                        }
                    }
                }
                if let Some(done) = &ctx.upstream_done
                    && *done.borrow()
                    && inflight.is_empty()
                    && consumer.is_assigned()
                {
                    // Kafka fetches lag behind produce; give it longer to be sure.
                    let quiet = if matches!(ctx.bus, Bus::Kafka(_)) { DRAIN_QUIET_KAFKA } else { DRAIN_QUIET_EMBEDDED };
                    let since = *idle_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= quiet {
                        break;
                    }
                } else if !inflight.is_empty() {
                    idle_since = None;
                }
            }
        }
    }

    // Graceful stop: no more intake; drain, flush, checkpoint, commit.
    ctx.health.set_ready(stage_name, false);
    let deadline = ctx.config.runner.shutdown_timeout;
    let drained = tokio::time::timeout(deadline, async {
        while let Some(done) = inflight.next().await {
            pending.extend(done?);
        }
        Ok::<(), BusError>(())
    })
    .await;
    let all_acknowledged = match drained {
        Ok(result) => {
            result?;
            true
        }
        Err(_) => {
            tracing::warn!(
                stage = stage_name,
                "shutdown timeout: uncommitted inputs will be replayed"
            );
            false
        }
    };
    producer.flush(Duration::from_secs(10))?;
    let checkpointed = match stage.checkpoint() {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(stage = stage_name, error = %e, "checkpoint failed");
            false
        }
    };
    // A stateful stage commits only what its saved state covers.
    if !held || (checkpointed && all_acknowledged) {
        for pos in pending.drain(..) {
            consumer.store(&pos)?;
        }
    }
    consumer.commit()?;
    tracing::info!(stage = stage_name, "stage stopped");
    Ok(())
}

/// The input named by a dead letter of an output sent while idle, which no
/// input caused.
fn idle_origin(topic: &str) -> InRecord {
    InRecord {
        topic: topic.to_string(),
        partition: -1,
        offset: -1,
        next_offset: -1,
        key: None,
        headers: Vec::new(),
        payload: Vec::new(),
        timestamp_ms: None,
    }
}

/// Decode and process one record, turning unusable input into a dead letter
/// and retrying passing failures with back-off.
async fn process_one<S: Stage>(
    stage: &mut S,
    record: &InRecord,
    ctx: &RunContext,
) -> Result<Vec<OutRecord>, BusError> {
    let dlq = (
        ctx.config.topics.dlq.as_str(),
        ctx.config.bus.max_message_bytes,
    );
    let input: S::In = match decode(&record.payload) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(stage = S::NAME, offset = record.offset, error = %e, "dead-lettering undecodable input");
            metrics::counter!(names::ERRORS, "stage" => "decode", "error_type" => e.error_type())
                .increment(1);
            count_dead_letter(S::NAME, e.error_type(), &ctx.counters);
            return Ok(vec![dead_letter(
                dlq,
                S::NAME,
                e.error_type(),
                &e.to_string(),
                record,
                None,
            )]);
        }
    };
    let mut attempt = 0u32;
    let mut input = Some(input);
    loop {
        // Decode again only on retry: the first attempt consumes the value.
        let value = match input.take() {
            Some(v) => v,
            None => decode(&record.payload).map_err(|e| BusError::Fatal(e.to_string()))?,
        };
        let result = tokio::task::block_in_place(|| stage.process(value, record));
        match result {
            Ok(outputs) => return Ok(outputs),
            Err(StageError::Invalid { error_type, reason }) => {
                tracing::warn!(stage = S::NAME, offset = record.offset, %reason, "dead-lettering invalid input");
                metrics::counter!(names::ERRORS, "stage" => "process", "error_type" => bounded_reason(error_type)).increment(1);
                count_dead_letter(S::NAME, error_type, &ctx.counters);
                let source = record.key_str();
                return Ok(vec![dead_letter(
                    dlq,
                    S::NAME,
                    error_type,
                    &reason,
                    record,
                    source,
                )]);
            }
            Err(StageError::Retryable(reason)) => {
                attempt += 1;
                ctx.counters.errors.fetch_add(1, Ordering::Relaxed);
                metrics::counter!(names::ERRORS, "stage" => "process", "error_type" => "retryable")
                    .increment(1);
                if attempt > ctx.config.runner.max_retries {
                    return Err(BusError::Fatal(format!(
                        "{}: giving up after {attempt} attempts: {reason}",
                        S::NAME
                    )));
                }
                let backoff = Duration::from_millis(100 * (1 << attempt.min(8)));
                tracing::warn!(stage = S::NAME, attempt, ?backoff, %reason, "retrying");
                tokio::time::sleep(backoff).await;
            }
        }
    }
}
