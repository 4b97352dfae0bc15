//! What the officer's workspace and the pact benchmark show: WiBA progress
//! per topic, and min / median / max per topic across the members an
//! officer serves, only when enough members contributed that no single
//! answer shows through.

use serde::{Deserialize, Serialize};

use super::assessment::{Answer, Assessment};
use super::catalogue::WibaCatalogue;

/// Fewest members whose progress a benchmark may summarise, in members.
pub const BENCHMARK_MEMBERS_MIN: usize = 3;

/// Answers to one topic's questions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TopicProgress {
    /// The topic id.
    pub topic: String,
    /// Questions in the topic.
    pub questions: u32,
    /// Answered `ja`.
    pub yes: u32,
    /// Answered `nein`.
    pub no: u32,
    /// Answered `nicht relevant`.
    pub not_applicable: u32,
    /// Answered `offen`.
    pub open: u32,
}

impl TopicProgress {
    /// yes ÷ (yes + no) in thousandths; `None` when nothing is yes or no.
    pub fn progress_permille(&self) -> Option<u32> {
        let decided = self.yes + self.no;
        (decided > 0).then(|| self.yes * 1000 / decided)
    }

    /// Share of questions answered yes, no or not relevant, in thousandths.
    pub fn answered_permille(&self) -> u32 {
        if self.questions == 0 {
            return 0;
        }
        (self.yes + self.no + self.not_applicable) * 1000 / self.questions
    }
}

/// Progress per topic of `assessment`, in catalogue order. Answers to
/// questions the catalogue does not have are not counted.
pub fn wiba_progress(assessment: &Assessment, catalogue: &WibaCatalogue) -> Vec<TopicProgress> {
    catalogue
        .topics
        .iter()
        .map(|topic| {
            let mut progress = TopicProgress {
                topic: topic.id.clone(),
                questions: topic.questions.len() as u32,
                ..TopicProgress::default()
            };
            for question in &topic.questions {
                match assessment.wiba.get(&question.id).map(|a| a.answer) {
                    Some(Answer::Yes) => progress.yes += 1,
                    Some(Answer::No) => progress.no += 1,
                    Some(Answer::NotApplicable) => progress.not_applicable += 1,
                    Some(Answer::Open) => progress.open += 1,
                    None => {}
                }
            }
            progress
        })
        .collect()
}

/// One topic of the pact benchmark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicBenchmark {
    /// The topic id.
    pub topic: String,
    /// Members whose progress counted.
    pub members: usize,
    /// Lowest progress, in thousandths.
    pub min: u32,
    /// Median progress, in thousandths (mean of the two middle values
    /// for an even count).
    pub median: u32,
    /// Highest progress, in thousandths.
    pub max: u32,
}

/// The benchmark across `members` (one progress list per member, from
/// [`wiba_progress`] against the same catalogue). A topic appears only when
/// at least [`BENCHMARK_MEMBERS_MIN`] members have a progress for it; with
/// fewer members in all there is no benchmark at all.
pub fn benchmark(members: &[Vec<TopicProgress>]) -> Option<Vec<TopicBenchmark>> {
    if members.len() < BENCHMARK_MEMBERS_MIN {
        return None;
    }
    let topics: Vec<&String> = members.first()?.iter().map(|t| &t.topic).collect();
    let rows = topics
        .into_iter()
        .filter_map(|topic| {
            let mut values: Vec<u32> = members
                .iter()
                .filter_map(|progress| {
                    progress
                        .iter()
                        .find(|t| t.topic == *topic)
                        .and_then(TopicProgress::progress_permille)
                })
                .collect();
            if values.len() < BENCHMARK_MEMBERS_MIN {
                return None;
            }
            values.sort_unstable();
            let n = values.len();
            let median = if n % 2 == 1 {
                values[n / 2]
            } else {
                (values[n / 2 - 1] + values[n / 2]) / 2
            };
            Some(TopicBenchmark {
                topic: topic.clone(),
                members: n,
                min: values[0],
                median,
                max: values[n - 1],
            })
        })
        .collect();
    Some(rows)
}
