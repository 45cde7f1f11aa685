//! Hostile servers and documents: slowloris, endless chunked bodies, SSRF to
//! every private range (directly and through a redirect), entity expansion
//! and external entities, and a 10 MB feed of 100,000 items. Loopback only.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use news_core::Config;
use news_core::bus::Bus;
use news_core::config::FetcherConfig;
use news_fetcher::http::{FetchError, HttpClient};
use news_fetcher::{Fetcher, parse_feed};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;
use url::Url;

mod common;
use common::{read_head, reply};

/// A server whose every connection is handled by `behave` after the
/// request head has been read.
async fn server<F, Fut>(behave: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream, String) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some((_, path)) = read_head(&mut sock).await else {
                    return;
                };
                behave(sock, path).await;
            });
        }
    });
    addr
}

fn client(allow: &[&str]) -> HttpClient {
    let cfg = FetcherConfig {
        allow_ranges: allow.iter().map(|s| s.to_string()).collect(),
        total_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(1),
        max_body_bytes: 256 * 1024,
        ..FetcherConfig::default()
    };
    HttpClient::new(&cfg).unwrap()
}

#[tokio::test]
async fn slowloris_and_endless_chunked_bodies_are_cut_off() {
    let addr = server(|mut sock, path| async move {
        if path == "/slowloris" {
            // Headers, then a one-byte chunk every 300 ms, for ever: never
            // idle long enough for the read timeout, never large.
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await;
            loop {
                if sock.write_all(b"1\r\nx\r\n").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        } else {
            // An endless chunked body, as fast as the client reads.
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await;
            let chunk = format!("{:x}\r\n{}\r\n", 4096, "y".repeat(4096));
            while sock.write_all(chunk.as_bytes()).await.is_ok() {}
        }
    })
    .await;
    let c = client(&["127.0.0.0/8"]);
    let started = Instant::now();
    let slow = c
        .get(
            &Url::parse(&format!("http://{addr}/slowloris")).unwrap(),
            None,
            "article",
        )
        .await;
    assert!(matches!(slow, Err(FetchError::Timeout)), "{slow:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "total timeout holds"
    );
    let endless = c
        .get(
            &Url::parse(&format!("http://{addr}/chunked")).unwrap(),
            None,
            "article",
        )
        .await;
    assert!(
        matches!(endless, Err(FetchError::TooLarge(_))),
        "{endless:?}"
    );
}

/// One address in each range the issue names, plus the cloud metadata one.
const PRIVATE: &[&str] = &[
    "127.0.0.2",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "169.254.169.254",
    "[::1]",
    "[fc00::1]",
    "[fd00::1]",
];

#[tokio::test]
async fn every_private_range_is_refused_directly_and_through_a_redirect() {
    let c = client(&[]);
    for host in PRIVATE {
        let url = Url::parse(&format!("http://{host}/latest/meta-data/")).unwrap();
        let err = c.get(&url, None, "feed").await.unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{host}: {err:?}");
    }
    // The first hop is allowed (127.0.0.1 only); each redirect target is not.
    let addr = server(|mut sock, path| async move {
        let target = path.trim_start_matches("/to/");
        let resp = format!(
            "HTTP/1.1 302 Found\r\nLocation: http://{target}/secret\r\nContent-Length: 0\r\n\r\n"
        );
        let _ = sock.write_all(resp.as_bytes()).await;
    })
    .await;
    let c = client(&["127.0.0.1/32"]);
    for host in PRIVATE {
        let url = Url::parse(&format!("http://{addr}/to/{host}")).unwrap();
        let err = c.get(&url, None, "article").await.unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{host}: {err:?}");
    }
    // The operator can allow a range.
    let ok = client(&["127.0.0.0/8"])
        .get(
            &Url::parse(&format!("http://{addr}/to/127.0.0.1:{}", addr.port())).unwrap(),
            None,
            "article",
        )
        .await;
    assert!(!matches!(ok, Err(FetchError::Refused(_))), "{ok:?}");
}

#[test]
fn entity_expansion_and_external_entities_are_not_performed() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>leak &xxe;</title><link>https://example.org/a</link><description>&xxe;</description></item>
</channel></rss>"#;
    let started = Instant::now();
    let feed = parse_feed(laughs.as_bytes(), "https://example.org/feed", None);
    assert!(started.elapsed() < Duration::from_secs(2));
    // Either an error or a feed, but never the expansion or the file.
    if let Ok(feed) = feed {
        let json = serde_json::to_string(&feed).unwrap();
        assert!(json.len() < 10_000, "no expansion: {} bytes", json.len());
        assert!(!json.contains("root:"), "no local file read");
        assert!(!json.contains("lollol"), "no entity expansion");
    }
}

fn huge_feed(items: usize) -> Vec<u8> {
    let mut doc =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>huge</title>");
    for i in 0..items {
        doc.push_str(&format!(
            "<item><title>Item {i}</title><link>/a/{i}</link><description>Some text for item {i}.</description></item>"
        ));
    }
    doc.push_str("</channel></rss>");
    doc.into_bytes()
}

#[tokio::test]
async fn a_10_mb_feed_of_100000_items_is_parsed_and_taken_in_bounded_bites() {
    static FEED: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| huge_feed(100_000));
    assert!(FEED.len() > 10_000_000, "{} bytes", FEED.len());
    let addr = server(|mut sock, path| async move {
        let body: Vec<u8> = match path.as_str() {
            "/feed.xml" => FEED.clone(),
            "/robots.txt" => Vec::new(),
            p => format!("<html><body><p>page {p}</p></body></html>").into_bytes(),
        };
        let _ = sock.write_all(&reply("200 OK", &[], &body)).await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::default();
    cfg.bus.data_dir = dir.path().to_path_buf();
    cfg.fetcher.feeds = vec![format!("http://{addr}/feed.xml")];
    cfg.fetcher.allow_ranges = vec!["127.0.0.0/8".into()];
    cfg.fetcher.per_host_interval = Duration::ZERO;
    cfg.fetcher.max_body_bytes = 16 * 1024 * 1024;
    cfg.fetcher.max_items_per_poll = 50;
    cfg.fetcher.total_timeout = Duration::from_secs(60);
    let bus = Bus::from_config(&cfg).unwrap();
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
    let report = fetcher.run(CancellationToken::new(), true).await.unwrap();
    assert_eq!(report.failures, 0, "{report:?}");
    assert_eq!(
        report.items_new, 50,
        "one poll takes at most max_items_per_poll"
    );
    assert_eq!(report.pages_fetched, 50);
    // With a small body cap the same feed is refused, not read.
    let small = client(&["127.0.0.0/8"])
        .get(
            &Url::parse(&format!("http://{addr}/feed.xml")).unwrap(),
            None,
            "feed",
        )
        .await;
    assert!(matches!(small, Err(FetchError::TooLarge(_))), "{small:?}");
}
