//! The whole pipeline as operators run it: the `newsmill` binary against a
//! real loopback HTTP server, on tansu and on the embedded log.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{
    assert_each_article_decided_once, broker, child_env, free_port, kill_schedule_rng,
    newsmill_bin, repo_root, sample, scrape, serve_dir, serve_on_the_embedded_log, spawn_newsmill,
    synthetic_site, tail_json, unique, validate_with_python,
};

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
    // A mistyped topic is an error that names it, not an empty topic.
    let mistyped = Command::new(newsmill_bin())
        .args(["tail", &format!("{tag}.dedupp")])
        .envs(env.iter().cloned())
        .output()
        .expect("run newsmill tail");
    assert!(!mistyped.status.success());
    let said = String::from_utf8_lossy(&mistyped.stderr);
    assert!(
        said.contains(&format!("no topic {tag}.dedupp on Kafka")),
        "{said}"
    );
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
    let report = validate_with_python(
        &brokers,
        &[
            (format!("{tag}.raw"), "news.raw.v1"),
            (format!("{tag}.clean"), "news.clean.v1"),
            (format!("{tag}.dedup"), "news.dedup.v1"),
            (format!("{tag}.stories"), "news.stories.v1"),
            (format!("{tag}.articles"), "news.articles.v1"),
        ],
    );
    for role in ["dedup", "articles"] {
        assert!(
            report.contains(&format!("{tag}.{role}: 8 valid")),
            "{report}"
        );
    }
    // Served from one loopback address, the five seeds have one outlet.
    let stories = last_summaries(tail_json(&env, &format!("{tag}.stories")));
    let seeds = stories
        .values()
        .find(|s| s["member_count"] == 5)
        .expect("the seeds' story");
    assert_eq!(outlets(seeds), [("127.0.0.1".to_string(), 5)]);
    assert_eq!(seeds["source_count"], 1);
}

/// The last summary of each story on a stories topic, by story id.
fn last_summaries(summaries: Vec<serde_json::Value>) -> BTreeMap<String, serde_json::Value> {
    summaries
        .into_iter()
        .map(|s| (s["story_id"].as_str().unwrap().to_string(), s))
        .collect()
}

/// A story's outlets as its summary lists them, with their articles.
fn outlets(story: &serde_json::Value) -> Vec<(String, u64)> {
    story["sources"]
        .as_array()
        .expect("a summary lists its sources")
        .iter()
        .map(|s| {
            let source = s["source"].as_str().unwrap().to_string();
            (source, s["articles"].as_u64().unwrap())
        })
        .collect()
}

#[test]
fn the_readmes_main_job_puts_the_five_outlets_reports_in_one_story() {
    // README's first command, on its config and the embedded log, with a
    // data directory and no admin port of its own.
    let data = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = vec![
        (
            "NEWSMILL_CONFIG".into(),
            repo_root()
                .join("newsmill.example.toml")
                .display()
                .to_string(),
        ),
        (
            "NEWSMILL__BUS__DATA_DIR".into(),
            data.path().display().to_string(),
        ),
        ("NEWSMILL__ADMIN__LISTEN".into(), String::new()),
    ];
    let said = run_drain(&env);
    assert!(
        said.contains("8 articles deduplicated into 4 stories"),
        "{said}"
    );
    let stories = last_summaries(tail_json(&env, "news.stories.v1"));
    assert_eq!(stories.len(), 4, "{stories:?}");
    // The sample site's pages are files, so each page's site name is its
    // outlet: the five seeds are five outlets' reports of one event.
    let seeds = stories
        .values()
        .find(|s| s["member_count"] == 5)
        .expect("the seeds' story");
    let expected: Vec<(String, u64)> = (0..5).map(|i| (format!("Outlet {i}"), 1)).collect();
    assert_eq!(outlets(seeds), expected);
    assert_eq!(seeds["source_count"], 5);
    for other in stories.values().filter(|s| s["member_count"] == 1) {
        assert_eq!(outlets(other), [("The Sample Courier".to_string(), 1)]);
    }
    // What each article is about, as its page and its feed item say: the
    // page's description, section and tags, then the item's category.
    let clean = tail_json(&env, "news.clean.v1");
    let strike = clean
        .iter()
        .find(|c| c["url"].as_str().unwrap().ends_with("rail-strike.html"))
        .expect("the strike's article");
    assert_eq!(
        strike["description"],
        "Rail workers will walk out for 48 hours from next Monday after talks on pay broke down."
    );
    assert_eq!(strike["section"], "Economy");
    assert_eq!(
        strike["keywords"],
        serde_json::json!(["Strikes", "Rail", "Economy"])
    );
    // Its page names no picture; its feed item does (Media RSS).
    assert_eq!(
        strike["lead_image"],
        "https://images.example.org/sample-courier/rail-strike.jpg"
    );
    let pictured = clean.iter().filter(|c| c["lead_image"].is_string()).count();
    assert_eq!(pictured, 3, "the site's own three, not the seeds");

    // One stream of the product (round 67): each clean article as it was
    // decided, with its verdict, as the clean and dedup topics say apart.
    let decided = tail_json(&env, "news.articles.v1");
    let verdicts = tail_json(&env, "news.dedup.v1");
    assert_eq!(decided.len(), 8);
    for (article, verdict) in decided.iter().zip(&verdicts) {
        assert_eq!(article["id"], verdict["id"]);
        for field in ["kind", "story_id", "similarity", "decided_at"] {
            assert_eq!(article["verdict"][field], verdict[field], "{field}");
        }
        assert_eq!(article["verdict"]["duplicate_of"], verdict["duplicate_of"]);
        let cleaned = clean.iter().find(|c| c["id"] == article["id"]).unwrap();
        let mut as_cleaned = article.clone();
        as_cleaned.as_object_mut().unwrap().remove("verdict");
        assert_eq!(&as_cleaned, cleaned, "every field of the clean article");
    }
    let first_of_each: Vec<_> = decided
        .iter()
        .filter(|a| a["verdict"]["kind"] == "unique")
        .collect();
    assert_eq!(first_of_each.len(), 4, "one article per story");

    // The stories as they stand (round 67): the five outlets' story first.
    let out = newsmill_tests::run_newsmill(&["stories"], &env);
    let listed: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0]["story_id"], seeds["story_id"]);
    assert_eq!(listed[0]["source_count"], 5);
    assert!(listed.iter().all(|s| s.get("members").is_none()));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("4 stories shown of 4 open, from 8 summaries"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_sigkills_at_random_points_lose_nothing_and_split_no_story() {
    const N: usize = 120;
    const KILLS: usize = 20;
    let site_dir = tempfile::tempdir().unwrap();
    synthetic_site(site_dir.path(), N);
    // Slow pages so that kills land while every stage has work in hand.
    let site = serve_dir(site_dir.path().to_path_buf(), Duration::from_millis(15)).await;
    let data = tempfile::tempdir().unwrap();
    let mut env = child_env(
        data.path(),
        None,
        &format!("http://{site}/feed.xml"),
        &unique("kill"),
    );
    // Frequent dedup checkpoints, so that restarts make progress between kills.
    env.push(("NEWSMILL__DEDUP__SNAPSHOT_EVERY".into(), "20".into()));
    let mut next = kill_schedule_rng();
    let mut decided_at_kill = Vec::new();
    for _ in 0..KILLS {
        let mut child = spawn_newsmill("run", &env);
        // Anywhere from start-up to well into the run.
        std::thread::sleep(Duration::from_millis(200 + next() % 2300));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        decided_at_kill.push(tail_json(&env, "news.dedup.v1").len());
    }
    println!("verdicts in the log after each kill: {decided_at_kill:?}");
    assert!(
        decided_at_kill.iter().any(|&d| d > 0),
        "some kills landed after work was done"
    );

    run_drain(&env);
    assert_each_article_decided_once(
        &tail_json(&env, "news.dedup.v1"),
        &tail_json(&env, "news.stories.v1"),
        N,
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_as_the_input_implies_and_sigterm_drains_cleanly() {
    let site = serve_dir(repo_root().join("examples/site"), Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    let admin = format!("127.0.0.1:{}", free_port());
    let mut env = child_env(
        data.path(),
        Some(&broker()),
        &format!("http://{site}/feed.xml"),
        &unique("metrics"),
    );
    env.retain(|(k, _)| k != "NEWSMILL__ADMIN__LISTEN");
    env.push(("NEWSMILL__ADMIN__LISTEN".into(), admin.clone()));
    let mut child = spawn_newsmill("run", &env);

    let deadline = Instant::now() + Duration::from_secs(90);
    let mut text = String::new();
    while Instant::now() < deadline {
        if let Some((200, body)) = scrape(&admin, "/metrics").await {
            text = body;
            if sample(&text, "news_dedup_verdicts_total", &[]) >= 8.0 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        sample(&text, "news_dedup_verdicts_total", &[]),
        8.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "news_dedup_verdicts_total", &["kind=\"unique\""]),
        4.0,
        "5 seeds + 3 other stories: {text}"
    );
    assert_eq!(
        sample(&text, "news_dedup_verdicts_total", &["kind=\"story\""]),
        4.0
    );
    assert_eq!(sample(&text, "news_clean_articles_total", &[]), 8.0);
    assert_eq!(sample(&text, "news_fetch_items_total", &[]), 8.0);
    assert!(
        sample(
            &text,
            "news_fetch_requests_total",
            &["kind=\"article\"", "status_class=\"2xx\""]
        ) >= 8.0
    );
    assert!(
        sample(&text, "news_messages_sent_total", &[".clean\""]) >= 8.0,
        "{text}"
    );
    assert!(
        sample(
            &text,
            "news_stage_duration_seconds_bucket",
            &["stage=\"clean\"", "le=\"+Inf\""]
        ) >= 8.0,
        "histograms, not summaries"
    );
    assert_eq!(sample(&text, "news_build_info", &[]), 1.0);
    // Each article's delay from its fetch, at each stage, in buckets of
    // seconds to a day.
    for stage in ["clean", "dedup"] {
        let label = format!("stage=\"{stage}\"");
        assert_eq!(
            sample(&text, "news_article_delay_seconds_count", &[&label]),
            8.0,
            "{stage}: {text}"
        );
        assert_eq!(
            sample(
                &text,
                "news_article_delay_seconds_bucket",
                &[&label, "le=\"86400\""]
            ),
            8.0,
            "{stage}: {text}"
        );
    }
    // The one feed answered with news: it is active, and no feed is anything else.
    for (state, feeds) in [
        ("active", 1.0),
        ("failing", 0.0),
        ("disabled", 0.0),
        ("paused", 0.0),
        ("silent", 0.0),
    ] {
        let label = format!("state=\"{state}\"");
        assert_eq!(
            sample(&text, "news_fetch_feeds", &[&label]),
            feeds,
            "{state}: {text}"
        );
    }
    // The window keeps all eight (the default cap is far off), and both
    // eviction series exist from the first decision, so that an alert's
    // increase() over them sees the first eviction.
    for reason in ["age", "cap"] {
        let label = format!("reason=\"{reason}\"");
        assert!(
            text.lines()
                .any(|l| l.starts_with("news_dedup_evictions_total{") && l.contains(&label)),
            "{text}"
        );
        assert_eq!(sample(&text, "news_dedup_evictions_total", &[&label]), 0.0);
    }
    // Dedup snapshots within its interval (10 s) of the decisions, timed.
    let deadline = Instant::now() + Duration::from_secs(30);
    while sample(&text, "news_dedup_snapshot_seconds_count", &[]) < 1.0 && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some((200, body)) = scrape(&admin, "/metrics").await {
            text = body;
        }
    }
    assert!(
        sample(&text, "news_dedup_snapshot_seconds_count", &[]) >= 1.0,
        "{text}"
    );
    assert_eq!(scrape(&admin, "/health/live").await.map(|r| r.0), Some(200));
    assert_eq!(
        scrape(&admin, "/health/ready").await.map(|r| r.0),
        Some(200)
    );

    // The exposition passes promtool's lint when promtool is installed (CI installs it).
    if let Ok(mut promtool) = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        promtool
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = promtool.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "promtool check metrics: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // SIGTERM: drain, commit, exit 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(code.success(), "exit status after SIGTERM: {code:?}");
}

/// A page of the Chinese test site: the report wrapped in chrome a Chinese
/// news site shows (a menu split by "·", a share bar, a related list).
fn chinese_page(title: &str, text: &str) -> String {
    let paragraphs: String = text.lines().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_新闻中心</title></head><body>
<nav><a href="/">首页</a> · <a href="/gn">国内</a> · <a href="/gj">国际</a> · <a href="/cj">财经</a> · <a href="/ty">体育</a></nav>
<article><h1>{title}</h1>
<div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
{paragraphs}<p>责任编辑：王明</p></article>
<aside><h3>相关阅读</h3><ul><li><a href="/n/1">国务院召开常务会议部署经济工作</a></li><li><a href="/n/2">全国铁路迎来客流高峰</a></li></ul></aside>
<footer><p>关于我们 · 联系我们 · 广告服务 · 网站地图</p></footer></body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_rewrites_of_one_event_share_a_story_and_typhoons_stay_apart() {
    // Seven Chinese reports of the dedup engine's hand-written set (two of
    // them in Traditional characters): one quake and two typhoons that hit
    // one province. Feed dates are written as Chinese feeds write them.
    let site_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(site_dir.path().join("a")).unwrap();
    let set = std::fs::read_to_string(repo_root().join("services/dedup/tests/data/cjk.jsonl"))
        .expect("the CJK set");
    let mut items = String::new();
    let mut reports = Vec::new();
    for line in set.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = r["id"].as_str().unwrap();
        if r["lang"] != "zh" || id.ends_with("-copy") || id.starts_with("luding") {
            continue;
        }
        let (title, text) = (r["title"].as_str().unwrap(), r["text"].as_str().unwrap());
        std::fs::write(
            site_dir.path().join(format!("a/{id}.html")),
            chinese_page(title, text),
        )
        .unwrap();
        items.push_str(&format!(
            "<item><title>{title}</title><link>a/{id}.html</link><guid>{id}</guid><pubDate>2024年4月3日 0{}:00</pubDate></item>\n",
            reports.len()
        ));
        let first_sentence = text.split('。').next().unwrap().to_string();
        reports.push((
            id.to_string(),
            r["event"].as_str().unwrap().to_string(),
            first_sentence,
        ));
    }
    assert_eq!(reports.len(), 7);
    std::fs::write(
        site_dir.path().join("feed.xml"),
        format!(r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>新闻中心</title><link>/</link>{items}</channel></rss>"#),
    )
    .unwrap();
    let (_data, env) = serve_on_the_embedded_log(site_dir.path(), "zh").await;
    let summary = run_drain(&env);
    assert!(summary.contains("7 articles cleaned"), "{summary}");

    let clean = tail_json(&env, "news.clean.v1");
    let verdicts = tail_json(&env, "news.dedup.v1");
    let story_of = |id: &str| -> String {
        let v = verdicts
            .iter()
            .find(|v| v["url"].as_str().unwrap().contains(&format!("/{id}.html")))
            .unwrap_or_else(|| panic!("{id} decided: {verdicts:?}"));
        v["story_id"].as_str().unwrap().to_string()
    };
    for (id, event, first_sentence) in &reports {
        let c = clean
            .iter()
            .find(|c| c["url"].as_str().unwrap().contains(&format!("/{id}.html")))
            .unwrap();
        let text = c["text"].as_str().unwrap();
        assert_eq!(c["language"], "zh", "{id}");
        assert!(text.contains(first_sentence.as_str()), "{id}: {text}");
        for chrome in [
            "首页",
            "分享到",
            "责任编辑",
            "相关阅读",
            "国务院",
            "联系我们",
        ] {
            assert!(!text.contains(chrome), "{id} keeps {chrome}: {text}");
        }
        assert_eq!(
            c["published"].as_str().map(|p| &p[..10]),
            Some("2024-04-03"),
            "{id}"
        );
        for (other, other_event, _) in &reports {
            assert_eq!(
                event == other_event,
                story_of(id) == story_of(other),
                "{id} ({event}) and {other} ({other_event})"
            );
        }
    }
}

/// A tool whose reader goes away (`newsmill tail t | head -1`) ends as Unix
/// tools do, by SIGPIPE, not with a panic's backtrace.
#[test]
fn a_tool_whose_reader_has_gone_ends_without_a_panic() {
    let feed = repo_root().join("examples/site/feed.xml");
    let tools: [Vec<&std::ffi::OsStr>; 2] = [
        vec!["--print-config".as_ref()],
        vec!["parse-feed".as_ref(), feed.as_os_str()],
    ];
    for args in tools {
        let mut child = Command::new(newsmill_bin())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start newsmill");
        // Gone before the tool writes its first line.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for newsmill");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(13), "{args:?}: {:?}", out.status);
    }
}

/// On the embedded log the dedup snapshot is the state's only record. With
/// it lost (and the fetcher's state too, so that every page comes again),
/// the next run decides its input log again before it goes on: the pages
/// that come again are replays in the stories they had, not new stories.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_dedup_snapshot_on_the_embedded_log_is_rebuilt_from_the_log() {
    const N: usize = 12;
    let site_dir = tempfile::tempdir().unwrap();
    synthetic_site(site_dir.path(), N);
    let (data, env) = serve_on_the_embedded_log(site_dir.path(), "lost-snapshot").await;
    run_drain(&env);
    let first = tail_json(&env, "news.dedup.v1");
    assert_eq!(first.len(), N);
    for lost in [
        "state-embedded/dedup-state.bin",
        "fetcher-state.json",
        "fetcher-seen.bin",
    ] {
        std::fs::remove_file(data.path().join(lost)).unwrap();
    }

    run_drain(&env);
    let verdicts = tail_json(&env, "news.dedup.v1");
    assert_eq!(verdicts.len(), 2 * N, "every page came again");
    let story_of: BTreeMap<&str, &str> = first
        .iter()
        .map(|v| (v["id"].as_str().unwrap(), v["story_id"].as_str().unwrap()))
        .collect();
    for again in &verdicts[N..] {
        let id = again["id"].as_str().unwrap();
        assert_eq!(again["replay"], true, "{again}");
        assert_eq!(
            again["story_id"].as_str(),
            story_of.get(id).copied(),
            "{again}"
        );
    }
}
