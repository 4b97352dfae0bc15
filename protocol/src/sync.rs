//! Anti-entropy between two replicas, as a pull state machine: the puller
//! sends a digest of all heads; if the digests differ it sends what it has
//! (membership entry hashes, and a version vector per document), and the
//! other side answers with what is missing, in pages under a byte cap. The
//! puller applies each page through the normal ingress and asks again
//! until nothing is missing. Gossip can miss messages; this cannot.
//!
//! The node only moves these messages' bytes; nothing here does I/O.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::document::VersionVector;
use crate::envelope::Envelope;
use crate::ids::{ActorKey, DocumentId, EntryHash, PactId, Sha256Hash};
use crate::ingress::SignatureCheck;
use crate::membership::SignedEntry;
use crate::replica::{ForkEvidence, Replica};

/// Most bytes of envelopes and entries in one page.
pub const PAGE_BYTES_MAX: usize = 1024 * 1024;
/// Most request rounds in one session, so a misbehaving peer cannot keep a
/// session going for ever.
pub const SESSION_ROUNDS_MAX: u32 = 10_000;
/// Largest encoded sync message accepted, in bytes.
pub const MESSAGE_BYTES_MAX: usize = PAGE_BYTES_MAX + 256 * 1024;

/// What the puller sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncRequest {
    /// "Here is the digest of all my heads."
    Digest {
        /// The pact both sides must share.
        pact: PactId,
        /// [`Replica::digest`] of the puller.
        digest: Sha256Hash,
    },
    /// "Here is what I have; send me what I lack."
    Want {
        /// The pact both sides must share.
        pact: PactId,
        /// Every membership entry the puller has.
        entries: BTreeSet<EntryHash>,
        /// The puller's version vector per document.
        documents: BTreeMap<DocumentId, VersionVector>,
        /// The hash of each actor's last applied change per document: two
        /// equal version vectors can hide a fork, equal tips cannot.
        tips: BTreeMap<DocumentId, BTreeMap<ActorKey, Sha256Hash>>,
        /// The forks the puller knows: (document, actor) → frozen from seq.
        forks: BTreeMap<(DocumentId, ActorKey), u64>,
    },
}

/// What the other side answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncResponse {
    /// The answerer's digest.
    Digest {
        /// [`Replica::digest`] of the answerer.
        digest: Sha256Hash,
    },
    /// One page of what the puller lacks.
    Page {
        /// Membership entries, parents first.
        entries: Vec<SignedEntry>,
        /// Envelopes, in an order that applies front to back.
        envelopes: Vec<Envelope>,
        /// Fork evidence the puller lacks (or knows only at a higher seq).
        forks: Vec<ForkEvidence>,
        /// Whether more was left out because of the byte cap.
        more: bool,
    },
    /// The request named another pact.
    WrongPact,
}

/// A sync message that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sync message does not decode: {0}")]
pub struct SyncDecodeError(pub String);

macro_rules! wire_codec {
    ($type:ty) => {
        impl $type {
            /// The wire encoding: postcard, deflated (see [`deflate`]).
            pub fn to_bytes(&self) -> Vec<u8> {
                deflate(&postcard::to_stdvec(self).unwrap_or_default())
            }
            /// Decodes a message, checking the size cap on the wire bytes
            /// and again on the inflated bytes.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, SyncDecodeError> {
                if bytes.len() > MESSAGE_BYTES_MAX {
                    return Err(SyncDecodeError(format!(
                        "{} bytes is over the limit",
                        bytes.len()
                    )));
                }
                let plain = inflate(bytes)?;
                postcard::from_bytes(&plain).map_err(|e| SyncDecodeError(e.to_string()))
            }
        }
    };
}
wire_codec!(SyncRequest);
wire_codec!(SyncResponse);

/// Compresses a sync message. A page is mostly envelopes of few documents
/// and signers: their document ids, signer keys, actor ids and record JSON
/// repeat, and deflate removes most of that repetition. Signatures and
/// change hashes are random and stay as they are (see ARCHITECTURE.md,
/// "Sync bytes").
fn deflate(plain: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(plain.len() / 2),
        flate2::Compression::default(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(plain);
    encoder.finish().unwrap_or_default()
}

/// Inflates a sync message, refusing more than [`MESSAGE_BYTES_MAX`]
/// inflated bytes so that a small message cannot unpack into a huge one.
fn inflate(wire: &[u8]) -> Result<Vec<u8>, SyncDecodeError> {
    use std::io::Read;
    let mut plain = Vec::new();
    flate2::read::DeflateDecoder::new(wire)
        .take(MESSAGE_BYTES_MAX as u64 + 1)
        .read_to_end(&mut plain)
        .map_err(|e| SyncDecodeError(format!("not a deflated message: {e}")))?;
    if plain.len() > MESSAGE_BYTES_MAX {
        return Err(SyncDecodeError(format!(
            "inflates to more than {MESSAGE_BYTES_MAX} bytes"
        )));
    }
    Ok(plain)
}

impl Replica {
    /// Answers a peer's sync request from this replica's state.
    pub fn answer_sync(&self, request: &SyncRequest) -> SyncResponse {
        self.answer_sync_paged(request, PAGE_BYTES_MAX)
    }

    /// [`Self::answer_sync`] with pages of at most `page_bytes_max` bytes
    /// (one item always fits, however large).
    pub fn answer_sync_paged(&self, request: &SyncRequest, page_bytes_max: usize) -> SyncResponse {
        match request {
            SyncRequest::Digest { pact, .. } if *pact != self.pact_id() => SyncResponse::WrongPact,
            SyncRequest::Want { pact, .. } if *pact != self.pact_id() => SyncResponse::WrongPact,
            SyncRequest::Digest { .. } => SyncResponse::Digest {
                digest: self.digest(),
            },
            SyncRequest::Want {
                entries,
                documents,
                tips,
                forks,
                ..
            } => self.page_for(
                &Have {
                    entries,
                    documents,
                    tips,
                    forks,
                },
                page_bytes_max,
            ),
        }
    }

    fn page_for(&self, have: &Have<'_>, page_bytes_max: usize) -> SyncResponse {
        let mut budget = PageBudget::new(page_bytes_max);
        let mut page = Page::default();
        for (hash, entry) in self.membership().entries_in_order() {
            if have.entries.contains(&hash) {
                continue;
            }
            if !budget.take(entry.to_bytes().len()) {
                return page.finish(true);
            }
            page.entries.push(entry.clone());
        }
        for fork in self.forks() {
            let known = have.forks.get(&(fork.document, fork.actor));
            if known.is_some_and(|seq| *seq <= fork.seq) {
                continue;
            }
            let bytes = fork.evidence.first.encoded_len() + fork.evidence.second.encoded_len();
            if !budget.take(bytes) {
                return page.finish(true);
            }
            page.forks.push(fork.evidence.clone());
        }
        let empty = VersionVector::new();
        let no_tips = BTreeMap::new();
        for document in self.documents() {
            let vector = have.documents.get(&document.id()).unwrap_or(&empty);
            let tips = have.tips.get(&document.id()).unwrap_or(&no_tips);
            for envelope in missing_or_forked(document, vector, tips) {
                if !budget.take(envelope.encoded_len()) {
                    return page.finish(true);
                }
                page.envelopes.push(envelope.clone());
            }
        }
        page.finish(false)
    }
}

/// What the puller says it has.
struct Have<'a> {
    entries: &'a BTreeSet<EntryHash>,
    documents: &'a BTreeMap<DocumentId, VersionVector>,
    tips: &'a BTreeMap<DocumentId, BTreeMap<ActorKey, Sha256Hash>>,
    forks: &'a BTreeMap<(DocumentId, ActorKey), u64>,
}

#[derive(Default)]
struct Page {
    entries: Vec<SignedEntry>,
    envelopes: Vec<Envelope>,
    forks: Vec<ForkEvidence>,
}

impl Page {
    fn finish(self, more: bool) -> SyncResponse {
        SyncResponse::Page {
            entries: self.entries,
            envelopes: self.envelopes,
            forks: self.forks,
            more,
        }
    }
}

/// The envelopes of `document` the puller lacks by its version vector,
/// and, for an actor whose change at the puller's last seq differs from
/// ours (a fork that equal version vectors hide), every change of that
/// actor, so the puller finds the lowest fork at once.
fn missing_or_forked<'a>(
    document: &'a crate::document::Document,
    have: &'a VersionVector,
    tips: &'a BTreeMap<ActorKey, Sha256Hash>,
) -> Vec<&'a Envelope> {
    let mut forked = BTreeSet::new();
    for (actor, tip) in tips {
        let theirs = have.get(actor).copied().unwrap_or(0);
        let ours = document.seq_of(actor);
        // Behind them, we cannot tell; they find it when pulling from us.
        let differs = if ours == theirs {
            document.tips().get(actor).is_some_and(|h| h.0 != tip.0)
        } else {
            ours > theirs
                && document
                    .applied()
                    .iter()
                    .find(|c| c.actor == *actor && c.seq == theirs)
                    .is_some_and(|c| c.hash.0 != tip.0)
        };
        if theirs > 0 && differs {
            forked.insert(*actor);
        }
    }
    // Most documents are complete on the puller: compare the version
    // vectors (one entry per actor) before scanning the changes.
    let complete = document
        .version_vector()
        .iter()
        .all(|(actor, seq)| have.get(actor).is_some_and(|had| had >= seq));
    if complete && forked.is_empty() {
        return Vec::new();
    }
    document
        .applied()
        .iter()
        .filter(|c| forked.contains(&c.actor) || c.seq > have.get(&c.actor).copied().unwrap_or(0))
        .map(|c| &c.envelope)
        .collect()
}

/// A byte budget that always lets the first item through, so that a page
/// is never empty while something is missing.
struct PageBudget {
    left: usize,
    first: bool,
}

impl PageBudget {
    fn new(bytes: usize) -> Self {
        Self {
            left: bytes,
            first: true,
        }
    }

    fn take(&mut self, bytes: usize) -> bool {
        if self.first || bytes <= self.left {
            self.first = false;
            self.left = self.left.saturating_sub(bytes);
            true
        } else {
            false
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Request rounds sent.
    pub rounds: u32,
    /// Envelopes newly applied.
    pub envelopes_applied: usize,
    /// Membership entries newly applied.
    pub entries_applied: usize,
    /// Forks newly learned (evidence that froze an actor lower than known).
    pub forks_learned: usize,
    /// Items the peer sent that were refused.
    pub refused: usize,
    /// True when the session stopped because a page brought nothing new
    /// while the peer said more was missing (a peer sending refused data).
    pub stalled: bool,
    /// True when the peer belongs to another pact.
    pub wrong_pact: bool,
}

/// The next step of a pulling session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStep {
    /// Send this request to the peer.
    Send(SyncRequest),
    /// The session is over.
    Done(SyncSummary),
}

/// The puller's side of one anti-entropy session with one peer.
#[derive(Debug, Default)]
pub struct SyncSession {
    summary: SyncSummary,
    /// Whether the page being taken in parts brought anything new.
    page_progress: bool,
}

impl SyncSession {
    /// Starts a session: the first request to send.
    pub fn start(replica: &Replica) -> (Self, SyncRequest) {
        let session = Self {
            summary: SyncSummary {
                rounds: 1,
                ..SyncSummary::default()
            },
            page_progress: false,
        };
        (
            session,
            SyncRequest::Digest {
                pact: replica.pact_id(),
                digest: replica.digest(),
            },
        )
    }

    /// Handles the peer's response; applies any page to `replica`.
    pub fn on_response(&mut self, replica: &mut Replica, response: SyncResponse) -> SyncStep {
        match response {
            SyncResponse::WrongPact => {
                self.summary.wrong_pact = true;
                self.done()
            }
            SyncResponse::Digest { digest } if digest == replica.digest() => self.done(),
            SyncResponse::Digest { .. } => self.want(replica),
            SyncResponse::Page {
                entries,
                envelopes,
                forks,
                more,
            } => {
                self.begin_page(replica, entries, forks);
                self.take_envelopes(replica, envelopes);
                self.finish_page(replica, more)
            }
        }
    }

    /// Takes a page in parts, so that a node can release its lock (and
    /// commit) between them: first the page's membership entries and fork
    /// evidence, then its envelopes in any number of
    /// [`Self::take_envelopes`] calls, in page order, then
    /// [`Self::finish_page`]. The same as [`Self::on_response`] with the
    /// whole page.
    pub fn begin_page(
        &mut self,
        replica: &mut Replica,
        entries: Vec<SignedEntry>,
        forks: Vec<ForkEvidence>,
    ) {
        self.page_progress = false;
        let mut progress = false;
        // One replay and one re-check of the documents for the whole page.
        for outcome in replica.receive_entries(entries) {
            match outcome {
                Ok(crate::membership::InsertOutcome::Applied { .. }) => {
                    self.summary.entries_applied += 1;
                    progress = true;
                }
                Ok(_) => {}
                Err(_) => self.summary.refused += 1,
            }
        }
        for evidence in forks {
            match replica.receive_fork_evidence(evidence) {
                Ok(true) => {
                    self.summary.forks_learned += 1;
                    progress = true;
                }
                Ok(false) => {}
                Err(_) => self.summary.refused += 1,
            }
        }
        self.page_progress |= progress;
    }

    /// Takes a part of the page's envelopes (see [`Self::begin_page`]).
    pub fn take_envelopes(&mut self, replica: &mut Replica, envelopes: Vec<Envelope>) {
        let report = replica.receive_envelopes(envelopes, SignatureCheck::Verify);
        self.summary.envelopes_applied += report.accepted.len();
        self.summary.refused += report.rejected.len();
        self.page_progress |= !report.accepted.is_empty();
    }

    /// Ends a page taken in parts: the next step, as
    /// [`Self::on_response`] gives it (`more`: the page said more is
    /// missing).
    pub fn finish_page(&mut self, replica: &Replica, more: bool) -> SyncStep {
        if !more {
            self.done()
        } else if !self.page_progress {
            self.summary.stalled = true;
            self.done()
        } else {
            self.want(replica)
        }
    }

    fn want(&mut self, replica: &Replica) -> SyncStep {
        if self.summary.rounds >= SESSION_ROUNDS_MAX {
            self.summary.stalled = true;
            return self.done();
        }
        self.summary.rounds += 1;
        SyncStep::Send(replica.known_state())
    }

    fn done(&self) -> SyncStep {
        SyncStep::Done(self.summary.clone())
    }
}

impl Replica {
    /// What this replica has, as a `Want` request: what a peer answers
    /// with what is missing, and what a bundle is exported for.
    pub fn known_state(&self) -> SyncRequest {
        let replica = self;
        SyncRequest::Want {
            pact: replica.pact_id(),
            entries: replica.membership().hashes(),
            documents: replica.version_vectors(),
            tips: replica
                .documents()
                .map(|d| {
                    let tips = d.tips().iter().map(|(a, h)| (*a, Sha256Hash(h.0)));
                    (d.id(), tips.collect())
                })
                .collect(),
            forks: replica
                .forks()
                .map(|f| ((f.document, f.actor), f.seq))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::RecordOp;
    use crate::identity::KeyPair;
    use crate::ids::{Collection, MemberId, RecordId};
    use crate::membership::MembershipLog;
    use crate::model::fixtures::equipment_offer;
    use crate::model::{Record, RecordKey};
    use crate::replica::LocalDevice;

    const NOW_MS: i64 = 1_767_225_600_000;

    /// Two founders, each with a delegated device; returns a replica that
    /// knows all of it, and the first founder's device.
    fn pact(seed: u8) -> (Replica, LocalDevice) {
        let keys = [
            KeyPair::from_seed([seed; 32]),
            KeyPair::from_seed([seed + 1; 32]),
        ];
        let charter = MembershipLog::charter("Pakt", &[(&keys[0], "A"), (&keys[1], "B")], NOW_MS);
        let mut replica = Replica::new(charter).unwrap();
        let member = MemberId::from_key(keys[0].public());
        let device = LocalDevice {
            member,
            key: KeyPair::from_seed([seed + 2; 32]),
            incarnation: [seed; 16],
        };
        let delegation = replica.membership().delegate(
            &keys[0],
            member,
            &device.key,
            NOW_MS + 1_000_000_000,
            NOW_MS,
        );
        replica.receive_entry(delegation).unwrap();
        (replica, device)
    }

    fn write_offers(replica: &mut Replica, device: &LocalDevice, count: u8) {
        for n in 0..count {
            let key = RecordKey::offer(RecordId::new(format!("o-{n}")).unwrap());
            let json = Record::Offer(equipment_offer("laptop", u32::from(n) + 1)).to_json();
            let op = RecordOp::Put {
                key: key.to_string(),
                json,
            };
            replica
                .write(device, Collection::Offers, &[op], NOW_MS + i64::from(n))
                .unwrap();
        }
    }

    /// A replica of the same pact that has only the charter.
    fn empty_copy(of: &Replica) -> Replica {
        let charter = of.membership().entries_in_order()[0].1.clone();
        Replica::new(charter).unwrap()
    }

    fn run(
        puller: &mut Replica,
        answerer: &Replica,
        page_bytes_max: usize,
    ) -> (SyncSummary, Vec<usize>) {
        let (mut session, mut request) = SyncSession::start(puller);
        let mut page_sizes = Vec::new();
        loop {
            let response = answerer.answer_sync_paged(
                &SyncRequest::from_bytes(&request.to_bytes()).unwrap(),
                page_bytes_max,
            );
            if let SyncResponse::Page {
                entries, envelopes, ..
            } = &response
            {
                page_sizes.push(
                    entries.iter().map(|e| e.to_bytes().len()).sum::<usize>()
                        + envelopes.iter().map(Envelope::encoded_len).sum::<usize>(),
                );
            }
            match session.on_response(
                puller,
                SyncResponse::from_bytes(&response.to_bytes()).unwrap(),
            ) {
                SyncStep::Send(next) => request = next,
                SyncStep::Done(summary) => return (summary, page_sizes),
            }
        }
    }

    #[test]
    fn a_fresh_replica_gets_everything_in_pages_under_the_cap() {
        let (mut source, device) = pact(10);
        write_offers(&mut source, &device, 30);
        let mut fresh = empty_copy(&source);
        let cap = 4 * 1024;

        let (summary, page_sizes) = run(&mut fresh, &source, cap);

        assert_eq!(fresh.digest(), source.digest());
        assert_eq!(fresh.heads(), source.heads());
        assert_eq!(fresh.read_model(), source.read_model());
        assert_eq!(summary.envelopes_applied, 30);
        assert_eq!(
            summary.entries_applied, 2,
            "the delegation and the device's incarnation"
        );
        assert!(
            page_sizes.len() > 3,
            "30 offers do not fit in one 4 KiB page: {page_sizes:?}"
        );
        assert!(
            page_sizes.iter().all(|&bytes| bytes <= cap),
            "{page_sizes:?}"
        );
        assert!(!summary.stalled);
    }

    /// A page taken in parts of three envelopes, newest first within the
    /// page, ends exactly as the whole page does.
    #[test]
    fn a_page_in_parts_ends_like_the_whole_page() {
        let (mut source, device) = pact(10);
        write_offers(&mut source, &device, 30);
        let mut whole = empty_copy(&source);
        let whole_summary = run(&mut whole, &source, PAGE_BYTES_MAX).0;

        let mut parts = empty_copy(&source);
        let (mut session, mut request) = SyncSession::start(&parts);
        let summary = loop {
            let step = match source.answer_sync(&request) {
                SyncResponse::Page {
                    entries,
                    mut envelopes,
                    forks,
                    more,
                } => {
                    session.begin_page(&mut parts, entries, forks);
                    envelopes.reverse();
                    for part in envelopes.chunks(3) {
                        session.take_envelopes(&mut parts, part.to_vec());
                    }
                    session.finish_page(&parts, more)
                }
                other => session.on_response(&mut parts, other),
            };
            match step {
                SyncStep::Send(next) => request = next,
                SyncStep::Done(summary) => break summary,
            }
        };
        assert_eq!(parts.digest(), source.digest());
        assert_eq!(parts.read_model(), whole.read_model());
        assert_eq!(summary.envelopes_applied, whole_summary.envelopes_applied);
        assert_eq!(summary.entries_applied, whole_summary.entries_applied);
        assert!(!summary.stalled);
    }

    #[test]
    fn equal_replicas_finish_after_comparing_digests() {
        let (mut source, device) = pact(20);
        write_offers(&mut source, &device, 3);
        let mut copy = empty_copy(&source);
        run(&mut copy, &source, PAGE_BYTES_MAX);

        let (summary, page_sizes) = run(&mut copy, &source, PAGE_BYTES_MAX);

        assert_eq!(summary.rounds, 1);
        assert!(
            page_sizes.is_empty(),
            "no page is needed when the digests match"
        );
    }

    #[test]
    fn only_the_missing_part_is_sent() {
        let (mut source, device) = pact(30);
        write_offers(&mut source, &device, 5);
        let mut copy = empty_copy(&source);
        run(&mut copy, &source, PAGE_BYTES_MAX);
        let key = RecordKey::offer(RecordId::new("o-new").unwrap());
        let op = RecordOp::Put {
            key: key.to_string(),
            json: Record::Offer(equipment_offer("laptop", 9)).to_json(),
        };
        let newest = source
            .write(&device, Collection::Offers, &[op], NOW_MS + 99)
            .unwrap();

        let (summary, page_sizes) = run(&mut copy, &source, PAGE_BYTES_MAX);

        assert_eq!(summary.envelopes_applied, 1);
        assert_eq!(page_sizes, vec![newest.encoded_len()]);
        assert_eq!(copy.digest(), source.digest());
    }

    #[test]
    fn another_pact_is_refused() {
        let (source, _) = pact(40);
        let (mut stranger, _) = pact(50);
        let (summary, _) = run(&mut stranger, &source, PAGE_BYTES_MAX);
        assert!(summary.wrong_pact);
        assert_eq!(summary.envelopes_applied, 0);
    }

    #[test]
    fn a_peer_that_only_sends_refused_data_cannot_keep_the_session_going() {
        let (mut puller, _) = pact(60);
        let before = puller.digest();
        let (mut session, _) = SyncSession::start(&puller);
        let mut forged = Envelope::sign(
            &puller.pact_id(),
            crate::ids::DocumentId::new(MemberId([1; 32]), Collection::Offers),
            vec![1, 2, 3],
            &KeyPair::from_seed([99; 32]),
        );
        forged.signature.0[0] ^= 1;
        let step = session.on_response(
            &mut puller,
            SyncResponse::Page {
                entries: vec![],
                envelopes: vec![forged],
                forks: vec![],
                more: true,
            },
        );
        match step {
            SyncStep::Done(summary) => {
                assert!(summary.stalled);
                assert_eq!(summary.refused, 1);
            }
            SyncStep::Send(_) => panic!("a page without progress must end the session"),
        }
        assert_eq!(puller.digest(), before);
    }

    #[test]
    fn oversized_messages_are_refused_before_decoding() {
        let bytes = vec![0u8; MESSAGE_BYTES_MAX + 1];
        assert!(SyncRequest::from_bytes(&bytes).is_err());
        assert!(SyncResponse::from_bytes(&bytes).is_err());
    }

    #[test]
    fn a_small_message_that_inflates_past_the_cap_is_refused() {
        // Zeros deflate about a thousandfold: a few kilobytes on the wire.
        let bomb = deflate(&vec![0u8; MESSAGE_BYTES_MAX + 1]);
        assert!(bomb.len() < 64 * 1024);
        let error = SyncResponse::from_bytes(&bomb).expect_err("must be refused");
        assert!(error.0.contains("inflates to more than"), "{error}");
    }

    #[test]
    fn bytes_that_are_not_deflated_are_refused() {
        // 0xff starts a deflate block of the reserved type.
        let garbage = [0xff_u8; 16];
        assert!(SyncResponse::from_bytes(&garbage).is_err());
        assert!(SyncRequest::from_bytes(&garbage).is_err());
    }

    #[test]
    fn a_page_round_trips_and_is_smaller_on_the_wire() {
        let (mut source, device) = pact(70);
        write_offers(&mut source, &device, 20);
        let request = SyncRequest::Want {
            pact: source.pact_id(),
            entries: BTreeSet::new(),
            documents: BTreeMap::new(),
            tips: BTreeMap::new(),
            forks: BTreeMap::new(),
        };
        let page = source.answer_sync(&request);
        let SyncResponse::Page { envelopes, .. } = &page else {
            panic!("expected a page, got {page:?}");
        };
        assert!(!envelopes.is_empty());
        let plain = postcard::to_stdvec(&page).expect("encodes").len();
        let wire = page.to_bytes();
        assert!(wire.len() < plain, "{} wire vs {plain} plain", wire.len());
        assert_eq!(SyncResponse::from_bytes(&wire).expect("decodes"), page);
    }
}
