//! What the member's posture page and the officer's detail page show, and
//! the JSON the API answers for them: the assessment with its revision,
//! the delta to the baseline, the submissions and reviews with both
//! signatures, the findings, and records refused with their reason.

use amtshilfe_protocol::ids::{MemberId, PublicKey};
use amtshilfe_protocol::posture::{
    AnswerChange, Assessment, Finding, Review, Status, Submission, WibaCatalogue, delta,
};
use serde::Serialize;

use super::summary::{MemberSummary, member_summary, shown_for_officer};
use super::view::{PostureOverview, RefusedRecord, posture_overview, served_members};
use crate::core::Core;

/// Whose eyes the detail is for: the member edits its working revision,
/// the officer reviews what was submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The member's own admins and IT leads.
    Member,
    /// The officer hosted on this node.
    Officer,
}

/// A finding with whether it is overdue now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FindingRow {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// Open and past its due date.
    pub overdue: bool,
}

/// A member's posture as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PostureAnswer {
    /// The figures (the officer's workspace row).
    pub summary: MemberSummary,
    /// The WiBA catalogue version answers refer to.
    pub catalogue_version: String,
    /// The revision the member edits now (the one after the newest submitted).
    pub working_revision: u32,
    /// The revision shown below: the working one for the member, the newest
    /// submitted one for the officer; absent when nothing was saved.
    pub revision: Option<u32>,
    /// Its assessment.
    pub assessment: Option<Assessment>,
    /// The newest accepted revision, if any.
    pub baseline_revision: Option<u32>,
    /// The WiBA answers of the shown assessment that differ from the baseline.
    pub delta: Vec<AnswerChange>,
    /// Every valid submission, each with the member's signature.
    pub submissions: Vec<Submission>,
    /// Every valid review, each with the officer's signature.
    pub reviews: Vec<Review>,
    /// Findings of every review (the newest version of each).
    pub findings: Vec<FindingRow>,
    /// Records this node reads but refused, with the reason (for the author).
    pub refused: Vec<RefusedRecord>,
}

/// The member's name in the membership log, else the start of its id.
pub fn member_name(core: &Core, member: &MemberId) -> String {
    core.replica()
        .membership()
        .state()
        .members()
        .find(|(id, _)| *id == member)
        .map_or_else(|| member.short(), |(_, info)| info.name.clone())
}

/// `member`'s posture for `viewer` (the caller checked that it may see it).
pub fn posture_answer(
    core: &Core,
    member: &MemberId,
    viewer: Viewer,
    now_ms: i64,
) -> PostureAnswer {
    let overview = posture_overview(core, member);
    answer_from(&overview, member_name(core, member), viewer, now_ms)
}

fn answer_from(
    overview: &PostureOverview,
    name: String,
    viewer: Viewer,
    now_ms: i64,
) -> PostureAnswer {
    let shown = match viewer {
        Viewer::Member => overview
            .working_assessment()
            .map(|a| (overview.working_revision(), a)),
        Viewer::Officer => shown_for_officer(overview).map(|(revision, a, _)| (revision, a)),
    };
    let baseline = overview.baseline();
    let changes = match (baseline, shown) {
        (Some((base, from)), Some((revision, to))) if revision != base => delta(from, to),
        _ => Vec::new(),
    };
    let findings = overview
        .workflow
        .findings
        .iter()
        .map(|finding| FindingRow {
            overdue: finding.closed_ms.is_none() && finding.due_ms < now_ms,
            finding: finding.clone(),
        })
        .collect();
    let mut submissions = overview.submissions.clone();
    submissions.sort_by_key(|s| s.body.revision);
    let mut reviews = overview.reviews.clone();
    reviews.sort_by_key(|r| (r.body.revision, r.body.reviewed_at_ms));
    PostureAnswer {
        summary: member_summary(overview, name, now_ms),
        catalogue_version: WibaCatalogue::builtin().version.clone(),
        working_revision: overview.working_revision(),
        revision: shown.map(|(revision, _)| revision),
        assessment: shown.map(|(_, a)| a.clone()),
        baseline_revision: baseline.map(|(revision, _)| revision),
        delta: changes,
        submissions,
        reviews,
        findings,
        refused: overview.refused.clone(),
    }
}

/// The officer's workspace: the officer hosted here and the members it
/// serves, each as a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Workspace {
    /// The officer's key.
    pub officer: PublicKey,
    /// Its name in the membership log.
    pub officer_name: String,
    /// One row per served member.
    pub members: Vec<MemberSummary>,
}

/// The workspace of the officer hosted on this node; `None` without one.
pub fn workspace(core: &Core, now_ms: i64) -> Option<Workspace> {
    let officer = core.seal_identities().officer_key()?;
    let officer_name = core
        .replica()
        .membership()
        .state()
        .officers()
        .find(|o| o.key == officer)
        .map_or_else(String::new, |o| o.name.clone());
    let members = served_members(core)
        .iter()
        .map(|member| {
            let overview = posture_overview(core, member);
            member_summary(&overview, member_name(core, member), now_ms)
        })
        .collect();
    Some(Workspace {
        officer,
        officer_name,
        members,
    })
}

/// Whether the officer hosted here serves `member` now.
pub fn serves(core: &Core, member: &MemberId) -> bool {
    served_members(core).contains(member)
}

/// Where the member's workflow stands, as a word for people.
pub fn status_word(status: &Status) -> &'static str {
    match status {
        Status::Draft => "draft",
        Status::Submitted { .. } => "submitted",
        Status::Returned { .. } => "returned",
        Status::Accepted { .. } => "accepted",
    }
}
