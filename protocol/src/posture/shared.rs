//! Posture a member or an officer shares beyond the member and its
//! officers, as aggregates or flags, never answers:
//!
//! - [`AidSummary`]: what a member in need lets the members that pledged
//!   on its request see (IRS eligibility, raised red flags), record
//!   `aid-…` ([`aid_record`]) in the member's own Posture document, sealed
//!   to the member and the pledging members. The member chooses to write
//!   it (its consent); deleting the record withdraws it from what is
//!   sealed afterwards.
//! - [`BenchmarkShare`]: the pact benchmark an officer computed across
//!   the members it serves, one record `bm-…` ([`benchmark_record`]) per
//!   served member, about that member and carried by the officer's host
//!   like a review (the carriage signature of the officer covers the
//!   sealed value), sealed to that member and its officers only.

use serde::{Deserialize, Serialize};

use super::assessment::Assessment;
use super::progress::{BENCHMARK_MEMBERS_MIN, TopicBenchmark};
use crate::identity::sha256;
use crate::ids::MemberId;

/// Prefix of the record ids of aid summaries.
pub const AID_RECORD_PREFIX: &str = "aid-";
/// Prefix of the record ids of benchmark shares.
pub const BENCHMARK_RECORD_PREFIX: &str = "bm-";
/// Most topics a benchmark share may hold (the WiBA catalogue's cap).
pub const BENCHMARK_TOPICS_MAX: usize = super::catalogue::WIBA_TOPICS_MAX;

/// The record id of the aid summary for request `request` (a request id
/// may be as long as a record id, so it is hashed).
pub fn aid_record(request: &str) -> String {
    format!(
        "{AID_RECORD_PREFIX}{}",
        &hex::encode(sha256(request.as_bytes()))[..32]
    )
}

/// The record id of the benchmark share for `member`.
pub fn benchmark_record(member: &MemberId) -> String {
    format!("{BENCHMARK_RECORD_PREFIX}{}", &hex::encode(member.0)[..32])
}

/// Whether record id `record` is an aid summary's: sealed to other
/// members as well (see `SealedPosture::check`).
pub fn is_aid_record(record: &str) -> bool {
    record.starts_with(AID_RECORD_PREFIX)
}

/// How much of its posture a member in need lets pledging helpers see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AidShareLevel {
    /// Whether the state's incident response service may be called in.
    Eligibility,
    /// That, and which red flags are raised (not in place).
    EligibilityAndRedFlags,
}

/// What a pledging helper sees of the requester's posture: flags derived
/// from the member's assessment, never its answers or notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AidSummary {
    /// The request it is shared for.
    pub request: String,
    /// What the member chose to share.
    pub level: AidShareLevel,
    /// Whether the member may call in the state's incident response
    /// service (KDLZ-CS audit, workshop and enrolment done).
    pub irs_eligible: bool,
    /// The red flags not in place, by catalogue id; `None` unless the
    /// level includes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_red_flags: Option<Vec<String>>,
    /// The assessment revision it was derived from.
    pub revision: u32,
    /// When the member shared it, ms since the epoch.
    pub shared_at_ms: i64,
}

impl AidSummary {
    /// The summary of `assessment` (revision `revision`) at `level`.
    pub fn of(
        request: &str,
        level: AidShareLevel,
        revision: u32,
        assessment: &Assessment,
        now_ms: i64,
    ) -> Self {
        let raised = (level == AidShareLevel::EligibilityAndRedFlags).then(|| {
            assessment
                .raised_red_flags()
                .into_iter()
                .map(str::to_owned)
                .collect()
        });
        Self {
            request: request.to_owned(),
            level,
            irs_eligible: assessment.akc.irs_eligible(),
            raised_red_flags: raised,
            revision,
            shared_at_ms: now_ms,
        }
    }

    /// What a reader checks after opening: it is for the request the
    /// record id names, and flags appear only at the level that has them.
    pub fn check(&self, record: &str) -> Result<(), SharedError> {
        if aid_record(&self.request) != record {
            return Err(SharedError::OtherRecord);
        }
        let flags_expected = self.level == AidShareLevel::EligibilityAndRedFlags;
        if self.raised_red_flags.is_some() != flags_expected {
            return Err(SharedError::LevelMismatch);
        }
        Ok(())
    }
}

/// The pact benchmark as an officer shares it with one member it serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkShare {
    /// The member it is shared with.
    pub member: MemberId,
    /// The WiBA catalogue version the progress refers to.
    pub catalogue_version: String,
    /// Min / median / max per topic, only topics with enough members.
    pub topics: Vec<TopicBenchmark>,
    /// When the officer computed it, ms since the epoch.
    pub computed_at_ms: i64,
}

impl BenchmarkShare {
    /// What a reader checks after opening: it is for the record's member,
    /// and no topic summarises fewer than [`BENCHMARK_MEMBERS_MIN`]
    /// members (below that a figure would come close to one member's).
    pub fn check(&self, record_member: &MemberId) -> Result<(), SharedError> {
        if self.member != *record_member {
            return Err(SharedError::OtherRecord);
        }
        if self.topics.len() > BENCHMARK_TOPICS_MAX {
            return Err(SharedError::TooManyTopics);
        }
        let thin = self.topics.iter().any(|topic| {
            topic.members < BENCHMARK_MEMBERS_MIN
                || topic.min > topic.median
                || topic.median > topic.max
                || topic.max > 1000
        });
        if thin {
            return Err(SharedError::TooFewMembers);
        }
        Ok(())
    }
}

/// Why a reader does not use an opened aid summary or benchmark share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SharedError {
    /// It names another request or member than its record.
    #[error("shared posture names another request or member than its record")]
    OtherRecord,
    /// Red flags present at a level without them, or missing at the level
    /// with them.
    #[error("aid summary: red flags do not match the level shared")]
    LevelMismatch,
    /// A topic summarises fewer members than a benchmark may, or its
    /// figures are not in order.
    #[error(
        "benchmark: a topic summarises fewer than {BENCHMARK_MEMBERS_MIN} members or its figures are out of order"
    )]
    TooFewMembers,
    /// More topics than a catalogue has.
    #[error("benchmark: more topics than a catalogue may have")]
    TooManyTopics,
}
