#!/usr/bin/env bash
# Run every test: unit, contract, and integration tests on a real tansu
# broker and real loopback HTTP servers. `.ci/run` calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Python client for the cross-language contract test (confluent-kafka + jsonschema).
if ! [ -x .cache/venv/bin/python ] || ! .cache/venv/bin/python -c "import confluent_kafka, jsonschema, yaml" 2>/dev/null; then
  python3 -m venv .cache/venv
  .cache/venv/bin/pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
fi

# One broker for the whole run; tests create their own topics and groups.
load_build=""
cleanup() {
  if [ -n "$load_build" ]; then kill "$load_build" 2>/dev/null || true; fi
  if [ -n "${own_broker:-}" ]; then scripts/tansu-stop.sh "$KAFKA_BROKERS"; fi
}
trap cleanup EXIT
if [ -z "${KAFKA_BROKERS:-}" ]; then
  KAFKA_BROKERS="$(scripts/tansu-start.sh --watch $$)"
  export KAFKA_BROKERS
  own_broker=1
fi
echo "test broker: $KAFKA_BROKERS"

# deploy/ is linted without a Docker engine (promtool, YAML and JSON structure).
.cache/venv/bin/python tests/python/check_deploy.py

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# The load run's release build runs beside the tests, at the lowest CPU
# priority: it takes the CPU they leave idle (much of their time is spent
# waiting on the broker, on child processes and on sleeps). It has its own
# target directory, because the tests run `cargo build` themselves and
# would wait on a shared directory's lock.
mkdir -p target/load
nice -n 19 cargo build --release --locked --quiet -p newsmill \
  --target-dir target/load >target/load/build.log 2>&1 &
load_build=$!

cargo test --workspace --all-targets --locked "$@"

if ! wait "$load_build"; then
  load_build=""
  cat target/load/build.log >&2
  echo "release build for the load run failed" >&2
  exit 1
fi
load_build=""

# The sustained load run: 50,000 articles through fetch -> clean -> dedup on
# its own tansu, release build, dedup window capped so that eviction runs.
# Fails on any lost article, or on RSS growing over 30% in the second half
# (measured: 4 to 5%). About 2 minutes.
NEWSMILL__DEDUP__MAX_ARTICLES=10000 python3 scripts/load-run.py \
  --bin target/load/release/newsmill \
  --articles 50000 --feeds 500 --max-rss-growth 30
