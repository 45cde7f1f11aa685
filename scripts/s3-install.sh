#!/usr/bin/env bash
# Install moto's S3 server into .cache/s3-venv (idempotent) and print the path
# of its moto_server. The broker-restart test runs tansu on this S3 store, so
# that topics and committed offsets outlive the tansu process (tansu's memory
# engine loses them). Versions are pinned in tests/python/s3-requirements.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.cache/s3-venv"
req="$root/tests/python/s3-requirements.txt"
stamp="$venv/.requirements"
if ! [ -x "$venv/bin/moto_server" ] || ! cmp -s "$req" "$stamp"; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  cp "$req" "$stamp"
fi
echo "$venv/bin/moto_server"
