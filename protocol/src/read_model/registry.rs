//! The registry: every offer of the pact with its owner and how many units
//! are still free, and a filtered query over it.
//!
//! Results come in a fixed order (owner, then record id) so that every node
//! shows the same list. The registry never changes an offer's status: only
//! the owner's node writes its own availability.

use serde::Serialize;

use super::ReadModel;
use super::store::RecordAddress;
use crate::ids::MemberId;
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

impl RegistryFilter {
    /// Whether the entry passes the filter.
    pub fn matches(&self, entry: &OfferEntry<'_>) -> bool {
        let offer = entry.offer;
        self.status.is_none_or(|s| offer.status == s)
            && self.owner.is_none_or(|o| entry.address.owner == o)
            && self.kind.is_none_or(|k| offer.kind() == k)
            && self.mode.is_none_or(|m| offer.mode().serves(m))
            && entry.remaining >= self.min_remaining
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
