//! The JSON bodies of the posture writes.

use std::collections::BTreeMap;

use amtshilfe_protocol::posture::{
    AkcMilestones, Assessment, Bcms, FINDINGS_PER_REVIEW_MAX, Finding, QuestionAnswer, Verdict,
};
use serde::{Deserialize, Serialize};

/// The body of `PUT /api/posture`: the whole working assessment (the node
/// sets the time of the save).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostureBody {
    /// The WiBA catalogue version the answers refer to (`GET /api/posture`
    /// names the node's).
    pub catalogue_version: String,
    /// Answers by question id; a question not here is unanswered.
    #[serde(default)]
    pub wiba: BTreeMap<String, QuestionAnswer>,
    /// BCMS per BSI-Standard 200-4.
    pub bcms: Bcms,
    /// NIS-2 measure id (`a`–`j`) → maturity 0–3.
    #[serde(default)]
    pub nis2: BTreeMap<String, u8>,
    /// Hessen's AKC milestones.
    #[serde(default)]
    pub akc: AkcMilestones,
    /// Red flag id → in place.
    #[serde(default)]
    pub red_flags: BTreeMap<String, bool>,
}

impl PostureBody {
    /// The assessment it describes, stamped `now_ms`.
    pub fn into_assessment(self, now_ms: i64) -> Assessment {
        Assessment {
            catalogue_version: self.catalogue_version,
            wiba: self.wiba,
            bcms: self.bcms,
            nis2: self.nis2,
            akc: self.akc,
            red_flags: self.red_flags,
            updated_at_ms: now_ms,
        }
    }
}

/// The body of `POST /api/posture/members/{member}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// The submitted revision judged.
    pub revision: u32,
    /// `"accepted"`, or `{"returned": {"comments": {question id or "general": comment}}}`.
    pub verdict: Verdict,
    /// Findings with owner and due date.
    #[serde(default)]
    #[schemars(length(max = FINDINGS_PER_REVIEW_MAX))]
    pub findings: Vec<Finding>,
}

/// What a save answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PostureSaved {
    /// The revision saved (the working one).
    pub revision: u32,
    /// Content hashes of the stored envelopes (one per part), hex.
    pub envelopes: Vec<String>,
}

/// What a submission answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PostureSubmitted {
    /// The revision submitted.
    pub revision: u32,
    /// Content hash of the stored envelope, hex.
    pub envelope: String,
}
