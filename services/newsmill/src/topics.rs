//! Reading topics as they are, moving no stage's position: `newsmill tail`
//! and `newsmill stats`, and the readers `trace`, `redrive` and `preview`
//! use.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use news_core::Config;
use news_core::bus::Bus;
use news_core::bus::kafka::ReadEnd;
use news_core::runner::stage_group;
use tokio_util::sync::CancellationToken;

pub async fn tail(config: Config, topic: &str, follow: bool, limit: Option<usize>) -> Result<()> {
    let bus = Bus::reader_from_config(&config).context("opening the bus")?;
    // A topic that is neither there nor one of newsmill's is a mistyped
    // name, not an empty topic.
    ensure_topic_exists(&bus, topic, &config).await?;
    if let (Bus::Kafka(kafka), false) = (&bus, follow) {
        return tail_to_end(kafka, topic, limit).await;
    }
    // A throwaway group: tail never moves anyone's committed position.
    let group = format!("{}-tail-{}", config.bus.group_prefix, std::process::id());
    let mut consumer = bus.consumer(&group, &[topic.to_string()])?;
    let mut printed = 0usize;
    let idle = if config.bus.is_kafka() {
        Duration::from_secs(5)
    } else {
        Duration::from_millis(300)
    };
    let token = CancellationToken::new();
    news_core::shutdown::install_signal_handlers(token.clone());
    loop {
        if limit.is_some_and(|l| printed >= l) {
            break;
        }
        let next = tokio::select! {
            _ = token.cancelled() => break,
            r = tokio::time::timeout(idle, consumer.recv()) => r,
        };
        match next {
            Ok(Ok(record)) => {
                print_record(&record)?;
                printed += 1;
            }
            Ok(Err(e)) => return Err(anyhow!("reading {topic}: {e}")),
            Err(_) if !follow => break,
            Err(_) => {}
        }
    }
    if !config.bus.is_kafka() {
        let _ =
            std::fs::remove_dir_all(config.bus.data_dir.join("log").join("groups").join(&group));
    }
    Ok(())
}

async fn ensure_topic_exists(bus: &Bus, topic: &str, config: &Config) -> Result<()> {
    // One of newsmill's own topics is merely empty until something is
    // written to it (no dead letter yet, say).
    if config.topics.all().contains(&topic) {
        return Ok(());
    }
    match bus {
        Bus::Embedded(e) => {
            let topics = e.topics()?;
            if !topics.iter().any(|t| t == topic) {
                bail!(
                    "no topic {topic} in the embedded log at {} (its topics: {})",
                    config.bus.data_dir.display(),
                    topics.join(", ")
                );
            }
        }
        Bus::Kafka(kafka) => {
            let (kafka, name) = (kafka.clone(), topic.to_string());
            let partitions = tokio::task::spawn_blocking(move || kafka.watermarks(&name))
                .await?
                .with_context(|| {
                    format!(
                        "reading {topic}'s partitions on Kafka at {}",
                        config.bus.brokers
                    )
                })?;
            if partitions.is_empty() {
                bail!("no topic {topic} on Kafka at {}", config.bus.brokers);
            }
        }
    }
    Ok(())
}

/// A one-shot tail on Kafka reads each partition from its start to its end
/// by assignment: no group to join (seconds on some brokers) and no idle
/// wait to guess the end by.
async fn tail_to_end(
    kafka: &news_core::bus::kafka::KafkaBus,
    topic: &str,
    limit: Option<usize>,
) -> Result<()> {
    if limit == Some(0) {
        return Ok(());
    }
    let end = ReadEnd::WrittenBefore(std::time::SystemTime::now());
    let mut printed = 0usize;
    // The reader's errors name the topic.
    read_topic(kafka, topic, 0, end, |record| {
        print_record(&record)?;
        printed += 1;
        Ok(limit.is_none_or(|l| printed < l))
    })
    .await
}

/// Hand each record of `topic` from `from` to `end` to `each`, read on a
/// blocking thread; `each` returns false to stop early.
pub(crate) async fn read_topic(
    kafka: &news_core::bus::kafka::KafkaBus,
    topic: &str,
    from: i64,
    end: ReadEnd,
    mut each: impl FnMut(news_core::bus::InRecord) -> Result<bool>,
) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let reader = spawn_topic_reader(kafka, topic, from, end, tx);
    while let Some(record) = rx.recv().await {
        if !each(record)? {
            break;
        }
    }
    // Dropping the receiver stops the reader at its next record.
    drop(rx);
    reader.await.context("topic reader")??;
    Ok(())
}

/// Send each record of `topic` from `from` to `end` to `to`, read on a
/// blocking thread, which stops at its next record once `to` is dropped.
pub(crate) fn spawn_topic_reader(
    kafka: &news_core::bus::kafka::KafkaBus,
    topic: &str,
    from: i64,
    end: ReadEnd,
    to: tokio::sync::mpsc::Sender<news_core::bus::InRecord>,
) -> tokio::task::JoinHandle<Result<()>> {
    let (kafka, topic) = (kafka.clone(), topic.to_string());
    tokio::task::spawn_blocking(move || {
        kafka
            .read_to_end(&topic, from, end, to)
            .map(|_| ())
            .map_err(|e| anyhow!("reading {topic}: {e}"))
    })
}

/// Records read in a channel, and the reading task, which says which
/// partition it read (None: every one).
pub(crate) type WrittenRecords = (
    tokio::sync::mpsc::Receiver<news_core::bus::InRecord>,
    tokio::task::JoinHandle<Result<Option<i32>>>,
);

/// Every record of `topic` written before now, in a channel, read by a
/// task whose handle comes with it; on the embedded log through a
/// throwaway group named for `purpose`, so that no one's position moves.
pub(crate) fn read_written(
    bus: &Bus,
    config: &Config,
    topic: &str,
    purpose: &str,
) -> Result<WrittenRecords> {
    read_written_by_key(bus, config, topic, purpose, None, None)
}

/// As `read_written`, but on Kafka of the one partition records keyed
/// `key` are put in, when the producer's partitioner places keys so (the
/// task says which partition it read; None: all), and of the records
/// written at or after `since` (since round 67: on Kafka each partition
/// read from that moment by the broker's time index; on the embedded log
/// the older records are passed over). Records of other keys may come
/// too: the caller selects.
pub(crate) fn read_written_by_key(
    bus: &Bus,
    config: &Config,
    topic: &str,
    purpose: &str,
    key: Option<&[u8]>,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<WrittenRecords> {
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    let since_ms = since.map(|t| t.timestamp_millis());
    let task = match bus {
        Bus::Kafka(kafka) => {
            let end = ReadEnd::WrittenBefore(std::time::SystemTime::now());
            let (kafka, topic, key) = (kafka.clone(), topic.to_string(), key.map(<[u8]>::to_vec));
            tokio::task::spawn_blocking(move || {
                match (key, since_ms) {
                    (key, Some(ms)) => kafka.read_since_to_end(&topic, key.as_deref(), ms, end, tx),
                    (Some(key), None) => kafka.read_key_to_end(&topic, &key, end, tx),
                    (None, None) => kafka.read_to_end(&topic, 0, end, tx).map(|n| (n, None)),
                }
                .map(|(_, partition)| partition)
                .map_err(|e| anyhow!("reading {topic}: {e}"))
            })
        }
        Bus::Embedded(embedded) => {
            let group = format!(
                "{}-{purpose}-{}",
                config.bus.group_prefix,
                std::process::id()
            );
            let mut consumer = embedded.consumer(&group, &[topic.to_string()])?;
            let group_dir = config.bus.data_dir.join("log").join("groups").join(group);
            tokio::spawn(async move {
                let read = async {
                    while let Some(record) = consumer.try_recv()? {
                        let older = since_ms.is_some_and(|since| {
                            record.timestamp_ms.is_some_and(|written| written < since)
                        });
                        if older {
                            continue;
                        }
                        if tx.send(record).await.is_err() {
                            break;
                        }
                    }
                    Ok::<_, anyhow::Error>(None)
                }
                .await;
                let _ = std::fs::remove_dir_all(group_dir);
                read
            })
        }
    };
    Ok((rx, task))
}

/// One record as a JSON line; a payload that is not JSON is shown as text
/// with its offset rather than dropped.
fn print_record(record: &news_core::bus::InRecord) -> Result<()> {
    let line = match serde_json::from_slice::<serde_json::Value>(&record.payload) {
        Ok(v) => serde_json::to_string(&v)?,
        Err(_) => serde_json::to_string(&serde_json::json!({
            "undecodable": String::from_utf8_lossy(&record.payload),
            "offset": record.offset,
        }))?,
    };
    println!("{line}");
    Ok(())
}

pub async fn stats(config: Config) -> Result<()> {
    let bus = Bus::reader_from_config(&config).context("opening the bus")?;
    match &bus {
        Bus::Embedded(e) => {
            println!("embedded log at {}", config.bus.data_dir.display());
            for topic in e.topics()? {
                let mut consumer = e.consumer(
                    &format!("stats-{}", std::process::id()),
                    std::slice::from_ref(&topic),
                )?;
                let mut n = 0u64;
                while consumer.try_recv()?.is_some() {
                    n += 1;
                }
                let end = e.end_offset(&topic)?;
                let mut groups = Vec::new();
                for stage in ["clean", "dedup"] {
                    let g = stage_group(&config, stage);
                    if let Some(pos) = e.committed(&g, &topic)? {
                        groups.push(format!("{g} at {pos}/{end} bytes"));
                    }
                }
                println!(
                    "  {topic}: {n} messages, {end} bytes{}{}",
                    if groups.is_empty() { "" } else { "; " },
                    groups.join(", ")
                );
            }
            let _ = std::fs::remove_dir_all(
                config
                    .bus
                    .data_dir
                    .join("log")
                    .join("groups")
                    .join(format!("stats-{}", std::process::id())),
            );
        }
        Bus::Kafka(kafka) => {
            let (kafka, config) = (kafka.clone(), config.clone());
            tokio::task::spawn_blocking(move || kafka_stats(&kafka, &config))
                .await
                .context("stats")??;
        }
    }
    Ok(())
}

/// Per topic: partitions, retained messages and end offsets; per consuming
/// stage: committed position and lag on each partition.
fn kafka_stats(kafka: &news_core::bus::kafka::KafkaBus, config: &Config) -> Result<()> {
    println!("kafka at {}", config.bus.brokers);
    let consumers = [
        (config.topics.raw.as_str(), "clean"),
        (config.topics.clean.as_str(), "dedup"),
    ];
    for topic in config.topics.all() {
        let marks = kafka
            .watermarks(topic)
            .with_context(|| format!("reading offsets of {topic}"))?;
        if marks.is_empty() {
            println!("  {topic}: not created");
            continue;
        }
        let retained: i64 = marks.iter().map(|(_, low, high)| high - low).sum();
        let end: i64 = marks.iter().map(|(_, _, high)| high).sum();
        println!(
            "  {topic}: {} partitions, {retained} messages retained, {end} written",
            marks.len()
        );
        for (_, stage) in consumers.iter().filter(|(t, _)| *t == topic) {
            let group = stage_group(config, stage);
            let committed = kafka
                .committed(&group, topic, marks.iter().map(|(p, _, _)| *p))
                .with_context(|| format!("reading the positions of {group}"))?;
            let lags: Vec<String> = marks
                .iter()
                .map(|(p, low, high)| {
                    let at = committed
                        .iter()
                        .find(|(cp, _)| cp == p)
                        .and_then(|(_, o)| *o)
                        .unwrap_or(*low);
                    format!("p{p} lag {}", high - at)
                })
                .collect();
            println!("    group {group}: {}", lags.join(", "));
        }
    }
    Ok(())
}
