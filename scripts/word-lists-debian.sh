#!/usr/bin/env bash
# Write the dedup stage's run-time word lists (`dedup.word_lists`,
# services/dedup/src/word_lists.rs) into DIR from Debian's dictionaries:
# <language>.txt, one word per line, for the languages with no frequency
# table built in. Telugu, Kannada, Malayalam, Gujarati, Punjabi, Oriya and
# Armenian come from GNU Aspell's dictionaries, Sinhala from hunspell's.
# They are GPL, so they are not built into the binary; DIR/copyright/ gets
# each package's copyright file.
#
#     apt-get install aspell aspell-te aspell-kn aspell-ml aspell-gu \
#       aspell-pa aspell-or aspell-hy hunspell-si
#     scripts/word-lists-debian.sh DIR
#
# The container image (deploy/Dockerfile) runs it, and so does
# scripts/eval-stories.sh, which scores the sets of these languages with
# the lists too when the packages are installed.
set -euo pipefail
out="${1:?usage: scripts/word-lists-debian.sh DIR}"
packages="aspell aspell-te aspell-kn aspell-ml aspell-gu aspell-pa aspell-or aspell-hy hunspell-si"
missing=()
for pkg in $packages; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "word-lists-debian.sh: missing Debian packages: ${missing[*]} (apt-get install $packages)" >&2
  exit 1
fi
mkdir -p "$out/copyright"
# Aspell's lists are compressed with its prefix coding (prezip-bin reads them).
for lang in te kn ml gu pa or; do
  zcat "/usr/share/aspell/$lang.cwl.gz" | prezip-bin -d > "$out/$lang.txt"
done
zcat /usr/share/aspell/hy-common.cwl.gz | prezip-bin -d > "$out/hy.txt"
# Hunspell's: a word count, then a word and its affix flags a line.
cp /usr/share/hunspell/si_LK.dic "$out/si.txt"
for pkg in $packages; do
  [ "$pkg" = aspell ] || cp "/usr/share/doc/$pkg/copyright" "$out/copyright/$pkg"
done
wc -l "$out"/*.txt | sed 's/^/word-lists-debian.sh: /'
