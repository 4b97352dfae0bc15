//! An acceptance: the requester takes up a pledge, which turns it into a
//! binding mission order. It lives in the requester's Requests document next
//! to the request, so only the requester can accept, release or close; hours
//! and expenses are recorded at the end for reimbursement (under Amtshilfe
//! only the extra costs caused are reimbursable).
//!
//! This module never checks that the pledge exists: it may arrive later.

use serde::{Deserialize, Serialize};

use super::validation::{
    ValidationError, check_quantity, check_range, check_text, check_time, inconsistent,
};
use crate::ids::{MemberId, RecordId};

/// Most hours recorded for one mission order.
pub const HOURS_RECORDED_MAX: u32 = 100_000;
/// Most expenses recorded for one mission order, in euro cents (10 million €).
pub const EXPENSES_CENTS_MAX: u64 = 1_000_000_000;

/// Points at one pledge in the pledger's Pledges document.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct PledgeRef {
    /// The pledging member.
    pub pledger: MemberId,
    /// The pledge's record id.
    pub pledge: RecordId,
}

/// Where a mission order is in its life: accepted → active → released →
/// closed. A mission order may start as `active` at once (the helper is
/// already working when the requester accepts).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceStatus {
    /// Accepted and binding; the helper has not arrived or started yet.
    Accepted,
    /// The mission is on: the helper arrived or remote access started.
    Active,
    /// The resource has been sent back.
    Released,
    /// Settled: hours and expenses recorded.
    Closed,
}

/// A requester's acceptance of a pledge: the mission order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The pledge taken up.
    pub pledge: PledgeRef,
    /// The requester's request the pledge is for.
    pub request: RecordId,
    /// The need inside that request.
    pub need: RecordId,
    /// Units accepted (may be fewer than pledged).
    pub quantity: u32,
    /// When the requester accepted, ms since the epoch.
    pub accepted_at_ms: i64,
    /// Agreed terms, free text.
    #[serde(default)]
    pub terms: Option<String>,
    /// Where the mission order is in its life.
    pub status: AcceptanceStatus,
    /// Hours worked, recorded at release or closing.
    #[serde(default)]
    pub hours_recorded: Option<u32>,
    /// Extra costs caused, euro cents, recorded at release or closing.
    #[serde(default)]
    pub expenses_cents: Option<u64>,
}

impl Acceptance {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_quantity("quantity", self.quantity)?;
        check_time("accepted_at_ms", self.accepted_at_ms)?;
        if let Some(terms) = &self.terms {
            check_text("terms", terms)?;
        }
        let settling = self.is_finished();
        if let Some(hours) = self.hours_recorded {
            if !settling {
                return Err(inconsistent(
                    "hours_recorded",
                    "recorded only when the mission order is released or closed",
                ));
            }
            check_range("hours_recorded", hours, 0, i64::from(HOURS_RECORDED_MAX))?;
        }
        if let Some(cents) = self.expenses_cents {
            if !settling {
                return Err(inconsistent(
                    "expenses_cents",
                    "recorded only when the mission order is released or closed",
                ));
            }
            check_range("expenses_cents", cents, 0, EXPENSES_CENTS_MAX as i64)?;
        }
        Ok(())
    }

    /// The mission order is over (the resource is back).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status,
            AcceptanceStatus::Released | AcceptanceStatus::Closed
        )
    }

    /// The mission order binds the resource (accepted or active).
    pub fn is_running(&self) -> bool {
        !self.is_finished()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{acceptance, member};

    #[test]
    fn acceptances_are_checked() {
        let base = acceptance(member(2), "p1", "r1", "n1", 4);
        assert_eq!(base.validate(), Ok(()));
        let mut a = base.clone();
        a.quantity = 0;
        assert!(
            matches!(a.validate(), Err(ValidationError::BelowMin { field, .. }) if field == "quantity")
        );
        let mut a = base.clone();
        a.accepted_at_ms = -1;
        assert!(a.validate().is_err());
        let mut a = base.clone();
        a.terms = Some("t".repeat(5000));
        assert!(matches!(a.validate(), Err(ValidationError::TooLong { .. })));
        let mut a = base.clone();
        a.hours_recorded = Some(12);
        assert!(
            matches!(a.validate(), Err(ValidationError::Inconsistent { field, .. }) if field == "hours_recorded")
        );
        a.status = AcceptanceStatus::Closed;
        assert_eq!(a.validate(), Ok(()));
        a.hours_recorded = Some(HOURS_RECORDED_MAX + 1);
        assert!(matches!(
            a.validate(),
            Err(ValidationError::AboveMax { .. })
        ));
        let mut a = base;
        a.expenses_cents = Some(100);
        assert!(
            matches!(a.validate(), Err(ValidationError::Inconsistent { field, .. }) if field == "expenses_cents")
        );
        a.status = AcceptanceStatus::Released;
        assert_eq!(a.validate(), Ok(()));
        a.expenses_cents = Some(EXPENSES_CENTS_MAX + 1);
        assert!(a.validate().is_err());
    }
}
