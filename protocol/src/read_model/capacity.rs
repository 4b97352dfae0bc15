//! The pact's available capacity: the units still free of every available
//! offer, summed by what the offer provides (a person by role, equipment
//! by category, anything else by kind). The Lagebild shows it; it is kept
//! as offers and the pledges on them change (`derive.rs`), each offer's
//! share remembered, so reading it costs the number of kinds, not of
//! offers. Like the rest of the read model it depends only on the records
//! held, never on the order they came in.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use super::store::{RecordAddress, SharedAddress};
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
///
/// A share is kept per available offer, so it is kept small: the offer's
/// address is the offers' map's own (`SharedAddress`), and its key one of
/// `keys`, shared by every offer under it. With an address and a key of its
/// own each, the shares were about 12 MiB of the scale benchmark's 50,000
/// offers; now about 2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Capacity {
    pub(crate) totals: BTreeMap<CapacityKey, CapacityTotal>,
    shares: BTreeMap<SharedAddress, Share>,
    /// Every key of `totals` once, for the shares to point at; a key goes
    /// with its last offer, so this stays a function of the offers too.
    keys: BTreeSet<Arc<CapacityKey>>,
}

/// What one available offer adds: one offer and `units` under `key`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Share {
    key: Arc<CapacityKey>,
    units: u32,
}

impl Capacity {
    /// Sets the share of the offer at `address`: `current`, the offer as
    /// the offers' map holds it now (`None` once it is gone), with `held`
    /// of its units held.
    pub(crate) fn set(
        &mut self,
        address: &RecordAddress,
        current: Option<(&SharedAddress, &Offer)>,
        held: u32,
    ) {
        if let Some(Share { key, units }) = self.shares.remove(address)
            && let Some(total) = self.totals.get_mut(&*key)
        {
            total.offers -= 1;
            total.units -= u64::from(units);
            if total.offers == 0 {
                self.totals.remove(&*key);
                self.keys.remove(&*key);
            }
        }
        let Some((address, offer)) =
            current.filter(|(_, offer)| offer.status == OfferStatus::Available)
        else {
            return;
        };
        let key = self.key(CapacityKey::of(offer));
        let units = offer.quantity().saturating_sub(held);
        let total = self.totals.entry(CapacityKey::clone(&key)).or_default();
        total.offers += 1;
        total.units += u64::from(units);
        self.shares
            .insert(SharedAddress::clone(address), Share { key, units });
    }

    /// The shared copy of `key`, made if it is new.
    fn key(&mut self, key: CapacityKey) -> Arc<CapacityKey> {
        if let Some(shared) = self.keys.get(&key) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(key);
        self.keys.insert(Arc::clone(&shared));
        shared
    }
}

#[cfg(test)]
impl Capacity {
    /// The offers with a share, as the shares hold their addresses.
    pub(crate) fn shared_addresses(&self) -> impl Iterator<Item = &SharedAddress> {
        self.shares.keys()
    }

    /// Whether every share points at the one shared copy of its key, and
    /// every key is a total's.
    pub(crate) fn keys_shared(&self) -> bool {
        let shared = self.shares.values().all(|share| {
            self.keys
                .get(&*share.key)
                .is_some_and(|key| Arc::ptr_eq(key, &share.key))
        });
        shared && self.keys.iter().map(|key| &**key).eq(self.totals.keys())
    }
}
