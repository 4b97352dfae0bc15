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
    MissingKey, OpenPostureError, PosturePayload, PostureRejection, SealedPosture, posture_context,
    posture_readers,
};
