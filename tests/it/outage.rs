//! The broker goes away mid-stream and comes back: every stage retries and
//! nothing is lost. Two faults:
//! - an outage: a dedicated tansu is reached only through a loopback proxy
//!   (tansu advertises the proxy's address), and the proxy cuts every
//!   connection and refuses new ones for longer than the session timeout;
//! - a restart: the tansu process is SIGKILLed and a new one starts on the
//!   same port. Its storage is a local S3 server (moto), so topics, records
//!   and committed offsets outlive the process, as on a real broker.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{
    RequestLog, Running, child_env, free_port, repo_root, serve_dir_logged, spawn_newsmill,
    tail_json, unique,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Articles per run; one page at a time at 300 ms each, so a fault lands
/// mid-stream.
const N: usize = 80;

/// Forward `listen` to `upstream` while `up` is true; when it turns false,
/// every open connection is dropped and new ones are closed at once.
async fn proxy(listener: TcpListener, upstream: u16, up: watch::Receiver<bool>) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        if !*up.borrow() {
            continue; // dropped: the client sees the connection close
        }
        let mut up = up.clone();
        tokio::spawn(async move {
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                return;
            };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                _ = up.wait_for(|u| !*u) => {}
            }
        });
    }
}

/// Where a test tansu keeps its data.
enum Storage {
    Memory,
    /// A bucket on the local S3 server at this endpoint.
    S3(String),
}

/// A tansu of our own, so that cutting it off disturbs no other test.
fn start_tansu(port: u16, advertised: u16, storage: &Storage) -> Running {
    let bin = install("tansu-install.sh");
    let mut cmd = Command::new(bin);
    cmd.args([
        "broker",
        "--listener-url",
        &format!("tcp://127.0.0.1:{port}"),
        "--advertised-listener-url",
        &format!("tcp://127.0.0.1:{advertised}"),
        "--storage-engine",
    ]);
    match storage {
        Storage::Memory => {
            cmd.arg("memory://tansu/");
        }
        Storage::S3(endpoint) => {
            // moto accepts any credentials; these are not secrets.
            cmd.arg("s3://tansu/")
                .env("AWS_ENDPOINT", endpoint)
                .env("AWS_ALLOW_HTTP", "true")
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_DEFAULT_REGION", "us-east-1");
        }
    }
    let child = cmd
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tansu");
    let tansu = Running(child);
    wait_until("tansu to listen", Duration::from_secs(30), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    tansu
}

/// Poll `ready` until it holds; fail the test after `limit`.
fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Run an install script from `scripts/` and return the path it prints.
fn install(script: &str) -> String {
    let out = Command::new(repo_root().join("scripts").join(script))
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A local S3 server with the bucket `tansu`; returns it and its endpoint.
fn start_s3() -> (Running, String) {
    let port = free_port();
    let child = Command::new(install("s3-install.sh"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let server = Running(child);
    // Ready when the bucket can be created (200), which the broker needs.
    wait_until("the S3 server", Duration::from_secs(60), || {
        http_put_status(port, "/tansu") == Some(200)
    });
    (server, format!("http://127.0.0.1:{port}"))
}

fn http_put_status(port: u16, path: &str) -> Option<u16> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A feed of `N` distinct harbour reports, served one page at a time.
async fn harbour_site() -> (tempfile::TempDir, SocketAddr, RequestLog) {
    let site_dir = tempfile::tempdir().unwrap();
    let mut items = String::new();
    for i in 0..N {
        std::fs::write(
            site_dir.path().join(format!("{i}.html")),
            format!("<html><head><title>Harbour report {i}</title></head><body><article><p>The harbour board of town {i} met on day {i} and approved berth number {} for ferries, after a vote of {} to {}.</p><p>Work on berth {} starts in {} weeks, the board chair of town {i} said.</p></article></body></html>", 300 + i * 13, 5 + i % 7, i % 3, 300 + i * 13, 2 + i % 9),
        )
        .unwrap();
        items.push_str(&format!(
            "<item><title>Harbour report {i}</title><link>{i}.html</link></item>"
        ));
    }
    std::fs::write(
        site_dir.path().join("feed.xml"),
        format!("<rss version=\"2.0\"><channel><title>h</title>{items}</channel></rss>"),
    )
    .unwrap();
    let (site, requests) =
        serve_dir_logged(site_dir.path().to_path_buf(), Duration::from_millis(300)).await;
    (site_dir, site, requests)
}

/// `newsmill run` against `brokers`, one page at a time (about 24 s for the
/// site), so that a fault lands mid-stream.
fn pipeline_env(
    data: &std::path::Path,
    brokers: &str,
    site: SocketAddr,
    tag: &str,
) -> Vec<(String, String)> {
    let mut env = child_env(data, Some(brokers), &format!("http://{site}/feed.xml"), tag);
    env.push(("NEWSMILL__FETCHER__PER_HOST_CONCURRENCY".into(), "1".into()));
    env
}

/// Wait until a quarter of the pages are fetched, and not all of them.
async fn wait_until_mid_stream(requests: &RequestLog) {
    let started = Instant::now();
    loop {
        let pages = requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.ends_with(".html"))
            .count();
        if pages >= N / 4 {
            assert!(pages < N, "the fault must land mid-stream");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "pipeline never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every article reaches `news.dedup.v1`, and repeated deliveries of one
/// article agree on its verdict and story.
async fn assert_nothing_lost(env: &[(String, String)], tag: &str, run: Running) {
    let fault_over = Instant::now();
    let mut verdicts = Vec::new();
    while fault_over.elapsed() < Duration::from_secs(150) {
        verdicts = tail_json(env, &format!("{tag}.dedup"));
        let distinct: BTreeSet<&str> = verdicts.iter().map(|v| v["id"].as_str().unwrap()).collect();
        if distinct.len() == N {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    drop(run);
    let mut decisions: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for v in &verdicts {
        decisions
            .entry(v["id"].as_str().unwrap())
            .or_default()
            .insert(format!("{} {}", v["kind"], v["story_id"]));
    }
    assert_eq!(
        decisions.len(),
        N,
        "every article reaches news.dedup.v1 after the fault"
    );
    assert!(
        decisions.values().all(|d| d.len() == 1),
        "repeated deliveries agree: {decisions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_outage_mid_stream_loses_nothing() {
    let (_site_dir, site, requests) = harbour_site().await;
    let (broker_port, proxy_port) = (free_port(), free_port());
    let _tansu = start_tansu(broker_port, proxy_port, &Storage::Memory);
    let (up_tx, up_rx) = watch::channel(true);
    let listener = TcpListener::bind(("127.0.0.1", proxy_port)).await.unwrap();
    tokio::spawn(proxy(listener, broker_port, up_rx));

    let data = tempfile::tempdir().unwrap();
    let tag = unique("outage");
    let env = pipeline_env(data.path(), &format!("127.0.0.1:{proxy_port}"), site, &tag);
    let run = spawn_newsmill("run", &env);

    wait_until_mid_stream(&requests).await;
    up_tx.send(false).unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    up_tx.send(true).unwrap();
    assert_nothing_lost(&env, &tag, run).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_stream_loses_nothing() {
    let (_site_dir, site, requests) = harbour_site().await;
    let (_s3, endpoint) = start_s3();
    let storage = Storage::S3(endpoint);
    let port = free_port();
    let mut tansu = start_tansu(port, port, &storage);

    let data = tempfile::tempdir().unwrap();
    let tag = unique("restart");
    let env = pipeline_env(data.path(), &format!("127.0.0.1:{port}"), site, &tag);
    let run = spawn_newsmill("run", &env);

    wait_until_mid_stream(&requests).await;
    tansu.0.kill().expect("SIGKILL tansu");
    tansu.0.wait().unwrap();
    // Down for longer than the session timeout (6 s), then a new process on
    // the same port and the same storage.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let _tansu = start_tansu(port, port, &storage);
    assert_nothing_lost(&env, &tag, run).await;
}
