//! A stage whose state is the whole stream's (dedup) must read every
//! partition of its input: a second instance in its consumer group takes
//! some of them, and each instance then decides its share against a state
//! that lacks the other's decisions (stories split, and a standby that holds
//! nothing goes stale). Kafka gives no error for it, so the runner watches
//! the assignment, exports what is missing and says so in the log.

use std::time::{Duration, Instant};

use crate::bus::PartitionsHeld;

/// How long partitions must stay missing before it is reported, in
/// session timeouts: a rebalance revokes every partition for a moment, and
/// an instance that restarts after a crash holds nothing until its dead
/// predecessor's session expires.
const REPORT_AFTER_SESSIONS: u32 = 2;

/// What the log should say after an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Partitions have been missing for twice the session timeout.
    Shared(PartitionsHeld),
    /// Every partition is held again, after a `Shared`.
    Whole(PartitionsHeld),
}

/// Follows one consumer's assignment and reports each change once.
#[derive(Debug)]
pub struct SoleReaderWatch {
    report_after: Duration,
    missing_since: Option<Instant>,
    reported: bool,
}

impl SoleReaderWatch {
    /// For a consumer whose group session times out after `session_timeout`.
    pub fn new(session_timeout: Duration) -> SoleReaderWatch {
        SoleReaderWatch {
            report_after: session_timeout * REPORT_AFTER_SESSIONS,
            missing_since: None,
            reported: false,
        }
    }

    pub fn observe(&mut self, held: PartitionsHeld, now: Instant) -> Option<Change> {
        if held.missing() == 0 {
            self.missing_since = None;
            return std::mem::take(&mut self.reported).then_some(Change::Whole(held));
        }
        let since = *self.missing_since.get_or_insert(now);
        if !self.reported && now.duration_since(since) >= self.report_after {
            self.reported = true;
            return Some(Change::Shared(held));
        }
        None
    }
}

/// Log a change for `stage`, whose consumer group is `group`.
pub fn log_change(change: Change, stage: &str, group: &str) {
    match change {
        Change::Shared(p) => tracing::error!(
            stage,
            group,
            held = p.held,
            total = p.total,
            "this instance holds {} of its input's {} partitions: another instance shares \
             its consumer group, and this stage decides over the whole stream, so each \
             instance's state lacks the other's decisions; run exactly one",
            p.held,
            p.total
        ),
        Change::Whole(p) => tracing::info!(
            stage,
            group,
            total = p.total,
            "this instance holds every partition of its input again"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(held: u32, total: u32) -> PartitionsHeld {
        PartitionsHeld { held, total }
    }

    #[test]
    fn a_share_is_reported_once_after_it_lasts_and_its_end_once() {
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        // A session of 15 s: reported after 30 s.
        let mut watch = SoleReaderWatch::new(Duration::from_secs(15));
        assert_eq!(watch.observe(held(6, 6), at(0)), None);
        // A rebalance: nothing held for a moment, then all again.
        assert_eq!(watch.observe(held(0, 6), at(5)), None);
        assert_eq!(watch.observe(held(6, 6), at(10)), None);
        // Another member takes half and keeps it.
        assert_eq!(watch.observe(held(3, 6), at(15)), None);
        assert_eq!(watch.observe(held(3, 6), at(44)), None);
        assert_eq!(
            watch.observe(held(3, 6), at(45)),
            Some(Change::Shared(held(3, 6)))
        );
        assert_eq!(watch.observe(held(0, 6), at(60)), None);
        assert_eq!(
            watch.observe(held(6, 6), at(70)),
            Some(Change::Whole(held(6, 6)))
        );
        assert_eq!(watch.observe(held(6, 6), at(75)), None);
    }
}
