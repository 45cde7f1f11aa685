//! `newsmill cluster`: articles decided one line at a time, in file order,
//! as a stream.

use chrono::DateTime;

use crate::engine::{self, ArticleIn, Engine};

/// One line of `newsmill cluster` input.
#[derive(Debug, serde::Deserialize)]
pub struct ClusterIn {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// One line of `newsmill cluster` output.
#[derive(Debug, serde::Serialize)]
pub struct ClusterOut {
    pub id: String,
    pub story_id: String,
    pub kind: &'static str,
    pub duplicate_of: Option<String>,
    pub similarity: f32,
    /// With `--explain`: the candidates weighed and what became of each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<engine::explain::Explanation>,
}

/// Decide one batch line in stream order (arrival = line number, in seconds,
/// so the whole file stays inside the window), with the decision's
/// explanation when `explain`.
pub fn cluster_line(engine: &mut Engine, line: &ClusterIn, seq: i64, explain: bool) -> ClusterOut {
    let published = line
        .published
        .as_deref()
        .or(line.date.as_deref())
        .and_then(|d| {
            DateTime::parse_from_rfc3339(d)
                .ok()
                .map(|x| x.timestamp())
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d")
                        .ok()
                        .map(|n| {
                            n.and_hms_opt(0, 0, 0)
                                .expect("midnight")
                                .and_utc()
                                .timestamp()
                        })
                })
        });
    let domain = line.url.as_deref().map(news_core::ids::url_domain);
    let article = ArticleIn {
        id: &line.id,
        title: line.title.as_deref(),
        text: &line.text,
        at: seq,
        published,
        lang: line.lang.as_deref(),
        source: domain.as_deref().filter(|d| !d.is_empty()),
    };
    let (d, explanation) = if explain {
        let (d, e) = engine.decide_explained(&article);
        (d, Some(e))
    } else {
        (engine.decide(&article), None)
    };
    ClusterOut {
        id: line.id.clone(),
        story_id: d.story_id,
        kind: d.kind.as_str(),
        duplicate_of: d.duplicate_of,
        similarity: (d.similarity * 1000.0).round() / 1000.0,
        explain: explanation,
    }
}
