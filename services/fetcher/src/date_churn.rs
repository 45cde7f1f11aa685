//! Feeds that rewrite their items' dates at every answer. An item is new
//! to a feed when its headline or its `updated` date changes (a story its
//! source revised), but some feeds stamp every item with the time of the
//! request: each poll then finds every item changed and has every page
//! fetched again, and the learned interval, seeing news each time, stays
//! at its floor. A feed whose known items nearly all change, two polls in a
//! row, has its dates ignored from then on: its items are new by their
//! headlines alone. A small feed (two to four known items) is judged on
//! all of them, changed at four polls in a row (since round 65; before,
//! it was never judged, and had every page fetched at every poll).

use chrono::{DateTime, Utc};

use crate::state::{FeedState, item_fingerprint};

/// Known items that must have changed in one poll, at least, and their
/// share of the known items, for the poll to look like a rewrite.
const MIN_CHANGED: usize = 5;
const MIN_CHANGED_PERCENT: usize = 80;
/// Such polls in a row before the dates are ignored: a site that moved
/// its feed to a new system changes every date once.
const POLLS_TO_CONFIRM: u8 = 2;
/// A feed that lists fewer known items than `MIN_CHANGED`, but two at
/// least, looks rewritten when every one of them changed, and so many such
/// polls in a row are asked: a few revised stories seldom all change at
/// every poll.
const SMALL_POLLS_TO_CONFIRM: u8 = 4;
const MIN_KNOWN_SMALL: usize = 2;

/// An item's fingerprint: its headline and, unless the feed's dates are
/// ignored, its `updated` date.
pub fn fingerprint(
    title: &Option<String>,
    updated: &Option<DateTime<Utc>>,
    ignore_dates: bool,
) -> u64 {
    let updated = if ignore_dates { &None } else { updated };
    item_fingerprint(&format!("{title:?}{updated:?}"))
}

/// What one poll saw of the items the feed had before: how many it lists
/// again, and how many of those changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub known: usize,
    pub changed: usize,
}

impl Seen {
    /// When the poll looks like a rewrite: how many such polls in a row
    /// make the dates ignored.
    fn polls_to_confirm(self) -> Option<u8> {
        if self.changed >= MIN_CHANGED && self.changed * 100 >= self.known * MIN_CHANGED_PERCENT {
            Some(POLLS_TO_CONFIRM)
        } else if self.known >= MIN_KNOWN_SMALL && self.changed == self.known {
            Some(SMALL_POLLS_TO_CONFIRM)
        } else {
            None
        }
    }
}

impl FeedState {
    /// Note what a poll saw; true when it is the poll that makes the feed's
    /// dates ignored (its known items are then taken as they are, not
    /// fetched again).
    pub fn note_rewritten_dates(&mut self, seen: Seen) -> bool {
        if self.ignores_updated {
            return false;
        }
        let Some(needed) = seen.polls_to_confirm() else {
            self.rewritten_polls = 0;
            return false;
        };
        self.rewritten_polls = self.rewritten_polls.saturating_add(1);
        if self.rewritten_polls < needed {
            return false;
        }
        self.ignores_updated = true;
        self.rewritten_polls = 0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_polls_that_change_nearly_every_known_item_make_the_dates_ignored() {
        let mut st = FeedState::default();
        let all = Seen {
            known: 20,
            changed: 20,
        };
        assert!(!st.note_rewritten_dates(all), "one poll is a migration");
        assert!(
            !st.note_rewritten_dates(Seen {
                known: 20,
                changed: 3
            }),
            "a few revised stories"
        );
        assert!(!st.note_rewritten_dates(all), "the count starts again");
        assert!(st.note_rewritten_dates(Seen {
            known: 20,
            changed: 16
        }));
        assert!(st.ignores_updated);
        assert!(!st.note_rewritten_dates(all), "once");
        // A small feed: every known item changed, four polls in a row.
        let mut small = FeedState::default();
        let every = Seen {
            known: 3,
            changed: 3,
        };
        for _ in 0..3 {
            assert!(!small.note_rewritten_dates(every));
        }
        assert!(!small.note_rewritten_dates(Seen {
            known: 3,
            changed: 2
        }));
        for _ in 0..3 {
            assert!(!small.note_rewritten_dates(every), "the count starts again");
        }
        assert!(small.note_rewritten_dates(every));
        // One item alone is too few to tell.
        let mut single = FeedState::default();
        for _ in 0..10 {
            assert!(!single.note_rewritten_dates(Seen {
                known: 1,
                changed: 1
            }));
        }
    }

    #[test]
    fn an_ignored_date_leaves_the_headline_to_tell_items_apart() {
        let title = Some("Quake".to_string());
        let (a, b) = (Some(DateTime::UNIX_EPOCH), Some(Utc::now()));
        assert_ne!(
            fingerprint(&title, &a, false),
            fingerprint(&title, &b, false)
        );
        assert_eq!(fingerprint(&title, &a, true), fingerprint(&title, &b, true));
        assert_ne!(
            fingerprint(&title, &a, true),
            fingerprint(&Some("Quake toll rises".into()), &a, true)
        );
        // The fingerprint is the one feeds were remembered by before.
        assert_eq!(
            fingerprint(&title, &a, false),
            item_fingerprint(&format!("{title:?}{a:?}"))
        );
    }
}
