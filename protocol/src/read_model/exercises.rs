//! Exercises in the read model: the real figures (which never count an
//! exercise) and the after-action report of an exercise, computed from the
//! records alone: time to the first pledge, time to the first acceptance,
//! the share of needs covered, and the members that did not answer.
//! Which contacts failed (notifications nobody acknowledged) is the node's
//! knowledge, not the records'; the node adds it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{ReadModel, RecordAddress};
use crate::ids::MemberId;
use crate::model::RequestStatus;

/// The pact's figures without exercises.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RealFigures {
    /// Open real requests.
    pub open_requests: usize,
    /// Units still open across them.
    pub open_units: u32,
    /// Real mission orders (any status).
    pub mission_orders: usize,
    /// Open exercise requests, shown apart and counted nowhere else.
    pub open_exercise_requests: usize,
}

/// The after-action report of one exercise request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AfterActionReport {
    /// The exercise request.
    pub request: RecordAddress,
    /// When it was made, ms.
    pub requested_at_ms: i64,
    /// Milliseconds from the request to the first pledge, if any came.
    pub to_first_pledge_ms: Option<i64>,
    /// Milliseconds from the request to the first acceptance, if any.
    pub to_first_acceptance_ms: Option<i64>,
    /// Units asked for, over all needs.
    pub units_requested: u32,
    /// Units accepted, over all needs (at most the units asked for).
    pub units_accepted: u32,
    /// Share of the units asked for that were accepted, in thousandths.
    pub covered_permille: u32,
    /// Members (other than the requester) that pledged nothing.
    #[schemars(with = "Vec<String>")]
    pub not_answered: Vec<MemberId>,
    /// Mission orders of the exercise, and how many of them are closed.
    pub mission_orders: usize,
    /// Closed mission orders.
    pub mission_orders_closed: usize,
}

impl ReadModel {
    /// The figures of the pact with every exercise left out.
    pub fn real_figures(&self) -> RealFigures {
        let mut figures = RealFigures::default();
        for view in self.request_board() {
            if view.request.status != RequestStatus::Open {
                continue;
            }
            if view.exercise {
                figures.open_exercise_requests += 1;
            } else {
                figures.open_requests += 1;
                figures.open_units += view.needs.iter().map(|n| n.totals.open).sum::<u32>();
            }
        }
        figures.mission_orders = self
            .store
            .acceptances
            .values()
            .filter(|acceptance| !crate::pact::is_exercise_id(&acceptance.request))
            .count();
        figures
    }

    /// The after-action report of the exercise request at `address`, given
    /// the pact's current `members`; `None` if it is unknown or no exercise.
    pub fn after_action_report(
        &self,
        address: &RecordAddress,
        members: impl IntoIterator<Item = MemberId>,
    ) -> Option<AfterActionReport> {
        let view = self.request_view(address)?;
        if !view.exercise {
            return None;
        }
        let start = view.request.created_at_ms;
        let pledges: Vec<_> = view.needs.iter().flat_map(|n| n.pledges.iter()).collect();
        let first_pledge = pledges.iter().map(|p| p.pledge.created_at_ms).min();
        let answered: BTreeSet<MemberId> = pledges.iter().map(|p| p.address.owner).collect();
        let orders = self.mission_orders_for_request(address);
        let first_acceptance = orders.iter().map(|o| o.acceptance.accepted_at_ms).min();
        let units_requested: u32 = view.needs.iter().map(|n| n.totals.requested).sum();
        let units_accepted: u32 = view
            .needs
            .iter()
            .map(|n| n.totals.accepted.min(n.totals.requested))
            .sum();
        let covered_permille = if units_requested == 0 {
            0
        } else {
            (u64::from(units_accepted) * 1000 / u64::from(units_requested)) as u32
        };
        Some(AfterActionReport {
            request: address.clone(),
            requested_at_ms: start,
            to_first_pledge_ms: first_pledge.map(|at| at.saturating_sub(start).max(0)),
            to_first_acceptance_ms: first_acceptance.map(|at| at.saturating_sub(start).max(0)),
            units_requested,
            units_accepted,
            covered_permille,
            not_answered: members
                .into_iter()
                .filter(|m| *m != address.owner && !answered.contains(m))
                .collect(),
            mission_orders: orders.len(),
            mission_orders_closed: orders
                .iter()
                .filter(|o| o.acceptance.status == crate::model::AcceptanceStatus::Closed)
                .count(),
        })
    }
}
