//! Reading the store back: everything in the order it was stored (so it
//! restores), single envelopes by content hash, and counts. Anything that
//! does not decode is reported as damage, never skipped.

use std::collections::HashMap;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{EntryHash, PactId, Sha256Hash};
use amtshilfe_protocol::membership::SignedEntry;
use redb::{ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata};

use super::schema::{ENTRIES, ENTRY_ORDER, ENVELOPE_HASHES, ENVELOPE_ORDER, ENVELOPES, PEERS};
use super::{Store, StoreError};

const LOADING: &str = "loading the stored envelopes and entries";
const COUNTING: &str = "counting the stored rows";
const LOOKING_UP: &str = "looking up an envelope";

/// Everything a replica needs to come back: the pact, its membership
/// entries and envelopes, each in the order they were stored.
#[derive(Debug, Clone)]
pub struct StoredState {
    /// The pact the store belongs to.
    pub pact: PactId,
    /// Membership entries, in insertion order.
    pub entries: Vec<SignedEntry>,
    /// Envelopes, in insertion order.
    pub envelopes: Vec<Envelope>,
}

impl StoredState {
    /// The pact's charter, if it is among the stored entries (its hash is
    /// the pact id).
    pub fn charter(&self) -> Option<&SignedEntry> {
        self.entries
            .iter()
            .find(|entry| entry.hash().0 == self.pact.0)
    }
}

/// How many rows the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounts {
    /// Stored envelopes.
    pub envelopes: u64,
    /// Stored membership entries.
    pub entries: u64,
    /// Peers with remembered addresses.
    pub peers: u64,
}

impl Store {
    /// Reads every entry and envelope, in insertion order. Fails on any row
    /// that is missing or does not decode.
    pub fn load(&self) -> Result<StoredState, StoreError> {
        let txn = self.read_txn(LOADING)?;
        let entries = self.load_entries(&txn)?;
        let envelopes = self.load_envelopes(&txn)?;
        Ok(StoredState {
            pact: self.meta.pact,
            entries,
            envelopes,
        })
    }

    /// The stored envelope whose change bytes hash to `hash`.
    pub fn envelope_by_hash(&self, hash: &Sha256Hash) -> Result<Option<Envelope>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, LOOKING_UP);
        let txn = self.read_txn(LOOKING_UP)?;
        let hashes = txn
            .open_table(ENVELOPE_HASHES)
            .map_err(StoreError::database(&self.path, LOOKING_UP))?;
        let Some(key) = hashes.get(hash.0).map_err(failed())? else {
            return Ok(None);
        };
        let key = key.value();
        let table = txn
            .open_table(ENVELOPES)
            .map_err(StoreError::database(&self.path, LOOKING_UP))?;
        let bytes = table.get(key).map_err(failed())?.ok_or_else(|| {
            self.damaged(format!("envelope {} is indexed but missing", hash.short()))
        })?;
        Envelope::from_bytes(bytes.value())
            .map(Some)
            .map_err(|error| {
                self.damaged(format!(
                    "envelope {} does not decode: {error}",
                    hash.short()
                ))
            })
    }

    /// How many envelopes, entries and peers are stored.
    pub fn counts(&self) -> Result<StoreCounts, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, COUNTING);
        let txn = self.read_txn(COUNTING)?;
        let envelopes = txn
            .open_table(ENVELOPES)
            .map_err(StoreError::database(&self.path, COUNTING))?;
        let entries = txn
            .open_table(ENTRIES)
            .map_err(StoreError::database(&self.path, COUNTING))?;
        let peers = txn
            .open_table(PEERS)
            .map_err(StoreError::database(&self.path, COUNTING))?;
        Ok(StoreCounts {
            envelopes: envelopes.len().map_err(failed())?,
            entries: entries.len().map_err(failed())?,
            peers: peers.len().map_err(failed())?,
        })
    }

    pub(super) fn read_txn(&self, operation: &'static str) -> Result<ReadTransaction, StoreError> {
        self.db
            .begin_read()
            .map_err(StoreError::database(&self.path, operation))
    }

    pub(super) fn damaged(&self, detail: String) -> StoreError {
        StoreError::Corrupted {
            path: self.path.clone(),
            detail,
        }
    }

    fn load_entries(&self, txn: &ReadTransaction) -> Result<Vec<SignedEntry>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, LOADING);
        let table = txn
            .open_table(ENTRIES)
            .map_err(StoreError::database(&self.path, LOADING))?;
        let order = txn
            .open_table(ENTRY_ORDER)
            .map_err(StoreError::database(&self.path, LOADING))?;
        let mut entries =
            Vec::with_capacity(usize::try_from(order.len().map_err(failed())?).unwrap_or(0));
        for row in order.iter().map_err(failed())? {
            let (_, hash) = row.map_err(failed())?;
            let hash = EntryHash(hash.value());
            let bytes = table.get(hash.0).map_err(failed())?.ok_or_else(|| {
                self.damaged(format!(
                    "membership entry {} is listed but missing",
                    hash.short()
                ))
            })?;
            let entry = SignedEntry::from_bytes(bytes.value()).map_err(|error| {
                self.damaged(format!(
                    "membership entry {} does not decode: {error}",
                    hash.short()
                ))
            })?;
            if entry.hash() != hash {
                return Err(self.damaged(format!(
                    "membership entry {} is stored under the wrong hash",
                    hash.short()
                )));
            }
            entries.push(entry);
        }
        if entries.len() as u64 != table.len().map_err(failed())? {
            return Err(self.damaged("the membership entries and their order disagree".into()));
        }
        Ok(entries)
    }

    fn load_envelopes(&self, txn: &ReadTransaction) -> Result<Vec<Envelope>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, LOADING);
        let table = txn
            .open_table(ENVELOPES)
            .map_err(StoreError::database(&self.path, LOADING))?;
        let order = txn
            .open_table(ENVELOPE_ORDER)
            .map_err(StoreError::database(&self.path, LOADING))?;
        // The table is scanned front to back in key order, which reads its
        // pages once; looking each envelope up in insertion order read them
        // at random and was most of a large store's start-up. The insertion
        // order is then taken from the order table.
        let mut by_key =
            HashMap::with_capacity(usize::try_from(table.len().map_err(failed())?).unwrap_or(0));
        for row in table.iter().map_err(failed())? {
            let (key, bytes) = row.map_err(failed())?;
            by_key.insert(key.value(), bytes.value().to_vec());
        }
        let mut envelopes = Vec::with_capacity(by_key.len());
        for row in order.iter().map_err(failed())? {
            let (position, key) = row.map_err(failed())?;
            let position = position.value();
            let bytes = by_key.remove(&key.value()).ok_or_else(|| {
                self.damaged(format!("envelope number {position} is listed but missing"))
            })?;
            let envelope = Envelope::from_bytes(&bytes).map_err(|error| {
                self.damaged(format!(
                    "envelope number {position} does not decode: {error}"
                ))
            })?;
            envelopes.push(envelope);
        }
        if !by_key.is_empty() {
            return Err(self.damaged("the envelopes and their order disagree".into()));
        }
        Ok(envelopes)
    }
}
