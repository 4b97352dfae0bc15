//! The end of a mission order: the requester declines a pledge it does not
//! want, moves its mission order on (active → released → closed, closing
//! with the figures it confirms), and the helper records its hours and
//! expenses. The rules are `read_model::room_rules` (codes in
//! `RoomRefusal::CODES`), run under the same lock as the write.

use amtshilfe_protocol::ids::{MemberId, RecordId};
use amtshilfe_protocol::model::{
    AcceptanceStatus, EXPENSES_CENTS_MAX, HOURS_RECORDED_MAX, Record, RecordKey, RecordTag,
    TEXT_CHARS_MAX,
};
use amtshilfe_protocol::read_model::room_rules::{
    advance_mission_order, decline_pledge, settle_mission_order,
};
use serde::{Deserialize, Serialize};

use super::write::{Saved, fresh_id, save};
use crate::http::{ApiError, ApiState};

/// Prefix of declines made by this node.
const DECLINE_ID_PREFIX: &str = "d";
/// Prefix of settlements made by this node.
const SETTLEMENT_ID_PREFIX: &str = "st";

/// The body of `POST /api/pledges/{pledger}/{id}/decline`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// Why, for the pledger (may be empty).
    #[serde(default)]
    #[schemars(length(max = TEXT_CHARS_MAX))]
    pub reason: String,
}

/// The body of `POST /api/acceptances/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `active`, `released` or `closed`; only forward.
    pub status: AcceptanceStatus,
    /// Hours worked (released or closed; closing with the helper's figures
    /// confirms them).
    #[serde(default)]
    #[schemars(range(max = HOURS_RECORDED_MAX))]
    pub hours: Option<u32>,
    /// Extra costs, euro cents (with `hours`).
    #[serde(default)]
    #[schemars(range(max = EXPENSES_CENTS_MAX))]
    pub expenses_cents: Option<u64>,
}

/// The body of `POST /api/settlements`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementBody {
    /// The requester whose document holds the acceptance.
    pub requester: MemberId,
    /// The acceptance's id.
    pub acceptance: RecordId,
    /// Hours worked.
    #[schemars(range(max = HOURS_RECORDED_MAX))]
    pub hours: u32,
    /// Extra costs caused, euro cents.
    #[schemars(range(max = EXPENSES_CENTS_MAX))]
    pub expenses_cents: u64,
    /// What the figures cover.
    #[serde(default)]
    #[schemars(length(max = TEXT_CHARS_MAX))]
    pub note: String,
}

/// Declines a pledge on one of this member's requests.
pub(crate) async fn decline(
    state: &ApiState,
    pledger: MemberId,
    pledge: RecordId,
    body: DeclineBody,
) -> Result<Saved, ApiError> {
    let id = fresh_id(DECLINE_ID_PREFIX)?;
    save(state, move |core, now_ms| {
        let me = core.device().member;
        let decline = decline_pledge(
            core.replica().read_model(),
            me,
            pledger,
            &pledge,
            body.reason,
            now_ms,
        )?;
        Ok((
            RecordKey::new(RecordTag::Decline, id),
            Record::Decline(decline),
        ))
    })
    .await
}

/// Moves one of this member's mission orders on.
pub(crate) async fn advance(
    state: &ApiState,
    acceptance: RecordId,
    body: StatusBody,
) -> Result<Saved, ApiError> {
    let figures = match (body.hours, body.expenses_cents) {
        (None, None) => None,
        (hours, cents) => Some((hours.unwrap_or(0), cents.unwrap_or(0))),
    };
    save(state, move |core, _| {
        let me = core.device().member;
        let next = advance_mission_order(
            core.replica().read_model(),
            me,
            &acceptance,
            body.status,
            figures,
        )?;
        Ok((RecordKey::acceptance(acceptance), Record::Acceptance(next)))
    })
    .await
}

/// Records this member's hours and expenses for a mission order that took
/// up one of its pledges.
pub(crate) async fn settle(state: &ApiState, body: SettlementBody) -> Result<Saved, ApiError> {
    let id = fresh_id(SETTLEMENT_ID_PREFIX)?;
    save(state, move |core, now_ms| {
        let me = core.device().member;
        let settlement = settle_mission_order(
            core.replica().read_model(),
            me,
            body.requester,
            &body.acceptance,
            (body.hours, body.expenses_cents, body.note),
            now_ms,
        )?;
        Ok((
            RecordKey::new(RecordTag::Settlement, id),
            Record::Settlement(settlement),
        ))
    })
    .await
}
