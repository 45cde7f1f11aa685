//! What a feed says of its own schedule: RSS `<ttl>` (how long its answer
//! may be cached) and `<skipHours>` / `<skipDays>` (when its publisher asks
//! readers not to poll). A poll sooner than that spends the publisher's
//! bandwidth on an answer it told us would not change.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::feed::FeedMeta;

/// The longest ttl taken as written (a week); `fetcher.poll_max` bounds it
/// further when it is used.
const MAX_TTL_SECS: u64 = 7 * 24 * 3600;

/// Seconds spread over the first allowed hour, so that feeds skipping the
/// same night are not all due at its last second.
const SPREAD_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleHints {
    /// `<ttl>` in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_secs: Option<u64>,
    /// Bit `h` set: the feed asks readers to skip hour `h` (UTC).
    #[serde(default, skip_serializing_if = "news_core::messages::is_zero")]
    pub skip_hours: u32,
    /// Bit `d` set: the feed asks readers to skip weekday `d` (0 = Monday).
    #[serde(default, skip_serializing_if = "news_core::messages::is_zero")]
    pub skip_days: u8,
}

const ALL_HOURS: u32 = (1 << 24) - 1;
const ALL_DAYS: u8 = (1 << 7) - 1;
const DAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl ScheduleHints {
    /// The hints a parsed feed gives. Values that do not read (a ttl of
    /// "soon", hour 25, "Funday") are ignored, and so is a skip list that
    /// leaves no hour of the week to poll in, which cannot be meant.
    pub fn of(feed: &FeedMeta) -> ScheduleHints {
        let ttl_secs = feed
            .ttl
            .as_deref()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .filter(|&minutes| minutes > 0)
            .map(|minutes| minutes.saturating_mul(60).min(MAX_TTL_SECS));
        let mut skip_hours = 0u32;
        for hour in &feed.skiphours {
            // RSS 0.91 counted hours 1 to 24; 24 is midnight.
            if let Ok(h) = hour.trim().parse::<u32>()
                && h <= 24
            {
                skip_hours |= 1 << (h % 24);
            }
        }
        let mut skip_days = 0u8;
        for day in &feed.skipdays {
            let day = day.trim().to_ascii_lowercase();
            if day.len() >= 3
                && let Some(d) = DAY_NAMES.iter().position(|name| name.starts_with(&day))
            {
                skip_days |= 1 << d;
            }
        }
        if skip_hours == ALL_HOURS || skip_days == ALL_DAYS {
            skip_hours = 0;
            skip_days = 0;
        }
        ScheduleHints {
            ttl_secs,
            skip_hours,
            skip_days,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ScheduleHints::default()
    }

    fn skips(&self, t: DateTime<Utc>) -> bool {
        self.skip_hours & (1 << t.hour()) != 0
            || self.skip_days & (1 << t.weekday().num_days_from_monday()) != 0
    }

    /// The first moment from `at` (Unix seconds) in an hour the feed does
    /// not ask readers to skip: `at` itself when it is in one, else the
    /// start of the next such hour plus a few minutes' spread.
    pub fn first_allowed(&self, at: i64) -> i64 {
        let Some(mut t) = DateTime::from_timestamp(at, 0) else {
            return at;
        };
        if !self.skips(t) {
            return at;
        }
        // At most a week of hours: `of` leaves at least one hour unskipped.
        for _ in 0..24 * 7 {
            let next_hour = (t.timestamp() / 3600 + 1) * 3600;
            let Some(next) = DateTime::from_timestamp(next_hour, 0) else {
                return at;
            };
            t = next;
            if !self.skips(t) {
                return next_hour + at.rem_euclid(SPREAD_SECS);
            }
        }
        at
    }

    /// The hints as `newsmill feeds list` shows them: `ttl` in minutes, the
    /// skipped hours and days by name.
    pub fn describe(&self) -> ScheduleView {
        ScheduleView {
            ttl_minutes: self.ttl_secs.map(|ttl| ttl / 60),
            skip_hours: (0..24)
                .filter(|h| self.skip_hours & (1 << h) != 0)
                .collect(),
            skip_days: (0..7)
                .filter(|d| self.skip_days & (1 << d) != 0)
                .map(|d| DAY_NAMES[d])
                .collect(),
        }
    }
}

/// A feed's schedule hints as `newsmill feeds list` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_minutes: Option<u64>,
    /// Hours of the day (UTC).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skip_hours: Vec<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skip_days: Vec<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(ttl: Option<&str>, hours: &[&str], days: &[&str]) -> FeedMeta {
        FeedMeta {
            ttl: ttl.map(str::to_string),
            skiphours: hours.iter().map(|h| h.to_string()).collect(),
            skipdays: days.iter().map(|d| d.to_string()).collect(),
            ..FeedMeta::default()
        }
    }

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn hints_read_what_the_feed_wrote_and_ignore_what_does_not_read() {
        let h = ScheduleHints::of(&feed(
            Some(" 60 "),
            &["0", "1", "24", "25", "x"],
            &["Sunday", "sat", "Funday", "s"],
        ));
        assert_eq!(h.ttl_secs, Some(3600));
        assert_eq!(h.skip_hours, 0b11);
        assert_eq!(h.skip_days, (1 << 6) | (1 << 5));
        assert_eq!(ScheduleHints::of(&feed(Some("0"), &[], &[])).ttl_secs, None);
        assert_eq!(
            ScheduleHints::of(&feed(Some("soon"), &[], &[])).ttl_secs,
            None
        );
        assert_eq!(
            ScheduleHints::of(&feed(Some("99999999999"), &[], &[])).ttl_secs,
            Some(MAX_TTL_SECS)
        );
        let every_hour: Vec<String> = (0..24).map(|h| h.to_string()).collect();
        let every_hour: Vec<&str> = every_hour.iter().map(String::as_str).collect();
        assert!(ScheduleHints::of(&feed(None, &every_hour, &[])).is_empty());
        let week = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        assert!(ScheduleHints::of(&feed(None, &["3"], &week)).is_empty());
    }

    #[test]
    fn a_poll_in_a_skipped_hour_moves_to_the_next_allowed_one() {
        let h = ScheduleHints::of(&feed(None, &["0", "1", "2", "3", "4", "5"], &["Sunday"]));
        // Friday 2024-06-07 10:30 UTC is allowed.
        assert_eq!(
            h.first_allowed(at("2024-06-07T10:30:00Z")),
            at("2024-06-07T10:30:00Z")
        );
        // Friday 02:10 moves to 06:00 and a spread under five minutes.
        let moved = h.first_allowed(at("2024-06-07T02:10:00Z"));
        assert!(moved >= at("2024-06-07T06:00:00Z") && moved < at("2024-06-07T06:05:00Z"));
        // Saturday 23:30 is allowed; Sunday is skipped whole, then Monday's night.
        assert_eq!(
            h.first_allowed(at("2024-06-08T23:30:00Z")),
            at("2024-06-08T23:30:00Z")
        );
        let moved = h.first_allowed(at("2024-06-09T10:00:00Z"));
        assert!(moved >= at("2024-06-10T06:00:00Z") && moved < at("2024-06-10T06:05:00Z"));
        assert_eq!(ScheduleHints::default().first_allowed(12345), 12345);
    }

    #[test]
    fn the_description_names_hours_and_days() {
        let h = ScheduleHints::of(&feed(Some("90"), &["23"], &["Monday"]));
        assert_eq!(
            serde_json::to_value(h.describe()).unwrap(),
            serde_json::json!({"ttl_minutes": 90, "skip_hours": [23], "skip_days": ["monday"]})
        );
    }
}
