//! Appending envelopes and membership entries: one write transaction per
//! call, committed with fsync before the call returns. Idempotent: what is
//! already stored is counted, never written twice. Never decides whether
//! an envelope or entry is valid; the replica did that.

use amtshilfe_protocol::envelope::{ENVELOPE_BYTES_MAX, Envelope};
use amtshilfe_protocol::membership::SignedEntry;
use redb::{Durability, ReadableTable, Table, WriteTransaction};

use super::schema::{
    ENTRIES, ENTRY_ORDER, ENVELOPE_HASHES, ENVELOPE_ORDER, ENVELOPES, EnvelopeKey, envelope_key,
};
use super::{Store, StoreError};

const APPENDING_ENVELOPES: &str = "appending envelopes";
const APPENDING_ENTRIES: &str = "appending membership entries";

/// What one append did. Everything counted in `stored` and `duplicates` is
/// on disk when the append returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendReport {
    /// Newly written.
    pub stored: usize,
    /// Already stored with the same bytes; nothing written.
    pub duplicates: usize,
    /// Envelopes whose (document, actor, seq) is already stored with other
    /// bytes: a device that forked its own history. The first one is kept.
    pub conflicts: usize,
}

impl Store {
    /// Stores `envelopes` in one transaction, durably, in the given order.
    /// Refuses the whole batch (writing nothing) if any envelope has no
    /// storage key or is larger than an envelope may be.
    pub fn append_envelopes(&self, envelopes: &[Envelope]) -> Result<AppendReport, StoreError> {
        let rows = envelopes
            .iter()
            .map(envelope_row)
            .collect::<Result<Vec<_>, _>>()?;
        let txn = self.begin_durable(APPENDING_ENVELOPES)?;
        let failed = || StoreError::database::<redb::StorageError>(&self.path, APPENDING_ENVELOPES);
        let mut report = AppendReport::default();
        {
            let mut table = txn
                .open_table(ENVELOPES)
                .map_err(StoreError::database(&self.path, APPENDING_ENVELOPES))?;
            let mut order = txn
                .open_table(ENVELOPE_ORDER)
                .map_err(StoreError::database(&self.path, APPENDING_ENVELOPES))?;
            let mut hashes = txn
                .open_table(ENVELOPE_HASHES)
                .map_err(StoreError::database(&self.path, APPENDING_ENVELOPES))?;
            let mut next = next_counter(&order).map_err(failed())?;
            for row in &rows {
                let same = table
                    .get(row.key)
                    .map_err(failed())?
                    .map(|existing| existing.value() == row.bytes.as_slice());
                if let Some(same) = same {
                    if same {
                        report.duplicates += 1;
                    } else {
                        report.conflicts += 1;
                        tracing::warn!(
                            hash = %row.hash_hex(),
                            "not storing an envelope: another change with the same document, actor and seq is stored"
                        );
                    }
                    continue;
                }
                table
                    .insert(row.key, row.bytes.as_slice())
                    .map_err(failed())?;
                order.insert(next, row.key).map_err(failed())?;
                next += 1;
                if hashes.get(row.hash).map_err(failed())?.is_none() {
                    hashes.insert(row.hash, row.key).map_err(failed())?;
                }
                report.stored += 1;
            }
        }
        self.finish(txn, report.stored, APPENDING_ENVELOPES)?;
        Ok(report)
    }

    /// Stores membership `entries` in one transaction, durably, in the given
    /// order. Refuses the whole batch if an entry is larger than an entry
    /// may be.
    pub fn append_entries(&self, entries: &[SignedEntry]) -> Result<AppendReport, StoreError> {
        let rows = entries
            .iter()
            .map(entry_row)
            .collect::<Result<Vec<_>, _>>()?;
        let txn = self.begin_durable(APPENDING_ENTRIES)?;
        let failed = || StoreError::database::<redb::StorageError>(&self.path, APPENDING_ENTRIES);
        let mut report = AppendReport::default();
        {
            let mut table = txn
                .open_table(ENTRIES)
                .map_err(StoreError::database(&self.path, APPENDING_ENTRIES))?;
            let mut order = txn
                .open_table(ENTRY_ORDER)
                .map_err(StoreError::database(&self.path, APPENDING_ENTRIES))?;
            let mut next = next_counter(&order).map_err(failed())?;
            for (hash, bytes) in &rows {
                if table.get(hash).map_err(failed())?.is_some() {
                    report.duplicates += 1;
                    continue;
                }
                table.insert(hash, bytes.as_slice()).map_err(failed())?;
                order.insert(next, hash).map_err(failed())?;
                next += 1;
                report.stored += 1;
            }
        }
        self.finish(txn, report.stored, APPENDING_ENTRIES)?;
        Ok(report)
    }

    /// A write transaction that fsyncs on commit.
    pub(super) fn begin_durable(
        &self,
        operation: &'static str,
    ) -> Result<WriteTransaction, StoreError> {
        let mut txn = self
            .db
            .begin_write()
            .map_err(StoreError::database(&self.path, operation))?;
        txn.set_durability(Durability::Immediate)
            .map_err(StoreError::database(&self.path, operation))?;
        Ok(txn)
    }

    /// Commits `txn` if it wrote anything, else drops it unwritten.
    pub(super) fn finish(
        &self,
        txn: WriteTransaction,
        written: usize,
        operation: &'static str,
    ) -> Result<(), StoreError> {
        if written == 0 {
            return txn
                .abort()
                .map_err(StoreError::database(&self.path, operation));
        }
        #[cfg(test)]
        if self.failing.load(std::sync::atomic::Ordering::Relaxed) {
            let _ = txn.abort();
            return Err(StoreError::Unreadable {
                path: self.path.clone(),
                source: std::io::Error::other("a failure injected by a test"),
            });
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, operation))
    }
}

/// One envelope, encoded for storage.
struct EnvelopeRow {
    key: EnvelopeKey,
    hash: [u8; 32],
    bytes: Vec<u8>,
}

impl EnvelopeRow {
    fn hash_hex(&self) -> String {
        amtshilfe_protocol::ids::Sha256Hash(self.hash).short()
    }
}

fn envelope_row(envelope: &Envelope) -> Result<EnvelopeRow, StoreError> {
    let hash = envelope.content_hash();
    let key = envelope_key(envelope).map_err(|error| StoreError::Refused {
        what: "an envelope",
        detail: format!("envelope {}: {error}", hash.short()),
    })?;
    let bytes = envelope.to_bytes();
    if bytes.len() > ENVELOPE_BYTES_MAX {
        return Err(StoreError::Refused {
            what: "an envelope",
            detail: format!(
                "envelope {} is {} bytes, more than the limit of {ENVELOPE_BYTES_MAX}",
                hash.short(),
                bytes.len()
            ),
        });
    }
    Ok(EnvelopeRow {
        key,
        hash: hash.0,
        bytes,
    })
}

fn entry_row(entry: &SignedEntry) -> Result<([u8; 32], Vec<u8>), StoreError> {
    let bytes = entry.to_bytes();
    if bytes.len() > entry.bytes_max() {
        return Err(StoreError::Refused {
            what: "a membership entry",
            detail: format!(
                "entry {} is {} bytes, more than the limit of {}",
                entry.hash().short(),
                bytes.len(),
                entry.bytes_max()
            ),
        });
    }
    Ok((entry.hash().0, bytes))
}

/// The next free value of an append counter.
fn next_counter<V: redb::Value + 'static>(
    order: &Table<'_, u64, V>,
) -> Result<u64, redb::StorageError> {
    Ok(order.last()?.map_or(0, |(key, _)| key.value() + 1))
}
