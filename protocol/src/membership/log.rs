//! The membership log of one pact: checks incoming entries cheapest first,
//! stores them, keeps entries with missing parents in a bounded pending set
//! until their parents arrive, and recomputes the state by replay. Also
//! builds new entries on the current heads. Never does I/O and never reads
//! a clock; a refused entry changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::identity::{KeyPair, sha256};
use crate::ids::{EntryHash, MemberId, PactId, PublicKey};

use super::{
    EntryBody, EntryKind, EntryRejection, Founder, LOG_ENTRIES_MAX, MembershipState,
    PENDING_ENTRIES_MAX, Proposal, SignedEntry, check, order, replay,
};

/// What [`MembershipLog::insert`] did with an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored, together with any pending entries it completed.
    Applied {
        /// Whether the replayed state differs from before.
        state_changed: bool,
    },
    /// Already stored or pending; nothing changed.
    Duplicate,
    /// Some parents are missing; kept until they arrive.
    Pending,
}

/// What [`MembershipLog::take`] did, before any replay.
#[derive(Clone, Copy, Debug)]
enum Taken {
    Stored,
    Duplicate,
    Pending,
}

/// The membership log of one pact and the state it replays to.
#[derive(Clone, Debug)]
pub struct MembershipLog {
    pact: PactId,
    entries: BTreeMap<EntryHash, SignedEntry>,
    heads: BTreeSet<EntryHash>,
    /// Member keys introduced by stored or pending entries; only they may
    /// author entries.
    known_keys: BTreeSet<PublicKey>,
    pending: BTreeMap<EntryHash, SignedEntry>,
    /// Missing parent → pending entries waiting for it.
    waiting: BTreeMap<EntryHash, BTreeSet<EntryHash>>,
    order: Vec<EntryHash>,
    state: MembershipState,
    /// [`LOG_ENTRIES_MAX`], lowered only by tests.
    entries_max: usize,
}

impl MembershipLog {
    /// A log holding only `charter`, after checking its shape and that every
    /// founder signed it.
    pub fn new(charter: SignedEntry) -> Result<Self, EntryRejection> {
        check_size(&charter)?;
        check::charter_structure(&charter)?;
        check::signatures(&charter)?;
        let hash = charter.hash();
        let known_keys = match &charter.body.kind {
            EntryKind::Charter(c) => c.founders.iter().map(|f| f.key).collect(),
            _ => BTreeSet::new(),
        };
        let mut log = Self {
            pact: PactId(hash.0),
            entries: BTreeMap::from([(hash, charter)]),
            heads: BTreeSet::from([hash]),
            known_keys,
            pending: BTreeMap::new(),
            waiting: BTreeMap::new(),
            order: Vec::new(),
            state: MembershipState::default(),
            entries_max: LOG_ENTRIES_MAX,
        };
        log.replay();
        Ok(log)
    }

    /// The pact's id: the hash of its charter.
    pub fn pact_id(&self) -> PactId {
        self.pact
    }

    /// Decodes and inserts an entry received as bytes.
    pub fn insert_bytes(&mut self, bytes: &[u8]) -> Result<InsertOutcome, EntryRejection> {
        self.insert(SignedEntry::from_bytes(bytes)?)
    }

    /// Checks `entry` and stores it: applied if all its parents are here
    /// (then any pending entries it completes are applied too), pending
    /// otherwise.
    ///
    /// Checks, cheapest first: size, duplicate, shape, pact, author (a
    /// founder key, or a key an `Add` or `RotateKey` proposal introduced in
    /// a stored or pending entry), signature, log cap, parents (missing
    /// parents make it pending, up to [`PENDING_ENTRIES_MAX`]). An entry
    /// refused as [`EntryRejection::UnknownAuthor`] may be accepted later,
    /// once the proposal that introduces its author has arrived.
    pub fn insert(&mut self, entry: SignedEntry) -> Result<InsertOutcome, EntryRejection> {
        match self.take(entry)? {
            Taken::Stored => Ok(InsertOutcome::Applied {
                state_changed: self.replay(),
            }),
            Taken::Duplicate => Ok(InsertOutcome::Duplicate),
            Taken::Pending => Ok(InsertOutcome::Pending),
        }
    }

    /// Inserts many entries (a sync page, or the whole log when a node
    /// starts) and replays once at the end; one result per entry, in order.
    /// Each applied entry reports whether the batch as a whole changed the
    /// state.
    pub fn insert_batch(
        &mut self,
        entries: impl IntoIterator<Item = SignedEntry>,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        let taken: Vec<_> = entries.into_iter().map(|entry| self.take(entry)).collect();
        let any_stored = taken.iter().any(|t| matches!(t, Ok(Taken::Stored)));
        let state_changed = any_stored && self.replay();
        taken
            .into_iter()
            .map(|result| {
                result.map(|taken| match taken {
                    Taken::Stored => InsertOutcome::Applied { state_changed },
                    Taken::Duplicate => InsertOutcome::Duplicate,
                    Taken::Pending => InsertOutcome::Pending,
                })
            })
            .collect()
    }

    /// The checks of [`Self::insert`], cheapest first, and the storing,
    /// without the replay.
    fn take(&mut self, entry: SignedEntry) -> Result<Taken, EntryRejection> {
        let bytes = entry.to_bytes();
        if bytes.len() > entry.bytes_max() {
            return Err(EntryRejection::TooLarge { bytes: bytes.len() });
        }
        let hash = EntryHash(sha256(&bytes));
        if self.entries.contains_key(&hash) || self.pending.contains_key(&hash) {
            return Ok(Taken::Duplicate);
        }
        check::entry_structure(&entry)?;
        if entry.body.pact != Some(self.pact) {
            return Err(EntryRejection::WrongPact);
        }
        if !entry.author().is_some_and(|k| self.known_keys.contains(k)) {
            return Err(EntryRejection::UnknownAuthor);
        }
        check::signatures(&entry)?;
        if self.entries.len() + self.pending.len() >= self.entries_max {
            return Err(EntryRejection::LogFull);
        }
        let missing: Vec<EntryHash> = entry
            .body
            .parents
            .iter()
            .filter(|p| !self.entries.contains_key(p))
            .copied()
            .collect();
        if !missing.is_empty() {
            if self.pending.len() >= PENDING_ENTRIES_MAX {
                return Err(EntryRejection::TooManyPending);
            }
            self.learn_keys(&entry);
            for parent in missing {
                self.waiting.entry(parent).or_default().insert(hash);
            }
            self.pending.insert(hash, entry);
            return Ok(Taken::Pending);
        }
        self.learn_keys(&entry);
        self.store(hash, entry);
        self.cascade(hash);
        Ok(Taken::Stored)
    }

    /// Whether `hash` is applied (pending entries do not count).
    pub fn contains(&self, hash: &EntryHash) -> bool {
        self.entries.contains_key(hash)
    }

    /// An applied entry.
    pub fn get(&self, hash: &EntryHash) -> Option<&SignedEntry> {
        self.entries.get(hash)
    }

    /// The applied entries no other applied entry names as parent, sorted.
    pub fn heads(&self) -> Vec<EntryHash> {
        self.heads.iter().copied().collect()
    }

    /// Hashes of all applied entries.
    pub fn hashes(&self) -> BTreeSet<EntryHash> {
        self.entries.keys().copied().collect()
    }

    /// All applied entries in replay order: parents first, ties by hash.
    /// Inserting them in this order into a fresh log never goes pending.
    pub fn entries_in_order(&self) -> Vec<(EntryHash, &SignedEntry)> {
        self.order
            .iter()
            .filter_map(|hash| self.entries.get(hash).map(|entry| (*hash, entry)))
            .collect()
    }

    /// Number of entries waiting for missing parents.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// The state the applied entries replay to.
    pub fn state(&self) -> &MembershipState {
        &self.state
    }

    /// A charter signed by every founder; `PactId` is its hash.
    pub fn charter(
        pact_name: &str,
        founders: &[(&KeyPair, &str)],
        created_at_ms: i64,
    ) -> SignedEntry {
        let names = founders
            .iter()
            .map(|(key, name)| Founder {
                key: key.public(),
                name: (*name).to_owned(),
            })
            .collect();
        let mut charter = SignedEntry::charter_draft(pact_name, names, created_at_ms);
        for (key, _) in founders {
            charter.add_charter_signature(key);
        }
        charter
    }

    /// A proposal by `author`, on the current heads.
    pub fn propose(&self, author: &KeyPair, proposal: Proposal, now_ms: i64) -> SignedEntry {
        self.build(author, EntryKind::Propose(proposal), now_ms)
    }

    /// An approval of the proposal entry `proposal` by `author`, on the
    /// current heads.
    pub fn approve(&self, author: &KeyPair, proposal: EntryHash, now_ms: i64) -> SignedEntry {
        self.build(author, EntryKind::Approve { proposal }, now_ms)
    }

    /// A delegation of `device` for `member`, signed by `member_key`, on the
    /// current heads.
    pub fn delegate(
        &self,
        member_key: &KeyPair,
        member: MemberId,
        device: PublicKey,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> SignedEntry {
        let kind = EntryKind::Delegate {
            member,
            device,
            expires_at_ms,
        };
        self.build(member_key, kind, now_ms)
    }

    fn build(&self, author: &KeyPair, kind: EntryKind, now_ms: i64) -> SignedEntry {
        let body = EntryBody {
            pact: Some(self.pact),
            parents: self.heads(),
            issued_at_ms: now_ms,
            kind,
        };
        SignedEntry::sign(body, &[author])
    }

    /// Lowers the entry cap, so tests can reach it quickly.
    #[cfg(test)]
    pub(super) fn set_entries_max(&mut self, entries_max: usize) {
        self.entries_max = entries_max;
    }

    fn learn_keys(&mut self, entry: &SignedEntry) {
        if let EntryKind::Propose(proposal) = &entry.body.kind
            && let Some(key) = proposal.introduced_key()
        {
            self.known_keys.insert(*key);
        }
    }

    fn store(&mut self, hash: EntryHash, entry: SignedEntry) {
        for parent in &entry.body.parents {
            self.heads.remove(parent);
        }
        self.heads.insert(hash);
        self.entries.insert(hash, entry);
    }

    /// Applies every pending entry whose last missing parent was `arrived`,
    /// and so on down.
    fn cascade(&mut self, arrived: EntryHash) {
        let mut arrivals = vec![arrived];
        while let Some(parent) = arrivals.pop() {
            for child in self.waiting.remove(&parent).unwrap_or_default() {
                let Some(entry) = self.pending.get(&child) else {
                    continue;
                };
                if entry
                    .body
                    .parents
                    .iter()
                    .all(|p| self.entries.contains_key(p))
                    && let Some(entry) = self.pending.remove(&child)
                {
                    self.store(child, entry);
                    arrivals.push(child);
                }
            }
        }
    }

    /// Recomputes order and state; true if the state changed.
    fn replay(&mut self) -> bool {
        self.order = order::topological(&self.entries);
        let state = replay::replay(&self.order, &self.entries);
        let changed = state != self.state;
        self.state = state;
        changed
    }
}

fn check_size(entry: &SignedEntry) -> Result<(), EntryRejection> {
    let bytes = entry.to_bytes().len();
    if bytes > entry.bytes_max() {
        return Err(EntryRejection::TooLarge { bytes });
    }
    Ok(())
}
