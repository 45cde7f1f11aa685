#!/usr/bin/env bash
# The Python venv the benches compare against (.cache/bench-venv): make it,
# install PACKAGES when MODULE does not import yet, print its python.
#
#     scripts/bench-venv.sh MODULE PACKAGE...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.cache/bench-venv"
module="$1"; shift
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import $module" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
fi
echo "$venv/bin/python"
