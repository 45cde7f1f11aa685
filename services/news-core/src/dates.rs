//! Dates as feeds and pages write them, which is rarely as the specs say: RFC 822 with
//! named or missing zones, full month names, two-digit years and stray
//! commas; asctime; W3C/ISO 8601 with a space, fractions or parts missing;
//! JavaScript's `Date.toString()`; day-first dates with dots; and localised
//! forms (Greek, Hungarian, Korean, Chinese and Japanese 年月日, and month
//! and weekday names in seven European languages). A date that names an
//! impossible day or time is rejected, not guessed.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use regex::Regex;

/// Parse a feed date into UTC. `None` when no reading is certain.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    let s = translate(s);
    let s = without_zone_name(&s);
    parse_iso(s)
        .or_else(|| parse_korean(s))
        .or_else(|| parse_han(s))
        .or_else(|| parse_rfc822(s))
        .or_else(|| parse_rfc822(after_foreign_weekday(s)?))
}

/// JavaScript's `Date.toString()` names the zone in brackets after its
/// offset: "Wed Apr 03 2024 07:58:00 GMT+0800 (China Standard Time)".
fn without_zone_name(s: &str) -> &str {
    match s.rfind('(') {
        Some(open) if s.ends_with(')') && open > 0 => s[..open].trim_end(),
        _ => s,
    }
}

/// RFC 3339 in UTC with whole seconds, as the model stores it.
pub fn to_rfc3339(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Localised month and weekday names, mapped to English.
const FOREIGN: &[(&str, &str)] = &[
    // Greek months and weekdays
    ("Ιαν", "Jan"),
    ("Φεβ", "Feb"),
    ("Μάώ", "Mar"),
    ("Μαώ", "Mar"),
    ("Απρ", "Apr"),
    ("Μάι", "May"),
    ("Μαϊ", "May"),
    ("Μαι", "May"),
    ("Ιούν", "Jun"),
    ("Ιον", "Jun"),
    ("Ιούλ", "Jul"),
    ("Ιολ", "Jul"),
    ("Αύγ", "Aug"),
    ("Αυγ", "Aug"),
    ("Σεπ", "Sep"),
    ("Οκτ", "Oct"),
    ("Νοέ", "Nov"),
    ("Νοε", "Nov"),
    ("Δεκ", "Dec"),
    ("Κυρ", "Sun"),
    ("Δευ", "Mon"),
    ("Τρι", "Tue"),
    ("Τετ", "Wed"),
    ("Πεμ", "Thu"),
    ("Παρ", "Fri"),
    ("Σαβ", "Sat"),
    // Hungarian months
    ("január", "01"),
    ("február", "02"),
    ("március", "03"),
    ("április", "04"),
    ("május", "05"),
    ("június", "06"),
    ("július", "07"),
    ("augusztus", "08"),
    ("szeptember", "09"),
    ("október", "10"),
    ("november", "11"),
    ("december", "12"),
];

fn translate(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = s.to_string();
    for (from, to) in FOREIGN {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^
        (?P<y>\d{4}) (?: -? (?P<m>0?\d{2}) (?: -? (?P<d>\d{2}) )? )?
        (?: [T\x20]+ (?P<H>\d{1,2}) :? (?P<M>\d{2}) (?: :? (?P<S>\d{2}) (?:[.,]\d+)? )?
            \s* (?P<z> Z | [+-]\d{2} (?: :? \d{2} )? )? )? $",
    )
    .expect("valid regex")
});

/// Two-digit-year ISO forms that some generators still write.
static ISO_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<y>\d{2})-?(?P<m>\d{2})-?(?P<d>\d{2})$").expect("valid regex")
});

/// ISO 8601's other dates without a time: a month with a two-digit year
/// ("-03-12", December 2003) and a day of the year ("2003-335", "03-335").
/// Five bare digits ("03335") are no certain date: W3C-DTF, which feeds
/// follow, has no such form, and feedparser's own two parsers disagree.
static ISO_MONTH_OR_ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:-(?P<yy>\d{2})-?(?P<m>\d{2})|(?P<y>\d{2}-|\d{4}-?)(?P<o>\d{3}))$")
        .expect("valid regex")
});

fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    parse_iso_full(s)
        .or_else(|| parse_iso_short(s))
        .or_else(|| parse_iso_month_or_ordinal(s))
}

fn parse_iso_full(s: &str) -> Option<DateTime<Utc>> {
    {
        let c = ISO.captures(s)?;
        let num = |k: &str| c.name(k).map(|m| m.as_str().parse::<u32>().ok());
        let year: i32 = c["y"].parse().ok()?;
        let month = num("m").unwrap_or(Some(1))?;
        let day = num("d").unwrap_or(Some(1))?;
        let hour = num("H").unwrap_or(Some(0))?;
        let minute = num("M").unwrap_or(Some(0))?;
        let second = num("S").unwrap_or(Some(0))?;
        let offset = match c.name("z").map(|m| m.as_str()) {
            None | Some("Z") => 0,
            Some(z) => numeric_offset(z)?,
        };
        assemble(year, month, day, hour, minute, second, offset)
    }
}

/// An ISO date's year: two digits are this century's (as feedparser reads
/// them), four are the year.
fn iso_year(digits: &str) -> Option<i32> {
    let n: i32 = digits.parse().ok()?;
    Some(if digits.len() == 2 { 2000 + n } else { n })
}

fn parse_iso_short(s: &str) -> Option<DateTime<Utc>> {
    let c = ISO_SHORT.captures(s)?;
    assemble(
        iso_year(&c["y"])?,
        c["m"].parse().ok()?,
        c["d"].parse().ok()?,
        0,
        0,
        0,
        0,
    )
}

fn parse_iso_month_or_ordinal(s: &str) -> Option<DateTime<Utc>> {
    let c = ISO_MONTH_OR_ORDINAL.captures(s)?;
    if let Some(yy) = c.name("yy") {
        return assemble(iso_year(yy.as_str())?, c["m"].parse().ok()?, 1, 0, 0, 0, 0);
    }
    let year = iso_year(c["y"].trim_end_matches('-'))?;
    let day = NaiveDate::from_yo_opt(year, c["o"].parse().ok()?)?;
    Some(day.and_time(NaiveTime::MIN).and_utc())
}

/// "2004년 05월 28일 01:31:15" and "2004-05-25 오후 11:23:17", in KST.
fn parse_korean(s: &str) -> Option<DateTime<Utc>> {
    static KO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(\d{4})(?:년|-)\s*(\d{1,2})(?:월|-)\s*(\d{1,2})일?\s+(오전|오후)?\s*(\d{1,2}):(\d{2}):(\d{2})$",
        )
        .expect("valid regex")
    });
    let c = KO.captures(s)?;
    let mut hour: u32 = c[5].parse().ok()?;
    match c.get(4).map(|m| m.as_str()) {
        Some("오후") if hour < 12 => hour += 12,
        Some("오전") if hour == 12 => hour = 0,
        _ => {}
    }
    assemble(
        c[1].parse().ok()?,
        c[2].parse().ok()?,
        c[3].parse().ok()?,
        hour,
        c[6].parse().ok()?,
        c[7].parse().ok()?,
        9 * 3600,
    )
}

/// "2024年4月3日", "2024年04月03日 07:58" and "2024年4月3日 7時58分", as
/// Chinese and Japanese feeds write dates. No zone is given, so it is UTC,
/// as for an ISO date without one.
fn parse_han(s: &str) -> Option<DateTime<Utc>> {
    static HAN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日\s*(?:(\d{1,2})[:時时](\d{1,2})分?(?:[:：]?(\d{1,2})秒?)?)?$",
        )
        .expect("valid regex")
    });
    let c = HAN.captures(s)?;
    let num = |i: usize| c.get(i).map_or(Some(0), |m| m.as_str().parse().ok());
    assemble(
        c[1].parse().ok()?,
        c[2].parse().ok()?,
        c[3].parse().ok()?,
        num(4)?,
        num(5)?,
        num(6)?,
        0,
    )
}

/// The date without its first word when that word is a weekday in
/// German, French, Spanish, Italian, Portuguese or Dutch ("Mi,", "mer.",
/// "mié"); tried after the whole date fails, since "Mar 3 2024" is March.
fn after_foreign_weekday(s: &str) -> Option<&str> {
    const WEEKDAYS: &[&str] = &[
        "mo", "di", "mi", "do", "fr", "sa", "so", "lun", "mar", "mer", "jeu", "ven", "sam", "dim",
        "mié", "mie", "jue", "vie", "sáb", "sab", "dom", "gio", "seg", "ter", "qua", "qui", "sex",
        "ma", "wo", "vr", "za", "zo",
    ];
    let (first, rest) = s.split_once(char::is_whitespace)?;
    let word = first.trim_end_matches([',', '.']).to_lowercase();
    WEEKDAYS.contains(&word.as_str()).then_some(rest)
}

/// RFC 822 and its relatives, read token by token so the order of day,
/// month, year, time and zone may vary (asctime puts the year last).
fn parse_rfc822(s: &str) -> Option<DateTime<Utc>> {
    let cleaned = s.replace(',', " ");
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut offset = None;
    for (i, token) in cleaned.split_whitespace().enumerate() {
        let lower = token.to_lowercase();
        if i == 0 && is_weekday(&lower) {
            continue;
        }
        // "3 de abril de 2024 às 07:58", "03. April 2024 um 07:58 Uhr";
        // after the time, "AT" is a zone (Atlantic Time).
        let zone_next = time.is_some() && offset.is_none() && zone_offset(token).is_some();
        if FILLERS.contains(&lower.as_str()) && !zone_next {
            continue;
        }
        if let Some(m) = month_number(lower.trim_end_matches('.')) {
            if month.replace(m).is_some() {
                return None;
            }
        } else if let Some((y, m, d)) = dotted_date(token) {
            if year.replace(y).is_some() {
                return None;
            }
            month = Some(m);
            day = Some(d);
        } else if matches!(lower.as_str(), "am" | "a.m." | "pm" | "p.m.") {
            let (h, m, sec) = time?;
            if !(1..=12).contains(&h) {
                return None;
            }
            let h = h % 12 + if lower.starts_with('p') { 12 } else { 0 };
            time = Some((h, m, sec));
        } else if token.contains('/') && !lower.starts_with("etc/") {
            let parts: Vec<u32> = token
                .split('/')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let [y, m, d] = parts[..] else { return None };
            year = Some(y as i32);
            month = Some(m);
            day = Some(d);
        } else if token.contains(':') && time.is_none() && token.chars().next()?.is_ascii_digit() {
            let parts: Vec<u32> = token
                .split(':')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            time = match parts[..] {
                [h, m] => Some((h, m, 0)),
                [h, m, sec] => Some((h, m, sec)),
                _ => return None,
            };
        } else if let Some(token) = token
            .strip_suffix('.')
            .filter(|t| !t.is_empty() && t.len() <= 2)
            .or(Some(token))
            .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
        {
            let n: i32 = token.parse().ok()?;
            if day.is_none() && token.len() <= 2 && year.is_none() {
                day = Some(n as u32);
            } else if year.is_none() {
                year = Some(match token.len() {
                    1 | 2 if n < 70 => 2000 + n,
                    1 | 2 => 1900 + n,
                    _ => n,
                });
            } else {
                return None;
            }
        } else if offset.is_none() && time.is_some() {
            offset = Some(zone_offset(token)?);
        } else if is_weekday(&lower) {
            continue;
        } else {
            return None;
        }
    }
    let (h, m, sec) = time.unwrap_or((0, 0, 0));
    assemble(year?, month?, day?, h, m, sec, offset.unwrap_or(0))
}

/// Words between the parts of a date, in the languages of `FOREIGN_MONTHS`.
const FILLERS: &[&str] = &[
    "de", "del", "às", "a", "à", "um", "uhr", "at", "г.", "г", "om",
];

/// "03.04.2024" (day first, as Europe writes it) or "2024.04.03" (year
/// first, as Korea and Hungary do): only with a four-digit year, so that
/// nothing else reads as a date.
fn dotted_date(token: &str) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = token.trim_end_matches('.').split('.').collect();
    let [a, b, c] = parts[..] else { return None };
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    match (a.len(), c.len()) {
        (4, 1..=2) => Some((a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)),
        (1..=2, 4) => Some((c.parse().ok()?, b.parse().ok()?, a.parse().ok()?)),
        _ => None,
    }
}

fn is_weekday(lower: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    lower.len() >= 3
        && DAYS.iter().any(|d| lower.starts_with(d))
        && lower.chars().all(|c| c.is_ascii_alphabetic())
}

fn month_number(lower: &str) -> Option<u32> {
    if let Some(&(_, m)) = FOREIGN_MONTHS.iter().find(|(name, _)| *name == lower) {
        return Some(m);
    }
    if lower.len() < 3 || !lower.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let i = MONTHS.iter().position(|m| lower.starts_with(m))?;
    // "january" and "jan" both count; "janx" does not.
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (lower.len() == 3 || FULL[i].starts_with(lower) || lower == "sept").then_some(i as u32 + 1)
}

/// Month names and their usual abbreviations in German, French, Spanish,
/// Italian, Portuguese, Dutch and Russian (genitive, as a date writes
/// it), where they differ from English's first three letters.
#[rustfmt::skip]
const FOREIGN_MONTHS: &[(&str, u32)] = &[
    ("januar", 1), ("janvier", 1), ("janv", 1), ("enero", 1), ("ene", 1), ("gennaio", 1),
    ("gen", 1), ("janeiro", 1), ("januari", 1), ("января", 1),
    ("februar", 2), ("février", 2), ("févr", 2), ("fevr", 2), ("febrero", 2), ("febbraio", 2),
    ("fevereiro", 2), ("fev", 2), ("februari", 2), ("февраля", 2),
    ("märz", 3), ("mär", 3), ("mrz", 3), ("mars", 3), ("marzo", 3), ("março", 3), ("maart", 3),
    ("mrt", 3), ("марта", 3),
    ("avril", 4), ("avr", 4), ("abril", 4), ("abr", 4), ("aprile", 4), ("апреля", 4),
    ("mai", 5), ("mayo", 5), ("maggio", 5), ("mag", 5), ("maio", 5), ("mei", 5), ("мая", 5),
    ("juni", 6), ("juin", 6), ("junio", 6), ("giugno", 6), ("giu", 6), ("junho", 6),
    ("июня", 6),
    ("juli", 7), ("juillet", 7), ("juil", 7), ("julio", 7), ("luglio", 7), ("lug", 7),
    ("julho", 7), ("июля", 7),
    ("août", 8), ("aout", 8), ("agosto", 8), ("ago", 8), ("augustus", 8), ("августа", 8),
    ("septembre", 9), ("septiembre", 9), ("settembre", 9), ("set", 9), ("setembro", 9),
    ("сентября", 9),
    ("oktober", 10), ("okt", 10), ("octobre", 10), ("octubre", 10), ("ottobre", 10),
    ("ott", 10), ("outubro", 10), ("out", 10), ("октября", 10),
    ("novembre", 11), ("noviembre", 11), ("novembro", 11), ("ноября", 11),
    ("dezember", 12), ("dez", 12), ("décembre", 12), ("déc", 12), ("diciembre", 12),
    ("dic", 12), ("dicembre", 12), ("dezembro", 12), ("декабря", 12),
];

/// A zone as seconds east of UTC: numeric, "GMT+hh:mm", or a common name.
fn zone_offset(token: &str) -> Option<i32> {
    let upper = token.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("ETC/")
        .unwrap_or(&upper)
        .trim_start_matches("GMT")
        .trim_start_matches("UTC");
    if rest.is_empty() {
        return Some(0);
    }
    if rest.starts_with(['+', '-']) {
        return numeric_offset(rest);
    }
    let hours = match rest {
        "UT" | "Z" | "WET" => 0,
        "AT" | "ADT" | "EDT" => -4,
        "AST" => -4,
        "ET" | "EST" | "CDT" => -5,
        "CT" | "CST" | "MDT" => -6,
        "MT" | "MST" | "PDT" => -7,
        "PT" | "PST" => -8,
        "AKST" => -9,
        "HST" => -10,
        "BST" | "CET" | "MET" | "WEST" => 1,
        "CEST" | "MEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "IST" => return Some(5 * 3600 + 1800),
        "JST" | "KST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        "NZST" => 12,
        "NZDT" => 13,
        _ => return None,
    };
    Some(hours * 3600)
}

fn numeric_offset(z: &str) -> Option<i32> {
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

fn assemble(
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset_secs: i32,
) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_opt(hour, minute, second)?;
    let local = NaiveDateTime::new(date, time);
    Some((local - Duration::seconds(offset_secs as i64)).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<String> {
        parse_date(s).map(to_rfc3339)
    }

    #[test]
    fn rfc822_variants() {
        assert_eq!(
            utc("Thu, 01 Jan 2004 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21Z")
        );
        assert_eq!(
            utc("Thu, 01 Jan 04 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21Z")
        );
        assert_eq!(
            utc("Mon, 26 January 2004 16:31:00 ET").as_deref(),
            Some("2004-01-26T21:31:00Z")
        );
        // "AT" after the time is Atlantic Time, not the word "at".
        assert_eq!(
            utc("Mon, 26 January 2004 16:31:00 AT").as_deref(),
            Some("2004-01-26T20:31:00Z")
        );
        assert_eq!(
            utc("Mon, 13 Feb, 2012 06:28:00 UTC").as_deref(),
            Some("2012-02-13T06:28:00Z")
        );
        assert_eq!(
            utc("Wed, 19 Feb 2012 22:40:00 GMT-01:01").as_deref(),
            Some("2012-02-19T23:41:00Z")
        );
        assert_eq!(
            utc("Thu, 01 Jan 2004").as_deref(),
            Some("2004-01-01T00:00:00Z")
        );
        assert_eq!(
            utc("Sun Jan  4 16:29:06 2004").as_deref(),
            Some("2004-01-04T16:29:06Z")
        );
        assert_eq!(
            utc("Thu Aug 30 2012 17:26:16 +0200").as_deref(),
            Some("2012-08-30T15:26:16Z")
        );
    }

    #[test]
    fn iso_variants() {
        assert_eq!(
            utc("2003-12-31T10:14:55-08:00").as_deref(),
            Some("2003-12-31T18:14:55Z")
        );
        assert_eq!(
            utc("2007-04-23T23:25:47.538+10:00").as_deref(),
            Some("2007-04-23T13:25:47Z")
        );
        assert_eq!(
            utc("2004-07-08 23:56:58").as_deref(),
            Some("2004-07-08T23:56:58Z")
        );
        assert_eq!(utc("2003-12").as_deref(), Some("2003-12-01T00:00:00Z"));
        for month in ["-0312", "-03-12"] {
            assert_eq!(utc(month).as_deref(), Some("2003-12-01T00:00:00Z"));
        }
        for ordinal in ["03-335", "2003335", "2003-335"] {
            assert_eq!(utc(ordinal).as_deref(), Some("2003-12-01T00:00:00Z"));
        }
        assert_eq!(utc("03335"), None);
        assert_eq!(utc("2004-366").as_deref(), Some("2004-12-31T00:00:00Z"));
        assert_eq!(utc("2003-366"), None);
        assert_eq!(utc("-0313"), None);
        assert_eq!(
            utc("20040708T235658Z").as_deref(),
            Some("2004-07-08T23:56:58Z")
        );
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for bad in [
            "Sun, 99 Jun 2009 12:00:00 GMT",
            "Sun, 16 zzz 2012 11:47:32 GMT",
            "2003-12-31T25:14:55Z",
            "2013-01-28T11:30:00-06:00Textra",
            "Sun, 16 Dec 2012 1:2:3:4 GMT",
            "2013-01-27-01",
            "",
            "soon",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_as_other_generators_and_languages_write_them() {
        for (raw, want) in [
            // JavaScript's Date.toString()
            (
                "Wed Apr 03 2024 07:58:00 GMT+0800 (China Standard Time)",
                "2024-04-02T23:58:00Z",
            ),
            ("2024年04月03日 07:58", "2024-04-03T07:58:00Z"),
            ("2024年4月3日 7時58分", "2024-04-03T07:58:00Z"),
            ("2024年4月3日", "2024-04-03T00:00:00Z"),
            ("03.04.2024 07:58", "2024-04-03T07:58:00Z"),
            ("2024.04.03 07:58", "2024-04-03T07:58:00Z"),
            ("Mi, 03 Apr 2024 07:58:00 +0200", "2024-04-03T05:58:00Z"),
            ("mer., 03 avr. 2024 07:58:00 +0200", "2024-04-03T05:58:00Z"),
            ("mar, 02 mars 2024 07:58:00 +0100", "2024-03-02T06:58:00Z"),
            ("3 de abril de 2024 às 07:58", "2024-04-03T07:58:00Z"),
            ("03. März 2024 um 07:58 Uhr", "2024-03-03T07:58:00Z"),
            ("3 апреля 2024 г.", "2024-04-03T00:00:00Z"),
            ("April 3, 2024 7:58 pm", "2024-04-03T19:58:00Z"),
            ("April 3, 2024 12:05 am", "2024-04-03T00:05:00Z"),
            // Still March, in English, with the month first.
            ("Mar 3 2024 07:58", "2024-03-03T07:58:00Z"),
        ] {
            assert_eq!(utc(raw).as_deref(), Some(want), "{raw}");
        }
        for bad in [
            "2024.13.03",
            "1.2.3",
            "13:05 pm",
            "April 3, 2024 pm 7:58",
            "2024年13月3日",
            "xx, 03 Apr 2024",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn localised_forms() {
        assert_eq!(
            utc("Κυρ, 11 Ιούλ 2004 12:00:00 EST").as_deref(),
            Some("2004-07-11T17:00:00Z")
        );
        assert_eq!(
            utc("2004년 05월 28일  01:31:15").as_deref(),
            Some("2004-05-27T16:31:15Z")
        );
        assert_eq!(
            utc("2004-05-25 오후 11:23:17").as_deref(),
            Some("2004-05-25T14:23:17Z")
        );
    }
}
