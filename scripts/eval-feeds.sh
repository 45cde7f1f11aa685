#!/usr/bin/env bash
# Score `newsmill parse-feed` against the `Expect:` assertions of feedparser's
# test corpus (wellformed/, encoding/, entities/, illformed/, and the files
# new in its develop branch, JSON Feed among them), count crashes over every
# file and compare date parsing with feedparser's table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
eval_dir="${EVAL_DIR:-$root/../shared/eval/feeds/feedparser}"
(cd "$root" && cargo build --release --quiet -p newsmill)
exec python3 "$root/tests/python/feed_conformance.py" \
  --bin "$root/target/release/newsmill" \
  --corpus "$eval_dir/v6.0.14/tests" $( [ -d "$eval_dir/develop/tests" ] && echo "$eval_dir/develop/tests" ) \
  --dates "$eval_dir/date_tests_v6.0.14.json" "$@"
