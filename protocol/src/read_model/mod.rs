//! The read model: what the pages and the API show, built from the records
//! of every member's documents and updated one document at a time.
//!
//! - [`registry`]: all offers of the pact with what is left of them;
//! - [`board`]: every request with pledged, accepted and open quantities;
//! - [`missions`]: acceptances joined with their pledges (mission orders);
//! - [`suggest`]: offers ranked for one need;
//! - [`incidents`]: incident rooms with checklist, clocks and timeline.
//!
//! An update costs the document's records plus the derived entries they
//! touch; nothing is rebuilt wholesale. The model is a pure function of the
//! latest records of each document: applying the same updates in any order
//! gives an equal `ReadModel`, which is why everything observable is kept in
//! `BTreeMap`s. It never reads automerge documents, clocks or storage; the
//! caller hands it each document's `key -> JSON` map.

pub mod alerts;
pub mod board;
mod capacity;
mod derive;
pub mod exercises;
mod incident_store;
pub mod incidents;
pub mod missions;
mod offer_index;
pub mod owned;
pub mod registry;
mod registry_walk;
pub mod reimbursement;
pub mod room_rules;
pub mod rules;
pub mod settlements;
mod store;
pub mod suggest;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use board::{NeedView, PledgeState, PledgeView, RequestView};
pub use capacity::{CapacityKey, CapacityTotal};
pub use derive::NeedTotals;
pub use exercises::{AfterActionReport, RealFigures};
pub use incidents::{IncidentRoom, IncidentSummary, StepView, TimelineEvent, TimelineItem};
pub use missions::{MissionOrder, PledgeLink, SettlementState};
pub use owned::{
    OwnedMissionOrder, OwnedNeedView, OwnedPledgeView, OwnedRequestView, OwnedSuggestion,
};
pub use registry::{OfferEntry, OwnedOfferEntry, RegistryFilter, RegistryPage};
pub use reimbursement::PairReimbursement;
pub use room_rules::RoomRefusal;
pub use rules::{
    AcceptanceDraft, AcceptanceRefusal, PledgeRefusal, RefusalKind, accept_pledge, check_pledge,
};
pub use store::RecordAddress;
pub use suggest::Suggestion;

use crate::ids::{DocumentId, MemberId};
use crate::model::{MemberProfile, RecordKey, decode_keyed};
use derive::{Affected, Derived};
use store::Store;

/// What the read model keeps about one document: for each key of the
/// document's root map, whether it was decoded into a record (`false`: it
/// failed the schema check and was skipped). This is what lets an update
/// take out exactly the records a change replaced. A decoded key is its
/// record's `tag:id` (`RecordKey`'s text), so the key alone names the
/// record: keeping the parsed key besides doubled the id per record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct DocumentEntry {
    records: BTreeMap<Box<str>, bool>,
}

impl DocumentEntry {
    fn skipped(&self) -> usize {
        self.records.values().filter(|decoded| !**decoded).count()
    }
}

/// The pact-wide read model. Compare two with `==` to check that replicas
/// agree on what the documents say.
#[derive(Clone, Debug, Default)]
pub struct ReadModel {
    documents: BTreeMap<DocumentId, DocumentEntry>,
    store: Store,
    derived: Derived,
    /// Every admitted member's name as the pact admitted it (charter or
    /// `Add` proposal): what views call a member. A profile's own `name` is
    /// chosen by its owner alone, so a rogue member could name itself after
    /// another one; the membership log's name needed a majority.
    pact_names: BTreeMap<MemberId, String>,
}

/// Equal when the documents say the same. The names come from the
/// membership log, which replicas compare on their own.
impl PartialEq for ReadModel {
    fn eq(&self, other: &Self) -> bool {
        self.documents == other.documents
            && self.store == other.store
            && self.derived == other.derived
    }
}

impl Eq for ReadModel {}

impl ReadModel {
    /// An empty read model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces everything this read model knows from one document with the
    /// given records (key string -> JSON string, exactly as stored in the
    /// document). Records that fail [`crate::model::decode_record`] are
    /// skipped and counted; they cannot normally get in, since ingress runs
    /// the same check.
    pub fn update_document(&mut self, document: DocumentId, records: &BTreeMap<String, String>) {
        let gone: Vec<Box<str>> = self
            .documents
            .get(&document)
            .map(|entry| {
                entry
                    .records
                    .keys()
                    .filter(|key| !records.contains_key(&***key))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let gone = gone.iter().map(|key| (&**key, None));
        let present = records
            .iter()
            .map(|(key, json)| (key.as_str(), Some(json.as_str())));
        self.update_records(document, gone.chain(present));
    }

    /// Updates only the given keys of one document: each to its record's
    /// current JSON, or `None` where the document no longer has it. The
    /// result is the same as [`Self::update_document`] with the whole
    /// document, as long as every key whose value changed is among them;
    /// a change names the keys it writes, so applying one costs its own
    /// records, not the document's.
    pub fn update_records<'a>(
        &mut self,
        document: DocumentId,
        updates: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) {
        let mut affected = Affected::default();
        let mut entry = self.documents.remove(&document).unwrap_or_default();
        for (key, json) in updates {
            if let Some(true) = entry.records.remove(key)
                && let Ok(old) = key.parse::<RecordKey>()
                && let Some(record) = self.store.remove(document.owner, &old)
            {
                let address = RecordAddress::new(document.owner, old.id);
                affected.touch(&self.store, &address, &record);
            }
            let Some(json) = json else { continue };
            let Ok((record_key, record)) = decode_keyed(document.collection, key, json) else {
                entry.records.insert(key.into(), false);
                continue;
            };
            let address = RecordAddress::new(document.owner, record_key.id.clone());
            // What a record affects never depends on the record itself
            // being in the store, so touch first and move it in after.
            affected.touch(&self.store, &address, &record);
            self.store.insert(document.owner, &record_key, record);
            entry.records.insert(key.into(), true);
        }
        affected.apply(&self.store, &mut self.derived);
        if !entry.records.is_empty() {
            self.documents.insert(document, entry);
        }
    }

    /// Forgets everything from one document (e.g. a removed member's).
    pub fn remove_document(&mut self, document: DocumentId) {
        self.update_document(document, &BTreeMap::new());
    }

    /// Records skipped because they failed the schema check, over all
    /// documents as they are now.
    pub fn skipped_records(&self) -> usize {
        self.documents.values().map(DocumentEntry::skipped).sum()
    }

    /// Records skipped in one document.
    pub fn skipped_in(&self, document: DocumentId) -> usize {
        self.documents
            .get(&document)
            .map_or(0, DocumentEntry::skipped)
    }

    /// A member's profile.
    pub fn profile(&self, member: &MemberId) -> Option<&MemberProfile> {
        self.store.profiles.get(member)
    }

    /// Every known profile, by member id.
    pub fn profiles(&self) -> impl Iterator<Item = (&MemberId, &MemberProfile)> {
        self.store.profiles.iter()
    }

    /// Every sealed posture record, as stored (ciphertext: opening is for
    /// its readers, see `crate::posture::SealedPosture::open`).
    pub fn posture_records(
        &self,
    ) -> impl Iterator<Item = (&RecordAddress, &crate::posture::SealedPosture)> {
        self.store.posture.iter()
    }

    /// Every published encryption key, by the record that carries it; pick
    /// the valid ones with `crate::seal::newest_announcements`.
    pub fn encryption_key_announcements(
        &self,
    ) -> impl Iterator<Item = (&RecordAddress, &crate::seal::EncryptionKeyAnnouncement)> {
        self.store.encryption_keys.iter()
    }

    /// The pact's available capacity by what the offers provide: free
    /// units of available offers, summed (kept up to date, not counted on
    /// each call).
    pub fn available_capacity(&self) -> &std::collections::BTreeMap<CapacityKey, CapacityTotal> {
        &self.derived.capacity.totals
    }

    /// A member's name, for display: the name the pact admitted it under,
    /// else (a document of a member not yet admitted here) its profile's.
    pub fn member_name(&self, member: &MemberId) -> Option<&str> {
        self.pact_names
            .get(member)
            .map(String::as_str)
            .or_else(|| self.profile(member).map(|p| p.name.as_str()))
    }

    /// Takes the names of every member ever admitted from the membership
    /// state; the replica calls it whenever the log changes.
    pub(crate) fn set_pact_names(&mut self, names: BTreeMap<MemberId, String>) {
        self.pact_names = names;
    }
}
