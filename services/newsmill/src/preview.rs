//! `newsmill preview FEED_URL` (since round 65): what newsmill would make
//! of a feed before it is subscribed. The fetcher polls the feed once, with
//! this config's rules (safety, robots.txt, cookies, proxy, limits,
//! `fetcher.feed_text_only`), on an embedded log in a temporary directory,
//! and the cleaner cleans what it published: each clean article is
//! printed as a JSON line, each dead letter as one too, and a summary goes
//! to stderr. Nothing is written to the configured bus or data directory,
//! and no subscription changes.

use anyhow::{Context, Result, anyhow};
use news_cleaner::CleanStage;
use news_core::Config;
use news_core::bus::Bus;
use news_core::messages::{DeadLetter, RawItem, decode};
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// The config of a preview: this one's fetcher and cleaner rules, one feed,
/// an embedded log in `dir`, no endpoint, no retries.
fn preview_config(config: &Config, feed: &str, items: usize, dir: &std::path::Path) -> Config {
    let mut cfg = config.clone();
    cfg.bus.brokers = String::new();
    cfg.bus.data_dir = dir.to_path_buf();
    cfg.bus.kafka.clear();
    cfg.admin.listen = String::new();
    cfg.fetcher.feeds = vec![feed.trim().to_string()];
    cfg.fetcher.opml = None;
    cfg.fetcher.max_items_per_poll = items.max(1);
    // A page that fails is reported at once, not kept for a later poll.
    cfg.fetcher.page_retries = 0;
    cfg.fetcher.websub_callback = None;
    (cfg.fetcher.shard_count, cfg.fetcher.shard_index) = (1, 0);
    cfg
}

pub async fn preview(config: Config, feed: &str, items: usize) -> Result<()> {
    let url = url::Url::parse(feed.trim()).with_context(|| format!("feed URL {feed}"))?;
    if !matches!(url.scheme(), "http" | "https" | "file") {
        return Err(anyhow!(
            "feed URL must be http(s) or a file, not {}",
            url.scheme()
        ));
    }
    let dir = tempfile::tempdir().context("making a temporary directory")?;
    let cfg = preview_config(&config, feed, items, dir.path());
    cfg.validate().map_err(|e| anyhow!("{e}"))?;
    let bus = Bus::from_config(&cfg).context("opening the preview's log")?;
    let fetcher =
        news_fetcher::Fetcher::new(cfg.clone(), bus.producer()?).map_err(|e| anyhow!("{e}"))?;
    let report = fetcher
        .run(CancellationToken::new(), true)
        .await
        .map_err(|e| anyhow!("fetch: {e}"))?;

    let stage = CleanStage::new(&cfg);
    let (mut raw, reading) = crate::topics::read_written(&bus, &cfg, &cfg.topics.raw, "preview")?;
    let mut articles = 0;
    while let Some(record) = raw.recv().await {
        let item: RawItem = decode(&record.payload).map_err(|e| anyhow!("{e}"))?;
        match stage.clean(item) {
            Ok(article) => {
                articles += 1;
                println!("{}", serde_json::to_string(&article)?);
            }
            Err(e) => println!("{}", json!({ "clean_error": e.to_string() })),
        }
    }
    reading.await.context("reading the preview's log")??;
    let (mut dlq, reading) = crate::topics::read_written(&bus, &cfg, &cfg.topics.dlq, "preview")?;
    let mut letters = 0;
    while let Some(record) = dlq.recv().await {
        let letter: DeadLetter = decode(&record.payload).map_err(|e| anyhow!("{e}"))?;
        letters += 1;
        println!(
            "{}",
            json!({ "dead_letter": {
                "error_type": letter.error_type,
                "reason": letter.reason,
                "source": letter.source,
            }})
        );
    }
    reading.await.context("reading the preview's log")??;
    let status = news_fetcher::status::feed_statuses(&cfg, &[])
        .map_err(|e| anyhow!("{e}"))?
        .into_iter()
        .next();
    if let Some(error) = status.as_ref().and_then(|s| s.last_error.as_deref()) {
        eprintln!("the feed failed: {error}");
    }
    eprintln!(
        "preview: {} new items, {} pages fetched, {} taken from the feed's text; {articles} articles cleaned; {letters} dead letters (nothing kept: the log was temporary)",
        report.items_new, report.pages_fetched, report.feed_texts
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_runs_one_feed_on_a_log_of_its_own() {
        let mut config = Config::default();
        config.bus.brokers = "kafka:9092".into();
        config.fetcher.feeds = vec!["https://other.example/rss".into()];
        config.fetcher.opml = Some("feeds.opml".into());
        config.fetcher.websub_callback = Some("https://newsmill.example/websub".into());
        config.fetcher.site_cookies =
            [("news.example".to_string(), "consent=1".to_string())].into();
        let dir = std::path::Path::new("/tmp/preview");
        let cfg = preview_config(&config, " https://news.example/rss ", 5, dir);
        assert!(!cfg.bus.is_kafka());
        assert_eq!(cfg.bus.data_dir, dir);
        assert_eq!(cfg.fetcher.feeds, ["https://news.example/rss"]);
        assert_eq!(cfg.fetcher.opml, None);
        assert_eq!(cfg.fetcher.websub_callback, None);
        assert_eq!(
            (cfg.fetcher.max_items_per_poll, cfg.fetcher.page_retries),
            (5, 0)
        );
        assert_eq!(
            cfg.fetcher.site_cookies, config.fetcher.site_cookies,
            "the site's rules kept"
        );
        assert_eq!(
            preview_config(&config, "x", 0, dir)
                .fetcher
                .max_items_per_poll,
            1
        );
    }
}
