#!/usr/bin/env python3
"""Feed-parsing conformance against feedparser's test corpus.

Every corpus file opens with a comment holding `Expect: <python expression>`.
The expression is split into its `and`-joined assertions; the ones about
title, link, id, dates, author, content (summary, content, description) and
enclosures are "checkable", whether they read keys (`feed['link']`) or
attributes (`feed.link`), as feedparser's dicts allow both. Each is
evaluated against what
`newsmill parse-feed --batch` printed for the file, viewed through
feedparser's documented key aliases (description -> summary, guid -> id,
tagline -> subtitle, ...). `X_parsed` dates are our RFC 3339 `X_parsed`
turned into feedparser's UTC 9-tuple.

It prints the agreement per category, per directory (wellformed/,
encoding/, entities/, illformed/ and json/) and overall, and the number of
files on which the parser crashed (any directory). Several corpora may be
given (the release's, then the files new in feedparser's develop branch);
a file a later one holds again is scored once. A `Content-Location:`
header is the document's URL, resolved against the one asked for, as a
server would send it; one that is no http(s) URL is ignored.

    feed_conformance.py --bin target/release/newsmill --corpus DIR [DIR ...] [--min 0.95]
"""

import argparse
import ast
import collections
import datetime
import json
import os
import re
import subprocess
import sys
import urllib.parse

# http/ and compression/ hold no checkable assertion.
CHECKED_DIRS = ("wellformed", "encoding", "entities", "illformed", "json")
CRASH_DIRS = ("wellformed", "encoding", "illformed", "entities", "http", "compression", "json")
BASE_URL = "http://127.0.0.1:8097/tests/"

# feedparser's documented aliases: an old name reads the new key.
ALIASES = {
    "channel": "feed",
    "items": "entries",
    "guid": "id",
    "date": "updated",
    "date_parsed": "updated_parsed",
    "description": ["summary", "subtitle"],
    "description_detail": ["summary_detail", "subtitle_detail"],
    "url": "href",
    "modified": "updated",
    "modified_parsed": "updated_parsed",
    "issued": "published",
    "issued_parsed": "published_parsed",
    "copyright": "rights",
    "copyright_detail": "rights_detail",
    "tagline": "subtitle",
    "tagline_detail": "subtitle_detail",
    "info": "subtitle",
    "info_detail": "subtitle_detail",
}

CATEGORIES = {
    "title": {"title", "title_detail"},
    "link": {"link", "links", "href"},
    "id": {"id", "guid", "guidislink"},
    "dates": {
        "updated", "updated_parsed", "published", "published_parsed", "created",
        "created_parsed", "date", "date_parsed", "modified", "modified_parsed",
        "issued", "issued_parsed", "expired", "expired_parsed",
    },
    "author": {
        "author", "author_detail", "authors", "contributors", "publisher",
        "publisher_detail",
    },
    "content": {
        "content", "summary", "summary_detail", "description", "description_detail",
        "subtitle", "subtitle_detail", "tagline", "tagline_detail", "info", "info_detail",
    },
    "enclosures": {"enclosures"},
}


def to_struct_time(rfc3339):
    """feedparser's UTC 9-tuple for an RFC 3339 instant."""
    if rfc3339 is None:
        return None
    t = datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    t = t.astimezone(datetime.timezone.utc)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second, t.weekday(),
            t.timetuple().tm_yday, 0)


class View(dict):
    """A dict that answers feedparser's aliases and `_parsed` date keys."""

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return wrap(dict.__getitem__(self, key), key)
        target = ALIASES.get(key)
        for t in ([target] if isinstance(target, str) else target or []):
            if dict.__contains__(self, t):
                return self[t]
        if key == "enclosures":
            return [l for l in self.get("links", []) if l.get("rel") == "enclosure"]
        if key == "category" and self.get("tags"):
            return self["tags"][0]["term"]
        raise KeyError(key)

    def __contains__(self, key):
        try:
            self[key]
            return True
        except KeyError:
            return False

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    # feedparser's dicts answer attribute access too (`feed.link`).
    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def has_key(self, key):
        return key in self


def wrap(value, key=""):
    if key.endswith("_parsed") and isinstance(value, str):
        return to_struct_time(value)
    if isinstance(value, dict):
        return View(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def read_header(path):
    with open(path, "rb") as f:
        head = f.read(4096)
    text = head.decode("utf-8", "replace")
    found = {}
    m = re.search(r"Expect:\s*(.*)", text)
    if m:
        # A JSON feed holds its header in a string that ends the comment.
        found["expect"] = m.group(1).split("-->")[0].strip()
    found["headers"] = dict(
        (k.strip().lower(), v.strip())
        for k, v in re.findall(r"Header:\s*([\w-]+):\s*(.*)", text)
    )
    m = re.search(r"SkipUnless:\s*(.*)", text)
    if m:
        found["skip_unless"] = m.group(1).strip()
    return found


def assertions(expr):
    tree = ast.parse(expr, mode="eval").body
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
        return tree.values
    return [tree]


def category(node):
    """The category an assertion is about, or None if it is not checkable."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if not names & {"feed", "entries"} or names & {"bozo", "encoding", "version", "headers", "status"}:
        return None
    keys = []
    for n in ast.walk(node):
        # `feed.link` and `entries[0].link` read keys as `feed['link']` does.
        if isinstance(n, ast.Attribute) and isinstance(n.value, (ast.Name, ast.Subscript)):
            keys.append(n.attr)
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name):
            s = n.slice
            if isinstance(s, ast.Constant) and isinstance(s.value, str):
                keys.append(s.value)
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Subscript):
            inner = n.value
            if isinstance(inner.value, ast.Name) and inner.value.id == "entries":
                s = n.slice
                if isinstance(s, ast.Constant) and isinstance(s.value, str):
                    keys.append(s.value)
    for key in keys:
        for cat, members in CATEGORIES.items():
            if key in members:
                return cat
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--corpus", required=True, nargs="+",
                    help="feedparser's tests/ directory, and any more of its kind (develop's new files)")
    ap.add_argument("--min", type=float, default=None, help="fail below this agreement")
    ap.add_argument("--show-failures", type=int, default=0)
    ap.add_argument("--dates", help="feedparser's date_tests JSON: also score date parsing")
    args = ap.parse_args()

    files = []
    corpus_of = {}
    seen = set()
    for corpus in args.corpus:
        for sub in CRASH_DIRS:
            for dirpath, _, names in os.walk(os.path.join(corpus, sub)):
                for n in sorted(names):
                    path = os.path.join(dirpath, n)
                    # A file a later corpus holds again is scored once.
                    rel = os.path.relpath(path, corpus)
                    if rel not in seen:
                        seen.add(rel)
                        files.append(path)
                        corpus_of[path] = corpus
    files.sort()
    requests = []
    for path in files:
        rel = os.path.relpath(path, corpus_of[path])
        head = read_header(path)
        # As served: a Content-Location names the document's URL, relative
        # to the one asked for.
        url = urllib.parse.urljoin(BASE_URL + rel, head["headers"].get("content-location") or "")
        if not url.startswith(("http://", "https://")):
            url = BASE_URL + rel  # no page lives at a javascript: URL
        requests.append({
            "path": path,
            "url": url,
            "content_type": head["headers"].get("content-type"),
            "content_language": head["headers"].get("content-language"),
        })
    date_cases = []
    if args.dates:
        with open(args.dates, encoding="utf-8") as f:
            date_cases = [d for d in json.load(f) if d["input"]]
        requests.extend({"date": d["input"]} for d in date_cases)
    proc = subprocess.run(
        [args.bin, "parse-feed", "--batch"],
        input="\n".join(json.dumps(r) for r in requests) + "\n",
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        sys.exit(f"parse-feed --batch exited {proc.returncode}")
    results = {}
    dates = {}
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        if "date" in rec:
            dates[rec["date"]] = rec.get("parsed")
        else:
            results[rec["path"]] = rec
    crashes = [p for p in files if p not in results or results[p].get("panicked")]

    passed = collections.Counter()
    total = collections.Counter()
    dir_passed = collections.Counter()
    dir_total = collections.Counter()
    failures = []
    for path in files:
        rel = os.path.relpath(path, corpus_of[path])
        top = rel.split(os.sep)[0]
        if top not in CHECKED_DIRS:
            continue
        head = read_header(path)
        if "expect" not in head:
            continue
        try:
            atoms = assertions(head["expect"])
        except SyntaxError:
            continue
        rec = results.get(path, {})
        feed = rec.get("feed") or {}
        env = {
            "feed": wrap(feed.get("feed", {})),
            "entries": wrap(feed.get("entries", [])),
        }
        for atom in atoms:
            cat = category(atom)
            if cat is None:
                continue
            total[cat] += 1
            src = ast.unparse(atom)
            try:
                ok = bool(eval(compile(ast.Expression(atom), rel, "eval"), {}, dict(env)))
            except Exception as e:  # a missing key is a disagreement
                ok = False
                src += f"   [{type(e).__name__}: {e}]"
            dir_total[top] += 1
            if ok:
                passed[cat] += 1
                dir_passed[top] += 1
            else:
                failures.append((rel, src))

    all_total = sum(total.values())
    all_passed = sum(passed.values())
    for cat in CATEGORIES:
        if total[cat]:
            print(f"  {cat:<11} {passed[cat]:>5} / {total[cat]:<5} {passed[cat] / total[cat]:.3f}")
    for top in CHECKED_DIRS:
        if dir_total[top]:
            print(f"  {top + '/':<11} {dir_passed[top]:>5} / {dir_total[top]:<5} "
                  f"{dir_passed[top] / dir_total[top]:.3f}")
    share = all_passed / max(all_total, 1)
    print(f"feed conformance: {all_passed} of {all_total} checkable assertions agree ({share:.3f}); "
          f"{len(files)} files parsed, {len(crashes)} crashes")
    if date_cases:
        right = valid_right = valid = 0
        for d in date_cases:
            want = d["expect_utc"]
            got = to_struct_time(dates.get(d["input"]))
            ok = (want is None and got is None) or (
                want is not None and got is not None and list(got[:6]) == want[:6])
            right += ok
            if want is not None:
                valid += 1
                valid_right += ok
            elif args.show_failures and not ok:
                print(f"DATE accepted an invalid date: {d['input']!r} -> {got}")
            if args.show_failures and want is not None and not ok:
                print(f"DATE {d['input']!r}: want {want[:6]}, got {got}")
        print(f"dates: {right} of {len(date_cases)} agree; {valid_right} of {valid} valid dates right")
    for rel, src in failures[: args.show_failures]:
        print(f"FAIL {rel}: {src}")
    for p in crashes[:10]:
        print(f"CRASH {p}")
    if crashes:
        sys.exit(1)
    if args.min is not None and share < args.min:
        sys.exit(f"agreement {share:.3f} is below {args.min}")


if __name__ == "__main__":
    main()
