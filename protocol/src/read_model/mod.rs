//! The read model: what the pages and the API show, built from the records
//! of every member's documents and updated one document at a time.
//!
//! - [`registry`]: all offers of the pact with what is left of them;
//! - [`board`]: every request with pledged, accepted and open quantities;
//! - [`missions`]: acceptances joined with their pledges (mission orders);
//! - [`suggest`]: offers ranked for one need.
//!
//! An update costs the document's records plus the derived entries they
//! touch; nothing is rebuilt wholesale. The model is a pure function of the
//! latest records of each document: applying the same updates in any order
//! gives an equal `ReadModel`, which is why everything observable is kept in
//! `BTreeMap`s. It never reads automerge documents, clocks or storage; the
//! caller hands it each document's `key -> JSON` map.

pub mod board;
mod derive;
pub mod missions;
pub mod registry;
mod store;
pub mod suggest;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use board::{NeedView, PledgeState, PledgeView, RequestView};
pub use derive::NeedTotals;
pub use missions::{MissionOrder, PledgeLink};
pub use registry::{OfferEntry, RegistryFilter};
pub use store::RecordAddress;
pub use suggest::Suggestion;

use crate::ids::{DocumentId, MemberId};
use crate::model::{MemberProfile, RecordKey, decode_keyed};
use derive::{Affected, Derived};
use store::Store;

/// What the read model keeps about one document: which records came from it
/// (to take them out again on the next update) and how many were skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct DocumentEntry {
    keys: Vec<RecordKey>,
    skipped: usize,
}

/// The pact-wide read model. Compare two with `==` to check that replicas
/// agree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadModel {
    documents: BTreeMap<DocumentId, DocumentEntry>,
    store: Store,
    derived: Derived,
}

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
        let mut affected = self.take_out(document);
        let mut entry = DocumentEntry::default();
        for (key, json) in records {
            let Ok((key, record)) = decode_keyed(document.collection, key, json) else {
                entry.skipped += 1;
                continue;
            };
            let address = RecordAddress::new(document.owner, key.id.clone());
            // What a record affects never depends on the record itself
            // being in the store, so touch first and move it in after.
            affected.touch(&self.store, &address, &record);
            self.store.insert(document.owner, &key, record);
            entry.keys.push(key);
        }
        affected.apply(&self.store, &mut self.derived);
        if !entry.keys.is_empty() || entry.skipped > 0 {
            self.documents.insert(document, entry);
        }
    }

    /// Forgets everything from one document (e.g. a removed member's).
    pub fn remove_document(&mut self, document: DocumentId) {
        let affected = self.take_out(document);
        affected.apply(&self.store, &mut self.derived);
    }

    /// Removes the document's records from the store and notes what they
    /// affected.
    fn take_out(&mut self, document: DocumentId) -> Affected {
        let mut affected = Affected::default();
        let Some(entry) = self.documents.remove(&document) else {
            return affected;
        };
        for key in entry.keys {
            if let Some(record) = self.store.remove(document.owner, &key) {
                let address = RecordAddress::new(document.owner, key.id);
                affected.touch(&self.store, &address, &record);
            }
        }
        affected
    }

    /// Records skipped because they failed the schema check, over all
    /// documents as they are now.
    pub fn skipped_records(&self) -> usize {
        self.documents.values().map(|entry| entry.skipped).sum()
    }

    /// Records skipped in one document.
    pub fn skipped_in(&self, document: DocumentId) -> usize {
        self.documents.get(&document).map_or(0, |e| e.skipped)
    }

    /// A member's profile.
    pub fn profile(&self, member: &MemberId) -> Option<&MemberProfile> {
        self.store.profiles.get(member)
    }

    /// Every known profile, by member id.
    pub fn profiles(&self) -> impl Iterator<Item = (&MemberId, &MemberProfile)> {
        self.store.profiles.iter()
    }

    /// A member's name, for display.
    pub(crate) fn member_name(&self, member: &MemberId) -> Option<&str> {
        self.profile(member).map(|p| p.name.as_str())
    }
}
