//! Ingest off the network task: gossip, sync pages, sync starts, sync
//! answers and the delegation entries of introductions go through a bounded queue ([`INGEST_QUEUE_MAX`] jobs) to one
//! blocking worker thread. The worker checks signatures (on every core for
//! a large page) before it takes the core's lock, holds the lock only to
//! apply and commit, and hands the outcome back to the network task, which
//! never touches the disk or waits on the core's lock for ingest.
//!
//! Back-pressure: a sync request is sent only with a queue slot reserved
//! for its answer (an [`OwnedPermit`]), so a pulled page is never dropped;
//! with no slot free the pull pauses until one is. Gossip takes a slot only
//! if one is free, else it is ignored (sync repairs what gossip misses).
//! Consecutive gossip is applied as one batch with one commit, so a burst
//! costs one fsync, not one per message.

use std::collections::{HashMap, HashSet};

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{PactId, Sha256Hash};
use amtshilfe_protocol::membership::{InsertOutcome, SignedEntry};
use amtshilfe_protocol::sync::{SyncRequest, SyncResponse, SyncSession, SyncStep};
use libp2p::gossipsub::{MessageAcceptance, MessageId};
use libp2p::{PeerId, request_response::ResponseChannel};
use tokio::sync::mpsc::{self, OwnedPermit};

use super::announce::Announcement;
use super::codec::{Admission, SyncRequestBytes};
use crate::clock::now_ms;
use crate::core::SharedCore;

/// Most jobs waiting for the ingest worker. A sync page is at most
/// `MESSAGE_BYTES_MAX` (1.25 MiB) inflated, a gossip message at most
/// `ANNOUNCEMENT_BYTES_MAX` (65 KiB), so the queue holds at most 40 MiB.
pub const INGEST_QUEUE_MAX: usize = 32;
/// Most gossip messages applied in one batch (one commit).
pub const GOSSIP_BATCH_MAX: usize = 256;
/// Most envelopes of a sync page applied per hold of the core's lock; each
/// part is committed before the lock is released, so pages and API writes
/// wait for one part, not for a whole page (up to ~2,000 changes). 64
/// keeps a part's hold (apply, read model, one fsync) to a few ms, about
/// what a page costs to render, at a few more commits per page.
pub const SYNC_APPLY_ENVELOPES_MAX: usize = 64;

/// Work for the ingest worker.
pub(super) enum IngestJob {
    /// A gossip message from an admitted peer, to judge and apply.
    Gossip(GossipMessage),
    /// A page pulled from `peer`, for its session.
    SyncPage {
        peer: PeerId,
        session: SyncSession,
        response: SyncResponse,
    },
    /// Start a pull session with `peer`.
    StartSync { peer: PeerId },
    /// Take in the delegation entries of `peer`'s own device from its
    /// introduction (`admission::own_entries`), then answer it on
    /// `channel`. Their signatures are checked and the log committed here,
    /// not on the network task.
    Introduction {
        peer: PeerId,
        pact: PactId,
        entries: Vec<SignedEntry>,
        channel: ResponseChannel<Admission>,
    },
    /// Answer an admitted peer's sync request.
    Answer {
        peer: PeerId,
        request: SyncRequestBytes,
        channel: ResponseChannel<SyncResponse>,
    },
}

/// A gossip message waiting for its verdict.
pub(super) struct GossipMessage {
    pub source: PeerId,
    pub id: MessageId,
    pub data: Vec<u8>,
}

/// What the worker hands back to the network task.
pub(super) enum IngestDone {
    /// The verdict on a gossip message.
    Gossip {
        source: PeerId,
        id: MessageId,
        verdict: MessageAcceptance,
        /// The peer knows authority this node lacks: pull from it.
        fetch_log: bool,
        /// A membership entry was applied: who may connect may have changed.
        gate_changed: bool,
    },
    /// A pull session's next step, and what it stored to relay.
    Pulled {
        peer: PeerId,
        session: SyncSession,
        step: SyncStep,
        relay: Vec<Envelope>,
    },
    /// A new pull session and its first request.
    Started {
        peer: PeerId,
        session: SyncSession,
        request: SyncRequest,
    },
    /// A peer's introduction was taken in; `gate_changed`: an entry was
    /// applied, so who is admitted may have changed. The network task
    /// answers on `channel` once it has looked again.
    Introduced {
        peer: PeerId,
        channel: ResponseChannel<Admission>,
        gate_changed: bool,
    },
    /// The answer to a peer's sync request (`None`: it did not decode).
    Answered {
        peer: PeerId,
        channel: ResponseChannel<SyncResponse>,
        response: Option<SyncResponse>,
    },
}

/// The network task's end of the queue.
pub(super) struct IngestQueue {
    jobs: mpsc::Sender<IngestJob>,
}

impl IngestQueue {
    /// Queues a job if a slot is free; false (the job dropped) if not.
    pub(super) fn try_send(&self, job: IngestJob) -> bool {
        self.jobs.try_send(job).is_ok()
    }

    /// Queues a job if a slot is free, else gives it back (boxed: a job
    /// is large, and the queue is rarely full).
    pub(super) fn try_send_job(&self, job: IngestJob) -> Result<(), Box<IngestJob>> {
        self.jobs.try_send(job).map_err(|error| match error {
            mpsc::error::TrySendError::Full(job) | mpsc::error::TrySendError::Closed(job) => {
                Box::new(job)
            }
        })
    }

    /// Reserves a slot for a sync page that is yet to arrive.
    pub(super) fn reserve(&self) -> Option<OwnedPermit<IngestJob>> {
        self.jobs.clone().try_reserve_owned().ok()
    }

    /// Free slots now.
    pub(super) fn free(&self) -> usize {
        self.jobs.capacity()
    }
}

/// Starts the worker thread. It ends when the queue's sender is dropped or
/// the network task stops reading outcomes.
pub(super) fn start(
    core: SharedCore,
    pact: PactId,
) -> std::io::Result<(
    IngestQueue,
    mpsc::Receiver<IngestDone>,
    std::thread::JoinHandle<()>,
)> {
    let (jobs_tx, jobs) = mpsc::channel(INGEST_QUEUE_MAX);
    // Every job gives at most one outcome per message it carries; outcomes
    // are read as fast as the task runs, so the worker rarely waits here.
    let (done_tx, done) = mpsc::channel(INGEST_QUEUE_MAX);
    let worker = std::thread::Builder::new()
        .name("ingest".into())
        .spawn(move || {
            Worker {
                core,
                pact,
                done: done_tx,
            }
            .run(jobs)
        })?;
    Ok((IngestQueue { jobs: jobs_tx }, done, worker))
}

struct Worker {
    core: SharedCore,
    pact: PactId,
    done: mpsc::Sender<IngestDone>,
}

impl Worker {
    fn run(self, mut jobs: mpsc::Receiver<IngestJob>) {
        let mut next: Option<IngestJob> = None;
        loop {
            let job = match next.take() {
                Some(job) => job,
                None => match jobs.blocking_recv() {
                    Some(job) => job,
                    None => return,
                },
            };
            let outcomes = match job {
                IngestJob::Gossip(first) => {
                    let mut batch = vec![first];
                    while batch.len() < GOSSIP_BATCH_MAX {
                        match jobs.try_recv() {
                            Ok(IngestJob::Gossip(more)) => batch.push(more),
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.judge_gossip(batch)
                }
                IngestJob::SyncPage {
                    peer,
                    session,
                    response,
                } => vec![self.take_page(peer, session, response)],
                IngestJob::StartSync { peer } => {
                    let (session, request) = self.core.lock().start_sync();
                    vec![IngestDone::Started {
                        peer,
                        session,
                        request,
                    }]
                }
                IngestJob::Introduction {
                    peer,
                    pact,
                    entries,
                    channel,
                } => vec![self.take_introduction(peer, pact, entries, channel)],
                IngestJob::Answer {
                    peer,
                    request,
                    channel,
                } => {
                    // Inflated and parsed only now that the sender is known
                    // (the task checked admission) and off the task.
                    let response = match request.decode_request() {
                        Ok(request) => Some(self.core.lock().answer_sync(&request)),
                        Err(error) => {
                            tracing::debug!(%peer, %error, "sync request does not decode");
                            None
                        }
                    };
                    vec![IngestDone::Answered {
                        peer,
                        channel,
                        response,
                    }]
                }
            };
            for outcome in outcomes {
                if self.done.blocking_send(outcome).is_err() {
                    return;
                }
            }
        }
    }

    /// A peer's own delegation entries, into the log (refusals are logged
    /// and counted by the core); an introduction from another pact is
    /// ignored.
    fn take_introduction(
        &self,
        peer: PeerId,
        pact: PactId,
        entries: Vec<SignedEntry>,
        channel: ResponseChannel<Admission>,
    ) -> IngestDone {
        let gate_changed = if pact == self.pact {
            let entries = well_signed(entries);
            !entries.is_empty() && self.core.lock().receive_entries(entries, &peer.to_string())
        } else {
            tracing::warn!(%peer, "introduction from another pact");
            false
        };
        IngestDone::Introduced {
            peer,
            channel,
            gate_changed,
        }
    }

    /// A page in parts of [`SYNC_APPLY_ENVELOPES_MAX`] envelopes: each
    /// part's signatures are checked outside the lock (on every core), then
    /// the lock is taken to apply and commit that part only.
    fn take_page(
        &self,
        peer: PeerId,
        mut session: SyncSession,
        response: SyncResponse,
    ) -> IngestDone {
        let from = peer.to_string();
        let step = match response {
            SyncResponse::Page {
                entries,
                envelopes,
                forks,
                more,
            } => {
                self.core
                    .lock()
                    .begin_sync_page(&mut session, entries, forks);
                let mut envelopes = envelopes.into_iter().peekable();
                while envelopes.peek().is_some() {
                    let part: Vec<Envelope> =
                        envelopes.by_ref().take(SYNC_APPLY_ENVELOPES_MAX).collect();
                    let verified = crate::verify::verified(&self.pact, &part);
                    self.core
                        .lock()
                        .sync_page_envelopes(&mut session, part, verified);
                }
                self.core
                    .lock()
                    .finish_sync_page(&mut session, more, &from, now_ms())
            }
            other => {
                self.core
                    .lock()
                    .continue_sync(&mut session, other, Vec::new(), &from, now_ms())
            }
        };
        let relay = self.core.lock().take_relay();
        IngestDone::Pulled {
            peer,
            session,
            step,
            relay,
        }
    }

    /// Judges a batch of gossip messages: their envelopes in one ingress
    /// call and one commit (more only when the batch holds two envelopes
    /// of one change), entries one by one (they are rare).
    fn judge_gossip(&self, batch: Vec<GossipMessage>) -> Vec<IngestDone> {
        let decoded: Vec<Option<Announcement>> = batch
            .iter()
            .map(|message| Announcement::from_bytes(&message.data))
            .collect();
        // An ingress report names envelopes by their change's hash, so two
        // envelopes of one change (a genuine one and a copy with another
        // signature or signer) must not share a call, or one's verdict
        // would be taken for the other's: a rogue peer could get an honest
        // relay's message rejected. Each call holds one envelope per change;
        // the same envelope twice shares a verdict. Batch order is kept.
        let mut calls: Vec<(HashMap<Sha256Hash, Sha256Hash>, Vec<Envelope>)> = Vec::new();
        let mut call_of: Vec<usize> = vec![0; decoded.len()];
        for (index, announcement) in decoded.iter().enumerate() {
            let Some(Announcement::Envelope(envelope)) = announcement else {
                continue;
            };
            let hash = envelope.content_hash();
            let id = envelope.verification_id();
            let call = calls
                .iter()
                .position(|(ids, _)| ids.get(&hash).is_none_or(|held| *held == id))
                .unwrap_or_else(|| {
                    calls.push((HashMap::new(), Vec::new()));
                    calls.len() - 1
                });
            let (ids, envelopes) = &mut calls[call];
            if ids.insert(hash, id).is_none() {
                envelopes.push(envelope.clone());
            }
            call_of[index] = call;
        }
        let verified: Vec<Vec<Sha256Hash>> = calls
            .iter()
            .map(|(_, envelopes)| crate::verify::verified(&self.pact, envelopes))
            .collect();
        let mut core = self.core.lock();
        // Per call: the changes accepted, and for each refused one whether
        // no honest relay would pass it on.
        let judged: Vec<(HashSet<Sha256Hash>, HashMap<Sha256Hash, bool>)> = calls
            .into_iter()
            .zip(verified)
            .map(|((_, envelopes), verified)| {
                let report = core.receive_verified(envelopes, verified, "gossip");
                let accepted = report.accepted.iter().map(Envelope::content_hash).collect();
                let rejected = report
                    .rejected
                    .iter()
                    .map(|(hash, reason)| (*hash, reason.is_provably_bad()))
                    .collect();
                (accepted, rejected)
            })
            .collect();
        let mut outcomes = Vec::with_capacity(batch.len());
        for ((message, announcement), call) in batch.into_iter().zip(decoded).zip(call_of) {
            let mut fetch_log = false;
            let mut gate_changed = false;
            let verdict = match announcement {
                None => MessageAcceptance::Reject,
                Some(Announcement::Envelope(envelope)) => {
                    let hash = envelope.content_hash();
                    let (accepted, rejected) = &judged[call];
                    match rejected.get(&hash) {
                        // Authority may still be on its way; only provable garbage is punished.
                        Some(true) => MessageAcceptance::Reject,
                        Some(_) => {
                            // The relaying peer accepted it, so it knows the
                            // delegation this node lacks: pull from it.
                            fetch_log = true;
                            MessageAcceptance::Ignore
                        }
                        None if accepted.contains(&hash) => MessageAcceptance::Accept,
                        None => MessageAcceptance::Ignore,
                    }
                }
                Some(Announcement::Entry(entry)) => {
                    match core.receive_entry(entry, &message.source.to_string()) {
                        Ok(InsertOutcome::Applied { .. }) => {
                            gate_changed = true;
                            MessageAcceptance::Accept
                        }
                        Ok(_) => MessageAcceptance::Ignore,
                        Err(_) => MessageAcceptance::Reject,
                    }
                }
            };
            let label = match verdict {
                MessageAcceptance::Accept => "accepted",
                MessageAcceptance::Reject => "rejected",
                MessageAcceptance::Ignore => "ignored",
            };
            *core.counters.gossip.entry(label).or_insert(0) += 1;
            outcomes.push(IngestDone::Gossip {
                source: message.source,
                id: message.id,
                verdict,
                fetch_log,
                gate_changed,
            });
        }
        outcomes
    }
}

/// The entries of an introduction whose signatures verify, checked here
/// before the core's lock is taken: a stranger's introduction can carry
/// delegations of its own key with made-up signatures, and checking those
/// must not keep sync and the pages waiting. The log checks the ones kept
/// again when it takes them (a valid entry is one a member made).
fn well_signed(entries: Vec<SignedEntry>) -> Vec<SignedEntry> {
    entries
        .into_iter()
        .filter(|entry| entry.check_signatures().is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use amtshilfe_protocol::identity::KeyPair;
    use amtshilfe_protocol::ids::MemberId;
    use amtshilfe_protocol::membership::MembershipLog;
    use amtshilfe_protocol::replica::LocalDevice;
    use amtshilfe_tests::fixtures::T0_MS;

    use super::*;
    use crate::core::Core;
    use crate::setup::create_pact_store;
    use crate::store::load_replica;

    fn shared_core(dir: &std::path::Path) -> SharedCore {
        let key = KeyPair::from_seed([1; 32]);
        let device_key = KeyPair::from_seed([3; 32]);
        let charter = MembershipLog::charter("Pakt", &[(&key, "Kreis Bergstraße")], T0_MS);
        let store = create_pact_store(dir, &charter, &[], &key, &device_key, T0_MS).unwrap();
        let replica = load_replica(&store).unwrap();
        let device = LocalDevice {
            member: MemberId::from_key(key.public()),
            key: device_key,
            incarnation: store.meta().incarnation,
        };
        SharedCore::new(Core::new(replica, store, device))
    }

    fn gossip() -> IngestJob {
        IngestJob::Gossip(GossipMessage {
            source: PeerId::random(),
            id: MessageId::new(b"m"),
            data: vec![1, 2, 3],
        })
    }

    /// With the worker stuck (here: the core's lock held, as by a slow
    /// commit), the queue fills: gossip is turned away at once instead of
    /// waiting, no further slot can be reserved, and every job that had a
    /// slot is done once the worker moves again.
    #[test]
    fn a_full_queue_turns_gossip_away_and_keeps_reserved_work() {
        let dir = tempfile::tempdir().unwrap();
        let core = shared_core(dir.path());
        let (queue, mut done, worker) =
            start(core.clone(), core.lock().replica().pact_id()).unwrap();
        let guard = core.lock();
        // The worker takes this one and waits for the lock.
        assert!(queue.try_send(IngestJob::StartSync {
            peer: PeerId::random()
        }));
        let waited = std::time::Instant::now();
        while queue.free() < INGEST_QUEUE_MAX {
            assert!(
                waited.elapsed() < Duration::from_secs(10),
                "the worker took no job"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let slots: Vec<_> = (0..INGEST_QUEUE_MAX).map(|_| queue.reserve()).collect();
        assert!(slots.iter().all(Option::is_some), "the queue had room");
        assert!(queue.reserve().is_none(), "no slot beyond the cap");
        assert!(!queue.try_send(gossip()), "gossip is turned away");
        assert_eq!(queue.free(), 0);
        for slot in slots.into_iter().flatten() {
            slot.send(IngestJob::StartSync {
                peer: PeerId::random(),
            });
        }
        drop(guard);
        let mut started = 0;
        while started < INGEST_QUEUE_MAX + 1 {
            match done.blocking_recv() {
                Some(IngestDone::Started { .. }) => started += 1,
                Some(_) => panic!("only sync starts were queued"),
                None => panic!("the worker stopped early"),
            }
        }
        drop(queue);
        worker.join().unwrap();
    }

    /// A rogue peer sends a copy of a genuine change with a broken
    /// signature so that it lands in the same batch as the genuine one.
    /// Each message keeps its own verdict: the copy is rejected, the
    /// genuine one accepted (and its honest relay not punished).
    #[test]
    fn a_forged_copy_in_the_batch_does_not_take_the_genuine_ones_verdict() {
        use amtshilfe_protocol::document::RecordOp;
        use amtshilfe_protocol::ids::{Collection, RecordId};
        use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
        use amtshilfe_protocol::seal::{EncryptionKeyAnnouncement, EncryptionSecret, ReaderId};
        use amtshilfe_tests::fixtures::TestPact;

        let pact = TestPact::new(2, 71);
        let dir = tempfile::tempdir().unwrap();
        let own = &pact.members[0];
        let device_key = KeyPair::from_seed([9; 32]);
        let store = create_pact_store(
            dir.path(),
            &pact.charter,
            &pact.entries().cloned().collect::<Vec<_>>(),
            &own.member_key,
            &device_key,
            T0_MS,
        )
        .unwrap();
        let replica = load_replica(&store).unwrap();
        let device = LocalDevice {
            member: own.id(),
            key: device_key,
            incarnation: store.meta().incarnation,
        };
        let core = SharedCore::new(Core::new(replica, store, device));

        // Member 1's genuine change, and a copy with a broken signature.
        let other = &pact.members[1];
        let mut writer = pact.replica();
        let announcement = EncryptionKeyAnnouncement::sign(
            writer.pact_id(),
            ReaderId::Member(other.id()),
            &EncryptionSecret::from_bytes([21; 32]),
            T0_MS,
            &other.device.key,
        );
        let put = RecordOp::Put {
            key: RecordKey {
                tag: RecordTag::EncryptionKey,
                id: RecordId::new("m-1").unwrap(),
            }
            .to_string(),
            json: Record::EncryptionKey(announcement).to_json(),
        };
        let genuine = writer
            .write(&other.device, Collection::Profile, &[put], T0_MS)
            .unwrap();
        let mut forged = genuine.clone();
        forged.signature.0[0] ^= 1;
        let message = |envelope: Envelope, id: &[u8]| {
            IngestJob::Gossip(GossipMessage {
                source: PeerId::random(),
                id: MessageId::new(id),
                data: Announcement::Envelope(envelope).to_bytes(),
            })
        };

        let (queue, mut done, worker) =
            start(core.clone(), core.lock().replica().pact_id()).unwrap();
        let guard = core.lock();
        assert!(queue.try_send(message(forged, b"forged")));
        assert!(queue.try_send(message(genuine, b"genuine")));
        drop(guard);
        let mut verdicts = Vec::new();
        for _ in 0..2 {
            match done.blocking_recv() {
                Some(IngestDone::Gossip { id, verdict, .. }) => verdicts.push((id, verdict)),
                _ => panic!("a gossip verdict was expected"),
            }
        }
        assert_eq!(
            verdicts,
            vec![
                (MessageId::new(b"forged"), MessageAcceptance::Reject),
                (MessageId::new(b"genuine"), MessageAcceptance::Accept),
            ]
        );
        drop(queue);
        worker.join().unwrap();
    }

    /// An introduction's forged delegation is dropped before the lock;
    /// a genuine one is kept for the log.
    #[test]
    fn an_introductions_forged_delegations_are_dropped_before_the_lock() {
        use amtshilfe_tests::fixtures::TestPact;
        let pact = TestPact::new(2, 72);
        let genuine = pact.delegations[0].clone();
        let mut forged = genuine.clone();
        forged.signatures[0].signature.0[0] ^= 1;
        assert_eq!(well_signed(vec![forged, genuine.clone()]), vec![genuine]);
    }

    /// Consecutive gossip is judged as one batch; a message that does not
    /// decode is rejected, the others keep their own verdicts.
    #[test]
    fn gossip_is_judged_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let core = shared_core(dir.path());
        let (queue, mut done, worker) =
            start(core.clone(), core.lock().replica().pact_id()).unwrap();
        let guard = core.lock();
        assert!(queue.try_send(gossip()));
        assert!(queue.try_send(gossip()));
        drop(guard);
        for _ in 0..2 {
            match done.blocking_recv() {
                Some(IngestDone::Gossip { verdict, .. }) => {
                    assert_eq!(verdict, MessageAcceptance::Reject)
                }
                _ => panic!("a gossip verdict was expected"),
            }
        }
        assert_eq!(core.lock().counters.gossip.get("rejected"), Some(&2));
        drop(queue);
        worker.join().unwrap();
    }
}
