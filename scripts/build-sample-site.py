#!/usr/bin/env python3
"""Build examples/site: an RSS feed plus article pages with realistic page
chrome (navigation, language switcher, share bar, cookie notice, donation
appeal, "read also" list, footer) around the five seed articles from
../shared/seeds and three articles written for the demo. Run once; the
output is committed so `newsmill run` works on a fresh machine."""
import html, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SITE = ROOT / "examples" / "site"

OWN = [
    ("quake-north-coast", "Magnitude 6.4 earthquake strikes northern coast, damaging harbour",
     "2024-03-02T06:10:00Z", "World", ["Earthquakes", "Aldmere", "Port Venn"],
     ["A magnitude 6.4 earthquake struck off the northern coast of Aldmere early on Saturday, damaging the harbour at Port Venn and cutting power to about 40,000 homes, the national seismology office said.",
      "The quake hit at 05:42 local time at a depth of 12 kilometres, about 30 kilometres north-west of Port Venn. Aftershocks of up to magnitude 4.8 followed within the hour.",
      "Harbour master Ilse Moravec said two cranes had toppled and a section of the eastern pier had collapsed into the water. No deaths were reported, and eleven people were treated for minor injuries.",
      "The seismology office lifted a tsunami watch after two hours. Engineers are inspecting the coastal railway line, which remains closed between Port Venn and Halden."]),
    ("quake-southern-valley", "Earthquake of magnitude 5.1 shakes southern valley towns",
     "2024-09-17T21:30:00Z", "Regional", ["Earthquakes", "Bramford"],
     ["An earthquake of magnitude 5.1 shook towns in the southern Kessar valley on Tuesday evening, cracking walls in the old quarter of Bramford and sending residents into the streets.",
      "The regional geological institute put the epicentre eight kilometres east of Bramford at a depth of 20 kilometres. It was felt as far away as the coastal city of Ostrin.",
      "Mayor Tomas Reyne said three schools would stay closed on Wednesday while inspectors checked the buildings. One woman was taken to hospital with a broken arm.",
      "The valley sits on the Kessar fault, which produced a magnitude 5.6 earthquake in 1987."]),
    ("rail-strike", "Rail workers announce 48-hour strike over pay",
     "2024-06-19T09:00:00Z", "Economy", ["Strikes", "Rail"],
     ["Rail workers will walk out for 48 hours from next Monday after talks on pay broke down, the transport union said on Wednesday.",
      "Union leader Mara Keller said members had rejected an offer of a 3.5 percent rise because it did not keep up with prices, and that the strike would halt most regional services.",
      "The rail operator said it was disappointed and would run a reduced timetable on intercity routes. Passengers were advised to check before travelling.",
      "It is the third strike on the network this year."]),
]

CHROME_TOP = """<header class="site-header"><div class="lang-switch"><a href="#">ua</a> <a href="#">en</a> <a href="#">ru</a></div>
<nav class="main-nav"><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a> <a href="/economy">Economy</a> <a href="/sport">Sport</a></nav>
<div class="support-banner"><a href="/support">Support Us</a></div></header>
<div class="cookie-notice">This website uses cookies to improve your experience. <button>Accept all cookies</button></div>"""
SHARE = """<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Copy link</a></div>"""
APPEAL = """<div class="donation-box"><p>You could close this page. Or you could join our community and help us produce more materials like this.</p>
<p>Our small team depends on the support of readers like you. Become a patron or see other ways to support.</p><a class="button" href="/donate">Become a Patron!</a></div>"""
READ_ALSO = """<aside class="read-also"><h3>Read also</h3><ul><li><a href="/n/1">Parliament passes budget after late-night session</a></li>
<li><a href="/n/2">Football: cup final moved to new stadium</a></li></ul></aside>"""
FOOTER = """<footer class="site-footer"><p>© 2024 The Sample Courier. All rights reserved.</p><a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>"""


def page(title, published, body_html, site, labels=""):
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<meta property="og:title" content="{html.escape(title)}"><meta property="og:type" content="article">
<meta property="og:site_name" content="{site}"><meta property="article:published_time" content="{published}">
{labels}</head><body>
{CHROME_TOP}
<main><article><h1>{html.escape(title)}</h1><p class="byline">By Newsroom Staff</p>
{SHARE}
<div class="article-body">
{body_html}
</div>
{SHARE}
</article>
{READ_ALSO}
{APPEAL}
</main>
{FOOTER}
</body></html>
"""


def labels(description, section, tags):
    """What the demo's own pages say they are about, as news sites write it:
    a description, a section, a tag per keyword."""
    metas = [f'<meta property="og:description" content="{html.escape(description)}">',
             f'<meta property="article:section" content="{html.escape(section)}">']
    metas += [f'<meta property="article:tag" content="{html.escape(t)}">' for t in tags]
    return "".join(metas) + "\n"


def seed_body(lines):
    out, in_list = [], False
    for line in lines:
        s = line.strip()
        if not s:
            continue
        bullet = s[:1] in "•-"
        if bullet and not in_list:
            out.append("<ul>")
            in_list = True
        if not bullet and in_list:
            out.append("</ul>")
            in_list = False
        text = html.escape(s.lstrip("•- ").strip())
        out.append(f"<li>{text}</li>" if bullet else f"<p>{text}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def main():
    if not SEEDS.is_dir():
        sys.exit(f"seeds not found at {SEEDS}")
    (SITE / "articles").mkdir(parents=True, exist_ok=True)
    items = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        lines = path.read_text(encoding="utf-8").splitlines()
        title = next(l.strip() for l in lines if len(l.split()) >= 4)
        slug = f"seed-{i}"
        published = "2024-06-20T08:00:00Z"
        (SITE / "articles" / f"{slug}.html").write_text(page(title, published, seed_body(lines), f"Outlet {i}"), encoding="utf-8")
        items.append((slug, title, published, None))
    for slug, title, published, section, tags, paras in OWN:
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
        description = paras[0].split(", ")[0] + "."
        meta = labels(description, section, tags)
        (SITE / "articles" / f"{slug}.html").write_text(page(title, published, body, "The Sample Courier", meta), encoding="utf-8")
        items.append((slug, title, published, section))
    from email.utils import format_datetime
    from datetime import datetime
    entries = []
    for slug, title, published, section in items:
        when = format_datetime(datetime.fromisoformat(published.replace("Z", "+00:00")))
        category = f"<category>{section}</category>" if section else ""
        # The site's own stories name their picture in the feed, as news
        # feeds do (their pages name none): the clean article's lead image.
        picture = f'<media:thumbnail url="https://images.example.org/sample-courier/{slug}.jpg"/>' if section else ""
        entries.append(f"""  <item><title>{html.escape(title)}</title><link>articles/{slug}.html?utm_source=rss</link>
    <guid isPermaLink="false">sample-{slug}</guid><pubDate>{when}</pubDate>{category}{picture}</item>""")
    feed = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>The Sample Courier</title><link>index.html</link>
<description>Sample news site for newsmill</description>
""" + "\n".join(entries) + "\n</channel></rss>\n"
    (SITE / "feed.xml").write_text(feed, encoding="utf-8")
    # The same articles as a site with no feed lists them: a seed for the
    # feed fuzzer and the mutation test. Read as news (within 48 h of the
    # newest entry), it gives the newest alone: the dates are months apart.
    urls = []
    for slug, title, published, _ in items:
        when = datetime.fromisoformat(published.replace("Z", "+00:00")).isoformat()
        urls.append(f"""  <url><loc>articles/{slug}.html</loc><lastmod>{when}</lastmod><news:news><news:publication><news:name>The Sample Courier</news:name><news:language>en</news:language></news:publication><news:publication_date>{when}</news:publication_date><news:title>{html.escape(title[:120])}</news:title></news:news></url>""")
    sitemap = """<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
""" + "\n".join(urls) + "\n</urlset>\n"
    (SITE / "news-sitemap.xml").write_text(sitemap, encoding="utf-8")
    print(f"wrote {len(items)} articles, feed.xml and news-sitemap.xml to {SITE}")


if __name__ == "__main__":
    main()
