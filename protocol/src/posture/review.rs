//! The review workflow (after CISO Assistant and CIS CSAT): the member
//! submits a revision of its assessment, signed by one of its keys; an
//! officer serving the member accepts it or returns it with comments per
//! question, signed by the officer key; the newest accepted revision is the
//! baseline the next one is compared with.
//!
//! Both signatures travel inside the sealed payload and are checked by the
//! readers against the membership log; the envelope that carries them is
//! checked by ingress as usual. A review names the revision and the hash
//! of the assessment it judged, so a review and an edit that cross lose
//! nothing: the review applies to the revision it saw, the edit becomes
//! the next revision, still waiting for review.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::assessment::{Answer, Assessment};
use crate::identity::{KeyPair, SigningPurpose, sha256, verify};
use crate::ids::{MemberId, PactId, PublicKey, Sha256Hash, SignatureBytes};
use crate::membership::MembershipState;

/// Longest review comment, in characters.
pub const COMMENT_CHARS_MAX: usize = 2_000;
/// Most findings one review may record.
pub const FINDINGS_PER_REVIEW_MAX: usize = 200;

/// The hash a submission and a review name: SHA-256 of the assessment's
/// JSON (struct fields in order, maps sorted, so every node computes it
/// alike).
pub fn assessment_hash(assessment: &Assessment) -> Sha256Hash {
    Sha256Hash(sha256(&serde_json::to_vec(assessment).unwrap_or_default()))
}

/// What a member signs when it submits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionBody {
    /// The pact.
    pub pact: PactId,
    /// The member whose assessment it is.
    pub member: MemberId,
    /// Revision number, counting from 1 per member.
    pub revision: u32,
    /// Hash of the submitted assessment.
    pub assessment_hash: Sha256Hash,
    /// When, ms since the Unix epoch.
    pub submitted_at_ms: i64,
}

/// A signed submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// What is signed.
    pub body: SubmissionBody,
    /// The member key or delegated device that signed.
    pub signer: PublicKey,
    /// Signature for [`SigningPurpose::PostureSubmission`].
    pub signature: SignatureBytes,
}

/// A finding the officer records: what, who fixes it, by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Stable id within the member's findings.
    pub id: String,
    /// The question it is about, if any.
    pub question: Option<String>,
    /// What must be done.
    #[schemars(length(max = COMMENT_CHARS_MAX))]
    pub text: String,
    /// Who at the member is responsible.
    #[schemars(length(max = COMMENT_CHARS_MAX))]
    pub owner: String,
    /// Due date, ms since the Unix epoch.
    pub due_ms: i64,
    /// Closed on this date, if closed.
    pub closed_ms: Option<i64>,
}

/// The officer's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Verdict {
    /// Accepted: the revision becomes the baseline.
    Accepted,
    /// Returned with comments, by question id (or `general`).
    Returned {
        /// Comment per question.
        comments: BTreeMap<String, String>,
    },
}

/// What an officer signs when it reviews.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// The pact.
    pub pact: PactId,
    /// The member reviewed.
    pub member: MemberId,
    /// The revision reviewed.
    pub revision: u32,
    /// Hash of the assessment reviewed.
    pub assessment_hash: Sha256Hash,
    /// The officer key.
    pub officer: PublicKey,
    /// The decision.
    pub verdict: Verdict,
    /// Findings, with owner and due date.
    pub findings: Vec<Finding>,
    /// When, ms since the Unix epoch.
    pub reviewed_at_ms: i64,
}

/// A signed review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// What is signed.
    pub body: ReviewBody,
    /// Signature by `body.officer` for [`SigningPurpose::PostureReview`].
    pub signature: SignatureBytes,
}

/// Why a submission or review does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// Signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// Made for another pact.
    #[error("other pact")]
    OtherPact,
    /// The submission's signer does not speak for the member.
    #[error("the signer does not speak for the member")]
    NotMembersSigner,
    /// The reviewer is not an officer appointed to serve the member.
    #[error("the officer is not appointed to serve this member")]
    NotServingOfficer,
    /// A comment or finding breaks a bound.
    #[error("review content out of bounds")]
    OutOfBounds,
}

impl Submission {
    /// `signer` submits `assessment` as `revision` for `member`.
    pub fn sign(
        pact: PactId,
        member: MemberId,
        revision: u32,
        assessment: &Assessment,
        submitted_at_ms: i64,
        signer: &KeyPair,
    ) -> Self {
        let body = SubmissionBody {
            pact,
            member,
            revision,
            assessment_hash: assessment_hash(assessment),
            submitted_at_ms,
        };
        let signature = signer.sign(SigningPurpose::PostureSubmission, &[&json(&body)]);
        Self {
            body,
            signer: signer.public(),
            signature,
        }
    }

    /// Signature, pact and that the signer speaks for the member.
    pub fn check(&self, pact: &PactId, state: &MembershipState) -> Result<(), ReviewError> {
        if self.body.pact != *pact {
            return Err(ReviewError::OtherPact);
        }
        verify(
            &self.signer,
            SigningPurpose::PostureSubmission,
            &[&json(&self.body)],
            &self.signature,
        )
        .map_err(|_| ReviewError::BadSignature)?;
        if state.member_of_key(&self.signer) != Some(self.body.member) {
            return Err(ReviewError::NotMembersSigner);
        }
        Ok(())
    }
}

impl Review {
    /// `officer` signs `body` (whose `officer` field it sets).
    pub fn sign(mut body: ReviewBody, officer: &KeyPair) -> Self {
        body.officer = officer.public();
        let signature = officer.sign(SigningPurpose::PostureReview, &[&json(&body)]);
        Self { body, signature }
    }

    /// Signature, pact, bounds, and that the officer is appointed and
    /// serves the member in `state`.
    pub fn check(&self, pact: &PactId, state: &MembershipState) -> Result<(), ReviewError> {
        if self.body.pact != *pact {
            return Err(ReviewError::OtherPact);
        }
        verify(
            &self.body.officer,
            SigningPurpose::PostureReview,
            &[&json(&self.body)],
            &self.signature,
        )
        .map_err(|_| ReviewError::BadSignature)?;
        if !officer_serves(state, &self.body.officer, &self.body.member) {
            return Err(ReviewError::NotServingOfficer);
        }
        let too_long = |text: &str| text.chars().count() > COMMENT_CHARS_MAX;
        let comments_ok = match &self.body.verdict {
            Verdict::Accepted => true,
            Verdict::Returned { comments } => comments.values().all(|c| !too_long(c)),
        };
        let findings_ok = self.body.findings.len() <= FINDINGS_PER_REVIEW_MAX
            && self
                .body
                .findings
                .iter()
                .all(|f| !too_long(&f.text) && !too_long(&f.owner) && !f.id.is_empty());
        if comments_ok && findings_ok {
            Ok(())
        } else {
            Err(ReviewError::OutOfBounds)
        }
    }
}

/// Whether `officer` is appointed and serves `member` in `state`.
pub fn officer_serves(state: &MembershipState, officer: &PublicKey, member: &MemberId) -> bool {
    state
        .officers()
        .any(|o| o.key == *officer && o.serves.contains(member))
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Where a member's assessment stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing submitted yet.
    Draft,
    /// The newest revision waits for review.
    Submitted {
        /// The revision.
        revision: u32,
    },
    /// The newest revision came back with comments.
    Returned {
        /// The revision.
        revision: u32,
        /// The comments by question.
        comments: BTreeMap<String, String>,
        /// Who returned it.
        officer: PublicKey,
    },
    /// The newest revision was accepted.
    Accepted {
        /// The revision.
        revision: u32,
        /// Who accepted it.
        officer: PublicKey,
    },
}

/// The workflow as derived from every valid submission and review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Workflow {
    /// Where the newest submitted revision stands.
    pub status: Status,
    /// The baseline: the newest accepted revision and its hash.
    pub baseline: Option<(u32, Sha256Hash)>,
    /// Findings of every review, newest review's version of each id.
    pub findings: Vec<Finding>,
}

/// Derives the workflow from checked submissions and reviews (check them
/// first with their `check`). Order of the inputs does not matter.
pub fn workflow(submissions: &[Submission], reviews: &[Review]) -> Workflow {
    let newest = submissions
        .iter()
        .max_by_key(|s| (s.body.revision, s.body.assessment_hash));
    let judged = |submission: &Submission| {
        reviews
            .iter()
            .filter(|r| {
                r.body.revision == submission.body.revision
                    && r.body.assessment_hash == submission.body.assessment_hash
            })
            .max_by_key(|r| (r.body.reviewed_at_ms, r.signature))
    };
    let status = match newest {
        None => Status::Draft,
        Some(submission) => match judged(submission) {
            None => Status::Submitted {
                revision: submission.body.revision,
            },
            Some(review) => match &review.body.verdict {
                Verdict::Accepted => Status::Accepted {
                    revision: submission.body.revision,
                    officer: review.body.officer,
                },
                Verdict::Returned { comments } => Status::Returned {
                    revision: submission.body.revision,
                    comments: comments.clone(),
                    officer: review.body.officer,
                },
            },
        },
    };
    let baseline = submissions
        .iter()
        .filter(|s| judged(s).is_some_and(|r| r.body.verdict == Verdict::Accepted))
        .map(|s| (s.body.revision, s.body.assessment_hash))
        .max();
    let mut findings: BTreeMap<String, (i64, Finding)> = BTreeMap::new();
    for review in reviews {
        for finding in &review.body.findings {
            let newer = findings
                .get(&finding.id)
                .is_none_or(|(at, _)| review.body.reviewed_at_ms > *at);
            if newer {
                findings.insert(
                    finding.id.clone(),
                    (review.body.reviewed_at_ms, finding.clone()),
                );
            }
        }
    }
    Workflow {
        status,
        baseline,
        findings: findings.into_values().map(|(_, f)| f).collect(),
    }
}

impl Workflow {
    /// Findings not closed.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.closed_ms.is_none())
    }

    /// Open findings whose due date lies before `now_ms` (the caller's clock).
    pub fn overdue_findings(&self, now_ms: i64) -> impl Iterator<Item = &Finding> {
        self.open_findings().filter(move |f| f.due_ms < now_ms)
    }
}

/// One answer that differs from the baseline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AnswerChange {
    /// The question id.
    pub question: String,
    /// The baseline's answer (`None`: unanswered).
    pub from: Option<Answer>,
    /// The current answer (`None`: unanswered).
    pub to: Option<Answer>,
}

/// The WiBA answers that differ between `baseline` and `current`, by question id.
pub fn delta(baseline: &Assessment, current: &Assessment) -> Vec<AnswerChange> {
    let mut questions: Vec<&String> = baseline.wiba.keys().chain(current.wiba.keys()).collect();
    questions.sort();
    questions.dedup();
    questions
        .into_iter()
        .filter_map(|question| {
            let from = baseline.wiba.get(question).map(|a| a.answer);
            let to = current.wiba.get(question).map(|a| a.answer);
            (from != to).then(|| AnswerChange {
                question: question.clone(),
                from,
                to,
            })
        })
        .collect()
}
