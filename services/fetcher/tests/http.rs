//! The HTTP client against a real loopback server with scripted responses.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use news_core::config::FetcherConfig;
use news_fetcher::http::{FetchError, HttpClient, Validators};
use tokio::io::AsyncWriteExt;
use url::Url;

mod common;
use common::{read_head, reply};

/// Serve each request with `respond(path, request_head)`; `None` means hang.
async fn server(respond: fn(&str, &str) -> Option<Vec<u8>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                break;
            };
            tokio::spawn(async move {
                let Some((head, path)) = read_head(&mut sock).await else {
                    return;
                };
                match respond(&path, &head) {
                    Some(bytes) => {
                        let _ = sock.write_all(&bytes).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    addr
}

fn client(allow_loopback: bool) -> HttpClient {
    let mut cfg = FetcherConfig::default();
    if allow_loopback {
        cfg.allow_ranges = vec!["127.0.0.0/8".into()];
    }
    cfg.total_timeout = Duration::from_secs(2);
    cfg.read_timeout = Duration::from_secs(2);
    cfg.max_body_bytes = 64 * 1024;
    HttpClient::new(&cfg).unwrap()
}

fn url(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).unwrap()
}

/// 10 MB of zeros in about 10 kB of gzip, built once.
static BOMB: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 10 * 1024 * 1024]).unwrap();
    gz.finish().unwrap()
});

fn routes(path: &str, head: &str) -> Option<Vec<u8>> {
    match path {
        "/feed" if head.to_ascii_lowercase().contains("if-none-match: \"v1\"") => {
            Some(reply("304 Not Modified", &[("ETag", "\"v1\"")], b""))
        }
        "/feed" => Some(reply(
            "200 OK",
            &[("ETag", "\"v1\""), ("Cache-Control", "max-age=600")],
            b"<rss/>",
        )),
        "/busy" => Some(reply(
            "429 Too Many Requests",
            &[("Retry-After", "120")],
            b"",
        )),
        "/gone" => Some(reply("410 Gone", &[], b"")),
        "/to-private" => Some(reply(
            "302 Found",
            &[("Location", "http://10.0.0.1/secret")],
            b"",
        )),
        "/loop" => Some(reply("302 Found", &[("Location", "/loop")], b"")),
        "/big" => Some(reply("200 OK", &[], &vec![b'a'; 200 * 1024])),
        "/bomb" => Some(reply("200 OK", &[("Content-Encoding", "gzip")], &BOMB)),
        "/slow" => None,
        _ => Some(reply("404 Not Found", &[], b"")),
    }
}

#[tokio::test]
async fn conditional_get_gives_304_with_stored_validators() {
    let addr = server(routes).await;
    let c = client(true);
    let first = c.get(&url(addr, "/feed"), None, "feed").await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.max_age, Some(Duration::from_secs(600)));
    let again = c
        .get(&url(addr, "/feed"), Some(&first.validators), "feed")
        .await
        .unwrap();
    assert!(again.not_modified());
    let fresh = c
        .get(&url(addr, "/feed"), Some(&Validators::default()), "feed")
        .await
        .unwrap();
    assert_eq!(fresh.status, 200);
}

#[tokio::test]
async fn retry_after_and_gone_are_reported() {
    let addr = server(routes).await;
    let c = client(true);
    let busy = c.get(&url(addr, "/busy"), None, "feed").await.unwrap();
    assert_eq!(
        (busy.status, busy.retry_after),
        (429, Some(Duration::from_secs(120)))
    );
    assert_eq!(
        c.get(&url(addr, "/gone"), None, "feed")
            .await
            .unwrap()
            .status,
        410
    );
}

#[tokio::test]
async fn private_addresses_are_refused_directly_and_after_redirects() {
    let addr = server(routes).await;
    // Loopback itself is refused unless allowed.
    let err = client(false)
        .get(&url(addr, "/feed"), None, "feed")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
    // Allowed loopback, but the redirect points into 10/8: refused.
    let err = client(true)
        .get(&url(addr, "/to-private"), None, "article")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
    // A redirect loop stops at the cap.
    let err = client(true)
        .get(&url(addr, "/loop"), None, "article")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
}

#[tokio::test]
async fn file_urls_are_refused_by_default() {
    let err = client(false)
        .get(&Url::parse("file:///etc/passwd").unwrap(), None, "feed")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
}

#[tokio::test]
async fn size_caps_hold_for_plain_and_compressed_bodies() {
    let addr = server(routes).await;
    let c = client(true);
    assert!(matches!(
        c.get(&url(addr, "/big"), None, "article").await,
        Err(FetchError::TooLarge(_))
    ));
    // 10 MB of zeros in a few kB of gzip: stopped at the 64 KiB cap.
    std::sync::LazyLock::force(&BOMB);
    let bomb = c.get(&url(addr, "/bomb"), None, "article").await;
    assert!(matches!(bomb, Err(FetchError::TooLarge(_))), "{bomb:?}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let addr = server(routes).await;
    let started = std::time::Instant::now();
    let err = client(true)
        .get(&url(addr, "/slow"), None, "article")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}
