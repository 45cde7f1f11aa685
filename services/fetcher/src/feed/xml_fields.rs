//! A captured element: its text and markup as they accumulate, and the
//! model fields it fills (text constructs, people, dates, links and
//! categories) as feed readers fill them.

use super::*;
use std::borrow::Cow;

impl Parser {
    pub(super) fn text(&mut self, s: &str, raw_reference: bool) {
        if let Some(cap) = &mut self.capture {
            if raw_reference {
                cap.start_markup();
            }
            cap.text.push_str(s);
            if raw_reference {
                cap.markup.push_str(s);
            } else if cap.markup_live {
                escape_text_into(s, &mut cap.markup);
            }
        }
    }

    /// An RSS `<enclosure>`: a link and an enclosure of the entry.
    pub(super) fn enclosure(&mut self, e: &BytesStart, base: Option<&Url>) {
        let Some(url) = attr(e, "url") else {
            return;
        };
        let link = Link {
            rel: "enclosure".into(),
            mime: attr(e, "type"),
            href: resolve(base, &url),
            title: None,
            length: attr(e, "length"),
            hreflang: None,
        };
        let entry = self.entry.as_mut().expect("in entry");
        entry.enclosures.push((&link).into());
        entry.common.links.push(link);
    }

    /// A Media RSS `<media:thumbnail>` or `<media:content>` of the entry.
    pub(super) fn media(&mut self, e: &BytesStart, thumbnail: bool, base: Option<&Url>) {
        let Some(url) = attr(e, "url").filter(|u| !u.trim().is_empty()) else {
            return;
        };
        let media = Media {
            url: resolve(base, url.trim()),
            medium: attr(e, "medium"),
            mime: attr(e, "type"),
        };
        let entry = self.entry.as_mut().expect("in entry");
        let list = if thumbnail {
            &mut entry.media_thumbnail
        } else {
            &mut entry.media_content
        };
        if list.len() < MAX_MEDIA_PER_ENTRY {
            list.push(media);
        }
    }

    /// Whether the element just opened sits directly in one named `name`.
    pub(super) fn parent_is(&self, name: &str) -> bool {
        let n = self.stack.len();
        n >= 2 && self.stack[n - 2].name == name
    }

    /// CDF puts the link and the modification time in attributes.
    pub(super) fn cdf_attributes(&mut self, e: &BytesStart, base: Option<&Url>) {
        if self.feed.version != "cdf" {
            return;
        }
        if let Some(href) = attr(e, "href") {
            let href = resolve(base, &href);
            let target = self.target();
            target.link = Some(href.clone());
            target.links.push(Link {
                rel: "alternate".into(),
                mime: Some("text/html".into()),
                href,
                ..Link::default()
            });
        }
        if let Some(raw) = attr(e, "lastmod") {
            let target = self.target();
            target.updated_parsed = parse_date(&raw).map(to_rfc3339);
            target.updated = Some(raw);
        }
    }

    pub(super) fn atom_link(&mut self, e: &BytesStart, href: &str, base: Option<&Url>) {
        let rel = attr(e, "rel").unwrap_or_else(|| "alternate".into());
        let mime = attr(e, "type").or_else(|| match rel.as_str() {
            "self" => Some("application/atom+xml".into()),
            "alternate" => Some("text/html".into()),
            _ => None,
        });
        let link = Link {
            rel: rel.clone(),
            mime,
            hreflang: attr(e, "hreflang"),
            href: resolve(base, href),
            title: attr(e, "title"),
            length: attr(e, "length"),
        };
        if let Some(entry) = &mut self.entry
            && rel == "enclosure"
        {
            entry.enclosures.push((&link).into());
        }
        let is_page = link
            .mime
            .as_deref()
            .is_none_or(|t| matches!(t, "text/html" | "application/xhtml+xml"));
        let target = self.target();
        if rel == "alternate" && is_page && target.link.is_none() {
            target.link = Some(link.href.clone());
        }
        target.links.push(link);
    }

    pub(super) fn add_person(&mut self, person: Person, slot: PersonSlot, display: Option<String>) {
        let display = display.or_else(|| person.display());
        let target = self.target();
        match slot {
            PersonSlot::Author => {
                if target.author.is_none() {
                    target.author = display;
                    target.author_detail = Some(person.clone());
                }
                target.authors.push(person);
            }
            PersonSlot::Contributor => target.contributors.push(person),
            PersonSlot::Publisher => {
                if target.publisher.is_none() {
                    target.publisher = display;
                    target.publisher_detail = Some(person);
                }
            }
        }
    }

    pub(super) fn finish(&mut self, mut cap: Capture) {
        if let Field::Fallback(inner) = cap.field.clone() {
            let present = match *inner {
                Field::Title => self.target().title.is_some(),
                Field::Summary => self.entry.as_ref().is_none_or(|e| e.summary.is_some()),
                Field::Subtitle => self.feed.feed.subtitle.is_some(),
                _ => true,
            };
            if present {
                return;
            }
            cap.field = *inner;
        }
        // Double-encoded UTF-8 and stray C1 controls are repaired once the
        // element is whole: `&#226;&#128;&#166;` arrives as three references.
        if self.may_need_repair {
            if let Cow::Owned(text) = repair_text(&cap.text) {
                cap.text = text;
            }
            if cap.children
                && let Cow::Owned(markup) = repair_text(&cap.markup)
            {
                cap.markup = markup;
            }
        }
        let plain = cap.text.trim().to_string();
        match cap.field.clone() {
            Field::Title => {
                let t = self.text_construct(cap);
                let target = self.target();
                target.title = Some(t.value.clone());
                target.title_detail = Some(t);
            }
            Field::Subtitle => {
                let t = self.text_construct(cap);
                if self.entry.is_none() {
                    self.feed.feed.subtitle = Some(t.value.clone());
                    self.feed.feed.subtitle_detail = Some(t);
                }
            }
            Field::Rights => {
                let t = self.text_construct(cap);
                let target = self.target();
                target.rights = Some(t.value.clone());
                target.rights_detail = Some(t);
            }
            Field::Summary => {
                let t = self.text_construct(cap);
                if let Some(entry) = &mut self.entry {
                    if entry.summary.is_none() {
                        entry.summary = Some(t.value.clone());
                        entry.summary_detail = Some(t);
                    } else {
                        // A second description-like element is the full text.
                        entry.content.push(t);
                    }
                }
            }
            Field::Content => {
                let t = self.text_construct(cap);
                if let Some(entry) = &mut self.entry {
                    entry.content.push(t);
                }
            }
            Field::LinkText if !plain.is_empty() => {
                let href = resolve(cap.base.as_deref(), &plain);
                let target = self.target();
                if target.link.is_none() {
                    target.link = Some(href.clone());
                }
                target.links.push(Link {
                    rel: "alternate".into(),
                    mime: Some("text/html".into()),
                    href,
                    ..Link::default()
                });
            }
            Field::Id if !plain.is_empty() => {
                self.target().id = Some(resolve_relative(cap.base.as_deref(), plain));
            }
            Field::Guid { permalink } if !plain.is_empty() => {
                // A permalink guid is the item's URL, and stands in for a
                // missing link: a relative one needs its base, or the page
                // cannot be fetched. An opaque one (isPermaLink="false")
                // stays as written, so that its id survives a feed's move.
                let plain = if permalink {
                    resolve_relative(cap.base.as_deref(), plain)
                } else {
                    plain
                };
                if let Some(entry) = &mut self.entry {
                    entry.common.id = Some(plain);
                    entry.guidislink = permalink;
                } else {
                    self.feed.feed.common.id = Some(plain);
                }
            }
            Field::Date(slot) if !plain.is_empty() => {
                let parsed = parse_date(&plain).map(to_rfc3339);
                let target = self.target();
                let (raw, parsed_slot) = match slot {
                    DateSlot::Published => (&mut target.published, &mut target.published_parsed),
                    DateSlot::Updated => (&mut target.updated, &mut target.updated_parsed),
                    DateSlot::Created => (&mut target.created, &mut target.created_parsed),
                    DateSlot::Expired => (&mut target.expired, &mut target.expired_parsed),
                };
                // A later element of the same kind wins, as in readers.
                *raw = Some(plain);
                *parsed_slot = parsed;
            }
            Field::PersonText(slot) if !plain.is_empty() => {
                let person = person_from_text(&plain);
                self.add_person(person, slot, Some(plain));
            }
            Field::PersonName | Field::PersonEmail | Field::PersonUri if !plain.is_empty() => {
                let base = cap.base.clone();
                if let Some((person, _, _)) = &mut self.person {
                    match cap.field {
                        Field::PersonName => person.name = Some(plain),
                        Field::PersonEmail => person.email = Some(plain),
                        _ => person.href = Some(resolve(base.as_deref(), &plain)),
                    }
                }
            }
            Field::Language if !plain.is_empty() && self.entry.is_none() => {
                self.feed.feed.language = Some(plain);
            }
            Field::Generator if !plain.is_empty() => self.feed.feed.generator = Some(plain),
            Field::Ttl if !plain.is_empty() => self.feed.feed.ttl = Some(plain),
            // A week has 24 hours and 7 days to name; more is a broken feed.
            Field::SkipHour if self.feed.feed.skiphours.len() < 48 => {
                self.feed.feed.skiphours.push(plain)
            }
            Field::SkipDay if self.feed.feed.skipdays.len() < 14 => {
                self.feed.feed.skipdays.push(plain)
            }
            Field::Category { scheme } if !plain.is_empty() => {
                self.target().tags.push(Tag {
                    term: plain,
                    scheme,
                    label: None,
                });
            }
            Field::Comments if !plain.is_empty() => {
                let href = resolve(cap.base.as_deref(), &plain);
                if let Some(entry) = &mut self.entry {
                    entry.comments = Some(href);
                }
            }
            Field::ImageUrl | Field::ImageTitle | Field::ImageLink if !plain.is_empty() => {
                let base = cap.base.clone();
                let image = self.feed.feed.image.get_or_insert_with(|| Link {
                    rel: "image".into(),
                    ..Link::default()
                });
                match cap.field {
                    Field::ImageUrl => image.href = resolve(base.as_deref(), &plain),
                    Field::ImageTitle => image.title = Some(plain),
                    // The image's own link is the site; the feed link says that already.
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// Type, value, language and base of a text construct, with HTML
    /// sanitised and its URIs resolved.
    fn text_construct(&self, cap: Capture) -> Text {
        let declared = cap.mime.as_deref().map(|t| t.trim().to_ascii_lowercase());
        let mut mime = match declared.as_deref() {
            Some("text" | "text/plain" | "plain") => "text/plain".to_string(),
            Some("html" | "text/html") => "text/html".to_string(),
            Some("xhtml" | "application/xhtml+xml") => "application/xhtml+xml".to_string(),
            Some(other) if !other.is_empty() => other.to_string(),
            _ if cap.element == "xhtml:body" => "application/xhtml+xml".to_string(),
            _ if cap.atom => "text/plain".to_string(),
            _ if matches!(
                cap.element.as_str(),
                "description" | "content:encoded" | "summary" | "fullitem" | "body"
            ) =>
            {
                "text/html".to_string()
            }
            _ => "text/plain".to_string(),
        };
        let mut mode = cap.mode.as_deref().map(str::to_ascii_lowercase);
        // Atom 1.0: any type that is neither text nor XML is base64.
        if cap.atom && mode.is_none() && !mime.starts_with("text/") && !mime.contains("xml") {
            mode = Some("base64".into());
        }
        let mut value = if cap.children {
            if mime == "text/plain" {
                mime = "application/xhtml+xml".into();
            }
            // Atom 1.0 wraps xhtml in one div that is not content; 0.3 does not.
            if declared.as_deref() == Some("xhtml") {
                strip_wrapper_div(&cap.markup)
            } else {
                cap.markup.trim().to_string()
            }
        } else {
            cap.text.clone()
        };
        match mode.as_deref() {
            Some("base64") => {
                let compact: String = value.split_whitespace().collect();
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact) {
                    value = String::from_utf8_lossy(&bytes).into_owned();
                }
            }
            Some("escaped") if mime == "text/plain" && looks_like_html(&value) => {
                mime = "text/html".into();
            }
            _ => {}
        }
        if !cap.atom && mime == "text/plain" && looks_like_html(&value) {
            mime = "text/html".into();
        }
        let html = mime == "text/html" || mime == "application/xhtml+xml";
        let value = if html {
            sanitize_html(&value, cap.base.as_deref())
        } else {
            value
        };
        Text {
            value: value.trim().to_string(),
            mime,
            language: cap.lang,
            base: cap.base.map(|b| b.as_str().to_string()),
            src: cap.src,
        }
    }
}

/// Atom's xhtml content comes wrapped in one `<div>`; readers drop it.
fn strip_wrapper_div(markup: &str) -> String {
    let t = markup.trim();
    if let Some(rest) = t.strip_prefix("<div")
        && let Some(open_end) = rest.find('>')
        && let Some(inner) = rest[open_end + 1..].strip_suffix("</div>")
        && !inner.contains("<div")
    {
        return inner.to_string();
    }
    t.to_string()
}

/// "jo@example.org (Jo Bloggs)", "Jo Bloggs <jo@example.org>", "Jo Bloggs
/// (jo@example.org)", or just a name or an address.
fn person_from_text(s: &str) -> Person {
    static EMAIL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:mailto:)?([\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)").expect("valid regex")
    });
    let s = s.trim();
    let Some(m) = EMAIL.captures(s) else {
        return Person {
            name: Some(s.to_string()),
            ..Person::default()
        };
    };
    let email = m[1].to_string();
    let whole = m.get(0).expect("match");
    let rest = format!("{}{}", &s[..whole.start()], &s[whole.end()..]);
    let name = rest
        .replace("()", "")
        .replace("<>", "")
        .trim()
        .trim_matches(|c| matches!(c, '(' | ')' | '<' | '>'))
        .trim()
        .to_string();
    Person {
        name: (!name.is_empty()).then_some(name),
        email: Some(email),
        href: None,
    }
}

impl Capture {
    /// Until now the markup was the escaped text: write it out.
    pub(super) fn start_markup(&mut self) {
        if !self.markup_live {
            self.markup_live = true;
            escape_text_into(&self.text, &mut self.markup);
        }
    }
}

pub(super) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    escape_text_into(s, &mut out);
    out
}

fn escape_text_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}
