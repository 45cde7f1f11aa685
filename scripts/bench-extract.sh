#!/usr/bin/env bash
# Extraction throughput, single-threaded, on the same files in one run:
# parse-only (html5ever plus a text walk), newsmill, dom_smoothie (cargo
# bench), then newsmill against Python trafilatura 2.3.1, in a venv this
# script makes.
#
#     scripts/bench-extract.sh [DIR]     (default: the scrapinghub pages)
#
# This machine's speed drifts by a tenth or more over minutes, so newsmill
# and trafilatura run in alternating rounds and the ratio is of their
# medians, as the cargo bench does for its four contenders.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${EVAL_DIR:-$root/../shared/eval}/extraction/data/scrapinghub}"
secs="${BENCH_SECS:-10}"
rounds=3
slice=$(( secs / rounds > 0 ? secs / rounds : 1 ))
py="$("$root/scripts/bench-venv.sh" trafilatura "trafilatura==2.3.1" "lxml_html_clean==0.4.6")"
cd "$root"
BENCH_SECS="$secs" cargo bench --quiet -p news-cleaner --bench extract -- "$dir"
ours=()
theirs=()
for _ in $(seq "$rounds"); do
  ours+=("$(BENCH_ONLY=newsmill BENCH_SECS="$slice" cargo bench --quiet -p news-cleaner \
    --bench extract -- "$dir" | awk '/^newsmill extract_html alone/ {print $(NF-1)}')")
  theirs+=("$("$py" - "$dir" "$slice" <<'PY'
import pathlib, sys, time, trafilatura
folder, secs = pathlib.Path(sys.argv[1]), float(sys.argv[2])
docs = [p.read_bytes() for p in sorted(folder.glob("*.html"))]
for d in docs[:5]:
    trafilatura.extract(d)  # warm-up
n, start = 0, time.perf_counter()
while time.perf_counter() - start < secs:
    for d in docs:
        trafilatura.extract(d)
        n += 1
print(f"{n / (time.perf_counter() - start):.1f}")
PY
)")
done
python3 - "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
ours, theirs = ([float(x) for x in arg.split()] for arg in sys.argv[1:3])
print(f"rounds, newsmill alone:     {' '.join(f'{x:.1f}' for x in ours)} docs/s")
print(f"rounds, Python trafilatura: {' '.join(f'{x:.1f}' for x in theirs)} docs/s")
o, t = statistics.median(ours), statistics.median(theirs)
print(f"{'Python trafilatura 2.3.1':<36} {t:>8.1f} docs/s (median)")
print(f"newsmill / Python trafilatura: {o:.1f} / {t:.1f} = {o / t:.1f}x")
PY
