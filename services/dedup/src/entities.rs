//! Names: the words an article writes capitalised mid-sentence. Two events
//! of one kind share the words of the kind (arrested, title fight) but not
//! the people and places, so a weak story match whose names disagree on both
//! sides is refused.

use crate::engine::StoryState;
use crate::prior::DfPrior;
use crate::text::Token;
use crate::vectors::strongest_first;

/// Names compared on each side.
const NAMES_COMPARED: usize = 6;
/// Times an article writes a pair of CJK characters its table lacks, for
/// the pair to count as a name.
const NAME_PAIR_REPEATS: usize = 2;
/// Names a story keeps.
const STORY_NAMES: usize = 16;
/// Share of one side's weight missing from the other that marks a
/// different event, when both sides miss that much: for a weak match, and
/// for a fair one.
pub(crate) const NAMES_DISAGREE: f32 = 0.5;
pub(crate) const NAMES_MOSTLY_DISAGREE: f32 = 0.7;

/// The terms an article writes capitalised mid-sentence, sorted.
///
/// Chinese, Japanese and Korean have no capitals. There, a name is a pair
/// of characters (`cjk.rs`) that the language's word table lacks and that
/// the article writes at least twice: a report repeats its typhoon's or
/// town's name ("杜苏芮", "泸定"), while the pairs that straddle two common
/// words of a stock phrase ("应急响应" gives "急响") are as unknown to the
/// table but come once. Two reports of different typhoons met at cosine
/// 0.28 on such phrases; without the repeat, the unknown pairs of the stock
/// phrases outweighed the names and split rewrites of one quake.
pub(crate) fn capitalised(toks: &[Token], prior: &DfPrior) -> Vec<u64> {
    let mut names: Vec<u64> = toks
        .iter()
        .filter(|t| t.capitalised)
        .map(|t| t.hash)
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
            .map(|run| run[0]),
    );
    names.sort_unstable();
    names
}

/// The article's strongest terms that it writes capitalised mid-sentence.
pub(crate) fn strongest_names(vec: &[(u64, f32)], capitalised: &[u64]) -> Vec<(u64, f32)> {
    vec.iter()
        .filter(|(t, _)| capitalised.binary_search(t).is_ok())
        .take(NAMES_COMPARED)
        .copied()
        .collect()
}

/// Two events of one kind (two arrests, two title fights) share the words of
/// the kind but not the names: each side's strongest names are missing from
/// the other, at least the share `needed` of each. Checked only for weak
/// matches, where the kind words alone can carry the cosine past the
/// threshold.
pub(crate) fn names_disagree(
    names: &[(u64, f32)],
    terms: &[u64],
    story: &StoryState,
    needed: f32,
) -> bool {
    let missing_share = |side: &[(u64, f32)], present: &dyn Fn(u64) -> bool| {
        let total: f32 = side.iter().map(|(_, w)| w).sum();
        let missing: f32 = side
            .iter()
            .filter(|(t, _)| !present(*t))
            .map(|(_, w)| w)
            .sum();
        if total > 0.0 { missing / total } else { 0.0 }
    };
    // A name the story has, even written lower-case there, is shared.
    let in_story = |t: u64| {
        story.names.iter().any(|(n, _)| *n == t) || story.centroid.iter().any(|(c, _)| *c == t)
    };
    let article_names_missing = missing_share(names, &in_story);
    let story_top = &story.names[..story.names.len().min(NAMES_COMPARED)];
    let story_names_missing = missing_share(story_top, &|t| terms.contains(&t));
    article_names_missing.min(story_names_missing) >= needed
}

/// Add an article's names to a story's, keeping the strongest.
pub(crate) fn add_names(story: &[(u64, f32)], article: &[(u64, f32)]) -> Vec<(u64, f32)> {
    let mut all = story.to_vec();
    for (t, w) in article {
        match all.iter_mut().find(|(n, _)| n == t) {
            Some((_, sum)) => *sum += w,
            None => all.push((*t, *w)),
        }
    }
    strongest_first(&mut all, STORY_NAMES);
    all
}
