//! The validation error of every record and the small checks the records are
//! made of. Every cap is a named constant with its unit.
//!
//! Checks here are pure functions of one record: they never look at other
//! records, other documents, or the clock (cross-record consistency is the
//! read model's business).

use crate::catalogue::{CatalogueName, catalogues};

/// Longest name or title, in characters.
pub const NAME_CHARS_MAX: usize = 120;
/// Longest short text (a location, a tool, a certificate), in characters.
pub const SHORT_TEXT_CHARS_MAX: usize = 200;
/// Longest free text (a situation, notes, terms), in characters.
pub const TEXT_CHARS_MAX: usize = 4000;
/// Most entries in any list inside a record (skills, needs, windows, …).
pub const LIST_ITEMS_MAX: usize = 32;
/// Largest quantity of anything, in units.
pub const QUANTITY_MAX: u32 = 10_000;
/// Latest timestamp accepted: 9999-12-31T23:59:59.999Z, in ms since the epoch.
pub const TIME_MS_MAX: i64 = 253_402_300_799_999;

/// A record that breaks a rule. `field` is the path of the offending field
/// (`needs[2].quantity`), the message says what is wrong in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A required text is empty.
    #[error("{field}: must not be empty")]
    Empty {
        /// Path of the field.
        field: String,
    },
    /// A text is longer than its cap.
    #[error("{field}: {chars} characters, at most {max} allowed")]
    TooLong {
        /// Path of the field.
        field: String,
        /// Its length in characters.
        chars: usize,
        /// The cap in characters.
        max: usize,
    },
    /// A list has more entries than its cap.
    #[error("{field}: {items} entries, at most {max} allowed")]
    TooMany {
        /// Path of the field.
        field: String,
        /// Number of entries.
        items: usize,
        /// The cap.
        max: usize,
    },
    /// A number is below its minimum (e.g. a quantity of 0).
    #[error("{field}: must be at least {min}, got {value}")]
    BelowMin {
        /// Path of the field.
        field: String,
        /// The value given.
        value: i64,
        /// The smallest value allowed.
        min: i64,
    },
    /// A number is above its maximum.
    #[error("{field}: must be at most {max}, got {value}")]
    AboveMax {
        /// Path of the field.
        field: String,
        /// The value given.
        value: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// A time window ends before (or when) it starts.
    #[error("{field}: the end ({end_ms} ms) is not after the start ({start_ms} ms)")]
    EndNotAfterStart {
        /// Path of the window.
        field: String,
        /// Start, ms since the epoch.
        start_ms: i64,
        /// End, ms since the epoch.
        end_ms: i64,
    },
    /// An id that is not in its catalogue.
    #[error("{field}: unknown {catalogue} {id:?}")]
    UnknownId {
        /// Path of the field.
        field: String,
        /// The catalogue the id should be in.
        catalogue: CatalogueName,
        /// The id given.
        id: String,
    },
    /// A text that does not have the required form (digits only, an e-mail
    /// address, …).
    #[error("{field}: {reason}")]
    BadFormat {
        /// Path of the field.
        field: String,
        /// What form it must have.
        reason: &'static str,
    },
    /// The same id twice in a list.
    #[error("{field}: {id:?} appears more than once")]
    Duplicate {
        /// Path of the list.
        field: String,
        /// The repeated id.
        id: String,
    },
    /// A field that must not be set in this combination, or must be set.
    #[error("{field}: {reason}")]
    Inconsistent {
        /// Path of the field.
        field: String,
        /// Why the combination is wrong.
        reason: &'static str,
    },
}

impl ValidationError {
    /// The path of the offending field (`needs[2].quantity`).
    pub fn field(&self) -> &str {
        match self {
            ValidationError::Empty { field }
            | ValidationError::TooLong { field, .. }
            | ValidationError::TooMany { field, .. }
            | ValidationError::BelowMin { field, .. }
            | ValidationError::AboveMax { field, .. }
            | ValidationError::EndNotAfterStart { field, .. }
            | ValidationError::UnknownId { field, .. }
            | ValidationError::BadFormat { field, .. }
            | ValidationError::Duplicate { field, .. }
            | ValidationError::Inconsistent { field, .. } => field,
        }
    }

    /// A stable, machine-readable name of the kind of fault.
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::Empty { .. } => "empty",
            ValidationError::TooLong { .. } => "too_long",
            ValidationError::TooMany { .. } => "too_many",
            ValidationError::BelowMin { .. } => "below_min",
            ValidationError::AboveMax { .. } => "above_max",
            ValidationError::EndNotAfterStart { .. } => "end_not_after_start",
            ValidationError::UnknownId { .. } => "unknown_id",
            ValidationError::BadFormat { .. } => "bad_format",
            ValidationError::Duplicate { .. } => "duplicate",
            ValidationError::Inconsistent { .. } => "inconsistent",
        }
    }
}

/// A required single-line name: not blank, at most [`NAME_CHARS_MAX`].
pub(crate) fn check_name(field: &str, text: &str) -> Result<(), ValidationError> {
    check_required(field, text)?;
    check_line(field, text, NAME_CHARS_MAX)
}

/// A required single-line short text: not blank, at most
/// [`SHORT_TEXT_CHARS_MAX`].
pub(crate) fn check_short_required(field: &str, text: &str) -> Result<(), ValidationError> {
    check_required(field, text)?;
    check_line(field, text, SHORT_TEXT_CHARS_MAX)
}

/// An optional single-line short text: may be empty.
pub(crate) fn check_short(field: &str, text: &str) -> Result<(), ValidationError> {
    check_line(field, text, SHORT_TEXT_CHARS_MAX)
}

/// Optional free text: may be empty, may hold line breaks and tabs.
pub(crate) fn check_text(field: &str, text: &str) -> Result<(), ValidationError> {
    check_chars(field, text, TEXT_CHARS_MAX)?;
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(bad_format(field, "must not contain control characters"));
    }
    Ok(())
}

fn check_required(field: &str, text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::Empty {
            field: field.into(),
        });
    }
    Ok(())
}

fn check_line(field: &str, text: &str, max: usize) -> Result<(), ValidationError> {
    check_chars(field, text, max)?;
    if text.chars().any(char::is_control) {
        return Err(bad_format(
            field,
            "must be one line without control characters",
        ));
    }
    Ok(())
}

fn check_chars(field: &str, text: &str, max: usize) -> Result<(), ValidationError> {
    // Bytes bound chars from above; count only when it could matter.
    if text.len() > max {
        let chars = text.chars().count();
        if chars > max {
            return Err(ValidationError::TooLong {
                field: field.into(),
                chars,
                max,
            });
        }
    }
    Ok(())
}

/// A list of at most [`LIST_ITEMS_MAX`] entries.
pub(crate) fn check_list<T>(field: &str, items: &[T]) -> Result<(), ValidationError> {
    check_list_max(field, items, LIST_ITEMS_MAX)
}

/// A list of at most `max` entries (a cap other than [`LIST_ITEMS_MAX`]).
pub(crate) fn check_list_max<T>(
    field: &str,
    items: &[T],
    max: usize,
) -> Result<(), ValidationError> {
    if items.len() > max {
        return Err(ValidationError::TooMany {
            field: field.into(),
            items: items.len(),
            max,
        });
    }
    Ok(())
}

/// A number in `min..=max`.
pub(crate) fn check_range(
    field: &str,
    value: impl TryInto<i64>,
    min: i64,
    max: i64,
) -> Result<(), ValidationError> {
    // Only u64 values beyond i64 fail the conversion, and those are above
    // every cap.
    let value = value.try_into().unwrap_or(i64::MAX);
    if value < min {
        return Err(ValidationError::BelowMin {
            field: field.into(),
            value,
            min,
        });
    }
    if value > max {
        return Err(ValidationError::AboveMax {
            field: field.into(),
            value,
            max,
        });
    }
    Ok(())
}

/// A quantity in `1..=QUANTITY_MAX`.
pub(crate) fn check_quantity(field: &str, quantity: u32) -> Result<(), ValidationError> {
    check_range(field, quantity, 1, i64::from(QUANTITY_MAX))
}

/// A timestamp in `0..=TIME_MS_MAX`.
pub(crate) fn check_time(field: &str, ms: i64) -> Result<(), ValidationError> {
    check_range(field, ms, 0, TIME_MS_MAX)
}

/// A window whose end is after its start.
pub(crate) fn check_window(field: &str, start_ms: i64, end_ms: i64) -> Result<(), ValidationError> {
    check_time(&format!("{field}.start_ms"), start_ms)?;
    check_time(&format!("{field}.end_ms"), end_ms)?;
    if end_ms <= start_ms {
        return Err(ValidationError::EndNotAfterStart {
            field: field.into(),
            start_ms,
            end_ms,
        });
    }
    Ok(())
}

/// An id that is in the catalogue `catalogue`.
pub(crate) fn check_id(
    field: &str,
    catalogue: CatalogueName,
    id: &str,
) -> Result<(), ValidationError> {
    if catalogues().get(catalogue).contains(id) {
        Ok(())
    } else {
        Err(ValidationError::UnknownId {
            field: field.into(),
            catalogue,
            id: id.into(),
        })
    }
}

/// No id twice.
pub(crate) fn check_unique<'a>(
    field: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<(), ValidationError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(ValidationError::Duplicate {
                field: field.into(),
                id: id.into(),
            });
        }
    }
    Ok(())
}

pub(crate) fn bad_format(field: &str, reason: &'static str) -> ValidationError {
    ValidationError::BadFormat {
        field: field.into(),
        reason,
    }
}

pub(crate) fn inconsistent(field: &str, reason: &'static str) -> ValidationError {
    ValidationError::Inconsistent {
        field: field.into(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_present_short_and_single_line() {
        assert!(check_name("title", "Notebooks").is_ok());
        assert!(matches!(
            check_name("title", "  "),
            Err(ValidationError::Empty { .. })
        ));
        let long = "ä".repeat(NAME_CHARS_MAX + 1);
        assert_eq!(
            check_name("title", &long),
            Err(ValidationError::TooLong {
                field: "title".into(),
                chars: NAME_CHARS_MAX + 1,
                max: NAME_CHARS_MAX
            })
        );
        // Multi-byte characters count once each.
        assert!(check_name("title", &"ä".repeat(NAME_CHARS_MAX)).is_ok());
        assert!(matches!(
            check_name("title", "a\nb"),
            Err(ValidationError::BadFormat { .. })
        ));
    }

    #[test]
    fn free_text_may_break_lines_but_not_hold_other_controls() {
        assert!(check_text("notes", "").is_ok());
        assert!(check_text("notes", "a\n\tb").is_ok());
        assert!(check_text("notes", "a\u{7}b").is_err());
        assert!(check_text("notes", &"x".repeat(TEXT_CHARS_MAX + 1)).is_err());
        assert!(check_short("location", &"x".repeat(SHORT_TEXT_CHARS_MAX + 1)).is_err());
        assert!(check_short_required("location", "").is_err());
    }

    #[test]
    fn numbers_windows_lists_ids() {
        let error = check_quantity("quantity", 0).unwrap_err();
        assert_eq!(error.to_string(), "quantity: must be at least 1, got 0");
        assert_eq!(error.field(), "quantity");
        assert!(check_quantity("quantity", QUANTITY_MAX + 1).is_err());
        assert!(check_range("x", u64::MAX, 0, 10).is_err());
        assert!(check_time("t", -1).is_err());
        assert!(check_time("t", TIME_MS_MAX + 1).is_err());
        assert!(matches!(
            check_window("w", 10, 10),
            Err(ValidationError::EndNotAfterStart { .. })
        ));
        assert!(check_window("w", 10, 11).is_ok());
        assert!(check_list("l", &[0; LIST_ITEMS_MAX]).is_ok());
        assert!(matches!(
            check_list("l", &[0; LIST_ITEMS_MAX + 1]),
            Err(ValidationError::TooMany { .. })
        ));
        let error = check_id("role", CatalogueName::Role, "janitor").unwrap_err();
        assert_eq!(error.to_string(), "role: unknown role \"janitor\"");
        assert!(check_id("role", CatalogueName::Role, "lead").is_ok());
        assert!(matches!(
            check_unique("skills", ["a", "b", "a"]),
            Err(ValidationError::Duplicate { .. })
        ));
    }
}
