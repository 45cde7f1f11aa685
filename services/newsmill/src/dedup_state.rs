//! The dedup stage's state at start: its snapshot, then on Kafka the
//! changelog's facts decided after it (or all of them, on a new disk), and
//! on the embedded log, with no snapshot, its input decided again.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use news_core::Config;
use news_core::bus::Bus;
use news_core::bus::kafka::ReadEnd;
use news_dedup::DedupStage;

use super::Process;
use crate::topics::read_topic;

pub(super) async fn dedup_stage(config: &Config, p: &Process) -> Result<DedupStage> {
    // Reading the snapshot and replaying the changelog can outlast the
    // liveness window (a 200,000-article snapshot once took 127 s to
    // read): keep the heartbeat, from a task that the reading does not
    // hold up.
    let health = p.health.clone();
    let beat = tokio::spawn(async move {
        loop {
            health.beat();
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
    let stage = restore_dedup_stage(config, p).await;
    beat.abort();
    stage
}

async fn restore_dedup_stage(config: &Config, p: &Process) -> Result<DedupStage> {
    let bus = &p.bus;
    // Local snapshots serve the embedded backend; on Kafka they are a cache
    // of the instance's own disk, and the changelog topic is the record.
    let state_dir = Some(config.bus.data_dir.join(format!("state-{}", bus.name())));
    let stage_config = config.clone();
    let mut stage = tokio::task::spawn_blocking(move || DedupStage::new(&stage_config, state_dir))
        .await
        .context("reading the dedup snapshot")?
        .map_err(|e| anyhow!("dedup state: {e}"))?;
    if let (Bus::Kafka(kafka), Some(topic)) = (bus, stage.changelog_topic().map(str::to_string)) {
        kafka.check_changelog(&topic, config.dedup.window).await?;
        {
            let (kafka, topic) = (kafka.clone(), topic.clone());
            stage.set_changelog_end(Box::new(move || {
                let marks = kafka.watermarks(&topic).map_err(|e| e.to_string())?;
                Ok(marks.iter().map(|(_, _, high)| *high).max().unwrap_or(0))
            }));
        }
        // A new disk replays the whole changelog; a snapshot, what was
        // decided after it.
        let from = if stage.restored_from_snapshot() {
            stage.changelog_from()
        } else {
            Some(0)
        };
        let Some(from) = from else {
            return Ok(stage);
        };
        rebuild_from_changelog(kafka, &topic, from, &mut stage).await?;
    }
    if let Bus::Embedded(log) = bus
        && !stage.restored_from_snapshot()
    {
        let group = news_core::runner::stage_group(config, "dedup");
        if let Some(end) = log
            .committed(&group, &config.topics.clean)?
            .filter(|e| *e > 0)
        {
            stage = tokio::task::spawn_blocking({
                let (log, topic) = (log.clone(), config.topics.clean.clone());
                move || redecide_from_log(&log, &topic, end, stage)
            })
            .await
            .context("rebuilding the dedup state")??;
        }
    }
    Ok(stage)
}

/// On the embedded log the snapshot is the state's only record: a stage
/// that has none (lost, or set aside as unreadable) but whose input
/// position says it decided before decides the inputs up to that position
/// again, in their order, publishing nothing. Without it the stage went
/// on from that position knowing nothing, and later copies of the
/// articles before it started stories of their own.
fn redecide_from_log(
    log: &news_core::bus::embedded::EmbeddedBus,
    topic: &str,
    end: u64,
    mut stage: DedupStage,
) -> Result<DedupStage> {
    let started = std::time::Instant::now();
    let (mut decided, mut skipped) = (0u64, 0u64);
    log.read_up_to(topic, end, |record| {
        if stage.redecide(&record) {
            decided += 1;
        } else {
            skipped += 1;
        }
    })?;
    tracing::warn!(
        decided,
        skipped,
        articles = stage.engine().article_count(),
        stories = stage.engine().story_count(),
        secs = started.elapsed().as_secs_f64(),
        "dedup state rebuilt by deciding the input log again, as no snapshot was readable"
    );
    Ok(stage)
}

/// A dedup instance without a snapshot (a new disk) replays the changelog
/// from its start: the window's facts, in decision order, rebuild the state
/// it replaces. One with a snapshot replays from the offset it recorded.
async fn rebuild_from_changelog(
    kafka: &news_core::bus::kafka::KafkaBus,
    topic: &str,
    from: i64,
    stage: &mut DedupStage,
) -> Result<()> {
    let started = std::time::Instant::now();
    let (mut applied, mut bad) = (0u64, 0u64);
    read_topic(kafka, topic, from, ReadEnd::Quiet, |record| {
        match stage.apply_changelog(&record) {
            Ok(()) => applied += 1,
            Err(e) => {
                // Skipped, not fatal: one unreadable fact costs one article's
                // memory of the window, not the stage.
                bad += 1;
                tracing::warn!(error = %e, offset = record.offset, "skipping a changelog record");
            }
        }
        Ok(true)
    })
    .await
    .with_context(|| format!("replaying {topic}"))?;
    tracing::info!(
        facts = applied,
        skipped = bad,
        articles = stage.engine().article_count(),
        stories = stage.engine().story_count(),
        secs = started.elapsed().as_secs_f64(),
        from,
        "dedup state rebuilt from the changelog"
    );
    Ok(())
}
