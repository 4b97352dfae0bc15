//! The node's protocol state and its store, behind one lock: the replica,
//! the durable store, this node's device, and the counters for metrics.
//!
//! Every change to the replica is stored before the lock is released, so a
//! write is acknowledged only once it is durable, and nothing a peer could
//! have pulled from this node is ever missing from its store after a crash.
//! Never talks to the network or the HTTP clients itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, EntryHash, PublicKey, Sha256Hash};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::{
    EntryRejection, INCARNATIONS_PER_MEMBER_MAX, InsertOutcome, SignedEntry,
};
use amtshilfe_protocol::replica::{IngressReport, LocalDevice, Replica, WriteError};
use amtshilfe_protocol::sync::{SyncRequest, SyncResponse, SyncSession, SyncStep};

pub use crate::core_guard::CoreGuard;
use crate::store::{AppendReport, Store, StoreError};

/// Most pulled envelopes kept for announcing at a time; beyond that, peers
/// catch up through their own sync rounds.
pub const RELAY_ENVELOPES_MAX: usize = 256;

/// Why a write from a user or an operator command was not saved.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The protocol refused the write; nothing was written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The store failed. The write is not acknowledged, and the node stops
    /// accepting writes: it can no longer promise durability.
    #[error("the store failed, the write was not saved: {0}")]
    Storage(#[from] StoreError),
    /// The store already holds another change with this device's next
    /// sequence number: the device would fork its own history. Nothing was
    /// saved, and writes stop.
    #[error(
        "the store already holds another change of this device with the same sequence \
         number; the write was not saved. Restore the data directory from a backup \
         (`amtshilfe restore` gives the device a new incarnation)"
    )]
    OwnHistoryConflict,
    /// An earlier store failure stopped writes.
    #[error("writes are stopped after a store failure; restart the node")]
    Stopped,
}

/// How close to `INCARNATIONS_PER_MEMBER_MAX` a member's used slots come
/// before its node warns at start, in incarnations.
const INCARNATION_SLOTS_WARNING: usize = 8;

/// Counters the metrics page shows, beyond the replica's own.
#[derive(Debug, Default, Clone)]
pub struct NodeCounters {
    /// Completed sync sessions.
    pub sync_sessions: u64,
    /// Sync request rounds sent.
    pub sync_rounds: u64,
    /// Last completed sync per peer (peer id text → ms since the epoch).
    pub last_sync_ms: BTreeMap<String, i64>,
    /// Peers connected now: a gauge the network task sets without taking
    /// the core's lock.
    pub peers_connected: PeersConnected,
    /// Gossip messages received, by validation result.
    pub gossip: BTreeMap<&'static str, u64>,
}

/// How many peers are admitted and connected now. Shared (not copied)
/// between the core's counters and the network task, which updates it on
/// every connection change without taking the core's lock.
#[derive(Debug, Default, Clone)]
pub struct PeersConnected(Arc<AtomicUsize>);

impl PeersConnected {
    /// Peers connected now.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Sets the number of peers connected now.
    pub fn set(&self, peers: usize) {
        self.0.store(peers, Ordering::Relaxed);
    }
}

/// The node's state. Use it through [`SharedCore`].
#[derive(Debug)]
pub struct Core {
    replica: Replica,
    store: Store,
    device: LocalDevice,
    stored_entries: BTreeSet<EntryHash>,
    /// The membership heads when the log was last fully stored.
    stored_heads: Vec<EntryHash>,
    /// Fork evidence already stored (forks are rare: a plain list).
    stored_forks: Vec<amtshilfe_protocol::replica::ForkEvidence>,
    stopped: bool,
    /// Envelopes pulled by sync that the network task should announce, so
    /// that the rest of the pact hears of them without waiting for its own
    /// next sync round.
    relay: Vec<Envelope>,
    /// Bumped after every stored change (own write, pulled, gossiped, a
    /// membership entry), for live pages.
    changes: watch::Sender<u64>,
    /// Counters for the metrics page.
    pub counters: NodeCounters,
    /// The encryption secrets this node holds (`crate::sealing`).
    seal_identities: crate::sealing::SealIdentities,
}

/// The core, shared between the network task and the HTTP handlers.
#[derive(Debug, Clone)]
pub struct SharedCore(Arc<Mutex<Core>>);

impl SharedCore {
    /// Shares `core`.
    pub fn new(core: Core) -> Self {
        Self(Arc::new(Mutex::new(core)))
    }

    /// Locks the core. A panic while holding the lock is a bug; the state
    /// itself is still consistent (every mutation is stored before it
    /// returns), so the lock is taken over rather than propagating.
    /// No page may be rendered while the guard lives (see
    /// [`crate::core_guard`]).
    pub fn lock(&self) -> CoreGuard<'_> {
        CoreGuard::new(
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

impl Core {
    /// A core over a restored replica and its open store.
    pub fn new(replica: Replica, store: Store, device: LocalDevice) -> Self {
        let stored_entries = replica.membership().hashes();
        let stored_heads = replica.membership().heads();
        let stored_forks = replica.forks().map(|f| f.evidence.clone()).collect();
        Self {
            replica,
            store,
            device,
            stored_entries,
            stored_heads,
            stored_forks,
            stopped: false,
            relay: Vec::new(),
            changes: watch::Sender::new(0),
            counters: NodeCounters::default(),
            seal_identities: crate::sealing::SealIdentities::default(),
        }
    }

    /// The encryption secrets this node holds for sealed records.
    pub fn seal_identities(&self) -> &crate::sealing::SealIdentities {
        &self.seal_identities
    }

    /// Sets the encryption secrets (read from the data directory at start,
    /// or replaced: a rotated key). Counts as a change, so that the
    /// sealing task publishes and re-seals for them.
    pub fn set_seal_identities(&mut self, identities: crate::sealing::SealIdentities) {
        self.seal_identities = identities;
        self.changes.send_modify(|version| *version += 1);
    }

    /// The replica, for reading.
    pub fn replica(&self) -> &Replica {
        &self.replica
    }

    /// This node's device.
    pub fn device(&self) -> &LocalDevice {
        &self.device
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Writes records to this member's `collection` document and returns the
    /// envelope once it is durable.
    pub fn write(
        &mut self,
        collection: Collection,
        ops: &[RecordOp],
        now_ms: i64,
    ) -> Result<Envelope, CoreError> {
        if self.stopped {
            return Err(CoreError::Stopped);
        }
        let envelope = self.replica.write(&self.device, collection, ops, now_ms)?;
        let failure = match self.persist() {
            Ok((_, report)) if report.conflicts == 0 => return Ok(envelope),
            Ok(_) => {
                self.stopped = true;
                tracing::error!(
                    "the store holds another change with this device's next seq; writes stop"
                );
                CoreError::OwnHistoryConflict
            }
            Err(error) => CoreError::Storage(error),
        };
        // In memory but not on disk: no peer may pull it (see
        // `Replica::take_back_write`).
        self.replica.take_back_write(&envelope);
        Err(failure)
    }

    /// Takes in envelopes from a peer; stores what was applied.
    pub fn receive_envelopes(&mut self, envelopes: Vec<Envelope>, from: &str) -> IngressReport {
        let checked = crate::verify::verified_in_parallel(&self.replica.pact_id(), &envelopes);
        self.receive_verified(envelopes, checked, from)
    }

    /// Takes in envelopes whose signatures the caller checked already
    /// (`verified` names those that passed, see `crate::verify`), so that
    /// the lock is held only to apply and commit; stores what was applied.
    pub fn receive_verified(
        &mut self,
        envelopes: Vec<Envelope>,
        verified: Vec<Sha256Hash>,
        from: &str,
    ) -> IngressReport {
        let span = tracing::debug_span!("ingress", peer = from, envelopes = envelopes.len());
        let _entered = span.enter();
        self.replica.note_verified(verified);
        let report = self
            .replica
            .receive_envelopes(envelopes, SignatureCheck::Verify);
        log_report(&report, from);
        self.persist_or_stop();
        report
    }

    /// Takes in a membership entry from a peer; stores it if applied.
    pub fn receive_entry(
        &mut self,
        entry: SignedEntry,
        from: &str,
    ) -> Result<InsertOutcome, EntryRejection> {
        let outcome = self.replica.receive_entry(entry);
        if let Err(reason) = &outcome {
            tracing::warn!(peer = from, %reason, "membership entry refused");
        }
        self.persist_or_stop();
        outcome
    }

    /// Takes in membership entries from a peer as one batch (one replay,
    /// one durable transaction); refusals are logged. Returns whether any
    /// entry was applied.
    pub fn receive_entries(&mut self, entries: Vec<SignedEntry>, from: &str) -> bool {
        self.receive_entries_reported(entries, from)
            .iter()
            .any(|o| matches!(o, Ok(InsertOutcome::Applied { .. })))
    }

    /// [`Self::receive_entries`] with each entry's outcome, in order (a
    /// bundle's import reports them).
    pub fn receive_entries_reported(
        &mut self,
        entries: Vec<SignedEntry>,
        from: &str,
    ) -> Vec<Result<InsertOutcome, EntryRejection>> {
        let outcomes = self.replica.receive_entries(entries);
        for reason in outcomes.iter().filter_map(|o| o.as_ref().err()) {
            tracing::warn!(peer = from, %reason, "membership entry refused");
        }
        self.persist_or_stop();
        outcomes
    }

    /// Answers a peer's sync request.
    pub fn answer_sync(&self, request: &SyncRequest) -> SyncResponse {
        self.replica.answer_sync(request)
    }

    /// Starts a pull session.
    pub fn start_sync(&mut self) -> (SyncSession, SyncRequest) {
        self.counters.sync_rounds += 1;
        SyncSession::start(&self.replica)
    }

    /// Feeds a sync response to its session; stores what was applied.
    /// `verified` names the page's envelopes whose signatures the caller
    /// has checked already (`crate::verify`); the others are checked here.
    pub fn continue_sync(
        &mut self,
        session: &mut SyncSession,
        response: SyncResponse,
        verified: Vec<Sha256Hash>,
        peer: &str,
        now_ms: i64,
    ) -> SyncStep {
        let span = tracing::debug_span!("sync_page", peer);
        let _entered = span.enter();
        self.replica.note_verified(verified);
        let step = session.on_response(&mut self.replica, response);
        self.persist_and_relay();
        self.count_sync_step(&step, peer, now_ms);
        step
    }

    /// A sync page taken in parts (`SyncSession::begin_page`), so that the
    /// caller can release the lock between them: first its membership
    /// entries and fork evidence; stores what was applied.
    pub fn begin_sync_page(
        &mut self,
        session: &mut SyncSession,
        entries: Vec<SignedEntry>,
        forks: Vec<amtshilfe_protocol::replica::ForkEvidence>,
    ) {
        session.begin_page(&mut self.replica, entries, forks);
        self.persist_and_relay();
    }

    /// A part of a sync page's envelopes, `verified` naming those whose
    /// signatures the caller checked; stores what was applied before it
    /// returns (so the lock is released only with it durable).
    pub fn sync_page_envelopes(
        &mut self,
        session: &mut SyncSession,
        envelopes: Vec<Envelope>,
        verified: Vec<Sha256Hash>,
    ) {
        self.replica.note_verified(verified);
        session.take_envelopes(&mut self.replica, envelopes);
        self.persist_and_relay();
    }

    /// Ends a sync page taken in parts: the session's next step.
    pub fn finish_sync_page(
        &mut self,
        session: &mut SyncSession,
        more: bool,
        peer: &str,
        now_ms: i64,
    ) -> SyncStep {
        let step = session.finish_page(&self.replica, more);
        self.count_sync_step(&step, peer, now_ms);
        step
    }

    /// Stores what was applied and keeps it for announcing.
    fn persist_and_relay(&mut self) {
        let stored = self.persist_or_stop();
        let room = RELAY_ENVELOPES_MAX.saturating_sub(self.relay.len());
        self.relay.extend(stored.into_iter().take(room));
    }

    fn count_sync_step(&mut self, step: &SyncStep, peer: &str, now_ms: i64) {
        match step {
            SyncStep::Send(_) => self.counters.sync_rounds += 1,
            SyncStep::Done(summary) => {
                self.counters.sync_sessions += 1;
                if !summary.wrong_pact {
                    self.counters.last_sync_ms.insert(peer.to_string(), now_ms);
                    self.changes.send_modify(|version| *version += 1);
                }
                if summary.envelopes_applied + summary.entries_applied > 0 || summary.refused > 0 {
                    tracing::info!(
                        peer,
                        envelopes = summary.envelopes_applied,
                        entries = summary.entries_applied,
                        refused = summary.refused,
                        rounds = summary.rounds,
                        stalled = summary.stalled,
                        "sync session finished"
                    );
                }
            }
        }
    }

    /// Whether a peer with this key may be talked to at `now_ms`: a current
    /// member key or a device delegated under a current member key whose
    /// delegation has not expired. (A joiner becomes one once its admission
    /// has a majority; its own delegation reaches this node in its
    /// introduction.)
    pub fn may_connect(&self, key: &PublicKey, now_ms: i64) -> bool {
        self.replica
            .membership()
            .state()
            .member_of_key_at(key, now_ms)
            .is_some()
    }

    /// Every key that may be talked to at `now_ms` (see
    /// [`Self::may_connect`]).
    pub fn allowed_keys(&self, now_ms: i64) -> BTreeSet<PublicKey> {
        let state = self.replica.membership().state();
        let mut keys: BTreeSet<PublicKey> =
            state.members().map(|(_, info)| info.current_key).collect();
        // Of the delegated devices, those `may_connect` admits: one rule
        // (delegation under the current key, not expired, not revoked) for
        // the gate and for each single peer.
        keys.extend(
            state
                .members()
                .filter_map(|(member, _)| state.member_record(member))
                .flat_map(|record| record.delegations.iter().map(|d| d.device))
                .filter(|device| self.may_connect(device, now_ms)),
        );
        keys
    }

    /// A receiver whose value is bumped after every change stored. Cheap; a
    /// slow receiver only ever sees the latest value.
    pub fn subscribe_changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Takes the envelopes pulled by sync since the last call, to announce.
    pub fn take_relay(&mut self) -> Vec<Envelope> {
        std::mem::take(&mut self.relay)
    }

    /// Takes this device's declarations of its incarnation made since the
    /// last call (by a write or at start), to announce before the changes
    /// written under it.
    pub fn take_declarations(&mut self) -> Vec<SignedEntry> {
        self.replica.take_declarations()
    }

    /// Declares, at start, this device's incarnation and any incarnations
    /// of its key that the store holds changes of but the log does not
    /// declare (a store written before declarations existed), so that
    /// peers count them. Each refusal is logged and changes nothing: a
    /// joiner not admitted yet declares with its first write.
    pub fn declare_incarnations(&mut self, now_ms: i64) {
        let key = self.device.key.public();
        let current = self.device.incarnation;
        let found = self
            .replica
            .undeclared_incarnations(&self.device.member, &key);
        for incarnation in
            std::iter::once(current).chain(found.into_iter().filter(|i| *i != current))
        {
            let device = LocalDevice {
                incarnation,
                ..self.device.clone()
            };
            match self.replica.declare_incarnation(&device, now_ms) {
                Ok(_) => {}
                Err(reason) => tracing::warn!(
                    incarnation = %hex::encode(incarnation),
                    %reason,
                    "this device's incarnation is not declared"
                ),
            }
        }
        let used = self
            .replica
            .membership()
            .state()
            .incarnation_slots_used(&self.device.member);
        if used + INCARNATION_SLOTS_WARNING > INCARNATIONS_PER_MEMBER_MAX {
            tracing::warn!(
                used,
                cap = INCARNATIONS_PER_MEMBER_MAX,
                "this member's devices have nearly used up its incarnations; revoke devices it no longer uses"
            );
        }
        self.persist_or_stop();
    }

    /// Whether an earlier store failure stopped the node.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Stores every envelope and entry the replica applied since the last
    /// call, in one durable transaction each.
    fn persist(&mut self) -> Result<(Vec<Envelope>, AppendReport), StoreError> {
        let envelopes = self.replica.take_new_envelopes();
        // An applied entry is always a head until something names it, so
        // unchanged heads mean no new entries, and the log (walked in order
        // only to find unstored entries) is not touched on this path, which
        // runs for every received envelope and sync page.
        let heads = self.replica.membership().heads();
        let entries: Vec<SignedEntry> = if heads == self.stored_heads {
            Vec::new()
        } else {
            self.replica
                .membership()
                .entries_in_order()
                .into_iter()
                .filter(|(hash, _)| !self.stored_entries.contains(hash))
                .map(|(_, entry)| entry.clone())
                .collect()
        };
        let forks: Vec<_> = self
            .replica
            .forks()
            .filter(|fork| !self.stored_forks.contains(&fork.evidence))
            .map(|fork| fork.evidence.clone())
            .collect();
        // Nothing new (a duplicate, a refused change): no commit, so a
        // flood of duplicates costs no fsyncs.
        let result = if entries.is_empty() {
            Ok(AppendReport::default())
        } else {
            self.store.append_entries(&entries)
        }
        .and_then(|_| self.store.put_forks(&forks))
        .and_then(|_| {
            if envelopes.is_empty() {
                Ok(AppendReport::default())
            } else {
                self.store.append_envelopes(&envelopes)
            }
        });
        match result {
            Ok(report) => {
                self.stored_entries
                    .extend(entries.iter().map(SignedEntry::hash));
                if !forks.is_empty() {
                    tracing::warn!(
                        forks = forks.len(),
                        "a device signed two different changes with one sequence number; \
                         its changes from there on are held (see the Netzwerk page)"
                    );
                    self.changes.send_modify(|version| *version += 1);
                }
                self.stored_forks.extend(forks);
                self.leave_forked_actor();
                self.stored_heads = heads;
                if !envelopes.is_empty() || !entries.is_empty() {
                    self.changes.send_modify(|version| *version += 1);
                }
                Ok((envelopes, report))
            }
            Err(error) => {
                self.stopped = true;
                tracing::error!(%error, "the store failed; the node stops accepting writes");
                Err(error)
            }
        }
    }

    /// If this device's own actor is among the forks (its store was rolled
    /// back and it wrote the same numbers again), it takes a new
    /// incarnation: the old actor is frozen on every node.
    fn leave_forked_actor(&mut self) {
        let own = amtshilfe_protocol::identity::actor_id(
            &self.device.key.public(),
            self.device.incarnation,
        );
        let forked = self
            .replica
            .forks()
            .any(|fork| fork.actor.as_bytes().as_slice() == own.to_bytes());
        if !forked {
            return;
        }
        let renewed = crate::random::incarnation()
            .map_err(|e| e.to_string())
            .and_then(|fresh| {
                self.store
                    .set_incarnation(fresh)
                    .map(|()| fresh)
                    .map_err(|e| e.to_string())
            });
        match renewed {
            Ok(fresh) => {
                tracing::warn!(
                    "this device's own history forked; it writes on under a new incarnation"
                );
                self.device.incarnation = fresh;
            }
            Err(error) => {
                self.stopped = true;
                tracing::error!(%error, "cannot take a new incarnation after a fork; the node stops accepting writes");
            }
        }
    }

    /// Stores what was applied; returns the envelopes newly stored (empty
    /// after a failure, which is logged and stops the node in `persist`;
    /// received data that was not stored is fetched again by the next sync).
    fn persist_or_stop(&mut self) -> Vec<Envelope> {
        self.persist()
            .map(|(envelopes, _)| envelopes)
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "core_tests.rs"]
mod tests;

fn log_report(report: &IngressReport, from: &str) {
    for (hash, reason) in &report.rejected {
        let code = reason.code();
        if reason.is_provably_bad() {
            tracing::warn!(peer = from, envelope = %hash.short(), code, %reason, "envelope refused");
        } else {
            // Authority this node has not learned yet arrives with the next sync.
            tracing::info!(peer = from, envelope = %hash.short(), code, %reason, "envelope refused for now");
        }
    }
    if !report.accepted.is_empty() {
        tracing::debug!(
            peer = from,
            accepted = report.accepted.len(),
            pending = report.pending,
            "envelopes applied"
        );
    }
}
