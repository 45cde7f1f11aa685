//! The broker goes away mid-stream and comes back: every stage retries and
//! nothing is lost. A dedicated tansu is reached only through a loopback
//! proxy (tansu advertises the proxy's address), and the proxy cuts every
//! connection and refuses new ones for longer than the session timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{child_env, repo_root, serve_dir_logged, spawn_newsmill, tail_json, unique};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

/// A tansu of our own, so that cutting it off disturbs no other test.
struct Tansu(std::process::Child);

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_tansu(port: u16, advertised: u16) -> Tansu {
    let out = Command::new(repo_root().join("scripts/tansu-install.sh"))
        .output()
        .expect("run tansu-install.sh");
    assert!(out.status.success(), "tansu-install failed");
    let bin = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let child = Command::new(bin)
        .args([
            "broker",
            "--listener-url",
            &format!("tcp://127.0.0.1:{port}"),
            "--advertised-listener-url",
            &format!("tcp://127.0.0.1:{advertised}"),
            "--storage-engine",
            "memory://tansu/",
        ])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tansu");
    Tansu(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_outage_mid_stream_loses_nothing() {
    const N: usize = 80;
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

    let (broker_port, proxy_port) = (free_port(), free_port());
    let _tansu = start_tansu(broker_port, proxy_port);
    let (up_tx, up_rx) = watch::channel(true);
    let listener = TcpListener::bind(("127.0.0.1", proxy_port)).await.unwrap();
    tokio::spawn(proxy(listener, broker_port, up_rx));
    let brokers = format!("127.0.0.1:{proxy_port}");

    let data = tempfile::tempdir().unwrap();
    let tag = unique("outage");
    let mut env = child_env(
        data.path(),
        Some(&brokers),
        &format!("http://{site}/feed.xml"),
        &tag,
    );
    // One page at a time (about 24 s for the site), so the outage lands mid-stream.
    env.push(("NEWSMILL__FETCHER__PER_HOST_CONCURRENCY".into(), "1".into()));
    let mut run = spawn_newsmill("run", &env);

    // Let the pipeline get going, then cut the broker off mid-stream: a
    // quarter of the pages fetched.
    let started = Instant::now();
    loop {
        let pages = requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.ends_with(".html"))
            .count();
        if pages >= N / 4 {
            assert!(pages < N, "the outage must land mid-stream");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "pipeline never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    up_tx.send(false).unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    up_tx.send(true).unwrap();
    let outage_over = Instant::now();

    let mut verdicts = Vec::new();
    while outage_over.elapsed() < Duration::from_secs(150) {
        verdicts = tail_json(&env, &format!("{tag}.dedup"));
        let distinct: BTreeSet<&str> = verdicts.iter().map(|v| v["id"].as_str().unwrap()).collect();
        if distinct.len() == N {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let _ = run.kill();
    let _ = run.wait();
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
        "every article reaches news.dedup.v1 after the outage"
    );
    assert!(
        decisions.values().all(|d| d.len() == 1),
        "repeated deliveries agree: {decisions:?}"
    );
}
