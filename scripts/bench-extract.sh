#!/usr/bin/env bash
# Extraction throughput, single-threaded, on the same files in one run:
# parse-only (html5ever plus a text walk), newsmill, dom_smoothie (cargo
# bench), then Python trafilatura 2.3.1 in a venv this script makes.
#
#     scripts/bench-extract.sh [DIR]     (default: the scrapinghub pages)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${EVAL_DIR:-$root/../shared/eval}/extraction/data/scrapinghub}"
secs="${BENCH_SECS:-10}"
py="$("$root/scripts/bench-venv.sh" trafilatura "trafilatura==2.3.1" "lxml_html_clean==0.4.6")"
cd "$root"
out="$(BENCH_SECS="$secs" cargo bench --quiet -p news-cleaner --bench extract -- "$dir")"
echo "$out"
ours="$(echo "$out" | awk '/^newsmill extract_html/ {print $3}')"
"$py" - "$dir" "$secs" "$ours" <<'PY'
import pathlib, sys, time, trafilatura
folder, secs, ours = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
docs = [p.read_bytes() for p in sorted(folder.glob("*.html"))]
for d in docs[:5]:
    trafilatura.extract(d)  # warm-up
n, start = 0, time.perf_counter()
while time.perf_counter() - start < secs:
    for d in docs:
        trafilatura.extract(d)
        n += 1
rate = n / (time.perf_counter() - start)
print(f"{'Python trafilatura ' + trafilatura.__version__:<36} {rate:>8.1f} docs/s")
print(f"newsmill / Python trafilatura: {ours / rate:.1f}x")
PY
