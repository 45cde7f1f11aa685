#!/usr/bin/env bash
# Fuzz feed parsing, HTML extraction, message decoding and dedup decisions
# with cargo-fuzz (libFuzzer), each for a bounded time, and report
# executions and crashes.
#
#     scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
#
# Seeds: feedparser's corpus (when ../shared/eval is here), the sample
# site, the schema examples and the hand-written story sets. Crashing inputs are kept under
# fuzz/artifacts/<target>/; the script exits non-zero if there are any.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-30}"
cd "$root"

tools="$root/.cache/cargo-fuzz"
if ! [ -x "$tools/bin/cargo-fuzz" ]; then
  CARGO_INSTALL_ROOT="$tools" cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi
export PATH="$tools/bin:$PATH"
rustup toolchain list | grep '^nightly' >/dev/null || rustup toolchain install nightly --profile minimal

seed() {  # seed TARGET FILES...
  local dir="$root/.cache/fuzz-corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" 2>/dev/null || true; done
  echo "$dir"
}
eval_dir="${EVAL_DIR:-$root/../shared/eval}"
feeds_corpus="$(seed feed_parse $(find "$eval_dir/feeds/feedparser/v6.0.14/tests" -type f 2>/dev/null | head -3000) examples/site/*.xml)"
html_corpus="$(seed html_extract examples/site/*.html examples/site/*.txt)"
msg_corpus="$(seed message_decode schemas/examples/*.json)"
# Dedup seeds: the hand-written story sets, three articles to a seed, in
# story_decide's format (0x1E between articles; a language byte, the
# headline, a newline, the text).
story_corpus="$(seed story_decide)"
python3 - "$story_corpus" services/dedup/tests/data/*.jsonl <<'PY'
import json, sys
langs = [None, "en", "zh", "ja", "ko", "ru", "th", "xx-unknown", "uk", "el", "ar", "he", "hi", "fa", "sr", "bn", "id", "ta", "te", "ml", "gu", "kn", "pa", "or", "ka", "hy", "si", "lo", "km", "my", "am", "ti", "dv"]
out, paths = sys.argv[1], sys.argv[2:]
for path in paths:
    lines = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    for start in range(0, len(lines), 3):
        parts = []
        for a in lines[start:start + 3]:
            lang = a.get("lang")
            code = langs.index(lang) if lang in langs else 1
            parts.append(bytes([code]) + (a.get("title", "") + "\n" + a.get("text", "")).encode())
        name = f"{out}/{path.rsplit('/', 1)[-1]}-{start}"
        open(name, "wb").write(b"\x1e".join(parts))
PY

# No sanitizer: the code is safe Rust, so what we look for is panics, hangs
# and runaway memory, which libFuzzer reports on its own.
cargo +nightly fuzz build --sanitizer none --release 2>&1 | grep -E "^error" || true
total_crashes=0
for target in feed_parse html_extract message_decode story_decide; do
  case $target in
    feed_parse) corpus="$feeds_corpus" ;;
    html_extract) corpus="$html_corpus" ;;
    message_decode) corpus="$msg_corpus" ;;
    story_decide) corpus="$story_corpus" ;;
  esac
  log="$(mktemp)"
  set +e
  cargo +nightly fuzz run --sanitizer none --release "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=1048576 >"$log" 2>&1
  rc=$?
  set -e
  runs="$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)"
  crashes="$(ls "fuzz/artifacts/$target" 2>/dev/null | wc -l)"
  echo "fuzz $target: $runs executions in ${seconds}s, $crashes crashes (exit $rc)"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    tail -30 "$log"
    total_crashes=$((total_crashes + crashes + (rc != 0)))
  fi
  rm -f "$log"
done
[ "$total_crashes" -eq 0 ]
