#!/usr/bin/env bash
# Score `newsmill cluster` on ../shared/eval/stories: ECB+ (train and dev
# topics), syndication copy groups against `cluster`, stories against `event`;
# the seeds mixed into ECB+; and the dedup engine's hand-written sets
# (services/dedup/tests/data/translations.jsonl, cjk.jsonl,
# cross_script.jsonl, names_only.jsonl, abjad.jsonl, kana_hangul.jsonl,
# han_names.jsonl, german_nouns.jsonl, thai.jsonl, tables.jsonl,
# devanagari.jsonl, bengali.jsonl, indic.jsonl, caucasus.jsonl,
# thai_names.jsonl, sinhala.jsonl, lao_khmer_burmese.jsonl, ethiopic.jsonl,
# han_custom.jsonl and dhivehi.jsonl)
# against `event`, with their languages given and left to detection, alone
# and mixed into ECB+; and the sets of languages with no table built in
# (indic, caucasus, sinhala) with Debian's dictionaries as run-time word
# lists, when they are installed (scripts/word-lists-debian.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
eval_dir="${EVAL_DIR:-$root/../shared/eval/stories}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$root" && cargo build --release --quiet -p newsmill)
bin="${NEWSMILL_BIN:-$root/target/release/newsmill}"
"$bin" cluster --in "$eval_dir/ecbplus_dev.jsonl" --out "$out/ecb.jsonl"
"$bin" cluster --in "$eval_dir/syndication_dev.jsonl" --out "$out/syn.jsonl"
# The seeds, spread through the ECB+ stream: one story, joined by nothing else.
seeds_dir="${SEEDS_DIR:-$root/../shared/seeds}"
python3 - "$eval_dir/ecbplus_dev.jsonl" "$seeds_dir" "$out/mixed.jsonl" <<'PY'
import json, pathlib, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seeds = sorted(pathlib.Path(sys.argv[2]).glob("*.txt"))
for k, p in enumerate(seeds):
    text = p.read_text()
    title = next((l.strip() for l in text.splitlines() if len(l.split()) > 3), "")
    rows.insert(100 + k * len(rows) // max(1, len(seeds)), {"id": "seed-" + p.name, "title": title, "text": text})
open(sys.argv[3], "w").writelines(json.dumps(r) + "\n" for r in rows)
PY
"$bin" cluster --in "$out/mixed.jsonl" --out "$out/mixed_out.jsonl"
# The dedup engine's hand-written sets, scored against `event`: alone with
# their languages given, alone with languages left to detection, and mixed
# into the ECB+ stream.
hand_sets=(translations cjk cross_script names_only abjad kana_hangul han_names german_nouns thai tables devanagari bengali indic caucasus thai_names sinhala lao_khmer_burmese ethiopic han_custom dhivehi)
for set in "${hand_sets[@]}"; do
  python3 - "$root/services/dedup/tests/data/$set.jsonl" "$eval_dir/ecbplus_dev.jsonl" "$out/$set" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = sys.argv[3]
def dump(path, rows): open(path, "w").writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
dump(f"{out}_gold.jsonl", [{"id": r["id"], "cluster": r["event"]} for r in rows])
dump(f"{out}_given.jsonl", rows)
dump(f"{out}_detected.jsonl", [{k: v for k, v in r.items() if k != "lang"} for r in rows])
ecb = [json.loads(l) for l in open(sys.argv[2])]
for k, r in enumerate(rows):
    ecb.insert(100 + k * len(ecb) // len(rows), r)
dump(f"{out}_mixed.jsonl", ecb)
PY
  for t in given detected mixed; do
    "$bin" cluster --in "$out/${set}_$t.jsonl" --out "$out/${set}_${t}_out.jsonl" > /dev/null
  done
done
python3 - "$out" "$eval_dir" <<'PY'
import json, sys
out, ev = sys.argv[1], sys.argv[2]
def dump(path, rows): open(path, "w").writelines(json.dumps(r) + "\n" for r in rows)
ecb = [json.loads(l) for l in open(f"{out}/ecb.jsonl")]
dump(f"{out}/ecb_p.jsonl", [{"id": d["id"], "cluster": d["story_id"]} for d in ecb])
syn = [json.loads(l) for l in open(f"{out}/syn.jsonl")]
parent = {d["id"]: (d["duplicate_of"] if d["kind"] in ("exact", "near") else d["id"]) for d in syn}
def root(x):
    seen = set()
    while parent.get(x, x) != x and x not in seen:
        seen.add(x); x = parent[x]
    return x
dump(f"{out}/syn_copy.jsonl", [{"id": d["id"], "cluster": root(d["id"])} for d in syn])
dump(f"{out}/syn_story.jsonl", [{"id": d["id"], "cluster": d["story_id"]} for d in syn])
gold = [json.loads(l) for l in open(f"{ev}/syndication_dev.jsonl")]
dump(f"{out}/syn_event.jsonl", [{"id": g["id"], "cluster": g["event"], "split": g["split"]} for g in gold])
PY
for s in train dev; do
  echo "ECB+ $s topics: $(python3 "$eval_dir/score_clusters.py" "$out/ecb_p.jsonl" "$eval_dir/ecbplus_dev.jsonl" --split $s | grep B-cubed)"
done
echo "syndication copy groups vs cluster: $(python3 "$eval_dir/score_clusters.py" "$out/syn_copy.jsonl" "$eval_dir/syndication_dev.jsonl" | grep Pairwise)"
echo "syndication stories vs event: $(python3 "$eval_dir/score_clusters.py" "$out/syn_story.jsonl" "$out/syn_event.jsonl" | grep B-cubed)"
python3 - "$out/mixed_out.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seed_stories = {r["story_id"] for r in rows if r["id"].startswith("seed-")}
joined = [r["id"] for r in rows if r["story_id"] in seed_stories and not r["id"].startswith("seed-")]
print(f"seeds mixed into ECB+: stories holding the seeds {len(seed_stories)}, ECB+ articles in them {len(joined)}")
PY
# scored CLUSTER_OUT GOLD SCORED: `cluster`'s lines for the gold's ids, as
# the scorer reads them (story id as the cluster).
scored() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
gold = {json.loads(l)["id"] for l in open(sys.argv[2])}
rows = [json.loads(l) for l in open(sys.argv[1])]
open(sys.argv[3], "w").writelines(json.dumps({"id": r["id"], "cluster": r["story_id"]}) + "\n" for r in rows if r["id"] in gold)
PY
}
for set in "${hand_sets[@]}"; do
  for t in given detected mixed; do
    scored "$out/${set}_${t}_out.jsonl" "$out/${set}_gold.jsonl" "$out/${set}_${t}_p.jsonl"
  done
  n=$(wc -l < "$out/${set}_gold.jsonl")
  echo "$set ($n reports), lang given: $(python3 "$eval_dir/score_clusters.py" "$out/${set}_given_p.jsonl" "$out/${set}_gold.jsonl" | grep B-cubed)"
  echo "$set, lang detected: $(python3 "$eval_dir/score_clusters.py" "$out/${set}_detected_p.jsonl" "$out/${set}_gold.jsonl" | grep B-cubed)"
  echo "$set mixed into ECB+: $(python3 "$eval_dir/score_clusters.py" "$out/${set}_mixed_p.jsonl" "$out/${set}_gold.jsonl" | grep B-cubed)"
  python3 - "$out/${set}_mixed_out.jsonl" "$out/${set}_gold.jsonl" "$set" <<'PY'
import json, sys
gold = {json.loads(l)["id"] for l in open(sys.argv[2])}
rows = [json.loads(l) for l in open(sys.argv[1])]
stories = {r["story_id"] for r in rows if r["id"] in gold}
joined = [r["id"] for r in rows if r["story_id"] in stories and r["id"] not in gold]
print(f"{sys.argv[3]} mixed into ECB+: stories holding them {len(stories)}, ECB+ articles in them {len(joined)}")
PY
done
# The sets of languages with no frequency table built in, weighed with
# Debian's dictionaries as run-time word lists (`dedup.word_lists`).
if "$root/scripts/word-lists-debian.sh" "$out/word-lists" > /dev/null 2>&1; then
  for set in indic caucasus sinhala; do
    for t in given detected; do
      NEWSMILL__DEDUP__WORD_LISTS="$out/word-lists" "$bin" cluster \
        --in "$out/${set}_$t.jsonl" --out "$out/${set}_${t}_listed.jsonl" > /dev/null 2>&1
      scored "$out/${set}_${t}_listed.jsonl" "$out/${set}_gold.jsonl" "$out/${set}_${t}_listed_p.jsonl"
      echo "$set with Debian's word lists, lang $t: $(python3 "$eval_dir/score_clusters.py" "$out/${set}_${t}_listed_p.jsonl" "$out/${set}_gold.jsonl" | grep B-cubed)"
    done
  done
else
  echo "sets with Debian's word lists: skipped (scripts/word-lists-debian.sh: packages not installed)"
fi
