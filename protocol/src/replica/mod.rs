//! A replica: everything one node knows about its pact: the membership log,
//! every member's documents, envelopes waiting for their dependencies, and
//! the read model. It takes envelopes and membership entries in, and says
//! what was accepted (so the node can store it) and what was refused and
//! why. Sans-IO: storing, sending and the clock belong to the node.

mod forks;
mod incarnations;
mod membership_change;
mod place;
mod quota;
mod stored;
mod write;

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use automerge::ChangeHash;
use sha2::{Digest, Sha256};

use crate::document::{CheckedChange, Document, VersionVector};
use crate::envelope::Envelope;
use crate::ids::{DocumentId, MemberId, PactId, Sha256Hash};
use crate::ingress::{self, Admitted, Rejection, SignatureCheck};
use crate::membership::{EntryRejection, InsertOutcome, MembershipLog, SignedEntry};
use crate::read_model::ReadModel;

pub use forks::{Fork, ForkEvidence};
pub use incarnations::DeclareError;
pub use quota::{
    BYTES_PER_ACTOR_MAX, CHANGES_PER_ACTOR_MAX, PENDING_BYTES_PER_MEMBER_MAX,
    PENDING_PER_MEMBER_MAX,
};
pub use write::{LocalDevice, WriteError};

/// Most envelopes kept waiting for missing dependencies, over all documents.
pub const PENDING_ENVELOPES_MAX: usize = 10_000;

/// Documents whose automerge state stays in memory: those touched last.
/// The others keep only their envelopes and are rebuilt from them when a
/// change for them arrives (about a millisecond per hundred changes). With
/// hundreds of members, most documents change rarely; their automerge
/// state was most of a large replica's memory.
pub const LOADED_DOCUMENTS_MAX: usize = 64;

/// Counters over the replica's lifetime, for metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngressStats {
    /// Envelopes applied (received or written locally).
    pub accepted: u64,
    /// Envelopes received again that were already applied or pending.
    pub duplicates: u64,
    /// Refused envelopes by [`Rejection::code`].
    pub rejected: BTreeMap<&'static str, u64>,
    /// Refused membership entries by [`EntryRejection::code`].
    pub entries_rejected: BTreeMap<&'static str, u64>,
}

/// What one call to [`Replica::receive_envelopes`] did.
#[derive(Debug, Default)]
pub struct IngressReport {
    /// Envelopes newly applied, in apply order. The node stores these.
    pub accepted: Vec<Envelope>,
    /// Envelopes that were already known.
    pub duplicates: usize,
    /// Envelopes now waiting for dependencies.
    pub pending: usize,
    /// Refused envelopes with their reason (identified by content hash).
    pub rejected: Vec<(Sha256Hash, Rejection)>,
}

/// All state of one node's view of its pact.
#[derive(Debug)]
pub struct Replica {
    membership: MembershipLog,
    documents: BTreeMap<DocumentId, Document>,
    /// Admitted envelopes whose dependencies (or frozen heads) are missing.
    pending: BTreeMap<DocumentId, Vec<Admitted>>,
    pending_len: usize,
    /// Changes that were applied once but are no longer authorised (their
    /// owner was removed or their key revoked after they arrived). Kept,
    /// never lost: a later membership change may authorise them again.
    held: BTreeMap<DocumentId, Vec<CheckedChange>>,
    fingerprints: BTreeMap<MemberId, [u8; 32]>,
    /// Known forks, one per (document, actor): the lowest (see `forks`).
    forks: BTreeMap<(DocumentId, crate::ids::ActorKey), Fork>,
    /// Changes newly applied (from any path) that the node must store.
    outbox: Vec<Envelope>,
    /// This replica's own declarations of incarnations not yet taken to
    /// announce (`incarnations.rs`).
    declarations: Vec<SignedEntry>,
    read_model: ReadModel,
    stats: IngressStats,
    /// Documents with automerge state in memory, most recently used first.
    loaded: VecDeque<DocumentId>,
    /// How many may be; [`LOADED_DOCUMENTS_MAX`] unless set.
    loaded_max: usize,
    /// Envelopes whose signatures the caller has just checked (by
    /// [`Envelope::verification_id`]), for the next receive only.
    verified: HashSet<Sha256Hash>,
}

impl Replica {
    /// A replica of the pact founded by `charter`, knowing nothing else yet.
    pub fn new(charter: SignedEntry) -> Result<Self, EntryRejection> {
        let membership = MembershipLog::new(charter)?;
        let mut replica = Self {
            membership,
            documents: BTreeMap::new(),
            pending: BTreeMap::new(),
            pending_len: 0,
            held: BTreeMap::new(),
            fingerprints: BTreeMap::new(),
            forks: BTreeMap::new(),
            outbox: Vec::new(),
            declarations: Vec::new(),
            read_model: ReadModel::new(),
            stats: IngressStats::default(),
            loaded: VecDeque::new(),
            loaded_max: LOADED_DOCUMENTS_MAX,
            verified: HashSet::new(),
        };
        replica.fingerprints = replica.current_fingerprints();
        replica.refresh_pact_names();
        Ok(replica)
    }

    /// The pact's id.
    pub fn pact_id(&self) -> PactId {
        self.membership.pact_id()
    }

    /// The membership log.
    pub fn membership(&self) -> &MembershipLog {
        &self.membership
    }

    /// The read model (registry, request board, mission orders).
    pub fn read_model(&self) -> &ReadModel {
        &self.read_model
    }

    /// Lifetime counters.
    pub fn stats(&self) -> &IngressStats {
        &self.stats
    }

    /// Takes the envelopes applied since the last call, received or made
    /// locally, in apply order: the node stores exactly these. (Held
    /// changes were stored when first applied; pending ones are stored only
    /// once they apply.)
    pub fn take_new_envelopes(&mut self) -> Vec<Envelope> {
        std::mem::take(&mut self.outbox)
    }

    /// Number of envelopes waiting for dependencies.
    pub fn pending_len(&self) -> usize {
        self.pending_len
    }

    /// Number of stored changes no longer authorised (kept, not applied).
    pub fn held_len(&self) -> usize {
        self.held.values().map(Vec::len).sum()
    }

    /// Content hashes of the held changes (for comparing replicas).
    pub fn held_hashes(&self) -> BTreeSet<Sha256Hash> {
        self.held
            .values()
            .flatten()
            .map(|c| c.envelope.content_hash())
            .collect()
    }

    /// Content hashes of the changes waiting for dependencies.
    pub fn pending_hashes(&self) -> BTreeSet<Sha256Hash> {
        self.pending
            .values()
            .flatten()
            .map(|a| a.checked.envelope.content_hash())
            .collect()
    }

    /// One document, if any change of it has been seen.
    pub fn document(&self, id: &DocumentId) -> Option<&Document> {
        self.documents.get(id)
    }

    /// Every document with at least one applied change.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.documents.values().filter(|d| !d.is_empty())
    }

    /// The heads of every non-empty document.
    pub fn heads(&self) -> BTreeMap<DocumentId, Vec<ChangeHash>> {
        self.documents().map(|d| (d.id(), d.heads())).collect()
    }

    /// The version vector of every non-empty document.
    pub fn version_vectors(&self) -> BTreeMap<DocumentId, VersionVector> {
        self.documents()
            .map(|d| (d.id(), d.version_vector().clone()))
            .collect()
    }

    /// A digest of the membership heads and every document's heads: two
    /// replicas with the same digest hold the same data.
    pub fn digest(&self) -> Sha256Hash {
        let mut hasher = Sha256::new();
        for head in self.membership.heads() {
            hasher.update(head.0);
        }
        for document in self.documents() {
            hasher.update(document.id().to_bytes());
            for head in document.heads() {
                hasher.update(head.0);
            }
        }
        // Nodes holding different fork evidence must sync it.
        for fork in self.forks.values() {
            hasher.update(fork.actor.0);
            hasher.update(fork.seq.to_le_bytes());
        }
        Sha256Hash(hasher.finalize().into())
    }

    /// Takes in one membership entry. When it changes who may write what,
    /// the affected documents are checked again.
    pub fn receive_entry(&mut self, entry: SignedEntry) -> Result<InsertOutcome, EntryRejection> {
        let outcome = self.membership.insert(entry);
        self.count_entry(&outcome);
        if matches!(outcome, Ok(InsertOutcome::Applied { .. })) {
            self.after_membership_change();
        }
        outcome
    }

    fn count_entry(&mut self, outcome: &Result<InsertOutcome, EntryRejection>) {
        if let Err(rejection) = outcome {
            *self
                .stats
                .entries_rejected
                .entry(rejection.code())
                .or_insert(0) += 1;
        }
    }

    /// Takes in many membership entries at once (the whole log when a node
    /// starts): the log is replayed and the documents re-checked once for
    /// all of them, not once per entry. One result per entry, in order.
    pub fn receive_entries(
        &mut self,
        entries: impl IntoIterator<Item = SignedEntry>,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        let outcomes = self.membership.insert_batch(entries);
        self.after_entries(outcomes)
    }

    /// [`Self::receive_entries`] for the node's own store when it starts:
    /// the entries passed every check before they were stored, so the
    /// author check (a replay of each entry's past) is skipped; see
    /// [`MembershipLog::restore_batch`]. Never for a backup or a bundle.
    pub fn restore_entries(
        &mut self,
        entries: impl IntoIterator<Item = SignedEntry>,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        let outcomes = self.membership.restore_batch(entries);
        self.after_entries(outcomes)
    }

    /// Counts refused entries and re-checks the documents once if any entry
    /// was applied.
    fn after_entries(
        &mut self,
        outcomes: Vec<Result<InsertOutcome, EntryRejection>>,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        for outcome in &outcomes {
            self.count_entry(outcome);
        }
        if outcomes
            .iter()
            .any(|o| matches!(o, Ok(InsertOutcome::Applied { .. })))
        {
            self.after_membership_change();
        }
        outcomes
    }

    /// Tells the replica that the envelopes with these verification ids
    /// have valid signatures, checked by the caller just now (the node
    /// checks a large page on all cores at once). The next receive skips
    /// those checks and forgets the ids; any envelope not named is checked
    /// as usual, so naming too few is always safe.
    pub fn note_verified(&mut self, ids: impl IntoIterator<Item = Sha256Hash>) {
        self.verified.extend(ids);
    }

    /// Takes in envelopes from a peer, a bundle or the node's own store,
    /// runs each through ingress and applies what can be applied.
    pub fn receive_envelopes(
        &mut self,
        envelopes: Vec<Envelope>,
        signatures: SignatureCheck,
    ) -> IngressReport {
        let mut report = IngressReport::default();
        let pact = self.pact_id();
        let mut by_document: BTreeMap<DocumentId, Vec<Admitted>> = BTreeMap::new();
        let verified = std::mem::take(&mut self.verified);
        for envelope in envelopes {
            let hash = envelope.content_hash();
            let signatures = match signatures {
                SignatureCheck::Verify
                    if !verified.is_empty() && verified.contains(&envelope.verification_id()) =>
                {
                    SignatureCheck::TrustStored
                }
                other => other,
            };
            match ingress::admit(&pact, self.membership.state(), envelope, signatures) {
                Ok(admitted) => by_document
                    .entry(admitted.checked.envelope.document)
                    .or_default()
                    .push(admitted),
                Err(rejection) => self.reject(&mut report, hash, rejection),
            }
        }
        for (document, fresh) in by_document {
            self.place(document, fresh, &mut report);
        }
        report
    }

    /// Loads envelopes from the node's own store (signatures were checked
    /// before they were stored). Unlike [`Self::receive_envelopes`],
    /// nothing stored is refused: changes not authorised under the current
    /// membership are held, exactly as if they had been applied and then
    /// lost their authority. Returns how many stored envelopes could not
    /// even be parsed (a damaged store; the node must not start on one).
    pub fn restore(&mut self, envelopes: Vec<Envelope>) -> usize {
        let mut unreadable = 0;
        let mut touched = std::collections::BTreeSet::new();
        for envelope in envelopes {
            let parsed = automerge::Change::from_bytes(envelope.change.clone())
                .ok()
                .and_then(|change| {
                    let actor = crate::ids::ActorKey::from_slice(change.actor_id().to_bytes())?;
                    Some(CheckedChange {
                        envelope,
                        change,
                        actor,
                    })
                });
            match parsed {
                Some(checked) => {
                    touched.insert(checked.envelope.document);
                    self.held
                        .entry(checked.envelope.document)
                        .or_default()
                        .push(checked);
                }
                None => unreadable += 1,
            }
        }
        for id in touched {
            self.recheck_document(id);
        }
        self.fingerprints = self.current_fingerprints();
        unreadable
    }

    /// Like [`Self::receive_envelopes`] for undecoded bytes; bytes that do
    /// not decode are refused with their reason.
    pub fn receive_envelope_bytes(
        &mut self,
        items: &[Vec<u8>],
        signatures: SignatureCheck,
    ) -> IngressReport {
        let mut envelopes = Vec::with_capacity(items.len());
        let mut decode_failures = Vec::new();
        for bytes in items {
            match Envelope::from_bytes(bytes) {
                Ok(envelope) => envelopes.push(envelope),
                Err(error) => {
                    decode_failures.push((Sha256Hash(crate::identity::sha256(bytes)), error.into()))
                }
            }
        }
        let mut report = self.receive_envelopes(envelopes, signatures);
        for (hash, rejection) in decode_failures {
            self.reject(&mut report, hash, rejection);
        }
        report
    }

    fn reject(&mut self, report: &mut IngressReport, hash: Sha256Hash, rejection: Rejection) {
        *self.stats.rejected.entry(rejection.code()).or_insert(0) += 1;
        report.rejected.push((hash, rejection));
    }

    /// Sets how many documents keep their automerge state in memory (at
    /// least 1). Tests set it low so that unloading happens all the time.
    pub fn set_loaded_documents_max(&mut self, max: usize) {
        self.loaded_max = max.max(1);
    }

    /// Notes that a document's automerge state was just used, and unloads
    /// that of the least recently used one beyond the limit.
    pub(super) fn used(&mut self, id: DocumentId) {
        if let Some(position) = self.loaded.iter().position(|d| *d == id) {
            self.loaded.remove(position);
        }
        self.loaded.push_front(id);
        while self.loaded.len() > self.loaded_max {
            if let Some(oldest) = self.loaded.pop_back()
                && let Some(document) = self.documents.get_mut(&oldest)
            {
                document.unload();
            }
        }
    }

    /// Refreshes the read model's view of some records of one document:
    /// those an applied change wrote.
    fn refresh_read_model_keys(&mut self, id: DocumentId, keys: &BTreeSet<String>) {
        let Some(document) = self.documents.get(&id) else {
            return self.read_model.remove_document(id);
        };
        let current: Vec<(&str, Option<String>)> = keys
            .iter()
            .map(|key| (key.as_str(), document.record(key)))
            .collect();
        self.read_model.update_records(
            id,
            current.iter().map(|(key, json)| (*key, json.as_deref())),
        );
        self.used(id);
    }

    /// Refreshes the read model's view of one whole document.
    fn refresh_read_model(&mut self, id: DocumentId) {
        match self.documents.get(&id) {
            Some(document) if !document.is_empty() => {
                self.read_model.update_document(id, &document.records())
            }
            _ => self.read_model.remove_document(id),
        }
        if self.documents.contains_key(&id) {
            self.used(id);
        }
    }
}
