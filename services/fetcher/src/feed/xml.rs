//! RSS, RDF and Atom in one streaming pass. Each element is mapped to a
//! vocabulary name (namespaces of the same format family fold together, as
//! readers treat them), and the text of interesting elements is captured
//! with its xml:base, xml:lang and type, then turned into model fields.

use base64::Engine as _;
use std::rc::Rc;

use news_core::mojibake::{repair_text, windows_1252_for_c1};
use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use url::Url;

use super::sanitize::{looks_like_html, sanitize_html};
use super::{
    Common, Entry, FeedError, Link, MAX_MEDIA_PER_ENTRY, Media, ParsedFeed, Person, Tag, Text,
};
use news_core::dates::{parse_date, to_rfc3339};
use news_core::entities::{html_entity, numeric_reference};

#[path = "xml_fields.rs"]
mod fields;
use fields::escape_text;

const ATOM10: &str = "http://www.w3.org/2005/Atom";
const ATOM03: &str = "http://purl.org/atom/ns#";
const RSS10: &str = "http://purl.org/rss/1.0/";
const RSS090: &str = "http://my.netscape.com/rdf/simple/0.9/";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Feed-format namespaces whose elements mean the same as un-namespaced RSS.
const CORE: &[&str] = &[
    ATOM10,
    ATOM03,
    RSS10,
    RSS090,
    "http://backend.userland.com/rss2",
    "http://blogs.law.harvard.edu/tech/rss",
    "http://purl.org/net/rss1.1#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
];

const MODULES: &[(&str, &str)] = &[
    ("http://purl.org/dc/elements/1.1/", "dc:"),
    ("http://purl.org/dc/terms/", "dcterms:"),
    ("http://purl.org/rss/1.0/modules/content/", "content:"),
    ("http://www.w3.org/1999/xhtml", "xhtml:"),
    ("http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes:"),
    ("http://search.yahoo.com/mrss/", "media:"),
];

/// Bounds for hostile documents: deeper nesting or more entries than any
/// real feed has are cut off, not followed.
const MAX_DEPTH: usize = 256;
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Copy, PartialEq)]
enum DateSlot {
    Published,
    Updated,
    Created,
    Expired,
}

#[derive(Clone, Copy, PartialEq)]
enum PersonSlot {
    Author,
    Contributor,
    Publisher,
}

#[derive(Clone, PartialEq)]
enum Field {
    Title,
    LinkText,
    Subtitle,
    Summary,
    Content,
    Rights,
    Id,
    Guid {
        permalink: bool,
    },
    Date(DateSlot),
    PersonText(PersonSlot),
    PersonName,
    PersonEmail,
    PersonUri,
    Language,
    Generator,
    Ttl,
    SkipHour,
    SkipDay,
    Category {
        scheme: Option<String>,
    },
    Comments,
    /// Used only when the primary element for the field is absent.
    Fallback(Box<Field>),
    ImageUrl,
    ImageTitle,
    ImageLink,
}

struct Capture {
    field: Field,
    depth: usize,
    /// The element's own name, to pick a default type.
    element: String,
    atom: bool,
    text: String,
    /// The content as markup; written only once a child element or an
    /// unresolved reference makes it differ from the escaped text (most
    /// captures never need it).
    markup: String,
    markup_live: bool,
    children: bool,
    mime: Option<String>,
    mode: Option<String>,
    /// Atom's `src`, resolved: content kept elsewhere.
    src: Option<String>,
    base: Option<Rc<Url>>,
    lang: Option<String>,
}

struct Frame {
    name: String,
    base: Option<Rc<Url>>,
    lang: Option<String>,
    /// Children of this element are not feed fields (source, textinput...).
    opaque: bool,
}

struct Parser {
    feed: ParsedFeed,
    stack: Vec<Frame>,
    entry: Option<Entry>,
    entry_depth: usize,
    person: Option<(Person, PersonSlot, usize)>,
    image_depth: Option<usize>,
    capture: Option<Capture>,
    saw_root: bool,
    /// Whether any text could need [`repair_text`]: an ASCII document
    /// without numeric references cannot.
    may_need_repair: bool,
}

/// The vocabulary name of an element and whether it is Atom's. An unknown
/// namespace used as the default one is read as the feed's own vocabulary,
/// as readers do (feeds invent namespace URIs); a prefixed one is foreign.
fn vocabulary(ns: &ResolveResult, local: &str, prefixed: bool) -> (String, bool) {
    let local = local.to_ascii_lowercase();
    match ns {
        ResolveResult::Bound(n) => {
            let uri: &str = n.as_ref();
            if CORE.contains(&uri) {
                let atom = uri == ATOM10 || uri == ATOM03;
                return (local, atom);
            }
            for (m, prefix) in MODULES {
                if m.eq_ignore_ascii_case(uri) {
                    return (format!("{prefix}{local}"), false);
                }
            }
            if prefixed {
                (format!("?:{local}"), false)
            } else {
                (local, false)
            }
        }
        _ => (local, false),
    }
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref().eq_ignore_ascii_case(key))
        .map(|a| attr_value(&a))
}

/// An attribute's value with character and entity references resolved
/// (HTML's named entities too, which feeds use without declaring them).
fn attr_value(a: &Attribute) -> String {
    let resolve = |e: &str| resolve_predefined_entity(e).or_else(|| html_entity(e));
    match a.normalized_value_with(XmlVersion::Implicit1_0, 1, resolve) {
        Ok(v) => v.into_owned(),
        Err(_) => a.value.to_string(),
    }
}

fn resolve(base: Option<&Url>, href: &str) -> String {
    let href = href.trim();
    match base {
        Some(b) => b
            .join(href)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| href.to_string()),
        None => href.to_string(),
    }
}

/// An id resolved against `base` when it is a relative path
/// ("/2024/06/story", "news/story.html"), and as written otherwise: an
/// absolute id (`tag:`, `urn:`, a URL) keeps every byte, and so does a bare
/// word or number ("12345"), which is far likelier an opaque id than a
/// page next to the feed.
fn resolve_relative(base: Option<&Url>, value: String) -> String {
    let trimmed = value.trim();
    let is_path = trimmed.contains('/') && !trimmed.contains(char::is_whitespace);
    match Url::parse(trimmed) {
        Err(url::ParseError::RelativeUrlWithoutBase) if is_path && base.is_some() => {
            resolve(base, trimmed)
        }
        _ => value,
    }
}

/// Parse an RSS, RDF or Atom document that has already been decoded.
pub fn parse(text: &str, feed_url: &str, http_lang: Option<&str>) -> Result<ParsedFeed, FeedError> {
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.expand_empty_elements = true;
    let mut p = Parser {
        feed: ParsedFeed::default(),
        stack: vec![Frame {
            name: String::new(),
            base: Url::parse(feed_url).ok().map(Rc::new),
            lang: http_lang.map(str::to_string),
            opaque: false,
        }],
        entry: None,
        entry_depth: 0,
        person: None,
        image_depth: None,
        capture: None,
        saw_root: false,
        may_need_repair: !text.is_ascii() || text.contains("&#"),
    };
    loop {
        let event = match reader.read_resolved_event() {
            Ok(ev) => ev,
            // Readers keep what they have of a broken feed.
            Err(e) if p.saw_root => {
                tracing::debug!(error = %e, "feed is not well-formed; keeping what was read");
                break;
            }
            Err(e) => return Err(FeedError::Parse(e.to_string())),
        };
        match event {
            (ns, Event::Start(e)) => {
                let prefixed = e.name().prefix().is_some();
                let (name, atom) = vocabulary(&ns, e.local_name().as_ref(), prefixed);
                p.start(&e, name, atom, reader.resolver())?;
            }
            (_, Event::End(_)) => p.end(),
            (_, Event::Text(t)) => p.text(&t.xml10_content(), false),
            (_, Event::CData(t)) => p.text(&t, false),
            (_, Event::GeneralRef(r)) => {
                let resolved = if r.starts_with('#') {
                    // `&#146;` names a C1 control, but the writer meant windows-1252's ’.
                    numeric_reference(&r).map(|c| windows_1252_for_c1(c).to_string())
                } else {
                    resolve_predefined_entity(&r)
                        .or_else(|| html_entity(&r))
                        .map(str::to_string)
                };
                match resolved {
                    Some(s) => p.text(&s, false),
                    None => p.text(&format!("&{};", &*r), true),
                }
            }
            (_, Event::Eof) => break,
            _ => {}
        }
        if p.feed.entries.len() >= MAX_ENTRIES {
            break;
        }
    }
    if !p.saw_root {
        return Err(FeedError::Parse("no rss, rdf or feed root element".into()));
    }
    Ok(p.feed)
}

impl Parser {
    fn target(&mut self) -> &mut Common {
        match &mut self.entry {
            Some(e) => &mut e.common,
            None => &mut self.feed.feed.common,
        }
    }

    fn start(
        &mut self,
        e: &BytesStart,
        name: String,
        atom: bool,
        resolver: &quick_xml::name::NamespaceResolver,
    ) -> Result<(), FeedError> {
        let parent = self.stack.last().expect("root frame");
        let mut base = parent.base.clone();
        let mut lang = parent.lang.clone();
        for a in e.attributes().with_checks(false).flatten() {
            let (ns, local) = resolver.resolve_attribute(a.key);
            let is_xml = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == XML_NS)
                || a.key.as_ref().starts_with("xml:");
            if !is_xml {
                continue;
            }
            let value = attr_value(&a);
            match local.as_ref() {
                "base" => {
                    let joined = match &base {
                        Some(b) => b.join(value.trim()).ok(),
                        None => Url::parse(value.trim()).ok(),
                    };
                    // A javascript: or data: base would poison every link under it.
                    if let Some(j) =
                        joined.filter(|u| matches!(u.scheme(), "http" | "https" | "ftp" | "file"))
                    {
                        base = Some(Rc::new(j));
                    }
                }
                // xml:lang="" means "no language"; en_US is en-US.
                "lang" => lang = Some(value.trim().replace('_', "-")).filter(|l| !l.is_empty()),
                _ => {}
            }
        }
        let opaque = parent.opaque;
        let depth = self.stack.len();
        if depth > MAX_DEPTH {
            return Err(FeedError::Parse(format!("nesting deeper than {MAX_DEPTH}")));
        }
        self.stack.push(Frame {
            name: name.clone(),
            base: base.clone(),
            lang: lang.clone(),
            opaque,
        });
        if let Some(cap) = &mut self.capture {
            cap.children = true;
            cap.start_markup();
            cap.markup.push('<');
            let local = e.local_name().as_ref().to_string();
            cap.markup.push_str(&local);
            for a in e.attributes().with_checks(false).flatten() {
                let key = a.key.as_ref().to_string();
                if key == "xmlns" || key.starts_with("xmlns:") {
                    continue;
                }
                let value = attr_value(&a);
                cap.markup.push_str(&format!(
                    " {key}=\"{}\"",
                    escape_text(&value).replace('"', "&quot;")
                ));
            }
            cap.markup.push('>');
            return Ok(());
        }
        if opaque {
            return Ok(());
        }
        if !self.saw_root {
            self.root(e, &name, atom);
            return Ok(());
        }
        let in_entry = self.entry.is_some();
        let in_person = self.person.is_some();
        let in_image = self.image_depth.is_some();
        let field = match name.as_str() {
            "item" | "entry" if !in_entry => {
                let mut entry = Entry::default();
                entry.common.id = attr(e, "rdf:about");
                self.entry = Some(entry);
                self.entry_depth = depth;
                self.cdf_attributes(e, base.as_deref());
                None
            }
            "channel" | "feed" | "rdf:rdf" => {
                self.cdf_attributes(e, base.as_deref());
                None
            }
            "source" | "textinput" => {
                self.stack.last_mut().expect("pushed").opaque = true;
                None
            }
            "image" if in_entry || in_image => {
                self.stack.last_mut().expect("pushed").opaque = true;
                None
            }
            "image" => {
                self.image_depth = Some(depth);
                None
            }
            "itunes:owner" => {
                self.person = Some((Person::default(), PersonSlot::Publisher, depth));
                None
            }
            "author" | "contributor" if atom => {
                let slot = if name == "author" {
                    PersonSlot::Author
                } else {
                    PersonSlot::Contributor
                };
                self.person = Some((Person::default(), slot, depth));
                None
            }
            "name" | "itunes:name" if in_person => Some(Field::PersonName),
            "email" | "itunes:email" if in_person => Some(Field::PersonEmail),
            "uri" | "url" | "homepage" if in_person => Some(Field::PersonUri),
            "url" if in_image => Some(Field::ImageUrl),
            "title" if in_image => Some(Field::ImageTitle),
            "link" if in_image => Some(Field::ImageLink),
            _ if in_image || in_person => None,
            "title" | "dc:title" => Some(Field::Title),
            "media:title" => Some(Field::Fallback(Box::new(Field::Title))),
            "link" => match attr(e, "href") {
                Some(href) => {
                    self.atom_link(e, &href, base.as_deref());
                    None
                }
                None => Some(Field::LinkText),
            },
            "description" if in_entry => Some(Field::Summary),
            "summary" | "dcterms:abstract" | "dc:description" | "abstract" if in_entry => {
                Some(Field::Summary)
            }
            "media:description" | "itunes:summary" if in_entry => {
                Some(Field::Fallback(Box::new(Field::Summary)))
            }
            "description" | "subtitle" | "tagline" | "info" | "dc:description" | "abstract" => {
                Some(Field::Subtitle)
            }
            "itunes:subtitle" if in_entry => None,
            "itunes:summary" | "itunes:subtitle" if !in_entry => {
                Some(Field::Fallback(Box::new(Field::Subtitle)))
            }
            "content:encoded" | "content" | "xhtml:body" | "body" | "fullitem" if in_entry => {
                Some(Field::Content)
            }
            "copyright" | "rights" | "dc:rights" => Some(Field::Rights),
            "language" | "dc:language" => Some(Field::Language),
            "pubdate" | "issued" | "published" | "dcterms:issued" => {
                Some(Field::Date(DateSlot::Published))
            }
            "lastbuilddate" | "updated" | "modified" | "dc:date" | "dcterms:modified" => {
                Some(Field::Date(DateSlot::Updated))
            }
            "created" | "dcterms:created" => Some(Field::Date(DateSlot::Created)),
            "expirationdate" | "expired" => Some(Field::Date(DateSlot::Expired)),
            "author" | "managingeditor" | "dc:creator" | "dc:author" | "itunes:author" => {
                Some(Field::PersonText(PersonSlot::Author))
            }
            "webmaster" | "dc:publisher" => Some(Field::PersonText(PersonSlot::Publisher)),
            "dc:contributor" => Some(Field::PersonText(PersonSlot::Contributor)),
            "generator" => Some(Field::Generator),
            "ttl" if !in_entry => Some(Field::Ttl),
            "hour" if !in_entry && self.parent_is("skiphours") => Some(Field::SkipHour),
            "day" if !in_entry && self.parent_is("skipdays") => Some(Field::SkipDay),
            "id" => Some(Field::Id),
            "guid" => Some(Field::Guid {
                permalink: attr(e, "ispermalink")
                    .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false")),
            }),
            "category" | "dc:subject" => match attr(e, "term") {
                Some(term) => {
                    let tag = Tag {
                        term,
                        scheme: attr(e, "scheme").or_else(|| attr(e, "domain")),
                        label: attr(e, "label"),
                    };
                    self.target().tags.push(tag);
                    None
                }
                None => Some(Field::Category {
                    scheme: attr(e, "domain").or_else(|| attr(e, "scheme")),
                }),
            },
            "enclosure" if in_entry => {
                self.enclosure(e, base.as_deref());
                None
            }
            "media:thumbnail" | "media:content" if in_entry => {
                self.media(e, name == "media:thumbnail", base.as_deref());
                None
            }
            "comments" if in_entry => Some(Field::Comments),
            _ => None,
        };
        if let Some(field) = field {
            let src = matches!(field, Field::Content)
                .then(|| attr(e, "src"))
                .flatten()
                .map(|src| resolve(base.as_deref(), &src));
            self.capture = Some(Capture {
                field,
                depth,
                element: name,
                atom,
                text: String::new(),
                markup: String::new(),
                markup_live: false,
                children: false,
                mime: attr(e, "type"),
                mode: attr(e, "mode"),
                src,
                base,
                lang,
            });
        }
        Ok(())
    }

    fn root(&mut self, e: &BytesStart, name: &str, atom: bool) {
        self.saw_root = true;
        let version = attr(e, "version").unwrap_or_default();
        self.feed.version = match name {
            "rss" => match version.trim() {
                "" => "rss".into(),
                "0.91" => "rss091u".into(),
                "0.90" => "rss090".into(),
                "2.0" | "2" | "2.0.1" => "rss20".into(),
                v => format!("rss{}", v.replace('.', "")),
            },
            "feed" if atom || version == "0.3" => {
                let ns_atom03 = version.starts_with("0.");
                if ns_atom03 {
                    "atom03".into()
                } else {
                    "atom10".into()
                }
            }
            "feed" => "atom".into(),
            "rdf:rdf" | "?:rdf" => "rss10".into(),
            "channel" => "cdf".into(),
            _ => {
                self.saw_root = false;
                return;
            }
        };
        let base = self.stack.last().and_then(|f| f.base.clone());
        self.cdf_attributes(e, base.as_deref());
    }

    fn end(&mut self) {
        let depth = self.stack.len() - 1;
        if depth == 0 {
            return;
        }
        let frame = self.stack.pop().expect("non-root frame");
        if let Some(cap) = &mut self.capture {
            if cap.depth != depth {
                let local = frame.name.rsplit(':').next().unwrap_or(&frame.name);
                cap.markup.push_str(&format!("</{local}>"));
                return;
            }
            let cap = self.capture.take().expect("checked");
            self.finish(cap);
            return;
        }
        if self.image_depth == Some(depth) {
            self.image_depth = None;
        }
        if let Some((_, _, d)) = &self.person
            && *d == depth
        {
            let (person, slot, _) = self.person.take().expect("checked");
            if !person.is_empty() {
                self.add_person(person, slot, None);
            }
        }
        if self.entry.is_some() && depth == self.entry_depth {
            let mut entry = self.entry.take().expect("checked");
            // Readers show the first content as the summary when there is none.
            if entry.summary.is_none()
                && let Some(first) = entry.content.first()
            {
                entry.summary = Some(first.value.clone());
                entry.summary_detail = Some(first.clone());
            }
            if entry.guidislink && entry.common.link.is_none() {
                entry.common.link = entry.common.id.clone();
            } else {
                entry.guidislink = false;
            }
            self.feed.entries.push(entry);
        }
    }
}
