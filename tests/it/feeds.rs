//! Feed parsing, judged by feedparser's own test corpus: the `Expect:`
//! assertions of wellformed/, encoding/, entities/ and illformed/ must agree
//! at least 95% of the time, and no file anywhere in the corpus may crash
//! the parser.

use std::process::Command;

use newsmill_tests::{eval_dir, newsmill_bin, repo_root};

#[test]
fn feedparser_corpus_agreement_is_at_least_95_percent_with_no_crashes() {
    let Some(eval) = eval_dir() else {
        return;
    };
    let corpus = eval.join("feeds/feedparser/v6.0.14/tests");
    assert!(corpus.is_dir(), "missing corpus {}", corpus.display());
    // The files new in feedparser's develop branch, when they are there.
    let develop = Some(eval.join("feeds/feedparser/develop/tests")).filter(|d| d.is_dir());
    let out = Command::new("python3")
        .arg(repo_root().join("tests/python/feed_conformance.py"))
        .arg("--bin")
        .arg(newsmill_bin())
        .arg("--corpus")
        .arg(&corpus)
        .args(develop)
        .args(["--min", "0.95"])
        .output()
        .expect("run python3 feed_conformance.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "conformance below target or crashes:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(", 0 crashes"), "{stdout}");
}
