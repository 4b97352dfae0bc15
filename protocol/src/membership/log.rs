//! The membership log of one pact: checks incoming entries cheapest first,
//! stores them, keeps entries with missing parents in a bounded pending set
//! until their parents arrive, and recomputes the state by replay. Also
//! builds new entries on the current heads. Never does I/O and never reads
//! a clock; a refused entry changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::identity::{KeyPair, sha256};
use crate::ids::{EntryHash, MemberId, PactId, PublicKey};

use super::{
    ENTRIES_PER_AUTHOR_MAX, EntryBody, EntryKind, EntryRejection, Founder,
    INCARNATIONS_PER_KEY_MAX, LOG_ENTRIES_MAX, MembershipState, PENDING_ENTRIES_MAX, Proposal,
    ProposalStatus, SignedEntry, check, order, replay,
};

/// Whether [`MembershipLog::take`] checks that the author may write the
/// entry (in the entry's own causal past).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthorCheck {
    /// Entries from anywhere outside: peers, bundles, invitations.
    Check,
    /// The node's own store: every entry in it passed the check before it
    /// was stored, and checking again costs a replay per entry.
    TrustStored,
}

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
    /// Member keys introduced by stored entries: the cheap pre-filter for
    /// entries whose parents are missing (the full author check needs
    /// their causal past).
    known_keys: BTreeSet<PublicKey>,
    /// Stored and pending entries per author key, for
    /// [`ENTRIES_PER_AUTHOR_MAX`].
    by_author: BTreeMap<PublicKey, usize>,
    /// Whether entries were stored since `order` and `state` were computed.
    stale: bool,
    /// The state before the first replay inside a batch, so the batch can
    /// say whether it changed the state as a whole.
    batch_baseline: Option<MembershipState>,
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
            by_author: BTreeMap::new(),
            stale: false,
            batch_baseline: None,
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
    /// Checks, cheapest first: size, duplicate, shape (a delegation needs
    /// the device's consent), pact, author known (a founder key, or a key
    /// an `Add` or `RotateKey` proposal in a stored entry introduced),
    /// signatures, log cap, per-author cap, parents (missing parents make
    /// it pending, up to [`PENDING_ENTRIES_MAX`]), and then, in the entry's
    /// own causal past, that its author was a current member's current key
    /// (or, for a `Delegate`, a key an open `Add` or `RotateKey` proposal
    /// introduces). That last rule depends only on the entry and its past,
    /// so every node decides it alike. An entry refused as
    /// [`EntryRejection::UnknownAuthor`] may be accepted later, once the
    /// proposal that introduces its author has arrived.
    pub fn insert(&mut self, entry: SignedEntry) -> Result<InsertOutcome, EntryRejection> {
        let taken = self.take(entry, AuthorCheck::Check);
        let state_changed = matches!(taken, Ok(Taken::Stored)) && self.finish_batch();
        taken.map(|taken| outcome(taken, state_changed))
    }

    /// Inserts many entries (a sync page) and replays once at the end; one
    /// result per entry, in order. Each applied entry reports whether the
    /// batch as a whole changed the state.
    pub fn insert_batch(
        &mut self,
        entries: impl IntoIterator<Item = SignedEntry>,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        self.batch(entries, AuthorCheck::Check)
    }

    /// [`Self::insert_batch`] for the node's own store when it starts:
    /// every entry passed all checks before it was stored, so the author
    /// check (a replay of each entry's past) is not repeated; shape,
    /// signatures and caps are.
    pub fn restore_batch(
        &mut self,
        entries: impl IntoIterator<Item = SignedEntry>,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        self.batch(entries, AuthorCheck::TrustStored)
    }

    fn batch(
        &mut self,
        entries: impl IntoIterator<Item = SignedEntry>,
        author_check: AuthorCheck,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        let taken: Vec<_> = entries
            .into_iter()
            .map(|entry| self.take(entry, author_check))
            .collect();
        let any_stored = taken.iter().any(|t| matches!(t, Ok(Taken::Stored)));
        let state_changed = any_stored && self.finish_batch();
        taken
            .into_iter()
            .map(|result| result.map(|taken| outcome(taken, state_changed)))
            .collect()
    }

    /// The checks of [`Self::insert`], cheapest first, and the storing,
    /// without the final replay.
    fn take(
        &mut self,
        entry: SignedEntry,
        author_check: AuthorCheck,
    ) -> Result<Taken, EntryRejection> {
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
        let Some(author) = entry.author().copied() else {
            return Err(EntryRejection::UnknownAuthor);
        };
        if !self.known_keys.contains(&author) {
            return Err(EntryRejection::UnknownAuthor);
        }
        check::signatures(&entry)?;
        if self.entries.len() + self.pending.len() >= self.entries_max {
            return Err(EntryRejection::LogFull);
        }
        // An entry another one already names as parent is let through: an
        // honest member built on it, and refusing it would leave that
        // member's entries pending here for ever.
        let needed = self.waiting.contains_key(&hash);
        if !needed && self.by_author.get(&author).copied().unwrap_or(0) >= ENTRIES_PER_AUTHOR_MAX {
            return Err(EntryRejection::AuthorOverLimit);
        }
        let complete = entry
            .body
            .parents
            .iter()
            .all(|p| self.entries.contains_key(p));
        if !complete {
            if self.pending.len() >= PENDING_ENTRIES_MAX {
                return Err(EntryRejection::TooManyPending);
            }
            for parent in entry
                .body
                .parents
                .iter()
                .filter(|p| !self.entries.contains_key(p))
            {
                self.waiting.entry(*parent).or_default().insert(hash);
            }
            *self.by_author.entry(author).or_insert(0) += 1;
            self.pending.insert(hash, entry);
            return Ok(Taken::Pending);
        }
        if author_check == AuthorCheck::Check {
            self.check_author(&entry)?;
        }
        *self.by_author.entry(author).or_insert(0) += 1;
        self.store(hash, entry);
        self.cascade(hash, author_check);
        Ok(Taken::Stored)
    }

    /// The author of `entry` (whose parents are all stored) must be a
    /// current member's current key in the entry's causal past; a
    /// `Delegate` may also come from a key that an open `Add` or
    /// `RotateKey` proposal in that past introduces (a joiner, or a member
    /// recovering without its old key, delegates its device before the
    /// majority has approved).
    fn check_author(&mut self, entry: &SignedEntry) -> Result<(), EntryRejection> {
        let Some(author) = entry.author() else {
            return Err(EntryRejection::UnknownAuthor);
        };
        let past = self.past_state(&entry.body.parents);
        if let EntryKind::Incarnation { member, .. } = &entry.body.kind {
            return incarnation_author(&past, author, member);
        }
        if past.current_member_of_key(author).is_some() {
            return Ok(());
        }
        if matches!(entry.body.kind, EntryKind::Delegate { .. })
            && self.introduced_by_open_proposal(&past, author)
        {
            return Ok(());
        }
        Err(EntryRejection::AuthorNotCurrent)
    }

    /// The state the causal past of `parents` replays to. Replay order is
    /// Kahn's algorithm taking the smallest ready hash, and a causal past
    /// is closed under parents, so the full order filtered to the past is
    /// exactly the order a node holding only that past would compute.
    fn past_state(&mut self, parents: &[EntryHash]) -> MembershipState {
        self.refresh();
        if parents.iter().eq(self.heads.iter()) {
            return self.state.clone();
        }
        let past = replay::causal_past(&self.entries, parents.iter().copied());
        let order: Vec<EntryHash> = self
            .order
            .iter()
            .filter(|hash| past.contains(hash))
            .copied()
            .collect();
        replay::replay(&order, &self.entries)
    }

    fn introduced_by_open_proposal(&self, state: &MembershipState, key: &PublicKey) -> bool {
        state.proposals.iter().any(|(hash, status)| {
            matches!(status, ProposalStatus::Open { .. })
                && self.entries.get(hash).is_some_and(|entry| {
                    matches!(&entry.body.kind, EntryKind::Propose(p) if p.introduced_key() == Some(key))
                })
        })
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

    /// A decline of the proposal entry `proposal` by `author`, on the
    /// current heads.
    pub fn decline(&self, author: &KeyPair, proposal: EntryHash, now_ms: i64) -> SignedEntry {
        self.build(author, EntryKind::Decline { proposal }, now_ms)
    }

    /// A delegation of `device` for `member`, on the current heads, signed
    /// by `member_key` and by the device itself (its consent).
    pub fn delegate(
        &self,
        member_key: &KeyPair,
        member: MemberId,
        device: &KeyPair,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> SignedEntry {
        let kind = EntryKind::Delegate {
            member,
            device: device.public(),
            expires_at_ms,
        };
        SignedEntry::sign(self.body(kind, now_ms), &[member_key, device])
    }

    /// A revocation of `device`, one of `member`'s delegated devices, on
    /// the current heads, signed by `member_key`; the device's changes
    /// stay valid inside `frozen_heads`.
    pub fn revoke_device(
        &self,
        member_key: &KeyPair,
        member: MemberId,
        device: PublicKey,
        frozen_heads: super::FrozenHeads,
        now_ms: i64,
    ) -> SignedEntry {
        let kind = EntryKind::RevokeDevice {
            member,
            device,
            frozen_heads,
        };
        self.build(member_key, kind, now_ms)
    }

    /// A declaration, signed by `key` (one of `member`'s keys or devices),
    /// that it writes under `incarnation`, on the current heads.
    pub fn declare_incarnation(
        &self,
        key: &KeyPair,
        member: MemberId,
        incarnation: [u8; crate::identity::INCARNATION_LEN],
        now_ms: i64,
    ) -> SignedEntry {
        self.build(
            key,
            EntryKind::Incarnation {
                member,
                incarnation,
            },
            now_ms,
        )
    }

    fn build(&self, author: &KeyPair, kind: EntryKind, now_ms: i64) -> SignedEntry {
        SignedEntry::sign(self.body(kind, now_ms), &[author])
    }

    fn body(&self, kind: EntryKind, now_ms: i64) -> EntryBody {
        EntryBody {
            pact: Some(self.pact),
            parents: self.heads(),
            issued_at_ms: now_ms,
            kind,
        }
    }

    /// Lowers the entry cap, so tests can reach it quickly.
    #[cfg(test)]
    pub(super) fn set_entries_max(&mut self, entries_max: usize) {
        self.entries_max = entries_max;
    }

    fn store(&mut self, hash: EntryHash, entry: SignedEntry) {
        match &entry.body.kind {
            EntryKind::Propose(proposal) => {
                if let Some(key) = proposal.introduced_key() {
                    self.known_keys.insert(*key);
                }
            }
            // A device authors its own incarnations' declarations.
            EntryKind::Delegate { device, .. } => {
                self.known_keys.insert(*device);
            }
            _ => {}
        }
        self.stale = true;
        for parent in &entry.body.parents {
            self.heads.remove(parent);
        }
        self.heads.insert(hash);
        self.entries.insert(hash, entry);
    }

    /// Applies every pending entry whose last missing parent was `arrived`,
    /// and so on down. A completed entry whose author may not write it is
    /// dropped (it comes again and is refused with its reason then).
    fn cascade(&mut self, arrived: EntryHash, author_check: AuthorCheck) {
        let mut arrivals = vec![arrived];
        while let Some(parent) = arrivals.pop() {
            for child in self.waiting.remove(&parent).unwrap_or_default() {
                let complete = self.pending.get(&child).is_some_and(|entry| {
                    entry
                        .body
                        .parents
                        .iter()
                        .all(|p| self.entries.contains_key(p))
                });
                if !complete {
                    continue;
                }
                let Some(entry) = self.pending.remove(&child) else {
                    continue;
                };
                let allowed =
                    author_check == AuthorCheck::TrustStored || self.check_author(&entry).is_ok();
                if allowed {
                    self.store(child, entry);
                    arrivals.push(child);
                } else if let Some(author) = entry.author()
                    && let Some(count) = self.by_author.get_mut(author)
                {
                    *count = count.saturating_sub(1);
                }
            }
        }
    }

    /// Recomputes order and state if entries were stored since, keeping
    /// the state from before the batch to compare with at its end.
    fn refresh(&mut self) {
        if !self.stale {
            return;
        }
        let before = self.recompute();
        self.batch_baseline.get_or_insert(before);
    }

    /// Ends an insert or a batch: replays if needed; true if the state
    /// differs from the one before the batch.
    fn finish_batch(&mut self) -> bool {
        let recomputed = self.stale.then(|| self.recompute());
        match (self.batch_baseline.take(), recomputed) {
            (Some(before), _) | (None, Some(before)) => self.state != before,
            (None, None) => false,
        }
    }

    /// Recomputes order and state from the stored entries; returns the
    /// state it replaces.
    fn recompute(&mut self) -> MembershipState {
        self.order = order::topological(&self.entries);
        self.stale = false;
        std::mem::replace(&mut self.state, replay::replay(&self.order, &self.entries))
    }

    /// Recomputes order and state; true if the state changed.
    fn replay(&mut self) -> bool {
        self.stale = true;
        self.finish_batch()
    }
}

/// A declaration of an incarnation comes from a key that writes for
/// `member` where the entry stands (its current member key, or a device it
/// delegated and has not revoked), and only while that key has declarations
/// left: one past [`INCARNATIONS_PER_KEY_MAX`] could never count.
fn incarnation_author(
    past: &MembershipState,
    author: &PublicKey,
    member: &MemberId,
) -> Result<(), EntryRejection> {
    if !past.writes_for(author, member) {
        return Err(EntryRejection::AuthorNotCurrent);
    }
    if past.incarnations_of(member, author).len() >= INCARNATIONS_PER_KEY_MAX {
        return Err(EntryRejection::IncarnationsUsedUp);
    }
    Ok(())
}

fn outcome(taken: Taken, state_changed: bool) -> InsertOutcome {
    match taken {
        Taken::Stored => InsertOutcome::Applied { state_changed },
        Taken::Duplicate => InsertOutcome::Duplicate,
        Taken::Pending => InsertOutcome::Pending,
    }
}

fn check_size(entry: &SignedEntry) -> Result<(), EntryRejection> {
    let bytes = entry.to_bytes().len();
    if bytes > entry.bytes_max() {
        return Err(EntryRejection::TooLarge { bytes });
    }
    Ok(())
}
