//! Dates as feeds write them, which is rarely as the specs say: RFC 822 with
//! named or missing zones, full month names, two-digit years and stray
//! commas; asctime; W3C/ISO 8601 with a space, fractions or parts missing;
//! and a few localised forms (Greek, Hungarian, Korean). A date that names
//! an impossible day or time is rejected, not guessed.

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
    parse_iso(&s)
        .or_else(|| parse_korean(&s))
        .or_else(|| parse_rfc822(&s))
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

fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    parse_iso_full(s).or_else(|| parse_iso_short(s))
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

fn parse_iso_short(s: &str) -> Option<DateTime<Utc>> {
    let c = ISO_SHORT.captures(s)?;
    let year = 2000 + c["y"].parse::<i32>().ok()?;
    assemble(year, c["m"].parse().ok()?, c["d"].parse().ok()?, 0, 0, 0, 0)
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
        let lower = token.to_ascii_lowercase();
        if i == 0 && is_weekday(&lower) {
            continue;
        }
        if let Some(m) = month_number(&lower) {
            if month.replace(m).is_some() {
                return None;
            }
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
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
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

fn is_weekday(lower: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    lower.len() >= 3
        && DAYS.iter().any(|d| lower.starts_with(d))
        && lower.chars().all(|c| c.is_ascii_alphabetic())
}

fn month_number(lower: &str) -> Option<u32> {
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
