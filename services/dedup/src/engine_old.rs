//! The engine as older snapshot formats wrote it, read and converted:
//! - formats 3 to 5: stories without their members' languages (each story's
//!   next member adds its own);
//! - format 6: stories without their count of rewrites, which is taken to be
//!   the member count (copies counted too, as format 6's centroids did);
//! - formats 7 and 8: stories without their sources (each story's next
//!   member adds its own).

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

use super::{ArticleState, Engine, Evictions, Params, StoryState};
use crate::dense_map::DenseMap;
use crate::lsh::Buckets;
use crate::term_counts::TermCounts;

/// The engine of an older format, with that format's stories.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct OldEngine<S> {
    params: Params,
    articles: DenseMap<ArticleState>,
    order: VecDeque<(i64, u64)>,
    exact: HashMap<u64, u64>,
    buckets: Buckets,
    stories: DenseMap<S>,
    term_index: DenseMap<Vec<u64>>,
    df: TermCounts,
    docs_seen: u64,
}

pub(crate) type EngineV5 = OldEngine<StoryStateV5>;
pub(crate) type EngineV6 = OldEngine<StoryStateV6>;
pub(crate) type EngineV8 = OldEngine<StoryStateV8>;

/// Formats 7 and 8's story: format 6's and its count of rewrites.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct StoryStateV8 {
    v6: StoryStateV6,
    rewrites: u32,
}

/// Format 6's story: format 5's and its languages. bincode writes a nested
/// struct's fields in line, so this reads the same bytes as the flat one.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct StoryStateV6 {
    v5: StoryStateV5,
    languages: Vec<String>,
}

/// Format 5's story.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct StoryStateV5 {
    story_id: String,
    title: Option<String>,
    founder: String,
    members: Vec<String>,
    member_count: u32,
    first_seen: i64,
    last_seen: i64,
    published: Option<i64>,
    centroid: Vec<(u64, f32)>,
    names: Vec<(u64, f32)>,
}

impl From<StoryStateV8> for StoryState {
    fn from(StoryStateV8 { v6, rewrites }: StoryStateV8) -> StoryState {
        let StoryStateV6 { v5: s, languages } = v6;
        StoryState {
            story_id: s.story_id,
            title: s.title,
            founder: s.founder,
            members: s.members,
            member_count: s.member_count,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            published: s.published,
            centroid: s.centroid,
            names: s.names,
            languages,
            rewrites,
            sources: Vec::new(),
            unlisted_sources: Vec::new(),
        }
    }
}

impl From<StoryStateV6> for StoryState {
    fn from(v6: StoryStateV6) -> StoryState {
        let rewrites = v6.v5.member_count;
        StoryStateV8 { v6, rewrites }.into()
    }
}

impl From<StoryStateV5> for StoryState {
    fn from(v5: StoryStateV5) -> StoryState {
        StoryStateV6 {
            v5,
            languages: Vec::new(),
        }
        .into()
    }
}

impl<S: Into<StoryState>> From<OldEngine<S>> for Engine {
    fn from(e: OldEngine<S>) -> Engine {
        Engine {
            params: e.params,
            articles: e.articles,
            order: e.order,
            exact: e.exact,
            buckets: e.buckets,
            stories: e.stories.map_values(Into::into),
            term_index: e.term_index,
            df: e.df,
            docs_seen: e.docs_seen,
            name_lists: Default::default(),
            word_lists: None,
            closed: None,
            evictions: Evictions::default(),
            newest_at: 0,
        }
    }
}

/// For tests: the state as an older format wrote it.
#[cfg(test)]
impl<S> OldEngine<S> {
    pub(crate) fn written_as(e: Engine, story: impl FnMut(StoryState) -> S) -> OldEngine<S> {
        OldEngine {
            params: e.params,
            articles: e.articles,
            order: e.order,
            exact: e.exact,
            buckets: e.buckets,
            stories: e.stories.map_values(story),
            term_index: e.term_index,
            df: e.df,
            docs_seen: e.docs_seen,
        }
    }
}

#[cfg(test)]
impl From<StoryState> for StoryStateV8 {
    fn from(s: StoryState) -> StoryStateV8 {
        let rewrites = s.rewrites;
        StoryStateV8 {
            v6: s.into(),
            rewrites,
        }
    }
}

#[cfg(test)]
impl From<StoryState> for StoryStateV6 {
    fn from(s: StoryState) -> StoryStateV6 {
        StoryStateV6 {
            v5: StoryStateV5 {
                story_id: s.story_id,
                title: s.title,
                founder: s.founder,
                members: s.members,
                member_count: s.member_count,
                first_seen: s.first_seen,
                last_seen: s.last_seen,
                published: s.published,
                centroid: s.centroid,
                names: s.names,
            },
            languages: s.languages,
        }
    }
}

#[cfg(test)]
impl From<StoryState> for StoryStateV5 {
    fn from(s: StoryState) -> StoryStateV5 {
        StoryStateV6::from(s).v5
    }
}
