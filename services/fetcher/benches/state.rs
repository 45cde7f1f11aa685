//! Fetcher state benchmark: what a save costs in a round, when a fetcher
//! holds FEEDS feeds with ITEMS seen items each.
//!
//!     cargo bench -p news-fetcher --bench state [-- FEEDS ITEMS]
//!
//! A round saves at most every 5 s while feeds take items, holding the
//! state's lock. The save appends the items taken since the last one to
//! the seen-items log and rewrites the feeds' JSON file (no items in it).
//! The peer, measured in the same run on the same state, is the save
//! before round 28: the whole state, seen items included, as one JSON file
//! written and renamed. Load is timed too (log replayed into the seen sets),
//! and the memory the seen sets hold is measured (resident set growth while
//! the state is built, per item).
//!
//! `BENCH_WAITING=N` also gives every feed N article pages waiting for
//! another attempt (each with an 80-byte title and a 400-byte summary):
//! they live in the feeds' JSON file, so they weigh on every save.
//! `BENCH_CONTENT=BYTES` gives each of them a full content of that size
//! too (a full-text feed's), or of what the list keeps of it beside the
//! summary when less.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use news_core::messages::FeedItemMeta;
use news_fetcher::pages::{MAX_WAITING_SUMMARY_BYTES, PageRetry};
use news_fetcher::state::{FeedState, FetchState, RoundProgress, SeenItems};

/// Items each feed takes between two saves in the timed rounds.
const TAKEN_PER_SAVE: usize = 3;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    // `cargo test --all-targets` runs this without `--bench`, in a debug
    // build: a small state is enough there to check saves and the load.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let feeds = args
        .first()
        .copied()
        .unwrap_or(if smoke { 50 } else { 1_000 });
    let items = args
        .get(1)
        .copied()
        .unwrap_or(if smoke { 200 } else { 2_000 });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fetcher-state.json");

    let urls: Vec<String> = (0..feeds)
        .map(|f| format!("https://news{f}.example.org/feed.xml"))
        .collect();
    // The seen sets first, alone, for their memory; then the same items
    // logged, as the rounds that took them would have.
    let rss_before = rss_bytes();
    let mut state = FetchState::load(&path, items);
    for (f, url) in urls.iter().enumerate() {
        let mut feed = FeedState::default();
        feed.validators.etag = Some(format!("\"{url}\""));
        for i in 0..items {
            let (id, fp) = item(f, i);
            feed.remember(&id, fp, items);
        }
        state.feeds.insert(url.clone(), feed);
    }
    let held = rss_bytes().saturating_sub(rss_before);
    let waiting: usize = std::env::var("BENCH_WAITING")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let content_bytes: usize = std::env::var("BENCH_CONTENT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(MAX_WAITING_SUMMARY_BYTES - 400);
    for (f, url) in urls.iter().enumerate() {
        let feed = state.feeds.get_mut(url).expect("feed");
        for w in 0..waiting {
            let (id, fingerprint) = item(f, items + w);
            feed.retries.push(PageRetry {
                link: format!("https://news{f}.example.org/2026/12/03/story-{w}"),
                id,
                fingerprint,
                item: FeedItemMeta {
                    feed_url: url.clone(),
                    title: Some("t".repeat(80)),
                    summary: Some("s".repeat(400)),
                    content: (content_bytes > 0).then(|| "c".repeat(content_bytes)),
                    ..FeedItemMeta::default()
                },
                attempts: 1,
                not_before: 1_800_000_000,
                last_error: "http 503".into(),
            });
        }
    }
    for (f, url) in urls.iter().enumerate() {
        for i in 0..items {
            let (id, fp) = item(f, i);
            state.log_taken(url, &id, fp);
        }
    }
    state.save_between_rounds().expect("first save");
    let mut taken = 0;
    let mut next_item = move || {
        taken += 1;
        item(usize::MAX, taken)
    };
    let mut taken_in_rounds = Vec::new();

    // The peer: the whole state as one JSON file, as saved before.
    let whole = |state: &FetchState| {
        let feeds: HashMap<&String, (&FeedState, &SeenItems)> = state
            .feeds
            .iter()
            .map(|(u, f)| (u, (f, &f.seen_items)))
            .collect();
        let tmp = dir.path().join("whole.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&feeds).expect("json")).expect("write");
        std::fs::rename(&tmp, dir.path().join("whole.json")).expect("rename");
    };
    let mut peer = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        whole(&state);
        peer.push(t.elapsed());
    }
    let peer_bytes = std::fs::metadata(dir.path().join("whole.json"))
        .expect("peer file")
        .len();

    // Saves in a round: every save is due; each follows TAKEN_PER_SAVE items.
    let progress = RoundProgress::new(state, Duration::from_secs(3600));
    let mut ours = Vec::new();
    for round in 0..50 {
        for k in 0..TAKEN_PER_SAVE {
            let (id, fp) = next_item();
            let url = &urls[(round * TAKEN_PER_SAVE + k) % feeds];
            progress.taken(url, &id, fp);
            taken_in_rounds.push((url, id, fp));
        }
        let t = Instant::now();
        progress.save_now();
        ours.push(t.elapsed());
    }
    drop(progress);
    let ours_bytes = std::fs::metadata(&path).expect("state").len()
        + std::fs::metadata(dir.path().join("fetcher-seen.bin"))
            .expect("log")
            .len();
    let t = Instant::now();
    let back = FetchState::load(&path, items);
    let load = t.elapsed();
    assert_eq!(back.feeds.len(), feeds);
    // Each item a round took is seen after the load (the oldest make way
    // for them where a feed is full).
    for (url, id, fp) in &taken_in_rounds {
        assert!(
            back.feeds[*url].seen_items.unchanged(id, *fp),
            "{url}: {id} lost"
        );
    }

    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (ours, peer) = (median(&mut ours), median(&mut peer));
    println!(
        "{feeds} feeds x {items} seen items, {waiting} pages waiting per feed ({content_bytes} bytes of content each)"
    );
    println!(
        "save in a round: {:.2} ms (log + feeds file, {:.1} MB on disk); whole-state JSON (before): {:.1} ms ({:.1} MB): {:.0}x faster",
        ours.as_secs_f64() * 1e3,
        ours_bytes as f64 / 1e6,
        peer.as_secs_f64() * 1e3,
        peer_bytes as f64 / 1e6,
        peer.as_secs_f64() / ours.as_secs_f64()
    );
    println!("load: {:.0} ms", load.as_secs_f64() * 1e3);
    println!(
        "memory: {:.0} bytes per seen item (resident set growth while the state was built)",
        held as f64 / (feeds * items).max(1) as f64
    );
}

/// Item `i` of feed `f`: an article id (hex, as the fetcher's are) and a
/// fingerprint, both scattered.
fn item(f: usize, i: usize) -> (String, u64) {
    let mut x = (f as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (format!("{x:016x}{:048x}", 0), x.rotate_left(29))
}

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}
