//! Dedup decision throughput on ECB+-sized articles, single-threaded, and the
//! state held per retained article.
//!
//!     cargo bench -p news-dedup --bench decide [-- FILE.jsonl]
//!
//! FILE defaults to ../shared/eval/stories/ecbplus_dev.jsonl; it is streamed
//! repeatedly with fresh ids until BENCH_SECS have passed. Each pass renames
//! the capitalised words (names) with the pass number, so a pass is a new set
//! of events of the same kinds, not near copies of the last: every decision
//! goes the whole way (exact, near, then story candidates).
//!
//! Memory is measured, not estimated: resident set growth from before the
//! engine exists to the end, divided by the articles retained.
//!
//! BENCH_WINDOW=N caps the window at N articles and reports resident memory
//! at half the stream and at its end, once the window is full.
//! BENCH_ARTICLES=N runs until N articles are decided instead of for a time
//! (the window holds up to a million): `BENCH_ARTICLES=1000000` is the
//! million-article run.
//! BENCH_SNAPSHOT=1 then writes the state as a snapshot and reads it back,
//! timed (what a dedup checkpoint and a restart cost at that window).
//! BENCH_REBUILD=1 keeps every decision's fact and then replays them into
//! a new engine, timed (a replacement rebuilding from the changelog, less
//! the broker); the memory figure then includes the facts.

use std::time::{Duration, Instant};

use news_dedup::{ArticleIn, Engine, Params};

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/eval/stories/ecbplus_dev.jsonl"
            )
            .to_string()
        });
    let docs: Vec<(String, String)> = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {path}: {e}"))
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            (
                v["title"].as_str().unwrap_or("").to_string(),
                v["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let min = Duration::from_secs(
        std::env::var("BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    );
    // BENCH_WINDOW=N caps the window at N articles, for a steady state in
    // which every decision also evicts.
    let window: usize = std::env::var("BENCH_WINDOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut engine = Engine::new(Params {
        max_articles: window,
        window_secs: i64::MAX / 4,
        ..Params::default()
    });
    let rss_before = rss_bytes();
    let started = Instant::now();
    let mut n = 0usize;
    let mut pass = 0usize;
    let mut decide_time = Duration::ZERO;
    // Resident memory after each pass, for the steady-state check.
    let mut rss_by_pass: Vec<(usize, usize)> = Vec::new();
    let target: Option<usize> = std::env::var("BENCH_ARTICLES")
        .ok()
        .and_then(|s| s.parse().ok());
    let more = |n: usize| match target {
        Some(t) => n < t,
        None => started.elapsed() < min,
    };
    // BENCH_REBUILD=1 keeps every decision's fact, to time a replacement
    // rebuilding the window from them (the changelog path) at the end.
    let mut facts: Option<Vec<news_dedup::Fact>> =
        std::env::var_os("BENCH_REBUILD").map(|_| Vec::new());
    while more(n) {
        // Fresh ids and renamed names: no replays, no copies of earlier passes.
        let variants: Vec<(String, String, String)> = docs
            .iter()
            .enumerate()
            .map(|(i, (t, x))| (format!("p{pass}-{i}"), rename(t, pass), rename(x, pass)))
            .collect();
        let t0 = Instant::now();
        for (id, title, text) in variants.iter().take(target.map_or(usize::MAX, |t| t - n)) {
            let (_, fact) = engine.decide_logged(&ArticleIn {
                id,
                title: Some(title),
                text,
                at: n as i64,
                published: None,
                lang: None,
            });
            if let (Some(facts), Some(fact)) = (facts.as_mut(), fact) {
                facts.push(fact);
            }
            n += 1;
        }
        decide_time += t0.elapsed();
        pass += 1;
        rss_by_pass.push((n, rss_bytes()));
    }
    let rate = n as f64 / decide_time.as_secs_f64();
    println!(
        "{n} decisions over {pass} passes of {} articles",
        docs.len()
    );
    println!("newsmill dedup decide: {rate:.0} docs/s (single thread)");
    let kept = engine.article_count().max(1) as f64;
    println!(
        "state: {} articles, {} stories; resident memory {:.0} bytes per retained article (estimate {:.0}){}",
        engine.article_count(),
        engine.story_count(),
        rss_bytes().saturating_sub(rss_before) as f64 / kept,
        engine.approx_bytes() as f64 / kept,
        if facts.is_some() {
            "; the kept facts included"
        } else {
            ""
        }
    );
    if let Some(facts) = &facts {
        let mut rebuilt = Engine::new(engine.params);
        let t = Instant::now();
        facts.iter().for_each(|f| rebuilt.apply(f));
        let took = t.elapsed();
        assert_eq!(rebuilt.article_count(), engine.article_count());
        println!(
            "rebuild from {} facts: {:.2} s ({:.0} facts/s)",
            facts.len(),
            took.as_secs_f64(),
            facts.len() as f64 / took.as_secs_f64()
        );
    }
    if std::env::var_os("BENCH_SNAPSHOT").is_some() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = std::env::var_os("BENCH_SNAPSHOT_KEEP")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| dir.path().join("dedup-state.bin"));
        let t = Instant::now();
        news_dedup::state::write_snapshot(&path, &engine, None).expect("write snapshot");
        let write = t.elapsed();
        let bytes = std::fs::metadata(&path).expect("snapshot").len();
        let t = Instant::now();
        let back = news_dedup::state::read_snapshot(&path).expect("read snapshot");
        let read = t.elapsed();
        assert_eq!(back.engine.article_count(), engine.article_count());
        println!(
            "snapshot: {:.0} MB ({:.0} bytes per article), written in {:.2} s, read in {:.2} s",
            bytes as f64 / 1e6,
            bytes as f64 / kept,
            write.as_secs_f64(),
            read.as_secs_f64()
        );
    }
    if n > window && engine.article_count() == window {
        // The window is full; memory should stop growing with the stream.
        let at = |frac: f64| {
            let want = (n as f64 * frac) as usize;
            rss_by_pass
                .iter()
                .find(|(k, _)| *k >= want)
                .map_or(0, |(_, r)| *r)
        };
        let mib = |b: usize| b as f64 / (1 << 20) as f64;
        println!(
            "steady state (window {window}): resident memory {:.1} MiB at half the stream, {:.1} MiB at the end",
            mib(at(0.5)),
            mib(at(1.0))
        );
    }
}

/// Names of pass `pass`: "Obama" becomes "Obama7".
fn rename(text: &str, pass: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut word_start = true;
    let mut in_name = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if word_start {
                in_name = c.is_uppercase();
            }
            word_start = false;
        } else {
            if in_name && !word_start {
                out.push_str(&pass.to_string());
            }
            word_start = true;
            in_name = false;
        }
        out.push(c);
    }
    if in_name {
        out.push_str(&pass.to_string());
    }
    out
}

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}
