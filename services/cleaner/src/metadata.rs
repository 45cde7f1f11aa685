//! Article metadata from structured data (JSON-LD), OpenGraph and meta tags.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use scraper::{Html, Node};
use serde_json::Value;

use crate::authors::author_names;
use crate::labels;

#[derive(Debug, Default, Clone)]
pub struct Metadata {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub site_name: Option<String>,
    pub lead_image: Option<String>,
    pub canonical_url: Option<String>,
    pub language: Option<String>,
    /// JSON-LD `articleBody`, when an Article-like object carries one.
    pub article_body: Option<String>,
    /// The page describes itself as an article (JSON-LD type or og:type).
    pub declared_article: bool,
    /// What the page says it is about (`labels`): its description, section
    /// and keywords.
    pub description: Option<String>,
    pub section: Option<String>,
    pub keywords: Vec<String>,
    /// Whether the publisher marks the article as not free to read
    /// (JSON-LD `isAccessibleForFree`, `article:content_tier`); none when
    /// it says nothing.
    pub paywalled: Option<bool>,
    /// The article's JSON-LD `description`, `articleSection` and
    /// `keywords`, weighed against the meta tags' once all are read.
    ld_description: Option<String>,
    ld_section: Option<String>,
    ld_keywords: Vec<String>,
    /// JSON-LD `name`, which may differ from its `headline`: read only
    /// while the title is chosen.
    ld_name: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "LiveBlogPosting",
    "TechArticle",
    "ScholarlyArticle",
    "Report",
    "SocialMediaPosting",
];

/// Meta keys read below (`property`, else `name`, else `itemprop`,
/// lowercased), by the field each fills. The pass before the parse drops
/// every other `<meta>` (`reads_meta`).
const TITLE_KEYS: &[&str] = &["og:title", "twitter:title", "dc.title", "headline"];
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "dc.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
];
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "date",
    "sailthru.date",
    "parsely-pub-date",
];
const MODIFIED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "lastmod",
];
const SITE_KEYS: &[&str] = &["og:site_name", "application-name", "twitter:site"];
const IMAGE_KEYS: &[&str] = &[
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
];
const URL_KEYS: &[&str] = &["og:url"];
const LANGUAGE_KEYS: &[&str] = &["og:locale", "language"];
const TYPE_KEYS: &[&str] = &["og:type"];
const ACCESS_KEYS: &[&str] = &["article:content_tier"];
const DESCRIPTION_KEYS: &[&str] = &[
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
    "sailthru.description",
];
const SECTION_KEYS: &[&str] = &[
    "article:section",
    "og:article:section",
    "og:section",
    "article.section",
    "articlesection",
    "parsely-section",
    "prism.section",
    "section",
];
/// In order of trust: a tag per keyword, Google News's own list, then the
/// lists a site may fill for every page.
const KEYWORD_KEYS: &[&str] = &[
    "article:tag",
    "og:article:tag",
    "news_keywords",
    "keywords",
    "parsely-tags",
    "sailthru.tags",
    "og:tags",
    "tags",
];

/// Whether a `<meta>` with this key (lowercased; or one of the keys it
/// lists, space-separated) fills a field.
pub(crate) fn reads_meta(key: &str) -> bool {
    [
        TITLE_KEYS,
        AUTHOR_KEYS,
        PUBLISHED_KEYS,
        MODIFIED_KEYS,
        SITE_KEYS,
        IMAGE_KEYS,
        URL_KEYS,
        LANGUAGE_KEYS,
        TYPE_KEYS,
        DESCRIPTION_KEYS,
        SECTION_KEYS,
        KEYWORD_KEYS,
        ACCESS_KEYS,
    ]
    .iter()
    .any(|keys| key.split_whitespace().any(|k| keys.contains(&k)))
}

/// Whether a `<link>` with this `rel` is read: the canonical URL.
pub(crate) fn reads_link(rel: &str) -> bool {
    rel.eq_ignore_ascii_case("canonical")
}

pub fn extract(doc: &Html) -> Metadata {
    let mut md = Metadata::default();
    // One pass over the nodes gathers everything the rules below read.
    let mut metas: Vec<(String, String)> = Vec::new();
    let mut ld_scripts: Vec<String> = Vec::new();
    let (mut title_tag, mut h1, mut canonical, mut html_lang, mut time_attr) =
        (None, None, None, None, None);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        match el.name() {
            "meta" => {
                let key = el
                    .attr("property")
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"));
                if let (Some(k), Some(v)) = (key, el.attr("content")) {
                    let v = v.trim();
                    // RDFa lets one tag name several properties
                    // ("dc:description og:description").
                    for k in k.split_whitespace().filter(|_| !v.is_empty()) {
                        metas.push((k.to_ascii_lowercase(), v.to_string()));
                    }
                }
            }
            "script"
                if el
                    .attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
            {
                ld_scripts.push(
                    node.children()
                        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                        .collect(),
                );
            }
            "title" if title_tag.is_none() => title_tag = Some(text_of(node)),
            "h1" if h1.is_none() => h1 = Some(text_of(node)),
            "link" if canonical.is_none() && el.attr("rel").is_some_and(reads_link) => {
                canonical = el.attr("href").map(str::to_string);
            }
            "html" if html_lang.is_none() => html_lang = el.attr("lang").map(str::to_string),
            "time" if time_attr.is_none() => time_attr = el.attr("datetime").and_then(parse_date),
            _ => {}
        }
    }
    for raw in &ld_scripts {
        if let Some(value) = parse_ld(raw) {
            visit_ld(&value, &mut md, 0);
        }
    }
    let meta = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone()))
    };

    // The page's visible headline settles a disagreement: a JSON-LD
    // "headline" that is a summary (Wikipedia's, "constitutional monarchy
    // in Oceania" for New Zealand) loses to an <h1> that another source
    // repeats: `og:title`, the JSON-LD `name`, or the <title> before its
    // site's name.
    let h1 = h1.map(|h| collapse(&h)).filter(|h| !h.is_empty());
    let title_tag = title_tag.map(|t| collapse(&t));
    if let (Some(title), Some(h1)) = (&md.title, &h1)
        && !title.eq_ignore_ascii_case(h1)
    {
        let same = |t: &str| t.eq_ignore_ascii_case(h1);
        let confirmed = meta(TITLE_KEYS).is_some_and(|t| same(&collapse(&t)))
            || md.ld_name.as_deref().is_some_and(same)
            || title_tag.as_deref().is_some_and(|t| {
                same(t)
                    || TITLE_SEPARATORS
                        .iter()
                        .any(|sep| t.split_once(sep).is_some_and(|(head, _)| same(head)))
            });
        if confirmed {
            md.title = Some(h1.clone());
        }
    }
    if md.title.is_none() {
        md.title = meta(TITLE_KEYS);
    }
    if md.title.is_none() {
        md.title = h1;
    }
    if md.title.is_none() {
        md.title = title_tag.map(|t| strip_site_suffix(&t));
    }
    md.title = md.title.filter(|t| !t.is_empty());

    if md.authors.is_empty() {
        for (k, v) in &metas {
            if AUTHOR_KEYS.contains(&k.as_str()) {
                md.authors.push(v.clone());
            }
        }
    }
    // In order of trust; a later source refines a day without a time.
    let published = [meta(PUBLISHED_KEYS).and_then(|d| parse_date(&d)), time_attr];
    md.published = published.into_iter().fold(md.published, finer_date);
    let modified = meta(MODIFIED_KEYS).and_then(|d| parse_date(&d));
    md.modified = finer_date(md.modified, modified);
    if md.site_name.is_none() {
        md.site_name = meta(SITE_KEYS);
    }
    if md.lead_image.is_none() {
        md.lead_image = meta(IMAGE_KEYS);
    }
    md.canonical_url = canonical.or_else(|| meta(URL_KEYS));
    md.language = html_lang
        .as_deref()
        .or_else(|| {
            metas
                .iter()
                .find(|(k, _)| LANGUAGE_KEYS.contains(&k.as_str()))
                .map(|(_, v)| v.as_str())
        })
        .map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase())
        .filter(|l| l.len() == 2);
    if meta(TYPE_KEYS).is_some_and(|t| t.eq_ignore_ascii_case("article")) {
        md.declared_article = true;
    }
    md.authors = author_names(md.authors.iter().map(String::as_str));
    md.description = meta(DESCRIPTION_KEYS)
        .or(md.ld_description.take())
        .and_then(|d| labels::description(&d));
    md.section = meta(SECTION_KEYS)
        .and_then(|s| labels::section(&s))
        .or_else(|| md.ld_section.as_deref().and_then(labels::section));
    let tagged = KEYWORD_KEYS.iter().flat_map(|key| {
        metas
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    });
    md.keywords = labels::keywords(tagged.chain(md.ld_keywords.iter().map(String::as_str)));
    if md.paywalled.is_none() {
        // Open Graph's tiers: `free`, `metered` (a few articles a month),
        // `locked`.
        md.paywalled =
            meta(ACCESS_KEYS).and_then(|tier| match tier.to_ascii_lowercase().as_str() {
                "free" => Some(false),
                "metered" | "locked" => Some(true),
                _ => None,
            });
    }
    if let (Some(title), Some(site)) = (&md.title, &md.site_name) {
        md.title = Some(without_site_name(title, site));
    }
    md
}

/// A JSON-LD script's value. Pages' JSON-LD is often not quite JSON: a
/// comma before a closing bracket, a line break inside a string, the whole
/// wrapped in `<!-- -->` or a CDATA comment. Browsers never read it, so
/// nothing tells the site; search engines read it anyway, and so do we.
fn parse_ld(raw: &str) -> Option<Value> {
    let raw = raw.trim();
    if let Ok(value) = serde_json::from_str(raw) {
        return Some(value);
    }
    let unwrapped = raw
        .trim_start_matches("//")
        .trim_start_matches("<![CDATA[")
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim_end_matches("]]>")
        .trim_end()
        .trim_end_matches("//");
    serde_json::from_str(&repaired_json(unwrapped)).ok()
}

/// `text` with commas before a closing bracket dropped and control
/// characters inside strings escaped.
fn repaired_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' => {
                    out.push_str("\\n");
                    continue;
                }
                c if c.is_control() => {
                    out.push(' ');
                    continue;
                }
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => in_string = true,
            ',' if text[i + 1..].trim_start().starts_with([']', '}']) => {
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

fn visit_ld(value: &Value, md: &mut Metadata, depth: usize) {
    if depth > 6 {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| visit_ld(v, md, depth + 1)),
        Value::Object(obj) => {
            if let Some(graph) = obj.get("@graph") {
                visit_ld(graph, md, depth + 1);
            }
            let is_article = match obj.get("@type") {
                Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
                _ => false,
            };
            if !is_article {
                return;
            }
            md.declared_article = true;
            let text = |k: &str| {
                obj.get(k)
                    .and_then(Value::as_str)
                    .map(ld_text)
                    .filter(|s| !s.is_empty())
            };
            if md.title.is_none() {
                md.title = text("headline").or_else(|| text("name"));
                md.ld_name = text("name");
            }
            if md.article_body.is_none() {
                md.article_body = obj
                    .get("articleBody")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            if md.published.is_none() {
                md.published = text("datePublished").and_then(|d| parse_date(&d));
            }
            if md.modified.is_none() {
                md.modified = text("dateModified").and_then(|d| parse_date(&d));
            }
            if md.authors.is_empty() {
                md.authors = ld_names(obj.get("author"));
            }
            if md.site_name.is_none() {
                md.site_name = ld_names(obj.get("publisher")).into_iter().next();
            }
            if md.lead_image.is_none() {
                md.lead_image = ld_image(obj.get("image"));
            }
            if md.ld_description.is_none() {
                md.ld_description = text("description");
            }
            if md.ld_section.is_none() {
                md.ld_section = ld_strings(obj.get("articleSection")).into_iter().next();
            }
            if md.ld_keywords.is_empty() {
                md.ld_keywords = ld_strings(obj.get("keywords"));
            }
            if md.paywalled.is_none() {
                md.paywalled = match obj.get("isAccessibleForFree") {
                    Some(Value::Bool(free)) => Some(!free),
                    Some(Value::String(free)) if free.eq_ignore_ascii_case("false") => Some(true),
                    Some(Value::String(free)) if free.eq_ignore_ascii_case("true") => Some(false),
                    _ => None,
                };
            }
        }
        _ => {}
    }
}

/// A JSON-LD string as text. A script's text is not decoded as HTML, and
/// pages (WordPress's SEO plugins among them) write character references
/// in it: "&#8216;The Medium&#8217;", "O&#039;Brien".
fn ld_text(s: &str) -> String {
    collapse(&news_core::entities::unescape(s))
}

fn ld_names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![ld_text(s)],
        Some(Value::Object(o)) => o
            .get("name")
            .and_then(Value::as_str)
            .map(|s| vec![ld_text(s)])
            .unwrap_or_default(),
        Some(Value::Array(a)) => a.iter().flat_map(|x| ld_names(Some(x))).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|s| !s.is_empty() && !s.starts_with("http"))
    .collect()
}

/// A JSON-LD text or list of texts; a list's items may be terms
/// (`{"name": ...}`, or a tagger's `{"keyword": ..., "score": ...}`).
fn ld_strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![ld_text(s)],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(ld_text(s)),
                Value::Object(o) => ["name", "keyword"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .map(ld_text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn ld_image(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("url").and_then(Value::as_str).map(str::to_string),
        Value::Array(a) => a.iter().find_map(|x| ld_image(Some(x))),
        _ => None,
    }
}

/// Parse the date forms pages use: RFC 3339, RFC 2822, and common ISO variants.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d.and_utc());
        }
    }
    // A date's first ten characters ("2019-11-18, updated ...").
    let date_first = s
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    // Then the forms feeds write, which pages write too: "November 19,
    // 2019, 07:47 PM EST" in `article:published_time`.
    date_first.or_else(|| news_core::dates::parse_date(s))
}

pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const TITLE_SEPARATORS: [&str; 5] = [" | ", " - ", " — ", " – ", " :: "];

fn strip_site_suffix(title: &str) -> String {
    for sep in TITLE_SEPARATORS {
        if let Some((head, _)) = title.rsplit_once(sep)
            && head.split_whitespace().count() >= 3
        {
            return head.to_string();
        }
    }
    title.to_string()
}

/// `title` without the parts at its end that name the site ("... -
/// Sportsnet.ca" with the site name "Sportsnet.ca"; "... - Dennis' 7 Dees
/// | Landscaping Services & Garden Centers"). `og:title` often carries
/// them; a headline of fewer than three words is left whole.
fn without_site_name(title: &str, site: &str) -> String {
    let site = site.trim_start_matches('@').to_lowercase();
    let mut title = title;
    'cut: loop {
        for sep in TITLE_SEPARATORS {
            if let Some((head, tail)) = title.rsplit_once(sep)
                && head.split_whitespace().count() >= 3
                && tail.trim().chars().count() >= 3
                && site.contains(&tail.trim().to_lowercase())
            {
                title = head.trim_end();
                continue 'cut;
            }
        }
        return title.to_string();
    }
}

/// `first`, unless it is a day without a time ("November 19, 2019" in
/// JSON-LD) and `then` gives that day a time: pages often write the day in
/// one place and the whole moment in another.
fn finer_date(first: Option<DateTime<Utc>>, then: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let midnight = |d: &DateTime<Utc>| d.time() == chrono::NaiveTime::MIN;
    match (first, then) {
        (None, then) => then,
        (Some(day), Some(moment))
            if midnight(&day)
                && !midnight(&moment)
                // A moment late in the day west of Greenwich is the next
                // day in UTC.
                && (moment.date_naive() - day.date_naive()).num_days().abs() <= 1 =>
        {
            Some(moment)
        }
        (first, _) => first,
    }
}

/// The text under `node`, without a ruby's reading aids (`<rt>`, `<rp>`):
/// a headline of kanji with furigana reads as its kanji.
pub(crate) fn text_of(node: ego_tree::NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter(|d| {
            !d.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "rt" | "rp"))
            })
        })
        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
        .collect()
}
