#!/usr/bin/env bash
# Feed parsing throughput: newsmill and feed-rs (cargo bench), then Python
# feedparser 6.0.14 (in a venv this script makes) on the same files.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${EVAL_DIR:-$root/../shared/eval}/feeds/feedparser/v6.0.14/tests"
venv="$root/.cache/bench-venv"
synth="$(mktemp -d)"
trap 'rm -rf "$synth"' EXIT
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import feedparser" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "feedparser==6.0.14"
fi
cd "$root"
NEWSMILL_DUMP_SYNTHETIC="$synth" cargo bench --quiet -p news-fetcher --bench parse
"$venv/bin/python" - "$corpus" "$synth" <<'PY'
import pathlib, sys, time, feedparser
corpus, synth = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
sets = []
if corpus.is_dir():
    files = sorted(p for d in ("wellformed", "encoding") for p in (corpus / d).rglob("*")
                   if p.suffix in (".xml", ".rss", ".atom", ".rdf", ".json"))
    sets.append(("feedparser corpus", files))
sets.append(("synthetic news feeds", sorted(synth.glob("*.xml"))))
for name, files in sets:
    docs = [f.read_bytes() for f in files]
    size = sum(map(len, docs))
    best = float("inf")
    start = time.perf_counter()
    while time.perf_counter() - start < 4:
        t = time.perf_counter()
        for d in docs:
            feedparser.parse(d)
        best = min(best, time.perf_counter() - t)
    print(f"{name}: Python feedparser 6.0.14 {size / 1e6 / best:8.1f} MB/s ({len(docs)} files)")
PY
