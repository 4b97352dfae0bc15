//! Mission orders: an acceptance (in the requester's document) joined with
//! the pledge it takes up (in the pledger's document) and the offer the
//! pledge draws on, if any. Both sides see the same view.
//!
//! Replication order is arbitrary, so an acceptance whose pledge has not
//! arrived is shown as awaiting it, never dropped. This module never decides
//! whether a mission order is binding; the signed records do.

use serde::Serialize;

use super::ReadModel;
use super::store::{RecordAddress, offer_of, pledge_of, takes_up};
use crate::ids::{MemberId, RecordId};
use crate::model::{Acceptance, AcceptanceStatus, Offer, Pledge, RequestRef, Settlement};

/// How an acceptance's pledge was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PledgeLink<'a> {
    /// The pledge has not arrived (yet).
    AwaitingPledge,
    /// The pledge is there but points at another request, need or
    /// requester; the acceptance counts for nothing against it.
    Mismatch {
        /// The pledge as found.
        pledge: &'a Pledge,
    },
    /// The pledge fits, but the acceptance was written after the pledge
    /// lapsed; it counts for nothing against it.
    Late {
        /// The pledge as found.
        pledge: &'a Pledge,
    },
    /// The pledge is there and fits.
    Joined {
        /// The pledge.
        pledge: &'a Pledge,
        /// The offer it draws on, if it names one and that has arrived.
        offer: Option<&'a Offer>,
    },
}

/// One mission order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MissionOrder<'a> {
    /// Requester and acceptance id.
    pub address: &'a RecordAddress,
    /// The acceptance.
    pub acceptance: &'a Acceptance,
    /// The pledging member.
    pub pledger: MemberId,
    /// The pledge, as far as it is known.
    pub pledge: PledgeLink<'a>,
    /// The helper's hours and expenses and whether the requester confirmed
    /// them.
    pub settlement: SettlementState<'a>,
    /// For an exercise request (ÜBUNG): never counted in real figures.
    pub exercise: bool,
}

/// Where the settlement of a mission order stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SettlementState<'a> {
    /// The helper has recorded nothing yet.
    NotRecorded,
    /// The helper recorded hours and expenses; the requester has not
    /// closed the mission order yet.
    Recorded {
        /// The helper's latest settlement.
        settlement: &'a Settlement,
    },
    /// The requester closed the mission order with the helper's figures:
    /// the basis for reimbursement.
    Confirmed {
        /// The helper's latest settlement.
        settlement: &'a Settlement,
    },
    /// The requester closed it with other figures than the helper's.
    Differs {
        /// The helper's latest settlement.
        settlement: &'a Settlement,
    },
}

impl ReadModel {
    /// Every mission order, by requester and acceptance id.
    pub fn mission_orders(&self) -> Vec<MissionOrder<'_>> {
        self.store
            .acceptances
            .iter()
            .map(|(address, acceptance)| self.mission_order(address, acceptance))
            .collect()
    }

    /// The mission orders a member is party to, as requester or pledger.
    pub fn mission_orders_of(&self, member: &MemberId) -> Vec<MissionOrder<'_>> {
        self.store
            .acceptances
            .iter()
            .filter(|(address, acceptance)| {
                address.owner == *member || acceptance.pledge.pledger == *member
            })
            .map(|(address, acceptance)| self.mission_order(address, acceptance))
            .collect()
    }

    /// The mission orders of one request: its requester's acceptances for
    /// any of its needs, found by the index by need, not by a walk over
    /// every acceptance of the pact.
    pub fn mission_orders_for_request(&self, request: &RecordAddress) -> Vec<MissionOrder<'_>> {
        let first = RequestRef {
            requester: request.owner,
            request: request.id.clone(),
            need: RecordId::lowest(),
        };
        self.store
            .acceptances_by_need
            .range(first..)
            .take_while(|(key, _)| key.requester == request.owner && key.request == request.id)
            .flat_map(|(_, set)| self.store.acceptances_in(Some(set)))
            .map(|(address, acceptance)| self.mission_order(address, acceptance))
            .collect()
    }

    fn mission_order<'a>(
        &'a self,
        address: &'a RecordAddress,
        acceptance: &'a Acceptance,
    ) -> MissionOrder<'a> {
        let pledge_address = pledge_of(acceptance);
        let link = match self.store.pledges.get(&pledge_address) {
            None => PledgeLink::AwaitingPledge,
            Some(pledge) if !takes_up(address.owner, acceptance, pledge) => {
                if pledge.accepted_in_time(acceptance.accepted_at_ms) {
                    PledgeLink::Mismatch { pledge }
                } else {
                    PledgeLink::Late { pledge }
                }
            }
            Some(pledge) => PledgeLink::Joined {
                pledge,
                offer: offer_of(pledge_address.owner, pledge)
                    .and_then(|offer| self.store.offers.get(&offer))
                    .map(|offer| &**offer),
            },
        };
        MissionOrder {
            address,
            acceptance,
            pledger: pledge_address.owner,
            pledge: link,
            settlement: self.settlement_state(address, acceptance),
            exercise: crate::pact::is_exercise_id(&acceptance.request),
        }
    }

    fn settlement_state<'a>(
        &'a self,
        address: &'a RecordAddress,
        acceptance: &'a Acceptance,
    ) -> SettlementState<'a> {
        // Only the helper's own settlements of its own pledge count; the
        // latest one wins (ties by record id, so every node picks the same).
        let latest = self
            .store
            .settlements_by_acceptance
            .get(address)
            .into_iter()
            .flatten()
            .filter_map(|at| Some((at, self.store.settlements.get(at)?)))
            .filter(|(at, s)| {
                at.owner == acceptance.pledge.pledger && s.pledge == acceptance.pledge.pledge
            })
            .max_by(|(a, x), (b, y)| (x.recorded_at_ms, a).cmp(&(y.recorded_at_ms, b)))
            .map(|(_, settlement)| settlement);
        let Some(settlement) = latest else {
            return SettlementState::NotRecorded;
        };
        if acceptance.status != AcceptanceStatus::Closed {
            return SettlementState::Recorded { settlement };
        }
        let same = acceptance.hours_recorded == Some(settlement.hours)
            && acceptance.expenses_cents == Some(settlement.expenses_cents);
        if same {
            SettlementState::Confirmed { settlement }
        } else {
            SettlementState::Differs { settlement }
        }
    }
}
