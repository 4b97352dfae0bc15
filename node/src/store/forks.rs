//! Fork evidence on disk: two changes a device signed with one (actor,
//! seq). The forking change is refused, never stored as an envelope, so the
//! evidence needs a table of its own to survive a restart and to be sent
//! on to peers. A table a store does not have yet reads as empty.

use amtshilfe_protocol::replica::ForkEvidence;
use redb::{ReadableTable, TableError};

use super::schema::{FORKS, META};
use super::{Store, StoreError};

const KEEPING: &str = "keeping fork evidence";
const READING: &str = "reading fork evidence";
const NEW_INCARNATION: &str = "recording a new incarnation";

impl Store {
    /// Stores `evidence` durably, keyed by the pair's content hashes (the
    /// same evidence twice is one row).
    pub fn put_forks(&self, evidence: &[ForkEvidence]) -> Result<(), StoreError> {
        if evidence.is_empty() {
            return Ok(());
        }
        let failed = || StoreError::database::<redb::StorageError>(&self.path, KEEPING);
        let txn = self.begin_durable(KEEPING)?;
        {
            let mut table = txn
                .open_table(FORKS)
                .map_err(StoreError::database(&self.path, KEEPING))?;
            for item in evidence {
                let mut key = [0u8; 64];
                key[..32].copy_from_slice(&item.first.content_hash().0);
                key[32..].copy_from_slice(&item.second.content_hash().0);
                let bytes = postcard::to_stdvec(item).map_err(|error| StoreError::Refused {
                    what: "fork evidence",
                    detail: error.to_string(),
                })?;
                table.insert(key, bytes.as_slice()).map_err(failed())?;
            }
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, KEEPING))
    }

    /// Every stored piece of fork evidence.
    pub fn forks(&self) -> Result<Vec<ForkEvidence>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, READING);
        let txn = self.read_txn(READING)?;
        let table = match txn.open_table(FORKS) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
        };
        let mut evidence = Vec::new();
        for row in table.iter().map_err(failed())? {
            let (_, value) = row.map_err(failed())?;
            let item = postcard::from_bytes(value.value())
                .map_err(|error| self.damaged(format!("fork evidence does not decode: {error}")))?;
            evidence.push(item);
        }
        Ok(evidence)
    }

    /// Replaces the device's incarnation, durably: after its own actor was
    /// found forked (a VM snapshot restored, say), the device writes on
    /// under a new actor, since the old one is frozen everywhere.
    pub fn set_incarnation(
        &mut self,
        incarnation: [u8; super::INCARNATION_LEN],
    ) -> Result<(), StoreError> {
        let txn = self.begin_durable(NEW_INCARNATION)?;
        {
            let mut table = txn
                .open_table(META)
                .map_err(StoreError::database(&self.path, NEW_INCARNATION))?;
            table
                .insert(super::META_INCARNATION, incarnation.as_slice())
                .map_err(StoreError::database(&self.path, NEW_INCARNATION))?;
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, NEW_INCARNATION))?;
        self.meta.incarnation = incarnation;
        Ok(())
    }
}
