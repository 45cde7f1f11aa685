//! Batch tools: `extract`, `cluster`, `parse-feed`. No bus involved.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use news_cleaner::{Limits, detect_language, extract_html, extract_plain, plain_main_text};
use news_core::Config;
use news_core::mojibake::repair_text;
use news_dedup::{ClusterIn, Engine, cluster_line, params_from, word_lists_from};
use std::borrow::Cow;

use crate::lines::{Line, bounded_lines};

/// A `parse-feed --batch` request is a path or a date: a line longer than
/// this is not one.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Progress on a terminal only; never in logs or pipes.
fn progress(done: usize, total: Option<usize>, started: Instant) {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
    match total {
        Some(t) => eprint!("\r{done}/{t} documents, {rate:.0} docs/s   "),
        None => eprint!("\r{done} documents, {rate:.0} docs/s   "),
    }
}

pub fn extract(input: &Path, output: &Path, jobs: Option<usize>, config: &Config) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)
        .with_context(|| format!("reading {}", input.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("html" | "htm" | "txt")
            )
        })
        .collect();
    files.sort();
    std::fs::create_dir_all(output).with_context(|| format!("creating {}", output.display()))?;
    let limits = Limits {
        max_html_bytes: config.cleaner.max_html_bytes,
        min_words: config.cleaner.min_words,
    };
    let jobs = jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    if let Err(e) = extract_one(path, output, limits) {
                        failed.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(file = %path.display(), error = %e, "extract failed");
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(16) {
                        progress(n, Some(files.len()), started);
                    }
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    println!(
        "extracted {} documents ({} failed) in {:.2}s: {:.1} docs/s",
        files.len(),
        failed.load(Ordering::Relaxed),
        secs,
        files.len() as f64 / secs.max(1e-9)
    );
    Ok(())
}

fn extract_one(path: &Path, out_dir: &Path, limits: Limits) -> Result<()> {
    let bytes = std::fs::read(path)?;
    let is_text = path.extension().and_then(|e| e.to_str()) == Some("txt");
    // Plain text is decoded as a fetched page is (BOM, UTF-8, then
    // detection): a file in a legacy encoding is not read as U+FFFDs.
    let (decoded, _) = news_core::charset::decode_html(&bytes, None);
    let found = if is_text {
        extract_plain(&decoded, limits)
    } else {
        extract_html(&decoded, limits)
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("doc");
    std::fs::write(out_dir.join(format!("{stem}.txt")), &found.text)?;
    std::fs::write(
        out_dir.join(format!("{stem}.json")),
        serde_json::to_vec_pretty(&found)?,
    )?;
    Ok(())
}

pub fn cluster(input: &Path, output: &Path, explain: bool, config: &Config) -> Result<()> {
    // Word lists first: a list it cannot use stops it before any output.
    let mut engine = Engine::new(params_from(config)).with_word_lists(word_lists_from(config)?);
    let reader = std::io::BufReader::new(
        std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?,
    );
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(output).with_context(|| format!("creating {}", output.display()))?,
    );
    let started = Instant::now();
    let (mut n, mut bad) = (0usize, 0usize);
    // A line is at most what one message on the bus may be.
    let max_line = config.bus.max_message_bytes;
    for (lineno, line) in bounded_lines(reader, max_line).enumerate() {
        let line = match line? {
            Line::Text(text) => text,
            skipped => {
                bad += 1;
                let problem = skipped.problem(max_line).unwrap_or_default();
                tracing::warn!(line = lineno + 1, problem, "skipping unreadable input line");
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let mut article: ClusterIn = match serde_json::from_str(&line) {
            Ok(a) => a,
            Err(e) => {
                bad += 1;
                tracing::warn!(line = lineno + 1, error = %e, "skipping malformed input line");
                continue;
            }
        };
        // The same line-by-line cleaning the pipeline's clean stage applies:
        // page chrome in the text would make copies of different stories look alike.
        let cleaned = plain_main_text(
            &article.text,
            Limits {
                min_words: 1,
                ..Limits::default()
            },
        );
        if !cleaned.is_empty() {
            article.text = cleaned;
        }
        // A line without its language gets the one the clean stage would
        // detect: each language's words are weighed by its own frequencies.
        if article.lang.is_none() {
            article.lang = detect_language(&article.text);
        }
        // Repaired as the clean stage repairs it (the text was, above).
        if let Some(title) = &mut article.title
            && let Cow::Owned(fixed) = repair_text(title)
        {
            *title = fixed;
        }
        let verdict = cluster_line(&mut engine, &article, n as i64, explain);
        serde_json::to_writer(&mut out, &verdict)?;
        out.write_all(b"\n")?;
        n += 1;
        if n.is_multiple_of(256) {
            progress(n, None, started);
        }
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    println!(
        "clustered {n} articles ({bad} malformed or unreadable lines skipped) into {} stories in {secs:.2}s: {:.0} docs/s",
        engine.story_count(),
        n as f64 / secs.max(1e-9)
    );
    Ok(())
}

pub fn parse_feed(file: &Path, url: Option<&str>, content_type: Option<&str>) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let default_url = file_url(file);
    let feed = news_fetcher::parse_feed(&bytes, url.unwrap_or(&default_url), content_type)
        .with_context(|| format!("parsing {}", file.display()))?;
    println!("{}", serde_json::to_string_pretty(&feed)?);
    Ok(())
}

fn file_url(file: &Path) -> String {
    std::fs::canonicalize(file)
        .ok()
        .and_then(|p| url::Url::from_file_path(p).ok())
        .map(|u| u.to_string())
        .unwrap_or_else(|| "file:///feed".into())
}

#[derive(serde::Deserialize)]
struct FeedRequest {
    path: Option<PathBuf>,
    url: Option<String>,
    content_type: Option<String>,
    content_language: Option<String>,
    date: Option<String>,
}

/// One JSON line in, one out: for test harnesses and bulk checks. A bad
/// request or a bad feed is reported on its line; the batch goes on.
pub fn parse_feed_batch() -> Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in bounded_lines(stdin.lock(), MAX_REQUEST_BYTES) {
        let line = match line? {
            Line::Text(text) => text,
            skipped => {
                let problem = skipped.problem(MAX_REQUEST_BYTES).unwrap_or_default();
                let reply = serde_json::json!({ "error": format!("bad request: {problem}") });
                serde_json::to_writer(&mut out, &reply)?;
                out.write_all(b"\n")?;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<FeedRequest>(&line) {
            Err(e) => serde_json::json!({ "error": format!("bad request: {e}") }),
            Ok(FeedRequest { date: Some(d), .. }) => serde_json::json!({
                "date": d,
                "parsed": news_fetcher::parse_date(&d).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            }),
            Ok(FeedRequest {
                path: Some(path),
                url,
                content_type,
                content_language,
                ..
            }) => {
                let url = url.unwrap_or_else(|| file_url(&path));
                let source = news_fetcher::feed::FeedSource {
                    url: &url,
                    content_type: content_type.as_deref(),
                    content_language: content_language.as_deref(),
                };
                match std::fs::read(&path) {
                    Err(e) => serde_json::json!({ "path": path, "error": e.to_string() }),
                    Ok(bytes) => match news_fetcher::feed::parse_feed_from(&bytes, &source) {
                        Ok(feed) => serde_json::json!({ "path": path, "feed": feed }),
                        Err(e) => serde_json::json!({
                            "path": path,
                            "error": e.to_string(),
                            "panicked": matches!(e, news_fetcher::FeedError::Panic),
                        }),
                    },
                }
            }
            Ok(_) => serde_json::json!({ "error": "a request needs a path or a date" }),
        };
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `cluster` on these input lines in a directory of its own, and
    /// return its output lines.
    fn run_cluster(name: &str, input: &[u8], config: &Config) -> Vec<serde_json::Value> {
        let dir = std::env::temp_dir().join(format!("newsmill-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("in.jsonl"), input).unwrap();
        cluster(&dir.join("in.jsonl"), &dir.join("out.jsonl"), false, config).unwrap();
        let out = std::fs::read_to_string(dir.join("out.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        out
    }

    #[test]
    fn cluster_skips_bad_lines_and_knows_a_double_encoded_copy() {
        // Lines that are not JSON, not UTF-8, or longer than a message may
        // be are skipped, and the lines after them decided.
        let story = "The city’s council voted on Tuesday to rebuild the old river bridge, which has been closed since May, at a cost of €4 million. \
            Work starts in March and the mayor’s office said the bridge won’t reopen before the summer. \
            Residents said the detour adds twenty minutes to every trip into town.";
        let title = "Council votes to rebuild the river bridge — at last";
        let (broken_story, _) =
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(story.as_bytes());
        let (broken_title, _) =
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(title.as_bytes());
        let line = |id: &str, title: &str, text: &str| {
            serde_json::json!({"id": id, "title": title, "text": text}).to_string()
        };
        let mut config = Config::default();
        config.bus.max_message_bytes = 1024;
        let too_long = line("long", title, &story.repeat(4));
        assert!(too_long.len() > 1024);
        let input = [
            line("a", title, story).into_bytes(),
            b"{not json".to_vec(),
            b"{\"id\": \"latin-1\", \"text\": \"caf\xe9\"}".to_vec(),
            too_long.into_bytes(),
            line("b", &broken_title, &broken_story).into_bytes(),
            line("c", "Storm closes schools", "Heavy snow closed every school in the county on Monday, officials said, and buses will not run before Wednesday.").into_bytes(),
        ]
        .join(&b'\n');
        let out = run_cluster("cluster", &input, &config);
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(out[0]["kind"], "unique");
        assert_eq!(out[1]["kind"], "exact", "{:?}", out[1]);
        assert_eq!(out[1]["duplicate_of"], "a");
        assert_eq!(out[1]["story_id"], out[0]["story_id"]);
        assert_eq!(out[2]["kind"], "unique");
        assert_ne!(out[2]["story_id"], out[0]["story_id"]);
    }

    #[test]
    fn extract_reads_a_plain_text_file_in_a_legacy_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let (input, output) = (dir.path().join("in"), dir.path().join("out"));
        std::fs::create_dir_all(&input).unwrap();
        let text = "Le café du marché a rouvert mardi après deux ans de travaux, \
            a annoncé la mairie. Les habitants étaient nombreux à la réouverture.\n";
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        std::fs::write(input.join("a.txt"), &latin1).unwrap();
        extract(&input, &output, Some(1), &Config::default()).unwrap();
        let found: serde_json::Value =
            serde_json::from_slice(&std::fs::read(output.join("a.json")).unwrap()).unwrap();
        let found = found["text"].as_str().unwrap();
        assert!(found.contains("café du marché"), "{found}");
        assert!(!found.contains('\u{fffd}'), "{found}");
    }

    #[test]
    fn cluster_stops_on_a_word_list_it_cannot_use_and_names_it() {
        let dir = std::env::temp_dir().join(format!("newsmill-lists-{}", std::process::id()));
        let lists = dir.join("lists");
        std::fs::create_dir_all(&lists).unwrap();
        std::fs::write(lists.join("en.txt"), "bridge\n").unwrap();
        std::fs::write(dir.join("in.jsonl"), "").unwrap();
        let mut config = Config::default();
        config.dedup.word_lists = Some(lists);
        let out = dir.join("out.jsonl");
        let err = cluster(&dir.join("in.jsonl"), &out, false, &config).unwrap_err();
        let written = out.exists();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(format!("{err:#}").contains("en.txt"), "{err:#}");
        assert!(!written);
    }

    #[test]
    fn cluster_detects_the_language_of_a_line_that_gives_none() {
        // The dedup engine's translation test set, without its `lang`
        // fields: weighed as English, two German quakes would share a story.
        let lines: Vec<serde_json::Value> =
            include_str!("../../dedup/tests/data/translations.jsonl")
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        let input: Vec<String> = lines
            .iter()
            .map(|v| {
                let mut v = v.clone();
                v.as_object_mut().unwrap().remove("lang");
                v.to_string()
            })
            .collect();
        let out = run_cluster(
            "cluster-lang",
            input.join("\n").as_bytes(),
            &Config::default(),
        );
        assert_eq!(out.len(), lines.len());
        for (a, a_out) in lines.iter().zip(&out) {
            for (b, b_out) in lines.iter().zip(&out) {
                assert_eq!(
                    a["event"] == b["event"],
                    a_out["story_id"] == b_out["story_id"],
                    "{} and {}",
                    a["id"],
                    b["id"]
                );
            }
        }
    }
}
