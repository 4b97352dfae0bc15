//! The decoded records of every document, keyed by owner and record id, and
//! the secondary indexes that join them (pledges by need, by request and by
//! offer; acceptances by pledge and by need).
//!
//! The store is a pure function of the set of records it holds: inserting
//! and removing never depends on order, and empty index entries are dropped
//! so that two stores with the same records compare equal. It never derives
//! totals; that is [`super::derive`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use super::incident_store::IncidentStore;
use super::offer_index::OfferIndex;
use crate::ids::{MemberId, RecordId};
use crate::model::{
    Acceptance, AidRequest, Decline, MemberProfile, Offer, Pledge, Record, RecordKey, RequestRef,
    Settlement,
};
use crate::posture::SealedPosture;
use crate::seal::EncryptionKeyAnnouncement;

/// Where a record lives: its owner (the document's member) and its id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
pub struct RecordAddress {
    /// The member whose document holds the record.
    pub owner: MemberId,
    /// The record's id.
    pub id: RecordId,
}

impl RecordAddress {
    /// An address.
    pub fn new(owner: MemberId, id: RecordId) -> Self {
        Self { owner, id }
    }
}

/// An offer's address, held once and shared by the offers' map and every
/// set of the offer index that has the offer: a set entry is a pointer,
/// not a copy of owner and id (at the scale benchmark's 50,000 offers with
/// three facets each, the copies were about 20 MiB). Compares, orders and
/// hashes by the address, so that maps keyed by it stay a pure function of
/// the offers and can be looked up by a plain [`RecordAddress`].
pub(crate) type SharedAddress = Arc<RecordAddress>;

/// Records of all documents, with join indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Store {
    pub(crate) profiles: BTreeMap<MemberId, MemberProfile>,
    /// Boxed: an `Offer` is some 350 bytes, and a tree node keeps room
    /// for eleven values whether or not they are there (about half are,
    /// as offers come in), so inline values cost about twice their size.
    pub(crate) offers: BTreeMap<SharedAddress, Box<Offer>>,
    /// The offers by owner and status, kind, category and quantity.
    pub(crate) offer_index: OfferIndex,
    pub(crate) requests: BTreeMap<RecordAddress, AidRequest>,
    pub(crate) pledges: BTreeMap<RecordAddress, Pledge>,
    pub(crate) acceptances: BTreeMap<RecordAddress, Acceptance>,
    /// Pledges pointing at a need, whether or not the request is known.
    pub(crate) pledges_by_need: BTreeMap<RequestRef, BTreeSet<RecordAddress>>,
    /// Pledges pointing at a request (any need of it).
    pub(crate) pledges_by_request: BTreeMap<RecordAddress, BTreeSet<RecordAddress>>,
    /// Pledges drawing on an offer (always the pledger's own offer).
    pub(crate) pledges_by_offer: BTreeMap<RecordAddress, BTreeSet<RecordAddress>>,
    /// Acceptances pointing at a pledge, from any requester's document.
    pub(crate) acceptances_by_pledge: BTreeMap<RecordAddress, BTreeSet<RecordAddress>>,
    /// Acceptances of a need, by the acceptance's own request and need ids.
    pub(crate) acceptances_by_need: BTreeMap<RequestRef, BTreeSet<RecordAddress>>,
    /// Sealed posture records, as stored: ciphertext only (opening is for
    /// readers, outside the read model).
    pub(crate) posture: BTreeMap<RecordAddress, SealedPosture>,
    /// Published encryption keys, by the carrying document's address.
    pub(crate) encryption_keys: BTreeMap<RecordAddress, EncryptionKeyAnnouncement>,
    /// Declines, in requesters' documents.
    pub(crate) declines: BTreeMap<RecordAddress, Decline>,
    /// Declines pointing at a pledge, from any requester's document.
    pub(crate) declines_by_pledge: BTreeMap<RecordAddress, BTreeSet<RecordAddress>>,
    /// Settlements, in helpers' documents.
    pub(crate) settlements: BTreeMap<RecordAddress, Settlement>,
    /// Settlements pointing at an acceptance, from any helper's document.
    pub(crate) settlements_by_acceptance: BTreeMap<RecordAddress, BTreeSet<RecordAddress>>,
    /// The incident rooms' records.
    pub(crate) incidents: IncidentStore,
}

/// The pledge a decline refuses.
pub(crate) fn declined_pledge(decline: &Decline) -> RecordAddress {
    RecordAddress::new(decline.pledge.pledger, decline.pledge.pledge.clone())
}

/// The acceptance a settlement accounts for.
pub(crate) fn settled_acceptance(settlement: &Settlement) -> RecordAddress {
    RecordAddress::new(settlement.requester, settlement.acceptance.clone())
}

/// The request a pledge points at.
pub(crate) fn request_of(pledge: &Pledge) -> RecordAddress {
    RecordAddress::new(pledge.request.requester, pledge.request.request.clone())
}

/// The offer a pledge draws on, in the pledger's Offers document.
pub(crate) fn offer_of(pledger: MemberId, pledge: &Pledge) -> Option<RecordAddress> {
    pledge
        .offer
        .as_ref()
        .map(|offer| RecordAddress::new(pledger, offer.clone()))
}

/// The pledge an acceptance takes up.
pub(crate) fn pledge_of(acceptance: &Acceptance) -> RecordAddress {
    RecordAddress::new(acceptance.pledge.pledger, acceptance.pledge.pledge.clone())
}

/// The need an acceptance says it is for (in the accepting member's request).
pub(crate) fn need_of(requester: MemberId, acceptance: &Acceptance) -> RequestRef {
    RequestRef {
        requester,
        request: acceptance.request.clone(),
        need: acceptance.need.clone(),
    }
}

impl Store {
    /// Adds a decoded record of `owner`'s document under `key`.
    pub(crate) fn insert(&mut self, owner: MemberId, key: &RecordKey, record: Record) {
        let address = RecordAddress::new(owner, key.id.clone());
        match record {
            Record::Profile(profile) => {
                self.profiles.insert(owner, profile);
            }
            Record::Offer(offer) => {
                if let Some(old) = self.offers.remove(&address) {
                    self.offer_index.remove(&address, &old);
                }
                let address = SharedAddress::new(address);
                self.offer_index.add(&address, &offer);
                self.offers.insert(address, Box::new(offer));
            }
            Record::Request(request) => {
                self.requests.insert(address, request);
            }
            Record::Pledge(pledge) => {
                link(&mut self.pledges_by_need, pledge.request.clone(), &address);
                link(&mut self.pledges_by_request, request_of(&pledge), &address);
                if let Some(offer) = offer_of(owner, &pledge) {
                    link(&mut self.pledges_by_offer, offer, &address);
                }
                self.pledges.insert(address, pledge);
            }
            Record::Acceptance(acceptance) => {
                link(
                    &mut self.acceptances_by_pledge,
                    pledge_of(&acceptance),
                    &address,
                );
                link(
                    &mut self.acceptances_by_need,
                    need_of(owner, &acceptance),
                    &address,
                );
                self.acceptances.insert(address, acceptance);
            }
            Record::Posture(posture) => {
                self.posture.insert(address, posture);
            }
            Record::EncryptionKey(announcement) => {
                self.encryption_keys.insert(address, announcement);
            }
            Record::Decline(decline) => {
                link(
                    &mut self.declines_by_pledge,
                    declined_pledge(&decline),
                    &address,
                );
                self.declines.insert(address, decline);
            }
            Record::Settlement(settlement) => {
                link(
                    &mut self.settlements_by_acceptance,
                    settled_acceptance(&settlement),
                    &address,
                );
                self.settlements.insert(address, settlement);
            }
            Record::Incident(_)
            | Record::IncidentStep(_)
            | Record::IncidentReport(_)
            | Record::Timeline(_) => self.incidents.insert(owner, key, record),
        }
    }

    /// Removes the record `key` of `owner`'s document and returns it.
    pub(crate) fn remove(&mut self, owner: MemberId, key: &RecordKey) -> Option<Record> {
        use crate::model::RecordTag;
        let address = RecordAddress::new(owner, key.id.clone());
        match key.tag {
            RecordTag::Profile => self.profiles.remove(&owner).map(Record::Profile),
            RecordTag::Offer => {
                let offer = self.offers.remove(&address)?;
                self.offer_index.remove(&address, &offer);
                Some(Record::Offer(*offer))
            }
            RecordTag::Request => self.requests.remove(&address).map(Record::Request),
            RecordTag::Pledge => {
                let pledge = self.pledges.remove(&address)?;
                unlink(&mut self.pledges_by_need, &pledge.request, &address);
                unlink(&mut self.pledges_by_request, &request_of(&pledge), &address);
                if let Some(offer) = offer_of(owner, &pledge) {
                    unlink(&mut self.pledges_by_offer, &offer, &address);
                }
                Some(Record::Pledge(pledge))
            }
            RecordTag::Acceptance => {
                let acceptance = self.acceptances.remove(&address)?;
                unlink(
                    &mut self.acceptances_by_pledge,
                    &pledge_of(&acceptance),
                    &address,
                );
                unlink(
                    &mut self.acceptances_by_need,
                    &need_of(owner, &acceptance),
                    &address,
                );
                Some(Record::Acceptance(acceptance))
            }
            RecordTag::Posture => self.posture.remove(&address).map(Record::Posture),
            RecordTag::EncryptionKey => self
                .encryption_keys
                .remove(&address)
                .map(Record::EncryptionKey),
            RecordTag::Decline => {
                let decline = self.declines.remove(&address)?;
                unlink(
                    &mut self.declines_by_pledge,
                    &declined_pledge(&decline),
                    &address,
                );
                Some(Record::Decline(decline))
            }
            RecordTag::Settlement => {
                let settlement = self.settlements.remove(&address)?;
                unlink(
                    &mut self.settlements_by_acceptance,
                    &settled_acceptance(&settlement),
                    &address,
                );
                Some(Record::Settlement(settlement))
            }
            RecordTag::Incident
            | RecordTag::IncidentStep
            | RecordTag::IncidentReport
            | RecordTag::Timeline => self.incidents.remove(owner, key),
        }
    }

    /// Pledges in an index entry, with their addresses.
    pub(crate) fn pledges_in<'a>(
        &'a self,
        set: Option<&'a BTreeSet<RecordAddress>>,
    ) -> impl Iterator<Item = (&'a RecordAddress, &'a Pledge)> + 'a {
        set.into_iter()
            .flatten()
            .filter_map(|address| Some((address, self.pledges.get(address)?)))
    }

    /// Acceptances in an index entry, with their addresses.
    pub(crate) fn acceptances_in<'a>(
        &'a self,
        set: Option<&'a BTreeSet<RecordAddress>>,
    ) -> impl Iterator<Item = (&'a RecordAddress, &'a Acceptance)> + 'a {
        set.into_iter()
            .flatten()
            .filter_map(|address| Some((address, self.acceptances.get(address)?)))
    }

    /// The acceptances that really take up this pledge: written by the
    /// requester the pledge points at, for the same request and need.
    /// Anything else pointing at the pledge is a mismatch and counts for
    /// nothing.
    pub(crate) fn acceptances_of<'a>(
        &'a self,
        pledge_address: &'a RecordAddress,
        pledge: &'a Pledge,
    ) -> impl Iterator<Item = (&'a RecordAddress, &'a Acceptance)> + 'a {
        self.acceptances_in(self.acceptances_by_pledge.get(pledge_address))
            .filter(move |(address, acceptance)| takes_up(address.owner, acceptance, pledge))
    }
}

impl Store {
    /// Whether the requester declined this pledge and took up none of it:
    /// an acceptance wins over a decline, since it is the binding one.
    pub(crate) fn is_declined(&self, pledge_address: &RecordAddress, pledge: &Pledge) -> bool {
        let declined = self
            .declines_by_pledge
            .get(pledge_address)
            .into_iter()
            .flatten()
            .filter_map(|address| Some((address, self.declines.get(address)?)))
            .any(|(address, decline)| refuses(address.owner, decline, pledge));
        declined && self.acceptances_of(pledge_address, pledge).next().is_none()
    }
}

/// Whether an acceptance written by `requester` fits the pledge: same
/// requester, request and need, and accepted before the pledge lapsed.
pub(crate) fn takes_up(requester: MemberId, acceptance: &Acceptance, pledge: &Pledge) -> bool {
    pledge.request.requester == requester
        && pledge.request.request == acceptance.request
        && pledge.request.need == acceptance.need
        && pledge.accepted_in_time(acceptance.accepted_at_ms)
}

/// Whether a decline written by `requester` refuses the pledge.
pub(crate) fn refuses(requester: MemberId, decline: &Decline, pledge: &Pledge) -> bool {
    pledge.request.requester == requester
        && pledge.request.request == decline.request
        && pledge.request.need == decline.need
}

/// Adds `value` to the set of an index under `key`.
pub(super) fn link<K: Ord>(
    index: &mut BTreeMap<K, BTreeSet<RecordAddress>>,
    key: K,
    value: &RecordAddress,
) {
    index.entry(key).or_default().insert(value.clone());
}

/// Takes `value` out of the set under `key`, dropping a set left empty so
/// that indexes over the same records compare equal.
pub(super) fn unlink<K: Ord + ?Sized, Q: Ord + std::borrow::Borrow<K>>(
    index: &mut BTreeMap<Q, BTreeSet<RecordAddress>>,
    key: &K,
    value: &RecordAddress,
) {
    if let Some(set) = index.get_mut(key) {
        set.remove(value);
        if set.is_empty() {
            index.remove(key);
        }
    }
}
