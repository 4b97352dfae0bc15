//! One simulated node: a replica that may be crashed, and the durable
//! store it restarts from.

use std::collections::BTreeMap;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::EntryHash;
use amtshilfe_protocol::membership::SignedEntry;
use amtshilfe_protocol::replica::{ForkEvidence, LocalDevice, Replica};

use super::Planted;

/// What survives a crash: everything the node stored before it said so.
#[derive(Debug, Default, Clone)]
pub(crate) struct DurableStore {
    pub(crate) entries: BTreeMap<EntryHash, SignedEntry>,
    pub(crate) envelopes: Vec<Envelope>,
    /// Fork evidence, as the node keeps it in its own table.
    pub(crate) forks: Vec<ForkEvidence>,
}

/// Documents whose automerge state a harness peer keeps: far fewer than a
/// run's documents, so that unloading and rebuilding happen all the time.
pub(crate) const LOADED_DOCUMENTS: usize = 2;

/// A simulated node.
#[derive(Debug)]
pub(crate) struct Peer {
    pub(crate) device: LocalDevice,
    pub(crate) member_key: amtshilfe_protocol::identity::KeyPair,
    /// `None` while crashed.
    pub(crate) replica: Option<Replica>,
    pub(crate) store: DurableStore,
    charter: SignedEntry,
    /// A bug planted in this peer to prove the checks catch it.
    pub(crate) planted: Option<Planted>,
}

impl Peer {
    pub(crate) fn new(
        charter: SignedEntry,
        device: LocalDevice,
        member_key: amtshilfe_protocol::identity::KeyPair,
    ) -> Self {
        let mut peer = Self {
            device,
            member_key,
            replica: None,
            store: DurableStore::default(),
            charter,
            planted: None,
        };
        let problems = peer.restart();
        assert!(problems.is_empty(), "an empty store restarts: {problems:?}");
        peer
    }

    /// Stores whatever the replica applied since the last call, as a node
    /// does before it acknowledges or forwards anything.
    pub(crate) fn persist(&mut self) {
        let Some(replica) = self.replica.as_mut() else {
            return;
        };
        let mut envelopes = replica.take_new_envelopes();
        if self.planted == Some(Planted::DropWriteOnCrash) && !envelopes.is_empty() {
            // The bug: the last change of each batch never reaches the disk.
            envelopes.pop();
        }
        self.store.envelopes.extend(envelopes);
        for fork in replica.forks() {
            if !self.store.forks.contains(&fork.evidence) {
                self.store.forks.push(fork.evidence.clone());
            }
        }
        for (hash, entry) in replica.membership().entries_in_order() {
            self.store
                .entries
                .entry(hash)
                .or_insert_with(|| entry.clone());
        }
    }

    pub(crate) fn crash(&mut self) {
        self.replica = None;
    }

    /// Rebuilds the replica from the durable store alone; says what in the
    /// store was not as a correct node leaves it.
    pub(crate) fn restart(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut replica = match Replica::new(self.charter.clone()) {
            Ok(replica) => replica,
            Err(error) => panic!("the charter was accepted before, so it must be again: {error}"),
        };
        // A node's store keeps its entries in the order it took them,
        // parents and delegations first; this one keeps them by hash, so
        // an entry whose author a later entry introduces (a device's
        // declaration before the device's delegation) is tried again once
        // that one is in. Pending entries cascade once their parents are.
        let mut remaining: Vec<_> = self.store.entries.values().cloned().collect();
        loop {
            let before = remaining.len();
            remaining.retain(|entry| replica.receive_entry(entry.clone()).is_err());
            if remaining.len() == before {
                break;
            }
        }
        replica.set_loaded_documents_max(LOADED_DOCUMENTS);
        let unreadable = replica.restore(self.store.envelopes.clone());
        if unreadable > 0 {
            problems.push(format!(
                "{unreadable} stored envelopes do not parse (a forged envelope was stored)"
            ));
        }
        for evidence in &self.store.forks {
            if replica.receive_fork_evidence(evidence.clone()).is_err() {
                problems.push("stored fork evidence does not check".into());
            }
        }
        if !replica.take_new_envelopes().is_empty() {
            problems.push("what came back from the store was not all stored".into());
        }
        self.replica = Some(replica);
        problems
    }

    pub(crate) fn is_up(&self) -> bool {
        self.replica.is_some()
    }
}
