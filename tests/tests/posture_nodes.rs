//! Sealed posture records between real nodes over libp2p on loopback:
//! every node publishes the encryption keys it holds; a member's record
//! reaches the other nodes as ciphertext only; when an officer is
//! appointed for the member, the member's node re-seals the record on its
//! own and the officer's host node opens it; when the officer's key
//! rotates, the member's node re-seals again to the new key.

// Test code: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use amtshilfe_node::app::RunningNode;
use amtshilfe_node::clock::now_ms;
use amtshilfe_node::seal_keys::{OfficerKeys, create_member_seal_key, create_officer_keys};
use amtshilfe_node::sealing::SealIdentities;
use amtshilfe_node::sealing::open::{open_posture_of, published_keys};
use amtshilfe_node::sealing::posture::seal_posture_put;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::membership::Proposal;
use amtshilfe_protocol::posture::{
    Answer, Assessment, PosturePayload, QuestionAnswer, WibaCatalogue,
};
use amtshilfe_protocol::seal::{EncryptionSecret, ReaderId};
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::nodes::{admitted, dial_address, fast_options, make_data_dirs, start, wait_until};

const DEADLINE: Duration = Duration::from_secs(40);

/// A note no one but the readers may ever see in clear.
const SECRET_NOTE: &str = "Offline-Sicherung seit Monaten nicht getestet";

fn payload() -> PosturePayload {
    let mut assessment = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
    assessment.wiba.insert(
        "wiba_18_02".into(),
        QuestionAnswer {
            answer: Answer::No,
            note: SECRET_NOTE.into(),
            evidence: None,
        },
    );
    PosturePayload::Assessment {
        revision: 0,
        assessment,
    }
}

/// The payloads `node` opens of `member`'s posture, as which reader.
fn opened(node: &RunningNode, member: &MemberId) -> Vec<(ReaderId, PosturePayload)> {
    let core = node.core.lock();
    open_posture_of(
        core.replica(),
        core.seal_identities(),
        core.device().member,
        member,
    )
    .into_iter()
    .filter_map(|o| o.payload.ok().map(|p| (o.reader, p)))
    .collect()
}

/// The readers (with keys) `member`'s record `id` is sealed to on `node`.
fn sealed_readers(node: &RunningNode, member: &MemberId, id: &str) -> Vec<ReaderId> {
    let core = node.core.lock();
    core.replica()
        .read_model()
        .posture_records()
        .filter(|(a, _)| a.owner == *member && a.id.as_str() == id)
        .flat_map(|(_, r)| {
            r.sealed
                .readers()
                .map(|reader| reader.id)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether the JSON `node` holds for `member`'s posture mentions `text`.
fn posture_json_mentions(node: &RunningNode, member: &MemberId, text: &str) -> bool {
    let core = node.core.lock();
    core.replica()
        .read_model()
        .posture_records()
        .filter(|(a, _)| a.owner == *member)
        .any(|(_, r)| {
            let json = serde_json::to_string(r).unwrap();
            json.contains(text) || json.contains(&hex::encode(text))
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posture_is_resealed_for_a_new_officer_and_a_rotated_key() {
    let pact = TestPact::new(3, 41);
    let root = tempfile::tempdir().unwrap();
    let dirs = make_data_dirs(root.path(), &pact);
    // Member 0 and 2 hold their member's seal key; member 1's node also
    // hosts the officer.
    for dir in &dirs {
        create_member_seal_key(dir).unwrap();
    }
    let officer: OfficerKeys = create_officer_keys(&dirs[1]).unwrap();
    let officer_id = ReaderId::Officer(officer.signing.public());

    let mut nodes: Vec<RunningNode> = Vec::new();
    for dir in &dirs {
        let bootstrap = nodes.iter().map(dial_address).collect();
        nodes.push(start(fast_options(dir, bootstrap)).await);
    }
    wait_until("every node admits every other", DEADLINE, || {
        nodes.iter().all(|node| admitted(node) == 2)
    })
    .await;
    let member = |i: usize| pact.members[i].id();

    // Every member's key is published and known everywhere; the officer's
    // does not count before its appointment.
    wait_until("every node knows every member's key", DEADLINE, || {
        nodes.iter().all(|node| {
            let keys = published_keys(node.core.lock().replica());
            (0..3).all(|i| keys.contains_key(&ReaderId::Member(member(i))))
        })
    })
    .await;
    assert!(!published_keys(nodes[0].core.lock().replica()).contains_key(&officer_id));

    // Member 0 writes its assessment: sealed to itself alone for now.
    let id = RecordId::new("assessment-r0").unwrap();
    {
        let mut core = nodes[0].core.lock();
        let put = seal_posture_put(&core, &id, &payload(), [7; 32]).unwrap();
        core.write(Collection::Posture, &[put], now_ms()).unwrap();
    }
    wait_until("the record reaches every node", DEADLINE, || {
        nodes
            .iter()
            .all(|node| !sealed_readers(node, &member(0), id.as_str()).is_empty())
    })
    .await;
    assert_eq!(
        opened(&nodes[0], &member(0)),
        vec![(ReaderId::Member(member(0)), payload())]
    );
    assert!(opened(&nodes[1], &member(0)).is_empty(), "no officer yet");
    assert!(opened(&nodes[2], &member(0)).is_empty(), "another member");

    // The pact appoints the officer to serve members 0 and 2.
    {
        let mut core = nodes[0].core.lock();
        let propose = core.replica().membership().propose(
            &pact.members[0].member_key,
            Proposal::AppointOfficer {
                officer_key: officer.signing.public(),
                name: "Gemeinsame ISB (fiktiv)".into(),
                serves: vec![member(0), member(2)],
            },
            now_ms(),
        );
        assert!(core.receive_entries(vec![propose.clone()], "test"));
        for approver in [1, 2] {
            let approve = core.replica().membership().approve(
                &pact.members[approver].member_key,
                propose.hash(),
                now_ms(),
            );
            assert!(core.receive_entries(vec![approve], "test"));
        }
        assert_eq!(core.replica().membership().state().officers().count(), 1);
    }

    // Member 0's node re-seals on its own; the officer's host opens it.
    let took = wait_until(
        "the officer's node opens member 0's record",
        DEADLINE,
        || opened(&nodes[1], &member(0)) == vec![(officer_id, payload())],
    )
    .await;
    println!("re-sealed for the new officer and opened on its node after {took:?}");
    assert!(
        opened(&nodes[2], &member(0)).is_empty(),
        "member 2 still cannot read member 0"
    );
    for node in &nodes {
        assert!(
            !posture_json_mentions(node, &member(0), SECRET_NOTE),
            "no node stores the plaintext"
        );
    }

    // The officer's encryption key rotates on its host node.
    let rotated = EncryptionSecret::from_bytes([99; 32]);
    let old = officer.encryption.clone();
    let member_secret = nodes[1].core.lock().seal_identities().member.clone();
    nodes[1].core.lock().set_seal_identities(SealIdentities {
        member: member_secret,
        officer: Some(OfficerKeys {
            signing: officer.signing.clone(),
            encryption: rotated.clone(),
        }),
    });
    let took = wait_until(
        "member 0's record is re-sealed to the rotated key",
        DEADLINE,
        || {
            let core = nodes[1].core.lock();
            core.replica()
                .read_model()
                .posture_records()
                .filter(|(a, _)| a.owner == member(0))
                .any(|(_, r)| {
                    r.sealed
                        .readers()
                        .any(|reader| reader.id == officer_id && reader.key == rotated.public())
                })
        },
    )
    .await;
    println!("re-sealed to the officer's rotated key after {took:?}");
    assert_eq!(opened(&nodes[1], &member(0)), vec![(officer_id, payload())]);
    // The old secret no longer opens the current record.
    {
        let core = nodes[1].core.lock();
        let (_, record) = core
            .replica()
            .read_model()
            .posture_records()
            .find(|(a, _)| a.owner == member(0))
            .unwrap();
        assert!(
            record
                .open(&core.replica().pact_id(), &officer_id, &old)
                .is_err()
        );
    }
    for node in nodes {
        node.stop().await;
    }
}
