#!/usr/bin/env bash
# Regenerate services/dedup/data/wordfreq-*.txt.gz, the priors for the
# dedup stage's document frequencies: the 200,000 most frequent English
# words of wordfreq 3.1.1 (PyPI wheel, pinned by its hash), and the 50,000
# most frequent of each other language the cleaner detects, grouped by
# Zipf value (log10 of the frequency per billion words, times 100).
#
#     scripts/df-prior.sh
#
# The file is committed, so builds need neither PyPI nor this script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.cache/df-prior"
wheel="wordfreq-3.1.1-py3-none-any.whl"
sha="4b1c6ecffc6198be3396d5cf871c4423ca71c907c231348d352dd54d62b97473"
mkdir -p "$work"
if ! echo "$sha  $work/$wheel" | sha256sum -c --status 2>/dev/null; then
  pip download --quiet --no-deps --dest "$work" "wordfreq==3.1.1"
  echo "$sha  $work/$wheel" | sha256sum -c --quiet
fi
if ! [ -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work/$wheel"
fi
"$work/venv/bin/python" - "$root/services/dedup/data" <<'PY'
import gzip, math, sys
from wordfreq import get_frequency_dict

# The cleaner's languages (services/cleaner/src/lib.rs, iso639_1).
WORDS = {"en": 200_000}
for lang in "ar cs da de es fi fr he it nb nl pl pt ru sv tr uk".split():
    WORDS[lang] = 50_000
for lang, count in WORDS.items():
    freqs = sorted(get_frequency_dict(lang).items(), key=lambda kv: (-kv[1], kv[0]))[:count]
    groups = {}
    for word, freq in freqs:
        groups.setdefault(round((math.log10(freq) + 9) * 100), []).append(word)
    lines = "".join(f"{zipf}\t{' '.join(sorted(words))}\n" for zipf, words in sorted(groups.items(), reverse=True))
    path = f"{sys.argv[1]}/wordfreq-{lang}.txt.gz"
    with open(path, "wb") as out:
        out.write(gzip.compress(lines.encode(), 9, mtime=0))
    print(f"{lang}: {len(freqs)} words in {len(groups)} Zipf groups -> {path}")
PY
