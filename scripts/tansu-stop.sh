#!/usr/bin/env bash
# Stop a tansu started by tansu-start.sh: by port ("127.0.0.1:PORT" or PORT)
# or, with no argument, every one this checkout started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
if [ $# -gt 0 ]; then
  files=("$root/.cache/tansu/tansu-${1##*:}.pid")
else
  files=("$root"/.cache/tansu/tansu-*.pid)
fi
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
done
