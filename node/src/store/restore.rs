//! Bringing a replica back from what the store holds: the membership
//! entries first, then the envelopes. Refuses to start on a store that does
//! not belong to the charter or holds unreadable data; never drops anything
//! silently.

use amtshilfe_protocol::ids::PactId;
use amtshilfe_protocol::membership::{EntryRejection, SignedEntry};
use amtshilfe_protocol::replica::Replica;

use super::StoredState;

/// Why a replica could not be restored from the store.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The store was never given a pact.
    #[error(
        "the store holds no pact charter; run `amtshilfe pact create` or `amtshilfe join` first"
    )]
    NoCharter,
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] super::StoreError),
    /// The charter itself is not valid.
    #[error("the pact charter is not valid: {0}")]
    Charter(EntryRejection),
    /// The store belongs to another pact.
    #[error(
        "the store belongs to pact {stored}, but the charter is of pact {charter}. \
         Check that the data directory belongs to this pact"
    )]
    WrongPact {
        /// The pact in the store's metadata.
        stored: PactId,
        /// The pact of the charter.
        charter: PactId,
    },
    /// A stored membership entry is refused by the log.
    #[error(
        "stored membership entry {hash} is refused: {reason}. The store is damaged or was \
         written by an incompatible version; restore the data directory from a backup"
    )]
    Entry {
        /// Short hash of the entry.
        hash: String,
        /// Why the log refused it.
        reason: EntryRejection,
    },
    /// Stored envelopes whose change bytes do not parse.
    #[error(
        "{count} stored envelopes cannot be read. The store is damaged; restore the data \
         directory from a backup"
    )]
    UnreadableEnvelopes {
        /// How many.
        count: usize,
    },
}

/// The replica of everything `store` holds (its charter's pact).
pub fn load_replica(store: &super::Store) -> Result<Replica, RestoreError> {
    let stored = store.load()?;
    let charter = stored.charter().cloned().ok_or(RestoreError::NoCharter)?;
    let mut replica = restore_replica(charter, stored)?;
    // Evidence was checked before it was stored; checking it again costs
    // two signatures per fork, and forks are rare.
    for evidence in store.forks()? {
        if let Err(reason) = replica.receive_fork_evidence(evidence) {
            tracing::warn!(%reason, "stored fork evidence no longer checks; ignored");
        }
    }
    drop(replica.take_new_envelopes());
    Ok(replica)
}

/// A replica of the pact founded by `charter` holding everything in
/// `stored`: entries in stored order, then the envelopes. Fails, rather
/// than starting with less, if anything stored cannot be taken back.
pub fn restore_replica(charter: SignedEntry, stored: StoredState) -> Result<Replica, RestoreError> {
    let mut replica = Replica::new(charter).map_err(RestoreError::Charter)?;
    if replica.pact_id() != stored.pact {
        return Err(RestoreError::WrongPact {
            stored: stored.pact,
            charter: replica.pact_id(),
        });
    }
    let entries = stored.entries.len();
    let hashes: Vec<_> = stored.entries.iter().map(|e| e.hash().short()).collect();
    let outcomes = replica.restore_entries(stored.entries);
    for (hash, outcome) in hashes.into_iter().zip(outcomes) {
        outcome.map_err(|reason| RestoreError::Entry { hash, reason })?;
    }
    let envelopes = stored.envelopes.len();
    let unreadable = replica.restore(stored.envelopes);
    if unreadable > 0 {
        return Err(RestoreError::UnreadableEnvelopes { count: unreadable });
    }
    // Everything restored is already stored; nothing here needs writing again.
    drop(replica.take_new_envelopes());
    tracing::info!(
        pact = %replica.pact_id().short(),
        entries,
        envelopes,
        held = replica.held_len(),
        "replica restored from the store"
    );
    Ok(replica)
}
