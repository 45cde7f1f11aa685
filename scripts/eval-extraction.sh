#!/usr/bin/env bash
# Score `newsmill extract` on ../shared/eval/extraction. Only the .html files
# are given to extract: the data folders also hold the gold .txt files.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${EVAL_DIR:-$root/../shared/eval/extraction}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && cargo build --release --quiet -p newsmill)
sets=(scrapinghub readability wcxb-dev-articles)
for d in "${sets[@]}"; do
  mkdir -p "$work/in/$d"
  ln -s "$data/data/$d"/*.html "$work/in/$d/"
  "$root/target/release/newsmill" extract --in "$work/in/$d" --out "$work/pred/$d" --jobs 1
done
python3 "$data/score_extraction.py" --pred-dir "$work/pred" --datasets "${sets[@]}"
