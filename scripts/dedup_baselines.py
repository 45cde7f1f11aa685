#!/usr/bin/env python3
"""Python story-clustering baselines for the dedup benchmark.

Two streaming baselines, each reading articles in file order:
- minhash: MinHash over word 5-shingles with LSH (datasketch); an article
  joins the story of the first earlier article the index returns.
- tfidf: online TF-IDF with document frequencies learned from the stream;
  an article joins the most similar story centroid at cosine >= --threshold,
  or starts a new story.

    dedup_baselines.py METHOD IN.jsonl OUT.jsonl [--threshold T]

OUT gets one line per input, {"id", "cluster"}; the last line of stdout is
"METHOD N docs S seconds R docs/s" (timed from the first read to the last
write, JSON included, interpreter start excluded).
"""
import argparse
import json
import math
import re
import sys
import time
from collections import Counter

WORD = re.compile(r"\w+", re.UNICODE)
# Function words only; content words carry the event.
STOP = set("""a an and are as at be been but by for from had has have he her his i in
into is it its of on or our she so than that the their them there these they this to
was we were what when which who will with would you not no after before over about
said says also more most up out new one two""".split())


def words(article):
    text = (article.get("title") or "") + "\n" + (article.get("text") or "")
    return [w.lower() for w in WORD.findall(text)]


def minhash_stories(articles, perms=128, threshold=0.5):
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=perms)
    story = {}
    for a in articles:
        toks = words(a)
        shingles = {" ".join(toks[i:i + 5]) for i in range(max(1, len(toks) - 4))}
        m = MinHash(num_perm=perms)
        m.update_batch(s.encode() for s in shingles)
        hits = lsh.query(m)
        story[a["id"]] = story[hits[0]] if hits else a["id"]
        if a["id"] not in lsh.keys:
            lsh.insert(a["id"], m)
        yield a["id"], story[a["id"]]


def tfidf_stories(articles, threshold):
    df, docs = Counter(), 0
    centroids = {}  # story id -> (term -> weight), unit length
    for a in articles:
        tf = Counter(w for w in words(a) if w not in STOP and (not w.isdigit() or len(w) == 4))
        docs += 1
        df.update(tf.keys())
        vec = {t: (1 + math.log(c)) * math.log((docs + 1) / (df[t] + 1)) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vec = {t: v / norm for t, v in vec.items()}
        best, best_sim = None, threshold
        for sid, cen in centroids.items():
            sim = sum(v * cen.get(t, 0.0) for t, v in vec.items())
            if sim >= best_sim:
                best, best_sim = sid, sim
        if best is None:
            best = a["id"]
            centroids[best] = vec
        else:
            merged = Counter(centroids[best])
            merged.update(vec)
            n = math.sqrt(sum(v * v for v in merged.values())) or 1.0
            centroids[best] = {t: v / n for t, v in merged.items()}
        yield a["id"], best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("method", choices=["minhash", "tfidf"])
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--threshold", type=float, default=0.3)
    args = ap.parse_args()
    start = time.perf_counter()
    with open(args.inp, encoding="utf-8") as f:
        articles = (json.loads(line) for line in f if line.strip())
        if args.method == "minhash":
            rows = minhash_stories(articles)
        else:
            rows = tfidf_stories(articles, args.threshold)
        n = 0
        with open(args.out, "w", encoding="utf-8") as out:
            for id_, cluster in rows:
                out.write(json.dumps({"id": id_, "cluster": cluster}) + "\n")
                n += 1
    secs = time.perf_counter() - start
    print(f"{args.method} {n} docs {secs:.2f} seconds {n / secs:.0f} docs/s")


if __name__ == "__main__":
    sys.exit(main())
