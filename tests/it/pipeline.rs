//! The whole pipeline as operators run it: the `newsmill` binary against a
//! real loopback HTTP server, on tansu and on the embedded log.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{broker, child_env, newsmill_bin, repo_root, serve_dir, tail_json, unique};

fn run_drain(env: &[(String, String)]) -> String {
    let out = Command::new(newsmill_bin())
        .args(["run", "--drain"])
        .envs(env.iter().cloned())
        .output()
        .expect("run newsmill");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "newsmill run failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn assert_sample_site_stories(verdicts: &[serde_json::Value]) {
    let by_url: BTreeMap<String, String> = verdicts
        .iter()
        .map(|v| {
            (
                v["url"].as_str().unwrap().to_string(),
                v["story_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(by_url.len(), 8, "all 8 sample articles decided: {by_url:?}");
    let seeds: BTreeSet<&String> = by_url
        .iter()
        .filter(|(u, _)| u.contains("/seed-"))
        .map(|(_, s)| s)
        .collect();
    assert_eq!(seeds.len(), 1, "the five seed articles form one story");
    let story = |name: &str| {
        by_url
            .iter()
            .find(|(u, _)| u.contains(name))
            .map(|(_, s)| s.clone())
            .unwrap()
    };
    assert_ne!(
        story("quake-north"),
        story("quake-southern"),
        "two different earthquakes stay apart"
    );
    assert_ne!(story("quake-north"), story("seed-0"));
    assert_ne!(story("rail-strike"), story("seed-0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_site_through_tansu_and_a_python_client_validates_every_topic() {
    let site = serve_dir(repo_root().join("examples/site"), Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    let tag = unique("e2e");
    let brokers = broker();
    let env = child_env(
        data.path(),
        Some(&brokers),
        &format!("http://{site}/feed.xml"),
        &tag,
    );

    let summary = run_drain(&env);
    assert!(summary.contains("8 pages fetched"), "{summary}");
    assert!(summary.contains("8 articles cleaned"), "{summary}");

    let verdicts = tail_json(&env, &format!("{tag}.dedup"));
    assert_sample_site_stories(&verdicts);
    let clean = tail_json(&env, &format!("{tag}.clean"));
    let seed3 = clean
        .iter()
        .find(|c| c["url"].as_str().unwrap().contains("seed-3"))
        .expect("seed 3 cleaned");
    let text = seed3["text"].as_str().unwrap();
    assert!(text.contains("Moscow and Pyongyang have denied the facts of arms supplies."));
    assert!(!text.contains("Become a Patron"), "appeal removed: {text}");
    assert!(!text.contains("Share on Facebook"));

    // A client not written in Rust reads the topics and validates every message.
    let python = repo_root().join(".cache/venv/bin/python");
    assert!(
        python.exists(),
        "missing {}: run scripts/test.sh, which creates the venv",
        python.display()
    );
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("tests/python/validate_topics.py"))
        .arg(&brokers);
    for role in ["raw", "clean", "dedup", "stories"] {
        cmd.arg(format!("{tag}.{role}=news.{role}.v1"));
    }
    let out = cmd.output().expect("run python validator");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python validation failed:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains(&format!("{tag}.dedup: 8 valid")),
        "{report}"
    );
}

/// Write a site of `n` distinct articles under `dir`.
fn synthetic_site(dir: &Path, n: usize) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_then_restart_delivers_every_input() {
    const N: usize = 60;
    let site_dir = tempfile::tempdir().unwrap();
    synthetic_site(site_dir.path(), N);
    // Slow pages so the kill lands mid-stream.
    let site = serve_dir(site_dir.path().to_path_buf(), Duration::from_millis(40)).await;
    let data = tempfile::tempdir().unwrap();
    let env = child_env(
        data.path(),
        None,
        &format!("http://{site}/feed.xml"),
        &unique("kill"),
    );

    let mut child = Command::new(newsmill_bin())
        .arg("run")
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some, but not all, articles are in the log.
    let raw_log = data.path().join("log/news.raw.v1");
    let started = Instant::now();
    loop {
        let bytes: u64 = std::fs::read_dir(&raw_log)
            .map(|d| {
                d.flatten()
                    .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0);
        if bytes > 3000 || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let before = tail_json(&env, "news.dedup.v1").len();
    assert!(
        before < N,
        "the kill happened mid-stream ({before} of {N} decided)"
    );

    run_drain(&env);
    let verdicts = tail_json(&env, "news.dedup.v1");
    let ids: BTreeSet<&str> = verdicts.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        N,
        "every input article arrives downstream after the restart"
    );
    // Replays repeat the first decision, so no article is split across stories.
    let mut story_of: BTreeMap<&str, &str> = BTreeMap::new();
    for v in &verdicts {
        let prev = story_of.insert(v["id"].as_str().unwrap(), v["story_id"].as_str().unwrap());
        if let Some(p) = prev {
            assert_eq!(
                p,
                v["story_id"].as_str().unwrap(),
                "a replay changed an article's story"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_goes_to_the_dead_letter_topic_and_the_stage_keeps_running() {
    use news_core::bus::{Bus, OutRecord};
    let data = tempfile::tempdir().unwrap();
    let mut cfg = news_core::Config::default();
    cfg.bus.data_dir = data.path().to_path_buf();
    {
        let bus = Bus::from_config(&cfg).unwrap();
        let p = bus.producer().unwrap();
        let raw =
            std::fs::read_to_string(repo_root().join("schemas/examples/news.raw.v1.example.json"))
                .unwrap();
        let mut future: serde_json::Value = serde_json::from_str(&raw).unwrap();
        future["schema_version"] = 99.into();
        for (key, payload) in [
            ("bad-json", b"{not json".to_vec()),
            ("future", serde_json::to_vec(&future).unwrap()),
            ("good", raw.into_bytes()),
        ] {
            p.send_and_wait(OutRecord {
                topic: "news.raw.v1".into(),
                key: key.into(),
                headers: vec![],
                payload,
            })
            .await
            .unwrap();
        }
    }
    let env = child_env(
        data.path(),
        None,
        "http://127.0.0.1:9/none.xml",
        &unique("dlq"),
    );
    let mut env: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k != "NEWSMILL__FETCHER__FEEDS")
        .collect();
    env.push(("NEWSMILL__FETCHER__FEEDS".into(), "[]".into()));
    run_drain(&env);
    let dlq = tail_json(&env, "news.dlq.v1");
    let reasons: BTreeMap<&str, &str> = dlq
        .iter()
        .map(|d| {
            (
                d["error_type"].as_str().unwrap(),
                d["origin"]["topic"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(reasons.get("decode"), Some(&"news.raw.v1"), "{dlq:?}");
    assert_eq!(
        reasons.get("schema_version"),
        Some(&"news.raw.v1"),
        "{dlq:?}"
    );
    assert_eq!(
        tail_json(&env, "news.clean.v1").len(),
        1,
        "the good message still went through"
    );
}
