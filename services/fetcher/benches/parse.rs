//! Feed parsing throughput, single-threaded, in MB/s: newsmill's parser
//! next to feed-rs alone, on the same files in the same run.
//!
//!     cargo bench -p news-fetcher --bench parse [-- DIR...]
//!
//! Each DIR is read recursively for .xml, .rss, .atom, .rdf and .json files;
//! the default is the feedparser corpus (wellformed/ and encoding/) under
//! ../shared/eval/feeds plus a synthetic set of news-sized feeds.
//! `scripts/bench-feeds.sh` adds Python feedparser on the same files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let sets: Vec<(String, Vec<Vec<u8>>)> = if args.is_empty() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/eval/feeds/feedparser/v6.0.14/tests");
        let mut sets = Vec::new();
        if corpus.is_dir() {
            let mut files = Vec::new();
            for sub in ["wellformed", "encoding"] {
                collect(&corpus.join(sub), &mut files);
            }
            sets.push(("feedparser corpus".to_string(), read(&files)));
        }
        let synth = synthetic(200);
        // The bench script times Python feedparser on the very same files.
        if let Some(dir) = std::env::var_os("NEWSMILL_DUMP_SYNTHETIC") {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).expect("create the dump dir");
            for (i, doc) in synth.iter().enumerate() {
                std::fs::write(dir.join(format!("{i:03}.xml")), doc).expect("write a feed");
            }
        }
        sets.push(("synthetic news feeds".to_string(), synth));
        sets
    } else {
        args.iter()
            .map(|d| {
                let mut files = Vec::new();
                collect(Path::new(d), &mut files);
                (d.clone(), read(&files))
            })
            .collect()
    };
    for (name, docs) in sets {
        let bytes: usize = docs.iter().map(Vec::len).sum();
        println!("{name}: {} files, {:.2} MB", docs.len(), bytes as f64 / 1e6);
        // feed-rs panics on some inputs (UTF-16, for one); those files are
        // left out of both measurements so that the two parse the same bytes.
        std::panic::set_hook(Box::new(|_| {}));
        let before = docs.len();
        let docs: Vec<Vec<u8>> = docs
            .into_iter()
            .filter(|d| {
                std::panic::catch_unwind(|| feed_rs::parser::parse(d.as_slice()).is_ok()).is_ok()
            })
            .collect();
        let _ = std::panic::take_hook();
        let bytes: usize = docs.iter().map(Vec::len).sum();
        if docs.len() < before {
            println!(
                "  ({} files on which feed-rs panics are left out)",
                before - docs.len()
            );
        }
        if std::env::var_os("NEWSMILL_PROFILE_OURS").is_some() {
            // For profilers: our parser alone.
            let secs = measure(&docs, |d| {
                news_fetcher::parse_feed(d, "http://example.org/feed", None)
                    .map(|f| f.entries.len())
                    .unwrap_or(0)
            });
            println!(
                "  newsmill parse_feed {:8.1} MB/s",
                bytes as f64 / 1e6 / secs
            );
            continue;
        }
        let feed_rs = measure(&docs, |d| {
            feed_rs::parser::parse(d)
                .map(|f| f.entries.len())
                .unwrap_or(0)
        });
        let ours = measure(&docs, |d| {
            news_fetcher::parse_feed(d, "http://example.org/feed", None)
                .map(|f| f.entries.len())
                .unwrap_or(0)
        });
        let mbs = |secs: f64| bytes as f64 / 1e6 / secs;
        println!("  feed-rs 3.0 alone     {:8.1} MB/s", mbs(feed_rs));
        println!(
            "  newsmill parse_feed   {:8.1} MB/s  ({:.2}x feed-rs; time {:+.0}% vs feed-rs)",
            mbs(ours),
            feed_rs / ours,
            100.0 * (ours / feed_rs - 1.0)
        );
    }
}

/// Best seconds per pass over `docs`, repeated for about two seconds.
fn measure(docs: &[Vec<u8>], parse: impl Fn(&[u8]) -> usize) -> f64 {
    let mut best = f64::MAX;
    let start = Instant::now();
    let mut sink = 0usize;
    while start.elapsed() < Duration::from_secs(2) {
        let t = Instant::now();
        for d in docs {
            sink = sink.wrapping_add(parse(d));
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(sink);
    best
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("xml" | "rss" | "atom" | "rdf" | "json")
        ) {
            out.push(p);
        }
    }
}

fn read(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
}

/// News-sized feeds: RSS 2.0 and Atom with 30 items of HTML summaries.
fn synthetic(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|f| {
            let items: String = (0..30)
                .map(|i| {
                    let summary = format!(
                        "&lt;p&gt;Officials in district {f} said on day {i} that the council approved plan {} after a vote, and work on the &lt;a href=\"/x/{i}\"&gt;bridge&lt;/a&gt; will start in spring.&lt;/p&gt;",
                        f * 31 + i
                    );
                    if f % 2 == 0 {
                        format!("<item><title>Story {f}-{i}: council approves plan</title><link>https://news{f}.example/story/{i}</link><guid isPermaLink=\"false\">urn:{f}:{i}</guid><pubDate>Mon, 03 Jun 2024 {:02}:{:02}:00 +0200</pubDate><dc:creator>Reporter {i}</dc:creator><category>Politics</category><description>{summary}</description></item>", i % 24, i % 60)
                    } else {
                        format!("<entry><title type=\"html\">Story {f}-{i}</title><link rel=\"alternate\" href=\"/story/{i}\"/><id>tag:news{f}.example,2024:{i}</id><updated>2024-06-03T{:02}:{:02}:00Z</updated><author><name>Reporter {i}</name></author><summary type=\"html\">{summary}</summary></entry>", i % 24, i % 60)
                    }
                })
                .collect();
            if f % 2 == 0 {
                format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>News {f}</title><link>https://news{f}.example/</link><description>All the news</description><language>en</language>{items}</channel></rss>").into_bytes()
            } else {
                format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://news{f}.example/\"><title>News {f}</title><id>tag:news{f}.example,2024:feed</id><updated>2024-06-03T10:00:00Z</updated>{items}</feed>").into_bytes()
            }
        })
        .collect()
}
