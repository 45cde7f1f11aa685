//! The topics newsmill writes, as the broker has them: created with the
//! settings newsmill needs, and checked at start for settings made
//! elsewhere that would refuse its messages or lose its state.

use std::collections::HashMap;

use rdkafka::admin::ResourceSpecifier;

use super::*;

/// The control topic keeps the last command per feed (compacted). The
/// stories topic keeps each story's last summary (compacted) while the
/// story is in the window, and a closed story's for a day after it: a
/// story's summary is sent again with each member, so none in the window
/// is older than the window, and time retention bounds the topic by the
/// window, not by every story ever made. The dedup changelog needs only the
/// active window plus a margin: older facts are evicted on replay anyway,
/// so time retention, never compaction.
pub(super) fn topic_configs(config: &Config) -> Vec<(String, Vec<(&'static str, String)>)> {
    let window_and_a_day = retention_for(config.dedup.window).as_millis().to_string();
    vec![
        (
            config.topics.feeds.clone(),
            vec![("cleanup.policy", "compact".to_string())],
        ),
        (
            config.topics.stories.clone(),
            vec![
                ("cleanup.policy", "compact,delete".to_string()),
                ("retention.ms", window_and_a_day.clone()),
            ],
        ),
        (
            config.topics.dedup_changelog.clone(),
            vec![
                ("cleanup.policy", "delete".to_string()),
                ("retention.ms", window_and_a_day),
            ],
        ),
    ]
}

/// The time retention of the topics the dedup window bounds (the stories
/// and the changelog): the window, plus a day of margin.
fn retention_for(window: Duration) -> Duration {
    window + Duration::from_secs(24 * 3600)
}

impl KafkaBus {
    /// Create the topics that do not exist yet.
    pub async fn ensure_topics(&self, topics: &[&str]) -> Result<(), BusError> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let largest = (self.max_message_bytes + RECORD_OVERHEAD).to_string();
        let new: Vec<NewTopic> = topics
            .iter()
            .map(|t| {
                // A broker's own default (1 MiB) would refuse the larger
                // pages and articles that newsmill lets through.
                let mut topic = NewTopic::new(
                    t,
                    self.partitions,
                    TopicReplication::Fixed(self.replication),
                )
                .set("max.message.bytes", &largest);
                for (name, settings) in &self.topic_configs {
                    if name == t {
                        for (k, v) in settings {
                            topic = topic.set(k, v);
                        }
                    }
                }
                topic
            })
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
        for result in admin.create_topics(new.iter(), &opts).await? {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    return Err(BusError::Fatal(format!("creating topic {topic}: {code}")));
                }
            }
        }
        Ok(())
    }

    /// The topics among `topics` whose `max.message.bytes` is below
    /// `bus.max_message_bytes`, with that limit: a topic made before, by
    /// hand or by a broker's defaults, refuses what newsmill would send.
    /// Topics the broker does not describe are left out.
    pub async fn topics_with_smaller_limits(
        &self,
        topics: &[&str],
    ) -> Result<Vec<(String, usize)>, BusError> {
        Ok(topics
            .iter()
            .zip(self.topic_settings(topics).await?)
            .filter_map(|(topic, settings)| {
                Some((topic.to_string(), self.smaller_limit(&settings)?))
            })
            .collect())
    }

    fn smaller_limit(&self, settings: &HashMap<String, String>) -> Option<usize> {
        settings
            .get("max.message.bytes")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|limit| *limit < self.max_message_bytes)
    }

    /// Warns of settings made elsewhere that newsmill's topics need
    /// otherwise: a raw or clean topic (pages and texts; the others'
    /// messages are a few KB) that takes smaller messages than
    /// `bus.max_message_bytes`, a control topic that is not compacted,
    /// whose commands, and so the feeds added at run time, are deleted
    /// after its retention, and a stories topic compacted with no time
    /// retention (made before round 56), which keeps every story ever made.
    pub async fn warn_of_topic_settings(&self, config: &Config) {
        let t = &config.topics;
        let topics = [
            t.raw.as_str(),
            t.clean.as_str(),
            t.feeds.as_str(),
            t.stories.as_str(),
        ];
        let settings = match self.topic_settings(&topics).await {
            Ok(settings) => settings,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the topics' settings");
                return;
            }
        };
        for (topic, settings) in topics.iter().zip(&settings).take(2) {
            if let Some(limit) = self.smaller_limit(settings) {
                tracing::warn!(
                    topic,
                    max_message_bytes = limit,
                    bus_max_message_bytes = self.max_message_bytes,
                    "the topic takes smaller messages than bus.max_message_bytes: a message the broker refuses there as too large is dead-lettered; raise the topic's max.message.bytes to bus.max_message_bytes plus 64 KiB to keep such messages"
                );
            }
        }
        if let Some(policy) = settings[2]
            .get("cleanup.policy")
            .filter(|p| !p.contains("compact"))
        {
            tracing::warn!(
                topic = topics[2],
                cleanup_policy = %policy,
                "the feeds control topic is not compacted: its commands are deleted after its retention, and a fetcher started after that forgets the feeds added with `newsmill feeds add`; set cleanup.policy=compact"
            );
        }
        if let Some(policy) = settings[3]
            .get("cleanup.policy")
            .filter(|p| p.contains("compact") && !p.contains("delete"))
        {
            let wanted = retention_for(config.dedup.window).as_millis();
            tracing::warn!(
                topic = topics[3],
                cleanup_policy = %policy,
                "the stories topic is compacted with no time retention: it keeps the last summary of every story ever made; set cleanup.policy=compact,delete and retention.ms={wanted} (the dedup window plus a day), so that it holds the window's stories and each closed one for a day"
            );
        }
    }

    /// Refuses a dedup changelog topic that would lose the state it keeps:
    /// its facts share one key, so compaction keeps only the last one, and
    /// a replacement instance would rebuild from it alone. Warns when its
    /// retention is shorter than the window plus a day (a rebuild then
    /// lacks the window's oldest decisions).
    pub async fn check_changelog(&self, topic: &str, window: Duration) -> Result<(), BusError> {
        let settings = match self.topic_settings(&[topic]).await {
            Ok(mut settings) => settings.remove(0),
            // Not a reason to stop: a broker may deny the request (ACLs).
            Err(e) => {
                tracing::warn!(topic, error = %e, "could not read the dedup changelog topic's settings");
                return Ok(());
            }
        };
        if let Some(policy) = settings
            .get("cleanup.policy")
            .filter(|p| p.contains("compact"))
        {
            return Err(BusError::Fatal(format!(
                "the dedup changelog topic {topic} has cleanup.policy={policy}: its facts share one key, so compaction would keep only the last; set cleanup.policy=delete with retention.ms of the window plus a day"
            )));
        }
        let wanted = retention_for(window);
        if let Some(ms) = settings
            .get("retention.ms")
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|ms| *ms >= 0 && (*ms as u128) < wanted.as_millis())
        {
            tracing::warn!(
                topic,
                retention_ms = ms,
                wanted_ms = wanted.as_millis() as u64,
                "the dedup changelog keeps less than the window plus a day: a replacement instance would rebuild without the window's oldest decisions"
            );
        }
        Ok(())
    }

    /// The topics among `topics` the broker does not have. Blocking.
    pub fn missing_topics(&self, topics: &[&str]) -> Result<Vec<String>, BusError> {
        let consumer: BaseConsumer = self.client_config().create()?;
        let metadata = consumer.fetch_metadata(None, METADATA_TIMEOUT)?;
        let present: Vec<&str> = metadata
            .topics()
            .iter()
            .filter(|t| t.error().is_none())
            .map(|t| t.name())
            .collect();
        Ok(topics
            .iter()
            .filter(|t| !present.contains(t))
            .map(|t| t.to_string())
            .collect())
    }

    /// Each topic's settings as the broker describes them (empty for one
    /// it does not describe).
    async fn topic_settings(
        &self,
        topics: &[&str],
    ) -> Result<Vec<HashMap<String, String>>, BusError> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let specifiers: Vec<ResourceSpecifier<'_>> =
            topics.iter().map(|t| ResourceSpecifier::Topic(t)).collect();
        let opts = AdminOptions::new().request_timeout(Some(METADATA_TIMEOUT));
        let described = admin.describe_configs(&specifiers, &opts).await?;
        Ok(described
            .into_iter()
            .map(|resource| {
                resource
                    .map(|r| {
                        r.entries
                            .into_iter()
                            .filter_map(|e| Some((e.name, e.value?)))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect())
    }
}
