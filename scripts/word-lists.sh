#!/usr/bin/env bash
# Regenerate services/dedup/data/words-{lo,km,my}.txt.gz: the word lists
# with which the dedup stage cuts Lao, Khmer and Burmese text into words
# and weighs them (services/dedup/src/lao_khmer_burmese.rs, prior.rs);
# words-am.txt.gz, Amharic's function words and dictionary;
# words-ti.txt.gz, Tigrinya's function words, which the stage weighs as
# common (its other words, as rare); words-dv.txt.gz, Dhivehi's word
# frequencies in news; and words-ka.txt.gz, Georgian's dictionary.
# No frequency list of these languages is at hand (wordfreq has none), so
# each file holds two lines in the prior's format ("ZIPF<TAB>word word
# ..."): the language's function words at Zipf 6.00, among its commonest,
# and every other listed word at the Zipf whose weight (the dedup stage's
# IDF with the prior alone) is the mean weight of a running word of Thai
# text that is not among Thai's commonest (from data/tnc-th.txt.gz, each
# word counted as often as it is written): the weight a word seen in a
# text has, on average, when its own frequency is not known. A word no
# list holds (a name, most often) weighs as rare.
#
#     scripts/word-lists.sh
#
# Word lists: the chamkho 1.5.0 crate's data (crates.io, pinned by its
# hash): khmerdict.txt (SIL NRSI, MIT), myanmar-dict.txt (Ei Maung, MIT)
# and laowords.txt (Brian Eugene Wilson and Robert Martin Campbell,
# BSD-2-Clause). Function words: Lao, laonlp 1.3.0's stopwords_lao.txt
# (PyPI wheel, pinned; Apache-2.0); Burmese, the particles, postpositions,
# conjunctions and pronouns of myanmar_words 1.0.2 (PyPI wheel, pinned;
# MIT); Khmer, the list below, written for this script; Amharic and
# Tigrinya, spaCy 3.8.18's stop words (spacy/lang/{am,ti}/stop_words.py;
# PyPI wheel for CPython 3.11 on manylinux, pinned; MIT). Amharic's other
# words: GNU Aspell's Amharic dictionary by Daniel Yacob (Ge'ez Frontier
# Foundation, public domain), 13,740 words, from Debian's aspell-am
# 0.03-1-5.2 (pinned by its hash; Aspell's prezip-bin, in Debian's
# aspell package, reads its compressed list). The other Ethiopic,
# Indic, Sinhala and Armenian dictionaries Debian ships are GPL, which
# this Apache-2.0 binary does not take in.
#
# Georgian: the stems of the Georgian hunspell dictionary of the npm
# package dictionary-ka 1.1.0 (pinned by its hash): Gabriel Margiani's
# ka_GE.spell, from the word lists of Dato Bumbeishvili's GeoWordsDatabase
# (MIT) and Kevin Scannell's Crúbadán (CC BY 4.0); its affix flags are left
# out, so inflected forms are not listed.
#
# Dhivehi: the word counts of news text that dhivehi-nlp 1.0.13 holds
# (the news_bigrams table of dhivehi_nlp/data/dhivehi_nlp.db in the PyPI
# source archive, pinned; MIT): 218,147 pairs of adjacent words with
# their counts, 1.39 million running words. A word's count is the larger
# of its counts as a pair's first and second word; the file holds its Zipf
# value, as the wordfreq tables do (scripts/df-prior.sh).
#
# The files are committed, so builds need neither the registries nor this
# script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.cache/word-lists"
mkdir -p "$work"
fetch_wheel() { # name version file sha256
  if ! echo "$4  $work/$3" | sha256sum -c --status 2>/dev/null; then
    pip download --quiet --no-deps --dest "$work" "$1==$2"
    echo "$4  $work/$3" | sha256sum -c --quiet
  fi
}
fetch_wheel laonlp 1.3.0 laonlp-1.3.0-py3-none-any.whl \
  cc88a5a39bb543fd7fdb2cf8f44f0bde550678160f9bd3a36922ebf7ccf65cf9
fetch_wheel myanmar_words 1.0.2 myanmar_words-1.0.2-py3-none-any.whl \
  97b4c765619388d573b06d6cfaa629de096b23eba27889dd03dd272db24e762c
dhivehi="dhivehi_nlp-1.0.13.tar.gz"
dhivehi_sha="d0db80759393045504ab36de4aabece7a7a2ad7f390788cfa033c50c66b31add"
if ! echo "$dhivehi_sha  $work/$dhivehi" | sha256sum -c --status 2>/dev/null; then
  pip download --quiet --no-deps --no-binary=:all: --dest "$work" "dhivehi_nlp==1.0.13"
  echo "$dhivehi_sha  $work/$dhivehi" | sha256sum -c --quiet
fi
spacy="spacy-3.8.18-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"
spacy_sha="c076d6caab1aae5b3c0fd5ecba9f1265ad1e1824ced3e0352193ca30994ac115"
if ! echo "$spacy_sha  $work/$spacy" | sha256sum -c --status 2>/dev/null; then
  pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
    --python-version 3.11 --dest "$work" "spacy==3.8.18"
  echo "$spacy_sha  $work/$spacy" | sha256sum -c --quiet
fi
crate="$work/chamkho-1.5.0.crate"
crate_sha="05f8b702826d2445cb2973d78cfefd3b26683a2133dea844e6345fdb7cc9d466"
if ! echo "$crate_sha  $crate" | sha256sum -c --status 2>/dev/null; then
  # Cargo fetches the crate from the registry into its cache.
  mkdir -p "$work/fetch/src"
  printf '[workspace]\n[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nchamkho = "=1.5.0"\n' \
    > "$work/fetch/Cargo.toml"
  echo 'fn main() {}' > "$work/fetch/src/main.rs"
  (cd "$work/fetch" && cargo fetch --quiet)
  cp "$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/chamkho-1.5.0.crate | head -1)" "$crate"
  echo "$crate_sha  $crate" | sha256sum -c --quiet
fi
amharic="$work/aspell-am_0.03-1-5.2_all.deb"
amharic_sha="99062b75ef555a96ef20f476d1dea66fc48b196090bd2ff8ab0fd5b33d37d2cd"
if ! echo "$amharic_sha  $amharic" | sha256sum -c --status 2>/dev/null; then
  (cd "$work" && apt-get download aspell-am=0.03-1-5.2)
  echo "$amharic_sha  $amharic" | sha256sum -c --quiet
fi
georgian="$work/dictionary-ka-1.1.0.tgz"
georgian_sha="9448cf5a686c85de1650b513a2ce24a785cbba24f379ece7cdcc5404bd9b7b81"
if ! echo "$georgian_sha  $georgian" | sha256sum -c --status 2>/dev/null; then
  curl -fsSL -o "$georgian" https://registry.npmjs.org/dictionary-ka/-/dictionary-ka-1.1.0.tgz
  echo "$georgian_sha  $georgian" | sha256sum -c --quiet
fi
command -v prezip-bin >/dev/null || { echo "needs prezip-bin: apt-get install aspell" >&2; exit 1; }
rm -rf "$work/aspell-am" && dpkg-deb -x "$amharic" "$work/aspell-am"
zcat "$work/aspell-am/usr/share/aspell/am.cwl.gz" | prezip-bin -d > "$work/am-words.txt"
python3 - "$root/services/dedup/data" "$work" "$spacy" "$dhivehi" <<'PY'
import collections, gzip, json, math, re, sqlite3, sys, tarfile, tempfile, unicodedata, zipfile

data, work, spacy, dhivehi = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

# The prior's weighing (services/dedup/src/prior.rs, engine.rs): a word
# of Zipf z is in a share min(1, 10^(z - 9) * 2000) of the 10,000 documents
# the prior counts as, and weighs ln((N + 20) / (df + 1)).
PRIOR_DOCS, DOC_WORDS, COMMON = 10_000, 2_000, 570
def weight(zipf):
    share = min(1.0, 10 ** (zipf / 100 - 9) * DOC_WORDS)
    return max(0.0, math.log((PRIOR_DOCS + 20) / (PRIOR_DOCS * share + 1)))
total = weighed = 0.0
for line in gzip.open(f"{data}/tnc-th.txt.gz", "rt"):
    zipf, words = line.rstrip("\n").split("\t", 1)
    zipf = int(zipf)
    if zipf < COMMON:
        written = len(words.split(" ")) * 10 ** (zipf / 100)
        total += written
        weighed += written * weight(zipf)
LISTED = next(z for z in range(COMMON) if weight(z) <= weighed / total)
crate = tarfile.open(f"{work}/chamkho-1.5.0.crate")
def crate_words(name):
    return crate.extractfile(f"chamkho-1.5.0/data/{name}").read().decode().split("\n")

# The letters, vowel signs and marks a run of each script holds
# (lao_khmer_burmese::script_of): a listed word of other characters is no
# word the cut can meet.
RUNS = {
    "lo": [(0x0E81, 0x0EC5), (0x0EC8, 0x0ECE), (0x0EDC, 0x0EDF)],
    "km": [(0x1780, 0x17D3), (0x17DD, 0x17DD)],
    "my": [(0x1000, 0x103F), (0x1050, 0x108F), (0x109A, 0x109D)],
    "am": [(0x1200, 0x135F)],
    "ti": [(0x1200, 0x135F)],
    "dv": [(0x0780, 0x07B1)],
    "ka": [(0x10D0, 0x10FF)],
}
def clean(lang, words):
    out = []
    for w in words:
        w = unicodedata.normalize("NFC", w.strip())
        if w and all(any(a <= ord(c) <= b for a, b in RUNS[lang]) for c in w):
            out.append(w)
    return out

lao = zipfile.ZipFile(f"{work}/laonlp-1.3.0-py3-none-any.whl")
lao_function = [l for l in lao.read("laonlp/corpus/stopwords_lao.txt").decode().split("\n")
                if not l.startswith("#")]
mw = zipfile.ZipFile(f"{work}/myanmar_words-1.0.2-py3-none-any.whl")
my_function = [w for part in ("particles", "postpositions", "conjunctions", "pronouns")
               for w in json.loads(mw.read(f"myanmar_words/data/{part}.json"))]
# Khmer's grammatical words and the commonest verbs of news: particles,
# prepositions, conjunctions, pronouns, demonstratives, titles.
km_function = """
បាន នៅ និង ដែល ជា មាន ក្នុង ពី នេះ នោះ របស់ ទៅ ឱ្យ អោយ ឲ្យ ថា មួយ គឺ ដល់ នឹង ហើយ
ក៏ តែ ដោយ សម្រាប់ លើ មក ទេ មិន ត្រូវ ពេល ជាមួយ ទៀត ទាំង ខ្លួន គេ យើង ខ្ញុំ លោក
អ្នក ការ សេចក្តី ពួក ចំពោះ តាម រួច កាលពី ក្រោយ មុន ខាង ប៉ុន្តែ ឬ ព្រោះ បើ ដូច ផង
នូវ ចំនួន ប្រមាណ កំពុង ធ្វើ អំពី រវាង ក្រោម ខណៈ ទើប ទាំងអស់ ណា អ្វី យ៉ាង ដូចនេះ
ផងដែរ ដែរ និយាយ បញ្ជាក់ ថ្ងៃ ឆ្នាំ
""".split()

def write(lang, function, rest):
    path = f"{data}/words-{lang}.txt.gz"
    lines = f"600\t{' '.join(function)}\n" if function else ""
    if rest:
        lines += f"{LISTED}\t{' '.join(rest)}\n"
    # mtime 0: the same lists give the same bytes.
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(lines.encode())
    print(f"{path}: {len(function)} function words, {len(rest)} others at Zipf {LISTED / 100}")

for lang, dictionary, function in (
    ("lo", crate_words("laowords.txt"), lao_function),
    ("km", crate_words("khmerdict.txt"), km_function),
    ("my", crate_words("myanmar-dict.txt"), my_function),
):
    function = sorted(set(clean(lang, function)))
    common = set(function)
    rest = sorted(set(clean(lang, dictionary)) - common)
    write(lang, function, rest)

wheel = zipfile.ZipFile(f"{work}/{spacy}")
# Aspell's words carry their affix flags after a slash ("አማርኛ/y").
am_words = [w.split("/")[0] for w in open(f"{work}/am-words.txt", encoding="utf-8")]
for lang, dictionary in (("am", am_words), ("ti", [])):
    source = wheel.read(f"spacy/lang/{lang}/stop_words.py").decode()
    function = sorted(set(clean(lang, re.findall(r"\S+", source))))
    write(lang, function, sorted(set(clean(lang, dictionary)) - set(function)))

# Georgian: the dictionary's stems (a line a stem, its affix flags after
# a slash), every one weighed as a listed word.
with tarfile.open(f"{work}/dictionary-ka-1.1.0.tgz") as archive:
    dic = archive.extractfile("package/index.dic").read().decode()
write("ka", [], sorted(set(clean("ka", (l.split("/")[0] for l in dic.split("\n"))))))

# Dhivehi: each word written wholly in Thaana letters and signs, at its
# Zipf value (100 times log10 of its frequency per billion words).
with tarfile.open(f"{work}/{dhivehi}") as archive, tempfile.NamedTemporaryFile() as db:
    db.write(archive.extractfile("dhivehi_nlp-1.0.13/dhivehi_nlp/data/dhivehi_nlp.db").read())
    db.flush()
    first, second = collections.Counter(), collections.Counter()
    for a, b, count in sqlite3.connect(db.name).execute("SELECT first, second, count FROM news_bigrams"):
        first[a] += count
        second[b] += count
counts = {w: max(first[w], second[w]) for w in set(first) | set(second)}
total = sum(counts.values())
groups = collections.defaultdict(list)
for word in clean("dv", counts):
    groups[round((math.log10(counts[word] / total) + 9) * 100)].append(word)
lines = "".join(f"{zipf}\t{' '.join(sorted(words))}\n" for zipf, words in sorted(groups.items(), reverse=True))
with gzip.GzipFile(f"{data}/words-dv.txt.gz", "wb", mtime=0) as f:
    f.write(lines.encode())
print(f"{data}/words-dv.txt.gz: {sum(map(len, groups.values()))} words of {total} running words")
PY
