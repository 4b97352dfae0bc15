//! The registry: every offer of the pact with its owner and how many units
//! are still free, and a filtered query over it.
//!
//! Results come in a fixed order (owner, then record id) so that every node
//! shows the same list. The registry never changes an offer's status: only
//! the owner's node writes its own availability.

use serde::Serialize;

use super::ReadModel;
use super::registry_walk::{MERGED_SETS_MAX, Merged, Named};
use super::store::RecordAddress;
use crate::ids::{MemberId, RecordId};
use crate::model::{Mode, Offer, OfferKind, OfferStatus, SkillLevel, TimeWindow};

/// What to look for in the registry. Every `None` (or 0) means "any"; the
/// default asks for available offers only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryFilter {
    /// Offer kind.
    pub kind: Option<OfferKind>,
    /// A role the offer provides (a person in it, or a team with it).
    pub role: Option<String>,
    /// A skill at this level or higher.
    pub skill: Option<SkillLevel>,
    /// An equipment category.
    pub equipment_category: Option<String>,
    /// Where help is needed; a `both` offer serves remote and on-site.
    pub mode: Option<Mode>,
    /// The offer must be usable at some time in this window.
    pub window: Option<TimeWindow>,
    /// At least this many units still free.
    pub min_remaining: u32,
    /// Offers of this member only.
    pub owner: Option<MemberId>,
    /// Offers with this status only; `None` for every status.
    pub status: Option<OfferStatus>,
    /// Offers of members in this region only: the owner's name contains
    /// it (any case) or its AGS starts with it.
    pub region: Option<String>,
}

impl Default for RegistryFilter {
    fn default() -> Self {
        Self {
            kind: None,
            role: None,
            skill: None,
            equipment_category: None,
            mode: None,
            window: None,
            min_remaining: 0,
            owner: None,
            status: Some(OfferStatus::Available),
            region: None,
        }
    }
}

/// One offer as the registry shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OfferEntry<'a> {
    /// Owner and record id.
    pub address: &'a RecordAddress,
    /// The owner's name as the pact admitted it (`ReadModel::member_name`).
    pub owner_name: Option<&'a str>,
    /// The owner's AGS, if its profile is known and has one.
    pub owner_ags: Option<&'a str>,
    /// The offer.
    pub offer: &'a Offer,
    /// Units the offer has.
    pub quantity: u32,
    /// Units held by the owner's standing pledges.
    pub held: u32,
    /// `quantity − held`, at least 0.
    pub remaining: u32,
}

/// One page of the registry (see [`ReadModel::registry_page`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryPage<'a> {
    /// The offers of the page, in registry order.
    pub entries: Vec<OfferEntry<'a>>,
    /// Whether more offers pass the filter after the page.
    pub more: bool,
}

/// Offers and their addresses, in registry order.
type Candidates<'a> = Box<dyn Iterator<Item = (&'a RecordAddress, &'a Offer)> + 'a>;

/// An [`OfferEntry`] that owns its data: copied under the core's lock and
/// serialised after it is released. Serialises exactly like the entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnedOfferEntry {
    /// Owner and record id.
    pub address: RecordAddress,
    /// The owner's name, if its profile is known.
    pub owner_name: Option<String>,
    /// The owner's AGS, if its profile is known and has one.
    pub owner_ags: Option<String>,
    /// The offer.
    pub offer: Offer,
    /// Units the offer has.
    pub quantity: u32,
    /// Units held by the owner's standing pledges.
    pub held: u32,
    /// `quantity − held`, at least 0.
    pub remaining: u32,
}

impl OfferEntry<'_> {
    /// A copy that no longer borrows the read model.
    pub fn to_owned_entry(&self) -> OwnedOfferEntry {
        OwnedOfferEntry {
            address: self.address.clone(),
            owner_name: self.owner_name.map(str::to_owned),
            owner_ags: self.owner_ags.map(str::to_owned),
            offer: self.offer.clone(),
            quantity: self.quantity,
            held: self.held,
            remaining: self.remaining,
        }
    }
}

impl RegistryFilter {
    /// Whether the offer passes everything but the held units: with
    /// `min_remaining`, only that its quantity is enough (what is left can
    /// be no more than the quantity).
    fn matches_offer(&self, address: &RecordAddress, offer: &Offer) -> bool {
        self.status.is_none_or(|s| offer.status == s)
            && self.owner.is_none_or(|o| address.owner == o)
            && self.kind.is_none_or(|k| offer.kind() == k)
            && self.mode.is_none_or(|m| offer.mode().serves(m))
            && offer.quantity() >= self.min_remaining
            && self.role.as_deref().is_none_or(|r| offer.provides_role(r))
            && self.skill.as_ref().is_none_or(|wanted| {
                offer
                    .skill_level(&wanted.skill)
                    .is_some_and(|level| level >= wanted.level)
            })
            && self
                .equipment_category
                .as_deref()
                .is_none_or(|c| offer.equipment_category() == Some(c))
            && self.window.is_none_or(|w| offer.available_during(&w))
    }

    /// Whether the entry passes the filter: everything
    /// [`Self::matches_offer`] checks, enough units left, and its owner
    /// in the region.
    pub fn matches(&self, entry: &OfferEntry<'_>) -> bool {
        self.matches_offer(entry.address, entry.offer)
            && entry.remaining >= self.min_remaining
            && self.in_region(entry.owner_name, entry.owner_ags)
    }

    /// Whether a member with this name and AGS is in the filter's region
    /// (any member without one).
    pub fn in_region(&self, name: Option<&str>, ags: Option<&str>) -> bool {
        self.region.as_deref().is_none_or(|region| {
            let region = region.to_lowercase();
            name.is_some_and(|name| name.to_lowercase().contains(&region))
                || ags.is_some_and(|ags| ags.starts_with(&region))
        })
    }
}

impl ReadModel {
    /// The offers that pass `filter`, ordered by owner, then record id.
    pub fn registry(&self, filter: &RegistryFilter) -> Vec<OfferEntry<'_>> {
        self.registry_iter(filter).collect()
    }

    /// The offers that pass `filter`, lazily, in the order of
    /// [`Self::registry`]: a page of a large registry stops early instead
    /// of filtering every offer of the pact.
    pub fn registry_iter<'a, 'f>(
        &'a self,
        filter: &'f RegistryFilter,
    ) -> impl Iterator<Item = OfferEntry<'a>> + use<'a, 'f> {
        self.store
            .offers
            .iter()
            .map(|(address, offer)| self.offer_entry(address, offer))
            .filter(|entry| filter.matches(entry))
    }

    /// The offers that pass `filter` from the `offset`-th on, at most
    /// `limit`, in the order of [`Self::registry`], and whether more
    /// follow. The same answer as skipping and taking from
    /// [`Self::registry_iter`], from the indexes (`offer_index.rs`): a
    /// filter that names something an offer has walks only the offers
    /// with it, already in registry order (the rarest of what it names);
    /// a deep page skips whole owners by their counts where the counts
    /// say exactly how many pass; and only the page's offers become
    /// entries.
    pub fn registry_page(
        &self,
        filter: &RegistryFilter,
        offset: usize,
        limit: usize,
    ) -> RegistryPage<'_> {
        let (candidates, skip) = self.registry_candidates(filter, offset);
        let held = &self.derived.held;
        let mut matching = candidates
            .filter(|(address, offer)| filter.matches_offer(address, offer))
            // `held` has an entry only for offers with units held: a
            // lookup in a small map, not in one per offer.
            .filter(|(address, offer)| {
                filter.min_remaining == 0
                    || offer
                        .quantity()
                        .saturating_sub(held.get(*address).copied().unwrap_or(0))
                        >= filter.min_remaining
            })
            .skip(skip);
        let entries = matching
            .by_ref()
            .take(limit)
            .map(|(address, offer)| self.offer_entry(address, offer))
            .collect();
        RegistryPage {
            entries,
            more: matching.next().is_some(),
        }
    }

    /// The offers a page of `filter` has to look at, in registry order,
    /// and how many of those that pass the filter are still to be skipped
    /// to reach `offset`.
    fn registry_candidates(
        &self,
        filter: &RegistryFilter,
        offset: usize,
    ) -> (Candidates<'_>, usize) {
        let index = &self.store.offer_index;
        let named = Named::of(index, filter);
        let nothing_during = filter
            .window
            .is_some_and(|window| index.none_valid_during(&window));
        if named.iter().any(|sets| sets.len() == 0) || nothing_during {
            return (Box::new(std::iter::empty()), 0);
        }
        // The owners a filter on an owner or a region leaves (`None`:
        // every owner), from each owner's name once, not per offer.
        let owners = self.owners_passing(filter);
        let offers_of_owners = owners.as_ref().map_or(self.store.offers.len(), |owners| {
            owners.iter().map(|owner| index.count_of(owner, None)).sum()
        });
        // The counts say exactly how many of an owner's offers pass when
        // the filter is its status, its owners and at most one facet set,
        // or a quantity (with the owner's offers its held units leave
        // short taken off).
        let counted = named.len() <= 1 && filter.window.is_none();
        let (start, skip) = if counted {
            match self.first_owner_after(filter, owners.as_deref(), named.first(), offset) {
                Some((owner, skip)) => (Some(owner), skip),
                None => return (Box::new(std::iter::empty()), 0),
            }
        } else {
            (None, offset)
        };
        // The rarest thing the filter names leads, if it is clearly fewer
        // offers than the owners' (a step of a walk over sets looks each
        // offer up, several times the cost of a step through the offers)
        // and few sets to merge.
        let lead = named
            .into_iter()
            .filter(|sets| sets.parts.len() <= MERGED_SETS_MAX)
            .min_by_key(Named::len)
            .filter(|sets| sets.len() < offers_of_owners / 4);
        let walk = move |from: Option<MemberId>, only: Option<MemberId>| match &lead {
            Some(sets) => self.walk_sets(sets, from, only),
            None => self.offers_from(from, only),
        };
        let candidates: Candidates<'_> = match owners {
            None => walk(start, None),
            Some(owners) => {
                let first = start.map_or(0, |start| owners.partition_point(|o| *o < start));
                let owners: Vec<MemberId> = owners[first..].to_vec();
                Box::new(
                    owners
                        .into_iter()
                        .flat_map(move |owner| walk(Some(owner), Some(owner))),
                )
            }
        };
        (candidates, skip)
    }

    /// The owners with offers that `filter`'s owner and region leave, in
    /// registry order; `None` if it names neither.
    fn owners_passing(&self, filter: &RegistryFilter) -> Option<Vec<MemberId>> {
        if filter.owner.is_none() && filter.region.is_none() {
            return None;
        }
        let counts = &self.store.offer_index.counts;
        let owners = counts
            .keys()
            .filter(|owner| filter.owner.is_none_or(|only| **owner == only))
            .filter(|owner| {
                let ags = self.profile(owner).and_then(|p| p.ags.as_deref());
                filter.in_region(self.member_name(owner), ags)
            })
            .copied()
            .collect();
        Some(owners)
    }

    /// For a filter the counts answer exactly (`named`: its one facet
    /// set, if any): the first owner (of `owners`, of all without them)
    /// with offers at or after `offset`, and how many of its passing
    /// offers lie before it. Skips the owners whose offers all lie before
    /// `offset`. `None` if none is left.
    fn first_owner_after(
        &self,
        filter: &RegistryFilter,
        owners: Option<&[MemberId]>,
        named: Option<&Named<'_>>,
        offset: usize,
    ) -> Option<(MemberId, usize)> {
        let index = &self.store.offer_index;
        let owners: Box<dyn Iterator<Item = &MemberId>> = match owners {
            Some(owners) => Box::new(owners.iter()),
            None => Box::new(index.counts.keys()),
        };
        let mut skip = offset;
        for owner in owners {
            let count = match named {
                Some(_) if filter.min_remaining > 0 => {
                    index.count_with_units(owner, filter.status, filter.min_remaining)
                        - self.held_short(owner, filter)
                }
                Some(sets) => sets.count_of(owner, filter.status),
                None => index.count_of(owner, filter.status),
            };
            if skip < count {
                return Some((*owner, skip));
            }
            skip -= count;
        }
        None
    }

    /// Of `owner`'s offers with `filter`'s status and at least its
    /// `min_remaining` units, those whose held units leave fewer. Walks
    /// only the owner's offers with units held.
    fn held_short(&self, owner: &MemberId, filter: &RegistryFilter) -> usize {
        let wanted = filter.min_remaining;
        let from = RecordAddress::new(*owner, RecordId::lowest());
        self.derived
            .held
            .range(from..)
            .take_while(|(address, _)| address.owner == *owner)
            .filter(|(address, held)| {
                self.store.offers.get(*address).is_some_and(|offer| {
                    filter.status.is_none_or(|status| offer.status == status)
                        && offer.quantity() >= wanted
                        && offer.quantity().saturating_sub(**held) < wanted
                })
            })
            .count()
    }

    /// The offers of `sets`, merged in registry order, from `start`'s
    /// first on (from the first of all without it), only `only`'s if
    /// given.
    fn walk_sets<'a>(
        &'a self,
        sets: &Named<'a>,
        start: Option<MemberId>,
        only: Option<MemberId>,
    ) -> Candidates<'a> {
        let from = start.map(|owner| RecordAddress::new(owner, RecordId::lowest()));
        let walks: Vec<_> = sets
            .parts
            .iter()
            .map(|part| match &from {
                Some(from) => part.offers.range::<RecordAddress, _>(from.clone()..),
                None => part.offers.range::<RecordAddress, _>(..),
            })
            .collect();
        let offers = &self.store.offers;
        Box::new(
            Merged::new(walks)
                .take_while(move |address| only.is_none_or(|o| address.owner == o))
                .filter_map(|address| offers.get_key_value(address))
                .map(|(address, offer)| (&**address, &**offer)),
        )
    }

    /// The offers from `start`'s first on (from the first of all without
    /// it), only `only`'s if given.
    fn offers_from(&self, start: Option<MemberId>, only: Option<MemberId>) -> Candidates<'_> {
        let offers = &self.store.offers;
        let from = match start {
            Some(owner) => {
                offers.range::<RecordAddress, _>(RecordAddress::new(owner, RecordId::lowest())..)
            }
            None => offers.range::<RecordAddress, _>(..),
        };
        Box::new(
            from.map(|(address, offer)| (&**address, &**offer))
                .take_while(move |(address, _)| only.is_none_or(|o| address.owner == o)),
        )
    }

    /// One offer, whatever its status.
    pub fn offer(&self, address: &RecordAddress) -> Option<OfferEntry<'_>> {
        let (address, offer) = self.store.offers.get_key_value(address)?;
        Some(self.offer_entry(address, offer))
    }

    /// Units of an offer still free, if the offer is known.
    pub fn remaining_quantity(&self, address: &RecordAddress) -> Option<u32> {
        self.offer(address).map(|entry| entry.remaining)
    }

    pub(crate) fn offer_entry<'a>(
        &'a self,
        address: &'a RecordAddress,
        offer: &'a Offer,
    ) -> OfferEntry<'a> {
        let profile = self.profile(&address.owner);
        let quantity = offer.quantity();
        let held = self.derived.held.get(address).copied().unwrap_or(0);
        OfferEntry {
            address,
            owner_name: self.member_name(&address.owner),
            owner_ags: profile.and_then(|p| p.ags.as_deref()),
            offer,
            quantity,
            held,
            remaining: quantity.saturating_sub(held),
        }
    }
}
