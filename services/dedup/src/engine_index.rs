//! The story index: each story is listed under its centroid's strongest
//! terms and its strongest names' keys (once per alphabet it is written
//! in), and kept listed under exactly those as the story changes.

use super::{Engine, INDEX_NAMES, INDEX_TERMS, INDEX_WORDS_AS_NAMES, MAX_STORIES_PER_TERM};
use crate::alphabets::{
    Alphabet, alphabet_of, alphabet_of_entry, lookups_in_alphabet, words_stand_for_names,
};
use crate::engine::StoryState;
use crate::entities::rekey_names;
use crate::name_keys::{is_name_id, rekeyed};

impl Engine {
    pub(super) fn index(&mut self, term: u64, story: u64) {
        let list = self.term_index.get_or_insert_with(term, Vec::new);
        // A list is removed when it empties: an empty one is new.
        let new_list = list.is_empty();
        if !list.contains(&story) {
            if list.len() >= MAX_STORIES_PER_TERM {
                // The oldest story under a common term goes first.
                list.remove(0);
            }
            list.push(story);
        }
        if new_list && let Some(a) = alphabet_of_entry(term) {
            self.name_lists[a as usize] += 1;
        }
    }

    /// Count the index's lists of names' entries under each alphabet, for
    /// state just read (the counts are not written).
    pub(crate) fn count_name_lists(&mut self) {
        self.name_lists = Default::default();
        for (term, _) in self.term_index.iter() {
            if let Some(a) = alphabet_of_entry(term) {
                self.name_lists[a as usize] += 1;
            }
        }
    }

    /// Whether some story is indexed under its names in `alphabet`.
    pub(super) fn has_names_in(&self, alphabet: Alphabet) -> bool {
        self.name_lists[alphabet as usize] > 0
    }

    /// Re-key every story's names as this round keys them (`rekey_names`)
    /// and index the story under them as this round does, for state
    /// restored from a snapshot: round 36 keyed "p" apart from "b" and
    /// indexed no story under Arabic or Hebrew (nor round 37 under
    /// Japanese or Korean), and format 7 (`indexed` false) had no names in
    /// the index at all. A translation that shares no term with a restored
    /// story then finds it; state this round wrote comes out as it went in.
    pub(crate) fn rekey_story_names(&mut self, indexed: bool) {
        let keys: Vec<u64> = self.stories.iter().map(|(key, _)| key).collect();
        for key in keys {
            let story = self.stories.get_mut(key).expect("listed above");
            // Most stories of an indexed snapshot need nothing: no name to
            // re-key and no language whose words stand in for names (a
            // pass over them all took a third longer to read at 1M).
            let unchanged = story.names.iter().all(|(n, _)| rekeyed(*n) == *n)
                && story.languages.iter().all(|l| !words_stand_for_names(l));
            if indexed && unchanged {
                continue;
            }
            let before = if indexed {
                name_index_terms(story)
            } else {
                Vec::new()
            };
            story.names = rekey_names(&story.names);
            let after = name_index_terms(story);
            for t in before.iter().filter(|t| !after.contains(t)) {
                self.unindex(*t, key);
            }
            for t in after.into_iter().filter(|t| !before.contains(t)) {
                self.index(t, key);
            }
        }
    }

    /// The engine as round 36 keyed its names: "p" apart from "b" (every
    /// "b" here made a "p", which re-keying makes a "b" again).
    #[cfg(test)]
    pub(crate) fn with_names_keyed_as_round_36(mut self) -> Engine {
        let as_round_36 = |id: u64| {
            if !is_name_id(id) {
                return id;
            }
            let bytes = (id as u32)
                .to_be_bytes()
                .map(|b| if b == b'b' { b'p' } else { b });
            id & !0xffff_ffff | u64::from(u32::from_be_bytes(bytes))
        };
        let keys: Vec<u64> = self.stories.iter().map(|(key, _)| key).collect();
        for key in keys {
            let story = self.stories.get_mut(key).expect("listed above");
            let before = name_index_terms(story);
            story.names = story
                .names
                .iter()
                .map(|(n, w)| (as_round_36(*n), *w))
                .collect();
            let after = name_index_terms(story);
            for t in before {
                self.unindex(t, key);
            }
            for t in after {
                self.index(t, key);
            }
        }
        self
    }

    /// The engine as snapshot format 7 held it: no story indexed under its
    /// names' keys.
    #[cfg(test)]
    pub(crate) fn without_name_index(mut self) -> Engine {
        let entries: Vec<(u64, Vec<u64>)> = self
            .stories
            .iter()
            .map(|(key, story)| (key, name_index_terms(story)))
            .collect();
        assert!(
            entries.iter().any(|(_, terms)| !terms.is_empty()),
            "some story is indexed by its names"
        );
        for (key, terms) in entries {
            for t in terms {
                self.unindex(t, key);
            }
        }
        self
    }

    pub(super) fn unindex(&mut self, term: u64, story: u64) {
        if let Some(list) = self.term_index.get_mut(term) {
            list.retain(|k| *k != story);
            if list.is_empty() {
                self.term_index.remove(term);
                if let Some(a) = alphabet_of_entry(term) {
                    self.name_lists[a as usize] -= 1;
                }
            }
        }
    }
}

/// Whether some language of the story is written in `alphabet`.
pub(super) fn written_in(story: &StoryState, alphabet: Alphabet) -> bool {
    story
        .languages
        .iter()
        .any(|l| alphabet_of(l) == Some(alphabet))
}

/// The terms a story is indexed under: its centroid's strongest, and its
/// strongest names' keys under each alphabet it is written in, through
/// which a translation into another alphabet finds it when they share no
/// term (`name_keys.rs`).
pub(super) fn index_terms(story: &StoryState) -> Vec<u64> {
    let mut terms: Vec<u64> = story
        .centroid
        .iter()
        .take(INDEX_TERMS)
        .map(|(t, _)| *t)
        .collect();
    terms.extend(name_index_terms(story));
    terms
}

/// The story's strongest names' keys, under each alphabet its languages
/// are written in (`name_in_alphabet`).
pub(super) fn name_index_terms(story: &StoryState) -> Vec<u64> {
    let mut terms = Vec::new();
    // The story's alphabets, read once from its few languages rather than
    // once for each of the alphabets.
    let mut written = [false; Alphabet::ALL.len()];
    for a in story.languages.iter().filter_map(|l| alphabet_of(l)) {
        written[a as usize] = true;
    }
    for alphabet in Alphabet::ALL {
        if written[alphabet as usize] {
            let names = story
                .names
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| is_name_id(*n));
            // Where words stand in for names, the names are among more of
            // them.
            let indexed = if alphabet.marks_names() {
                INDEX_NAMES
            } else {
                INDEX_WORDS_AS_NAMES
            };
            // A key with a letter of two sounds ("ch", "z"), or a Japanese
            // key in a story that is in Latin too, is listed under each of
            // its spellings, as an article looks it up
            // (`lookups_in_alphabet`).
            for n in names.take(indexed) {
                lookups_in_alphabet(n, alphabet, |entry| terms.push(entry));
            }
        }
    }
    terms
}
