//! `newsmill cluster` end to end, scored by the benchmark's own scorer
//! (`../shared/eval/stories/score_clusters.py`): ECB+ and the syndication
//! set must stay at their floors, the seeds mixed into ECB+ must stay one
//! story that no ECB+ article joins, and `--explain` must agree with the
//! verdicts it explains, in `cluster` and on the live dedup topic
//! (`dedup.explain`). (Unreadable lines: `batch.rs`'s unit tests.)

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use newsmill_tests::{eval_dir, repo_root, run_newsmill, serve_on_the_embedded_log, tail_json};
use serde_json::{Value, json};

/// B-cubed F1 floors on ECB+'s train and dev topics, under the file-order
/// figures (0.908 and 0.901 in round 55) by half a point or more: a change
/// that loses more than that fails here, not only in the next evaluation.
const ECB_FLOOR: f64 = 0.895;
/// Copy groups (exact and near verdicts against `cluster`): pairwise F1
/// meets issue 5's goal; precision sits under it (0.980, limited by
/// ECB+ documents that are one wire text), so its floor is that figure's.
const COPY_F1_FLOOR: f64 = 0.98;
const COPY_PRECISION_FLOOR: f64 = 0.975;
/// The syndication set's stories against `event` (0.905 in round 55).
const SYNDICATION_STORIES_FLOOR: f64 = 0.895;

fn cluster(input: &Path, output: &Path, explain: bool) -> Vec<Value> {
    let (input, output_arg) = (
        input.to_str().expect("path"),
        output.to_str().expect("path"),
    );
    let mut args = vec!["cluster", "--in", input, "--out", output_arg];
    args.extend(explain.then_some("--explain"));
    run_newsmill(&args, &[]);
    read_lines(output)
}

fn read_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn write_lines(path: &Path, rows: &[Value]) {
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).expect("write lines");
}

/// The figures `scorer` (`score_clusters.py --json`) gives `(id, cluster)`
/// pairs against `gold`; the pairs are written in `dir`.
fn score(
    scorer: &Path,
    dir: &Path,
    pred: &[(String, String)],
    gold: &Path,
    split: Option<&str>,
) -> Value {
    let path = dir.join("pred.jsonl");
    let rows: Vec<Value> = pred
        .iter()
        .map(|(id, c)| json!({"id": id, "cluster": c}))
        .collect();
    write_lines(&path, &rows);
    let out = Command::new("python3")
        .arg(scorer)
        .arg(&path)
        .arg(gold)
        .args(split.map(|s| ["--split", s]).into_iter().flatten())
        .arg("--json")
        .output()
        .expect("run score_clusters.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the scorer's JSON")
}

fn field(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn by_story(verdicts: &[Value]) -> Vec<(String, String)> {
    verdicts
        .iter()
        .map(|v| (field(v, "id"), field(v, "story_id")))
        .collect()
}

#[test]
fn benchmark_stories_stay_at_their_floors_and_the_seeds_stay_one_story() {
    let Some(eval) = eval_dir() else {
        return;
    };
    let stories = eval.join("stories");
    let scorer = stories.join("score_clusters.py");
    let dir = tempfile::tempdir().expect("temp dir");

    let ecb_gold = stories.join("ecbplus_dev.jsonl");
    let ecb = cluster(&ecb_gold, &dir.path().join("ecb.jsonl"), false);
    for split in ["train", "dev"] {
        let s = score(&scorer, dir.path(), &by_story(&ecb), &ecb_gold, Some(split));
        let f1 = s["bcubed_f1"].as_f64().expect("bcubed_f1");
        println!("ECB+ {split}: B-cubed F1 {f1:.4}");
        assert!(f1 >= ECB_FLOOR, "ECB+ {split}: {s}");
    }

    let syn_gold = stories.join("syndication_dev.jsonl");
    let syn = cluster(&syn_gold, &dir.path().join("syn.jsonl"), false);
    // A copy's group is the article at the root of its duplicate_of chain.
    let parent: HashMap<String, String> = syn
        .iter()
        .map(|v| {
            let id = field(v, "id");
            let copy = matches!(v["kind"].as_str(), Some("exact" | "near"));
            let to = if copy {
                field(v, "duplicate_of")
            } else {
                id.clone()
            };
            (id, to)
        })
        .collect();
    let root = |id: String| {
        let mut at = id;
        for _ in 0..parent.len() {
            match parent.get(&at) {
                Some(p) if *p != at => at = p.clone(),
                _ => break,
            }
        }
        at
    };
    let groups: Vec<(String, String)> = syn
        .iter()
        .map(|v| (field(v, "id"), root(field(v, "id"))))
        .collect();
    let s = score(&scorer, dir.path(), &groups, &syn_gold, None);
    let (p, f1) = (s["pairwise_p"].as_f64(), s["pairwise_f1"].as_f64());
    println!("syndication copy groups: pairwise P {p:?} F1 {f1:?}");
    assert!(
        p >= Some(COPY_PRECISION_FLOOR) && f1 >= Some(COPY_F1_FLOOR),
        "{s}"
    );

    let events: Vec<Value> = read_lines(&syn_gold)
        .into_iter()
        .map(|g| json!({"id": g["id"], "cluster": g["event"], "split": g["split"]}))
        .collect();
    let event_gold = dir.path().join("events.jsonl");
    write_lines(&event_gold, &events);
    let s = score(&scorer, dir.path(), &by_story(&syn), &event_gold, None);
    let f1 = s["bcubed_f1"].as_f64().expect("bcubed_f1");
    println!("syndication stories against event: B-cubed F1 {f1:.4}");
    assert!(f1 >= SYNDICATION_STORIES_FLOOR, "{s}");

    // The five seeds spread through the ECB+ stream, as scripts/eval-stories.sh does.
    let seeds_dir = eval.join("../seeds");
    let mut seeds: Vec<_> = std::fs::read_dir(&seeds_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", seeds_dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5, "{seeds:?}");
    let mut mixed = read_lines(&ecb_gold);
    let len = mixed.len();
    for (k, path) in seeds.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("seed text");
        let title = text
            .lines()
            .map(str::trim)
            .find(|l| l.split_whitespace().count() > 3)
            .unwrap_or_default()
            .to_string();
        let id = format!("seed-{}", path.file_name().unwrap().to_string_lossy());
        mixed.insert(
            100 + k * len / seeds.len(),
            json!({"id": id, "title": title, "text": text}),
        );
    }
    let mixed_in = dir.path().join("mixed.jsonl");
    write_lines(&mixed_in, &mixed);
    let verdicts = cluster(&mixed_in, &dir.path().join("mixed_out.jsonl"), false);
    let is_seed = |v: &Value| field(v, "id").starts_with("seed-");
    let seed_stories: BTreeSet<String> = verdicts
        .iter()
        .filter(|v| is_seed(v))
        .map(|v| field(v, "story_id"))
        .collect();
    let joined: Vec<String> = verdicts
        .iter()
        .filter(|v| !is_seed(v) && seed_stories.contains(&field(v, "story_id")))
        .map(|v| field(v, "id"))
        .collect();
    assert_eq!(seed_stories.len(), 1, "the seeds split: {seed_stories:?}");
    assert!(
        joined.is_empty(),
        "ECB+ articles in the seeds' story: {joined:?}"
    );
}

/// `--explain` gives the same verdicts, and each one's explanation names
/// what it joined or copied, at the similarity the verdict gives.
#[test]
fn explained_verdicts_are_the_verdicts_and_name_what_they_joined() {
    let Some(eval) = eval_dir() else {
        return;
    };
    let input = eval.join("stories/syndication_dev.jsonl");
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = cluster(&input, &dir.path().join("plain.jsonl"), false);
    let explained = cluster(&input, &dir.path().join("explained.jsonl"), true);
    assert_eq!(plain.len(), explained.len());
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for (p, e) in plain.iter().zip(&explained) {
        let mut verdict = e.clone();
        let why = verdict
            .as_object_mut()
            .and_then(|o| o.remove("explain"))
            .unwrap_or_else(|| panic!("no explanation: {e}"));
        assert_eq!(p, &verdict);
        let kind = field(p, "kind");
        *kinds.entry(kind.clone()).or_default() += 1;
        let notes = |list: &str, outcome: &[&str]| -> Vec<Value> {
            why[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|n| outcome.contains(&n["outcome"].as_str().unwrap_or_default()))
                .cloned()
                .collect()
        };
        let joined = notes("stories", &["joined", "joined_on_names"]);
        let copies = notes("near", &["copy"]);
        let similarity = p["similarity"].as_f64().unwrap_or(-1.0);
        match kind.as_str() {
            "story" => {
                assert_eq!(joined.len(), 1, "{e}");
                assert_eq!(joined[0]["story_id"], p["story_id"], "{e}");
                let cosine = joined[0]["cosine"].as_f64().unwrap_or(-1.0);
                assert!((cosine - similarity).abs() < 1e-6, "{e}");
            }
            "near" => {
                assert_eq!(copies.len(), 1, "{e}");
                assert_eq!(copies[0]["article"], p["duplicate_of"], "{e}");
            }
            "exact" => {
                assert_eq!(why["same_text_as"]["article"], p["duplicate_of"], "{e}");
                assert_eq!(why["same_text_as"]["headline_agrees"], true, "{e}");
            }
            _ => assert!(joined.is_empty() && copies.is_empty(), "{e}"),
        }
    }
    // The set holds every kind of verdict, so each branch above ran.
    for kind in ["unique", "story", "near", "exact"] {
        assert!(
            kinds.get(kind).is_some_and(|n| *n > 0),
            "no {kind}: {kinds:?}"
        );
    }
}

/// With `dedup.explain`, each verdict on the dedup topic carries its
/// explanation: the sample site's seeds name the story they joined and the
/// terms they share with it; without it, no verdict carries one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdicts_on_the_dedup_topic_say_why_with_dedup_explain() {
    let site = repo_root().join("examples/site");
    for explain in [true, false] {
        let (_data, mut env) = serve_on_the_embedded_log(&site, "explain").await;
        env.push(("NEWSMILL__DEDUP__EXPLAIN".into(), explain.to_string()));
        run_newsmill(&["run", "--drain"], &env);
        let verdicts = tail_json(&env, "news.dedup.v1");
        assert_eq!(verdicts.len(), 8, "{verdicts:?}");
        if !explain {
            assert!(
                verdicts.iter().all(|v| v.get("explain").is_none()),
                "{verdicts:?}"
            );
            continue;
        }
        let mut joined = 0;
        for v in &verdicts {
            let why = v
                .get("explain")
                .unwrap_or_else(|| panic!("no explanation: {v}"));
            assert!(
                why["terms"].as_array().is_some_and(|t| !t.is_empty()),
                "{v}"
            );
            let took: Vec<&Value> = why["stories"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|n| n["outcome"] == "joined" || n["outcome"] == "joined_on_names")
                .collect();
            if v["kind"] == "story" {
                assert_eq!(took.len(), 1, "{v}");
                assert_eq!(took[0]["story_id"], v["story_id"], "{v}");
                assert_eq!(took[0]["founder"], v["duplicate_of"], "{v}");
                let shared = took[0]["shared_terms"].as_array().map_or(0, Vec::len);
                assert!(shared > 0, "{v}");
                joined += 1;
            } else {
                assert!(took.is_empty(), "{v}");
            }
        }
        // Four of the five seeds join the first one's story.
        assert!(joined >= 4, "{verdicts:?}");
    }
}
