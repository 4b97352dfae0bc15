//! The pact benchmark on the officer's host: nothing below three
//! contributing members; with three, one sealed share per served member
//! that its member opens and nobody else served, nor the host, does.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, MemberId};
use amtshilfe_protocol::membership::{MembershipLog, Proposal, SignedEntry};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{
    Answer, Assessment, PosturePayload, QuestionAnswer, SealedPosture, Submission, WibaCatalogue,
    benchmark_record,
};
use amtshilfe_protocol::replica::{LocalDevice, Replica};
use amtshilfe_protocol::seal::{EncryptionKeyAnnouncement, EncryptionSecret, Reader, ReaderId};
use amtshilfe_tests::fixtures::T0_MS;

use super::benchmark::{publish, shared_with_me};
use crate::core::Core;
use crate::seal_keys::OfficerKeys;
use crate::sealing::SealIdentities;
use crate::sealing::task::maintain;
use crate::setup::create_pact_store;
use crate::store::load_replica;

/// A served member writing its own documents with its member key.
struct Served {
    replica: Replica,
    device: LocalDevice,
    secret: EncryptionSecret,
}

fn officer() -> OfficerKeys {
    OfficerKeys {
        signing: KeyPair::from_seed([60; 32]),
        encryption: EncryptionSecret::from_bytes([61; 32]),
    }
}

fn host_secret() -> EncryptionSecret {
    EncryptionSecret::from_bytes([21; 32])
}

fn write(
    served: &mut Served,
    collection: Collection,
    key: RecordKey,
    record: Record,
    at: i64,
) -> Envelope {
    let ops = [RecordOp::Put {
        key: key.to_string(),
        json: record.to_json(),
    }];
    served
        .replica
        .write(&served.device, collection, &ops, at)
        .unwrap()
}

/// Member `served` publishes its key, saves revision 1 with `answers` to
/// topic 03 and submits it, sealed to itself and the officer.
fn submits(served: &mut Served, answers: &[Answer], at: i64) -> Vec<Envelope> {
    let pact = served.replica.pact_id();
    let member = served.device.member;
    let holder = ReaderId::Member(member);
    let announcement =
        EncryptionKeyAnnouncement::sign(pact, holder, &served.secret, at, &served.device.key);
    let mut envelopes = vec![write(
        served,
        Collection::Profile,
        RecordKey {
            tag: RecordTag::EncryptionKey,
            id: crate::sealing::publish::announcement_record_id(&holder, &served.secret.public()),
        },
        Record::EncryptionKey(announcement),
        at,
    )];
    let mut assessment = Assessment::empty(WibaCatalogue::builtin(), at);
    for (index, answer) in answers.iter().enumerate() {
        assessment.wiba.insert(
            format!("wiba_03_0{}", index + 1),
            QuestionAnswer {
                answer: *answer,
                note: "interne Notiz".into(),
                evidence: None,
            },
        );
    }
    let mut readers = vec![
        Reader {
            id: holder,
            key: served.secret.public(),
        },
        Reader {
            id: ReaderId::Officer(officer().signing.public()),
            key: officer().encryption.public(),
        },
    ];
    readers.sort();
    let submission = Submission::sign(pact, member, 1, &assessment, at, &served.device.key);
    for (id, payload) in [
        (
            "assessment-r1-p0",
            PosturePayload::Assessment {
                revision: 1,
                assessment,
            },
        ),
        ("submission-r1", PosturePayload::Submission(submission)),
    ] {
        let sealed = SealedPosture::seal(&pact, member, id, &payload, &readers, [9; 32]).unwrap();
        envelopes.push(write(
            served,
            Collection::Posture,
            RecordKey {
                tag: RecordTag::Posture,
                id: amtshilfe_protocol::ids::RecordId::new(id).unwrap(),
            },
            Record::Posture(sealed),
            at,
        ));
    }
    envelopes
}

/// The host (member 1, hosting the officer) and members 2, 4, 5, whom the
/// officer serves (the host itself is not served).
fn pact(dir: &std::path::Path) -> (Core, Vec<Served>) {
    let keys: Vec<KeyPair> = [1u8, 2, 4, 5]
        .iter()
        .map(|s| KeyPair::from_seed([*s; 32]))
        .collect();
    let founders: Vec<(&KeyPair, &str)> = keys.iter().map(|k| (k, "Kreis")).collect();
    let charter = MembershipLog::charter("Pakt", &founders, T0_MS);
    let device_key = KeyPair::from_seed([3; 32]);
    let store = create_pact_store(dir, &charter, &[], &keys[0], &device_key, T0_MS).unwrap();
    let replica = load_replica(&store).unwrap();
    let device = LocalDevice {
        member: MemberId::from_key(keys[0].public()),
        key: device_key,
        incarnation: store.meta().incarnation,
    };
    let mut core = Core::new(replica, store, device);
    core.set_seal_identities(SealIdentities {
        member: Some(host_secret()),
        officer: Some(officer()),
    });
    let served_ids: Vec<MemberId> = keys[1..]
        .iter()
        .map(|k| MemberId::from_key(k.public()))
        .collect();
    let propose = core.replica().membership().propose(
        &keys[0],
        Proposal::AppointOfficer {
            officer_key: officer().signing.public(),
            name: "Gemeinsame ISB".into(),
            serves: served_ids.clone(),
        },
        T0_MS + 1,
    );
    assert!(core.receive_entries(vec![propose.clone()], "test"));
    for approver in &keys[1..] {
        let approval = core
            .replica()
            .membership()
            .approve(approver, propose.hash(), T0_MS + 1);
        assert!(core.receive_entries(vec![approval], "test"));
    }
    // The whole log (the host's device delegation included), in order.
    let entries: Vec<SignedEntry> = core
        .replica()
        .membership()
        .entries_in_order()
        .into_iter()
        .map(|(_, entry)| entry.clone())
        .collect();
    assert!(
        core.replica()
            .membership()
            .state()
            .officers()
            .any(|o| o.serves.len() == 3),
        "appointed"
    );
    maintain(&mut core, T0_MS + 2).unwrap();
    let mut served = keys[1..]
        .iter()
        .enumerate()
        .map(|(index, key)| {
            let mut replica = Replica::new(charter.clone()).unwrap();
            for entry in &entries {
                // The charter is there already.
                let _ = replica.receive_entry(entry.clone());
            }
            Served {
                replica,
                device: LocalDevice {
                    member: MemberId::from_key(key.public()),
                    key: KeyPair::from_seed(key.seed()),
                    incarnation: [index as u8 + 7; 16],
                },
                secret: EncryptionSecret::from_bytes([31 + index as u8; 32]),
            }
        })
        .collect::<Vec<Served>>();
    // Each served member declares the incarnation it writes under, and the
    // host learns of it as from the log's sync.
    for member in &mut served {
        let declared = member
            .replica
            .declare_incarnation(&member.device, T0_MS + 2)
            .unwrap()
            .unwrap();
        assert!(core.receive_entries(vec![declared], "test"));
    }
    (core, served)
}

#[test]
fn the_benchmark_needs_three_contributors_and_reaches_each_served_member_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, mut served) = pact(dir.path());
    let answers = [
        vec![Answer::Yes, Answer::Yes],
        vec![Answer::No],
        vec![Answer::Yes, Answer::No],
    ];
    for (member, given) in served.iter_mut().zip(&answers).take(2) {
        let report = core.receive_envelopes(submits(member, given, T0_MS + 3), "test");
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    }
    // Two contributors: nothing is shared.
    let (ops, published) = publish(&core, T0_MS + 4).unwrap();
    assert_eq!(published.contributors, 2);
    assert!(ops.is_empty() && published.topics.is_empty());

    let report = core.receive_envelopes(submits(&mut served[2], &answers[2], T0_MS + 5), "test");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let (ops, published) = publish(&core, T0_MS + 6).unwrap();
    assert_eq!(published.contributors, 3);
    assert_eq!(published.shared_with.len(), 3);
    let backup = published
        .topics
        .iter()
        .find(|t| t.topic == "wiba_03")
        .unwrap();
    assert_eq!((backup.min, backup.median, backup.max), (0, 500, 1000));
    for op in &ops {
        core.write(Collection::Posture, std::slice::from_ref(op), T0_MS + 6)
            .unwrap();
    }

    // Each share opens for its member only; the host's member (not
    // served) reads none of them.
    let pact_id = core.replica().pact_id();
    assert!(shared_with_me(&core).is_empty(), "the host is not served");
    for (index, member) in served.iter().enumerate() {
        let record = benchmark_record(&member.device.member);
        let (_, sealed) = core
            .replica()
            .read_model()
            .posture_records()
            .find(|(address, _)| address.id.as_str() == record)
            .unwrap();
        let me = ReaderId::Member(member.device.member);
        let opened = sealed.open(&pact_id, &me, &member.secret).unwrap();
        let PosturePayload::Benchmark(share) = &opened else {
            panic!("a benchmark share");
        };
        assert_eq!(share.topics, published.topics);
        let json = serde_json::to_string(&opened).unwrap();
        assert!(!json.contains("wiba_03_01") && !json.contains("interne Notiz"));
        let other = &served[(index + 1) % served.len()];
        assert!(
            sealed
                .open(
                    &pact_id,
                    &ReaderId::Member(other.device.member),
                    &other.secret
                )
                .is_err(),
            "another served member"
        );
        assert!(
            sealed
                .open(
                    &pact_id,
                    &ReaderId::Member(core.device().member),
                    &host_secret()
                )
                .is_err(),
            "the host's member"
        );
    }
}
