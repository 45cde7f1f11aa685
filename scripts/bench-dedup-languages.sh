#!/usr/bin/env bash
# The dedup decision bench (services/dedup/benches/decide.rs) on a stream in
# other languages and scripts: the reports of the hand-written story sets
# (services/dedup/tests/data/*.jsonl) that are not English, 32 languages,
# each pass with fresh ids and renamed names as the bench makes them.
#
#     scripts/bench-dedup-languages.sh [ARTICLES]     (default 50000)
#
# ECB+, which the bench reads by default, is English, and so nearly all
# ASCII: this stream weighs what the engine does with letters outside it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$root/services/dedup/tests/data" "$work/languages.jsonl" <<'PY'
import glob, json, sys
rows = []
for path in sorted(glob.glob(f"{sys.argv[1]}/*.jsonl")):
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        if row.get("lang") not in (None, "en"):
            rows.append(row)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
print(f"{len(rows)} reports in {len({r['lang'] for r in rows})} languages")
PY
cd "$root"
BENCH_ARTICLES="${1:-50000}" cargo bench -q -p news-dedup --bench decide -- "$work/languages.jsonl"
