//! The dedup decision for a stream of articles: exact, near, story or unique.
//! Pure and deterministic: the same articles in the same order give the same
//! verdicts. The caller owns persistence (see `state.rs`).

use std::collections::VecDeque;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::{Deserialize, Serialize};

use crate::text::{Token, hash64, shingle_hashes, tokens};
use news_core::messages::VerdictKind;

pub const MINHASH_PERMS: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = MINHASH_PERMS / BANDS;
const SHINGLE: usize = 3;
/// Texts shorter than this (in shingles) are too small to call near copies;
/// only exact matches apply to them.
const MIN_NEAR_SHINGLES: u32 = 8;
/// Terms kept per article vector and per story centroid.
const DOC_TERMS: usize = 60;
const CENTROID_TERMS: usize = 120;
/// Centroid terms a story is indexed under for candidate retrieval.
const INDEX_TERMS: usize = 25;
/// Candidate stories scored per article.
const MAX_CANDIDATES: usize = 64;

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
            story_threshold: 0.22,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArticleState {
    pub id: String,
    pub story: u64,
    pub at: i64,
    pub text_hash: u64,
    pub shingles: u32,
    pub sig: Vec<u32>,
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
}

/// The whole dedup state. Serializable, so it can be snapshotted and restored.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Engine {
    pub params: Params,
    pub(crate) articles: HashMap<String, ArticleState>,
    pub(crate) order: VecDeque<(i64, String)>,
    exact: HashMap<u64, String>,
    buckets: HashMap<u64, Vec<String>>,
    pub stories: HashMap<u64, StoryState>,
    term_index: HashMap<u64, Vec<u64>>,
    df: HashMap<u64, u32>,
    docs_seen: u64,
}

impl Engine {
    pub fn new(params: Params) -> Engine {
        Engine {
            params,
            ..Engine::default()
        }
    }

    pub fn article_count(&self) -> usize {
        self.articles.len()
    }

    pub fn story_count(&self) -> usize {
        self.stories.len()
    }

    pub fn story(&self, story_id: &str) -> Option<&StoryState> {
        self.stories.get(&story_key(story_id))
    }

    /// Decide one article and fold it into the state.
    pub fn decide(&mut self, a: &ArticleIn<'_>) -> Decision {
        if let Some(prev) = self.articles.get(a.id) {
            let mut d = prev.decision.clone();
            d.replay = true;
            return d;
        }
        self.evict(a.at);
        // Tokenise once: shingles come from the text, terms from title and text.
        let text_toks = tokens(a.text);
        let toks = match a.title {
            Some(t) if !a.text.starts_with(t) => {
                let mut all = tokens(t);
                all.extend(text_toks.iter().cloned());
                all
            }
            _ => text_toks.clone(),
        };
        let text_hash = hash64(normalised(a.text).as_bytes());
        let shingles = shingle_hashes(&text_toks, SHINGLE);
        let sig = minhash(&shingles);

        // Document frequencies learn from every article before it is weighed.
        let vec = self.weigh(&toks, a.title, true);

        let decision = if let Some(first) = self
            .exact
            .get(&text_hash)
            .filter(|_| !a.text.trim().is_empty())
        {
            let first = &self.articles[first];
            Decision {
                kind: VerdictKind::Exact,
                story_id: first.decision.story_id.clone(),
                duplicate_of: Some(first.id.clone()),
                similarity: 1.0,
                replay: false,
            }
        } else if let Some((dup, sim)) = self.near_candidate(&sig, shingles.len() as u32) {
            let d = &self.articles[&dup];
            Decision {
                kind: VerdictKind::Near,
                story_id: d.decision.story_id.clone(),
                duplicate_of: Some(dup.clone()),
                similarity: sim,
                replay: false,
            }
        } else if let Some((story, sim)) = self.story_candidate(&vec, a.published) {
            let s = &self.stories[&story];
            Decision {
                kind: VerdictKind::Story,
                story_id: s.story_id.clone(),
                duplicate_of: Some(s.founder.clone()),
                similarity: sim,
                replay: false,
            }
        } else {
            Decision {
                kind: VerdictKind::Unique,
                story_id: story_id_for(a.id),
                duplicate_of: None,
                similarity: 0.0,
                replay: false,
            }
        };
        self.insert(
            a,
            text_hash,
            shingles.len() as u32,
            sig,
            vec,
            decision.clone(),
        );
        decision
    }

    fn insert(
        &mut self,
        a: &ArticleIn<'_>,
        text_hash: u64,
        shingles: u32,
        sig: Vec<u32>,
        vec: Vec<(u64, f32)>,
        d: Decision,
    ) {
        let key = story_key(&d.story_id);
        let story = self.stories.entry(key).or_insert_with(|| StoryState {
            story_id: d.story_id.clone(),
            title: a.title.map(str::to_string),
            founder: a.id.to_string(),
            members: Vec::new(),
            member_count: 0,
            first_seen: a.at,
            last_seen: a.at,
            published: a.published,
            centroid: Vec::new(),
        });
        story.member_count += 1;
        if story.members.len() < news_core::messages::MAX_STORY_MEMBERS {
            story.members.push(a.id.to_string());
        }
        story.last_seen = story.last_seen.max(a.at);
        // Copies add nothing new to the centroid; rewrites widen it.
        if matches!(d.kind, VerdictKind::Unique | VerdictKind::Story) {
            story.centroid = merge_centroid(&story.centroid, &vec, story.member_count);
            let top: Vec<u64> = story
                .centroid
                .iter()
                .take(INDEX_TERMS)
                .map(|(t, _)| *t)
                .collect();
            for t in top {
                let list = self.term_index.entry(t).or_default();
                if !list.contains(&key) {
                    list.push(key);
                }
            }
        }
        if !a.text.trim().is_empty() {
            self.exact
                .entry(text_hash)
                .or_insert_with(|| a.id.to_string());
        }
        if shingles > 0 {
            for b in band_keys(&sig) {
                self.buckets.entry(b).or_default().push(a.id.to_string());
            }
        }
        self.order.push_back((a.at, a.id.to_string()));
        self.articles.insert(
            a.id.to_string(),
            ArticleState {
                id: a.id.to_string(),
                story: key,
                at: a.at,
                text_hash,
                shingles,
                sig,
                decision: d,
            },
        );
    }

    fn near_candidate(&self, sig: &[u32], size: u32) -> Option<(String, f32)> {
        if size < MIN_NEAR_SHINGLES {
            return None;
        }
        let mut seen = HashSet::default();
        let mut best: Option<(String, f32)> = None;
        for b in band_keys(sig) {
            for id in self.buckets.get(&b).into_iter().flatten() {
                if !seen.insert(id.as_str()) {
                    continue;
                }
                let Some(other) = self.articles.get(id) else {
                    continue;
                };
                let j = sig.iter().zip(&other.sig).filter(|(x, y)| x == y).count() as f32
                    / MINHASH_PERMS as f32;
                // Containment of the smaller text in the larger, from Jaccard
                // and the two set sizes: copies cut or extended still match.
                let inter = j * (size + other.shingles) as f32 / (1.0 + j);
                let containment = inter / size.min(other.shingles).max(1) as f32;
                let sim = containment.min(1.0);
                if sim >= self.params.near_threshold && best.as_ref().is_none_or(|(_, s)| sim > *s)
                {
                    best = Some((id.clone(), sim));
                }
            }
        }
        best
    }

    fn story_candidate(&self, vec: &[(u64, f32)], published: Option<i64>) -> Option<(u64, f32)> {
        let mut votes: HashMap<u64, f32> = HashMap::default();
        for (t, w) in vec.iter().take(INDEX_TERMS * 2) {
            for s in self.term_index.get(t).into_iter().flatten() {
                *votes.entry(*s).or_default() += w;
            }
        }
        let mut cands: Vec<(u64, f32)> = votes.into_iter().collect();
        cands.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(MAX_CANDIDATES);
        let mut best: Option<(u64, f32)> = None;
        for (key, _) in cands {
            let Some(story) = self.stories.get(&key) else {
                continue;
            };
            let mut sim = cosine(vec, &story.centroid);
            if let (Some(p), Some(q)) = (published, story.published) {
                // Events days apart are different events of the same kind.
                let days = (p - q).abs() as f32 / 86_400.0;
                if days > 3.0 {
                    sim *= (3.0 / days).sqrt();
                }
            }
            if sim >= self.params.story_threshold && best.is_none_or(|(_, s)| sim > s) {
                best = Some((key, sim));
            }
        }
        best
    }

    /// TF-IDF vector of the article: top `DOC_TERMS` terms, L2-normalised.
    /// Capitalised words (names) and numbers weigh more: they survive
    /// paraphrase and translation, and separate events of the same kind.
    fn weigh(&mut self, toks: &[Token], title: Option<&str>, learn: bool) -> Vec<(u64, f32)> {
        let mut tf: HashMap<u64, f32> = HashMap::default();
        let title_words: HashSet<u64> = title
            .map(|t| tokens(t).into_iter().map(|x| x.hash).collect())
            .unwrap_or_default();
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
        if learn {
            self.docs_seen += 1;
            for t in tf.keys() {
                *self.df.entry(*t).or_default() += 1;
            }
        }
        let n = self.docs_seen.max(1) as f32;
        let mut v: Vec<(u64, f32)> = tf
            .into_iter()
            .map(|(t, f)| {
                let df = *self.df.get(&t).unwrap_or(&1) as f32;
                let idf = ((n + 20.0) / (df + 1.0)).ln().max(0.0);
                (t, (1.0 + f.ln()) * idf)
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(DOC_TERMS);
        normalise(&mut v);
        v
    }

    /// Drop articles that left the window or exceed the cap, oldest first.
    fn evict(&mut self, now: i64) {
        while let Some((at, _)) = self.order.front() {
            let expired = now - *at > self.params.window_secs;
            if !expired && self.order.len() < self.params.max_articles {
                break;
            }
            let (_, id) = self.order.pop_front().expect("front exists");
            self.remove(&id);
        }
        if self.df.len() > 4 * self.params.max_articles.max(10_000) {
            // Forget the rarest terms: they cannot link two articles anyway.
            self.df.retain(|_, c| *c > 1);
        }
    }

    fn remove(&mut self, id: &str) {
        let Some(a) = self.articles.remove(id) else {
            return;
        };
        if self.exact.get(&a.text_hash).is_some_and(|x| x == id) {
            self.exact.remove(&a.text_hash);
        }
        for b in band_keys(&a.sig) {
            if let Some(list) = self.buckets.get_mut(&b) {
                list.retain(|x| x != id);
                if list.is_empty() {
                    self.buckets.remove(&b);
                }
            }
        }
        // A story leaves with its last member in the window.
        let story_alive = self
            .stories
            .get(&a.story)
            .is_some_and(|s| s.last_seen > a.at);
        if !story_alive && let Some(s) = self.stories.remove(&a.story) {
            for (t, _) in s.centroid.iter().take(INDEX_TERMS) {
                if let Some(list) = self.term_index.get_mut(t) {
                    list.retain(|k| *k != a.story);
                    if list.is_empty() {
                        self.term_index.remove(t);
                    }
                }
            }
        }
    }

    /// Rough bytes held per retained article (for the state-size gauge).
    pub fn approx_bytes(&self) -> usize {
        let per_article = 64 + 4 * MINHASH_PERMS + 2 * 64 + BANDS * 48 + 96;
        let per_story = 160 + CENTROID_TERMS * 16 + INDEX_TERMS * 16;
        self.articles.len() * per_article + self.stories.len() * per_story + self.df.len() * 24
    }
}

pub fn story_id_for(founder: &str) -> String {
    news_core::ids::sha256_hex(format!("story:{founder}"))
}

fn story_key(story_id: &str) -> u64 {
    hash64(story_id.as_bytes())
}

fn normalised(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn minhash(shingles: &[u64]) -> Vec<u32> {
    let mut sig = vec![u32::MAX; MINHASH_PERMS];
    for &s in shingles {
        for (i, slot) in sig.iter_mut().enumerate() {
            // Cheap independent permutations: multiply-shift with odd seeds.
            let seed = 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i as u64 * 2 + 1);
            let h = (s ^ seed).wrapping_mul(0xff51_afd7_ed55_8ccd);
            let v = (h >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
}

fn band_keys(sig: &[u32]) -> impl Iterator<Item = u64> + '_ {
    (0..BANDS).map(move |b| {
        let mut bytes = Vec::with_capacity(ROWS * 4 + 1);
        bytes.push(b as u8);
        for v in &sig[b * ROWS..(b + 1) * ROWS] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        hash64(&bytes)
    })
}

fn normalise(v: &mut [(u64, f32)]) {
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
}

fn cosine(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let small: HashMap<u64, f32> = b.iter().copied().collect();
    a.iter()
        .filter_map(|(t, w)| small.get(t).map(|x| w * x))
        .sum()
}

/// Running mean of member vectors, truncated to the strongest terms.
fn merge_centroid(old: &[(u64, f32)], add: &[(u64, f32)], members: u32) -> Vec<(u64, f32)> {
    let n = members.max(1) as f32;
    let mut m: HashMap<u64, f32> = old.iter().map(|(t, w)| (*t, w * (n - 1.0) / n)).collect();
    for (t, w) in add {
        *m.entry(*t).or_default() += w / n;
    }
    let mut v: Vec<(u64, f32)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(CENTROID_TERMS);
    normalise(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUAKE: &str = "A magnitude 6.1 earthquake struck the northern province of Kerman early on Tuesday, \
        killing at least 12 people and injuring 80, the state news agency reported. The quake hit at 5:42 a.m. \
        near the town of Ravar at a depth of 10 kilometres, the geological survey said. Rescue teams from three \
        provinces were sent to the area, where several mud-brick homes collapsed, the provincial governor said.";

    fn art<'a>(id: &'a str, text: &'a str, at: i64) -> ArticleIn<'a> {
        ArticleIn {
            id,
            title: None,
            text,
            at,
            published: None,
        }
    }

    #[test]
    fn exact_near_replay_and_unique() {
        let mut e = Engine::new(Params::default());
        let first = e.decide(&art("a", QUAKE, 0));
        assert_eq!(first.kind, VerdictKind::Unique);

        let exact = e.decide(&art("b", &QUAKE.to_uppercase(), 1));
        assert_eq!(exact.kind, VerdictKind::Exact);
        assert_eq!(exact.duplicate_of.as_deref(), Some("a"));

        let syndicated = format!(
            "HOME | WORLD | SPORT\n{QUAKE}\nShare this story. Copyright 2024 Wire Service."
        );
        let near = e.decide(&art("c", &syndicated, 2));
        assert_eq!(near.kind, VerdictKind::Near, "{near:?}");
        assert_eq!(near.story_id, first.story_id);

        let replay = e.decide(&art("c", &syndicated, 3));
        assert!(replay.replay);
        assert_eq!(replay.story_id, near.story_id);
        assert_eq!(
            e.story(&first.story_id).unwrap().member_count,
            3,
            "a replay does not add a member"
        );

        let other = e.decide(&art(
            "d",
            "Parliament passed the annual budget on Thursday after a late-night \
            session, with 212 votes in favour and 140 against, the speaker announced to lawmakers.",
            4,
        ));
        assert_eq!(other.kind, VerdictKind::Unique);
        assert_ne!(other.story_id, first.story_id);
    }

    #[test]
    fn window_evicts_old_articles() {
        let mut e = Engine::new(Params {
            window_secs: 10,
            ..Params::default()
        });
        e.decide(&art("a", QUAKE, 0));
        let later = e.decide(&art("b", QUAKE, 100));
        assert_eq!(
            later.kind,
            VerdictKind::Unique,
            "the first copy left the window"
        );
        assert_eq!(e.article_count(), 1);
    }

    #[test]
    fn state_survives_a_snapshot_roundtrip() {
        let mut e = Engine::new(Params::default());
        e.decide(&art("a", QUAKE, 0));
        let restored: Engine = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
        let mut restored = restored;
        assert_eq!(
            restored.decide(&art("b", QUAKE, 1)).kind,
            VerdictKind::Exact
        );
    }
}
