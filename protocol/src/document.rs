//! One member's document of one collection: an automerge document plus the
//! signed envelopes it was built from, in the order they were applied.
//!
//! The envelopes are the truth; the automerge document is a cache that can
//! always be rebuilt from them. That is how a panic inside automerge is
//! contained: the call is caught, the document is rebuilt from the stored
//! envelopes, and the batch that caused it is refused. Never does I/O and
//! never decides authorisation (see `ingress`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{
    AutoCommit, Change, ChangeHash, ROOT, ReadDoc, ValueRef, transaction::Transactable,
};

use crate::envelope::Envelope;
use crate::ids::{ActorKey, DocumentId};

/// For each actor, the highest sequence number applied. Because ingress
/// refuses (actor, seq) forks and every change depends on its actor's
/// previous change, this describes exactly which changes a replica has.
pub type VersionVector = BTreeMap<ActorKey, u64>;

/// An envelope whose change has been parsed and checked by ingress.
#[derive(Debug, Clone)]
pub struct CheckedChange {
    /// The signed envelope as received.
    pub envelope: Envelope,
    /// The parsed change.
    pub change: Change,
    /// The change's actor.
    pub actor: ActorKey,
}

impl CheckedChange {
    /// The automerge hash of the change.
    pub fn hash(&self) -> ChangeHash {
        self.change.hash()
    }
}

/// A change the document has applied, as it is kept in memory: the signed
/// envelope (the truth the document is rebuilt from) and the few facts the
/// indexes and sync need. The parsed change itself lives once, in the
/// automerge document's history; a second parsed copy per change here used
/// to cost about as much memory as the rest of a large replica together.
#[derive(Debug, Clone)]
pub struct AppliedChange {
    /// The signed envelope as received or made.
    pub envelope: Envelope,
    /// The change's actor.
    pub actor: ActorKey,
    /// The change's sequence number for its actor.
    pub seq: u64,
    /// The automerge hash of the change.
    pub hash: ChangeHash,
    /// The hashes the change depends on.
    pub deps: Vec<ChangeHash>,
}

impl AppliedChange {
    fn of(checked: &CheckedChange) -> Self {
        Self {
            envelope: checked.envelope.clone(),
            actor: checked.actor,
            seq: checked.change.seq(),
            hash: checked.change.hash(),
            deps: checked.change.deps().to_vec(),
        }
    }

    /// The change parsed again from the envelope's bytes. These bytes
    /// parsed when the change was first checked and parsing depends on
    /// nothing else, so this is `None` only if memory was corrupted.
    pub fn to_checked(&self) -> Option<CheckedChange> {
        let change = Change::from_bytes(self.envelope.change.clone()).ok()?;
        Some(CheckedChange {
            envelope: self.envelope.clone(),
            change,
            actor: self.actor,
        })
    }
}

/// Automerge refused a batch or panicked on it. The document has been
/// rebuilt from its stored envelopes and is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("automerge could not apply the change: {0}")]
pub struct ApplyFailed(pub String);

/// A record operation of a local write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOp {
    /// Set the record under `key` to `json`.
    Put {
        /// The record key (`tag:id`).
        key: String,
        /// The record's JSON.
        json: String,
    },
    /// Remove the record under `key`.
    Delete {
        /// The record key (`tag:id`).
        key: String,
    },
}

/// One document with its history.
#[derive(Debug)]
pub struct Document {
    id: DocumentId,
    /// The automerge state, while it is held in memory. Only the changes'
    /// envelopes are always kept; the replica unloads the automerge state
    /// of documents it has not touched lately (it is most of a document's
    /// memory) and it is rebuilt from the envelopes when next needed.
    doc: Option<AutoCommit>,
    applied: Vec<AppliedChange>,
    index_by_hash: HashMap<ChangeHash, usize>,
    clock: VersionVector,
    /// The hash of each actor's last applied change.
    tips: BTreeMap<ActorKey, ChangeHash>,
    /// The encoded bytes of each actor's applied changes (its write
    /// quota, `replica/quota.rs`), kept as changes apply so that ingress
    /// and local writes need not add them up again.
    actor_bytes: HashMap<ActorKey, usize>,
    heads: BTreeSet<ChangeHash>,
}

impl Document {
    /// An empty document.
    pub fn new(id: DocumentId) -> Self {
        Self {
            id,
            doc: Some(AutoCommit::new()),
            applied: Vec::new(),
            index_by_hash: HashMap::new(),
            clock: VersionVector::new(),
            tips: BTreeMap::new(),
            actor_bytes: HashMap::new(),
            heads: BTreeSet::new(),
        }
    }

    /// The document's id.
    pub fn id(&self) -> DocumentId {
        self.id
    }

    /// Whether the change with this hash has been applied.
    pub fn has_change(&self, hash: &ChangeHash) -> bool {
        self.index_by_hash.contains_key(hash)
    }

    /// The highest applied seq of `actor` (0 if none).
    pub fn seq_of(&self, actor: &ActorKey) -> u64 {
        self.clock.get(actor).copied().unwrap_or(0)
    }

    /// The version vector of applied changes.
    pub fn version_vector(&self) -> &VersionVector {
        &self.clock
    }

    /// The current heads, sorted.
    pub fn heads(&self) -> Vec<ChangeHash> {
        self.heads.iter().copied().collect()
    }

    /// Number of applied changes.
    pub fn len(&self) -> usize {
        self.applied.len()
    }

    /// Whether no change has been applied.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty()
    }

    /// The applied changes in apply order (every change after its deps).
    pub fn applied(&self) -> &[AppliedChange] {
        &self.applied
    }

    /// The applied changes in apply order, taking the document apart.
    pub fn into_applied(self) -> Vec<AppliedChange> {
        self.applied
    }

    /// The envelope of `actor`'s applied change number `seq`, if applied.
    pub fn envelope_at(&self, actor: &ActorKey, seq: u64) -> Option<&Envelope> {
        self.applied
            .iter()
            .find(|c| c.actor == *actor && c.seq == seq)
            .map(|c| &c.envelope)
    }

    /// The encoded bytes of `actor`'s applied changes.
    pub fn actor_bytes(&self, actor: &ActorKey) -> usize {
        self.actor_bytes.get(actor).copied().unwrap_or(0)
    }

    /// The encoded bytes of all applied changes.
    pub fn bytes(&self) -> usize {
        self.actor_bytes.values().sum()
    }

    /// The hash of each actor's last applied change.
    pub fn tips(&self) -> &BTreeMap<ActorKey, ChangeHash> {
        &self.tips
    }

    /// The envelopes a replica with version vector `have` lacks, in apply
    /// order, so the receiver can apply them front to back.
    pub fn envelopes_missing_from<'a>(
        &'a self,
        have: &'a VersionVector,
    ) -> impl Iterator<Item = &'a Envelope> + 'a {
        self.applied
            .iter()
            .filter(move |c| c.seq > have.get(&c.actor).copied().unwrap_or(0))
            .map(|c| &c.envelope)
    }

    /// The records: key → JSON. Values that are not strings cannot get in
    /// (ingress checks every operation) and are skipped.
    pub fn records(&self) -> BTreeMap<String, String> {
        self.reading(|doc| {
            doc.map_range(ROOT, ..)
                .filter_map(|item| match item.value {
                    ValueRef::Scalar(automerge::ScalarValueRef::Str(text)) => {
                        Some((item.key.into_owned(), text.into_owned()))
                    }
                    _ => None,
                })
                .collect()
        })
    }

    /// The JSON of one record, if the root map holds a string under `key`
    /// (the value [`Self::records`] would list for it).
    pub fn record(&self, key: &str) -> Option<String> {
        self.reading(|doc| match doc.get(ROOT, key) {
            Ok(Some((automerge::Value::Scalar(value), _))) => match value.as_ref() {
                automerge::ScalarValue::Str(text) => Some(text.to_string()),
                _ => None,
            },
            _ => None,
        })
    }

    /// The device key whose signed change last wrote the record under
    /// `key`: the actor of the winning value names the device (see
    /// [`crate::identity::actor_id`]), and ingress admitted that actor's
    /// changes only with that device's signature. `None` for a missing key
    /// or an actor that names no device.
    pub fn record_signer(&self, key: &str) -> Option<crate::ids::PublicKey> {
        self.reading(|doc| match doc.get(ROOT, key) {
            Ok(Some((_, automerge::ObjId::Id(_, actor, _)))) => {
                crate::identity::device_of_actor(&actor)
            }
            _ => None,
        })
    }

    /// Reads the automerge state, from a scratch rebuild if it is unloaded
    /// (the replica reads right after applying, when it is loaded).
    fn reading<T>(&self, read: impl FnOnce(&AutoCommit) -> T) -> T {
        match &self.doc {
            Some(doc) => read(doc),
            None => read(&self.built_from_envelopes()),
        }
    }

    /// Whether the automerge state is in memory.
    pub fn is_loaded(&self) -> bool {
        self.doc.is_some()
    }

    /// Drops the automerge state from memory; the envelopes stay, and the
    /// state is rebuilt from them when it is next needed.
    pub fn unload(&mut self) {
        self.doc = None;
    }

    /// Applies checked changes whose dependencies are all present, as one
    /// automerge batch. On failure or panic the document is rebuilt and
    /// left as it was.
    pub fn apply(&mut self, batch: &[CheckedChange]) -> Result<(), ApplyFailed> {
        self.apply_using(batch, |doc, changes| doc.apply_changes(changes))
    }

    /// [`Self::apply`] with the automerge call passed in, so that tests can
    /// make it fail or panic at exactly this point.
    fn apply_using(
        &mut self,
        batch: &[CheckedChange],
        automerge_apply: impl FnOnce(
            &mut AutoCommit,
            Vec<Change>,
        ) -> Result<(), automerge::AutomergeError>,
    ) -> Result<(), ApplyFailed> {
        if batch.is_empty() {
            return Ok(());
        }
        let changes: Vec<Change> = batch.iter().map(|c| c.change.clone()).collect();
        self.contained(|doc| automerge_apply(doc, changes))?;
        for checked in batch {
            self.record_applied(AppliedChange::of(checked));
        }
        Ok(())
    }

    /// Runs `call` on the automerge document with any panic caught. If it
    /// fails or panics, the document is rebuilt from the stored changes (so
    /// whatever the call half-did is gone) and the failure is returned.
    fn contained<T>(
        &mut self,
        call: impl FnOnce(&mut AutoCommit) -> Result<T, automerge::AutomergeError>,
    ) -> Result<T, ApplyFailed> {
        let doc = self
            .doc
            .get_or_insert_with(|| built_from_envelopes(&self.applied));
        let failure = match catch_unwind(AssertUnwindSafe(|| call(doc))) {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => ApplyFailed(error.to_string()),
            Err(panic) => ApplyFailed(format!("automerge panicked: {}", panic_message(&panic))),
        };
        self.rebuild();
        Err(failure)
    }

    /// Makes a local change as `actor` at `time_ms` and returns it. The
    /// caller signs it and hands it back with [`Self::record_local`].
    pub fn make_change(
        &mut self,
        actor: ActorKey,
        time_ms: i64,
        ops: &[RecordOp],
    ) -> Result<Change, ApplyFailed> {
        let made = self.contained(|doc| -> Result<Option<Change>, automerge::AutomergeError> {
            doc.set_actor(automerge::ActorId::from(actor.0.as_slice()));
            for op in ops {
                match op {
                    RecordOp::Put { key, json } => doc.put(ROOT, key.as_str(), json.as_str())?,
                    RecordOp::Delete { key } => doc.delete(ROOT, key.as_str())?,
                }
            }
            let committed = doc
                .commit_with(automerge::transaction::CommitOptions::default().with_time(time_ms));
            // Ops that change nothing (a delete of a missing key) commit
            // no change; the last local change is then an older one,
            // which must not be signed and recorded a second time.
            Ok(committed.and_then(|hash| {
                doc.get_last_local_change()
                    .filter(|change| change.hash() == hash)
            }))
        })?;
        match made {
            Some(change) => Ok(change),
            None => {
                self.rebuild();
                Err(ApplyFailed("the write changed nothing".into()))
            }
        }
    }

    /// Records a local change made by [`Self::make_change`], now signed.
    pub fn record_local(&mut self, checked: CheckedChange) {
        self.record_applied(AppliedChange::of(&checked));
    }

    /// Rebuilds the automerge document from the stored changes, keeping
    /// only those for which `keep` is true, and returns the others in their
    /// previous order. Changes whose dependencies are dropped are dropped too.
    pub fn retain(&mut self, mut keep: impl FnMut(&AppliedChange) -> bool) -> Vec<AppliedChange> {
        let old = std::mem::take(&mut self.applied);
        let mut kept_hashes = HashMap::new();
        let mut dropped = Vec::new();
        let mut kept = Vec::new();
        for checked in old {
            let deps_kept = checked.deps.iter().all(|d| kept_hashes.contains_key(d));
            if deps_kept && keep(&checked) {
                kept_hashes.insert(checked.hash, ());
                kept.push(checked);
            } else {
                dropped.push(checked);
            }
        }
        self.applied = kept;
        self.rebuild();
        dropped
    }

    fn record_applied(&mut self, checked: AppliedChange) {
        let hash = checked.hash;
        for dep in &checked.deps {
            self.heads.remove(dep);
        }
        self.heads.insert(hash);
        let seq = self.clock.entry(checked.actor).or_insert(0);
        if checked.seq >= *seq {
            *seq = checked.seq;
            self.tips.insert(checked.actor, hash);
        }
        *self.actor_bytes.entry(checked.actor).or_insert(0) += checked.envelope.encoded_len();
        self.index_by_hash.insert(hash, self.applied.len());
        self.applied.push(checked);
    }

    /// Rebuilds the automerge document and the indexes from `applied`.
    fn rebuild(&mut self) {
        let applied = std::mem::take(&mut self.applied);
        self.doc = Some(built_from_envelopes(&applied));
        self.index_by_hash.clear();
        self.clock.clear();
        self.tips.clear();
        self.actor_bytes.clear();
        self.heads.clear();
        for checked in applied {
            self.record_applied(checked);
        }
    }

    fn built_from_envelopes(&self) -> AutoCommit {
        built_from_envelopes(&self.applied)
    }
}

/// A fresh automerge document with the changes of `applied`, parsed again
/// from their envelopes (the envelopes are the truth). These changes were
/// all applied before, so this cannot fail unless automerge itself is
/// broken; then the document stays empty and the changes remain listed, to
/// be retried on the next rebuild.
fn built_from_envelopes(applied: &[AppliedChange]) -> AutoCommit {
    let changes: Vec<Change> = applied
        .iter()
        .filter_map(|c| Change::from_bytes(c.envelope.change.clone()).ok())
        .collect();
    let mut doc = AutoCommit::new();
    let _ = catch_unwind(AssertUnwindSafe(|| doc.apply_changes(changes)));
    doc
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{self, KeyPair};
    use crate::ids::{Collection, MemberId, PactId};

    fn put(key: &str, json: &str) -> RecordOp {
        RecordOp::Put {
            key: key.into(),
            json: json.into(),
        }
    }

    /// A change made by `device` in a scratch copy, as a peer would send it.
    fn remote_change(id: DocumentId, device: &KeyPair, ops: &[RecordOp]) -> CheckedChange {
        let actor_id = identity::actor_id(&device.public(), [1; 16]);
        let actor = ActorKey::from_slice(actor_id.to_bytes()).unwrap();
        let mut scratch = Document::new(id);
        let change = scratch.make_change(actor, 1_000, ops).unwrap();
        let envelope = Envelope::sign(&PactId([9; 32]), id, change.raw_bytes().to_vec(), device);
        CheckedChange {
            envelope,
            change,
            actor,
        }
    }

    fn document_with_one_record() -> (Document, KeyPair) {
        let id = DocumentId::new(MemberId([1; 32]), Collection::Offers);
        let device = KeyPair::from_seed([2; 32]);
        let mut document = Document::new(id);
        let first = remote_change(id, &device, &[put("offer:a", "1")]);
        document.apply(&[first]).unwrap();
        (document, device)
    }

    #[test]
    fn an_unloaded_document_reads_and_changes_as_a_loaded_one() {
        let (mut document, device) = document_with_one_record();
        let records = document.records();
        document.unload();
        assert!(!document.is_loaded());
        assert_eq!(document.records(), records, "read from the envelopes");
        assert_eq!(document.record("offer:a").as_deref(), Some("1"));
        assert!(!document.is_loaded(), "reading does not load it for good");

        let other = KeyPair::from_seed([3; 32]);
        let incoming = remote_change(document.id(), &other, &[put("offer:b", "2")]);
        document.apply(&[incoming]).unwrap();
        assert!(document.is_loaded(), "a change loads it");
        assert_eq!(document.record("offer:a").as_deref(), Some("1"));
        assert_eq!(document.record("offer:b").as_deref(), Some("2"));

        document.unload();
        let actor =
            ActorKey::from_slice(identity::actor_id(&device.public(), [1; 16]).to_bytes()).unwrap();
        document
            .make_change(actor, 2_000, &[put("offer:a", "3")])
            .unwrap();
        assert_eq!(document.record("offer:a").as_deref(), Some("3"));
        assert_eq!(document.records().len(), 2);
    }

    #[test]
    fn a_panic_inside_automerge_is_contained_and_the_document_is_unchanged() {
        let (mut document, _) = document_with_one_record();
        let other = KeyPair::from_seed([3; 32]);
        let incoming = remote_change(document.id(), &other, &[put("offer:b", "2")]);
        let heads_before = document.heads();
        let records_before = document.records();

        let outcome = document.apply_using(std::slice::from_ref(&incoming), |doc, changes| {
            // Half-apply, then blow up: the worst case for a cache.
            let _ = doc.apply_changes(changes);
            panic!("simulated automerge bug");
        });

        assert_eq!(
            outcome,
            Err(ApplyFailed(
                "automerge panicked: simulated automerge bug".into()
            ))
        );
        assert_eq!(document.heads(), heads_before);
        assert_eq!(
            document.records(),
            records_before,
            "the half-applied change was rolled back"
        );
        assert!(!document.has_change(&incoming.hash()));
        // The rebuilt document still works.
        document.apply(&[incoming]).unwrap();
        assert_eq!(
            document.records().get("offer:b").map(String::as_str),
            Some("2")
        );
    }

    #[test]
    fn an_automerge_error_is_reported_and_the_document_is_unchanged() {
        let (mut document, _) = document_with_one_record();
        let other = KeyPair::from_seed([3; 32]);
        let incoming = remote_change(document.id(), &other, &[put("offer:b", "2")]);
        let records_before = document.records();
        let outcome = document.apply_using(std::slice::from_ref(&incoming), |_, _| {
            Err(automerge::AutomergeError::Fail)
        });
        assert!(outcome.is_err());
        assert_eq!(document.records(), records_before);
        assert_eq!(document.len(), 1);
    }

    #[test]
    fn retain_rebuilds_without_the_dropped_changes_and_their_dependants() {
        let (mut document, device) = document_with_one_record();
        let actor_id = identity::actor_id(&device.public(), [1; 16]);
        let actor = ActorKey::from_slice(actor_id.to_bytes()).unwrap();
        let second = document
            .make_change(actor, 2_000, &[put("offer:c", "3")])
            .unwrap();
        let envelope = Envelope::sign(
            &PactId([9; 32]),
            document.id(),
            second.raw_bytes().to_vec(),
            &device,
        );
        document.record_local(CheckedChange {
            envelope,
            change: second,
            actor,
        });
        assert_eq!(document.len(), 2);

        let first_hash = document.applied()[0].hash;
        let dropped = document.retain(|c| c.hash != first_hash);

        assert_eq!(dropped.len(), 2, "the second change depends on the first");
        assert!(document.is_empty());
        assert!(document.records().is_empty());
        assert!(document.heads().is_empty());
    }
}
