//! The engine as snapshot formats 3 to 5 wrote it: the same, but for
//! stories without their members' languages. Read, and converted with
//! empty languages (each story's next member adds its own).

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

use super::{ArticleState, Engine, Params, StoryState};
use crate::dense_map::DenseMap;
use crate::lsh::Buckets;
use crate::term_counts::TermCounts;

#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct EngineV5 {
    params: Params,
    articles: DenseMap<ArticleState>,
    order: VecDeque<(i64, u64)>,
    exact: HashMap<u64, u64>,
    buckets: Buckets,
    stories: DenseMap<StoryStateV5>,
    term_index: DenseMap<Vec<u64>>,
    df: TermCounts,
    docs_seen: u64,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct StoryStateV5 {
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

impl From<EngineV5> for Engine {
    fn from(e: EngineV5) -> Engine {
        Engine {
            params: e.params,
            articles: e.articles,
            order: e.order,
            exact: e.exact,
            buckets: e.buckets,
            stories: e.stories.map_values(|s| StoryState {
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
                languages: Vec::new(),
            }),
            term_index: e.term_index,
            df: e.df,
            docs_seen: e.docs_seen,
        }
    }
}

/// For tests: the state as format 5 wrote it.
#[cfg(test)]
impl From<Engine> for EngineV5 {
    fn from(e: Engine) -> EngineV5 {
        EngineV5 {
            params: e.params,
            articles: e.articles,
            order: e.order,
            exact: e.exact,
            buckets: e.buckets,
            stories: e.stories.map_values(|s| StoryStateV5 {
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
            }),
            term_index: e.term_index,
            df: e.df,
            docs_seen: e.docs_seen,
        }
    }
}
