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
if [ -z "${KAFKA_BROKERS:-}" ]; then
  KAFKA_BROKERS="$(scripts/tansu-start.sh --watch $$)"
  export KAFKA_BROKERS
  trap 'scripts/tansu-stop.sh "$KAFKA_BROKERS"' EXIT
fi
echo "test broker: $KAFKA_BROKERS"

# deploy/ is linted without a Docker engine (promtool, YAML and JSON structure).
.cache/venv/bin/python tests/python/check_deploy.py

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The fuzz targets are a crate of their own, outside the workspace: checked
# here so that a change of the crates' API cannot leave them unbuilt until
# the next `scripts/fuzz.sh` (round 58 found one so).
CARGO_TARGET_DIR="$root/target" cargo check --manifest-path fuzz/Cargo.toml --locked --quiet
# The end-to-end tests run the newsmill binary this command builds for
# newsmill's own tests (the workspace's features), not one of their own;
# arguments may leave those out, and then the tests build it.
if [ $# -eq 0 ]; then
  export NEWSMILL_TEST_BIN="$root/target/debug/newsmill"
fi
cargo test --workspace --all-targets --locked --no-run "$@"
# The load run's release build goes on beside the tests, which spend most
# of their time waiting on the broker, on loopback servers and on timeouts.
release_log="$(mktemp)"
cargo build --release --locked --quiet -p newsmill >"$release_log" 2>&1 &
release_build=$!
cargo test --workspace --all-targets --locked "$@" || {
  kill "$release_build" 2>/dev/null || true
  exit 1
}
if ! wait "$release_build"; then
  cat "$release_log" >&2
  exit 1
fi

# The sustained load run: 50,000 articles through fetch -> clean -> dedup on
# its own tansu, release build, dedup window capped so that eviction runs.
# Fails on any lost article, or on RSS growing over 30% in the second half
# (measured: -8.5% to +13%, moving by ten points from run to run). About 2
# minutes after the build.
NEWSMILL__DEDUP__MAX_ARTICLES=10000 python3 scripts/load-run.py \
  --articles 50000 --feeds 500 --max-rss-growth 30
