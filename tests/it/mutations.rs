//! The CI share of the fuzzing: the same three entry points as the
//! cargo-fuzz targets in `fuzz/` (feed parsing, extraction, message
//! decoding), fed a fixed number of mutated seeds each, on stable Rust.
//! It is not coverage-guided like `scripts/fuzz.sh`, but it runs on every
//! CI run and is deterministic: the same seed list gives the same inputs.
//! A panicking input is written to the target directory and named.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use news_core::messages::{
    CleanArticle, DeadLetter, DedupVerdict, FeedCommand, RawItem, Story, decode,
};
use newsmill_tests::repo_root;

/// splitmix64: a small deterministic generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces that tend to break parsers: markup, entities, encodings, ends.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"<div>",
    b"<p>",
    b"<script>",
    b"</script>",
    b"<script><!--<script>",
    b"<style>",
    b"</style>",
    b"<!--",
    b"-->",
    b"<svg>",
    b"</svg>",
    b"<noscript>",
    b"<textarea>",
    b"=\"",
    b"<![CDATA[",
    b"]]>",
    b"&amp;",
    b"&#x0;",
    b"&unknown;",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    b"\"",
    b"'",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"schema_version\":",
    b"null",
    b"1e999",
    b"\\u0000",
    b"\0",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xe2\x80",
    b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>",
    b"<meta charset=\"latin-1\">",
    b"<meta name=\"viewport\" content=\"x\">",
    b"<meta http-equiv=\"refresh\" content=\"0; url='",
    b"<NOSCRIPT>",
    b"<meta property=\"og:title\" content=\"t\">",
    b"<link rel=\"stylesheet\" href=\"a\">",
    b"<link rel=canonical href=b>",
    b"<path d=\"M0\"/>",
    b"<g>",
    b"</g>",
    b"<select>",
    b"<frameset>",
];

/// One mutation of a seed: flips, token insertions, cuts, repeats, splices.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, t.iter().copied());
            }
            2 => data.truncate(at),
            3 if !data.is_empty() => {
                let len = rng.below(64).min(data.len() - at.min(data.len()));
                let piece: Vec<u8> = data[at.min(data.len())..at.min(data.len()) + len].to_vec();
                for _ in 0..rng.below(20) {
                    data.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                data.splice(at..at, other[from..].iter().copied().take(4096));
            }
            _ => data
                .drain(at..(at + rng.below(256)).min(data.len()))
                .for_each(drop),
        }
    }
    data
}

fn seeds(patterns: &[(&str, &str)]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (dir, ext) in patterns {
        let dir: PathBuf = repo_root().join(dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("seed dir {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == *ext))
            .collect();
        files.sort();
        out.extend(files.iter().map(|p| std::fs::read(p).unwrap()));
    }
    assert!(!out.is_empty(), "no seeds for {patterns:?}");
    out
}

/// Run `target` on `runs` mutated inputs; a panic names the saved input.
fn fuzz(name: &str, seeds: &[Vec<u8>], runs: usize, target: impl Fn(&[u8])) -> usize {
    let mut rng = Rng(0x6e65_7773_6d69_6c6c);
    for run in 0..runs {
        let input = mutate(&mut rng, seeds);
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            let path = repo_root().join(format!("target/mutation-crash-{name}-{run}.bin"));
            std::fs::write(&path, &input).unwrap();
            panic!(
                "{name} panicked on input {run}, saved to {}",
                path.display()
            );
        }
    }
    runs
}

#[test]
fn feed_parsing_survives_mutated_feeds() {
    let mut seeds = seeds(&[("examples/site", "xml")]);
    // The other two feed formats, so that every parser is reached.
    seeds.push(br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><updated>2024-06-01T10:00:00Z</updated><entry><title>Quake hits coast</title><link href="/a/1"/><id>urn:1</id><updated>2024-06-01T09:00:00Z</updated><summary type="html">&lt;p&gt;Text&lt;/p&gt;</summary></entry></feed>"#.to_vec());
    seeds.push(br#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://example.org/a/1","title":"Quake hits coast","date_published":"2024-06-01T09:00:00Z","content_text":"Text"}]}"#.to_vec());
    let runs = fuzz("feed_parse", &seeds, 3_000, |data| {
        let charset = match data.first().map(|b| b % 4) {
            Some(0) => Some("application/rss+xml; charset=utf-16"),
            Some(1) => Some("text/xml; charset=windows-1251"),
            Some(2) => Some("application/xml"),
            _ => None,
        };
        if let Ok(feed) = news_fetcher::parse_feed(data, "http://example.org/feed/", charset) {
            let _ = feed.items("http://example.org/feed/");
        }
    });
    assert_eq!(runs, 3_000);
}

#[test]
fn extraction_survives_mutated_pages() {
    let seeds = seeds(&[("examples/site/articles", "html"), ("examples/site", "txt")]);
    let limits = news_cleaner::Limits::default();
    let mut with_text = 0;
    fuzz("html_extract", &seeds, 400, |data| {
        let (text, _) = news_core::charset::decode_html(data, None);
        let page = news_cleaner::extract_html(&text, limits);
        let _ = news_cleaner::word_count(&page.text);
        let _ = news_cleaner::extract_plain(&text, limits);
        let page_url = url::Url::parse("https://news.example/go/1").unwrap();
        let _ = news_fetcher::refresh::refresh_target(&text, &page_url);
    });
    // Mutations are mostly small: most pages must still yield their story,
    // or the inputs were not pages at all and the run tested nothing.
    let mut rng = Rng(7);
    for _ in 0..50 {
        let input = mutate(&mut rng, &seeds);
        let (text, _) = news_core::charset::decode_html(&input, None);
        with_text += usize::from(!news_cleaner::extract_html(&text, limits).text.is_empty());
    }
    assert!(
        with_text >= 10,
        "only {with_text} of 50 mutated pages kept any text"
    );
}

#[test]
fn the_prepass_leaves_the_parsed_page_unchanged() {
    // The pass before html5ever cuts script and style bodies, unread
    // attributes, unread `<link>`s and `<meta>`s, icons' insides, comment
    // text and indentation: on any page, the parsed tree must be the same
    // apart from those.
    // The sample articles have no scripts: give each the ones news pages have.
    let chrome = concat!(
        "<head><style>p > a { color: red }</style>",
        r#"<script type="application/ld+json">{"@type": "NewsArticle"}</script>"#,
        "<script>if (a < b && c > d) { document.write('<div>x</div>'); }</script>",
        "<!-- <script>ads()</script> --><noscript><img src=x></noscript></head>",
        r#"<svg><style>.i { fill: #000 }</style><path d="M0 0"/></svg>"#,
        "<script><!--<script>x()</script>--></script>",
        r#"<link rel="preload" href="a.js"><meta name="viewport" content="w">"#,
        r#"<meta property="og:title" content="T"><link rel="canonical" href="/a">"#,
        r#"<svg viewBox="0 0 9 9"><g fill="none"><path d="M0 0"/></g></svg>"#,
    );
    let seeds: Vec<Vec<u8>> = seeds(&[("examples/site/articles", "html")])
        .into_iter()
        .map(|page| [chrome.as_bytes(), &page].concat())
        .collect();
    let mut cut = 0;
    fuzz("html_prepass", &seeds, 1_000, |data| {
        let (text, _) = news_core::charset::decode_html(data, None);
        let prepared = news_cleaner::prepass::prepare(&text, usize::MAX);
        assert_eq!(
            news_cleaner::prepass::outline(&prepared),
            news_cleaner::prepass::outline(&text)
        );
    });
    let mut rng = Rng(11);
    for _ in 0..50 {
        let (text, _) = news_core::charset::decode_html(&mutate(&mut rng, &seeds), None);
        cut += usize::from(news_cleaner::prepass::prepare(&text, usize::MAX).len() < text.len());
    }
    assert!(
        cut >= 25,
        "only {cut} of 50 mutated pages had a body to cut"
    );
}

/// Every topic's decoder on `data` (all of them run: `|`, not `||`), as in
/// `fuzz/fuzz_targets/message_decode.rs`; whether any accepted it.
fn decodes_as_any(data: &[u8]) -> bool {
    decode::<RawItem>(data).is_ok()
        | decode::<CleanArticle>(data).is_ok()
        | decode::<DedupVerdict>(data).is_ok()
        | decode::<Story>(data).is_ok()
        | decode::<DeadLetter>(data).is_ok()
        | FeedCommand::decode(data).is_ok()
}

#[test]
fn message_decoding_survives_mutated_messages() {
    let seeds = seeds(&[("schemas/examples", "json")]);
    fuzz("message_decode", &seeds, 20_000, |data| {
        decodes_as_any(data);
    });
    // The seeds themselves decode: the decoders are really reached.
    let decoded = seeds.iter().filter(|s| decodes_as_any(s)).count();
    assert_eq!(decoded, seeds.len(), "every seed message decodes");
}
