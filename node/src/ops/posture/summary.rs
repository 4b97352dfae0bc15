//! One row of the officer's workspace: where a served member's posture
//! stands, in figures (WiBA progress per topic, BCMS, NIS-2, AKC and IRS
//! eligibility, red flags, findings, last review). Kept apart from the
//! detail so that other views (the pact benchmark, aid linked to posture)
//! can build on the same row.

use std::collections::BTreeMap;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::posture::{
    AkcMilestones, Assessment, Status, WibaCatalogue, wiba_progress,
};
use serde::Serialize;

use super::view::PostureOverview;

/// WiBA progress of one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TopicRow {
    /// The topic id (`wiba_01` …).
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
    /// yes ÷ (yes + no) in thousandths; absent when nothing is yes or no.
    pub progress_permille: Option<u32>,
    /// Share answered (yes, no or not relevant) in thousandths.
    pub answered_permille: u32,
}

/// A member's posture in figures, from the assessment the officer sees
/// (the newest submitted revision, else the member's draft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MemberSummary {
    /// The member.
    pub member: MemberId,
    /// Its name in the membership log.
    pub name: String,
    /// Where the review workflow stands.
    pub status: Status,
    /// The revision summarised; absent when nothing was saved yet.
    pub revision: Option<u32>,
    /// Whether that revision was submitted (else it is a draft).
    pub submitted: bool,
    /// WiBA progress per topic, in catalogue order.
    pub wiba: Vec<TopicRow>,
    /// BCMS stage id (`none`, `reactive`, `build_up`, `standard`).
    pub bcms_stage: Option<String>,
    /// NIS-2 measure id → maturity 0–3.
    pub nis2: BTreeMap<String, u8>,
    /// AKC milestones.
    pub akc: Option<AkcMilestones>,
    /// Whether the member may call the state's Incident Response Service.
    pub irs_eligible: bool,
    /// Red flags not in place (missing counts as not in place).
    pub red_flags_raised: Vec<String>,
    /// Findings not closed.
    pub open_findings: usize,
    /// Open findings past their due date.
    pub overdue_findings: usize,
    /// The earliest due date of an open finding.
    pub next_due_ms: Option<i64>,
    /// When the newest review was made.
    pub last_review_ms: Option<i64>,
    /// Records this node reads but refused (shown in the detail).
    pub refused_records: usize,
}

/// The assessment the officer looks at: the newest submitted revision's,
/// else the newest saved one.
pub fn shown_for_officer(overview: &PostureOverview) -> Option<(u32, &Assessment, bool)> {
    let submitted = overview.submitted_revision();
    if let Some(assessment) = overview.assessments.get(&submitted) {
        return Some((submitted, assessment, true));
    }
    overview
        .assessments
        .iter()
        .next_back()
        .map(|(revision, assessment)| (*revision, assessment, false))
}

/// The figures of one topic list.
pub fn topic_rows(assessment: &Assessment) -> Vec<TopicRow> {
    wiba_progress(assessment, WibaCatalogue::builtin())
        .into_iter()
        .map(|p| TopicRow {
            progress_permille: p.progress_permille(),
            answered_permille: p.answered_permille(),
            topic: p.topic,
            questions: p.questions,
            yes: p.yes,
            no: p.no,
            not_applicable: p.not_applicable,
            open: p.open,
        })
        .collect()
}

/// The row for `overview` (`name` from the membership log), findings
/// judged overdue against `now_ms`.
pub fn member_summary(overview: &PostureOverview, name: String, now_ms: i64) -> MemberSummary {
    let shown = shown_for_officer(overview);
    let assessment = shown.map(|(_, a, _)| a);
    let workflow = &overview.workflow;
    MemberSummary {
        member: overview.member,
        name,
        status: workflow.status.clone(),
        revision: shown.map(|(revision, _, _)| revision),
        submitted: shown.is_some_and(|(_, _, submitted)| submitted),
        wiba: assessment.map(topic_rows).unwrap_or_default(),
        bcms_stage: assessment.map(|a| a.bcms.stage.clone()),
        nis2: assessment.map(|a| a.nis2.clone()).unwrap_or_default(),
        akc: assessment.map(|a| a.akc.clone()),
        irs_eligible: assessment.is_some_and(|a| a.akc.irs_eligible()),
        red_flags_raised: assessment
            .map(|a| {
                a.raised_red_flags()
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        open_findings: workflow.open_findings().count(),
        overdue_findings: workflow.overdue_findings(now_ms).count(),
        next_due_ms: workflow.open_findings().map(|f| f.due_ms).min(),
        last_review_ms: overview.reviews.iter().map(|r| r.body.reviewed_at_ms).max(),
        refused_records: overview.refused.len(),
    }
}
