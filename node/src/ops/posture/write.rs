//! The posture writes: save the working revision, submit it, review it.
//! Each checks, seals and writes under the core's lock; on any error
//! nothing is written.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::model::{RECORD_JSON_BYTES_MAX, Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{
    Assessment, Finding, PosturePayload, Problem, Review, ReviewBody, SealedPosture, Submission,
    Verdict, WibaCatalogue, assessment_hash, officer_serves,
};
use amtshilfe_protocol::replica::WriteError;

use super::view::posture_overview;
use super::{assessment_record, submission_record};
use crate::core::{Core, CoreError};
use crate::random::os_random;
use crate::sealing::open::posture_readers_now;
use crate::sealing::posture::{SealPostureError, own_posture_readers, seal_posture_put};

/// Why a posture write was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PostureError {
    /// The assessment breaks the catalogue's rules (every problem listed).
    #[error("the assessment is not valid: {}", problems_text(.0))]
    Invalid(Vec<Problem>),
    /// Sealing is not possible (no published member key, …).
    #[error(transparent)]
    Seal(#[from] SealPostureError),
    /// Sealed, the record is larger than a record may be.
    #[error("the sealed assessment is too large for one record ({0}); shorten the notes")]
    TooLarge(String),
    /// Nothing to submit: no assessment saved for the working revision.
    #[error("there is no saved assessment to submit")]
    NothingToSubmit,
    /// This node hosts no officer.
    #[error("this node hosts no joint security officer")]
    NoOfficer,
    /// The officer is not appointed to serve this member.
    #[error("the officer is not appointed to serve this member")]
    NotServing,
    /// No submission of this revision (with this content) to review.
    #[error("revision {0} has not been submitted, or was changed")]
    NotSubmitted(u32),
    /// The review breaks a rule (a comment too long or on an unknown
    /// question, a return without a comment, a finding without an id, …):
    /// readers would refuse it, so it is not written.
    #[error("the review is not valid: {0}")]
    InvalidReview(String),
    /// The OS gave no randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// The write itself was refused or failed.
    #[error(transparent)]
    Write(#[from] CoreError),
}

impl PostureError {
    /// A stable code for the API and the pages.
    pub fn code(&self) -> &'static str {
        match self {
            PostureError::Invalid(_) => "invalid_assessment",
            PostureError::Seal(error) => error.code(),
            PostureError::TooLarge(_) => "posture_too_large",
            PostureError::NothingToSubmit => "nothing_to_submit",
            PostureError::NoOfficer => "no_officer_here",
            PostureError::NotServing => "officer_not_serving",
            PostureError::NotSubmitted(_) => "not_submitted",
            PostureError::InvalidReview(_) => "invalid_review",
            PostureError::Random(_) => "no_randomness",
            PostureError::Write(_) => "write_refused",
        }
    }
}

fn problems_text(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{} ({})", p.field, p.code))
        .collect::<Vec<_>>()
        .join(", ")
}

fn entropy() -> Result<[u8; 32], PostureError> {
    os_random().map_err(|e| PostureError::Random(e.to_string()))
}

/// Writes `put` to the node's own Posture document, naming a too-large
/// record as such.
fn write_posture(core: &mut Core, put: RecordOp, now_ms: i64) -> Result<Envelope, PostureError> {
    write_posture_ops(core, &[put], now_ms)
}

fn write_posture_ops(
    core: &mut Core,
    ops: &[RecordOp],
    now_ms: i64,
) -> Result<Envelope, PostureError> {
    core.write(Collection::Posture, ops, now_ms)
        .map_err(|error| match error {
            CoreError::Write(WriteError::Invalid(e)) => PostureError::TooLarge(e.to_string()),
            CoreError::Write(WriteError::TooLarge { bytes }) => {
                PostureError::TooLarge(format!("{bytes} bytes"))
            }
            other => PostureError::Write(other),
        })
}

/// Answers (in bytes of JSON) one part of an assessment carries at most:
/// sealed and hex-encoded, with the other fields and a few readers, a part
/// stays well inside one record (`RECORD_JSON_BYTES_MAX`, 16 KiB).
pub const PART_ANSWERS_BYTES_MAX: usize = 5 * 1024;

/// Splits `assessment` into parts of at most [`PART_ANSWERS_BYTES_MAX`] of
/// WiBA answers each, in question order; every part carries the other
/// fields and the same `updated_at_ms`, which tells the parts of one save
/// from those of an earlier one (`view` merges the newest).
pub fn split_assessment(assessment: &Assessment) -> Vec<Assessment> {
    let empty = Assessment {
        wiba: Default::default(),
        ..assessment.clone()
    };
    let mut parts = Vec::new();
    let mut current = empty.clone();
    let mut bytes = 0;
    for (id, answer) in &assessment.wiba {
        let size = id.len() + serde_json::to_vec(answer).map_or(0, |json| json.len()) + 4;
        if bytes + size > PART_ANSWERS_BYTES_MAX && !current.wiba.is_empty() {
            parts.push(std::mem::replace(&mut current, empty.clone()));
            bytes = 0;
        }
        current.wiba.insert(id.clone(), answer.clone());
        bytes += size;
    }
    parts.push(current);
    parts
}

/// The record id of part `part` of revision `revision`'s assessment.
pub fn assessment_part_record(revision: u32, part: usize) -> String {
    format!("{}-p{part}", assessment_record(revision))
}

/// Saves `assessment` as the member's working revision, split into parts
/// that each fit one record, one write per part; parts an earlier save of
/// the revision left beyond the new count are deleted with the last one.
/// Returns the revision and the envelopes to announce.
pub fn save_assessment(
    core: &mut Core,
    mut assessment: Assessment,
    now_ms: i64,
) -> Result<(u32, Vec<Envelope>), PostureError> {
    assessment
        .validate(WibaCatalogue::builtin())
        .map_err(PostureError::Invalid)?;
    assessment.updated_at_ms = now_ms;
    let member = core.device().member;
    let revision = posture_overview(core, &member).working_revision();
    let parts = split_assessment(&assessment);
    // Seal every part first, so that a part too large refuses the save
    // before anything is written.
    let mut puts = Vec::new();
    for (index, part) in parts.into_iter().enumerate() {
        let id = record_id(assessment_part_record(revision, index));
        let payload = PosturePayload::Assessment {
            revision,
            assessment: part,
        };
        let put = seal_posture_put(core, &id, &payload, entropy()?)?;
        if let RecordOp::Put { json, .. } = &put
            && json.len() > RECORD_JSON_BYTES_MAX
        {
            return Err(PostureError::TooLarge(format!(
                "part {index} is {} bytes sealed",
                json.len()
            )));
        }
        puts.push(put);
    }
    let stale: Vec<RecordOp> = stale_parts(core, &member, revision, puts.len());
    let mut envelopes = Vec::new();
    let last = puts.len() - 1;
    for (index, put) in puts.into_iter().enumerate() {
        let mut ops = vec![put];
        if index == last {
            ops.extend(stale.iter().cloned());
        }
        envelopes.push(write_posture_ops(core, &ops, now_ms)?);
    }
    Ok((revision, envelopes))
}

/// Deletes of the revision's part records numbered `count` and up.
fn stale_parts(core: &Core, member: &MemberId, revision: u32, count: usize) -> Vec<RecordOp> {
    let prefix = format!("{}-p", assessment_record(revision));
    core.replica()
        .read_model()
        .posture_records()
        .filter(|(address, _)| address.owner == *member)
        .filter_map(|(address, _)| {
            let index: usize = address.id.as_str().strip_prefix(&prefix)?.parse().ok()?;
            (index >= count).then(|| RecordOp::Delete {
                key: RecordKey {
                    tag: RecordTag::Posture,
                    id: address.id.clone(),
                }
                .to_string(),
            })
        })
        .collect()
}

/// Submits the working revision, signed by this node's device.
pub fn submit(core: &mut Core, now_ms: i64) -> Result<(u32, Envelope), PostureError> {
    let member = core.device().member;
    let overview = posture_overview(core, &member);
    let revision = overview.working_revision();
    let assessment = overview
        .assessments
        .get(&revision)
        .ok_or(PostureError::NothingToSubmit)?;
    let submission = Submission::sign(
        core.replica().pact_id(),
        member,
        revision,
        assessment,
        now_ms,
        &core.device().key,
    );
    let id = record_id(submission_record(revision));
    let put = seal_posture_put(
        core,
        &id,
        &PosturePayload::Submission(submission),
        entropy()?,
    )?;
    Ok((revision, write_posture(core, put, now_ms)?))
}

/// The hosted officer reviews `member`'s submitted `revision`: accepts it
/// or returns it with comments per question, with findings. The review is
/// sealed to the member and its officers and carried in this node's
/// member's document with the officer's signature.
pub fn review(
    core: &mut Core,
    member: MemberId,
    revision: u32,
    verdict: Verdict,
    findings: Vec<Finding>,
    now_ms: i64,
) -> Result<Envelope, PostureError> {
    review_record(core, member, revision, verdict, findings, now_ms).map(|(_, envelope)| envelope)
}

/// [`review`], also naming the review's record id.
pub fn review_record(
    core: &mut Core,
    member: MemberId,
    revision: u32,
    verdict: Verdict,
    findings: Vec<Finding>,
    now_ms: i64,
) -> Result<(RecordId, Envelope), PostureError> {
    let officer = core
        .seal_identities()
        .officer
        .clone()
        .ok_or(PostureError::NoOfficer)?;
    let replica = core.replica();
    if !officer_serves(
        replica.membership().state(),
        &officer.signing.public(),
        &member,
    ) {
        return Err(PostureError::NotServing);
    }
    let overview = posture_overview(core, &member);
    let submitted = overview
        .submissions
        .iter()
        .find(|s| s.body.revision == revision)
        .ok_or(PostureError::NotSubmitted(revision))?;
    let hash = overview
        .assessments
        .get(&revision)
        .map(assessment_hash)
        .filter(|hash| *hash == submitted.body.assessment_hash)
        .ok_or(PostureError::NotSubmitted(revision))?;
    check_review_content(&verdict, &findings)?;
    let review = Review::sign(
        ReviewBody {
            pact: replica.pact_id(),
            member,
            revision,
            assessment_hash: hash,
            officer: officer.signing.public(),
            verdict,
            findings,
            reviewed_at_ms: now_ms,
        },
        &officer.signing,
    );
    // The rule every reader applies: what it would refuse is not written.
    review
        .check(&replica.pact_id(), replica.membership().state())
        .map_err(|e| PostureError::InvalidReview(e.to_string()))?;
    let pact = replica.pact_id();
    // A review of the host member itself is one of the member's own
    // records: never sealed to a member key this node does not hold.
    let readers = if member == core.device().member {
        own_posture_readers(core)?
    } else {
        posture_readers_now(replica, &member)
            .map_err(|e| PostureError::Seal(SealPostureError::MemberKeyMissing(e)))?
    };
    let random: [u8; 4] = os_random().map_err(|e| PostureError::Random(e.to_string()))?;
    let id = record_id(format!(
        "rv-{}-{revision}-{}",
        hex::encode(&member.0[..8]),
        hex::encode(random)
    ));
    let sealed = SealedPosture::seal(
        &pact,
        member,
        id.as_str(),
        &PosturePayload::Review(review),
        &readers,
        entropy()?,
    )
    .map_err(|e| PostureError::Seal(SealPostureError::Seal(e)))?;
    // A review of the host member itself is one of its own records, which
    // ingress takes only without a carriage; the officer's signature
    // inside the payload still says who judged.
    let host = core.device().member;
    let sealed = if member == host {
        sealed
    } else {
        sealed.carried_by(&host, &officer.signing)
    };
    let put = RecordOp::Put {
        key: RecordKey {
            tag: RecordTag::Posture,
            id: id.clone(),
        }
        .to_string(),
        json: Record::Posture(sealed).to_json(),
    };
    Ok((id, write_posture(core, put, now_ms)?))
}

/// The comment key for remarks on the whole assessment.
pub const GENERAL_COMMENT: &str = "general";

/// What a review must say beyond the readers' bounds, so that the member
/// can act on it: a return carries at least one comment, each on a
/// question of the catalogue (or `general`); every finding has an id of
/// its own and names a known question, if any.
fn check_review_content(verdict: &Verdict, findings: &[Finding]) -> Result<(), PostureError> {
    let catalogue = WibaCatalogue::builtin();
    let known =
        |question: &str| question == GENERAL_COMMENT || catalogue.question(question).is_some();
    let invalid = |text: String| Err(PostureError::InvalidReview(text));
    if let Verdict::Returned { comments } = verdict {
        if comments.values().all(|c| c.trim().is_empty()) {
            return invalid("a returned assessment needs at least one comment".into());
        }
        if let Some(question) = comments.keys().find(|q| !known(q)) {
            return invalid(format!("comment on an unknown question {question:?}"));
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    for finding in findings {
        if finding.id.trim().is_empty() || !ids.insert(finding.id.as_str()) {
            return invalid(format!(
                "finding id {:?} is empty or named twice",
                finding.id
            ));
        }
        if finding.text.trim().is_empty() {
            return invalid(format!("finding {:?} says nothing", finding.id));
        }
        if let Some(question) = finding.question.as_deref().filter(|q| !known(q)) {
            return invalid(format!("finding on an unknown question {question:?}"));
        }
    }
    Ok(())
}

/// Record ids made here are short lower-case ASCII: always valid.
fn record_id(text: String) -> RecordId {
    RecordId::new(text).unwrap_or_else(|_| unreachable!("posture record ids are valid"))
}
