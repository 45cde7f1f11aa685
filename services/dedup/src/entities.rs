//! Names: the words an article writes capitalised mid-sentence. Two events
//! of one kind share the words of the kind (arrested, title fight) but not
//! the people and places, so a weak story match whose names disagree on both
//! sides is refused.

use crate::engine::StoryState;
use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

use crate::alphabets::words_stand_for_names;
use crate::name_keys::{
    coarse, has_two_sounds, is_coarse, is_name_id, name_id, rekeyed, same_name, sound_spellings,
};
use crate::prior::DfPrior;
use crate::text::Token;
use crate::vectors::strongest_first;

/// Names compared on each side.
pub(crate) const NAMES_COMPARED: usize = 6;
/// Names an article gives its story: more than it compares, since a later
/// article, a translation above all, may rank them differently (Greek
/// capitalises its ministries and weekdays, which push names down).
/// Over 100 shuffled orders of the no-numbers translation set, 6 gave
/// 0.842 and 10 gave 0.863; ECB+ and the syndication set were unchanged.
const NAMES_KEPT: usize = 10;
/// Times an article writes a pair of CJK characters its table lacks, for
/// the pair to count as a name.
const NAME_PAIR_REPEATS: usize = 2;
/// Names a story keeps.
const STORY_NAMES: usize = 16;
/// Words standing in for names that a story in Arabic, Hebrew, Japanese
/// or Korean keeps, and an article in one of them brings: the names are
/// among more of them. Over 100 shuffled orders, 24 rather than 16 took
/// the Japanese and Korean set from 0.874 to 0.911 and the Arabic and
/// Hebrew one from 0.912 to 0.923; 32 did no better.
const STORY_WORDS_AS_NAMES: usize = 24;
/// Share of one side's weight missing from the other that marks a
/// different event, when both sides miss that much: for a weak match, and
/// for a fair one.
pub(crate) const NAMES_DISAGREE: f32 = 0.5;
pub(crate) const NAMES_MOSTLY_DISAGREE: f32 = 0.7;
/// How often an article must write a name, counted as its vector counts
/// words (a capitalised word twice, one in the headline half as much
/// again), for that name to be its subject: five times in the text (ten
/// in a script without capitals, whose hand-written sets' short reports
/// then have no subject).
/// Over 100 shuffled orders, 8 and 12 did as well on the ECB+ train
/// topics; this one is checked below cosine 0.3, and below 0.25 it found
/// too few wrong joins, below 0.35 it refused right ones on dev.
const SUBJECT_MENTIONS: f32 = 10.0;

/// The terms an article writes capitalised mid-sentence, each with the
/// name it stands for: its name key (`name_keys.rs`), which it shares with
/// its spellings in other scripts and its case endings, or the term itself
/// when it has none. Sorted by term.
///
/// Chinese, Japanese and Korean have no capitals. There, a name is a pair
/// of characters (`cjk.rs`) that the language's word table lacks and that
/// the article writes at least twice: a report repeats its typhoon's or
/// town's name ("杜苏芮", "泸定"), while the pairs that straddle two common
/// words of a stock phrase ("应急响应" gives "急响") are as unknown to the
/// table but come once. Two reports of different typhoons met at cosine
/// 0.28 on such phrases; without the repeat, the unknown pairs of the stock
/// phrases outweighed the names and split rewrites of one quake.
///
/// In Chinese, a run of the characters that write foreign names by their
/// sounds ("布伦纳", Brenner; `han_sounds.rs`) is a name too, keyed.
///
/// In Arabic, Hebrew, Japanese and Korean (`words_are_names`), which write
/// no capitals, every word with a key (in Japanese, every katakana word;
/// in the last two, each of its pairs) stands in for a name, but for the
/// most common ones ("من", "بين", "של"), whose two-consonant keys would
/// meet many names: its strongest words then do, and its names are told
/// from its other words by the other side's names
/// (`MissingNames::between`). German (`words_are_names` too) capitalises
/// every noun: its capitalised words are its names and nouns alike, told
/// apart the same way.
pub(crate) fn capitalised(
    toks: &[Token],
    prior: &DfPrior,
    words_are_names: bool,
) -> Vec<(u64, u64)> {
    let mut names: Vec<(u64, u64)> = toks
        .iter()
        .filter(|t| {
            let keyed = t.name_key != 0 && !t.stop && !prior.common(t.hash);
            // A keyed pair is a Chinese run of sound characters.
            t.capitalised || keyed && (words_are_names || t.pair)
        })
        .map(|t| {
            (
                t.hash,
                if t.name_key != 0 {
                    name_id(t.name_key)
                } else {
                    t.hash
                },
            )
        })
        .collect();
    let mut unknown_pairs: Vec<u64> = toks
        .iter()
        .filter(|t| t.pair && !prior.knows(t.hash))
        .map(|t| t.hash)
        .collect();
    unknown_pairs.sort_unstable();
    names.extend(
        unknown_pairs
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= NAME_PAIR_REPEATS)
            .map(|run| (run[0], run[0])),
    );
    // A pair that is both a keyed word's and an unknown one is the name
    // its key stands for.
    names.sort_unstable_by_key(|(term, name)| (*term, !is_name_id(*name)));
    names.dedup_by_key(|(term, _)| *term);
    names
}

/// What the names checks read of an article.
pub(crate) struct ArticleNames {
    /// Its strongest names (`NAMES_KEPT`), weighed as their terms are in
    /// its vector; the first `NAMES_COMPARED` are compared.
    pub strongest: Vec<(u64, f32)>,
    /// The term each of those was written as, in the same order.
    terms: Vec<u64>,
    /// Every name it writes, sorted.
    all: Vec<u64>,
    /// Those in their coarse form (`name_keys::coarse`), sorted, when
    /// first asked for; and whether any of them was keyed so.
    all_coarse: OnceCell<Vec<u64>>,
    any_coarse: bool,
    /// Written in Arabic, Hebrew, Japanese or Korean: its "names" are its
    /// keyed words.
    words: bool,
    /// Its subject (`subject`): the term and the name it stands for.
    subject: Option<(u64, u64)>,
}

impl ArticleNames {
    /// The names compared with a story's.
    pub(crate) fn compared(&self) -> &[(u64, f32)] {
        &self.strongest[..self.strongest.len().min(NAMES_COMPARED)]
    }

    /// Whether it writes the name `name`, or one a Japanese or Korean key
    /// of either side makes the same (`name_keys::same_name`).
    pub(crate) fn has(&self, name: u64) -> bool {
        // A name with a letter of two sounds is had in either spelling
        // (`same_name`); `all` holds its own such names' spellings.
        if has_two_sounds(name) {
            return sound_spellings(name)
                .iter()
                .any(|spelled| self.has_spelled(*spelled));
        }
        self.has_spelled(name)
    }

    fn has_spelled(&self, name: u64) -> bool {
        self.all.binary_search(&name).is_ok()
            || (self.any_coarse || is_coarse(name))
                && self
                    .all_coarse
                    .get_or_init(|| {
                        let mut all: Vec<u64> = self.all.iter().map(|n| coarse(*n)).collect();
                        all.sort_unstable();
                        all
                    })
                    .binary_search(&coarse(name))
                    .is_ok()
    }

    /// Whether it has a subject (`subject`) that the story never names: not
    /// among the story's names, nor among its centroid's terms. An article
    /// about someone else, written with the words of the story's kind
    /// (Fred LaRue's death against Mark Felt's; LaRue, named nine times,
    /// is nowhere in Felt's story).
    pub(crate) fn subject_missing_from(&self, story: &StoryState) -> bool {
        self.subject
            .is_some_and(|(term, name)| !story_names(story, name, term))
    }

    /// The names it looks stories in other alphabets up by: its compared
    /// names, or all its strongest words when they stand in for names.
    pub(crate) fn looked_up(&self) -> &[(u64, f32)] {
        if self.words {
            &self.strongest
        } else {
            self.compared()
        }
    }
}

/// Whether a story names `name`, written as `term`: among its names, or
/// among its centroid's terms (written lower-case there, or weighing too
/// little to be among its names).
fn story_names(story: &StoryState, name: u64, term: u64) -> bool {
    story.names.iter().any(|(n, _)| same_name(*n, name))
        || story.centroid.iter().any(|(c, _)| *c == term)
}

/// Whether a story's names are its strongest words: all its languages
/// are written without capitals (Arabic, Hebrew).
fn story_names_are_words(story: &StoryState) -> bool {
    !story.languages.is_empty() && story.languages.iter().all(|l| words_stand_for_names(l))
}

/// The name an article writes most often, when it writes it at least
/// `SUBJECT_MENTIONS` times (counted as `term_frequencies` counts) and more
/// often than any other name: who or what the article is about, however
/// little the name weighs (Williams and Jackson are common words to the
/// prior), with its term. None when two names tie.
pub(crate) fn subject(tf: &HashMap<u64, f32>, capitalised: &[(u64, u64)]) -> Option<(u64, u64)> {
    let mut best: Option<(u64, u64, f32)> = None;
    let mut runner_up = 0.0f32;
    for &(term, name) in capitalised {
        let times = tf.get(&term).copied().unwrap_or(0.0);
        match best {
            Some((_, _, most)) if times <= most => runner_up = runner_up.max(times),
            _ => {
                runner_up = runner_up.max(best.map_or(0.0, |(_, _, most)| most));
                best = Some((term, name, times));
            }
        }
    }
    best.filter(|(_, _, most)| *most >= SUBJECT_MENTIONS && *most > runner_up)
        .map(|(term, name, _)| (term, name))
}

/// The article's strongest names, with their terms' weights, and its
/// subject (`subject`).
pub(crate) fn strongest_names(
    vec: &[(u64, f32)],
    capitalised: &[(u64, u64)],
    words_are_names: bool,
    subject: Option<(u64, u64)>,
) -> ArticleNames {
    let name_of = |t: u64| {
        capitalised
            .binary_search_by_key(&t, |(term, _)| *term)
            .ok()
            .map(|i| capitalised[i].1)
    };
    // Words standing in for names are kept as many as such a story keeps,
    // since the names are among them.
    let kept = if words_are_names {
        STORY_WORDS_AS_NAMES
    } else {
        NAMES_KEPT
    };
    let mut strongest: Vec<(u64, f32)> = Vec::with_capacity(kept);
    let mut terms = Vec::with_capacity(kept);
    for &(t, w) in vec {
        if strongest.len() == kept {
            break;
        }
        // Two spellings of one name ("Путин", "Путина") count once.
        if let Some(name) = name_of(t)
            && strongest.iter().all(|(n, _)| *n != name)
        {
            strongest.push((name, w));
            terms.push(t);
        }
    }
    let mut all: Vec<u64> = capitalised.iter().map(|(_, name)| *name).collect();
    // A name with a letter of two sounds is had in each spelling
    // (`same_name`).
    for i in 0..all.len() {
        if has_two_sounds(all[i]) {
            let spelled = sound_spellings(all[i]);
            all.extend_from_slice(&spelled);
        }
    }
    all.sort_unstable();
    all.dedup();
    ArticleNames {
        strongest,
        terms,
        any_coarse: all.iter().any(|n| is_coarse(*n)),
        all,
        all_coarse: OnceCell::new(),
        words: words_are_names,
        subject,
    }
}

/// How far an article's names and a story's are apart: the share of the
/// article's strongest names' weight that the story lacks, and the share of
/// the story's that the article lacks. Read once per candidate story, by
/// every names rule that applies to it.
pub(crate) struct MissingNames {
    article: f32,
    story: f32,
    /// How many of the article's strongest names the story has.
    shared: usize,
    /// Both sides have names to compare.
    both_named: bool,
}

impl MissingNames {
    pub(crate) fn between(
        article: &ArticleNames,
        terms: &[u64],
        story: &StoryState,
        apart: bool,
    ) -> Self {
        // Between two sides in no common alphabet, a name with no key (a
        // Japanese place in kanji, "Ali") cannot be found on the other
        // side: only keyed names are weighed.
        let weighed = |t: u64| !apart || is_name_id(t);
        let missing_share = |side: &[(u64, f32)], present: &dyn Fn(usize, u64) -> bool| {
            let total: f32 = side
                .iter()
                .filter(|(t, _)| weighed(*t))
                .map(|(_, w)| w)
                .sum();
            let missing: f32 = side
                .iter()
                .enumerate()
                .filter(|(i, (t, _))| weighed(*t) && !present(*i, *t))
                .map(|(_, (_, w))| w)
                .sum();
            if total > 0.0 { missing / total } else { 0.0 }
        };
        // A name the story has, even written lower-case there, is shared.
        let in_story = |i: usize, name: u64| story_names(story, name, article.terms[i]);
        let story_top = &story.names[..story.names.len().min(NAMES_COMPARED)];
        // A story restored from a build before name keys holds its names as
        // terms: `terms` finds those.
        let in_article = |_: usize, name: u64| article.has(name) || terms.contains(&name);
        // Between sides in no common alphabet, a side with no keyed name
        // has nothing to agree on (two quakes in Chinese and Korean, with
        // their places in characters).
        let both_named = article.strongest.iter().any(|(t, _)| weighed(*t))
            && story_top.iter().any(|(t, _)| weighed(*t));
        let article_names_in_story = (0..article.compared().len())
            .filter(|&i| in_story(i, article.strongest[i].0))
            .count();
        match (article.words, story_names_are_words(story)) {
            // Both sides' names are names, or both are words standing in
            // for them (an Arabic report and a Hebrew one, or two in one
            // of them): compared alike.
            (false, false) | (true, true) => MissingNames {
                shared: article_names_in_story,
                article: missing_share(article.compared(), &in_story),
                story: missing_share(story_top, &in_article),
                both_named,
            },
            // One side's names are its strongest words, which hold names
            // and other words alike: the other side's names are looked for
            // among them, and stand for both sides.
            (true, false) => {
                let missing = missing_share(story_top, &in_article);
                MissingNames {
                    shared: story_top.iter().filter(|(n, _)| in_article(0, *n)).count(),
                    article: missing,
                    story: missing,
                    both_named,
                }
            }
            (false, true) => {
                let missing = missing_share(article.compared(), &in_story);
                MissingNames {
                    shared: article_names_in_story,
                    article: missing,
                    story: missing,
                    both_named,
                }
            }
        }
    }

    /// Two events of one kind (two arrests, two title fights) share the
    /// words of the kind but not the names: each side's strongest names are
    /// missing from the other, at least the share `needed` of each. Checked
    /// only for weak matches, where the kind words alone can carry the
    /// cosine past the threshold.
    pub(crate) fn disagree(&self, needed: f32) -> bool {
        self.article.min(self.story) >= needed
    }

    /// Whether the two sides have at least `shared` of the article's
    /// strongest names in common, one side lacks at most the share
    /// `missing` of the other's weight, and neither lacks half. Languages
    /// capitalise different common nouns (German every noun, Greek its
    /// ministries, English its weekdays), which then count as names on one
    /// side only.
    pub(crate) fn share(&self, shared: usize, missing: f32) -> bool {
        self.shared >= shared
            && self.article.min(self.story) <= missing
            && self.agree(NAMES_DISAGREE)
    }

    /// The share of the article's names' weight the story lacks, and of
    /// the story's the article lacks.
    pub(crate) fn shares(&self) -> (f32, f32) {
        (self.article, self.story)
    }

    /// How many of the article's strongest names the story has (or, where
    /// one side's names are its words, the other side's found there).
    pub(crate) fn shared(&self) -> usize {
        self.shared
    }

    /// Whether the two sides' strongest names are mostly the same: at most
    /// the share `missing` of either side's weight lacks on the other.
    pub(crate) fn agree(&self, missing: f32) -> bool {
        self.both_named && self.article.max(self.story) <= missing
    }
}

/// Names (a story's or an article's) as this round keys them: ids keyed
/// before round 37 re-keyed (`rekeyed`), and two that became one merged.
pub(crate) fn rekey_names(names: &[(u64, f32)]) -> Vec<(u64, f32)> {
    let names: Vec<(u64, f32)> = names.iter().map(|(n, w)| (rekeyed(*n), *w)).collect();
    add_names(&[], &names, STORY_WORDS_AS_NAMES)
}

/// Names a story keeps: more where its words stand in for them.
pub(crate) fn names_kept(story: &StoryState) -> usize {
    if story_names_are_words(story) {
        STORY_WORDS_AS_NAMES
    } else {
        STORY_NAMES
    }
}

/// Add an article's names to a story's, keeping the `kept` strongest.
pub(crate) fn add_names(
    story: &[(u64, f32)],
    article: &[(u64, f32)],
    kept: usize,
) -> Vec<(u64, f32)> {
    let mut all = story.to_vec();
    for (t, w) in article {
        match all.iter_mut().find(|(n, _)| n == t) {
            Some((_, sum)) => *sum += w,
            None => all.push((*t, *w)),
        }
    }
    strongest_first(&mut all, kept);
    all
}
