//! Indexes over the offers, so that a registry page costs about its own
//! offers instead of a scan of the whole pact: the count of offers per
//! owner and status (a deep page of the unfiltered register skips whole
//! owners), and the offers by kind, by equipment category and by
//! quantity (a filter on one of them looks only at the offers that can
//! pass it; a filter for more units than any offer has is answered at
//! once).
//!
//! Like the rest of the store, the index is a pure function of the offers
//! it holds: inserting and removing never depend on order, and empty
//! entries are dropped, so two stores with the same offers compare equal
//! (the update-order property test checks it with the index in).

use std::collections::{BTreeMap, BTreeSet};

use super::store::{RecordAddress, link, unlink};
use crate::ids::MemberId;
use crate::model::{Offer, OfferKind, OfferStatus};

/// The offers' indexes; see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OfferIndex {
    /// Offers per owner, per status.
    pub(crate) counts: BTreeMap<MemberId, BTreeMap<OfferStatus, usize>>,
    pub(crate) by_kind: BTreeMap<OfferKind, BTreeSet<RecordAddress>>,
    pub(crate) by_category: BTreeMap<String, BTreeSet<RecordAddress>>,
    pub(crate) by_quantity: BTreeMap<u32, BTreeSet<RecordAddress>>,
}

impl OfferIndex {
    /// Counts `offer` in at `address`.
    pub(crate) fn add(&mut self, address: &RecordAddress, offer: &Offer) {
        *self
            .counts
            .entry(address.owner)
            .or_default()
            .entry(offer.status)
            .or_default() += 1;
        link(&mut self.by_kind, offer.kind(), address);
        if let Some(category) = offer.equipment_category() {
            link(&mut self.by_category, category.to_owned(), address);
        }
        link(&mut self.by_quantity, offer.quantity(), address);
    }

    /// Takes `offer`, as it was added at `address`, back out.
    pub(crate) fn remove(&mut self, address: &RecordAddress, offer: &Offer) {
        if let Some(statuses) = self.counts.get_mut(&address.owner) {
            if let Some(count) = statuses.get_mut(&offer.status) {
                *count -= 1;
                if *count == 0 {
                    statuses.remove(&offer.status);
                }
            }
            if statuses.is_empty() {
                self.counts.remove(&address.owner);
            }
        }
        unlink(&mut self.by_kind, &offer.kind(), address);
        if let Some(category) = offer.equipment_category() {
            unlink(&mut self.by_category, category, address);
        }
        unlink(&mut self.by_quantity, &offer.quantity(), address);
    }

    /// Offers of `owner` with `status` (`None`: any status).
    pub(crate) fn count_of(&self, owner: &MemberId, status: Option<OfferStatus>) -> usize {
        self.counts.get(owner).map_or(0, |statuses| match status {
            Some(status) => statuses.get(&status).copied().unwrap_or(0),
            None => statuses.values().sum(),
        })
    }

    /// The most units any offer has (0 without offers).
    pub(crate) fn quantity_max(&self) -> u32 {
        self.by_quantity.keys().next_back().copied().unwrap_or(0)
    }
}
