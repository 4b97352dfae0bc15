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
use amtshilfe_node::net::{Announcement, NetCommand};
use amtshilfe_node::ops::posture::{
    PostureError, posture_overview, review, save_assessment, served_members, submit,
};
use amtshilfe_node::seal_keys::{OfficerKeys, create_member_seal_key, create_officer_keys};
use amtshilfe_node::sealing::SealIdentities;
use amtshilfe_node::sealing::open::{open_posture_of, published_keys};
use amtshilfe_node::sealing::posture::seal_posture_put;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::membership::Proposal;
use amtshilfe_protocol::posture::{
    Answer, Assessment, PosturePayload, QuestionAnswer, WibaCatalogue,
};
use amtshilfe_protocol::posture::{Finding, Status, Verdict, delta};
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

fn announce(node: &RunningNode, envelopes: impl IntoIterator<Item = Envelope>) {
    for envelope in envelopes {
        node.net
            .send(NetCommand::Announce(Announcement::Envelope(envelope)));
    }
}

/// Every question answered with a long note: far more than one record holds.
fn long_assessment() -> Assessment {
    let mut assessment = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
    for topic in &WibaCatalogue::builtin().topics {
        for question in &topic.questions {
            assessment.wiba.insert(
                question.id.clone(),
                QuestionAnswer {
                    answer: Answer::Yes,
                    note: format!("{}: {}", question.id, "Prüfung dokumentiert. ".repeat(70)),
                    evidence: None,
                },
            );
        }
    }
    assessment
}

/// The workflow status of `member`'s posture as `node` reads it.
fn status(node: &RunningNode, member: &MemberId) -> Status {
    posture_overview(&node.core.lock(), member).workflow.status
}

fn with_answer(mut assessment: Assessment, question: &str, answer: Answer) -> Assessment {
    assessment.wiba.insert(
        question.into(),
        QuestionAnswer {
            answer,
            note: String::new(),
            evidence: None,
        },
    );
    assessment
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_return_fix_accept_between_member_and_officer_nodes() {
    let pact = TestPact::new(3, 43);
    let root = tempfile::tempdir().unwrap();
    let dirs = make_data_dirs(root.path(), &pact);
    for dir in &dirs {
        create_member_seal_key(dir).unwrap();
    }
    let officer = create_officer_keys(&dirs[1]).unwrap();
    let member = |i: usize| pact.members[i].id();
    let mut nodes: Vec<RunningNode> = Vec::new();
    for dir in &dirs {
        let bootstrap = nodes.iter().map(dial_address).collect();
        nodes.push(start(fast_options(dir, bootstrap)).await);
    }
    // The officer (hosted on member 1's node) serves member 0 only.
    {
        let mut core = nodes[0].core.lock();
        let propose = core.replica().membership().propose(
            &pact.members[0].member_key,
            Proposal::AppointOfficer {
                officer_key: officer.signing.public(),
                name: "Gemeinsame ISB (fiktiv)".into(),
                serves: vec![member(0)],
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
    }
    let officer_id = ReaderId::Officer(officer.signing.public());
    wait_until(
        "every key is published and known on member 0's node",
        DEADLINE,
        || {
            let keys = published_keys(nodes[0].core.lock().replica());
            keys.contains_key(&officer_id) && keys.contains_key(&ReaderId::Member(member(0)))
        },
    )
    .await;
    // The officer's key can reach member 0's node (published by the host
    // on start) before the appointment entries reach the host by sync.
    wait_until("the host's node knows the appointment", DEADLINE, || {
        served_members(&nodes[1].core.lock()) == vec![member(0)]
    })
    .await;

    // Bad input changes nothing: an answer to an unknown question.
    let empty = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
    let bad = with_answer(empty.clone(), "wiba_99_99", Answer::Yes);
    let refused = save_assessment(&mut nodes[0].core.lock(), bad, now_ms());
    assert_eq!(refused.unwrap_err().code(), "invalid_assessment");
    assert!(
        posture_overview(&nodes[0].core.lock(), &member(0))
            .assessments
            .is_empty()
    );

    // The member saves and submits revision 1: every question answered
    // with a long note, so the assessment travels in several records.
    let first = with_answer(long_assessment(), "wiba_18_02", Answer::No);
    let first = with_answer(first, "wiba_03_01", Answer::Yes);
    {
        let mut core = nodes[0].core.lock();
        let (revision, saved) = save_assessment(&mut core, first.clone(), now_ms()).unwrap();
        assert_eq!(revision, 1);
        announce(&nodes[0], saved);
        let (revision, submitted) = submit(&mut core, now_ms()).unwrap();
        assert_eq!(revision, 1);
        announce(&nodes[0], [submitted]);
    }
    let parts = nodes[0]
        .core
        .lock()
        .replica()
        .read_model()
        .posture_records()
        .filter(|(a, _)| a.owner == member(0) && a.id.as_str().starts_with("assessment-r1-p"))
        .count();
    println!(
        "a {}-question assessment with long notes took {parts} records",
        first.wiba.len()
    );
    assert!(parts > 1, "the long assessment is split");
    wait_until(
        "the officer's node sees revision 1 submitted",
        DEADLINE,
        || status(&nodes[1], &member(0)) == Status::Submitted { revision: 1 },
    )
    .await;

    // The officer returns it with a comment on one question.
    let comments = [("wiba_18_02".to_owned(), "Notfallkarte aushängen".to_owned())]
        .into_iter()
        .collect::<std::collections::BTreeMap<_, _>>();
    let returned = review(
        &mut nodes[1].core.lock(),
        member(0),
        1,
        Verdict::Returned {
            comments: comments.clone(),
        },
        Vec::new(),
        now_ms(),
    )
    .unwrap();
    announce(&nodes[1], [returned]);
    wait_until(
        "the member's node sees the return with its comment",
        DEADLINE,
        || {
            matches!(status(&nodes[0], &member(0)),
            Status::Returned { revision: 1, comments: ref c, officer: o }
                if *c == comments && o == officer.signing.public())
        },
    )
    .await;

    // The member fixes the answer and resubmits as revision 2.
    let fixed = with_answer(first.clone(), "wiba_18_02", Answer::Yes);
    {
        let mut core = nodes[0].core.lock();
        let (revision, saved) = save_assessment(&mut core, fixed.clone(), now_ms()).unwrap();
        assert_eq!(revision, 2);
        announce(&nodes[0], saved);
        let (_, submitted) = submit(&mut core, now_ms()).unwrap();
        announce(&nodes[0], [submitted]);
    }
    wait_until(
        "the officer's node sees revision 2 submitted",
        DEADLINE,
        || status(&nodes[1], &member(0)) == Status::Submitted { revision: 2 },
    )
    .await;
    // Reviewing a revision that was never submitted is refused.
    let unsubmitted = review(
        &mut nodes[1].core.lock(),
        member(0),
        3,
        Verdict::Accepted,
        Vec::new(),
        now_ms(),
    );
    assert_eq!(unsubmitted.unwrap_err().code(), "not_submitted");

    // The officer accepts with a finding; revision 2 is the baseline.
    let finding = Finding {
        id: "f-1".into(),
        question: Some("wiba_03_01".into()),
        text: "Wiederherstellung jährlich üben".into(),
        owner: "IT-Leitung".into(),
        due_ms: now_ms() + 30 * 86_400_000,
        closed_ms: None,
    };
    let accepted = review(
        &mut nodes[1].core.lock(),
        member(0),
        2,
        Verdict::Accepted,
        vec![finding.clone()],
        now_ms(),
    )
    .unwrap();
    announce(&nodes[1], [accepted]);
    wait_until(
        "the member's node sees revision 2 accepted",
        DEADLINE,
        || {
            matches!(
                status(&nodes[0], &member(0)),
                Status::Accepted { revision: 2, .. }
            )
        },
    )
    .await;
    let overview = posture_overview(&nodes[0].core.lock(), &member(0));
    assert_eq!(overview.workflow.baseline.map(|(r, _)| r), Some(2));
    assert_eq!(overview.workflow.findings, vec![finding]);
    assert!(overview.refused.is_empty(), "{:?}", overview.refused);

    // The next edit is revision 3, and the delta to the baseline shows it.
    let next = with_answer(fixed.clone(), "wiba_03_01", Answer::No);
    let (revision, saved) = save_assessment(&mut nodes[0].core.lock(), next, now_ms()).unwrap();
    assert_eq!(revision, 3);
    announce(&nodes[0], saved);
    let overview = posture_overview(&nodes[0].core.lock(), &member(0));
    let (_, baseline) = overview.baseline().unwrap();
    let changes = delta(baseline, overview.working_assessment().unwrap());
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].question, "wiba_03_01");
    assert_eq!(
        (changes[0].from, changes[0].to),
        (Some(Answer::Yes), Some(Answer::No))
    );

    // Saved again shorter, the revision's surplus parts are deleted and
    // only the new answers count.
    let short = with_answer(empty.clone(), "wiba_01_01", Answer::Open);
    let (revision, saved) =
        save_assessment(&mut nodes[0].core.lock(), short.clone(), now_ms()).unwrap();
    assert_eq!((revision, saved.len()), (3, 1));
    let r3_parts = nodes[0]
        .core
        .lock()
        .replica()
        .read_model()
        .posture_records()
        .filter(|(a, _)| a.owner == member(0) && a.id.as_str().starts_with("assessment-r3-p"))
        .count();
    assert_eq!(r3_parts, 1);
    let overview = posture_overview(&nodes[0].core.lock(), &member(0));
    assert_eq!(overview.working_assessment().unwrap().wiba, short.wiba);

    // Member 2 is not served by the officer: nothing to read, no review.
    {
        let mut core = nodes[2].core.lock();
        let (_, saved) = save_assessment(&mut core, empty.clone(), now_ms()).unwrap();
        announce(&nodes[2], saved);
        let (_, submitted) = submit(&mut core, now_ms()).unwrap();
        announce(&nodes[2], [submitted]);
    }
    wait_until(
        "member 2's records reach the officer's node",
        DEADLINE,
        || {
            nodes[1]
                .core
                .lock()
                .replica()
                .read_model()
                .posture_records()
                .filter(|(a, _)| a.owner == member(2))
                .count()
                == 2
        },
    )
    .await;
    let overview = posture_overview(&nodes[1].core.lock(), &member(2));
    assert!(overview.assessments.is_empty() && overview.submissions.is_empty());
    let refused = review(
        &mut nodes[1].core.lock(),
        member(2),
        1,
        Verdict::Accepted,
        Vec::new(),
        now_ms(),
    );
    assert!(matches!(refused, Err(PostureError::NotServing)));
    // And member 2's node reads nothing of member 0.
    assert!(
        posture_overview(&nodes[2].core.lock(), &member(0))
            .assessments
            .is_empty()
    );
    for node in nodes {
        node.stop().await;
    }
}
