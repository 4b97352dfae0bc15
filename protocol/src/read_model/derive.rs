//! Derived totals: per need (requested, pledged, accepted, open) and per
//! offer (units held by pledges). They are recomputed only for the entries a
//! document update touches, each from the store alone, so the result never
//! depends on the order documents arrived in.
//!
//! The rule for an offer's held units: a pledge of the offer's owner that
//! draws on the offer holds its `quantity` while
//! - its status is `offered`, the requester has not declined it, and
//! - if the requester has accepted it: at least one acceptance is `active`
//!   or `accepted` (a released or closed mission order gives the units back);
//! - if not accepted yet: the request is not known to be `closed` or
//!   `cancelled` (an unknown request may simply not have arrived yet).
//!
//! `remaining = quantity − held`, saturating at 0.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::capacity::Capacity;
use super::store::{RecordAddress, Store, need_of, offer_of, pledge_of, request_of};
use crate::model::{PledgeStatus, Record, RequestRef, RequestStatus};

/// The quantities of one need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NeedTotals {
    /// Units the requester asked for.
    pub requested: u32,
    /// Units pledged by any member, withdrawn and declined pledges not
    /// counted (lapsed ones are, since lapsing depends on the time asked
    /// about: see `NeedView::open_at`).
    pub pledged: u32,
    /// Units the requester accepted (every acceptance for this need in the
    /// requester's document, whatever its status).
    pub accepted: u32,
    /// `requested − pledged`, at least 0: what still needs a pledge.
    pub open: u32,
}

/// Cached derived totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Derived {
    /// One entry per need of every known request.
    pub(crate) needs: BTreeMap<RequestRef, NeedTotals>,
    /// Units held per offer; offers with nothing held have no entry.
    pub(crate) held: BTreeMap<RecordAddress, u32>,
    /// The pact's available capacity (`capacity.rs`), kept as offers
    /// change so that the Lagebild never walks every offer.
    pub(crate) capacity: Capacity,
}

/// The derived entries a document update may have changed.
#[derive(Debug, Default)]
pub(crate) struct Affected {
    needs: BTreeSet<RequestRef>,
    offers: BTreeSet<RecordAddress>,
}

impl Affected {
    /// Notes what depends on the record at `address` (called for the old and the
    /// new version of every record of the document).
    pub(crate) fn touch(&mut self, store: &Store, address: &RecordAddress, record: &Record) {
        let owner = address.owner;
        match record {
            // An offer's own fields decide what it adds to the capacity.
            Record::Offer(_) => {
                self.offers.insert(address.clone());
            }
            Record::Profile(_)
            | Record::Posture(_)
            | Record::EncryptionKey(_)
            | Record::Settlement(_)
            | Record::Incident(_)
            | Record::IncidentStep(_)
            | Record::IncidentReport(_)
            | Record::Timeline(_) => {}
            Record::Decline(decline) => {
                self.needs.insert(RequestRef {
                    requester: owner,
                    request: decline.request.clone(),
                    need: decline.need.clone(),
                });
                let pledge_address = super::store::declined_pledge(decline);
                if let Some(pledge) = store.pledges.get(&pledge_address) {
                    self.offers.extend(offer_of(pledge_address.owner, pledge));
                }
            }
            Record::Request(request) => {
                for need in &request.needs {
                    self.needs.insert(RequestRef {
                        requester: owner,
                        request: address.id.clone(),
                        need: need.id.clone(),
                    });
                }
                // The request's status decides whether unaccepted pledges
                // still hold their offers.
                for (pledge_address, pledge) in
                    store.pledges_in(store.pledges_by_request.get(address))
                {
                    self.offers.extend(offer_of(pledge_address.owner, pledge));
                }
            }
            Record::Pledge(pledge) => {
                self.needs.insert(pledge.request.clone());
                self.offers.extend(offer_of(owner, pledge));
            }
            Record::Acceptance(acceptance) => {
                self.needs.insert(need_of(owner, acceptance));
                let pledge_address = pledge_of(acceptance);
                if let Some(pledge) = store.pledges.get(&pledge_address) {
                    self.offers.extend(offer_of(pledge_address.owner, pledge));
                }
            }
        }
    }

    /// Recomputes every affected entry from the store.
    pub(crate) fn apply(self, store: &Store, derived: &mut Derived) {
        for need in self.needs {
            match need_totals(store, &need) {
                Some(totals) => derived.needs.insert(need, totals),
                None => derived.needs.remove(&need),
            };
        }
        for offer in self.offers {
            let held = held_units(store, &offer);
            match held {
                0 => derived.held.remove(&offer),
                units => derived.held.insert(offer.clone(), units),
            };
            let current = store.offers.get_key_value(&offer);
            let current = current.map(|(address, offer)| (address, &**offer));
            derived.capacity.set(&offer, current, held);
        }
    }
}

/// The totals of one need, if its request is known and has that need.
fn need_totals(store: &Store, key: &RequestRef) -> Option<NeedTotals> {
    let request_address = RecordAddress::new(key.requester, key.request.clone());
    let requested = store
        .requests
        .get(&request_address)?
        .need(&key.need)?
        .quantity;
    let pledged = store
        .pledges_in(store.pledges_by_need.get(key))
        .filter(|(address, pledge)| {
            pledge.status == PledgeStatus::Offered && !store.is_declined(address, pledge)
        })
        .fold(0u32, |sum, (_, pledge)| sum.saturating_add(pledge.quantity));
    let accepted = store
        .acceptances_in(store.acceptances_by_need.get(key))
        .fold(0u32, |sum, (_, acceptance)| {
            sum.saturating_add(acceptance.quantity)
        });
    Some(NeedTotals {
        requested,
        pledged,
        accepted,
        open: requested.saturating_sub(pledged),
    })
}

/// Units of the offer held by its owner's pledges (see the module docs).
fn held_units(store: &Store, offer: &RecordAddress) -> u32 {
    store
        .pledges_in(store.pledges_by_offer.get(offer))
        .filter(|(address, pledge)| pledge_holds(store, address, pledge))
        .fold(0u32, |sum, (_, pledge)| sum.saturating_add(pledge.quantity))
}

fn pledge_holds(store: &Store, address: &RecordAddress, pledge: &crate::model::Pledge) -> bool {
    if pledge.status != PledgeStatus::Offered || store.is_declined(address, pledge) {
        return false;
    }
    let mut accepted = false;
    for (_, acceptance) in store.acceptances_of(address, pledge) {
        if acceptance.is_running() {
            return true;
        }
        accepted = true;
    }
    if accepted {
        return false;
    }
    let request_ended = store
        .requests
        .get(&request_of(pledge))
        .is_some_and(|request| request.status != RequestStatus::Open);
    !request_ended
}
