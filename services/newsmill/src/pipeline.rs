//! Streaming roles: all stages in one process (`run`) or one stage each.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use news_cleaner::CleanStage;
use news_core::bus::Bus;
use news_core::runner::{RunContext, StageCounters, run_stage};
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
    // The articles topic is written only with `dedup.articles` on.
    let topics: Vec<&str> = config
        .topics
        .all()
        .into_iter()
        .filter(|t| config.dedup.articles || *t != config.topics.articles)
        .collect();
    if config.bus.create_topics {
        bus.ensure_topics(&topics)
            .await
            .with_context(|| format!("creating topics on Kafka at {}", config.bus.brokers))?;
    } else {
        bus.require_topics(&topics).await?;
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
        besides_fetched(&fetched),
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
        besides_fetched(&report),
        report.failures,
        report.pages_waiting
    );
    Ok(())
}

/// What the fetcher took besides the pages it fetched, when anything:
/// items taken from their feed's text (`fetcher.feed_text_only`), and
/// pages of changed items that answered 304.
fn besides_fetched(report: &news_fetcher::RoundReport) -> String {
    let mut said = String::new();
    if report.feed_texts > 0 {
        said += &format!(
            " and {} items taken from their feed's text",
            report.feed_texts
        );
    }
    if report.pages_unchanged > 0 {
        said += &format!(
            " and {} pages of changed items unchanged (304)",
            report.pages_unchanged
        );
    }
    said
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
