//! The dedup decision for a stream of articles: exact, near, story or unique.
//! Pure and deterministic: the same articles in the same order give the same
//! verdicts. The caller owns persistence (see `state.rs`).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use crate::alphabets::{Alphabet, names_without_capitals, words_stand_for_names};
use crate::dense_map::DenseMap;
use crate::entities::{
    ArticleNames, add_names, capitalised, names_kept, rekey_names, strongest_names, subject,
};
use crate::lsh::{Buckets, SHARED, band_keys, minhash};
pub use crate::prior::language_code;
use crate::prior::{DfPrior, PRIOR_DOCS, prior};
use crate::term_counts::TermCounts;
use crate::text::{Token, distinct_count, hash64, shingle_hashes, tokens, tokens_and_text_hash};
use crate::vectors::{
    headline_words, headlines_agree, merge_centroid, normalise_by_first, strongest_first,
    term_frequencies,
};
use crate::word_lists::WordLists;
use news_core::messages::VerdictKind;

const SHINGLE: usize = 3;
/// Terms kept per article vector and per story centroid.
const DOC_TERMS: usize = 60;
pub(crate) const CENTROID_TERMS: usize = 120;
/// Centroid terms a story is indexed under for candidate retrieval.
const INDEX_TERMS: usize = 25;
/// Name keys a story is indexed under: as many as the names check compares.
const INDEX_NAMES: usize = crate::entities::NAMES_COMPARED;
/// Names a story written in Arabic or Hebrew is indexed under: its
/// strongest words' keys, among which the names are.
const INDEX_WORDS_AS_NAMES: usize = 12;
/// Stories kept under one index term. A term shared by more stories than
/// this names no event, and an unbounded list made each search scan every
/// story in the window (the million-article run slowed to a crawl).
const MAX_STORIES_PER_TERM: usize = 64;
/// Languages kept per story: a story told in more is rare, and the list
/// goes out with every summary.
pub(crate) const MAX_STORY_LANGUAGES: usize = 16;

/// Tunable knobs, set from config.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Params {
    /// Estimated shingle containment needed for a near-duplicate.
    pub near_threshold: f32,
    /// Cosine to a story centroid needed to join the story.
    pub story_threshold: f32,
    /// Arrival-time window in seconds.
    pub window_secs: i64,
    pub max_articles: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            near_threshold: 0.6,
            story_threshold: 0.20,
            window_secs: 72 * 3600,
            max_articles: 200_000,
        }
    }
}

/// One input to the engine.
#[derive(Debug, Clone)]
pub struct ArticleIn<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub text: &'a str,
    /// Arrival time (seconds since the epoch); drives the window.
    pub at: i64,
    pub published: Option<i64>,
    /// Its language as the cleaner (or the producer) gave it; kept as the
    /// primary subtag ("en-US" is "en") in its story's languages.
    pub lang: Option<&'a str>,
    /// The outlet that carried it (the stage gives its URL's registrable
    /// domain), counted among its story's sources.
    pub source: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: VerdictKind,
    pub story_id: String,
    pub duplicate_of: Option<String>,
    pub similarity: f32,
    /// True when this id was already decided: the first decision, repeated.
    pub replay: bool,
}

/// What one decision added to the state: enough to replay it into another
/// engine without the text. Carried by the changelog topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub id: String,
    pub title: Option<String>,
    pub at: i64,
    pub published: Option<i64>,
    /// Its language code (`language_code`), for its story's languages.
    pub lang: Option<String>,
    pub has_text: bool,
    /// Key of exact copies: the first 64 bits of the SHA-256 of the text,
    /// lowercased with whitespace collapsed.
    pub text_hash: u64,
    pub shingles: u32,
    pub sig: Vec<u32>,
    pub headline: Vec<u32>,
    /// Every distinct term of the article, for document frequencies (none
    /// for a copy, nor for a twin: the very same text under another
    /// headline, in its twin's story).
    pub terms: Vec<u64>,
    /// The article's TF-IDF vector as it was weighed (none for a copy or a
    /// twin).
    pub vec: Vec<(u64, f32)>,
    /// Its strongest names (terms written capitalised mid-sentence, or in
    /// Arabic and Hebrew its strongest words), weighed (none for a copy or
    /// a twin).
    pub names: Vec<(u64, f32)>,
    pub decision: Decision,
    /// The outlet that carried it (changelog format 5, round 58).
    pub source: Option<String>,
}

impl Fact {
    /// The fact with its names keyed as this round keys them
    /// (`rekey_names`), for facts written before round 37; a fact written
    /// since comes out as it went in.
    pub(crate) fn with_names_rekeyed(self) -> Fact {
        Fact {
            names: rekey_names(&self.names),
            ..self
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArticleState {
    pub id: String,
    pub story: u64,
    pub at: i64,
    pub text_hash: u64,
    pub shingles: u32,
    pub sig: Vec<u32>,
    /// Headline words (hashes, in order): copies keep the headline.
    pub headline: Vec<u32>,
    pub decision: Decision,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoryState {
    pub story_id: String,
    pub title: Option<String>,
    pub founder: String,
    pub members: Vec<String>,
    pub member_count: u32,
    pub first_seen: i64,
    pub last_seen: i64,
    pub published: Option<i64>,
    /// Sparse TF-IDF centroid (term hash, weight), strongest first.
    pub centroid: Vec<(u64, f32)>,
    /// The names its members wrote, summed over members, strongest first.
    pub names: Vec<(u64, f32)>,
    /// Its members' languages, in the order first seen (at most
    /// `MAX_STORY_LANGUAGES`).
    pub languages: Vec<String>,
    /// Members whose vectors make up the centroid: rewrites, not copies.
    pub rewrites: u32,
    /// Its members' outlets, copies included, in the order first seen,
    /// each with its members: the first `MAX_STORY_SOURCES`.
    pub sources: Vec<(String, u32)>,
    /// Hashes of its further outlets, sorted: counted, not listed (at
    /// most `MAX_UNLISTED_SOURCES`).
    pub unlisted_sources: Vec<u64>,
}

/// The whole dedup state. Serializable, so it can be snapshotted and restored.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Engine {
    pub params: Params,
    /// Articles by `article_key(id)`; indexes hold keys, not id strings.
    pub(crate) articles: DenseMap<ArticleState>,
    pub(crate) order: VecDeque<(i64, u64)>,
    exact: HashMap<u64, u64>,
    buckets: Buckets,
    pub(crate) stories: DenseMap<StoryState>,
    term_index: DenseMap<Vec<u64>>,
    df: TermCounts,
    docs_seen: u64,
    /// How many lists of the term index are names' entries under each
    /// alphabet: an article looks its names up only under alphabets that
    /// have some. Counted again from the index when state is read.
    #[serde(skip)]
    pub(crate) name_lists: [u32; Alphabet::ALL.len()],
    /// Word lists given at run time (`word_lists.rs`); configuration, not
    /// state.
    #[serde(skip)]
    word_lists: Option<Arc<WordLists>>,
    /// Stories that left the window and are not yet taken
    /// (`take_closed`), when the engine keeps them (`keep_closed`); not
    /// state.
    #[serde(skip)]
    pub(crate) closed: Option<Vec<StoryState>>,
    /// Articles that left the window since `take_evictions`, by what made
    /// them leave: counters for the stage, not state.
    #[serde(skip)]
    pub(crate) evictions: Evictions,
    /// The latest fetch time folded in; not state (after a restart the
    /// window's last article stands in until the next one).
    #[serde(skip)]
    pub(crate) newest_at: i64,
}

impl Engine {
    pub fn new(params: Params) -> Engine {
        Engine {
            params,
            ..Engine::default()
        }
    }

    /// Weigh the languages `lists` holds with them.
    pub fn with_word_lists(mut self, lists: Option<Arc<WordLists>>) -> Engine {
        self.word_lists = lists;
        self
    }

    /// The word table an article in `lang` is weighed with: a list given
    /// at run time, or else the one built in.
    pub(crate) fn prior_for(&self, lang: Option<&str>) -> &DfPrior {
        self.word_lists
            .as_deref()
            .and_then(|l| l.prior(lang))
            .unwrap_or_else(|| prior(lang))
    }

    /// Drop every headline, for state from before headlines were kept as
    /// words in order: a missing headline agrees with any other.
    pub(crate) fn forget_headlines(&mut self) {
        self.articles
            .values_mut()
            .for_each(|a| a.headline = Vec::new());
    }

    pub fn article_count(&self) -> usize {
        self.articles.len()
    }

    pub fn story_count(&self) -> usize {
        self.stories.len()
    }

    pub fn story(&self, story_id: &str) -> Option<&StoryState> {
        self.stories.get(story_key(story_id))
    }

    /// Whether the article `id`, already decided, had another text then
    /// (compared by the key of exact copies: case and spacing aside).
    /// False for an id not in the window.
    pub fn text_changed(&self, id: &str, text: &str) -> bool {
        self.articles
            .get(article_key(id))
            .is_some_and(|prev| prev.text_hash != tokens_and_text_hash(text).1)
    }

    /// Decide one article and fold it into the state.
    pub fn decide(&mut self, a: &ArticleIn<'_>) -> Decision {
        self.decide_logged(a).0
    }

    /// Decide one article, and return with the decision the fact that
    /// replays it into another engine (`apply`); a replay has no fact.
    pub fn decide_logged(&mut self, a: &ArticleIn<'_>) -> (Decision, Option<Fact>) {
        self.decide_traced(a, &mut ())
    }

    /// `decide_logged`, leaving notes of what it weighed in `trace`.
    fn decide_traced<T: Trace>(
        &mut self,
        a: &ArticleIn<'_>,
        trace: &mut T,
    ) -> (Decision, Option<Fact>) {
        if let Some(prev) = self.articles.get(article_key(a.id)) {
            let mut d = prev.decision.clone();
            d.replay = true;
            return (d, None);
        }
        self.evict(a.at);
        // Tokenise once: shingles come from the text, terms from title and text.
        let (text_toks, text_hash) = tokens_and_text_hash(a.text);
        let title_toks = a.title.map(tokens).unwrap_or_default();
        // The text's tokens as they are when it opens with its headline.
        let toks: Cow<[Token]> = match a.title {
            Some(t) if !a.text.starts_with(t) => {
                let mut all = Vec::with_capacity(title_toks.len() + text_toks.len());
                all.extend_from_slice(&title_toks);
                all.extend_from_slice(&text_toks);
                Cow::Owned(all)
            }
            _ => Cow::Borrowed(&text_toks),
        };
        let has_text = !a.text.trim().is_empty();
        let shingles = shingle_hashes(&text_toks, SHINGLE);
        let sig = minhash(&shingles);
        let shingle_count = distinct_count(&shingles) as u32;
        let headline = headline_words(&title_toks);
        let lang = a.lang.and_then(language_code);
        // Arabic and Hebrew write no capitals: their keyed words stand in
        // for their names.
        let words_are_names = lang.as_deref().is_some_and(words_stand_for_names);

        // An exact copy is the same text under the same headline: the same
        // text under an outlet's own headline is that outlet's article (its
        // twin's), as for near copies below.
        let same_text = self
            .exact
            .get(&text_hash)
            .filter(|_| has_text)
            .and_then(|first| self.articles.get(*first));
        let exact = same_text.filter(|first| headlines_agree(&headline, &first.headline));
        if let (true, Some(first)) = (T::ON, same_text) {
            trace.same_text(&first.id, exact.is_some());
        }
        // Only the very same text makes a twin: texts that are merely near
        // can be one template about two events (results, filings, alerts).
        let twin = same_text.map(|first| first.story);
        let copy = if let Some(first) = exact {
            Some(Decision {
                kind: VerdictKind::Exact,
                story_id: first.decision.story_id.clone(),
                duplicate_of: Some(first.id.clone()),
                similarity: 1.0,
                replay: false,
            })
        } else if let Some((dup, sim)) = self.near_candidate(&sig, shingle_count, &headline, trace)
        {
            let d = self
                .articles
                .get(dup)
                .expect("a near candidate is in the window");
            Some(Decision {
                kind: VerdictKind::Near,
                story_id: d.decision.story_id.clone(),
                duplicate_of: Some(d.id.clone()),
                similarity: sim,
                replay: false,
            })
        } else {
            None
        };
        let (decision, terms, vec, names) = match copy {
            // A copy adds nothing to its story's centroid, names or document
            // frequencies: it is not weighed.
            Some(d) => (d, Vec::new(), Vec::new(), Vec::new()),
            None => {
                let tf = term_frequencies(&toks, &title_toks);
                let terms: Vec<u64> = tf.keys().copied().collect();
                // Document frequencies count each text once, before it is
                // weighed: a wire story copied by thirty outlets would
                // otherwise make its own names look thirty times as common
                // as its rewrites' names.
                if twin.is_none() {
                    self.learn(&terms);
                }
                // The language's word table, found once for both.
                let prior = self.prior_for(lang.as_deref());
                let capitalised = capitalised(&toks, prior, words_are_names);
                let (vec, names) = self.weigh_and_name(
                    tf,
                    prior,
                    &capitalised,
                    words_are_names,
                    lang.as_deref().is_some_and(names_without_capitals),
                );
                if T::ON {
                    trace.article(&vec, names.looked_up());
                }
                let decision =
                    self.rewrite_or_unique(a, lang.as_deref(), &vec, &names, &terms, trace);
                let names = names.strongest;
                match twin {
                    // The same text under an outlet's own headline, in its
                    // twin's story: that outlet's article, but no new text.
                    Some(story) if story == story_key(&decision.story_id) => {
                        (decision, Vec::new(), Vec::new(), Vec::new())
                    }
                    Some(_) => {
                        self.learn(&terms);
                        (decision, terms, vec, names)
                    }
                    None => (decision, terms, vec, names),
                }
            }
        };
        let fact = Fact {
            id: a.id.to_string(),
            title: a.title.map(str::to_string),
            at: a.at,
            published: a.published,
            lang,
            has_text,
            text_hash,
            shingles: shingle_count,
            sig,
            headline,
            terms,
            vec,
            names,
            decision,
            source: a.source.map(str::to_string),
        };
        self.insert(&fact);
        let decision = fact.decision.clone();
        (decision, Some(fact))
    }

    /// Fold a fact from another engine's `decide_logged` into this one, as
    /// that engine did: replaying an engine's facts in order rebuilds it.
    /// Facts for ids already known are ignored (at-least-once delivery).
    pub fn apply(&mut self, fact: &Fact) {
        if self.articles.contains(article_key(&fact.id)) {
            return;
        }
        self.evict(fact.at);
        // Facts of copies from before copies went unweighed carry terms.
        if !matches!(fact.decision.kind, VerdictKind::Exact | VerdictKind::Near) {
            self.learn(&fact.terms);
        }
        self.insert(fact);
    }

    fn learn(&mut self, terms: &[u64]) {
        // Copies and twins carry no terms: they are not documents.
        if terms.is_empty() {
            return;
        }
        self.docs_seen += 1;
        // Asked for all at once, the slots arrive together: counted one
        // after another, each waited for its own.
        terms.iter().for_each(|t| self.df.prefetch(*t));
        for &t in terms {
            self.df.add_one(t);
        }
        if self.df.len() > self.df_cap() {
            self.decay_df();
        }
    }

    fn insert(&mut self, f: &Fact) {
        let akey = article_key(&f.id);
        let d = &f.decision;
        let key = story_key(&d.story_id);
        let story = self.stories.get_or_insert_with(key, || StoryState {
            story_id: d.story_id.clone(),
            title: f.title.clone(),
            founder: f.id.clone(),
            members: Vec::new(),
            member_count: 0,
            first_seen: f.at,
            last_seen: f.at,
            published: f.published,
            centroid: Vec::new(),
            names: Vec::new(),
            languages: Vec::new(),
            rewrites: 0,
            sources: Vec::new(),
            unlisted_sources: Vec::new(),
        });
        story.member_count += 1;
        if let Some(source) = &f.source {
            story.add_source(source);
        }
        if let Some(lang) = &f.lang
            && !story.languages.contains(lang)
            && story.languages.len() < MAX_STORY_LANGUAGES
        {
            story.languages.push(lang.clone());
        }
        if story.members.len() < news_core::messages::MAX_STORY_MEMBERS {
            story.members.push(f.id.clone());
        }
        story.last_seen = story.last_seen.max(f.at);
        self.newest_at = self.newest_at.max(f.at);
        // Copies (and twins, which carry no vector) add nothing new to the
        // centroid; rewrites widen it.
        if matches!(d.kind, VerdictKind::Unique | VerdictKind::Story) && !f.vec.is_empty() {
            let before = index_terms(story);
            story.rewrites += 1;
            story.centroid = merge_centroid(&story.centroid, &f.vec, story.rewrites);
            story.names = add_names(&story.names, &f.names, names_kept(story));
            let after = index_terms(story);
            // A story is indexed under exactly its current top terms: terms
            // it lost would otherwise keep its key after it leaves, a leak
            // that grows with the stream (found by the steady-state bench).
            for t in before.iter().filter(|t| !after.contains(t)) {
                self.unindex(*t, key);
            }
            for t in after {
                self.index(t, key);
            }
        }
        if f.has_text {
            self.exact.entry(f.text_hash).or_insert(akey);
        }
        if f.shingles > 0 {
            for b in band_keys(&f.sig) {
                self.buckets.insert(b, akey);
            }
        }
        self.order.push_back((f.at, akey));
        self.articles.insert(
            akey,
            ArticleState {
                id: f.id.clone(),
                story: key,
                at: f.at,
                text_hash: f.text_hash,
                shingles: f.shingles,
                sig: f.sig.clone(),
                headline: f.headline.clone(),
                decision: Decision {
                    replay: false,
                    ..d.clone()
                },
            },
        );
    }

    /// Every term's TF-IDF weight, not normalised. The document frequencies
    /// are the stream's plus the prior's (see `prior`).
    fn tf_idf(&self, tf: HashMap<u64, f32>, prior: &DfPrior) -> Vec<(u64, f32)> {
        tf.keys().for_each(|t| prior.prefetch(*t));
        let n = self.docs_seen.max(1) as f32 + PRIOR_DOCS;
        tf.into_iter()
            .map(|(t, f)| {
                let df = self.df.get(t).unwrap_or(1) as f32 + PRIOR_DOCS * prior.share(t);
                let idf = ((n + 20.0) / (df + 1.0)).ln().max(0.0);
                (t, (1.0 + f.ln()) * idf)
            })
            .collect()
    }

    /// The TF-IDF vector (top `DOC_TERMS` terms, L2-normalised) and the
    /// strongest names among its terms. In a language written without
    /// capitals (`past_the_vector`), names are keyed words among many
    /// others: a Japanese report's katakana names, each written once or
    /// twice, sat past its vector's 60 strongest terms behind the pairs of
    /// its kanji, and its story kept three names that an English original's
    /// six strongest mostly missed. There the names are found among all the
    /// article's terms, weighed as the vector's are.
    fn weigh_and_name(
        &self,
        tf: HashMap<u64, f32>,
        prior: &DfPrior,
        capitalised: &[(u64, u64)],
        words_are_names: bool,
        past_the_vector: bool,
    ) -> (Vec<(u64, f32)>, ArticleNames) {
        let subject = subject(&tf, capitalised);
        let mut terms = self.tf_idf(tf, prior);
        strongest_first(
            &mut terms,
            if past_the_vector {
                usize::MAX
            } else {
                DOC_TERMS
            },
        );
        normalise_by_first(&mut terms, DOC_TERMS);
        let names = strongest_names(&terms, capitalised, words_are_names, subject);
        terms.truncate(DOC_TERMS);
        (terms, names)
    }
}

/// Index key of an article id (64-bit: a collision in a window of a million
/// articles has odds of about 1 in 30 million).
fn article_key(id: &str) -> u64 {
    // SHARED marks a shared LSH bucket; an id hashing to it (odds 2^-64)
    // takes the key next to it.
    hash64(id.as_bytes()).min(SHARED - 1)
}

pub fn story_id_for(founder: &str) -> String {
    news_core::ids::sha256_hex(format!("story:{founder}"))
}

fn story_key(story_id: &str) -> u64 {
    hash64(story_id.as_bytes())
}

/// Candidate copies and stories, found through the indexes.
#[path = "engine_candidates.rs"]
mod candidates;

/// Why an article got its verdict: the candidates weighed.
#[path = "engine_explain.rs"]
pub mod explain;
use explain::Trace;

/// The window: eviction, the document frequencies' bound, and the bytes
/// the state holds.
#[path = "engine_window.rs"]
mod window;
pub use window::Evictions;

/// A story's outlets.
#[path = "engine_sources.rs"]
mod sources;

/// The story index: the terms and names' keys each story is listed under.
#[path = "engine_index.rs"]
mod index;
use index::index_terms;

/// The engine as older snapshot formats wrote it.
#[path = "engine_old.rs"]
pub(crate) mod old;

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "engine_set_tests.rs"]
mod set_tests;
