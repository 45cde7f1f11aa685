//! When a feed is polled, against a real loopback site and a running
//! fetcher: its own poll bounds (`fetcher.feed_poll`, `feeds add
//! --poll-max`) hold while the other feeds keep the fetcher's, and a
//! command that makes it due wakes the fetcher.

use std::sync::Arc;
use std::time::Duration;

use news_core::bus::Bus;
use news_core::config::FeedPollBounds;
use news_core::messages::{FeedAction, FeedCommand, FeedSettings};
use news_fetcher::{Control, Fetcher};
use tokio_util::sync::CancellationToken;

mod common;
use common::{add_command, article, config, read_all, reply, rss, run_once_after, serve};

const HOUR: Duration = Duration::from_secs(3600);

/// A site of two feeds, each listing one story that never changes.
async fn two_feeds() -> (std::net::SocketAddr, Arc<common::Seen>) {
    serve(Arc::new(|path: &str, _: &str| {
        let body = match path {
            "/fast.xml" => rss("", &["/fast/1".to_string()]),
            "/slow.xml" => rss("", &["/slow/1".to_string()]),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await
}

/// Run a fetcher (not `--once`) for `long`, with `control` as its command
/// channel when given.
async fn run_for(
    cfg: &news_core::Config,
    bus: &Bus,
    control: Option<tokio::sync::mpsc::Receiver<Control>>,
    long: Duration,
) {
    let mut fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
    if let Some(rx) = control {
        fetcher = fetcher.with_control(rx);
    }
    let token = CancellationToken::new();
    let stop = token.clone();
    let run = tokio::spawn(async move { fetcher.run(token, false).await });
    tokio::time::sleep(long).await;
    stop.cancel();
    run.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_feed_named_in_the_config_is_polled_within_its_own_bounds() {
    let (addr, seen) = two_feeds().await;
    let at = |path: &str| format!("http://{addr}{path}");
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), vec![at("/fast.xml"), at("/slow.xml")]);
    (cfg.fetcher.poll_min, cfg.fetcher.poll_max) = (HOUR, HOUR);
    cfg.fetcher.feed_poll.insert(
        at("/fast.xml"),
        FeedPollBounds {
            min: None,
            max: Some(Duration::from_secs(1)),
        },
    );
    cfg.validate().unwrap();
    let bus = Bus::from_config(&cfg).unwrap();
    run_for(&cfg, &bus, None, Duration::from_millis(4500)).await;
    assert!(
        seen.count("/fast.xml") >= 3,
        "polled {} times in 4.5 s with a maximum of 1 s",
        seen.count("/fast.xml")
    );
    assert_eq!(seen.count("/slow.xml"), 1, "the fetcher's hour holds");
    assert_eq!(
        (seen.count("/fast/1"), seen.count("/slow/1")),
        (1, 1),
        "each story is fetched once"
    );

    // Restarted with the slow feed's bounds lowered too, the poll it
    // planned an hour on comes at once.
    cfg.fetcher.feed_poll.insert(
        "127.0.0.1".into(),
        FeedPollBounds {
            min: None,
            max: Some(Duration::from_secs(1)),
        },
    );
    cfg.validate().unwrap();
    run_for(&cfg, &bus, None, Duration::from_millis(2500)).await;
    assert!(seen.count("/slow.xml") >= 2, "{}", seen.count("/slow.xml"));
}

#[tokio::test]
async fn a_command_that_lowers_a_feeds_bounds_has_it_polled_sooner() {
    let (addr, seen) = two_feeds().await;
    let feed = format!("http://{addr}/fast.xml");
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), vec![]);
    (cfg.fetcher.poll_min, cfg.fetcher.poll_max) = (HOUR, HOUR);
    let bus = Bus::from_config(&cfg).unwrap();
    let command = |settings| Control::Command(add_command(&feed, settings));
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(command(FeedSettings::default())).await.unwrap();
    tx.send(Control::CaughtUp).await.unwrap();
    let lowered = command(FeedSettings {
        poll_max_secs: Some(1),
        ..Default::default()
    });
    let polls = seen.clone();
    let sender = tokio::spawn(async move {
        // Once the feed has had its first poll, planned an hour on.
        while polls.count("/fast.xml") == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = polls.count("/fast.xml");
        tx.send(lowered).await.unwrap();
        before
    });
    run_for(&cfg, &bus, Some(rx), Duration::from_secs(5)).await;
    let before = sender.await.unwrap();
    assert_eq!(before, 1, "an hour apart before the command");
    assert!(
        seen.count("/fast.xml") >= 3,
        "polled {} times after its maximum became 1 s",
        seen.count("/fast.xml")
    );
}

/// A sitemap index subscribed with bounds of its own has the other news
/// sitemaps it lists subscribed with the same bounds (they are polled in
/// its name), not read for their text, which a sitemap does not carry.
#[tokio::test]
async fn the_news_sitemaps_an_index_adds_keep_its_bounds() {
    let (addr, _seen) = serve(Arc::new(|path: &str, _: &str| {
        let body: Vec<u8> = match path {
            "/sitemap_index.xml" => {
                b"<sitemapindex><sitemap><loc>/news-sitemap.xml</loc></sitemap>\
                <sitemap><loc>/sport/news-sitemap.xml</loc></sitemap></sitemapindex>"
                    .to_vec()
            }
            p if p.ends_with("news-sitemap.xml") => b"<urlset xmlns:news=\"n\"></urlset>".to_vec(),
            p => article(p),
        };
        (reply("200 OK", &[], &body), Duration::ZERO)
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![]);
    let bus = Bus::from_config(&cfg).unwrap();
    let own = FeedSettings {
        feed_text_only: true,
        poll_min_secs: Some(30),
        poll_max_secs: Some(60),
    };
    let index = add_command(&format!("http://{addr}/sitemap_index.xml"), own);
    run_once_after(&cfg, &bus, vec![index]).await;
    let commands = read_all(&bus, &cfg.topics.feeds).await;
    assert_eq!(commands.len(), 1, "{commands:?}");
    let added: FeedCommand = serde_json::from_value(commands[0].clone()).unwrap();
    assert_eq!(
        added.feed_url,
        format!("http://{addr}/sport/news-sitemap.xml")
    );
    assert_eq!(
        added.settings,
        FeedSettings {
            feed_text_only: false,
            ..own
        }
    );
}

/// A feed resumed while the fetcher sleeps for an hour is polled at once,
/// not at the end of that sleep.
#[tokio::test]
async fn a_resumed_feed_is_polled_at_once() {
    let (addr, seen) = two_feeds().await;
    let feed = format!("http://{addr}/slow.xml");
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), vec![feed.clone()]);
    (cfg.fetcher.poll_min, cfg.fetcher.poll_max) = (HOUR, HOUR);
    let bus = Bus::from_config(&cfg).unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(Control::CaughtUp).await.unwrap();
    let polls = seen.clone();
    let sender = tokio::spawn(async move {
        while polls.count("/slow.xml") == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for action in [FeedAction::Pause, FeedAction::Resume] {
            let command = FeedCommand {
                action,
                ..add_command(&feed, FeedSettings::default())
            };
            tx.send(Control::Command(command)).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    run_for(&cfg, &bus, Some(rx), Duration::from_secs(3)).await;
    sender.await.unwrap();
    assert_eq!(seen.count("/slow.xml"), 2, "polled again on its resume");
}
