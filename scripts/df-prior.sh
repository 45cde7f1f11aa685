#!/usr/bin/env bash
# Regenerate services/dedup/data/wordfreq-*.txt.gz, the priors for the
# dedup stage's document frequencies: the 200,000 most frequent English
# words of wordfreq 3.1.1 (PyPI wheel, pinned by its hash), and the 50,000
# most frequent of each other language wordfreq has, grouped by
# Zipf value (log10 of the frequency per billion words, times 100).
# Chinese, Japanese and Korean are read as overlapping pairs of characters
# (services/dedup/src/cjk.rs), so their tables hold pairs: the 200,000
# (Korean 100,000) most frequent, estimated from the word lists. It also
# writes services/dedup/src/han_simplified.rs, wordfreq's map of
# Traditional Chinese characters to Simplified ones.
#
#     scripts/df-prior.sh
#
# Thai is read as words (services/dedup/src/thai.rs): its table holds the
# Thai National Corpus word frequencies that PyThaiNLP 5.0.4 ships
# (pythainlp/corpus/tnc_freq.txt, CC0; PyPI wheel pinned by its hash), and
# a list of Thai names from the same wheel.
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
thai_wheel="pythainlp-5.0.4-py3-none-any.whl"
thai_sha="5f036d558f673215c142c6e32fd38b111d674d94d64f1b03b409fdfed0fa8dcd"
if ! echo "$thai_sha  $work/$thai_wheel" | sha256sum -c --status 2>/dev/null; then
  pip download --quiet --no-deps --dest "$work" "pythainlp==5.0.4"
  echo "$thai_sha  $work/$thai_wheel" | sha256sum -c --quiet
fi
if ! [ -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work/$wheel"
fi
"$work/venv/bin/python" - "$root" "$work/$thai_wheel" <<'PY'
import collections, gzip, math, os, sys, zipfile
import msgpack, wordfreq
from wordfreq import get_frequency_dict

root = sys.argv[1]
data = f"{root}/services/dedup/data"


def write_table(lang, freqs, source="wordfreq"):
    """Lines of "ZIPF<TAB>word word ...", most frequent first."""
    groups = {}
    for word, freq in freqs:
        groups.setdefault(round((math.log10(freq) + 9) * 100), []).append(word)
    lines = "".join(f"{zipf}\t{' '.join(sorted(words))}\n" for zipf, words in sorted(groups.items(), reverse=True))
    path = f"{data}/{source}-{lang}.txt.gz"
    with open(path, "wb") as out:
        out.write(gzip.compress(lines.encode(), 9, mtime=0))
    print(f"{lang}: {len(freqs)} terms in {len(groups)} Zipf groups -> {path}")


def most_frequent(counts, count):
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:count]


# Every language wordfreq has words of (Serbo-Croatian is "sh", in Latin
# and Cyrillic letters; Filipino "fil"); Chinese, Japanese and Korean are read in pairs, below.
WORDS = {"en": 200_000}
for lang in ("ar cs da de es fi fr he it nb nl pl pt ru sv tr uk "
             "bg bn ca el fa fil hi hu id is lt lv mk ms ro sh sk sl ta ur vi").split():
    WORDS[lang] = 50_000
# Serbian is written in Cyrillic and in Latin letters, and wordfreq folds
# it to Latin: its table holds each word in both, so that either finds it.
SERBIAN_CYRILLIC = dict(zip("abcčćdđefghijklmnoprsštuvzž", "абцчћдђефгхијклмнопрсштувзж"))
SERBIAN_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}


def serbian_cyrillic(word):
    out, i = [], 0
    while i < len(word):
        pair = word[i:i + 2]
        if pair in SERBIAN_DIGRAPHS:
            out.append(SERBIAN_DIGRAPHS[pair])
            i += 2
        elif word[i] in SERBIAN_CYRILLIC or word[i].isdigit():
            out.append(SERBIAN_CYRILLIC.get(word[i], word[i]))
            i += 1
        else:
            return None
    return "".join(out)


for lang, count in WORDS.items():
    freqs = most_frequent(get_frequency_dict(lang), count)
    if lang == "sh":
        cyrillic = ((serbian_cyrillic(w), f) for w, f in freqs)
        freqs += [(w, f) for w, f in cyrillic if w and not w.isdigit()]
    write_table(lang, freqs)

# Traditional -> Simplified, as wordfreq folds Chinese before looking it up.
mapping = msgpack.load(
    gzip.open(os.path.join(os.path.dirname(wordfreq.__file__), "data/_chinese_mapping.msgpack.gz")),
    raw=False, strict_map_key=False)
FOLD = {k: v for k, v in mapping.items() if len(v) == 1 and ord(v) != k}
pairs = sorted(FOLD.items())
rust = [
    "//! Traditional Chinese characters and their Simplified forms, sorted: the",
    "//! map wordfreq 3.1.1 folds Chinese with before looking words up. Written",
    "//! by `scripts/df-prior.sh`; CC BY-SA 4.0, see `../data/README.md`.",
    "",
    "#[rustfmt::skip]",
    "pub(crate) const TRADITIONAL_TO_SIMPLIFIED: &[(char, char)] = &[",
]
for i in range(0, len(pairs), 8):
    rust.append("    " + " ".join(f"('{chr(k)}', '{v}')," for k, v in pairs[i:i + 8]))
rust.append("];")
path = f"{root}/services/dedup/src/han_simplified.rs"
with open(path, "w") as out:
    out.write("\n".join(rust) + "\n")
print(f"{len(pairs)} characters -> {path}")


def is_cjk(c):
    """The characters services/dedup/src/cjk.rs reads in pairs."""
    o = ord(c)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FA1F or o == 0x3005 or 0x3040 <= o <= 0x30FF
            or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F or 0xAC00 <= o <= 0xD7AF)


# Pairs of characters. A pair inside a word counts the word's frequency. A
# pair across two words counts as if words followed each other at random:
# P(a word ends in a) * P(the next starts with b) * the share of word
# boundaries inside a run of characters (Chinese and Japanese write no
# spaces; a Korean word written between spaces holds about two of
# wordfreq's pieces).
RUNS_GO_ON = {"zh": 0.85, "ja": 0.85, "ko": 0.5}
PAIRS = {"zh": 200_000, "ja": 200_000, "ko": 100_000}
for lang, go_on in RUNS_GO_ON.items():
    counts = collections.Counter()
    first, last, mass = collections.Counter(), collections.Counter(), 0.0
    for word, freq in get_frequency_dict(lang).items():
        word = "".join(FOLD.get(ord(c), c) for c in word).lower()
        if not word or not all(is_cjk(c) for c in word):
            continue
        mass += freq
        first[word[0]] += freq
        last[word[-1]] += freq
        for a, b in zip(word, word[1:]):
            counts[a + b] += freq
    for a, fa in last.most_common(3000):
        for b, fb in first.most_common(3000):
            across = go_on * fa * fb / mass
            if across < 1e-8:
                break
            counts[a + b] += across
    write_table(lang, most_frequent(counts, PAIRS[lang]))


def cluster_role(c):
    """What services/dedup/src/clusters.rs reads a Thai character as."""
    o = ord(c)
    if 0x0E01 <= o <= 0x0E2E:
        return "base"
    if 0x0E30 <= o <= 0x0E3A or o == 0x0E45 or 0x0E47 <= o <= 0x0E4E:
        return "mark"
    if 0x0E40 <= o <= 0x0E44:
        return "leading"
    return None


# Thai: the Thai National Corpus' words, as services/dedup/src/thai.rs reads
# a Thai run as the words of this table (words with other characters, such
# as the repetition mark, are never one of its words).
with zipfile.ZipFile(sys.argv[2]) as wheel:
    tnc = wheel.read("pythainlp/corpus/tnc_freq.txt").decode()
counts = collections.Counter()
for line in tnc.splitlines():
    word, _, count = line.partition("\t")
    word = word.strip()
    if word and all(cluster_role(c) for c in word) and count.strip().isdigit():
        counts[word] += int(count)
total = sum(counts.values())
write_table("th", most_frequent({w: n / total for w, n in counts.items()}, 200_000), source="tnc")

# Thai names, which the corpus' word list lacks or cuts apart: provinces and
# countries (CC0) and given and family names (Thai Male and Female Names
# Corpus, CC BY-SA 4.0), one per line. Thai is cut into these too, and each
# is read as a name, but for a place that is also one of the corpus' most
# common words ("ไทย", "เลย", at Zipf 6 and above) and a person's name that
# is any word of the corpus ("แก้ว", glass).
zipf = {w: (math.log10(n / total) + 9) * 100 for w, n in counts.items()}
names = set()
with zipfile.ZipFile(sys.argv[2]) as wheel:
    for member, places in (("thailand_provinces_th.csv", True), ("countries_th.txt", True),
                           ("person_names_male_th.txt", False), ("person_names_female_th.txt", False),
                           ("family_names_th.txt", False)):
        for line in wheel.read(f"pythainlp/corpus/{member}").decode().splitlines():
            name = line.split(",")[0].strip()
            common = zipf.get(name, 0) >= 600 if places else name in zipf
            if name and all(cluster_role(c) for c in name) and not common:
                names.add(name)
path = f"{data}/names-th.txt.gz"
with open(path, "wb") as out:
    out.write(gzip.compress("".join(f"{n}\n" for n in sorted(names)).encode(), 9, mtime=0))
print(f"th names: {len(names)} -> {path}")
PY
