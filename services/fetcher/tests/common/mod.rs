//! Pieces shared by the fetcher's loopback-server tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use news_core::Config;
use news_core::bus::{Bus, Consumer};
use news_fetcher::Fetcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

pub mod websub;

/// Read an HTTP request head; returns it with the request path, or `None`
/// when the client goes away first.
pub async fn read_head(sock: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<(String, String)> {
    let mut buf = vec![0u8; 8192];
    let mut got = 0;
    while !buf[..got].windows(4).any(|w| w == b"\r\n\r\n") {
        if got == buf.len() {
            return None;
        }
        match sock.read(&mut buf[got..]).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => got += n,
        }
    }
    let head = String::from_utf8_lossy(&buf[..got]).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    Some((head, path))
}

/// A complete `Connection: close` response.
pub fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// What the server did: every request path, in order, and the most
/// requests it ever had in flight at once.
#[derive(Default)]
pub struct Seen {
    /// Every request path, with when it came.
    pub requests: Mutex<Vec<(String, Instant)>>,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

impl Seen {
    pub fn count(&self, path: &str) -> usize {
        self.times(path).len()
    }

    /// When each request for `path` came, in order.
    pub fn times(&self, path: &str) -> Vec<Instant> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| *t)
            .collect()
    }
}

pub type Route = Arc<dyn Fn(&str, &str) -> (Vec<u8>, Duration) + Send + Sync>;

pub async fn serve(route: Route) -> (SocketAddr, Arc<Seen>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let seen2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (route, seen) = (route.clone(), seen2.clone());
            tokio::spawn(async move {
                let Some((head, path)) = read_head(&mut sock).await else {
                    return;
                };
                seen.requests
                    .lock()
                    .unwrap()
                    .push((path.clone(), Instant::now()));
                let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
                let (bytes, delay) = route(&path, &head);
                tokio::time::sleep(delay).await;
                seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = sock.write_all(&bytes).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (addr, seen)
}

pub fn rss(base: &str, links: &[String]) -> Vec<u8> {
    let items: String = links
        .iter()
        .map(|l| format!("<item><title>{l}</title><link>{base}{l}</link></item>"))
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>").into_bytes()
}

/// A site whose `/feed.xml` is `feed` and whose every other path is an
/// article page.
pub async fn serve_feed(feed: &'static [u8]) -> (SocketAddr, Arc<Seen>) {
    serve_site(feed.to_vec(), &[]).await
}

/// A site: `/feed.xml` is `feed`; each of `pages` (path, content type,
/// body) answers with its own; every other path is an article page.
pub async fn serve_site(
    feed: Vec<u8>,
    pages: &'static [(&'static str, &'static str, &'static [u8])],
) -> (SocketAddr, Arc<Seen>) {
    serve(Arc::new(move |path: &str, _: &str| {
        let body = match pages.iter().find(|(p, _, _)| *p == path) {
            Some((_, mime, body)) => reply("200 OK", &[("Content-Type", mime)], body),
            None if path == "/feed.xml" => reply("200 OK", &[], &feed),
            None => reply("200 OK", &[], &article(path)),
        };
        (body, Duration::ZERO)
    }))
    .await
}

pub fn article(title: &str) -> Vec<u8> {
    format!("<html><head><title>{title}</title></head><body><article><p>{title} body text.</p></article></body></html>").into_bytes()
}

/// The fetcher's state file in `dir`, as JSON.
pub fn read_state(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("fetcher-state.json")).unwrap()).unwrap()
}

/// Change the fetcher's state file in `dir`, as the next start reads it.
pub fn edit_state(dir: &std::path::Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut state = read_state(dir);
    edit(&mut state);
    std::fs::write(
        dir.join("fetcher-state.json"),
        serde_json::to_vec(&state).unwrap(),
    )
    .unwrap();
}

/// Make the feed `feed` due at the next round, as its schedule would a
/// while on.
pub fn make_due(dir: &std::path::Path, feed: &str) {
    edit_state(dir, |state| state["feeds"][feed]["next_poll"] = 0.into());
}

/// The feeds `discover_feeds` finds from `site`.
pub async fn discover(site: &url::Url) -> Vec<url::Url> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![]);
    let client = news_fetcher::HttpClient::new(&cfg.fetcher).unwrap();
    news_fetcher::discover_feeds(&client, site).await.unwrap()
}

pub fn config(dir: &std::path::Path, feeds: Vec<String>) -> Config {
    let mut c = Config::default();
    c.bus.data_dir = dir.to_path_buf();
    c.admin.listen = String::new();
    c.fetcher.feeds = feeds;
    c.fetcher.allow_ranges = vec!["127.0.0.0/8".into()];
    c.fetcher.per_host_interval = Duration::ZERO;
    c.fetcher.poll_min = Duration::from_secs(1);
    c.fetcher.poll_max = Duration::from_secs(1);
    c
}

/// Every message of `topic`, read with a throwaway group.
pub async fn read_all(bus: &Bus, topic: &str) -> Vec<serde_json::Value> {
    let group = format!("t-{}", std::time::UNIX_EPOCH.elapsed().unwrap().as_nanos());
    let mut consumer: Consumer = bus.consumer(&group, &[topic.to_string()]).unwrap();
    let mut out = Vec::new();
    while let Ok(Ok(r)) = tokio::time::timeout(Duration::from_millis(300), consumer.recv()).await {
        out.push(serde_json::from_slice(&r.payload).unwrap());
    }
    out
}

pub async fn run_once(config: &Config, bus: &Bus) -> news_fetcher::RoundReport {
    let fetcher = Fetcher::new(config.clone(), bus.producer().unwrap()).unwrap();
    fetcher.run(CancellationToken::new(), true).await.unwrap()
}

/// One round after `commands`, as a fetcher that read them from the
/// control topic at its start.
pub async fn run_once_after(
    config: &Config,
    bus: &Bus,
    commands: Vec<news_core::messages::FeedCommand>,
) -> news_fetcher::RoundReport {
    let (tx, rx) = tokio::sync::mpsc::channel(commands.len() + 1);
    for command in commands {
        tx.send(news_fetcher::Control::Command(command))
            .await
            .unwrap();
    }
    tx.send(news_fetcher::Control::CaughtUp).await.unwrap();
    let fetcher = Fetcher::new(config.clone(), bus.producer().unwrap())
        .unwrap()
        .with_control(rx);
    fetcher.run(CancellationToken::new(), true).await.unwrap()
}

/// A command that adds `feed` with `settings`.
pub fn add_command(
    feed: &str,
    settings: news_core::messages::FeedSettings,
) -> news_core::messages::FeedCommand {
    news_core::messages::FeedCommand {
        schema_version: news_core::messages::SCHEMA_VERSION,
        feed_url: feed.to_string(),
        action: news_core::messages::FeedAction::Add,
        at: chrono::Utc::now(),
        title: None,
        settings,
    }
}

/// One round over the feed at `http://addr/feed.xml`, on a fresh embedded
/// log: its directory (keep it while the bus is read), config, bus and
/// report.
/// What a round did with its pages: fetched, and dead-lettered.
pub fn pages_taken(report: &news_fetcher::RoundReport) -> (u64, u64) {
    (report.pages_fetched, report.dead_letters)
}

pub async fn poll_feed_once(
    addr: SocketAddr,
) -> (tempfile::TempDir, Config, Bus, news_fetcher::RoundReport) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), vec![format!("http://{addr}/feed.xml")]);
    let bus = Bus::from_config(&cfg).unwrap();
    let report = run_once(&cfg, &bus).await;
    (dir, cfg, bus, report)
}
