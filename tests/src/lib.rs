//! Helpers for end-to-end tests: the test broker, the `newsmill` binary, and a
//! real loopback HTTP server. No mocks here.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// Repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A client not written in Rust (confluent-kafka in the venv that
/// `scripts/test.sh` makes) reads each `(topic, schema topic)` and
/// validates every message against its schema; its report ("<topic>: N
/// valid" per topic). Fails the test on any invalid message or empty topic.
pub fn validate_with_python(brokers: &str, topics: &[(String, &str)]) -> String {
    let python = repo_root().join(".cache/venv/bin/python");
    assert!(
        python.exists(),
        "missing {}: run scripts/test.sh, which creates the venv",
        python.display()
    );
    let mut cmd = std::process::Command::new(python);
    cmd.arg(repo_root().join("tests/python/validate_topics.py"))
        .arg(brokers);
    for (topic, schema_topic) in topics {
        cmd.arg(format!("{topic}={schema_topic}"));
    }
    let out = cmd.output().expect("run python validator");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python validation failed:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    report
}

/// Bootstrap address of the test broker: `KAFKA_BROKERS` when set, else a
/// tansu started by `scripts/tansu-start.sh` for this test process (stopped
/// by the script's watchdog when the process exits).
pub fn broker() -> String {
    static BROKER: OnceLock<String> = OnceLock::new();
    BROKER
        .get_or_init(|| {
            if let Ok(b) = std::env::var("KAFKA_BROKERS")
                && !b.trim().is_empty()
            {
                return b;
            }
            let out = Command::new(repo_root().join("scripts/tansu-start.sh"))
                .arg("--watch")
                .arg(std::process::id().to_string())
                .output()
                .expect("run scripts/tansu-start.sh");
            assert!(
                out.status.success(),
                "tansu-start failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout)
                .expect("utf8")
                .trim()
                .to_string()
        })
        .clone()
}

/// The `newsmill` binary, built once if needed.
pub fn newsmill_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // `scripts/test.sh` names the binary its `cargo test --workspace`
        // built (for newsmill's own tests). A `cargo build -p newsmill`
        // here would resolve the crates' features without the workspace's
        // dev-dependencies and build most of them again, a minute or two
        // of CI.
        if let Some(bin) = std::env::var_os("NEWSMILL_TEST_BIN") {
            let bin = PathBuf::from(bin);
            assert!(bin.exists(), "NEWSMILL_TEST_BIN: no {}", bin.display());
            return bin;
        }
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "newsmill", "--bin", "newsmill"])
            .current_dir(repo_root())
            .status()
            .expect("cargo build newsmill");
        assert!(status.success(), "building newsmill failed");
        // The test executable lives in target/<profile>/deps/.
        let exe = std::env::current_exe().expect("current exe");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let bin = profile_dir.join("newsmill");
        assert!(bin.exists(), "no newsmill binary at {}", bin.display());
        bin
    })
    .clone()
}

/// A loopback port free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A unique name for topics and groups.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

/// Serve the files under `dir` on a loopback port, each response after
/// `delay`. Returns the address; the server runs until the runtime stops.
pub async fn serve_dir(dir: PathBuf, delay: Duration) -> SocketAddr {
    serve_dir_logged(dir, delay).await.0
}

/// Paths requested from a test server, in arrival order.
pub type RequestLog = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// `serve_dir`, also returning the log of requested paths.
pub async fn serve_dir_logged(dir: PathBuf, delay: Duration) -> (SocketAddr, RequestLog) {
    serve_dir_logged_at("127.0.0.1", dir, delay).await
}

/// `serve_dir_logged` on loopback address `ip` (any of 127/8): sites on
/// several addresses are several hosts to the fetcher.
pub async fn serve_dir_logged_at(
    ip: &str,
    dir: PathBuf,
    delay: Duration,
) -> (SocketAddr, RequestLog) {
    let log = RequestLog::default();
    let log_in_server = log.clone();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind((ip, 0))
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                break;
            };
            let dir = dir.clone();
            let log = log_in_server.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = 0;
                loop {
                    let Ok(n) = sock.read(&mut buf[got..]).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got += n;
                    if buf[..got].windows(4).any(|w| w == b"\r\n\r\n") || got == buf.len() {
                        break;
                    }
                }
                let head = String::from_utf8_lossy(&buf[..got]).to_string();
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .to_string();
                log.lock().unwrap().push(path.clone());
                tokio::time::sleep(delay).await;
                let file = dir.join(path.trim_start_matches('/'));
                let (status, body) = match (file.starts_with(&dir), std::fs::read(&file)) {
                    (true, Ok(b)) => ("200 OK", b),
                    _ => ("404 Not Found", b"not found".to_vec()),
                };
                let ctype = if path.ends_with(".xml") {
                    "application/rss+xml"
                } else {
                    "text/html; charset=utf-8"
                };
                let header = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(header.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (addr, log)
}

/// Environment for a `newsmill` child process: isolated data dir, topics and
/// groups, loopback allowed for the test server, ephemeral admin port.
pub fn child_env(
    data_dir: &Path,
    brokers: Option<&str>,
    feed_url: &str,
    tag: &str,
) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "NEWSMILL__BUS__DATA_DIR".into(),
            data_dir.display().to_string(),
        ),
        ("NEWSMILL__BUS__GROUP_PREFIX".into(), format!("g-{tag}")),
        ("NEWSMILL__ADMIN__LISTEN".into(), "127.0.0.1:0".into()),
        (
            "NEWSMILL__FETCHER__FEEDS".into(),
            format!("[\"{feed_url}\"]"),
        ),
        (
            "NEWSMILL__FETCHER__ALLOW_RANGES".into(),
            "[\"127.0.0.0/8\"]".into(),
        ),
        ("NEWSMILL__FETCHER__PER_HOST_CONCURRENCY".into(), "4".into()),
        ("NEWSMILL__FETCHER__PER_HOST_INTERVAL".into(), "0s".into()),
        ("NEWSMILL__RUNNER__SESSION_TIMEOUT".into(), "6s".into()),
        // Tests' streams are dated days back, and a quiet dedup would close
        // their stories by this clock while a test waits between batches;
        // quiet closing has tests of its own, which turn it on.
        ("NEWSMILL__DEDUP__QUIET_CLOSE_DELAY".into(), "0s".into()),
        // Kept logs (NEWSMILL_TEST_LOGS) say what happened, not only what failed.
        (
            "RUST_LOG".into(),
            if std::env::var_os("NEWSMILL_TEST_LOGS").is_some() {
                "info"
            } else {
                "warn"
            }
            .into(),
        ),
    ];
    if let Some(b) = brokers {
        env.push(("NEWSMILL__BUS__BROKERS".into(), b.into()));
        for role in [
            "raw",
            "clean",
            "dedup",
            "stories",
            "dlq",
            "feeds",
            "dedup_changelog",
            "articles",
        ] {
            env.push((
                format!("NEWSMILL__TOPICS__{}", role.to_uppercase()),
                format!("{tag}.{role}"),
            ));
        }
    }
    env
}

/// Serve `site_dir` on loopback and make a data directory and the
/// environment of runs on the embedded log that read its `feed.xml`.
pub async fn serve_on_the_embedded_log(
    site_dir: &std::path::Path,
    tag: &str,
) -> (tempfile::TempDir, Vec<(String, String)>) {
    let site = serve_dir(site_dir.to_path_buf(), Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    let env = child_env(
        data.path(),
        None,
        &format!("http://{site}/feed.xml"),
        &unique(tag),
    );
    (data, env)
}

/// Run `newsmill ARGS` to its end with `env`; a failure fails the test with
/// what it said.
pub fn run_newsmill(args: &[&str], env: &[(String, String)]) -> std::process::Output {
    let out = Command::new(newsmill_bin())
        .args(args)
        .envs(env.iter().cloned())
        .output()
        .unwrap_or_else(|e| panic!("run newsmill {args:?}: {e}"));
    assert!(
        out.status.success(),
        "newsmill {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Start `newsmill ARGS` with `env` and wait up to `within` for it to end:
/// its exit status and what it wrote on stderr, or None when it was still
/// running then (it is killed).
pub async fn exit_of(
    args: &[&str],
    env: &[(String, String)],
    within: Duration,
) -> Option<(std::process::ExitStatus, String)> {
    let mut child = Running(
        Command::new(newsmill_bin())
            .args(args)
            .envs(env.iter().cloned())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start newsmill {args:?}: {e}")),
    );
    // Read as it comes, so that a full pipe never holds the child up.
    let mut pipe = child.0.stderr.take().expect("stderr is piped");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
        text
    });
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait for newsmill") {
            return Some((status, stderr.join().unwrap_or_default()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// Read every JSON message of `topic` through `newsmill tail`.
pub fn tail_json(env: &[(String, String)], topic: &str) -> Vec<serde_json::Value> {
    let out = Command::new(newsmill_bin())
        .args(["tail", topic])
        .envs(env.iter().cloned())
        .output()
        .expect("run newsmill tail");
    assert!(
        out.status.success(),
        "tail failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("tail prints JSON lines"))
        .collect()
}

/// The shared evaluation data (`NEWSMILL_EVAL_DIR`, else `../shared/eval`
/// next to the repository), when this machine has it; when it has not, the
/// test that asked says it skipped.
pub fn eval_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSMILL_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/eval"));
    if !dir.is_dir() {
        eprintln!("SKIPPED: no ../shared/eval (set NEWSMILL_EVAL_DIR)");
    }
    dir.is_dir().then_some(dir)
}

/// A child process that is killed when dropped, so that a failing test
/// leaves no pipeline running behind it.
pub struct Running(pub std::process::Child);

impl std::ops::Deref for Running {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `newsmill ROLE` in the background with `env`, output discarded.
/// It is killed when the handle drops.
/// Where a child's logs go: discarded, or with `NEWSMILL_TEST_LOGS=DIR` set,
/// one file per child in DIR for post-mortems.
fn test_log(role: &str) -> std::process::Stdio {
    let Some(dir) = std::env::var_os("NEWSMILL_TEST_LOGS") else {
        return std::process::Stdio::null();
    };
    let _ = std::fs::create_dir_all(&dir);
    let path = Path::new(&dir).join(format!("{}.log", unique(role)));
    match std::fs::File::create(&path) {
        Ok(f) => f.into(),
        Err(_) => std::process::Stdio::null(),
    }
}

pub fn spawn_newsmill(role: &str, env: &[(String, String)]) -> Running {
    let child = Command::new(newsmill_bin())
        .arg(role)
        .envs(env.iter().cloned())
        .stdout(std::process::Stdio::null())
        .stderr(test_log(role))
        .spawn()
        .unwrap_or_else(|e| panic!("start newsmill {role}: {e}"));
    Running(child)
}

/// Write a site of `n` distinct articles under `dir`.
pub fn synthetic_site(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir.join("a")).unwrap();
    let towns = [
        "Arlen", "Bexby", "Corran", "Dunmore", "Elsfield", "Farrow", "Glenrock", "Hollin", "Ivers",
        "Jorvik",
    ];
    let mut items = String::new();
    for i in 0..n {
        let town = towns[i % towns.len()];
        let body = format!(
            "<p>Officials in {town} said on day {i} that the council approved plan number {} for the district, after a vote of {} to {}.</p>\
             <p>The measure {i} covers {} new homes and a bridge over the river, and work is due to start within {} months, the mayor of {town} told reporters.</p>",
            1000 + i * 7,
            10 + i % 9,
            i % 5,
            50 + i * 3,
            2 + i % 11
        );
        std::fs::write(
            dir.join(format!("a/{i}.html")),
            format!("<html><head><title>{town} council plan {i}</title></head><body><article><h1>{town} plan {i}</h1>{body}</article></body></html>"),
        )
        .unwrap();
        items.push_str(&format!(
            "<item><title>{town} plan {i}</title><link>a/{i}.html</link><guid>g{i}</guid></item>\n"
        ));
    }
    std::fs::write(
        dir.join("feed.xml"),
        format!("<rss version=\"2.0\"><channel><title>S</title>\n{items}</channel></rss>"),
    )
    .unwrap();
}

/// What at-least-once delivery must still give after any crash: a verdict
/// for each of the `n` articles; a replayed article decided as it was the
/// first time (same kind, story and duplicate); and the latest story
/// summaries naming each article once.
pub fn assert_each_article_decided_once(
    verdicts: &[serde_json::Value],
    stories: &[serde_json::Value],
    n: usize,
) {
    let ids: BTreeSet<&str> = verdicts.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), n, "every input article is decided");
    let mut decisions: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for v in verdicts {
        decisions
            .entry(v["id"].as_str().unwrap())
            .or_default()
            .insert(format!(
                "{} {} {}",
                v["kind"], v["story_id"], v["duplicate_of"]
            ));
    }
    let differing: Vec<_> = decisions.iter().filter(|(_, d)| d.len() > 1).collect();
    assert!(
        differing.is_empty(),
        "repeated decisions differ: {differing:?}"
    );
    let mut members = latest_story_members(stories);
    members.sort();
    let total = members.len();
    members.dedup();
    assert_eq!(total, members.len(), "no article in two stories");
    if total != n {
        // Say which article is missing and what its story's summaries held,
        // so that a rare failure can be read from the log alone.
        let missing: Vec<&str> = ids
            .iter()
            .filter(|id| members.binary_search(id).is_err())
            .copied()
            .collect();
        for id in &missing {
            let verdicts: Vec<_> = verdicts.iter().filter(|v| v["id"] == *id).collect();
            let story = verdicts.first().map(|v| v["story_id"].clone());
            let summaries: Vec<_> = stories
                .iter()
                .filter(|s| story.as_ref() == Some(&s["story_id"]))
                .map(|s| (s["member_count"].clone(), s["updated_at"].clone()))
                .collect();
            println!(
                "missing {id}: verdicts {verdicts:?}; its story's summaries (count, updated) in topic order: {summaries:?}"
            );
        }
    }
    assert_eq!(total, n, "the stories hold every article");
}

/// The members named by the latest summary of each story, in `stories` as
/// read from the stories topic (a story may appear in several summaries).
pub fn latest_story_members(stories: &[serde_json::Value]) -> Vec<&str> {
    let mut latest: BTreeMap<&str, &serde_json::Value> = BTreeMap::new();
    for s in stories {
        latest.insert(s["story_id"].as_str().unwrap(), s);
    }
    latest
        .values()
        .flat_map(|s| s["members"].as_array().unwrap().iter())
        .map(|m| m.as_str().unwrap_or_else(|| m["id"].as_str().unwrap()))
        .collect()
}

/// A small generator for kill schedules, seeded by the clock; the seed is
/// printed so that a failing schedule can be replayed.
pub fn kill_schedule_rng() -> impl FnMut() -> u64 {
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill schedule seed: {seed}");
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// The sum of the samples of `metric` whose labels contain all `labels`.
pub fn sample(exposition: &str, metric: &str, labels: &[&str]) -> f64 {
    exposition
        .lines()
        .filter(|l| l.starts_with(metric) && !l.starts_with('#'))
        .filter(|l| labels.iter().all(|x| l.contains(x)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// How many of its input's partitions another member of its group holds,
/// as a dedup instance's admin server says
/// (`news_stage_input_partitions_missing`); None while it does not answer
/// or before its first Kafka statistics.
pub async fn dedup_partitions_missing(admin: &str) -> Option<f64> {
    const METRIC: &str = "news_stage_input_partitions_missing";
    let Some((200, text)) = scrape(admin, "/metrics").await else {
        return None;
    };
    text.contains(METRIC)
        .then(|| sample(&text, METRIC, &["stage=\"dedup\""]))
}

/// GET `path` from an admin server: its status and body, or `None` when it
/// does not answer.
pub async fn scrape(addr: &str, path: &str) -> Option<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.ok()?;
    sock.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .ok()?;
    let mut buf = String::new();
    sock.read_to_string(&mut buf).await.ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    Some((
        status,
        buf.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    ))
}

/// Make `topic` on the test broker, one partition, with `settings`, as an
/// operator would before newsmill starts.
pub async fn create_topic(topic: &str, settings: &[(&str, &str)]) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    let admin: AdminClient<DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", broker())
        .create()
        .expect("admin client");
    let mut new = NewTopic::new(topic, 1, TopicReplication::Fixed(1));
    for (name, value) in settings {
        new = new.set(name, value);
    }
    for result in admin
        .create_topics([&new], &AdminOptions::new())
        .await
        .expect("create topics")
    {
        result.unwrap_or_else(|e| panic!("creating {topic}: {e:?}"));
    }
}
