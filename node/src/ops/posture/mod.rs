//! Posture use cases: the member edits and submits its assessment; an
//! officer hosted on this node reviews the members it serves; both see
//! where the workflow stands. Functions over the core (under its lock, so
//! check and write cannot be separated); the adapters add HTTP.
//!
//! Records, all sealed (`crate::sealing`):
//! - in the member's Posture document: `assessment-r<n>-p<k>` (the
//!   working revision `n` in parts that each fit one record, overwritten
//!   while it is edited) and `submission-r<n>`
//!   (the member's signed submission of it); after a submission the next
//!   edit starts revision `n + 1` from a copy;
//! - in the Posture document of the member hosting the officer:
//!   `rv-<member>-<n>-<random>` (the officer's signed review, carried with
//!   its signature, see `SealedPosture::carried_by`).

mod body;
mod detail;
mod summary;
mod view;
mod write;

pub use body::{PostureBody, PostureSaved, PostureSubmitted, ReviewRequest};
pub use detail::{
    FindingRow, PostureAnswer, Viewer, Workspace, member_name, posture_answer, serves, status_word,
    workspace,
};
pub use summary::{MemberSummary, TopicRow, member_summary, shown_for_officer, topic_rows};
pub use view::{PostureOverview, RefusedRecord, posture_overview, served_members};
pub use write::{
    GENERAL_COMMENT, PART_ANSWERS_BYTES_MAX, PostureError, assessment_part_record, review,
    review_record, save_assessment, split_assessment, submit,
};

/// The record id of revision `revision`'s assessment.
pub fn assessment_record(revision: u32) -> String {
    format!("assessment-r{revision}")
}

/// The record id of revision `revision`'s submission.
pub fn submission_record(revision: u32) -> String {
    format!("submission-r{revision}")
}
