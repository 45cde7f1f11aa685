//! Validators of the article pages fetched lately (since round 67). A feed
//! item whose headline or date changes has its page fetched again, as the
//! source may have revised it; but some feeds restamp items whose pages
//! did not change, at every answer. With the page's `ETag` and
//! `Last-Modified` kept from its last fetch, the page is asked for again
//! conditionally: a 304 means it is as it was, and nothing is published.
//! Kept in memory, a bounded number, the oldest forgotten first: a restart
//! forgets them, and the first fetch after it is a whole one again.

use std::collections::{HashMap, VecDeque};

use crate::http::Validators;

/// Pages whose validators are kept, at most (about 150 bytes each).
pub const MAX_PAGES: usize = 20_000;

/// Validators by article, the oldest first out. Each entry carries the
/// number of its keeping, so that a page forgotten and kept again is not
/// pushed out by its first keeping's place in the queue.
#[derive(Debug)]
pub struct PageValidators {
    by_page: HashMap<String, (Validators, u64)>,
    order: VecDeque<(String, u64)>,
    kept: u64,
    max: usize,
}

impl Default for PageValidators {
    fn default() -> Self {
        PageValidators::with_capacity(MAX_PAGES)
    }
}

impl PageValidators {
    pub fn with_capacity(max: usize) -> PageValidators {
        PageValidators {
            by_page: HashMap::new(),
            order: VecDeque::new(),
            kept: 0,
            max: max.max(1),
        }
    }

    /// The validators the page of article `id` was last fetched with.
    pub fn get(&self, id: &str) -> Option<Validators> {
        self.by_page.get(id).map(|(v, _)| v.clone())
    }

    /// Keep what a fetch of the page answered, or forget the page when it
    /// answered no validator.
    pub fn keep(&mut self, id: &str, validators: Validators) {
        if validators.etag.is_none() && validators.last_modified.is_none() {
            self.by_page.remove(id);
        } else if let Some((kept, _)) = self.by_page.get_mut(id) {
            *kept = validators;
        } else {
            self.kept += 1;
            self.by_page.insert(id.to_string(), (validators, self.kept));
            self.order.push_back((id.to_string(), self.kept));
        }
        let live = |by_page: &HashMap<String, (Validators, u64)>, id: &str, when: u64| {
            by_page.get(id).is_some_and(|(_, w)| *w == when)
        };
        // The oldest out.
        while self.by_page.len() > self.max {
            let Some((oldest, when)) = self.order.pop_front() else {
                break;
            };
            if live(&self.by_page, &oldest, when) {
                self.by_page.remove(&oldest);
            }
        }
        // The places of pages forgotten since, once they outnumber the
        // bound (after which the queue holds the kept ones alone).
        if self.order.len() > 2 * self.max {
            let by_page = &self.by_page;
            self.order.retain(|(id, when)| live(by_page, id, *when));
        }
    }

    pub fn len(&self) -> usize {
        self.by_page.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_page.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etag(tag: &str) -> Validators {
        Validators {
            etag: Some(tag.into()),
            last_modified: None,
        }
    }

    #[test]
    fn the_latest_validators_are_kept_within_the_bound() {
        let mut kept = PageValidators::with_capacity(2);
        kept.keep("a", etag("\"1\""));
        kept.keep("b", etag("\"1\""));
        kept.keep("a", etag("\"2\""));
        assert_eq!(kept.get("a"), Some(etag("\"2\"")));
        // A third page pushes out the first kept, whatever its updates.
        kept.keep("c", etag("\"1\""));
        assert_eq!(kept.len(), 2);
        assert_eq!(kept.get("a"), None);
        assert_eq!(kept.get("c"), Some(etag("\"1\"")));
        // A page that answers no validator is forgotten.
        kept.keep("b", Validators::default());
        assert_eq!(kept.get("b"), None);
        for i in 0..100 {
            kept.keep(&format!("p{i}"), etag("x"));
            kept.keep(&format!("p{i}"), Validators::default());
        }
        assert!(kept.order.len() <= 2 * 2, "{}", kept.order.len());
        // "c" was kept before all of those and outlived them, as they were
        // each forgotten; kept again, a page keeps its new place.
        assert_eq!(kept.get("c"), Some(etag("\"1\"")));
        kept.keep("p1", etag("y"));
        kept.keep("d", etag("z"));
        assert_eq!(kept.get("p1"), Some(etag("y")));
        assert_eq!(kept.get("c"), None, "the oldest kept went");
    }
}
