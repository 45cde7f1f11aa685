#!/usr/bin/env python3
"""ECB+ B-cubed F1 of `newsmill cluster` over shuffled stream orders.

The file's order is one order: an online clusterer's score on it moves by
a point or two with the order in which a topic's articles arrive. This
runs the same articles in ORDERS shuffled orders (topics shuffled, and the
articles inside each topic), and prints the mean, spread and worst for the
train and dev topics, then the file's own order.

With --syndication it does the same for the syndication set's stories
against `event` (its copies then arrive among the topic's other articles,
not right after their original as in the file). With --translations, for
the dedup engine's hand-written translation set
(services/dedup/tests/data/translations.jsonl) against `event`, every
article shuffled among all the others; with --cjk, the same for the
hand-written Chinese, Japanese and Korean set (tests/data/cjk.jsonl);
with --cross-script, for the hand-written set of Russian and Ukrainian
translations of Latin-script reports (tests/data/cross_script.jsonl);
with --names-only, for the hand-written set of Russian, Ukrainian and
Greek translations that share no number with their English reports, with
other events of the same kinds and people (tests/data/names_only.jsonl);
with --abjad, for the hand-written set of Arabic and Hebrew translations
of English reports, with other events of the same kinds and people
(tests/data/abjad.jsonl); with --kana-hangul, for the Japanese and
Korean translations (tests/data/kana_hangul.jsonl); with --han-names, for
the Chinese translations, whose names are written in characters read for
their sounds (tests/data/han_names.jsonl); with --german-nouns, for German
reports (German capitalises every noun) with their translations into
Cyrillic, Greek and English (tests/data/german_nouns.jsonl); with --thai,
for Thai reports of quakes, floods and drug seizures, two or three of
each event (tests/data/thai.jsonl); with --tables, for reports in Hindi,
Persian, Greek and Indonesian, two events of one kind in each language
(tests/data/tables.jsonl); with --devanagari, for Hindi translations of
English reports, with Hindi reports of other events of their kinds
(tests/data/devanagari.jsonl); with --bengali, the same in Bengali, with
another quake (tests/data/bengali.jsonl); with --indic and --caucasus,
for translations into India's other scripts and into Georgian and
Armenian (tests/data/indic.jsonl, caucasus.jsonl); with --thai-names, for
Thai translations of English reports, with Thai reports of other events
of their kinds (tests/data/thai_names.jsonl); with --sinhala, the same
in Sinhala (tests/data/sinhala.jsonl); with --lao-khmer-burmese, for
translations into Burmese, Khmer and Lao, with another resignation in
Burmese and another bridge collapse in Khmer
(tests/data/lao_khmer_burmese.jsonl); with --ethiopic, the same in
Amharic, with a Tigrinya quake (tests/data/ethiopic.jsonl); with
--han-custom, for Chinese translations whose names are written as custom
has it ("普京", Putin; "武汉", Wuhan), with Chinese reports of other
events of their kinds (tests/data/han_custom.jsonl); with --dhivehi, as
with --sinhala, in Dhivehi (tests/data/dhivehi.jsonl).

usage: scripts/eval-story-orders.py [ORDERS] [--bin PATH] [--syndication | --translations | --cjk | --cross-script | --names-only | --abjad | --kana-hangul | --han-names | --german-nouns | --thai | --tables | --devanagari | --bengali | --indic | --caucasus | --thai-names | --sinhala | --lao-khmer-burmese | --ethiopic | --han-custom | --dhivehi]
Settings reach `newsmill` through its environment (NEWSMILL__DEDUP__...).
"""
import argparse
import collections
import importlib.util
import json
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "stories"


def load_scorer():
    spec = importlib.util.spec_from_file_location("score_clusters", EVAL / "score_clusters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def topic_of(row):
    # The syndication set has no topic field; its events are "<topic>_ecb..."
    return row["topic"] if "topic" in row else row["event"].split("_")[0]


def shuffled(lines, seed, whole=False):
    rnd = random.Random(seed)
    if whole:
        out = lines[:]
        rnd.shuffle(out)
        return out
    by_topic = collections.defaultdict(list)
    for line in lines:
        by_topic[topic_of(json.loads(line))].append(line)
    topics = list(by_topic)
    rnd.shuffle(topics)
    out = []
    for topic in topics:
        articles = by_topic[topic][:]
        rnd.shuffle(articles)
        out += articles
    return out


# The hand-written sets (services/dedup/tests/data/STEM.jsonl), each chosen
# by its stem as a flag ("--cross-script").
HAND_SETS = {
    "translations": "translation",
    "cjk": "Chinese, Japanese and Korean",
    "cross_script": "Cyrillic translations",
    "names_only": "translations sharing no number",
    "abjad": "Arabic and Hebrew translations",
    "kana_hangul": "Japanese and Korean translations",
    "han_names": "Chinese translations",
    "german_nouns": "German reports and translations",
    "thai": "Thai reports",
    "tables": "Hindi, Persian, Greek and Indonesian",
    "devanagari": "Hindi translations",
    "bengali": "Bengali translations",
    "indic": "Tamil, Telugu, Malayalam, Gujarati, Kannada, Punjabi and Oriya translations",
    "caucasus": "Georgian and Armenian translations",
    "thai_names": "Thai translations",
    "sinhala": "Sinhala translations",
    "lao_khmer_burmese": "Lao, Khmer and Burmese translations",
    "ethiopic": "Amharic and Tigrinya translations",
    "han_custom": "Chinese translations with names written by custom",
    "dhivehi": "Dhivehi translations",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("orders", nargs="?", type=int, default=30)
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "newsmill"))
    ap.add_argument("--syndication", action="store_true",
                    help="the syndication set's stories against `event`")
    for stem, what in HAND_SETS.items():
        ap.add_argument("--" + stem.replace("_", "-"), action="store_true",
                        help=f"the hand-written {what} set against `event`")
    args = ap.parse_args()
    scorer = load_scorer()
    name, path, gold_key = ("ECB+", EVAL / "ecbplus_dev.jsonl", "cluster")
    if args.syndication:
        name, path, gold_key = ("syndication stories", EVAL / "syndication_dev.jsonl", "event")
    # A hand-written set has no topics: it is shuffled as a whole.
    hand_set = next((stem for stem in HAND_SETS if getattr(args, stem)), None)
    if hand_set:
        path = ROOT / f"services/dedup/tests/data/{hand_set}.jsonl"
        name, gold_key = hand_set, "event"
    lines = path.read_text().splitlines()
    gold = {}
    split = {}
    for line in lines:
        d = json.loads(line)
        gold[d["id"]] = str(d[gold_key])
        split[d["id"]] = d.get("split", "all")
    whole = hand_set is not None
    runs = [shuffled(lines, 1000 + k, whole) for k in range(args.orders)] + [lines]
    scores = {part: [] for part in dict.fromkeys(split.values())}
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = pathlib.Path(tmp, "in.jsonl"), pathlib.Path(tmp, "out.jsonl")
        for order in runs:
            src.write_text("\n".join(order) + "\n")
            subprocess.run([args.bin, "cluster", "--in", src, "--out", dst],
                           check=True, capture_output=True)
            pred = {}
            for line in dst.read_text().splitlines():
                d = json.loads(line)
                pred[d["id"]] = d["story_id"]
            for part in scores:
                g = {i: c for i, c in gold.items() if split[i] == part}
                scores[part].append(scorer.score(g, pred)["bcubed_f1"])
    for part, values in scores.items():
        shuffled_runs = values[:-1]
        spread = statistics.stdev(shuffled_runs) if len(shuffled_runs) > 1 else 0.0
        print(f"{name} {part}: {len(shuffled_runs)} shuffled orders: B-cubed F1 mean "
              f"{statistics.mean(shuffled_runs):.4f} (sd {spread:.4f}, worst "
              f"{min(shuffled_runs):.4f}); file order {values[-1]:.4f}")


if __name__ == "__main__":
    sys.exit(main())
