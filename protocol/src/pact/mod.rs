//! The pact itself, beyond its member list: the agreement the members
//! signed (kept in the membership log, changed only by majority) and the
//! rules over its 24/7 contacts. Pure values and rules; no I/O, no clock.

pub mod agreement;
pub mod contacts;
mod example;
pub mod exercise;

pub use example::example_agreement;

pub use agreement::{
    AGREEMENT_BYTES_MAX, Agreement, AgreementError, COUNCIL_RESOLUTIONS_MAX, CouncilResolution,
    ExerciseKind, LegalForm, Obligation, RATE_CENTS_MAX, Reimbursement, ReimbursementModel,
    RequestingRole, SCHEDULED_EXERCISES_MAX, ScheduledExercise, Stage, StageReached,
};
pub use contacts::{
    CONTACTS_CONFIRM_DAYS, StaleContacts, StaleReason, contacts_current, stale_contacts,
};
pub use exercise::{
    EXERCISE_DE, EXERCISE_EN, EXERCISE_ID_PREFIX, is_exercise_id, mark_de, mark_en,
};
