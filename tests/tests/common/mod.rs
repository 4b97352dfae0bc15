//! Helpers shared by the integration tests: syncing two replicas with the
//! anti-entropy session, snapshots of everything observable about a
//! replica, and hand-made (possibly hostile) changes and envelopes.

#![allow(dead_code)]

use std::collections::BTreeMap;

use amtshilfe_protocol::document::{Document, RecordOp};
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::{self, KeyPair};
use amtshilfe_protocol::ids::{ActorKey, Collection, DocumentId, PactId, RecordId, Sha256Hash};
use amtshilfe_protocol::model::{Record, RecordKey};
use amtshilfe_protocol::read_model::ReadModel;
use amtshilfe_protocol::replica::Replica;
use amtshilfe_protocol::sync::{SyncRequest, SyncResponse, SyncSession, SyncStep, SyncSummary};
use amtshilfe_tests::sample;
use automerge::ChangeHash;

/// Pulls everything `answerer` has into `puller` with one anti-entropy
/// session. Every message goes through its wire encoding.
pub(crate) fn sync(puller: &mut Replica, answerer: &Replica) -> SyncSummary {
    let (mut session, mut request) = SyncSession::start(puller);
    loop {
        let request_wire = SyncRequest::from_bytes(&request.to_bytes()).expect("request decodes");
        let response = answerer.answer_sync(&request_wire);
        let response = SyncResponse::from_bytes(&response.to_bytes()).expect("response decodes");
        match session.on_response(puller, response) {
            SyncStep::Send(next) => request = next,
            SyncStep::Done(summary) => return summary,
        }
    }
}

/// Syncs every ordered pair of replicas until all digests agree; panics if
/// that takes more than a few rounds.
pub(crate) fn sync_all(replicas: &mut [Replica]) {
    for _round in 0..4 {
        for puller in 0..replicas.len() {
            for answerer in 0..replicas.len() {
                if puller == answerer {
                    continue;
                }
                let (low, high) = replicas.split_at_mut(puller.max(answerer));
                let (p, a) = if puller < answerer {
                    (&mut low[puller], &high[0])
                } else {
                    (&mut high[0], &low[answerer])
                };
                let summary = sync(p, a);
                assert!(!summary.stalled, "sync stalled: {summary:?}");
                assert!(!summary.wrong_pact, "sync across pacts: {summary:?}");
            }
        }
        let first = replicas[0].digest();
        if replicas.iter().all(|r| r.digest() == first) {
            return;
        }
    }
    panic!("replicas did not converge after four rounds of pairwise sync");
}

/// Everything observable about a replica's data. Two equal snapshots mean
/// nothing was applied, dropped or queued in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub(crate) digest: Sha256Hash,
    pub(crate) heads: BTreeMap<DocumentId, Vec<ChangeHash>>,
    pub(crate) read_model: ReadModel,
    pub(crate) pending_len: usize,
    pub(crate) held_len: usize,
    pub(crate) accepted: u64,
    pub(crate) membership_heads: Vec<amtshilfe_protocol::ids::EntryHash>,
}

impl Snapshot {
    pub(crate) fn of(replica: &Replica) -> Self {
        Self {
            digest: replica.digest(),
            heads: replica.heads(),
            read_model: replica.read_model().clone(),
            pending_len: replica.pending_len(),
            held_len: replica.held_len(),
            accepted: replica.stats().accepted,
            membership_heads: replica.membership().heads(),
        }
    }
}

/// The pact id of a replica's pact, as envelopes are signed for it.
pub(crate) fn pact_id(charter: &amtshilfe_protocol::membership::SignedEntry) -> PactId {
    PactId(charter.hash().0)
}

/// The actor of `key` in incarnation `incarnation`.
pub(crate) fn actor(key: &KeyPair, incarnation: [u8; 16]) -> ActorKey {
    let actor = identity::actor_id(&key.public(), incarnation);
    ActorKey::from_slice(actor.to_bytes()).expect("actor ids have the right length")
}

/// A scratch document in which hand-made changes are built, as any device
/// (or anyone holding a key) could build them.
pub(crate) struct Scratch {
    pub(crate) document: Document,
    pub(crate) actor: ActorKey,
}

impl Scratch {
    pub(crate) fn new(id: DocumentId, key: &KeyPair, incarnation: [u8; 16]) -> Self {
        Self {
            document: Document::new(id),
            actor: actor(key, incarnation),
        }
    }

    /// The raw bytes of the next change with `ops` at `time_ms`.
    pub(crate) fn change(&mut self, time_ms: i64, ops: &[RecordOp]) -> Vec<u8> {
        self.document
            .make_change(self.actor, time_ms, ops)
            .expect("a scratch change can be made")
            .raw_bytes()
            .to_vec()
    }
}

/// A put of a valid laptop offer with id `id`.
pub(crate) fn offer_put(id: &str, quantity: u32, now_ms: i64) -> RecordOp {
    RecordOp::Put {
        key: RecordKey::offer(RecordId::new(id).expect("valid id")).to_string(),
        json: Record::Offer(sample::laptops(quantity, now_ms)).to_json(),
    }
}

/// A put of a valid laptop request with id `id`.
pub(crate) fn request_put(id: &str, quantity: u32, now_ms: i64) -> RecordOp {
    RecordOp::Put {
        key: RecordKey::request(RecordId::new(id).expect("valid id")).to_string(),
        json: Record::Request(sample::laptop_request(quantity, now_ms)).to_json(),
    }
}

/// An envelope of a change `key` made with actor `key ‖ incarnation` in a
/// fresh scratch copy of `document`, signed by `key`.
pub(crate) fn signed_change(
    pact: &PactId,
    document: DocumentId,
    key: &KeyPair,
    incarnation: [u8; 16],
    time_ms: i64,
    ops: &[RecordOp],
) -> Envelope {
    let mut scratch = Scratch::new(document, key, incarnation);
    let change = scratch.change(time_ms, ops);
    Envelope::sign(pact, document, change, key)
}

/// The offers document of a member.
pub(crate) fn offers_of(member: amtshilfe_protocol::ids::MemberId) -> DocumentId {
    DocumentId::new(member, Collection::Offers)
}

/// The log entries that appoint `officer` to serve the members at
/// `serves` (indices into `pact.members`): proposed by member 0, approved
/// by members 1 and 2, each checked by a log.
pub(crate) fn appoint_officer(
    pact: &amtshilfe_tests::fixtures::TestPact,
    officer: &KeyPair,
    serves: &[usize],
) -> Vec<amtshilfe_protocol::membership::SignedEntry> {
    use amtshilfe_protocol::membership::{MembershipLog, Proposal};
    let mut log = MembershipLog::new(pact.charter.clone()).expect("a valid charter");
    for entry in &pact.delegations {
        log.insert(entry.clone()).expect("a valid delegation");
    }
    let propose = log.propose(
        &pact.members[0].member_key,
        Proposal::AppointOfficer {
            officer_key: officer.public(),
            name: "Gemeinsame ISB".into(),
            serves: serves
                .iter()
                .map(|&index| pact.members[index].id())
                .collect(),
        },
        amtshilfe_tests::fixtures::T0_MS,
    );
    log.insert(propose.clone()).expect("a valid proposal");
    let mut appointment = vec![propose.clone()];
    for approver in [1, 2] {
        let approve = log.approve(
            &pact.members[approver].member_key,
            propose.hash(),
            amtshilfe_tests::fixtures::T0_MS,
        );
        log.insert(approve.clone()).expect("a valid approval");
        appointment.push(approve);
    }
    assert_eq!(log.state().officers().count(), 1);
    appointment
}

/// A replica of `pact` that received the log entries `entries`.
pub(crate) fn replica_with(
    pact: &amtshilfe_tests::fixtures::TestPact,
    entries: &[amtshilfe_protocol::membership::SignedEntry],
) -> Replica {
    let mut replica = pact.replica();
    for entry in entries {
        replica
            .receive_entry(entry.clone())
            .expect("the entry applies");
    }
    replica
}

/// Panics unless `bytes` (what a non-reader relays) hold none of `secret`
/// in clear: its UTF-8 bytes, its hex, or the telling fragment `fragment`.
pub(crate) fn assert_no_plaintext(bytes: &[u8], secret: &str, fragment: &[u8]) {
    for needle in [
        secret.as_bytes().to_vec(),
        hex::encode(secret).into_bytes(),
        fragment.to_vec(),
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
            "plaintext in the relayed envelope"
        );
    }
}

pub(crate) mod ingress;
pub(crate) mod nodes;
