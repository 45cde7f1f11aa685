//! Weighed term vectors: term frequencies, TF-IDF vectors, story centroids
//! and headlines, as sparse `(term hash, weight)` lists.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::engine::CENTROID_TERMS;
use crate::text::Token;

/// Weighted term frequencies of the article. Capitalised words (names)
/// and numbers weigh more: they survive paraphrase and translation, and
/// separate events of the same kind.
pub(crate) fn term_frequencies(toks: &[Token], title: &[Token]) -> HashMap<u64, f32> {
    let mut tf: HashMap<u64, f32> = HashMap::default();
    let title_words: HashSet<u64> = title.iter().map(|x| x.hash).collect();
    for t in toks {
        if t.stop {
            continue;
        }
        let mut w = 1.0;
        if t.capitalised {
            w *= 2.0;
        }
        if t.number {
            w *= 1.5;
        }
        if title_words.contains(&t.hash) {
            w *= 1.5;
        }
        *tf.entry(t.hash).or_default() += w;
    }
    tf
}

/// Headline words kept per article: real headlines run to about 60 words
/// at most (57 on the syndication set); the cap bounds hostile ones.
pub(crate) const HEADLINE_WORDS: usize = 64;

/// The first words of a headline in order, as 32-bit hashes.
pub(crate) fn headline_words(title: &[Token]) -> Vec<u32> {
    title
        .iter()
        .take(HEADLINE_WORDS)
        .map(|t| t.hash as u32)
        .collect()
}

/// Words a copy may add around the headline it copied: a "BREAKING" or
/// "UPDATE 1" in front, an outlet's name behind.
const HEADLINE_ADDED_WORDS: usize = 3;

/// Whether one headline is the other, re-cased, with at most a few words
/// added before or after it; headlines that are missing agree with anything.
/// Word order counts: a rewrite keeps the words and changes their order or
/// one of them ("belts" for "titles"), and is an outlet's own headline.
pub(crate) fn headlines_agree(a: &[u32], b: &[u32]) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > HEADLINE_ADDED_WORDS {
        return false;
    }
    if contains_run(long, short) {
        return true;
    }
    // A headline at the cap was cut, so the words a copy added in front of
    // it pushed some off the end: either one's first words, short of the
    // added ones, must then sit inside the other.
    let kept = HEADLINE_WORDS - HEADLINE_ADDED_WORDS;
    long.len() == HEADLINE_WORDS
        && short.len() >= kept
        && (contains_run(long, &short[..kept]) || contains_run(short, &long[..kept]))
}

fn contains_run(haystack: &[u32], run: &[u32]) -> bool {
    haystack.windows(run.len()).any(|w| w == run)
}

pub(crate) fn normalise(v: &mut [(u64, f32)]) {
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
}

/// Dot product of two unit vectors, one already in a map.
pub(crate) fn cosine(a: &HashMap<u64, f32>, b: &[(u64, f32)]) -> f32 {
    b.iter().filter_map(|(t, w)| a.get(t).map(|x| w * x)).sum()
}

/// Running mean of member vectors, truncated to the strongest terms.
pub(crate) fn merge_centroid(
    old: &[(u64, f32)],
    add: &[(u64, f32)],
    members: u32,
) -> Vec<(u64, f32)> {
    let n = members.max(1) as f32;
    let mut m: HashMap<u64, f32> = old.iter().map(|(t, w)| (*t, w * (n - 1.0) / n)).collect();
    for (t, w) in add {
        *m.entry(*t).or_default() += w / n;
    }
    let mut v: Vec<(u64, f32)> = m.into_iter().collect();
    strongest_first(&mut v, CENTROID_TERMS);
    normalise(&mut v);
    v
}

/// Keep the `keep` strongest entries (terms or stories), strongest first,
/// ties by key so the order is the same on every run. Selecting before
/// sorting: there are a few hundred, and only the top are kept.
pub(crate) fn strongest_first(v: &mut Vec<(u64, f32)>, keep: usize) {
    let order = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if v.len() > keep {
        v.select_nth_unstable_by(keep - 1, order);
        v.truncate(keep);
    }
    v.sort_unstable_by(order);
}
