#!/usr/bin/env bash
# Fuzz feed parsing, HTML extraction and message decoding with cargo-fuzz
# (libFuzzer), each for a bounded time, and report executions and crashes.
#
#     scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
#
# Seeds: feedparser's corpus (when ../shared/eval is here), the sample
# site, and the schema examples. Crashing inputs are kept under
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
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

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

# No sanitizer: the code is safe Rust, so what we look for is panics, hangs
# and runaway memory, which libFuzzer reports on its own.
cargo +nightly fuzz build --sanitizer none --release 2>&1 | grep -E "^error" || true
total_crashes=0
for target in feed_parse html_extract message_decode; do
  case $target in
    feed_parse) corpus="$feeds_corpus" ;;
    html_extract) corpus="$html_corpus" ;;
    message_decode) corpus="$msg_corpus" ;;
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
