//! Extraction throughput, single-threaded, on the same files in one run:
//! html5ever parse plus a walk over every text node (the floor), newsmill's
//! extractor, dom_smoothie, and the floor again on the page as newsmill
//! parses it (after its pre-pass). `scripts/bench-extract.sh` adds Python
//! trafilatura on the same files.
//!
//!     cargo bench -p news-cleaner --bench extract [-- DIR]
//!
//! DIR defaults to ../shared/eval/extraction/data/scrapinghub. With
//! `BENCH_ONLY=newsmill`, only newsmill's extractor runs (for a profiler).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use news_cleaner::{Limits, extract_html};

fn load(dir: &PathBuf) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| news_core::charset::decode_html(&std::fs::read(p).unwrap(), None).0)
        .collect()
}

/// Run `f` over all docs repeatedly for at least `min`; returns docs/s.
fn measure(docs: &[String], min: Duration, mut f: impl FnMut(&str) -> usize) -> f64 {
    let started = Instant::now();
    let mut n = 0usize;
    while started.elapsed() < min {
        for d in docs {
            black_box(f(d));
            n += 1;
        }
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn parse_only(html: &str) -> usize {
    let doc = scraper::Html::parse_document(html);
    doc.tree
        .nodes()
        .filter_map(|n| n.value().as_text().map(|t| t.len()))
        .sum()
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/eval/extraction/data/scrapinghub"
            ))
        });
    // `cargo test --all-targets` runs this without `--bench`, in a debug
    // build: a short smoke run on a few pages is enough there.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let mut docs = load(&dir);
    if smoke {
        docs.truncate(8);
    }
    let mb: f64 = docs.iter().map(|d| d.len()).sum::<usize>() as f64 / 1e6;
    let min = Duration::from_secs(
        std::env::var("BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if smoke { 1 } else { 10 }),
    );
    println!(
        "{} documents, {:.1} MB, from {}",
        docs.len(),
        mb,
        dir.display()
    );
    let per_doc_mb = mb / docs.len() as f64;
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "newsmill") {
        // For a profiler: newsmill alone, with nothing else in the samples.
        let rate = measure(&docs, min, |h| {
            extract_html(h, Limits::default()).text.len()
        });
        println!("newsmill extract_html alone {rate:>8.1} docs/s");
        return;
    }
    // Rounds that alternate the contenders, each reported by its median: one
    // long run per contender swung the ratio by 15 points on this machine.
    const ROUNDS: u32 = 5;
    let slice = min / ROUNDS;
    let mut rates: [Vec<f64>; 4] = Default::default();
    for round in 0..=ROUNDS {
        rates[0].push(measure(&docs, slice, parse_only));
        rates[3].push(measure(&docs, slice, |h| {
            parse_only(&news_cleaner::prepass::prepare(h, usize::MAX))
        }));
        rates[1].push(measure(&docs, slice, |h| {
            extract_html(h, Limits::default()).text.len()
        }));
        rates[2].push(measure(&docs, slice, |h| {
            dom_smoothie::Readability::new(h, None, None)
                .ok()
                .and_then(|mut r| r.parse().ok())
                .map(|a| a.text_content.len())
                .unwrap_or(0)
        }));
        if round == 0 {
            // Round 0 is the warm-up: allocator, caches, lazy regexes.
            rates.iter_mut().for_each(Vec::clear);
        }
    }
    let [floor, ours, smoothie, floor_prepared] = rates.map(|mut r| {
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    });
    for (name, rate) in [
        ("parse-only (html5ever + text walk)", floor),
        ("newsmill extract_html", ours),
        ("dom_smoothie", smoothie),
        // The floor on what newsmill hands html5ever: the page after its
        // pre-pass, whose cuts the tokenizer then never reads.
        ("parse-only after newsmill's pre-pass", floor_prepared),
    ] {
        println!(
            "{name:<36} {rate:>8.1} docs/s {:>7.1} MB/s  {:>5.1}% of parse-only",
            rate * per_doc_mb,
            100.0 * rate / floor
        );
    }
}
