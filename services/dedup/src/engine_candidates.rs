//! Candidates for an article, found through the indexes and checked: the
//! nearest copy (LSH buckets, then the headline) and the best story (term
//! index, then the centroid's cosine and the names).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Engine, INDEX_TERMS};
use crate::engine::StoryState;
use crate::entities::{ArticleNames, MissingNames, NAMES_DISAGREE, NAMES_MOSTLY_DISAGREE};
use crate::lsh::{MINHASH_PERMS, band_keys};
use crate::name_keys::{Alphabet, alphabet_of};
use crate::probe::prefetch_read;
use crate::vectors::{Weights, cosine, headlines_agree, strongest_first};

/// Texts shorter than this (in shingles) are too small to call near copies;
/// only exact matches apply to them.
const MIN_NEAR_SHINGLES: u32 = 8;
/// Candidate stories scored per article.
const MAX_CANDIDATES: usize = 16;
/// Below this cosine, a story match is checked for names that disagree.
const NAMES_CHECKED_BELOW: f32 = 0.3;
/// Below this cosine a story match is refused when most of the names
/// disagree on both sides (`NAMES_MOSTLY_DISAGREE`). With the prior's
/// weights the words of a kind ("arrested", "drunk", "driving") weigh
/// less, but so do surnames that are common words (Williams, Jackson):
/// two arrests of two players of one team met at 0.37.
const NAMES_STRICTLY_CHECKED_BELOW: f32 = 0.4;
/// Cosine needed to join a story written in other alphabets, when the
/// names agree: half the story threshold. A Russian translation of an
/// English report met it at 0.10 to 0.31 on the hand-written
/// cross-alphabet set, on numbers and the words both write alike.
const ACROSS_ALPHABETS_THRESHOLD: f32 = 0.1;

impl Engine {
    pub(super) fn near_candidate(
        &self,
        sig: &[u32],
        size: u32,
        headline: &[u32],
    ) -> Option<(u64, f32)> {
        if size < MIN_NEAR_SHINGLES {
            return None;
        }
        let mut seen = HashSet::default();
        // Candidates are found first, and what each check reads is asked for
        // for all of them at once, a step at a time (index slot, entry,
        // signature): checked as they were found, each one's three misses
        // waited behind the last one's comparison.
        let keys: Vec<u64> = band_keys(sig)
            .flat_map(|b| self.buckets.get(b))
            .copied()
            .filter(|key| seen.insert(*key))
            .collect();
        let found = self.articles.positions(keys.iter().map(|key| (*key, *key)));
        found.iter().for_each(|(_, pos)| {
            let a = self.articles.at(*pos);
            prefetch_read(&a.sig);
            prefetch_read(&a.shingles);
        });
        found
            .iter()
            .filter_map(|(_, pos)| self.articles.at(*pos).sig.first())
            .for_each(prefetch_read);
        let mut best: Option<(u64, f32)> = None;
        for (key, pos) in found {
            let other = self.articles.at(pos);
            let j = sig.iter().zip(&other.sig).filter(|(x, y)| x == y).count() as f32
                / MINHASH_PERMS as f32;
            // Containment of the smaller text in the larger, from Jaccard
            // and the two set sizes: copies cut or extended still match.
            let inter = j * (size + other.shingles) as f32 / (1.0 + j);
            let containment = inter / size.min(other.shingles).max(1) as f32;
            let sim = containment.min(1.0);
            if sim < self.params.near_threshold || best.is_some_and(|(_, s)| sim <= s) {
                continue;
            }
            // A copy keeps the headline, re-cased or prefixed. The same
            // text under an outlet's own headline is that outlet's
            // article: a member of the story, not a copy (even word for
            // word, on the syndication set: precision 0.907 -> 0.936
            // with 80% of the words shared, 0.980 with all, in order).
            if !headlines_agree(headline, &other.headline) {
                continue;
            }
            best = Some((key, sim));
        }
        best
    }

    pub(super) fn story_candidate(
        &self,
        vec: &[(u64, f32)],
        names: &ArticleNames,
        terms: &[u64],
        published: Option<i64>,
        lang: Option<&str>,
    ) -> Option<(u64, f32)> {
        let alphabet = lang.and_then(alphabet_of);
        let mut votes: HashMap<u64, f32> =
            HashMap::with_capacity_and_hasher(256, Default::default());
        // Each step's reads are asked for all at once, as for near copies:
        // index slots, then list headers, then lists; then the stories.
        let top = &vec[..vec.len().min(INDEX_TERMS * 2)];
        let lists = self.term_index.positions(top.iter().copied());
        lists
            .iter()
            .for_each(|(_, pos)| self.term_index.prefetch_entry(*pos));
        lists
            .iter()
            .filter_map(|(_, pos)| self.term_index.at(*pos).first())
            .for_each(prefetch_read);
        for (w, pos) in &lists {
            for s in self.term_index.at(*pos) {
                *votes.entry(*s).or_default() += w;
            }
        }
        let mut cands: Vec<(u64, f32)> = votes.into_iter().collect();
        strongest_first(&mut cands, MAX_CANDIDATES);
        let mut best: Option<(u64, f32)> = None;
        let weights = Weights::new(vec.iter().copied());
        let found = self
            .stories
            .positions(cands.iter().map(|(key, _)| (*key, *key)));
        found.iter().for_each(|(_, pos)| {
            let story = self.stories.at(*pos);
            prefetch_read(&story.centroid);
            prefetch_read(&story.published);
        });
        found
            .iter()
            .filter_map(|(_, pos)| self.stories.at(*pos).centroid.first())
            .for_each(prefetch_read);
        for (key, pos) in found {
            let story = self.stories.at(pos);
            let mut sim = cosine(&weights, &story.centroid);
            if let (Some(p), Some(q)) = (published, story.published) {
                // Events days apart are different events of the same kind.
                let days = (p - q).abs() as f32 / 86_400.0;
                if days > 3.0 {
                    sim *= (3.0 / days).sqrt();
                }
            }
            // A translation into another alphabet shares only its numbers
            // and its names with the story, so a weaker match joins when
            // the names (their keys, `name_keys.rs`) agree.
            let across = alphabet.is_some_and(|a| in_other_alphabets(story, a));
            let threshold = if across {
                ACROSS_ALPHABETS_THRESHOLD
            } else {
                self.params.story_threshold
            };
            if sim < threshold || best.is_some_and(|(_, s)| sim <= s) {
                continue;
            }
            if sim
                < self
                    .params
                    .story_threshold
                    .max(NAMES_STRICTLY_CHECKED_BELOW)
            {
                let missing = MissingNames::between(names, terms, story);
                if sim < self.params.story_threshold && !missing.agree(NAMES_DISAGREE)
                    || sim < NAMES_CHECKED_BELOW && missing.disagree(NAMES_DISAGREE)
                    || sim < NAMES_STRICTLY_CHECKED_BELOW && missing.disagree(NAMES_MOSTLY_DISAGREE)
                {
                    continue;
                }
            }
            best = Some((key, sim));
        }
        best
    }
}

/// Whether every language of the story is written in an alphabet other
/// than `alphabet`.
fn in_other_alphabets(story: &StoryState, alphabet: Alphabet) -> bool {
    !story.languages.is_empty()
        && story
            .languages
            .iter()
            .all(|l| alphabet_of(l).is_some_and(|a| a != alphabet))
}
