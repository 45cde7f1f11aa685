//! Dedup decision throughput on ECB+-sized articles, single-threaded, and the
//! state held per retained article.
//!
//!     cargo bench -p news-dedup --bench decide [-- FILE.jsonl]
//!
//! FILE defaults to ../shared/eval/stories/ecbplus_dev.jsonl; it is streamed
//! repeatedly with fresh ids until BENCH_SECS have passed. Each pass gives
//! the capitalised words (names) made-up names of its own, so a pass is a new
//! set of events of the same kinds, not near copies of the last: every decision
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
    // Title, text and language (ECB+ gives "en"; the pipeline passes the
    // cleaner's detected language).
    let docs: Vec<(String, String, Option<String>)> = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {path}: {e}"))
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            (
                v["title"].as_str().unwrap_or("").to_string(),
                v["text"].as_str().unwrap_or("").to_string(),
                v["lang"].as_str().map(str::to_string),
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
        let variants: Vec<(String, String, String, Option<&str>)> = docs
            .iter()
            .enumerate()
            .map(|(i, (t, x, lang))| {
                (
                    format!("p{pass}-{i}"),
                    rename(t, pass),
                    rename(x, pass),
                    lang.as_deref(),
                )
            })
            .collect();
        let t0 = Instant::now();
        for (id, title, text, lang) in variants.iter().take(target.map_or(usize::MAX, |t| t - n)) {
            let (_, fact) = engine.decide_logged(&ArticleIn {
                id,
                title: Some(title),
                text,
                at: n as i64,
                published: None,
                lang: *lang,
                source: None,
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

/// Names of pass `pass` (after the first): each capitalised word becomes a
/// made-up name spelled from a hash of the word and the pass ("Obama" may
/// become "Kirezov"), the same throughout the pass. A pass is then a new
/// set of events with names of their own, whose keys (`name_keys.rs`)
/// collide across events about as real names' do; a digit appended
/// instead would leave every name keyless.
fn rename(text: &str, pass: usize) -> String {
    if pass == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.chars().next().is_some_and(char::is_uppercase) {
            out.push_str(&made_up_name(word, pass));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Consonant, vowel, consonant, vowel, consonant, vowel, consonant, from
/// an FNV-1a hash of `word` and `pass`: 20^4 * 5^3 spellings.
fn made_up_name(word: &str, pass: usize) -> String {
    const CONSONANTS: &[u8; 20] = b"bcdfghjklmnpqrstvwxz";
    const VOWELS: &[u8; 5] = b"aeiou";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.bytes().chain(pass.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut name = String::with_capacity(7);
    for i in 0..7 {
        let letter = if i % 2 == 0 {
            let c = CONSONANTS[(h % 20) as usize];
            h /= 20;
            c
        } else {
            let v = VOWELS[(h % 5) as usize];
            h /= 5;
            v
        };
        name.push(if i == 0 {
            letter.to_ascii_uppercase() as char
        } else {
            letter as char
        });
    }
    name
}

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}
