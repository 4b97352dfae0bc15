//! A decline: the requester says no to a pledge, so it stops counting
//! against the need and frees the pledger's offer. It lives in the
//! requester's Requests document next to the request (only the requester
//! decides what it takes up); the pledge itself stays the pledger's.
//!
//! This module never checks that the pledge exists: it may arrive later.

use serde::{Deserialize, Serialize};

use super::acceptance::PledgeRef;
use super::validation::{ValidationError, check_text, check_time};
use crate::ids::RecordId;

/// The requester's refusal of one pledge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    /// The pledge declined.
    pub pledge: PledgeRef,
    /// The requester's request the pledge is for.
    pub request: RecordId,
    /// The need inside that request.
    pub need: RecordId,
    /// Why, for the pledger (may be empty).
    #[serde(default)]
    pub reason: String,
    /// When the requester declined, ms since the epoch.
    pub declined_at_ms: i64,
}

impl Decline {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("reason", &self.reason)?;
        check_time("declined_at_ms", self.declined_at_ms)
    }
}
