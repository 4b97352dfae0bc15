//! The pact's available capacity: the units still free of every available
//! offer, summed by what the offer provides (a person by role, equipment
//! by category, anything else by kind). The Lagebild shows it; it is kept
//! as offers and the pledges on them change (`derive.rs`), each offer's
//! share remembered, so reading it costs the number of kinds, not of
//! offers. Like the rest of the read model it depends only on the records
//! held, never on the order they came in.

use std::collections::BTreeMap;

use serde::Serialize;

use super::store::RecordAddress;
use crate::model::{Offer, OfferDetail, OfferKind, OfferStatus};

/// What an available offer provides, as the Lagebild sums it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CapacityKey {
    /// A person, by role id.
    Role(String),
    /// Equipment, by category id.
    EquipmentCategory(String),
    /// Any other offer, by kind.
    Kind(OfferKind),
}

impl CapacityKey {
    /// What `offer` provides.
    pub fn of(offer: &Offer) -> Self {
        match &offer.detail {
            OfferDetail::Person(person) => Self::Role(person.role.clone()),
            OfferDetail::Equipment(equipment) => {
                Self::EquipmentCategory(equipment.category.clone())
            }
            _ => Self::Kind(offer.kind()),
        }
    }
}

/// Available offers and their free units under one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CapacityTotal {
    /// Available offers.
    pub offers: usize,
    /// Their units still free, summed.
    pub units: u64,
}

/// The totals by key, and what each available offer adds to them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Capacity {
    pub(crate) totals: BTreeMap<CapacityKey, CapacityTotal>,
    shares: BTreeMap<RecordAddress, (CapacityKey, u32)>,
}

impl Capacity {
    /// Sets the share of the offer at `address`: `offer` as it is now
    /// (`None` once it is gone) with `held` of its units held.
    pub(crate) fn set(&mut self, address: RecordAddress, offer: Option<&Offer>, held: u32) {
        if let Some((key, units)) = self.shares.remove(&address)
            && let Some(total) = self.totals.get_mut(&key)
        {
            total.offers -= 1;
            total.units -= u64::from(units);
            if total.offers == 0 {
                self.totals.remove(&key);
            }
        }
        let Some(offer) = offer.filter(|offer| offer.status == OfferStatus::Available) else {
            return;
        };
        let key = CapacityKey::of(offer);
        let units = offer.quantity().saturating_sub(held);
        let total = self.totals.entry(key.clone()).or_default();
        total.offers += 1;
        total.units += u64::from(units);
        self.shares.insert(address, (key, units));
    }
}
