//! A settlement: the helper's account of a finished mission order, hours
//! worked and extra costs caused (under Amtshilfe only those are
//! reimbursable). It lives in the helper's Pledges document next to the
//! pledge, so only the helper records it; the requester confirms it by
//! closing its acceptance with the same figures.
//!
//! This module never compares the two sides; the read model does.

use serde::{Deserialize, Serialize};

use super::acceptance::{EXPENSES_CENTS_MAX, HOURS_RECORDED_MAX};
use super::validation::{ValidationError, check_range, check_text, check_time};
use crate::ids::{MemberId, RecordId};

/// The helper's hours and expenses for one mission order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    /// The helper's own pledge the mission order took up.
    pub pledge: RecordId,
    /// The requester (whose document holds the acceptance).
    pub requester: MemberId,
    /// The acceptance's record id in the requester's Requests document.
    pub acceptance: RecordId,
    /// Hours worked.
    pub hours: u32,
    /// Extra costs caused, euro cents.
    pub expenses_cents: u64,
    /// What the figures cover (may be empty).
    #[serde(default)]
    pub note: String,
    /// When the helper recorded them, ms since the epoch.
    pub recorded_at_ms: i64,
}

impl Settlement {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_range("hours", self.hours, 0, i64::from(HOURS_RECORDED_MAX))?;
        check_range(
            "expenses_cents",
            self.expenses_cents,
            0,
            EXPENSES_CENTS_MAX as i64,
        )?;
        check_text("note", &self.note)?;
        check_time("recorded_at_ms", self.recorded_at_ms)
    }
}
