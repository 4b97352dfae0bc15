//! Exercises: an incident or a request is marked as an exercise from the
//! start, and the mark can never change. It is bound to the record id:
//! an exercise's id starts with [`EXERCISE_ID_PREFIX`], and the record's
//! `exercise` field must agree with its id (checked with the record's
//! schema, `model::decode_keyed`). A later version of the record has the
//! same id, so it cannot turn an exercise into a real incident or back;
//! and every record that points at an exercise request (pledges,
//! acceptances, settlements) is known to be one from the id it names, on
//! every node, whatever arrived first.

use crate::ids::RecordId;
use crate::model::ValidationError;
use crate::model::validation::inconsistent;

/// Prefix of the record id of every exercise incident and request.
pub const EXERCISE_ID_PREFIX: &str = "uebung-";
/// The mark on every page, export and notification of an exercise.
pub const EXERCISE_DE: &str = "ÜBUNG";
/// The mark in English.
pub const EXERCISE_EN: &str = "EXERCISE";

/// Whether the incident or request with this id is an exercise.
pub fn is_exercise_id(id: &RecordId) -> bool {
    id.as_str().starts_with(EXERCISE_ID_PREFIX)
}

/// The record's own `exercise` field agrees with its id.
pub(crate) fn check_marker(marked: bool, id: &RecordId) -> Result<(), ValidationError> {
    if marked != is_exercise_id(id) {
        return Err(inconsistent(
            "exercise",
            "an exercise is marked from the start: its id starts with \"uebung-\", and only then",
        ));
    }
    Ok(())
}

/// `subject`, prefixed with the German mark if `exercise`.
pub fn mark_de(exercise: bool, subject: &str) -> String {
    if exercise {
        format!("{EXERCISE_DE} – {subject}")
    } else {
        subject.to_owned()
    }
}

/// `subject`, prefixed with the English mark if `exercise`.
pub fn mark_en(exercise: bool, subject: &str) -> String {
    if exercise {
        format!("{EXERCISE_EN} – {subject}")
    } else {
        subject.to_owned()
    }
}

/// Serde helper: leave `exercise: false` out of the stored form, so real
/// records stay byte-equal to those written before the mark existed.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}
