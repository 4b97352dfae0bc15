//! The registry's walk over the index (`offer_index.rs`): what a filter
//! names about an offer as sets of offers, and those sets merged in
//! registry order without collecting or sorting them.

use std::collections::btree_set;

use super::offer_index::{Facet, FacetOffers, OfferIndex};
use super::registry::RegistryFilter;
use super::store::{RecordAddress, SharedAddress};
use crate::ids::MemberId;
use crate::model::{Mode, OfferStatus};

/// Most sets one walk merges: each step of the walk looks at every set's
/// next offer, so a condition spread over more sets is checked per offer
/// instead of leading the walk. Only a quantity from a number of units on
/// can be (up to `QUANTITY_MAX` distinct quantities); a skill spans the
/// catalogue's three levels at most, since records with any other level
/// are skipped when decoded, and a mode at most four sets.
pub(crate) const MERGED_SETS_MAX: usize = 16;

/// One condition of a filter, as the offers that can pass it: those with
/// any of its facets (disjoint sets: an offer has one quantity, one level
/// per skill, one kind and at most one named mode).
pub(crate) struct Named<'a> {
    pub(crate) parts: Vec<&'a FacetOffers>,
}

impl<'a> Named<'a> {
    /// Every condition of `filter` the index has facets for. A condition
    /// no offer has becomes an empty set; `mode: both` is no condition
    /// (every offer serves it).
    pub(crate) fn of(index: &'a OfferIndex, filter: &RegistryFilter) -> Vec<Self> {
        let one = |facet: Facet| index.facets(facet.clone()..=facet);
        let mut named = Vec::new();
        if let Some(kind) = filter.kind {
            named.push(one(Facet::Kind(kind)));
        }
        if let Some(category) = &filter.equipment_category {
            named.push(one(Facet::Category(category.clone())));
        }
        if let Some(role) = &filter.role {
            named.push(one(Facet::Role(role.clone())));
        }
        if let Some(wanted) = &filter.skill {
            named.push(index.facets(Facet::skill_from(&wanted.skill, wanted.level)));
        }
        if let Some(mode @ (Mode::Remote | Mode::Onsite)) = filter.mode {
            named.push(index.facets_of(&Facet::serving(mode)));
        }
        if filter.min_remaining > 0 {
            named.push(index.facets(Facet::quantity_from(filter.min_remaining)));
        }
        named.into_iter().map(|parts| Self { parts }).collect()
    }

    /// Offers that can pass.
    pub(crate) fn len(&self) -> usize {
        self.parts.iter().map(|part| part.offers.len()).sum()
    }

    /// Of them, `owner`'s with `status` (`None`: any status).
    pub(crate) fn count_of(&self, owner: &MemberId, status: Option<OfferStatus>) -> usize {
        self.parts
            .iter()
            .map(|part| part.count_of(owner, status))
            .sum()
    }
}

/// Sets' walks merged into one in registry order; each step costs the
/// number of sets, never their size.
pub(crate) struct Merged<'a> {
    walks: Vec<std::iter::Peekable<btree_set::Range<'a, SharedAddress>>>,
}

impl<'a> Merged<'a> {
    pub(crate) fn new(walks: Vec<btree_set::Range<'a, SharedAddress>>) -> Self {
        Self {
            walks: walks.into_iter().map(Iterator::peekable).collect(),
        }
    }
}

impl<'a> Iterator for Merged<'a> {
    type Item = &'a RecordAddress;

    fn next(&mut self) -> Option<Self::Item> {
        let mut least: Option<(usize, &'a RecordAddress)> = None;
        for (n, walk) in self.walks.iter_mut().enumerate() {
            if let Some(&next) = walk.peek()
                && least.is_none_or(|(_, best)| **next < *best)
            {
                least = Some((n, &**next));
            }
        }
        let (n, address) = least?;
        // The sets are disjoint (`Named`), so no other walk has it too.
        self.walks[n].next();
        Some(address)
    }
}
