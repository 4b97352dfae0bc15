//! Posture: what a joint information security officer reviews for the
//! members it serves (DOMAIN.md "Posture"). Catalogues as data, the
//! member's assessment, the review workflow, progress and the pact
//! benchmark, and the sealed form in which all of it travels (readable by
//! the member and its officers only; see `seal`).
//!
//! Pure values and functions: no clock (times are arguments), no
//! randomness (entropy is an argument), no I/O.

mod assessment;
mod catalogue;
mod progress;
mod review;
mod sealed;
mod shared;

#[cfg(test)]
mod shared_tests;
#[cfg(test)]
mod tests;

pub use assessment::{
    AkcMilestones, Answer, Assessment, Bcms, EVIDENCE_NAME_CHARS_MAX, EvidenceRef, NOTE_CHARS_MAX,
    PERMILLE_MAX, Problem, QuestionAnswer,
};
pub use catalogue::{
    CATALOGUE_VERSION_CHARS_MAX, CatalogueError, MeasureCatalogue, WIBA_LABEL_CHARS_MAX,
    WIBA_QUESTIONS_PER_TOPIC_MAX, WIBA_TOPICS_MAX, WibaCatalogue, WibaQuestion, WibaTopic,
};
pub use progress::{
    BENCHMARK_MEMBERS_MIN, TopicBenchmark, TopicProgress, benchmark, wiba_progress,
};
pub use review::{
    AnswerChange, COMMENT_CHARS_MAX, FINDINGS_PER_REVIEW_MAX, Finding, Review, ReviewBody,
    ReviewError, Status, Submission, SubmissionBody, Verdict, Workflow, assessment_hash, delta,
    officer_serves, workflow,
};
pub use sealed::{
    MissingKey, OfficerCarriage, OpenPostureError, PosturePayload, PostureRejection, SealedPosture,
    posture_context, posture_readers,
};
pub use shared::{
    AID_RECORD_PREFIX, AidShareLevel, AidSummary, BENCHMARK_RECORD_PREFIX, BENCHMARK_TOPICS_MAX,
    BenchmarkShare, SharedError, aid_record, benchmark_record, is_aid_record,
};

/// A posture record sealed to member `[1; 32]` alone, under its key, for
/// tests of code that stores records without opening them.
#[cfg(test)]
pub(crate) fn sample_record() -> (crate::model::RecordKey, crate::model::Record) {
    use crate::ids::{MemberId, PactId, RecordId};
    use crate::model::{Record, RecordKey, RecordTag};
    use crate::seal::{EncryptionSecret, Reader, ReaderId};

    let member = MemberId([1; 32]);
    let reader = Reader {
        id: ReaderId::Member(member),
        key: EncryptionSecret::from_bytes([11; 32]).public(),
    };
    let payload = PosturePayload::Assessment {
        revision: 0,
        assessment: Assessment::empty(WibaCatalogue::builtin(), 0),
    };
    let sealed = SealedPosture::seal(&PactId([0; 32]), member, "r0", &payload, &[reader], [1; 32]);
    let key = RecordKey {
        tag: RecordTag::Posture,
        id: RecordId::new("r0").unwrap(),
    };
    (key, Record::Posture(sealed.unwrap()))
}
