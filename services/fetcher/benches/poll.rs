//! Polling benchmark: 10,000 feeds on 100 loopback hosts (127.0.0.1 to
//! 127.0.0.100, so each host is its own domain for the per-host limits),
//! served by a child process with 10 to 90 ms of latency per response.
//!
//!     cargo bench -p news-fetcher --bench poll [-- FEEDS HOSTS]
//!
//! Two rounds: the first fetches every feed and its 2 new articles; before
//! the second, the server changes 10% of the feeds, so the rest answer 304.
//! The peer, measured in the same run, is the HTTP floor: plain reqwest GETs
//! of the same feed URLs at the same concurrency, with no parsing or state.
//! CPU and peak memory are this process's own (the server is another one).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use news_core::Config;
use news_core::bus::Bus;
use news_fetcher::Fetcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

const PER_HOST: usize = 2;
const ITEMS: usize = 2;

fn main() {
    if std::env::var_os("NEWSMILL_POLL_SERVER").is_some() {
        let hosts: usize = std::env::var("NEWSMILL_POLL_SERVER")
            .unwrap()
            .parse()
            .unwrap();
        return serve(hosts);
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    // `cargo test --all-targets` runs this without `--bench`, in a debug
    // build: a few hundred feeds are enough there to check both rounds.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let feeds = args
        .first()
        .copied()
        .unwrap_or(if smoke { 300 } else { 10_000 });
    let hosts = args.get(1).copied().unwrap_or(if smoke { 10 } else { 100 });
    let mut server = Command::new(std::env::current_exe().unwrap())
        .env("NEWSMILL_POLL_SERVER", hosts.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the feed server");
    let mut ready = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    let port: u16 = ready.trim().parse().expect("server prints its port");
    let urls: Vec<String> = (0..feeds)
        .map(|i| format!("http://127.0.0.{}:{port}/feed/{i}.xml", 1 + i % hosts))
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(bench(urls, hosts, port));
    let _ = server.kill();
    let _ = server.wait();
}

async fn bench(urls: Vec<String>, hosts: usize, port: u16) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::default();
    cfg.bus.data_dir = dir.path().to_path_buf();
    cfg.admin.listen = String::new();
    cfg.fetcher.feeds = urls.clone();
    cfg.fetcher.allow_ranges = vec!["127.0.0.0/8".into()];
    cfg.fetcher.per_host_interval = Duration::ZERO;
    cfg.fetcher.per_host_concurrency = PER_HOST;
    cfg.fetcher.max_concurrency = PER_HOST * hosts;
    cfg.fetcher.poll_min = Duration::from_secs(1);
    cfg.fetcher.poll_max = Duration::from_secs(1);
    let feeds = urls.len();
    println!(
        "polling {feeds} feeds on {hosts} hosts, {ITEMS} items each, per-host concurrency {PER_HOST}, latency 10-90 ms"
    );

    let floor = http_floor(&urls, PER_HOST * hosts).await;
    println!(
        "HTTP floor (reqwest GET, no parsing): {:.0} req/s",
        feeds as f64 / floor
    );

    let bus = Bus::from_config(&cfg).unwrap();
    let (cpu0, rss0) = (cpu_seconds(), rss_bytes());
    let mut rounds = Vec::new();
    for round in 1..=2 {
        if round == 2 {
            // 10% of the feeds get a new item; the rest stay unchanged.
            let _ = reqwest::get(format!("http://127.0.0.1:{port}/bump")).await;
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
        let start = Instant::now();
        let report = fetcher.run(CancellationToken::new(), true).await.unwrap();
        let secs = start.elapsed().as_secs_f64();
        // Requests: the feeds, their new pages and one robots.txt per host.
        let requests = report.feeds_polled + report.pages_fetched + hosts as u64;
        let floor_rps = feeds as f64 / floor;
        println!(
            "round {round}: {} feeds in {secs:.2}s = {:.0} feeds/s; {requests} requests = {:.0} req/s ({:.2}x the HTTP floor's req/s); {} not modified ({:.1}%), {} pages fetched, {} failures",
            report.feeds_polled,
            report.feeds_polled as f64 / secs,
            requests as f64 / secs,
            requests as f64 / secs / floor_rps,
            report.not_modified,
            100.0 * report.not_modified as f64 / report.feeds_polled.max(1) as f64,
            report.pages_fetched,
            report.failures
        );
        rounds.push(report);
    }
    // Both rounds polled every feed without a failure; the first took every
    // page, the second only those of the feeds that changed.
    let (first, second) = (&rounds[0], &rounds[1]);
    let feeds_u = feeds as u64;
    assert_eq!((first.feeds_polled, first.failures), (feeds_u, 0));
    assert_eq!(first.pages_fetched, feeds_u * ITEMS as u64);
    assert_eq!((second.feeds_polled, second.failures), (feeds_u, 0));
    assert!(second.not_modified > 0 && second.not_modified < feeds_u);
    assert_eq!(
        second.pages_fetched,
        (feeds_u - second.not_modified) * ITEMS as u64
    );
    let cpu = cpu_seconds() - cpu0;
    let rss = rss_peak_bytes().saturating_sub(rss0);
    let per10k = 10_000.0 / feeds as f64;
    println!(
        "CPU {:.2}s and peak memory growth {:.1} MiB per 10,000 feeds (both rounds, fetcher process only)",
        cpu * per10k,
        rss as f64 * per10k / (1024.0 * 1024.0)
    );
}

/// Seconds to GET every URL once with plain reqwest at `concurrency`.
async fn http_floor(urls: &[String], concurrency: usize) -> f64 {
    news_fetcher::http::install_tls_provider();
    let client = reqwest::Client::new();
    let ok = AtomicU64::new(0);
    let start = Instant::now();
    futures::stream::iter(urls)
        .map(|u| {
            let (client, ok) = (&client, &ok);
            async move {
                if let Ok(r) = client.get(u).send().await
                    && r.bytes().await.is_ok()
                {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect::<()>()
        .await;
    assert_eq!(ok.load(Ordering::Relaxed) as usize, urls.len());
    start.elapsed().as_secs_f64()
}

fn proc_status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

fn rss_bytes() -> u64 {
    proc_status("VmRSS:")
}

fn rss_peak_bytes() -> u64 {
    proc_status("VmHWM:")
}

/// User plus system CPU time of this process.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// The feed server: every host answers /feed/N.xml (RSS with an ETag that
/// changes when the feed does), /a/N-V-I.html and a 404 robots.txt.
fn serve(hosts: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let first = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = first.local_addr().unwrap().port();
        let version = Arc::new(AtomicU64::new(0));
        let mut listeners = vec![first];
        for h in 2..=hosts {
            listeners.push(
                tokio::net::TcpListener::bind(format!("127.0.0.{h}:{port}"))
                    .await
                    .expect("bind 127.0.0.x"),
            );
        }
        println!("{port}");
        for listener in listeners {
            let version = version.clone();
            tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    tokio::spawn(handle(sock, version.clone()));
                }
            });
        }
        std::future::pending::<()>().await;
    });
}

async fn handle(mut sock: tokio::net::TcpStream, version: Arc<AtomicU64>) {
    let mut buf = vec![0u8; 4096];
    let mut got = 0;
    while !buf[..got].windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut buf[got..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => got += n,
        }
        if got == buf.len() {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf[..got]).to_ascii_lowercase();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let n: u64 = path
        .trim_start_matches("/feed/")
        .trim_start_matches("/a/")
        .split(['.', '-'])
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Deterministic latency of 10 to 90 ms per resource.
    let latency = 10 + (n.wrapping_mul(2_654_435_761) >> 7) % 81;
    tokio::time::sleep(Duration::from_millis(latency)).await;
    let (status, etag, body) = if path == "/bump" {
        version.fetch_add(1, Ordering::SeqCst);
        ("200 OK", String::new(), String::new())
    } else if let Some(rest) = path.strip_prefix("/feed/") {
        // About every tenth feed changes on each bump.
        // (A hash, not n % 10: feeds are spread over hosts by n % hosts.)
        let v = if (n.wrapping_mul(11_400_714_819_323_198_485) >> 32).is_multiple_of(10) {
            version.load(Ordering::SeqCst)
        } else {
            0
        };
        let etag = format!("\"{n}-{v}\"");
        if head.contains(&format!("if-none-match: {etag}")) {
            ("304 Not Modified", etag, String::new())
        } else {
            let _ = rest;
            let items: String = (0..ITEMS)
                .map(|i| {
                    format!(
                        "<item><title>Story {n} {v} {i}</title><link>/a/{n}-{v}-{i}.html</link><guid>{n}-{v}-{i}</guid><pubDate>Mon, 03 Jun 2024 10:{:02}:00 GMT</pubDate><description>Summary of story {n} number {i}, with a few more words of text.</description></item>",
                        i % 60
                    )
                })
                .collect();
            (
                "200 OK",
                etag,
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Feed {n}</title><link>/</link><description>Bench feed</description>{items}</channel></rss>"
                ),
            )
        }
    } else if path.starts_with("/a/") {
        (
            "200 OK",
            String::new(),
            format!(
                "<html><head><title>Story {path}</title></head><body><article><h1>Story</h1><p>Body of {path} with words.</p></article></body></html>"
            ),
        )
    } else {
        ("404 Not Found", String::new(), String::new())
    };
    let etag_line = if etag.is_empty() {
        String::new()
    } else {
        format!("ETag: {etag}\r\n")
    };
    let resp = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{etag_line}Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(resp.as_bytes()).await;
    let _ = sock.shutdown().await;
}
