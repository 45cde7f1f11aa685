#!/usr/bin/env python3
"""Sustained load: N distinct articles (default 50,000) on F loopback feeds,
through fetch -> clean -> dedup on tansu, with `newsmill run --drain`.

    scripts/load-run.py [--articles N] [--feeds F] [--bin target/release/newsmill]

Prints per-stage throughput (from the stage timestamps in news.dedup.v1),
end-to-end latency p50/p99 (fetched_at -> decided_at), peak RSS of the
newsmill process, and whether RSS stayed flat over the second half of the
run, and checks that every article was decided exactly as one article id.
"""
import argparse
import datetime
import http.server
import json
import os
import pathlib
import random
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORDS = ("council harbour railway budget minister storm election court river bridge "
         "school hospital farmers market police festival museum airport factory union "
         "vaccine drought flood mayor senate treaty border energy wind solar tariff "
         "strike teachers nurses port ferry tunnel highway library stadium orchestra").split()


def build_site(root, articles, feeds):
    rng = random.Random(7)
    per_feed = articles // feeds
    (root / "a").mkdir(parents=True)
    for f in range(feeds):
        items = []
        for j in range(per_feed):
            i = f * per_feed + j
            town = f"Town{i}"
            sentences = []
            for s in range(8):
                words = " ".join(rng.choice(WORDS) for _ in range(14))
                sentences.append(f"In {town} officials said on day {i % 365} that the {words} plan number {i * 7 + s} passed.")
            body = "".join(f"<p>{s}</p>" for s in sentences)
            (root / "a" / f"{i}.html").write_text(
                f"<html><head><title>{town} report {i}</title></head><body><nav>Home News</nav>"
                f"<article><h1>{town} report {i}</h1>{body}</article><footer>(c) Site</footer></body></html>")
            items.append(f"<item><title>{town} report {i}</title><link>/a/{i}.html</link><guid>g{i}</guid></item>")
        (root / f"feed{f}.xml").write_text(
            f"<rss version=\"2.0\"><channel><title>Feed {f}</title>{''.join(items)}</channel></rss>")
    return per_feed * feeds


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--bin", default=str(ROOT / "target/release/newsmill"))
    ap.add_argument("--max-rss-growth", type=float, default=None,
                    help="fail when RSS grows more than this many percent over the second half")
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="newsmill-load-"))
    site = work / "site"
    n = build_site(site, args.articles, args.feeds)
    handler = lambda *a, **k: Quiet(*a, directory=str(site), **k)
    socketserver.ThreadingTCPServer.daemon_threads = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    brokers = subprocess.run([str(ROOT / "scripts/tansu-start.sh")], check=True,
                             capture_output=True, text=True).stdout.strip()
    tag = f"load{os.getpid()}"
    env = dict(os.environ,
               NEWSMILL__BUS__BROKERS=brokers,
               NEWSMILL__BUS__DATA_DIR=str(work / "data"),
               NEWSMILL__BUS__GROUP_PREFIX=tag,
               NEWSMILL__ADMIN__LISTEN="127.0.0.1:0",
               NEWSMILL__FETCHER__FEEDS=json.dumps([f"http://127.0.0.1:{port}/feed{f}.xml" for f in range(args.feeds)]),
               NEWSMILL__FETCHER__ALLOW_RANGES='["127.0.0.0/8"]',
               NEWSMILL__FETCHER__PER_HOST_CONCURRENCY="16",
               NEWSMILL__FETCHER__PER_HOST_INTERVAL="0s",
               NEWSMILL__RUNNER__SESSION_TIMEOUT="6s",
               RUST_LOG="warn")
    for role in ("raw", "clean", "dedup", "stories", "dlq", "feeds", "dedup_changelog"):
        env[f"NEWSMILL__TOPICS__{role.upper()}"] = f"{tag}.{role}"
    try:
        started = time.time()
        proc = subprocess.Popen([args.bin, "run", "--drain"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        samples = []
        while proc.poll() is None:
            kib = rss_kib(proc.pid)
            if kib:
                samples.append((time.time() - started, kib))
            time.sleep(0.5)
        wall = time.time() - started
        summary = proc.stdout.read().strip()
        tail = lambda topic: [json.loads(l) for l in subprocess.run(
            [args.bin, "tail", f"{tag}.{topic}"], env=env, check=True,
            capture_output=True, text=True).stdout.splitlines()]
        verdicts, clean = tail("dedup"), tail("clean")
    finally:
        subprocess.run([str(ROOT / "scripts/tansu-stop.sh"), brokers], check=False)
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)  # the site and data: about 220 MB
    first = {}
    for v in verdicts:
        first.setdefault(v["id"], v)
    ts = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    cleaned = sorted({c["id"]: ts(c["cleaned_at"]) for c in clean}.values())
    fetched = sorted(ts(v["fetched_at"]) for v in first.values())
    decided = sorted(ts(v["decided_at"]) for v in first.values())
    lat = sorted(ts(v["decided_at"]) - ts(v["fetched_at"]) for v in first.values())
    print(summary)
    print(f"load run: {n} articles in, {len(first)} article ids decided ({len(verdicts)} verdicts), "
          f"{n - len(first)} lost, wall {wall:.1f}s")
    span = lambda xs: max(xs[-1] - xs[0], 1e-9)
    print(f"throughput: fetch {len(fetched) / span(fetched):.0f}/s, clean {len(cleaned) / span(cleaned):.0f}/s, "
          f"dedup {len(decided) / span(decided):.0f}/s (each from its first to its last timestamp); "
          f"overall {len(first) / wall:.0f} articles/s")
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    print(f"end-to-end latency (fetched -> decided): p50 {pct(0.50):.2f}s, p99 {pct(0.99):.2f}s")
    if samples:
        peak = max(k for _, k in samples)
        half = [k for t, k in samples if t >= wall / 2]
        q = max(1, len(half) // 4)
        early, late = statistics.median(half[:q]), statistics.median(half[-q:])
        growth = 100 * (late - early) / early
        print(f"memory: peak RSS {peak / 1024:.0f} MiB; second half: {early / 1024:.0f} MiB "
              f"-> {late / 1024:.0f} MiB ({growth:+.1f}%)")
        if args.max_rss_growth is not None and growth > args.max_rss_growth:
            print(f"load run: RSS grew {growth:.1f}% over the second half, "
                  f"more than {args.max_rss_growth}%", file=sys.stderr)
            sys.exit(1)
    if len(first) != n:
        print(f"load run: {n - len(first)} articles lost", file=sys.stderr)
    sys.exit(0 if len(first) == n else 1)


if __name__ == "__main__":
    main()
