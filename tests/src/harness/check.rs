//! The end-of-run checks: identical data everywhere, no forged or
//! unauthorised change accepted anywhere, no acknowledged write lost.

use std::collections::BTreeSet;

use amtshilfe_protocol::ids::Sha256Hash;
use amtshilfe_protocol::membership::Authority;

use super::network::Network;

/// What a successful run saw, for the test's own assertions and output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// The seed.
    pub seed: u64,
    /// Founding peers in the run (joiners come on top).
    pub peers: usize,
    /// Writes acknowledged during the run.
    pub acknowledged_writes: usize,
    /// Envelopes applied on every replica at the end.
    pub applied_envelopes: usize,
    /// Forged or unauthorised envelopes injected.
    pub forgeries_injected: usize,
    /// Members at the end.
    pub members_at_end: usize,
    /// Equivocations and backdated votes injected.
    pub equivocations: usize,
    /// Forks every replica knows at the end.
    pub forks_at_end: usize,
    /// Writes acknowledged from short-lived second devices.
    pub second_device_writes: usize,
    /// New members proposed, each with a node of its own.
    pub admissions: usize,
    /// Of those, admitted by the end (a majority approved).
    pub joiners_admitted: usize,
    /// Sealed posture records every replica holds at the end.
    pub posture_records: usize,
}

/// A run whose replicas disagree, or that accepted what it must not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seed {seed}: {problem} (replay with harness::run({seed}, &config))")]
pub struct Divergence {
    /// The seed that reproduces the failure.
    pub seed: u64,
    /// What went wrong.
    pub problem: String,
}

impl Network {
    /// Compares all replicas after [`Network::settle`].
    pub fn check(&self) -> Result<RunReport, Divergence> {
        let fail = |problem: String| Divergence {
            seed: self.seed,
            problem,
        };
        let replicas: Vec<_> = self
            .peers
            .iter()
            .filter_map(|p| p.replica.as_ref())
            .collect();
        if let Some(violation) = self.violations.first() {
            return Err(fail(violation.clone()));
        }
        if replicas.len() != self.peers.len() {
            return Err(fail("a peer is still down after settling".into()));
        }
        let first = replicas[0];
        for (index, replica) in replicas.iter().enumerate().skip(1) {
            if replica.membership().hashes() != first.membership().hashes() {
                return Err(fail(format!(
                    "peer {index} has other membership entries than peer 0"
                )));
            }
            if replica.heads() != first.heads() {
                return Err(fail(format!(
                    "peer {index} has other document heads than peer 0"
                )));
            }
            if replica.read_model() != first.read_model() {
                return Err(fail(format!(
                    "peer {index} has another read model than peer 0"
                )));
            }
            if !replica.forks().eq(first.forks()) {
                return Err(fail(format!("peer {index} knows other forks than peer 0")));
            }
            if replica.membership().state() != first.membership().state() {
                return Err(fail(format!(
                    "peer {index} replays the membership log differently from peer 0"
                )));
            }
        }
        for (index, replica) in replicas.iter().enumerate() {
            // Only the documents used last keep their automerge state.
            let loaded = replica.documents().filter(|d| d.is_loaded()).count();
            if loaded > super::peer::LOADED_DOCUMENTS {
                return Err(fail(format!(
                    "peer {index} holds {loaded} documents' automerge state, more than {}",
                    super::peer::LOADED_DOCUMENTS
                )));
            }
            // The read model is updated record by record as changes
            // arrive; it must equal one built from the documents at once.
            let mut rebuilt = amtshilfe_protocol::read_model::ReadModel::new();
            for document in replica.documents() {
                rebuilt.update_document(document.id(), &document.records());
            }
            if replica.read_model() != &rebuilt {
                return Err(fail(format!(
                    "peer {index}'s read model differs from one rebuilt from its documents"
                )));
            }
            let applied: BTreeSet<Sha256Hash> = replica
                .documents()
                .flat_map(|d| d.applied().iter().map(|c| c.envelope.content_hash()))
                .collect();
            if let Some(forged) = self.forged.iter().find(|h| applied.contains(h)) {
                return Err(fail(format!(
                    "peer {index} accepted forged envelope {forged}"
                )));
            }
            // Not applied is not enough: nothing forged may be held or on disk.
            let held = replica.held_hashes();
            let stored: BTreeSet<Sha256Hash> = self.peers[index]
                .store
                .envelopes
                .iter()
                .map(|e| e.content_hash())
                .collect();
            if let Some(forged) = self
                .forged
                .iter()
                .find(|h| held.contains(h) || stored.contains(h))
            {
                return Err(fail(format!(
                    "peer {index} stored or holds forged envelope {forged}"
                )));
            }
            if let Err(problem) = self.check_posture(index, replica) {
                return Err(fail(problem));
            }
            for (writer, envelope) in &self.acknowledged {
                let hash = envelope.content_hash();
                if !self.peers[*writer]
                    .store
                    .envelopes
                    .iter()
                    .any(|e| e.content_hash() == hash)
                {
                    return Err(fail(format!(
                        "peer {writer} lost its acknowledged write {hash}"
                    )));
                }
                let change_time = automerge::Change::from_bytes(envelope.change.clone())
                    .map(|c| c.timestamp())
                    .unwrap_or(0);
                let still_authorised = matches!(
                    replica.membership().state().authorise(
                        &envelope.signer,
                        &envelope.document,
                        change_time
                    ),
                    Ok(Authority::Full)
                );
                if still_authorised && !applied.contains(&hash) {
                    return Err(fail(format!(
                        "peer {index} lacks acknowledged write {hash} of peer {writer}"
                    )));
                }
            }
        }
        Ok(RunReport {
            seed: self.seed,
            peers: self.config.peers,
            acknowledged_writes: self.acknowledged.len(),
            applied_envelopes: first.documents().map(|d| d.len()).sum(),
            forgeries_injected: self.forged.len(),
            members_at_end: first.membership().state().member_count(),
            equivocations: self.equivocations,
            forks_at_end: first.forks().count(),
            second_device_writes: self.second_device_writes,
            admissions: self.admissions,
            joiners_admitted: self.peers[self.config.peers..]
                .iter()
                .filter(|p| first.membership().state().is_member(&p.device.member))
                .count(),
            posture_records: first.read_model().posture_records().count(),
        })
    }

    /// No stored envelope of peer `index` holds posture plaintext, and of
    /// each posture record it holds, the owner opens it and a member that
    /// is not a reader cannot.
    fn check_posture(
        &self,
        index: usize,
        replica: &amtshilfe_protocol::replica::Replica,
    ) -> Result<(), String> {
        use amtshilfe_protocol::posture::PosturePayload;
        use amtshilfe_protocol::seal::ReaderId;

        use crate::posture_sample::{POSTURE_MARKER, encryption_secret};

        let needles = [
            POSTURE_MARKER.as_bytes().to_vec(),
            hex::encode(POSTURE_MARKER).into_bytes(),
        ];
        for envelope in &self.peers[index].store.envelopes {
            let bytes = envelope.to_bytes();
            if needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
            {
                return Err(format!("peer {index} stores posture plaintext"));
            }
        }
        let pact = replica.pact_id();
        for (address, record) in replica.read_model().posture_records() {
            let owner = ReaderId::Member(address.owner);
            match record.open(&pact, &owner, &encryption_secret(&owner)) {
                Ok(PosturePayload::Assessment { assessment, .. })
                    if assessment
                        .wiba
                        .values()
                        .any(|a| a.note.starts_with(POSTURE_MARKER)) => {}
                other => {
                    return Err(format!(
                        "peer {index}: the owner cannot open its posture record {}: {other:?}",
                        address.id
                    ));
                }
            }
            let outsider = self
                .pact
                .members
                .iter()
                .map(|m| ReaderId::Member(m.id()))
                .find(|m| *m != owner);
            if let Some(outsider) = outsider
                && record
                    .open(&pact, &outsider, &encryption_secret(&outsider))
                    .is_ok()
            {
                return Err(format!(
                    "peer {index}: another member opens posture record {}",
                    address.id
                ));
            }
        }
        Ok(())
    }
}
