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
another quake (tests/data/bengali.jsonl).

usage: scripts/eval-story-orders.py [ORDERS] [--bin PATH] [--syndication | --translations | --cjk | --cross-script | --names-only | --abjad | --kana-hangul | --han-names | --german-nouns | --thai | --tables | --devanagari | --bengali]
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("orders", nargs="?", type=int, default=30)
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "newsmill"))
    ap.add_argument("--syndication", action="store_true",
                    help="the syndication set's stories against `event`")
    ap.add_argument("--translations", action="store_true",
                    help="the hand-written translation set against `event`")
    ap.add_argument("--cjk", action="store_true",
                    help="the hand-written Chinese, Japanese and Korean set against `event`")
    ap.add_argument("--cross-script", action="store_true",
                    help="the hand-written Cyrillic translations set against `event`")
    ap.add_argument("--names-only", action="store_true",
                    help="the hand-written set of translations sharing no number against `event`")
    ap.add_argument("--abjad", action="store_true",
                    help="the hand-written Arabic and Hebrew translations set against `event`")
    ap.add_argument("--kana-hangul", action="store_true",
                    help="the hand-written Japanese and Korean translations set against `event`")
    ap.add_argument("--han-names", action="store_true",
                    help="the hand-written Chinese translations set against `event`")
    ap.add_argument("--german-nouns", action="store_true",
                    help="the hand-written German reports and translations set against `event`")
    ap.add_argument("--thai", action="store_true",
                    help="the hand-written Thai reports set against `event`")
    ap.add_argument("--tables", action="store_true",
                    help="the hand-written Hindi, Persian, Greek and Indonesian set against `event`")
    ap.add_argument("--devanagari", action="store_true",
                    help="the hand-written Hindi translations set against `event`")
    ap.add_argument("--bengali", action="store_true",
                    help="the hand-written Bengali translations set against `event`")
    args = ap.parse_args()
    scorer = load_scorer()
    name, path, gold_key = ("ECB+", EVAL / "ecbplus_dev.jsonl", "cluster")
    if args.syndication:
        name, path, gold_key = ("syndication stories", EVAL / "syndication_dev.jsonl", "event")
    if args.translations:
        name, path, gold_key = (
            "translations", ROOT / "services/dedup/tests/data/translations.jsonl", "event")
    if args.cjk:
        name, path, gold_key = ("cjk", ROOT / "services/dedup/tests/data/cjk.jsonl", "event")
    if args.cross_script:
        name, path, gold_key = (
            "cross_script", ROOT / "services/dedup/tests/data/cross_script.jsonl", "event")
    if args.names_only:
        name, path, gold_key = (
            "names_only", ROOT / "services/dedup/tests/data/names_only.jsonl", "event")
    if args.abjad:
        name, path, gold_key = ("abjad", ROOT / "services/dedup/tests/data/abjad.jsonl", "event")
    if args.kana_hangul:
        name, path, gold_key = (
            "kana_hangul", ROOT / "services/dedup/tests/data/kana_hangul.jsonl", "event")
    if args.han_names:
        name, path, gold_key = (
            "han_names", ROOT / "services/dedup/tests/data/han_names.jsonl", "event")
    if args.german_nouns:
        name, path, gold_key = (
            "german_nouns", ROOT / "services/dedup/tests/data/german_nouns.jsonl", "event")
    if args.thai:
        name, path, gold_key = ("thai", ROOT / "services/dedup/tests/data/thai.jsonl", "event")
    if args.tables:
        name, path, gold_key = ("tables", ROOT / "services/dedup/tests/data/tables.jsonl", "event")
    if args.devanagari:
        name, path, gold_key = (
            "devanagari", ROOT / "services/dedup/tests/data/devanagari.jsonl", "event")
    if args.bengali:
        name, path, gold_key = ("bengali", ROOT / "services/dedup/tests/data/bengali.jsonl", "event")
    lines = path.read_text().splitlines()
    gold = {}
    split = {}
    for line in lines:
        d = json.loads(line)
        gold[d["id"]] = str(d[gold_key])
        split[d["id"]] = d.get("split", "all")
    whole = (args.translations or args.cjk or args.cross_script or args.names_only
             or args.abjad or args.kana_hangul or args.han_names or args.german_nouns or args.thai
             or args.tables or args.devanagari or args.bengali)
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
