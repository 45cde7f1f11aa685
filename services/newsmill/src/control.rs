//! The `news.feeds.v1` control topic: the reader that feeds subscription
//! changes to the fetcher, and the commands operators use to write it.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use chrono::Utc;
use news_core::Config;
use news_core::bus::kafka::ReadEnd;
use news_core::bus::{Bus, Producer};
use news_core::messages::{FeedAction, FeedCommand, FeedSettings, SCHEMA_VERSION};
use news_core::runner::dead_letter;
use news_fetcher::Control;
use news_fetcher::status::FeedHealth;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::topics::read_topic;

/// Commands buffered between the reader and the fetcher.
const CONTROL_QUEUE: usize = 1024;

/// Read the whole control topic from its start (every fetcher instance needs
/// every command; the topic is compacted on Kafka, so it stays small), then
/// follow it. Sends `Control::CaughtUp` once the backlog is read. Malformed
/// commands go to the dead-letter topic and the reader keeps going.
pub fn spawn_reader(
    bus: &Bus,
    config: &Config,
    producer: Producer,
    token: CancellationToken,
) -> Result<mpsc::Receiver<Control>> {
    let topic = config.topics.feeds.clone();
    let dlq = config.topics.dlq.clone();
    let max_message_bytes = config.bus.max_message_bytes;
    // A group of its own per process: nothing is committed, and no other
    // reader's position moves.
    let group = format!(
        "{}-fetch-control-{}-{}",
        config.bus.group_prefix,
        std::process::id(),
        Utc::now().timestamp_millis()
    );
    if !config.bus.is_kafka() {
        // Groups left by readers that were killed: they hold no position
        // anyone needs (every reader starts from the beginning).
        let groups = config.bus.data_dir.join("log").join("groups");
        let stale = format!("{}-fetch-control-", config.bus.group_prefix);
        if let Ok(entries) = std::fs::read_dir(&groups) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&stale) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    let mut consumer = bus.consumer(&group, std::slice::from_ref(&topic))?;
    let idle = if config.bus.is_kafka() {
        Duration::from_secs(2)
    } else {
        Duration::from_millis(200)
    };
    let embedded_groups = (!config.bus.is_kafka())
        .then(|| config.bus.data_dir.join("log").join("groups").join(&group));
    let (tx, rx) = mpsc::channel(CONTROL_QUEUE);
    tokio::spawn(async move {
        let mut caught_up = false;
        loop {
            let next = tokio::select! {
                _ = token.cancelled() => break,
                r = tokio::time::timeout(idle, consumer.recv()) => r,
            };
            match next {
                Err(_) => {
                    if !caught_up && consumer.is_assigned() {
                        caught_up = true;
                        if tx.send(Control::CaughtUp).await.is_err() {
                            break;
                        }
                    }
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, %topic, "reading the control topic failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Ok(Ok(record)) => match FeedCommand::decode(&record.payload) {
                    Ok(cmd) => {
                        if tx.send(Control::Command(cmd)).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, offset = record.offset, "bad feed command sent to the dead-letter topic");
                        let letter = dead_letter(
                            (&dlq, max_message_bytes),
                            "fetch",
                            e.error_type(),
                            &e.to_string(),
                            &record,
                            None,
                        );
                        if let Err(e) = producer.send_and_wait(letter).await {
                            tracing::error!(error = %e, "could not write dead letter");
                        }
                    }
                },
            }
        }
        if let Some(dir) = embedded_groups {
            let _ = std::fs::remove_dir_all(dir);
        }
    });
    Ok(rx)
}

/// One command to write: the action, the feed's URL, and what the
/// command says of the feed.
pub struct Order {
    pub action: FeedAction,
    pub url: String,
    pub title: Option<String>,
    pub settings: FeedSettings,
}

/// `newsmill feeds add|pause|resume|remove URL`: write one command.
pub async fn send_command(config: &Config, mut order: Order) -> Result<()> {
    check_command(order.action, &order.url)?;
    if matches!(order.action, FeedAction::Pause | FeedAction::Resume) {
        // A pause or a resume subscribes a feed the topic does not know
        // (compaction keeps each feed's last command alone), so a mistyped
        // URL would become a subscription: it is refused here. The command
        // carries what the subscription says of the feed (its title and its
        // settings), which compaction would otherwise lose.
        let sub = subscription_of(config, &order.url).await?;
        order.title = sub.title.clone();
        order.settings = sub.settings;
    }
    send_commands(config, vec![order]).await
}

/// The subscription of `url` as the config, the OPML file and the control
/// topic make it; an error when there is none.
async fn subscription_of(
    config: &Config,
    url: &str,
) -> Result<news_fetcher::subscriptions::Subscription> {
    let commands = commands_on_topic(config).await?;
    let subs = news_fetcher::status::subscriptions_after(config, &commands)?;
    subs.get(url).cloned().ok_or_else(|| {
        anyhow!(
            "{} is not subscribed (`newsmill feeds list` shows the subscriptions)",
            news_core::config::shown_url(url)
        )
    })
}

/// A feed's poll bound as `feeds set` takes it: a duration, or the
/// fetcher's bound in its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollBound {
    Fetchers,
    Secs(u64),
}

/// What `newsmill feeds set` changes of a feed's own settings; None leaves
/// a setting as it is.
#[derive(Debug, Default)]
pub struct SettingsChange {
    pub feed_text_only: Option<bool>,
    pub poll_min: Option<PollBound>,
    pub poll_max: Option<PollBound>,
}

impl SettingsChange {
    fn applied_to(&self, mut settings: FeedSettings) -> FeedSettings {
        let secs = |bound: PollBound| match bound {
            PollBound::Fetchers => None,
            PollBound::Secs(secs) => Some(secs),
        };
        if let Some(on) = self.feed_text_only {
            settings.feed_text_only = on;
        }
        if let Some(bound) = self.poll_min {
            settings.poll_min_secs = secs(bound);
        }
        if let Some(bound) = self.poll_max {
            settings.poll_max_secs = secs(bound);
        }
        settings
    }
}

/// `newsmill feeds set URL ...`: change some of a command-subscribed feed's
/// settings and keep the rest (an add says them all), with a command that
/// keeps it paused if it is.
pub async fn set_feed(config: &Config, url: &str, change: SettingsChange) -> Result<()> {
    check_command(FeedAction::Pause, url)?;
    let sub = subscription_of(config, url).await?;
    let shown = news_core::config::shown_url(url);
    if sub.origin != news_fetcher::subscriptions::Origin::Control {
        return Err(anyhow!(
            "{shown} comes from the {}: its settings are the file's (fetcher.feed_text_only and fetcher.feed_poll, or the OPML file's categories)",
            if sub.origin == news_fetcher::subscriptions::Origin::Config {
                "config"
            } else {
                "OPML file"
            }
        ));
    }
    let settings = change.applied_to(sub.settings);
    if let Some(problem) = settings.problem() {
        return Err(anyhow!("{shown}: {problem}"));
    }
    if settings == sub.settings {
        eprintln!("{shown}: its settings are already so; nothing sent");
        return Ok(());
    }
    let action = if sub.paused {
        FeedAction::Pause
    } else {
        FeedAction::Add
    };
    let order = Order {
        action,
        url: sub.url.clone(),
        title: sub.title.clone(),
        settings,
    };
    send_commands(config, vec![order]).await
}

/// Whether `url` can be the subject of `action`.
fn check_command(action: FeedAction, url: &str) -> Result<()> {
    let parsed = url::Url::parse(url.trim()).with_context(|| format!("feed URL {url}"))?;
    // A feed on this machine is the config's (`fetcher.feeds`): fetchers
    // refuse a command that adds one.
    if action == FeedAction::Add && !matches!(parsed.scheme(), "http" | "https") {
        return Err(anyhow!(
            "feed URL must be http(s), not {} (a file feed goes in fetcher.feeds)",
            parsed.scheme()
        ));
    }
    // What `feeds export` writes without --with-credentials.
    if news_core::ids::has_masked_credentials(&parsed) {
        return Err(anyhow!(
            "feed URL {} has its credentials masked (export it with --with-credentials)",
            news_core::config::shown_url(url)
        ));
    }
    Ok(())
}

/// Subscribe to every feed of an OPML file (`newsmill feeds export`'s, or
/// another reader's) through the control topic; a feed marked paused is
/// added and paused. A feed that cannot be added is reported and skipped.
pub async fn import_feeds(config: &Config, path: &std::path::Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let feeds = news_fetcher::subscriptions::parse_opml(&bytes)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let mut commands = Vec::new();
    let mut skipped = 0;
    for feed in feeds {
        if let Err(e) = check_command(FeedAction::Add, &feed.url) {
            eprintln!("skipped: {e:#}");
            skipped += 1;
            continue;
        }
        commands.push(Order {
            action: FeedAction::Add,
            url: feed.url.clone(),
            title: feed.title.clone(),
            settings: feed.settings,
        });
        if feed.paused {
            // Saying all the add said: a compacted topic keeps it alone.
            commands.push(Order {
                action: FeedAction::Pause,
                url: feed.url,
                title: feed.title,
                settings: feed.settings,
            });
        }
    }
    let sent = commands.len();
    send_commands(config, commands).await?;
    eprintln!("{sent} commands sent, {skipped} feeds skipped");
    Ok(())
}

/// Write `orders` to the control topic, in order.
async fn send_commands(config: &Config, orders: Vec<Order>) -> Result<()> {
    let bus = Bus::from_config(config).context("opening the bus")?;
    if config.bus.create_topics {
        bus.ensure_topics(&[config.topics.feeds.as_str()])
            .await
            .context("creating the control topic")?;
    } else {
        bus.require_topics(&[config.topics.feeds.as_str()]).await?;
    }
    let producer = bus.producer()?;
    for order in orders {
        let action = order.action;
        let cmd = FeedCommand {
            schema_version: SCHEMA_VERSION,
            feed_url: order.url.trim().to_string(),
            action,
            at: Utc::now(),
            title: order.title,
            settings: order.settings,
        };
        producer
            .send_and_wait(cmd.record(&config.topics.feeds))
            .await
            .map_err(|e| anyhow!("writing to {}: {e}", config.topics.feeds))?;
        println!(
            "{action:?} {} -> {}",
            news_core::config::shown_url(&cmd.feed_url),
            config.topics.feeds
        );
    }
    producer.flush(Duration::from_secs(10))?;
    Ok(())
}

/// The commands on the control topic now, in order (per feed, the order
/// they were written). Undecodable ones were dead-lettered by the fetchers
/// and are skipped here too.
async fn commands_on_topic(config: &Config) -> Result<Vec<FeedCommand>> {
    let topic = config.topics.feeds.as_str();
    if !config.bus.is_kafka() && !config.bus.data_dir.join("log").exists() {
        // Nothing ran here yet: no command was written.
        return Ok(Vec::new());
    }
    let bus = Bus::reader_from_config(config).context("opening the bus")?;
    let mut records = Vec::new();
    match &bus {
        Bus::Embedded(log) => {
            if log.topics()?.iter().any(|t| t == topic) {
                let end = log.end_offset(topic)?;
                log.read_up_to(topic, end, |record| records.push(record))?;
            }
        }
        Bus::Kafka(kafka) => {
            let end = ReadEnd::WrittenBefore(std::time::SystemTime::now());
            read_topic(kafka, topic, 0, end, |record| {
                records.push(record);
                Ok(true)
            })
            .await?;
        }
    }
    Ok(records
        .iter()
        .filter_map(|r| FeedCommand::decode(&r.payload).ok())
        .collect())
}

/// `newsmill feeds list [--failing]`: every subscription (the config's and
/// the control topic's) as a JSON line, with what the fetcher of this data
/// directory knows of it; a count by health on stderr.
pub async fn export_feeds(config: &Config, with_credentials: bool) -> Result<()> {
    let commands = commands_on_topic(config).await?;
    let subs = news_fetcher::status::subscriptions_after(config, &commands)?;
    print!(
        "{}",
        news_fetcher::subscriptions::to_opml(&subs, with_credentials)
    );
    eprintln!("{} feeds exported", subs.len());
    Ok(())
}

pub async fn list_feeds(config: &Config, failing_only: bool) -> Result<()> {
    let commands = commands_on_topic(config).await?;
    let statuses = news_fetcher::status::feed_statuses(config, &commands)?;
    let mut counts = std::collections::BTreeMap::new();
    for status in &statuses {
        *counts.entry(status.health.label()).or_insert(0) += 1;
        if failing_only && !matches!(status.health, FeedHealth::Failing | FeedHealth::Disabled) {
            continue;
        }
        println!("{}", serde_json::to_string(status)?);
    }
    let counts: Vec<String> = counts.iter().map(|(h, n)| format!("{n} {h}")).collect();
    eprintln!("{} feeds: {}", statuses.len(), counts.join(", "));
    Ok(())
}
