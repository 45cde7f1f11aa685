//! Streaming roles: all stages in one process (`run`) or one stage each.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use news_cleaner::CleanStage;
use news_core::bus::Bus;
use news_core::bus::kafka::ReadEnd;
use news_core::runner::{RunContext, StageCounters, run_stage, stage_group};
use news_core::telemetry::{self, Health};
use news_core::{Config, Stage};
use news_fetcher::Fetcher;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

#[path = "dedup_state.rs"]
mod dedup_state;
use dedup_state::dedup_stage;

/// Shared process setup: bus, topics, metrics, admin server, signals.
struct Process {
    bus: Bus,
    token: CancellationToken,
    health: Arc<Health>,
    admin_token: CancellationToken,
}

async fn start(config: &Config, service: &str) -> Result<Process> {
    let bus = Bus::from_config(config).context("opening the bus")?;
    if config.bus.create_topics {
        bus.ensure_topics(&config.topics.all())
            .await
            .with_context(|| format!("creating topics on Kafka at {}", config.bus.brokers))?;
    } else {
        bus.require_topics(&config.topics.all()).await?;
    }
    bus.warn_of_topic_settings(config).await;
    let metrics = telemetry::init_metrics(service);
    let health = Health::new();
    let admin_token = CancellationToken::new();
    if let Some(addr) = config.admin.addr() {
        match telemetry::serve_admin(addr, metrics, health.clone(), admin_token.clone()).await {
            Ok(bound) => tracing::info!(%bound, "admin server listening"),
            Err(e) => return Err(anyhow!("admin server on {addr}: {e} (set admin.listen)")),
        }
    }
    let token = CancellationToken::new();
    news_core::shutdown::install_signal_handlers(token.clone());
    tracing::info!(bus = bus.name(), "newsmill started");
    Ok(Process {
        bus,
        token,
        health,
        admin_token,
    })
}

fn context(
    p: &Process,
    config: &Config,
    topic: &str,
    upstream_done: Option<watch::Receiver<bool>>,
) -> (RunContext, Arc<StageCounters>) {
    let counters = Arc::new(StageCounters::default());
    (
        RunContext {
            bus: p.bus.clone(),
            config: config.clone(),
            input_topic: topic.to_string(),
            token: p.token.child_token(),
            health: p.health.clone(),
            counters: counters.clone(),
            upstream_done,
        },
        counters,
    )
}

/// The fetcher, following the `news.feeds.v1` control topic.
fn new_fetcher(p: &Process, config: &Config) -> Result<Fetcher> {
    let fetcher =
        Fetcher::new(config.clone(), p.bus.producer()?).map_err(|e| anyhow!("fetcher: {e}"))?;
    let control =
        crate::control::spawn_reader(&p.bus, config, p.bus.producer()?, p.token.child_token())
            .context("reading the feeds control topic")?;
    Ok(fetcher.with_control(control))
}

pub async fn run_all(config: Config, drain: bool) -> Result<()> {
    let p = start(&config, "newsmill").await?;
    let (fetch_done_tx, fetch_done_rx) = watch::channel(false);
    let (clean_done_tx, clean_done_rx) = watch::channel(false);

    let fetcher = new_fetcher(&p, &config)?;
    let fetch_totals = fetcher.totals.clone();
    let fetch_token = p.token.child_token();
    let stop = StopAll::of(&p);
    let fetch_task = tokio::spawn(async move {
        let r = fetcher.run(fetch_token, drain).await;
        let _ = fetch_done_tx.send(true);
        stop.if_failed("fetch", r)
    });

    let (clean_ctx, clean_counters) = context(
        &p,
        &config,
        &config.topics.raw,
        drain.then_some(fetch_done_rx),
    );
    let stop = StopAll::of(&p);
    let clean_task = tokio::spawn(async move {
        let r = run_stage(CleanStage::new(&clean_ctx.config), clean_ctx).await;
        let _ = clean_done_tx.send(true);
        stop.if_failed("clean", r)
    });

    let dedup = dedup_stage(&config, &p).await?;
    let stories = dedup.stories_counter();
    let (dedup_ctx, dedup_counters) = context(
        &p,
        &config,
        &config.topics.clean,
        drain.then_some(clean_done_rx),
    );
    let stop = StopAll::of(&p);
    let dedup_task =
        tokio::spawn(async move { stop.if_failed("dedup", run_stage(dedup, dedup_ctx).await) });

    let status = spawn_status(
        fetch_totals.clone(),
        clean_counters.clone(),
        dedup_counters.clone(),
        stories.clone(),
    );
    let (f, c, d) = tokio::join!(fetch_task, clean_task, dedup_task);
    status.abort();
    p.admin_token.cancel();
    let fetched = f
        .context("fetch task")?
        .map_err(|e| anyhow!("fetch: {e}"))?;
    c.context("clean task")?
        .map_err(|e| anyhow!("clean: {e}"))?;
    d.context("dedup task")?
        .map_err(|e| anyhow!("dedup: {e}"))?;
    let (cleaned, _, clean_dlq, _) = clean_counters.get();
    let (deduped, _, dedup_dlq, _) = dedup_counters.get();
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    println!(
        "newsmill: {} feeds polled, {} new items, {} pages fetched{} ({} failures, {} waiting to retry); {} articles cleaned; {} articles deduplicated into {} stories; {} dead letters",
        fetched.feeds_polled,
        fetched.items_new,
        fetched.pages_fetched,
        feed_texts(fetched.feed_texts),
        fetched.failures,
        fetched.pages_waiting,
        cleaned,
        deduped,
        stories.load(Ordering::Relaxed),
        fetched.dead_letters + clean_dlq + dedup_dlq
    );
    Ok(())
}

/// In the all-in-one process, a part that fails for good stops the others:
/// with one stage dead the process would stay up, look healthy and move
/// nothing. Stopping the rest lets them commit what they finished, and the
/// process exits with the error (a supervisor then restarts it).
#[derive(Clone)]
struct StopAll {
    token: CancellationToken,
    health: Arc<Health>,
}

impl StopAll {
    fn of(p: &Process) -> StopAll {
        StopAll {
            token: p.token.clone(),
            health: p.health.clone(),
        }
    }

    fn if_failed<T, E: std::fmt::Display>(&self, part: &str, r: Result<T, E>) -> Result<T, E> {
        if let Err(e) = &r {
            tracing::error!(stage = part, error = %e, "failed for good; stopping the other stages");
            self.health.set_ready(part, false);
            self.token.cancel();
        }
        r
    }
}

/// One compact status line on a terminal, refreshed every second.
fn spawn_status(
    fetch: Arc<std::sync::Mutex<news_fetcher::RoundReport>>,
    clean: Arc<StageCounters>,
    dedup: Arc<StageCounters>,
    stories: Arc<std::sync::atomic::AtomicUsize>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let f = *fetch.lock().expect("fetch totals");
            let (cleaned, _, c_dlq, c_err) = clean.get();
            let (deduped, _, d_dlq, d_err) = dedup.get();
            eprint!(
                "\rfetched {} | cleaned {} | deduped {} | stories {} | errors {}   ",
                f.pages_fetched,
                cleaned,
                deduped,
                stories.load(Ordering::Relaxed),
                f.failures + c_dlq + d_dlq + c_err + d_err
            );
        }
    })
}

pub async fn run_fetch(config: Config, once: bool) -> Result<()> {
    let p = start(&config, "newsmill-fetch").await?;
    p.health.set_ready("fetch", true);
    let fetcher = new_fetcher(&p, &config)?;
    let report = fetcher
        .run(p.token.clone(), once)
        .await
        .map_err(|e| anyhow!("fetch: {e}"))?;
    p.admin_token.cancel();
    println!(
        "fetch: {} feeds polled, {} pages fetched{}, {} failures, {} waiting to retry",
        report.feeds_polled,
        report.pages_fetched,
        feed_texts(report.feed_texts),
        report.failures,
        report.pages_waiting
    );
    Ok(())
}

/// The items taken from their feed's text, when there were any
/// (`fetcher.feed_text_only`).
fn feed_texts(count: u64) -> String {
    if count == 0 {
        String::new()
    } else {
        format!(" and {count} items taken from their feed's text")
    }
}

async fn run_one<S: Stage>(
    config: Config,
    service: &str,
    topic: String,
    make: impl AsyncFnOnce(&Process) -> Result<S>,
) -> Result<()> {
    let p = start(&config, service).await?;
    let stage = make(&p).await?;
    let (ctx, _) = context(&p, &config, &topic, None);
    let result = run_stage(stage, ctx).await;
    p.admin_token.cancel();
    result.map_err(|e| anyhow!("{}: {e}", S::NAME))
}

pub async fn run_clean(config: Config) -> Result<()> {
    let topic = config.topics.raw.clone();
    let c = config.clone();
    run_one(config, "newsmill-clean", topic, async move |_| {
        Ok(CleanStage::new(&c))
    })
    .await
}

pub async fn run_dedup(config: Config) -> Result<()> {
    let topic = config.topics.clean.clone();
    let c = config.clone();
    run_one(config, "newsmill-dedup", topic, async move |p| {
        dedup_stage(&c, p).await
    })
    .await
}

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
    read_written_by_key(bus, config, topic, purpose, None)
}

/// As `read_written`, but on Kafka of the one partition records keyed
/// `key` are put in, when the producer's partitioner places keys so (the
/// task says which partition it read; None: all). Records of other keys
/// may come too: the caller selects.
pub(crate) fn read_written_by_key(
    bus: &Bus,
    config: &Config,
    topic: &str,
    purpose: &str,
    key: Option<&[u8]>,
) -> Result<WrittenRecords> {
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    let task = match bus {
        Bus::Kafka(kafka) => {
            let end = ReadEnd::WrittenBefore(std::time::SystemTime::now());
            let (kafka, topic, key) = (kafka.clone(), topic.to_string(), key.map(<[u8]>::to_vec));
            tokio::task::spawn_blocking(move || {
                match key {
                    Some(key) => kafka.read_key_to_end(&topic, &key, end, tx).map(|(_, p)| p),
                    None => kafka.read_to_end(&topic, 0, end, tx).map(|_| None),
                }
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

/// `newsmill discover URL`: print the feeds a site offers, one per line.
pub async fn discover(config: Config, url: &str) -> Result<()> {
    let site = url::Url::parse(url).with_context(|| format!("site URL {url}"))?;
    let client = news_fetcher::HttpClient::new(&config.fetcher).map_err(|e| anyhow!("{e}"))?;
    let feeds = news_fetcher::discover_feeds(&client, &site)
        .await
        .map_err(|e| anyhow!("discovering feeds of {site}: {e}"))?;
    if feeds.is_empty() {
        return Err(anyhow!("no feed found at {site}"));
    }
    for feed in feeds {
        println!("{feed}");
    }
    Ok(())
}
