//! A pledge: a member's promise to cover (part of) one need of another
//! member's request. It lives in the pledging member's Pledges document, so
//! only the pledger can change or withdraw it; the requester turns it into a
//! mission order with an [`super::Acceptance`] in its own document.
//!
//! This module never checks that the request or the offer exists: replication
//! order is arbitrary and a pledge may arrive before its request.

use serde::{Deserialize, Serialize};

use super::validation::{ValidationError, check_quantity, check_text, check_time};
use crate::ids::{MemberId, RecordId};

/// How long a requester has to accept a pledge, in ms (48 hours). A pledge
/// not accepted within it lapses: it stops counting against the need, so
/// that one member cannot block a need by pledging everything and waiting.
/// An acceptance written later than this after the pledge does not take it
/// up. Both are decided from the records' own timestamps, so every node
/// agrees whatever order the records arrived in.
pub const PLEDGE_ACCEPT_WINDOW_MS: i64 = 48 * 3_600_000;

/// Points at one need of one request of one member.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct RequestRef {
    /// The member that made the request.
    pub requester: MemberId,
    /// The request's record id in the requester's Requests document.
    pub request: RecordId,
    /// The need's id inside the request.
    pub need: RecordId,
}

/// Whether the pledge still stands.
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
pub enum PledgeStatus {
    /// The pledger stands by it.
    Offered,
    /// The pledger took it back.
    Withdrawn,
}

/// A member's pledge against a need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pledge {
    /// The need it covers.
    pub request: RequestRef,
    /// The pledger's own offer it draws on, if any.
    #[serde(default)]
    pub offer: Option<RecordId>,
    /// Units pledged (may be fewer than the need asks for).
    #[schemars(range(min = 1, max = super::validation::QUANTITY_MAX))]
    pub quantity: u32,
    /// Free note to the requester.
    #[serde(default)]
    #[schemars(length(max = super::validation::TEXT_CHARS_MAX))]
    pub note: String,
    /// Whether it still stands.
    pub status: PledgeStatus,
    /// When the pledge was made, ms since the epoch.
    pub created_at_ms: i64,
}

impl Pledge {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_quantity("quantity", self.quantity)?;
        check_text("note", &self.note)?;
        check_time("created_at_ms", self.created_at_ms)
    }

    /// When the pledge lapses unless accepted before.
    pub fn lapses_at_ms(&self) -> i64 {
        self.created_at_ms.saturating_add(PLEDGE_ACCEPT_WINDOW_MS)
    }

    /// Whether the pledge stands against its need at `now_ms`, unless
    /// accepted, withdrawn or declined: from its creation (less the
    /// `RECORD_TIME_SKEW_MS` a fast clock may add) until it lapses. A
    /// pledge dated into the future counts for nothing until then, so
    /// post-dating it cannot keep a need blocked for longer than the
    /// window.
    pub fn counts_at(&self, now_ms: i64) -> bool {
        let made = self
            .created_at_ms
            .saturating_sub(super::RECORD_TIME_SKEW_MS);
        made <= now_ms && now_ms < self.lapses_at_ms()
    }

    /// Whether an acceptance stamped `accepted_at_ms` came in time.
    pub fn accepted_in_time(&self, accepted_at_ms: i64) -> bool {
        accepted_at_ms < self.lapses_at_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{member, pledge};

    #[test]
    fn pledges_are_checked() {
        let base = pledge(member(1), "r1", "n1", Some("o1"), 40);
        assert_eq!(base.validate(), Ok(()));
        let mut p = base.clone();
        p.quantity = 0;
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "quantity: must be at least 1, got 0"
        );
        let mut p = base.clone();
        p.note = "x".repeat(5000);
        assert!(matches!(p.validate(), Err(ValidationError::TooLong { .. })));
        let mut p = base;
        p.created_at_ms = i64::MAX;
        assert!(matches!(
            p.validate(),
            Err(ValidationError::AboveMax { .. })
        ));
    }

    #[test]
    fn member_ids_are_hex_in_json() {
        let p = pledge(member(1), "r1", "n1", None, 1);
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(&"01".repeat(32)), "{json}");
        assert_eq!(serde_json::from_str::<Pledge>(&json).unwrap(), p);
    }
}
