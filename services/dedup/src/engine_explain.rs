//! Why an article got its verdict: each copy and story the decision weighed,
//! its similarity, and the rule that took or refused it. The decision runs
//! the same code with or without notes (`Trace`); without them the notes
//! compile away.

use serde::Serialize;

use news_core::messages::VerdictKind;

use rustc_hash::FxHashMap as HashMap;

use super::{ArticleIn, Decision, Engine, Fact, StoryState};
use crate::cjk::is_cjk;
use crate::entities::MissingNames;
use crate::name_keys::{is_name_id, name_id};
use crate::text::tokens;
use crate::vectors::Weights;

/// Near-copy candidates kept in an explanation, most similar first: the LSH
/// buckets of a common text can hold many more.
const NEAR_NOTES: usize = 8;

/// What the decision weighed for one article (`Engine::decide_explained`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// The article's strongest terms and their weights in its unit
    /// vector (none for a copy, which is not weighed).
    pub terms: Vec<TermNote>,
    /// The names the names checks compare (its strongest, or its strongest
    /// words in a script without capitals): the word, or for a name keyed
    /// by its sounds (`name_keys.rs`) the key, its consonant classes
    /// ("key:sRn", which "Zelensky" and "泽连斯基" both give in their
    /// coarse form), with the weight of its term.
    pub names: Vec<TermNote>,
    /// The two above as the decision gave them (term ids and weights),
    /// until they are written as words.
    #[serde(skip)]
    term_ids: Vec<(u64, f32)>,
    #[serde(skip)]
    name_ids: Vec<(u64, f32)>,
    /// The first article with the same normalised text, if any, and
    /// whether its headline agrees (an exact copy) or not (the same text
    /// under an outlet's own headline: that outlet's article).
    pub same_text_as: Option<SameText>,
    /// Near-copy candidates from the LSH buckets, most similar first.
    pub near: Vec<NearNote>,
    /// Candidate stories in the order they were scored (strongest index
    /// votes first, then those found through names' keys alone).
    pub stories: Vec<StoryNote>,
}

/// A term as the article writes it (a word the tokenizer reads as one
/// term, or a pair of Chinese or Japanese characters; `#` and its hash
/// when none is), with a weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermNote {
    pub term: String,
    #[serde(serialize_with = "rounded")]
    pub weight: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SameText {
    pub article: String,
    pub headline_agrees: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearNote {
    pub article: String,
    /// Estimated containment of the smaller text's shingles in the larger.
    #[serde(serialize_with = "rounded")]
    pub similarity: f32,
    pub outcome: NearOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NearOutcome {
    /// Under `dedup.near_threshold`.
    BelowThreshold,
    /// No more similar than a candidate before it.
    WeakerThanBest,
    /// Similar enough, under another headline: not a copy.
    HeadlineDiffers,
    /// Passed, but a candidate after it was more similar.
    Outdone,
    /// The article this one is a copy of.
    Copy,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryNote {
    pub story_id: String,
    pub founder: String,
    /// Members so far, copies included.
    pub members: u32,
    /// Cosine with the story's centroid, scaled down when the two are
    /// more than three days apart.
    #[serde(serialize_with = "rounded")]
    pub cosine: f32,
    /// Days between the article's and the story's publication, when the
    /// cosine was scaled for them.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "rounded_opt"
    )]
    pub days_apart: Option<f32>,
    /// The story is written in an alphabet the article is not.
    pub across_alphabets: bool,
    /// The names check, when a rule read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<NamesNote>,
    /// The terms the article and the story share that weigh most in the
    /// cosine, each with its part of it (before any scaling for time).
    pub shared_terms: Vec<TermNote>,
    /// Those terms' hashes, until they are written as words.
    #[serde(skip)]
    shared_term_ids: Vec<(u64, f32)>,
    pub outcome: StoryOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NamesNote {
    /// Share of the article's strongest names' weight the story lacks.
    #[serde(serialize_with = "rounded")]
    pub missing_from_story: f32,
    /// Share of the story's strongest names' weight the article lacks.
    #[serde(serialize_with = "rounded")]
    pub missing_from_article: f32,
    /// How many of the article's strongest names the story has.
    pub shared: usize,
}

impl From<&MissingNames> for NamesNote {
    fn from(m: &MissingNames) -> Self {
        let (missing_from_story, missing_from_article) = m.shares();
        NamesNote {
            missing_from_story,
            missing_from_article,
            shared: m.shared(),
        }
    }
}

/// What became of a candidate story, in the order the rules are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryOutcome {
    /// Under the story threshold (half of it across alphabets).
    BelowThreshold,
    /// In another alphabet and under that threshold, and its names' keys
    /// do not agree enough to join on them alone.
    NamesAloneNotEnough,
    /// No stronger than a candidate scored before it (or, under the
    /// threshold in another alphabet, a candidate above it has passed).
    WeakerThanBest,
    /// Across alphabets under the story threshold: the names do not agree.
    NamesDoNotAgree,
    /// A weak match whose names disagree on both sides.
    NamesDisagree,
    /// A weak match to a story that never names the article's subject.
    SubjectMissing,
    /// A match under the strict names check's cosine whose names mostly
    /// disagree on both sides.
    NamesMostlyDisagree,
    /// A weak match across alphabets sharing too few names.
    TooFewSharedNames,
    /// Passed every rule, but a candidate after it was stronger.
    Outdone,
    /// The story the article joined.
    Joined,
    /// The story the article joined on its names alone (another alphabet,
    /// under that threshold), as no candidate passed.
    JoinedOnNames,
}

impl StoryOutcome {
    /// Whether the candidate became the best so far.
    pub(super) fn took(self) -> bool {
        matches!(self, StoryOutcome::Joined | StoryOutcome::JoinedOnNames)
    }
}

/// Terms kept per note.
const TERM_NOTES: usize = 8;

/// Where the decision leaves its notes. `()` takes none.
pub(crate) trait Trace {
    /// Whether notes are taken at all: the decision builds none when false.
    const ON: bool;
    fn article(&mut self, _vec: &[(u64, f32)], _names: &[(u64, f32)]) {}
    fn same_text(&mut self, _first: &str, _headline_agrees: bool) {}
    fn near(&mut self, _note: NearNote) {}
    fn story(&mut self, _note: StoryNote) {}
}

impl Trace for () {
    const ON: bool = false;
}

impl Trace for Explanation {
    const ON: bool = true;

    fn article(&mut self, vec: &[(u64, f32)], names: &[(u64, f32)]) {
        self.term_ids = vec[..vec.len().min(TERM_NOTES)].to_vec();
        self.name_ids = names[..names.len().min(TERM_NOTES)].to_vec();
    }

    fn same_text(&mut self, first: &str, headline_agrees: bool) {
        self.same_text_as = Some(SameText {
            article: first.to_string(),
            headline_agrees,
        });
    }

    fn near(&mut self, note: NearNote) {
        self.near.push(note);
    }

    fn story(&mut self, note: StoryNote) {
        self.stories.push(note);
    }
}

/// A story candidate's note; `article` is the article's vector as the
/// cosine read it.
pub(super) fn story_note(
    story: &StoryState,
    article: &Weights,
    cosine: f32,
    days_apart: Option<f32>,
    across_alphabets: bool,
    names: Option<&MissingNames>,
    outcome: StoryOutcome,
) -> StoryNote {
    let mut shared_term_ids: Vec<(u64, f32)> = story
        .centroid
        .iter()
        .filter_map(|(t, w)| article.get(*t).map(|x| (*t, w * x)))
        .collect();
    shared_term_ids.sort_by(|a, b| b.1.total_cmp(&a.1));
    shared_term_ids.truncate(TERM_NOTES);
    StoryNote {
        shared_terms: Vec::new(),
        shared_term_ids,
        story_id: story.story_id.clone(),
        founder: story.founder.clone(),
        members: story.member_count,
        cosine,
        days_apart,
        across_alphabets,
        names: names.map(NamesNote::from),
        outcome,
    }
}

impl Engine {
    /// Decide one article as `decide` does, and say why: the same verdict
    /// and the same state afterwards, with the candidates weighed.
    pub fn decide_explained(&mut self, a: &ArticleIn<'_>) -> (Decision, Explanation) {
        let (decision, _, explanation) = self.decide_explained_logged(a);
        (decision, explanation)
    }

    /// `decide_explained` with the fact that replays the decision
    /// (`decide_logged`).
    pub fn decide_explained_logged(
        &mut self,
        a: &ArticleIn<'_>,
    ) -> (Decision, Option<Fact>, Explanation) {
        let mut explanation = Explanation::default();
        let (decision, fact) = self.decide_traced(a, &mut explanation);
        // A candidate that was the best when scored, and then outdone.
        let copy_of = match decision.kind {
            VerdictKind::Near => decision.duplicate_of.as_deref(),
            _ => None,
        };
        for note in &mut explanation.near {
            if note.outcome == NearOutcome::Copy && Some(note.article.as_str()) != copy_of {
                note.outcome = NearOutcome::Outdone;
            }
        }
        let joined = (decision.kind == VerdictKind::Story).then_some(decision.story_id.as_str());
        for note in &mut explanation.stories {
            if note.outcome.took() && Some(note.story_id.as_str()) != joined {
                note.outcome = StoryOutcome::Outdone;
            }
        }
        explanation
            .near
            .sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
        explanation.near.truncate(NEAR_NOTES);
        // Written as the article writes them.
        let words = words_by_term(a);
        let written = |notes: &[(u64, f32)]| -> Vec<TermNote> {
            notes
                .iter()
                .map(|(t, w)| TermNote {
                    term: written_as(&words, *t),
                    weight: *w,
                })
                .collect()
        };
        explanation.terms = written(&explanation.term_ids);
        explanation.names = written(&explanation.name_ids);
        for note in &mut explanation.stories {
            note.shared_terms = written(&note.shared_term_ids);
        }
        (decision, fact, explanation)
    }
}

/// A term or name as the article writes it: its word; for a name keyed
/// by its sounds, the word and the key's consonant classes ("Zelensky
/// (key:Wln)"); `#` and its hash when no word of the article is read as it.
fn written_as(words: &HashMap<u64, String>, id: u64) -> String {
    let word = words.get(&id);
    if !is_name_id(id) {
        return word.cloned().unwrap_or_else(|| format!("#{id:016x}"));
    }
    let classes: String = (id as u32)
        .to_be_bytes()
        .iter()
        .filter(|c| c.is_ascii_graphic())
        .map(|c| char::from(*c))
        .collect();
    match word {
        Some(word) => format!("{word} (key:{classes})"),
        None => format!("key:{classes}"),
    }
}

/// The words of an article's headline and text by the terms (and name
/// ids) they are read as: each run between spaces that the tokenizer reads
/// as one term, each part of it between other characters that it reads as
/// one, and each pair of Chinese or Japanese characters.
fn words_by_term(a: &ArticleIn<'_>) -> HashMap<u64, String> {
    let mut words = HashMap::default();
    let mut note = |text: &str, token: &crate::text::Token| {
        words.entry(token.hash).or_insert_with(|| text.to_string());
        if token.name_key != 0 {
            words
                .entry(name_id(token.name_key))
                .or_insert_with(|| text.to_string());
        }
    };
    let text = a.title.into_iter().chain([a.text]);
    for run in text.flat_map(str::split_whitespace) {
        let parts = std::iter::once(run).chain(run.split(|c: char| !c.is_alphanumeric()));
        for part in parts.filter(|p| !p.is_empty()) {
            // Read after a word, as a capitalised word inside a sentence is
            // read (the first word of a text is no sign of a name).
            if let [_, one] = tokens(&format!("of {part}")).as_slice() {
                note(part.trim_matches(|c: char| !c.is_alphanumeric()), one);
            }
        }
        let chars: Vec<(usize, char)> = run.char_indices().collect();
        for pair in chars
            .windows(2)
            .filter(|p| p.iter().all(|(_, c)| is_cjk(*c)))
        {
            let pair = &run[pair[0].0..pair[1].0 + pair[1].1.len_utf8()];
            if let [one] = tokens(pair).as_slice() {
                note(pair, one);
            }
        }
    }
    words
}

/// Similarities to three places, as the verdicts print them (an empty
/// sum is -0.0: adding 0.0 writes it 0).
fn rounded<S: serde::Serializer>(x: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*x) * 1000.0).round() / 1000.0 + 0.0)
}

fn rounded_opt<S: serde::Serializer>(x: &Option<f32>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => rounded(x, s),
        None => s.serialize_none(),
    }
}
