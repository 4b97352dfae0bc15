//! Reimbursement per pair of members at the agreement's rates: for every
//! requester and helper, the mission orders the requester closed with the
//! helper's figures confirmed, their hours, device-days and documented
//! expenses, and what the requester owes under the agreement's model
//! (under Amtshilfe only the extra costs caused, possibly flat-rated:
//! BVerwG 6 C 10/17). Exercises are left out: they are practice, not
//! costs. Orders not yet confirmed are counted apart, never summed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ReadModel;
use super::missions::SettlementState;
use crate::ids::MemberId;
use crate::model::{DAY_MS, OfferKind};
use crate::pact::{Reimbursement, ReimbursementModel};

/// What one requester owes one helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairReimbursement {
    /// The member that asked for help and pays.
    pub requester: MemberId,
    /// The member that helped.
    pub helper: MemberId,
    /// Confirmed mission orders counted.
    pub mission_orders: u32,
    /// Mission orders of the pair still unconfirmed (not counted below).
    pub unconfirmed: u32,
    /// Hours worked, from the helper's confirmed settlements.
    pub hours: u64,
    /// Devices lent times the days of the request's window.
    pub device_days: u64,
    /// Documented extra expenses, euro cents.
    pub expenses_cents: u64,
    /// Hours at the agreement's hourly flat rate, euro cents.
    pub hours_cents: u64,
    /// Device-days at the agreement's flat rate, euro cents.
    pub devices_cents: u64,
    /// What the requester owes the helper, euro cents.
    pub total_cents: u64,
}

impl PairReimbursement {
    fn new(requester: MemberId, helper: MemberId) -> Self {
        Self {
            requester,
            helper,
            mission_orders: 0,
            unconfirmed: 0,
            hours: 0,
            device_days: 0,
            expenses_cents: 0,
            hours_cents: 0,
            devices_cents: 0,
            total_cents: 0,
        }
    }
}

impl ReadModel {
    /// Every pair of members with mission orders, at the rates `rates`
    /// (the agreement's), sorted by requester and helper.
    pub fn reimbursements(&self, rates: &Reimbursement) -> Vec<PairReimbursement> {
        let mut pairs: BTreeMap<(MemberId, MemberId), PairReimbursement> = BTreeMap::new();
        for order in self.mission_orders() {
            if order.exercise {
                continue;
            }
            let requester = order.address.owner;
            let pair = pairs
                .entry((requester, order.pledger))
                .or_insert_with(|| PairReimbursement::new(requester, order.pledger));
            let SettlementState::Confirmed { settlement } = order.settlement else {
                pair.unconfirmed += 1;
                continue;
            };
            pair.mission_orders += 1;
            pair.hours += u64::from(settlement.hours);
            pair.expenses_cents = pair
                .expenses_cents
                .saturating_add(settlement.expenses_cents);
            let request = super::RecordAddress::new(requester, order.acceptance.request.clone());
            if let Some(request) = self.store.requests.get(&request)
                && request
                    .need(&order.acceptance.need)
                    .is_some_and(|need| need.kind == OfferKind::Equipment)
            {
                // Days of the window, a started day counting in full.
                let window_ms = (request.end_ms - request.start_ms).max(0);
                let days = (window_ms + DAY_MS - 1) / DAY_MS;
                pair.device_days += u64::from(order.acceptance.quantity) * days as u64;
            }
        }
        let mut rows: Vec<PairReimbursement> = pairs.into_values().collect();
        for row in &mut rows {
            let (hours_cents, devices_cents, expenses) = match rates.model {
                ReimbursementModel::ExtraCostsFlatRate => (
                    row.hours.saturating_mul(u64::from(rates.hour_rate_cents)),
                    row.device_days
                        .saturating_mul(u64::from(rates.device_day_rate_cents)),
                    row.expenses_cents,
                ),
                ReimbursementModel::ExtraCostsActual => (0, 0, row.expenses_cents),
                ReimbursementModel::None => (0, 0, 0),
            };
            row.hours_cents = hours_cents;
            row.devices_cents = devices_cents;
            row.total_cents = hours_cents
                .saturating_add(devices_cents)
                .saturating_add(expenses);
        }
        rows
    }
}
