//! Where a member's posture stands, as this node can read it.

use std::collections::BTreeMap;

use amtshilfe_protocol::ids::{MemberId, PublicKey, RecordId};
use amtshilfe_protocol::posture::{
    Assessment, PosturePayload, Review, Submission, Workflow, assessment_hash, workflow,
};

use crate::core::Core;
use crate::sealing::open::open_posture_of;

/// A record this node is a reader of but cannot use: shown to the author
/// with its reason, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RefusedRecord {
    /// The member whose document holds it.
    pub owner: MemberId,
    /// Its record id.
    pub record: RecordId,
    /// Why it does not count.
    pub reason: String,
}

/// A member's posture as this node reads it.
#[derive(Debug, Clone)]
pub struct PostureOverview {
    /// Whose posture.
    pub member: MemberId,
    /// Assessments by revision (from the member's own document only).
    pub assessments: BTreeMap<u32, Assessment>,
    /// Valid submissions (signed for the member, matching an assessment).
    pub submissions: Vec<Submission>,
    /// Valid reviews (signed by an officer serving the member).
    pub reviews: Vec<Review>,
    /// The workflow they give.
    pub workflow: Workflow,
    /// Records that were refused, with the reason.
    pub refused: Vec<RefusedRecord>,
}

impl PostureOverview {
    /// The newest submitted revision, 0 if none.
    pub fn submitted_revision(&self) -> u32 {
        self.submissions
            .iter()
            .map(|s| s.body.revision)
            .max()
            .unwrap_or(0)
    }

    /// The revision the member edits now: the one after the newest
    /// submitted.
    pub fn working_revision(&self) -> u32 {
        self.submitted_revision() + 1
    }

    /// The assessment the member edits now: the working revision's, else a
    /// copy of the newest one, else `None`.
    pub fn working_assessment(&self) -> Option<&Assessment> {
        self.assessments
            .range(..=self.working_revision())
            .next_back()
            .map(|(_, a)| a)
    }

    /// The baseline assessment (the newest accepted revision), if any.
    pub fn baseline(&self) -> Option<(u32, &Assessment)> {
        let (revision, _) = self.workflow.baseline?;
        self.assessments.get(&revision).map(|a| (revision, a))
    }
}

/// Opens and checks every posture record of `member` this node reads.
pub fn posture_overview(core: &Core, member: &MemberId) -> PostureOverview {
    let replica = core.replica();
    let pact = replica.pact_id();
    let state = replica.membership().state();
    let mut assessments = BTreeMap::new();
    let mut submissions = Vec::new();
    let mut reviews = Vec::new();
    let mut refused = Vec::new();
    let opened = open_posture_of(
        replica,
        core.seal_identities(),
        core.device().member,
        member,
    );
    for record in opened {
        let own_document = record.address.owner == *member;
        let verdict = match record.payload {
            Err(error) => Err(error.to_string()),
            Ok(PosturePayload::Assessment { .. }) | Ok(PosturePayload::Submission(_))
                if !own_document =>
            {
                Err("only the member's own document holds its assessments".to_owned())
            }
            Ok(PosturePayload::Assessment {
                revision,
                assessment,
            }) => {
                merge_part(&mut assessments, revision, assessment);
                Ok(())
            }
            Ok(PosturePayload::Submission(submission)) => submission
                .check(&pact, state)
                .map_err(|e| e.to_string())
                .and_then(|()| {
                    if submission.body.member == *member {
                        submissions.push(submission);
                        Ok(())
                    } else {
                        Err("submission for another member".to_owned())
                    }
                }),
            // Shared flags and aggregates (`ops::shared_posture`), read
            // by their own functions; not part of the workflow.
            Ok(PosturePayload::AidSummary(_)) | Ok(PosturePayload::Benchmark(_)) => Ok(()),
            Ok(PosturePayload::Review(review)) => review
                .check(&pact, state)
                .map_err(|e| e.to_string())
                .and_then(|()| {
                    if review.body.member == *member {
                        reviews.push(review);
                        Ok(())
                    } else {
                        Err("review of another member".to_owned())
                    }
                }),
        };
        if let Err(reason) = verdict {
            refused.push(RefusedRecord {
                owner: record.address.owner,
                record: record.address.id,
                reason,
            });
        }
    }
    // A submission counts only with the assessment it names.
    submissions.retain(|s| {
        assessments
            .get(&s.body.revision)
            .is_some_and(|a| assessment_hash(a) == s.body.assessment_hash)
    });
    let workflow = workflow(&submissions, &reviews);
    PostureOverview {
        member: *member,
        assessments,
        submissions,
        reviews,
        workflow,
        refused,
    }
}

/// The members the officer hosted on this node serves (empty without one):
/// those of its appointment that are members still. A removed member
/// stays in the appointment's list, but leaves the workspace, the reviews
/// and the benchmark (its figures in, a share sealed to it) with its
/// removal.
pub fn served_members(core: &Core) -> Vec<MemberId> {
    let Some(officer) = core.seal_identities().officer_key() else {
        return Vec::new();
    };
    officers_members(core, &officer)
}

fn officers_members(core: &Core, officer: &PublicKey) -> Vec<MemberId> {
    let state = core.replica().membership().state();
    state
        .officers()
        .filter(|o| o.key == *officer)
        .flat_map(|o| o.serves.iter().copied())
        .filter(|member| state.is_member(member))
        .collect()
}

/// Adds one part of a revision's assessment (`write::split_assessment`):
/// parts of the newest save (`updated_at_ms`) are merged, parts of an
/// earlier save are dropped.
fn merge_part(assessments: &mut BTreeMap<u32, Assessment>, revision: u32, part: Assessment) {
    match assessments.get_mut(&revision) {
        None => {
            assessments.insert(revision, part);
        }
        Some(merged) if part.updated_at_ms > merged.updated_at_ms => *merged = part,
        Some(merged) if part.updated_at_ms == merged.updated_at_ms => {
            merged.wiba.extend(part.wiba);
        }
        Some(_) => {}
    }
}
