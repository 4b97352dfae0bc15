//! The posture catalogues as data: the WiBA topics and questions
//! (`protocol/catalogues/posture/wiba.json`) and the fixed lists of BCMS
//! stages, NIS-2 measures, red flags and AKC milestones
//! (`measures.json`), each with stable ids, German and English labels and
//! a version.
//!
//! The built-in WiBA questions are our own short wording along the BSI's
//! 19 topics. A municipality loads the official checklist with
//! [`WibaCatalogue::from_json`] (the node reads the file; this crate does
//! no I/O): same shape, its own version string, checked like the built-in
//! one. Assessments name the catalogue version they answer.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::catalogue::Entry;

/// Most WiBA topics a catalogue may hold, in topics (the BSI has 19).
pub const WIBA_TOPICS_MAX: usize = 40;
/// Most questions one topic may hold, in questions.
pub const WIBA_QUESTIONS_PER_TOPIC_MAX: usize = 100;
/// Longest question or topic label, in characters.
pub const WIBA_LABEL_CHARS_MAX: usize = 400;
/// Longest catalogue version string, in characters.
pub const CATALOGUE_VERSION_CHARS_MAX: usize = 40;

/// A WiBA catalogue: topics with their check questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WibaCatalogue {
    /// Always `"wiba"`.
    pub catalogue: String,
    /// The version assessments refer to, e.g. `"2026.1"`.
    pub version: String,
    /// Where the questions come from, in German.
    #[serde(default)]
    pub note_de: String,
    /// Where the questions come from, in English.
    #[serde(default)]
    pub note_en: String,
    /// The topics in display order.
    pub topics: Vec<WibaTopic>,
}

/// One WiBA topic (checklist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WibaTopic {
    /// The topic's number, 1-based.
    pub number: u8,
    /// Stable id: `wiba_` and the number in two digits.
    pub id: String,
    /// German name.
    pub de: String,
    /// English name.
    pub en: String,
    /// The check questions in display order.
    pub questions: Vec<WibaQuestion>,
}

/// One check question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WibaQuestion {
    /// The question's number within its topic, 1-based.
    pub number: u16,
    /// Stable id: the topic's id, `_`, the number in two digits.
    pub id: String,
    /// German text.
    pub de: String,
    /// English text.
    pub en: String,
}

/// Why a WiBA catalogue file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// Not JSON of the expected shape.
    #[error("the file is not a WiBA catalogue: {0}")]
    Malformed(String),
    /// A rule of the catalogue is broken.
    #[error("invalid WiBA catalogue: {0}")]
    Invalid(String),
}

impl WibaCatalogue {
    /// Parses and checks a catalogue file's text.
    pub fn from_json(text: &str) -> Result<Self, CatalogueError> {
        let catalogue: Self =
            serde_json::from_str(text).map_err(|e| CatalogueError::Malformed(e.to_string()))?;
        catalogue.check().map_err(CatalogueError::Invalid)?;
        Ok(catalogue)
    }

    /// The catalogue shipped with the program.
    pub fn builtin() -> &'static WibaCatalogue {
        static BUILTIN: OnceLock<WibaCatalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            match Self::from_json(include_str!("../../catalogues/posture/wiba.json")) {
                Ok(catalogue) => catalogue,
                // The embedded file is checked by a test; no input reaches this.
                Err(error) => unreachable!("built-in WiBA catalogue: {error}"),
            }
        })
    }

    /// The question with this id and its topic.
    pub fn question(&self, id: &str) -> Option<(&WibaTopic, &WibaQuestion)> {
        self.topics
            .iter()
            .find_map(|t| t.questions.iter().find(|q| q.id == id).map(|q| (t, q)))
    }

    /// Number of questions in all topics.
    pub fn question_count(&self) -> usize {
        self.topics.iter().map(|t| t.questions.len()).sum()
    }

    fn check(&self) -> Result<(), String> {
        if self.catalogue != "wiba" {
            return Err(format!(
                "catalogue must be \"wiba\", got {:?}",
                self.catalogue
            ));
        }
        if self.version.is_empty()
            || self.version.chars().count() > CATALOGUE_VERSION_CHARS_MAX
            || !self
                .version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(format!(
                "version must be 1 to {CATALOGUE_VERSION_CHARS_MAX} of A-Z a-z 0-9 . _ -"
            ));
        }
        if self.topics.is_empty() || self.topics.len() > WIBA_TOPICS_MAX {
            return Err(format!("1 to {WIBA_TOPICS_MAX} topics"));
        }
        let mut ids = BTreeSet::new();
        for topic in &self.topics {
            let topic_id = format!("wiba_{:02}", topic.number);
            if topic.number == 0 || topic.id != topic_id {
                return Err(format!("topic {:?} must have the id {topic_id}", topic.id));
            }
            check_labels(&topic.id, &topic.de, &topic.en)?;
            if topic.questions.is_empty() || topic.questions.len() > WIBA_QUESTIONS_PER_TOPIC_MAX {
                return Err(format!(
                    "topic {} needs 1 to {WIBA_QUESTIONS_PER_TOPIC_MAX} questions",
                    topic.id
                ));
            }
            if !ids.insert(topic.id.clone()) {
                return Err(format!("topic {} twice", topic.id));
            }
            for question in &topic.questions {
                let question_id = format!("{topic_id}_{:02}", question.number);
                if question.number == 0 || question.id != question_id {
                    return Err(format!(
                        "question {:?} must have the id {question_id}",
                        question.id
                    ));
                }
                check_labels(&question.id, &question.de, &question.en)?;
                if !ids.insert(question.id.clone()) {
                    return Err(format!("question {} twice", question.id));
                }
            }
        }
        Ok(())
    }
}

fn check_labels(id: &str, de: &str, en: &str) -> Result<(), String> {
    for label in [de, en] {
        if label.trim().is_empty() || label.chars().count() > WIBA_LABEL_CHARS_MAX {
            return Err(format!(
                "{id}: labels must be 1 to {WIBA_LABEL_CHARS_MAX} characters"
            ));
        }
    }
    Ok(())
}

/// The fixed lists: BCMS stages, NIS-2 measures and maturity levels, red
/// flags, AKC milestones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureCatalogue {
    /// Bumped whenever entries are added or labels change.
    pub version: u32,
    /// BCMS stages per BSI-Standard 200-4.
    pub bcms_stages: Vec<Entry>,
    /// NIS-2 Art. 21(2) measures a–j.
    pub nis2_measures: Vec<Entry>,
    /// Maturity levels 0–3.
    pub nis2_maturity: Vec<Entry>,
    /// The red flags.
    pub red_flags: Vec<Entry>,
    /// Hessen's AKC milestones.
    pub akc_milestones: Vec<Entry>,
}

impl MeasureCatalogue {
    /// The lists shipped with the program.
    pub fn builtin() -> &'static MeasureCatalogue {
        static BUILTIN: OnceLock<MeasureCatalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            match serde_json::from_str(include_str!("../../catalogues/posture/measures.json")) {
                Ok(catalogue) => catalogue,
                // The embedded file is checked by a test; no input reaches this.
                Err(error) => unreachable!("built-in measure catalogue: {error}"),
            }
        })
    }
}
