//! Candidates for an article, found through the indexes and checked: the
//! nearest copy (LSH buckets, then the headline) and the best story (term
//! index, then the centroid's cosine and the names).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::index::written_in;
use super::{ArticleIn, Decision, Engine, INDEX_TERMS, story_id_for};
use crate::alphabets::{Alphabet, alphabet_of, lookups_in_alphabet};
use crate::engine::StoryState;
use crate::entities::{ArticleNames, MissingNames, NAMES_DISAGREE, NAMES_MOSTLY_DISAGREE};
use crate::lsh::{MINHASH_PERMS, band_keys};
use crate::name_keys::is_name_id;
use crate::probe::prefetch_read;
use crate::vectors::{Weights, cosine, headlines_agree, strongest_first};
use news_core::messages::VerdictKind;

use super::explain::{NearNote, NearOutcome, StoryOutcome, Trace, story_note};

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
/// A translation into another alphabet may share no number with its story,
/// and so no term at all: it joins on its names alone when it shares at
/// least this many of its strongest names' keys with the story...
const NAMES_SHARED_ALONE: usize = 3;
/// ...and at most this share of one side's names' weight lacks on the
/// other (and at most half of the other side's). Two reports of
/// different events about one person share that person and the country,
/// rarely three names and most of their weight.
const NAMES_MISSING_ALONE: f32 = 0.25;
/// Names a weak match across alphabets (below
/// `NAMES_STRICTLY_CHECKED_BELOW`) must share. Such a match is numbers and
/// name keys, and a key of three consonants can meet a word of the same
/// consonants by chance: "France" and a Persian flood report's "ویرانگر"
/// (destructive), which with "$160 million" and "۱۶۰ میلیون دلار" joined a
/// one-line English story of a jewel theft at 0.25.
const ACROSS_SHARED_NAMES: usize = 2;
/// Stories found through the names' keys alone, scored per article.
const MAX_NAME_CANDIDATES: usize = 4;

impl Engine {
    /// The verdict for an article that is no copy: a member of the story it
    /// matches best, or the founder of its own.
    pub(super) fn rewrite_or_unique(
        &self,
        a: &ArticleIn<'_>,
        lang: Option<&str>,
        vec: &[(u64, f32)],
        names: &ArticleNames,
        terms: &[u64],
        trace: &mut impl Trace,
    ) -> Decision {
        match self.story_candidate(vec, names, terms, a.published, lang, trace) {
            Some((story, sim)) => {
                let s = self.stories.get(story).expect("a candidate story is live");
                Decision {
                    kind: VerdictKind::Story,
                    story_id: s.story_id.clone(),
                    duplicate_of: Some(s.founder.clone()),
                    similarity: sim,
                    replay: false,
                }
            }
            None => Decision {
                kind: VerdictKind::Unique,
                story_id: story_id_for(a.id),
                duplicate_of: None,
                similarity: 0.0,
                replay: false,
            },
        }
    }

    pub(super) fn near_candidate<T: Trace>(
        &self,
        sig: &[u32],
        size: u32,
        headline: &[u32],
        trace: &mut T,
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
            // A copy keeps the headline, re-cased or prefixed. The same
            // text under an outlet's own headline is that outlet's
            // article: a member of the story, not a copy (even word for
            // word, on the syndication set: precision 0.907 -> 0.936
            // with 80% of the words shared, 0.980 with all, in order).
            let outcome = if sim < self.params.near_threshold {
                NearOutcome::BelowThreshold
            } else if best.is_some_and(|(_, s)| sim <= s) {
                NearOutcome::WeakerThanBest
            } else if !headlines_agree(headline, &other.headline) {
                NearOutcome::HeadlineDiffers
            } else {
                best = Some((key, sim));
                NearOutcome::Copy
            };
            if T::ON {
                trace.near(NearNote {
                    article: other.id.clone(),
                    similarity: sim,
                    outcome,
                });
            }
        }
        best
    }

    pub(super) fn story_candidate<T: Trace>(
        &self,
        vec: &[(u64, f32)],
        names: &ArticleNames,
        terms: &[u64],
        published: Option<i64>,
        lang: Option<&str>,
        trace: &mut T,
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
        let by_names_only = match alphabet {
            Some(alphabet) => self.name_candidates(names, alphabet, &cands),
            None => Vec::new(),
        };
        cands.extend(by_names_only.iter().map(|key| (*key, 0.0)));
        let mut best: Option<(u64, f32)> = None;
        // The best story joined on its names alone, when no other is.
        let mut best_by_names: Option<(u64, f32)> = None;
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
        // Whether the story is written in no language of the article's
        // alphabet.
        let apart = |story: &StoryState| alphabet.is_some_and(|a| !written_in(story, a));
        for (key, pos) in found {
            let story = self.stories.at(pos);
            let mut sim = cosine(&weights, &story.centroid);
            let mut days_apart = None;
            if let (Some(p), Some(q)) = (published, story.published) {
                // Events days apart are different events of the same kind.
                let days = (p - q).abs() as f32 / 86_400.0;
                if days > 3.0 {
                    sim *= (3.0 / days).sqrt();
                    days_apart = Some(days);
                }
            }
            // A translation into another alphabet shares only its numbers
            // and its names with the story, so a weaker match joins when
            // the names (their keys, `name_keys.rs`) agree, and one that
            // shares no number when they are nearly the same.
            let across = alphabet.is_some_and(|a| in_other_alphabets(story, a));
            let (outcome, missing) = if across && sim < ACROSS_ALPHABETS_THRESHOLD {
                if best.is_none() && best_by_names.is_none_or(|(_, s)| sim > s) {
                    let missing = MissingNames::between(names, terms, story, apart(story));
                    let outcome = if missing.share(NAMES_SHARED_ALONE, NAMES_MISSING_ALONE) {
                        best_by_names = Some((key, sim));
                        StoryOutcome::JoinedOnNames
                    } else {
                        StoryOutcome::NamesAloneNotEnough
                    };
                    (outcome, Some(missing))
                } else {
                    // Names alone join only when nothing stronger has.
                    (StoryOutcome::WeakerThanBest, None)
                }
            } else {
                let (outcome, missing) =
                    self.judge_story(story, sim, across, best, names, terms, apart);
                if outcome.took() {
                    best = Some((key, sim));
                }
                (outcome, missing)
            };
            if T::ON {
                trace.story(story_note(
                    story,
                    &weights,
                    sim,
                    days_apart,
                    across,
                    missing.as_ref(),
                    outcome,
                ));
            }
        }
        best.or(best_by_names)
    }

    /// The rules a candidate story at cosine `sim` passes or fails, in
    /// order, and the names check when one was read.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn judge_story(
        &self,
        story: &StoryState,
        sim: f32,
        across: bool,
        best: Option<(u64, f32)>,
        names: &ArticleNames,
        terms: &[u64],
        apart: impl Fn(&StoryState) -> bool,
    ) -> (StoryOutcome, Option<MissingNames>) {
        let threshold = if across {
            ACROSS_ALPHABETS_THRESHOLD
        } else {
            self.params.story_threshold
        };
        if sim < threshold {
            return (StoryOutcome::BelowThreshold, None);
        }
        if best.is_some_and(|(_, s)| sim <= s) {
            return (StoryOutcome::WeakerThanBest, None);
        }
        if sim
            >= self
                .params
                .story_threshold
                .max(NAMES_STRICTLY_CHECKED_BELOW)
        {
            return (StoryOutcome::Joined, None);
        }
        // Weak matches are refused when the names disagree on both sides,
        // or when the story never names the article's subject. Across
        // alphabets the subject may be a word with no key, or a German
        // noun: there the names' keys decide.
        let missing = MissingNames::between(names, terms, story, apart(story));
        let outcome = if sim < self.params.story_threshold && !missing.agree(NAMES_DISAGREE) {
            StoryOutcome::NamesDoNotAgree
        } else if sim < NAMES_CHECKED_BELOW && missing.disagree(NAMES_DISAGREE) {
            StoryOutcome::NamesDisagree
        } else if sim < NAMES_CHECKED_BELOW && !across && names.subject_missing_from(story) {
            StoryOutcome::SubjectMissing
        } else if sim < NAMES_STRICTLY_CHECKED_BELOW && missing.disagree(NAMES_MOSTLY_DISAGREE) {
            StoryOutcome::NamesMostlyDisagree
        } else if across
            && sim < NAMES_STRICTLY_CHECKED_BELOW
            && missing.shared() < ACROSS_SHARED_NAMES
        {
            StoryOutcome::TooFewSharedNames
        } else {
            StoryOutcome::Joined
        };
        (outcome, Some(missing))
    }

    /// Stories in alphabets other than `alphabet` that hold at least
    /// `NAMES_SHARED_ALONE` of the article's strongest names' keys and are
    /// not among `cands`, most names first.
    fn name_candidates(
        &self,
        names: &ArticleNames,
        alphabet: Alphabet,
        cands: &[(u64, f32)],
    ) -> Vec<u64> {
        let keyed: Vec<u64> = names
            .looked_up()
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| is_name_id(*n))
            .collect();
        if keyed.len() < NAMES_SHARED_ALONE {
            return Vec::new();
        }
        let mut entries = Vec::with_capacity(keyed.len() * Alphabet::ALL.len());
        for a in Alphabet::ALL
            .into_iter()
            .filter(|a| *a != alphabet && self.has_names_in(*a))
        {
            for n in &keyed {
                lookups_in_alphabet(*n, a, |entry| entries.push((entry, 1.0)));
            }
        }
        let mut counts: HashMap<u64, f32> = HashMap::default();
        for (_, pos) in self.term_index.positions(entries.into_iter()) {
            for s in self.term_index.at(pos) {
                *counts.entry(*s).or_default() += 1.0;
            }
        }
        let mut found: Vec<(u64, f32)> = counts
            .into_iter()
            .filter(|(s, n)| *n >= NAMES_SHARED_ALONE as f32 && cands.iter().all(|(k, _)| k != s))
            .collect();
        strongest_first(&mut found, MAX_NAME_CANDIDATES);
        found.into_iter().map(|(s, _)| s).collect()
    }
}

/// Whether some language of the story is written in an alphabet other
/// than `alphabet`: that part of its centroid holds words the article
/// cannot share (a Ukrainian report meets an English story with a Russian
/// translation in it on its Cyrillic part alone).
fn in_other_alphabets(story: &StoryState, alphabet: Alphabet) -> bool {
    story
        .languages
        .iter()
        .any(|l| alphabet_of(l).is_some_and(|a| a != alphabet))
}
