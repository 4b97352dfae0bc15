//! Indexes over the offers, so that a registry page costs about its own
//! offers instead of a scan of the whole pact:
//! - the count of offers per owner and status (a deep page of the
//!   unfiltered register skips whole owners);
//! - the offers by [`Facet`]: everything a registry filter can name about
//!   an offer itself (kind, equipment category, role, skill and level, the
//!   modes it serves, quantity), each set in registry order (an address's
//!   order is the registry's: owner, then record id), so that a filter
//!   walks the offers that can pass it in order without sorting, and with
//!   the count per owner and status, so that a deep page behind one facet
//!   skips whole owners too;
//! - the validity starts and ends, so that a window before or after every
//!   offer's validity is answered at once.
//!
//! Like the rest of the store, the index is a pure function of the offers
//! it holds: inserting and removing never depend on order, and empty
//! entries are dropped, so two stores with the same offers compare equal
//! (the update-order property test checks it with the index in).
//!
//! Cost: one set entry (a pointer to the address the offers' map holds,
//! [`SharedAddress`]: 8 bytes, about 15 with the tree's share) per facet
//! of an offer: three for equipment (kind, category, quantity), for a
//! person its role, mode and skills besides; the per-owner counts and
//! validity bounds are per owner or per distinct time, not per offer.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use super::store::{RecordAddress, SharedAddress};
use crate::ids::MemberId;
use crate::model::{Mode, Offer, OfferDetail, OfferKind, OfferStatus, TimeWindow};

/// Something a registry filter names that an offer has or has not.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Facet {
    Kind(OfferKind),
    Category(String),
    /// A person in this role, or a team with someone in it.
    Role(String),
    /// A skill at exactly this level (as `Offer::skill_level` reads it:
    /// the first entry for the skill counts).
    Skill(String, u8),
    /// The mode a person or a team names. Every other kind has one mode
    /// (`Offer::mode`), so its kind's set stands for it: no entry per
    /// equipment offer for being delivered on site.
    Mode(Mode),
    /// Exactly this many units.
    Quantity(u32),
}

impl Facet {
    /// Every facet of `offer`, each once.
    fn of(offer: &Offer) -> BTreeSet<Facet> {
        let mut facets =
            BTreeSet::from([Facet::Kind(offer.kind()), Facet::Quantity(offer.quantity())]);
        if let Some(category) = offer.equipment_category() {
            facets.insert(Facet::Category(category.to_owned()));
        }
        match &offer.detail {
            OfferDetail::Person(person) => {
                facets.insert(Facet::Role(person.role.clone()));
                facets.insert(Facet::Mode(person.mode));
            }
            OfferDetail::TeamPackage(team) => {
                facets.extend(team.composition.iter().map(|m| Facet::Role(m.role.clone())));
                facets.insert(Facet::Mode(team.mode));
            }
            _ => {}
        }
        let skills = match &offer.detail {
            OfferDetail::Person(person) => person.skills.as_slice(),
            OfferDetail::RemoteCapacity(remote) => remote.skills.as_slice(),
            _ => &[],
        };
        let mut named = BTreeSet::new();
        for skill in skills {
            if named.insert(skill.skill.as_str()) {
                facets.insert(Facet::Skill(skill.skill.clone(), skill.level));
            }
        }
        facets
    }

    /// The facets whose offers serve help in `mode` (`remote` or
    /// `onsite`; a `both` offer serves both): disjoint, as `Named` needs.
    pub(crate) fn serving(mode: Mode) -> Vec<Facet> {
        let mut facets = vec![Facet::Mode(mode), Facet::Mode(Mode::Both)];
        facets.extend(
            OfferKind::ALL
                .into_iter()
                .filter(|kind| kind.fixed_mode().is_some_and(|fixed| fixed.serves(mode)))
                .map(Facet::Kind),
        );
        facets
    }

    /// The facets whose offers have `skill` at `level` or higher.
    pub(crate) fn skill_from(skill: &str, level: u8) -> RangeInclusive<Facet> {
        Facet::Skill(skill.to_owned(), level)..=Facet::Skill(skill.to_owned(), u8::MAX)
    }

    /// The facets whose offers have at least `units` units.
    pub(crate) fn quantity_from(units: u32) -> RangeInclusive<Facet> {
        Facet::Quantity(units)..=Facet::Quantity(u32::MAX)
    }
}

/// Offers per owner, per status.
pub(crate) type OwnerCounts = BTreeMap<MemberId, BTreeMap<OfferStatus, usize>>;

/// The offers with one facet, and how many of each owner's per status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FacetOffers {
    /// The offers' shared addresses (`SharedAddress`), one pointer each.
    pub(crate) offers: BTreeSet<SharedAddress>,
    /// One flat map, not a map per owner: a facet has few offers of most
    /// owners, and a map each would cost more than the counts.
    counts: BTreeMap<(MemberId, OfferStatus), usize>,
}

impl FacetOffers {
    /// Offers of `owner` with `status` (`None`: any status).
    pub(crate) fn count_of(&self, owner: &MemberId, status: Option<OfferStatus>) -> usize {
        let count = |status| self.counts.get(&(*owner, status)).copied().unwrap_or(0);
        match status {
            Some(status) => count(status),
            None => OfferStatus::ALL.into_iter().map(count).sum(),
        }
    }
}

/// `owner`'s count for `status` (`None`: all of them) in `counts`.
fn count_of(counts: &OwnerCounts, owner: &MemberId, status: Option<OfferStatus>) -> usize {
    counts.get(owner).map_or(0, |statuses| match status {
        Some(status) => statuses.get(&status).copied().unwrap_or(0),
        None => statuses.values().sum(),
    })
}

/// Counts an offer of `owner` with `status` in.
fn owner_in(counts: &mut OwnerCounts, owner: MemberId, status: OfferStatus) {
    count_in(counts.entry(owner).or_default(), status);
}

/// Counts an offer of `owner` with `status` out, dropping empty entries.
fn owner_out(counts: &mut OwnerCounts, owner: MemberId, status: OfferStatus) {
    if let Some(statuses) = counts.get_mut(&owner) {
        count_out(statuses, status);
        if statuses.is_empty() {
            counts.remove(&owner);
        }
    }
}

/// The offers' indexes; see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OfferIndex {
    /// Offers per owner, per status.
    pub(crate) counts: OwnerCounts,
    pub(crate) by_facet: BTreeMap<Facet, FacetOffers>,
    /// Offers per owner, status and quantity: how many of an owner's
    /// offers have enough units, for a deep page of `min_remaining`.
    owner_quantities: BTreeMap<(MemberId, OfferStatus, u32), usize>,
    /// Offers per validity start and per validity end (`i64::MAX`: open).
    valid_from: BTreeMap<i64, usize>,
    valid_until: BTreeMap<i64, usize>,
}

/// Adds one to `key`'s count.
fn count_in<K: Ord>(counts: &mut BTreeMap<K, usize>, key: K) {
    *counts.entry(key).or_default() += 1;
}

/// Takes one from `key`'s count, dropping it at 0.
fn count_out<K: Ord>(counts: &mut BTreeMap<K, usize>, key: K) {
    if let Some(count) = counts.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

impl OfferIndex {
    /// Counts `offer` in at `address`, the offers' map's own.
    pub(crate) fn add(&mut self, address: &SharedAddress, offer: &Offer) {
        owner_in(&mut self.counts, address.owner, offer.status);
        for facet in Facet::of(offer) {
            let entry = self.by_facet.entry(facet).or_default();
            entry.offers.insert(SharedAddress::clone(address));
            count_in(&mut entry.counts, (address.owner, offer.status));
        }
        count_in(
            &mut self.owner_quantities,
            (address.owner, offer.status, offer.quantity()),
        );
        let validity = offer.validity();
        count_in(&mut self.valid_from, validity.start_ms);
        count_in(&mut self.valid_until, validity.end_ms);
    }

    /// Takes `offer`, as it was added at `address`, back out.
    pub(crate) fn remove(&mut self, address: &RecordAddress, offer: &Offer) {
        owner_out(&mut self.counts, address.owner, offer.status);
        for facet in Facet::of(offer) {
            if let Some(entry) = self.by_facet.get_mut(&facet) {
                entry.offers.remove(address);
                count_out(&mut entry.counts, (address.owner, offer.status));
                if entry.offers.is_empty() {
                    self.by_facet.remove(&facet);
                }
            }
        }
        count_out(
            &mut self.owner_quantities,
            (address.owner, offer.status, offer.quantity()),
        );
        let validity = offer.validity();
        count_out(&mut self.valid_from, validity.start_ms);
        count_out(&mut self.valid_until, validity.end_ms);
    }

    /// Offers of `owner` with `status` (`None`: any status).
    pub(crate) fn count_of(&self, owner: &MemberId, status: Option<OfferStatus>) -> usize {
        count_of(&self.counts, owner, status)
    }

    /// Offers of `owner` with `status` (`None`: any status) and at least
    /// `units` units; costs the owner's distinct quantities from `units`
    /// on.
    pub(crate) fn count_with_units(
        &self,
        owner: &MemberId,
        status: Option<OfferStatus>,
        units: u32,
    ) -> usize {
        let statuses = status.map_or(OfferStatus::ALL.to_vec(), |status| vec![status]);
        statuses
            .into_iter()
            .map(|status| {
                self.owner_quantities
                    .range((*owner, status, units)..=(*owner, status, u32::MAX))
                    .map(|(_, count)| count)
                    .sum::<usize>()
            })
            .sum()
    }

    /// The offers of each of `facets` that any offer has.
    pub(crate) fn facets_of(&self, facets: &[Facet]) -> Vec<&FacetOffers> {
        facets
            .iter()
            .filter_map(|facet| self.by_facet.get(facet))
            .collect()
    }

    /// The offers with a facet in `facets`, one set per facet.
    pub(crate) fn facets(&self, facets: RangeInclusive<Facet>) -> Vec<&FacetOffers> {
        self.by_facet
            .range(facets)
            .map(|(_, entry)| entry)
            .collect()
    }

    /// Whether no offer's validity overlaps `window`, so that no offer is
    /// available during it (`Offer::available_during` asks for both).
    pub(crate) fn none_valid_during(&self, window: &TimeWindow) -> bool {
        let first_start = self.valid_from.keys().next();
        let last_end = self.valid_until.keys().next_back();
        match (first_start, last_end) {
            (Some(&first_start), Some(&last_end)) => {
                window.end_ms <= first_start || window.start_ms >= last_end
            }
            _ => true,
        }
    }
}
