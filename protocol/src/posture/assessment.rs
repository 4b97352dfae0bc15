//! One member's posture self-assessment: WiBA answers, BCMS stage, NIS-2
//! maturity, AKC milestones and red flags, and the rules that make it
//! valid. A pure value; who may read it is `sealed`'s business, what
//! happens to it in review is `review`'s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalogue::{MeasureCatalogue, WibaCatalogue};
use crate::ids::Sha256Hash;

/// Longest note to an answer, in characters.
pub const NOTE_CHARS_MAX: usize = 2_000;
/// Longest evidence document name, in characters.
pub const EVIDENCE_NAME_CHARS_MAX: usize = 200;
/// A share in thousandths: 1,000 is 100 %.
pub const PERMILLE_MAX: u16 = 1_000;

/// The answer to one WiBA question.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// ja
    Yes,
    /// nein
    No,
    /// nicht relevant
    NotApplicable,
    /// offen
    Open,
}

impl Answer {
    /// German label.
    pub fn de(self) -> &'static str {
        match self {
            Answer::Yes => "ja",
            Answer::No => "nein",
            Answer::NotApplicable => "nicht relevant",
            Answer::Open => "offen",
        }
    }
}

/// Where the proof of an answer is kept (the document itself stays with
/// the member).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRef {
    /// Document name, e.g. "Datensicherungskonzept v3".
    #[schemars(length(min = 1, max = EVIDENCE_NAME_CHARS_MAX))]
    pub document: String,
    /// The document's date, ms since the Unix epoch.
    pub date_ms: Option<i64>,
    /// SHA-256 of the document, if known.
    pub sha256: Option<Sha256Hash>,
}

/// One answered question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswer {
    /// The answer.
    pub answer: Answer,
    /// A note (why not relevant, what is planned, …).
    #[serde(default)]
    #[schemars(length(max = NOTE_CHARS_MAX))]
    pub note: String,
    /// Proof, if any.
    #[serde(default)]
    pub evidence: Option<EvidenceRef>,
}

/// BCMS per BSI-Standard 200-4.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bcms {
    /// Stage id from the measure catalogue (`none`, `reactive`, `build_up`, `standard`).
    pub stage: String,
    /// Last business impact analysis, ms since the Unix epoch.
    pub last_bia_ms: Option<i64>,
    /// Last exercise, ms since the Unix epoch.
    pub last_exercise_ms: Option<i64>,
}

/// Hessen's AKC programme milestones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AkcMilestones {
    /// KDLZ-CS stage 1 (the audit) done on this date.
    pub kdlz_cs_stage1_ms: Option<i64>,
    /// Share of stage 1's recommendations implemented, in thousandths.
    #[schemars(range(max = PERMILLE_MAX))]
    pub stage1_recommendations_done_permille: Option<u16>,
    /// KDLZ-CS stage 2 done on this date.
    pub kdlz_cs_stage2_ms: Option<i64>,
    /// BCM training attended on this date.
    pub bcm_training_ms: Option<i64>,
    /// IRS workshop attended on this date.
    pub irs_workshop_ms: Option<i64>,
    /// Enrolled in the Incident Response Service on this date.
    pub irs_enrolled_ms: Option<i64>,
    /// Staff who finished the e-learning, in thousandths.
    #[schemars(range(max = PERMILLE_MAX))]
    pub elearning_permille: Option<u16>,
    /// Click rate of the last phishing simulation, in thousandths.
    #[schemars(range(max = PERMILLE_MAX))]
    pub phishing_click_permille: Option<u16>,
}

impl AkcMilestones {
    /// Whether the member may use the state's Incident Response Service:
    /// it needs the KDLZ-CS audit (stage 1) and the IRS workshop, and the
    /// enrolment.
    pub fn irs_eligible(&self) -> bool {
        self.irs_prerequisites_met() && self.irs_enrolled_ms.is_some()
    }

    fn irs_prerequisites_met(&self) -> bool {
        self.kdlz_cs_stage1_ms.is_some() && self.irs_workshop_ms.is_some()
    }

    /// The programme's prerequisite rules this record breaks, as stable codes.
    pub fn rule_violations(&self) -> Vec<&'static str> {
        let mut broken = Vec::new();
        if self.kdlz_cs_stage2_ms.is_some() {
            if self.kdlz_cs_stage1_ms.is_none() {
                broken.push("stage2_without_stage1");
            } else if self.stage1_recommendations_done_permille != Some(PERMILLE_MAX) {
                broken.push("stage2_before_recommendations_done");
            }
            if let (Some(one), Some(two)) = (self.kdlz_cs_stage1_ms, self.kdlz_cs_stage2_ms)
                && two < one
            {
                broken.push("stage2_before_stage1");
            }
        }
        if self.irs_enrolled_ms.is_some() && !self.irs_prerequisites_met() {
            broken.push("irs_without_audit_and_workshop");
        }
        for share in [
            self.stage1_recommendations_done_permille,
            self.elearning_permille,
            self.phishing_click_permille,
        ]
        .into_iter()
        .flatten()
        {
            if share > PERMILLE_MAX {
                broken.push("share_over_100_percent");
            }
        }
        broken
    }
}

/// A member's self-assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// The WiBA catalogue version the answers refer to.
    pub catalogue_version: String,
    /// Answers by question id; a question not here is unanswered.
    pub wiba: BTreeMap<String, QuestionAnswer>,
    /// BCMS.
    pub bcms: Bcms,
    /// NIS-2 measure id (`a`–`j`) → maturity 0–3.
    pub nis2: BTreeMap<String, u8>,
    /// AKC milestones.
    pub akc: AkcMilestones,
    /// Red flag id → in place.
    pub red_flags: BTreeMap<String, bool>,
    /// Last edit, ms since the Unix epoch.
    pub updated_at_ms: i64,
}

/// One thing wrong with an assessment: a field (question id, `bcms.stage`,
/// `akc`, …) and a stable code, shown to the author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// Where.
    pub field: String,
    /// What, as a stable code.
    pub code: &'static str,
}

impl Assessment {
    /// An empty assessment against `catalogue`: nothing answered.
    pub fn empty(catalogue: &WibaCatalogue, now_ms: i64) -> Self {
        Self {
            catalogue_version: catalogue.version.clone(),
            wiba: BTreeMap::new(),
            bcms: Bcms {
                stage: "none".into(),
                ..Bcms::default()
            },
            nis2: BTreeMap::new(),
            akc: AkcMilestones::default(),
            red_flags: BTreeMap::new(),
            updated_at_ms: now_ms,
        }
    }

    /// Every problem, or none: checked by each reader after opening and by
    /// the author before sealing.
    pub fn validate(&self, catalogue: &WibaCatalogue) -> Result<(), Vec<Problem>> {
        let measures = MeasureCatalogue::builtin();
        let mut problems = Vec::new();
        let mut problem = |field: &str, code: &'static str| {
            problems.push(Problem {
                field: field.to_owned(),
                code,
            });
        };
        if self.catalogue_version != catalogue.version {
            problem("catalogue_version", "other_catalogue_version");
        }
        for (id, answer) in &self.wiba {
            if catalogue.question(id).is_none() {
                problem(id, "unknown_question");
            }
            if answer.note.chars().count() > NOTE_CHARS_MAX {
                problem(id, "note_too_long");
            }
            if let Some(evidence) = &answer.evidence {
                let chars = evidence.document.trim().chars().count();
                if chars == 0 || chars > EVIDENCE_NAME_CHARS_MAX {
                    problem(id, "evidence_name_length");
                }
            }
        }
        if !measures.bcms_stages.iter().any(|e| e.id == self.bcms.stage) {
            problem("bcms.stage", "unknown_bcms_stage");
        }
        for (measure, level) in &self.nis2 {
            if !measures.nis2_measures.iter().any(|e| e.id == *measure) {
                problem(&format!("nis2.{measure}"), "unknown_nis2_measure");
            }
            if *level > 3 {
                problem(&format!("nis2.{measure}"), "maturity_out_of_range");
            }
        }
        for flag in self.red_flags.keys() {
            if !measures.red_flags.iter().any(|e| e.id == *flag) {
                problem(&format!("red_flags.{flag}"), "unknown_red_flag");
            }
        }
        for code in self.akc.rule_violations() {
            problem("akc", code);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The red flags not in place (missing counts as not in place), in
    /// catalogue order.
    pub fn raised_red_flags(&self) -> Vec<&'static str> {
        MeasureCatalogue::builtin()
            .red_flags
            .iter()
            .filter(|e| self.red_flags.get(&e.id) != Some(&true))
            .map(|e| e.id.as_str())
            .collect()
    }
}
