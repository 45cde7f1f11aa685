#!/usr/bin/env bash
# Story clustering against Python baselines, in one run, on the same input:
# quality (B-cubed F1 on the ECB+ train and dev topics) and batch throughput.
#
#     scripts/bench-dedup.sh [PASSES]     (default 5)
#
# Throughput runs on a stream of PASSES copies of ECB+, each pass with its
# capitalised words renamed, so that every pass is new events of ECB+ size
# rather than copies of the last one. Contenders:
# - `newsmill cluster` (release build; timed as a whole process, which also
#   cleans each text line by line and writes JSON);
# - Python MinHash-LSH (datasketch 2.0.0) and Python online TF-IDF centroids
#   (scripts/dedup_baselines.py), in a venv this script makes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
eval_dir="${EVAL_DIR:-$root/../shared/eval/stories}"
passes="${1:-5}"
py="$("$root/scripts/bench-venv.sh" datasketch "datasketch==2.0.0")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$root" && cargo build --release --quiet -p newsmill)
bin="$root/target/release/newsmill"
ecb="$eval_dir/ecbplus_dev.jsonl"
score="$eval_dir/score_clusters.py"
tfidf_threshold="${TFIDF_THRESHOLD:-0.2}"

python3 - "$ecb" "$out/stream.jsonl" "$passes" <<'PY'
import json, re, sys
src, dst, passes = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [json.loads(l) for l in open(src, encoding="utf-8")]
cap = re.compile(r"\b([A-Z][a-z]+)")
with open(dst, "w", encoding="utf-8") as out:
    for p in range(passes):
        tag = "".join(chr(ord("a") + int(d)) for d in str(p))
        rename = (lambda t: t) if p == 0 else (lambda t, tag=tag: cap.sub(lambda m: m.group(1) + tag, t))
        for d in docs:
            out.write(json.dumps({"id": f"{d['id']}#{p}", "title": rename(d.get("title") or ""),
                                  "text": rename(d["text"]), "published": d.get("date")}) + "\n")
PY
n=$(wc -l < "$out/stream.jsonl")

# Quality: every contender clusters ECB+ itself.
"$bin" cluster --in "$ecb" --out "$out/ours.jsonl" >/dev/null 2>&1
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
open(sys.argv[2], "w").writelines(json.dumps({"id": r["id"], "cluster": r["story_id"]}) + "\n" for r in rows)
' "$out/ours.jsonl" "$out/ours_c.jsonl"
"$py" "$root/scripts/dedup_baselines.py" minhash "$ecb" "$out/minhash_c.jsonl" >/dev/null
"$py" "$root/scripts/dedup_baselines.py" tfidf "$ecb" "$out/tfidf_c.jsonl" --threshold "$tfidf_threshold" >/dev/null

# Throughput on the renamed stream.
start=$(date +%s.%N)
"$bin" cluster --in "$out/stream.jsonl" --out "$out/ours_stream.jsonl" >/dev/null 2>&1
ours_rate=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.0f}')" "$n" "$start" "$(date +%s.%N)")
minhash_rate=$("$py" "$root/scripts/dedup_baselines.py" minhash "$out/stream.jsonl" "$out/m.jsonl" | awk '{print $(NF-1)}')
tfidf_rate=$("$py" "$root/scripts/dedup_baselines.py" tfidf "$out/stream.jsonl" "$out/t.jsonl" --threshold "$tfidf_threshold" | awk '{print $(NF-1)}')

f1() { python3 "$score" "$1" "$ecb" --split "$2" | sed -nE 's/^B-cubed.*F1=([0-9.]+).*/\1/p'; }
echo "stream: $n articles ($passes passes over ECB+); one process each, one core"
printf '%-34s %10s %10s %10s %12s\n' contender "ECB+ train" "ECB+ dev" "docs/s" "ours/them"
for c in "newsmill cluster:ours:$ours_rate" "Python MinHash-LSH (datasketch):minhash:$minhash_rate" "Python online TF-IDF (t=$tfidf_threshold):tfidf:$tfidf_rate"; do
  IFS=: read -r name file rate <<<"$c"
  ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$ours_rate" "$rate")
  printf '%-34s %10s %10s %10s %12s\n' "$name" "$(f1 "$out/${file}_c.jsonl" train)" "$(f1 "$out/${file}_c.jsonl" dev)" "$rate" "$ratio"
done
