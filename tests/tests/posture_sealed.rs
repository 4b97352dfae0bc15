//! Posture records through real ingress: a member writes its posture
//! sealed to itself and the officer appointed to serve it; another
//! member's replica takes and relays the envelope but holds no plaintext;
//! ingress refuses a record sealed to someone the log does not allow, a
//! record naming another member, and a wrapping with a weak key, on bytes
//! it cannot read.

mod common;

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId, PactId};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::{MembershipLog, Proposal, SignedEntry};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{
    Answer, Assessment, PosturePayload, QuestionAnswer, SealedPosture, WibaCatalogue,
    posture_readers,
};
use amtshilfe_protocol::replica::{Replica, WriteError};
use amtshilfe_protocol::seal::{
    EncryptionPublicKey, EncryptionSecret, OpenError, Reader, ReaderId,
};
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::ingress::assert_refused;
use common::{appoint_officer, assert_no_plaintext, pact_id, replica_with, signed_change};

/// A note no one but the readers may ever see in clear.
const SECRET_NOTE: &str = "Notfallkarte fehlt im Rathaus Zwingenberg";

struct Setting {
    pact: TestPact,
    pact_id: PactId,
    officer: KeyPair,
    /// The appointment: proposal by member 0, approvals by 1 and 2.
    appointment: Vec<SignedEntry>,
}

/// Three members; officer key 60 appointed to serve members 0 and 1.
fn setting() -> Setting {
    let pact = TestPact::new(3, 29);
    let pact_id = pact_id(&pact.charter);
    let officer = KeyPair::from_seed([60; 32]);
    let appointment = appoint_officer(&pact, &officer, &[0, 1]);
    Setting {
        pact,
        pact_id,
        officer,
        appointment,
    }
}

fn appointed_replica(setting: &Setting) -> Replica {
    replica_with(&setting.pact, &setting.appointment)
}

fn member_secret(index: u8) -> EncryptionSecret {
    EncryptionSecret::from_bytes([10 + index; 32])
}

fn officer_secret() -> EncryptionSecret {
    EncryptionSecret::from_bytes([70; 32])
}

fn published(setting: &Setting) -> BTreeMap<ReaderId, EncryptionPublicKey> {
    let mut keys = BTreeMap::new();
    for (index, member) in setting.pact.members.iter().enumerate() {
        keys.insert(
            ReaderId::Member(member.id()),
            member_secret(index as u8).public(),
        );
    }
    keys.insert(
        ReaderId::Officer(setting.officer.public()),
        officer_secret().public(),
    );
    keys
}

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

fn put(record: SealedPosture) -> RecordOp {
    let key = RecordKey {
        tag: RecordTag::Posture,
        id: amtshilfe_protocol::ids::RecordId::new(record.record.clone())
            .expect("a valid record id"),
    };
    RecordOp::Put {
        key: key.to_string(),
        json: Record::Posture(record).to_json(),
    }
}

fn sealed(setting: &Setting, member: MemberId, readers: &[Reader]) -> SealedPosture {
    SealedPosture::seal(
        &setting.pact_id,
        member,
        "assessment-r0",
        &payload(),
        readers,
        [5; 32],
    )
    .expect("readers are distinct and strong")
}

#[test]
fn non_readers_relay_ciphertext_and_readers_open_it() {
    let setting = setting();
    let mut writer = appointed_replica(&setting);
    let mut relay = appointed_replica(&setting);
    let m0 = &setting.pact.members[0];
    let readers =
        posture_readers(&m0.id(), writer.membership().state(), &published(&setting)).unwrap();
    assert_eq!(readers.len(), 2, "the member and its officer");
    let envelope = writer
        .write(
            &m0.device,
            Collection::Posture,
            &[put(sealed(&setting, m0.id(), &readers))],
            T0_MS,
        )
        .unwrap();

    // Member 2's replica takes the envelope it cannot read.
    let report = relay.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), 1, "{report:?}");
    let bytes = envelope.to_bytes();
    assert_no_plaintext(&bytes, SECRET_NOTE, b"wiba_18_02");

    // What the relay holds, the member and its officer open; member 2 not.
    let stored = relay
        .read_model()
        .posture_records()
        .next()
        .unwrap()
        .1
        .clone();
    let open = |reader: ReaderId, secret: &EncryptionSecret| {
        stored.open(&setting.pact_id, &reader, secret)
    };
    assert_eq!(
        open(ReaderId::Member(m0.id()), &member_secret(0)).unwrap(),
        payload()
    );
    assert_eq!(
        open(
            ReaderId::Officer(setting.officer.public()),
            &officer_secret()
        )
        .unwrap(),
        payload()
    );
    assert_eq!(
        open(
            ReaderId::Member(setting.pact.members[2].id()),
            &member_secret(2)
        ),
        Err(amtshilfe_protocol::posture::OpenPostureError::Open(
            OpenError::NotAReader
        ))
    );
}

#[test]
fn ingress_refuses_foreign_readers_other_members_and_weak_wrappings() {
    let setting = setting();
    let keys = published(&setting);
    let m0 = &setting.pact.members[0];
    let m2 = &setting.pact.members[2];
    let reader = |id: ReaderId| Reader { id, key: keys[&id] };
    let own = reader(ReaderId::Member(m0.id()));

    // Member 0 seals its posture to member 2 as well: the local write says
    // why, and a receiving node refuses the same bytes.
    let leaky = sealed(&setting, m0.id(), &[own, reader(ReaderId::Member(m2.id()))]);
    let mut writer = appointed_replica(&setting);
    assert!(matches!(
        writer.write(&m0.device, Collection::Posture, &[put(leaky.clone())], T0_MS),
        Err(WriteError::Sealed(reason)) if reason.contains("neither the member nor an officer")
    ));

    let mut weak = sealed(&setting, m0.id(), &[own]);
    weak.sealed.wrappings[0].ephemeral = EncryptionPublicKey([0; 32]);
    // Member 0's document carrying member 2's posture.
    let not_owner = sealed(&setting, m2.id(), &[reader(ReaderId::Member(m2.id()))]);

    for (record, expected) in [
        (leaky, "neither the member nor an officer"),
        (weak, "weak_key"),
        (not_owner, "another member"),
    ] {
        let mut receiver = appointed_replica(&setting);
        let envelope = signed_change(
            &setting.pact_id,
            DocumentId::new(m0.id(), Collection::Posture),
            &m0.device.key,
            m0.device.incarnation,
            T0_MS,
            &[put(record)],
        );
        let report = receiver.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
        let reason = assert_refused(
            &receiver,
            &report,
            envelope.content_hash(),
            "malformed_record",
        );
        assert!(reason.to_string().contains(expected), "{reason}");
        assert_eq!(receiver.read_model().posture_records().count(), 0);
    }
}

#[test]
fn a_record_sealed_to_an_officer_before_its_appointment_is_refused_then_taken() {
    let setting = setting();
    let keys = published(&setting);
    let m0 = &setting.pact.members[0];
    let readers = [
        Reader {
            id: ReaderId::Member(m0.id()),
            key: keys[&ReaderId::Member(m0.id())],
        },
        Reader {
            id: ReaderId::Officer(setting.officer.public()),
            key: keys[&ReaderId::Officer(setting.officer.public())],
        },
    ];
    let envelope = signed_change(
        &setting.pact_id,
        DocumentId::new(m0.id(), Collection::Posture),
        &m0.device.key,
        m0.device.incarnation,
        T0_MS,
        &[put(sealed(&setting, m0.id(), &readers))],
    );
    // A node that has not seen the appointment yet refuses it …
    let mut late = setting.pact.replica();
    let report = late.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
    assert_eq!(report.rejected.len(), 1);
    // … for now: the appointment may be on its way, so the relay that
    // passed it on is not punished as for provable garbage.
    let reason = &report.rejected[0].1;
    assert_eq!(reason.code(), "officer_not_appointed", "{reason}");
    assert!(!reason.is_provably_bad(), "{reason}");
    // … and takes it when it comes again after the appointment (as sync
    // sends membership entries before envelopes).
    for entry in &setting.appointment {
        late.receive_entry(entry.clone()).unwrap();
    }
    let report = late.receive_envelopes(vec![envelope], SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), 1, "{report:?}");
}

/// The dismissal of the officer of [`setting`]: a proposal by member 0,
/// approved by member 1 (a majority of three), on top of the appointment.
fn dismissal(setting: &Setting) -> Vec<SignedEntry> {
    let mut log = MembershipLog::new(setting.pact.charter.clone()).expect("a valid charter");
    for entry in setting.pact.delegations.iter().chain(&setting.appointment) {
        log.insert(entry.clone()).expect("a valid entry");
    }
    let propose = log.propose(
        &setting.pact.members[0].member_key,
        Proposal::DismissOfficer {
            officer_key: setting.officer.public(),
        },
        T0_MS + 1,
    );
    log.insert(propose.clone()).expect("a valid proposal");
    let approve = log.approve(
        &setting.pact.members[1].member_key,
        propose.hash(),
        T0_MS + 1,
    );
    log.insert(approve.clone()).expect("a valid approval");
    assert_eq!(
        log.state().officers().count(),
        0,
        "the officer is dismissed"
    );
    vec![propose, approve]
}

#[test]
fn a_record_sealed_to_an_officer_later_dismissed_is_taken_in_any_order() {
    let setting = setting();
    let dismissal = dismissal(&setting);
    let keys = published(&setting);
    let m0 = &setting.pact.members[0];

    // Member 0 writes its posture while the officer serves it, learns of
    // the dismissal, and re-seals the record to itself alone.
    let mut writer = appointed_replica(&setting);
    let both = posture_readers(&m0.id(), writer.membership().state(), &keys).unwrap();
    assert_eq!(both.len(), 2, "the member and its officer");
    let first = writer
        .write(
            &m0.device,
            Collection::Posture,
            &[put(sealed(&setting, m0.id(), &both))],
            T0_MS,
        )
        .unwrap();
    for entry in &dismissal {
        writer.receive_entry(entry.clone()).unwrap();
    }
    let alone = posture_readers(&m0.id(), writer.membership().state(), &keys).unwrap();
    assert_eq!(alone.len(), 1, "the member alone");
    // The member's node seals nothing new to the dismissed officer.
    assert!(matches!(
        writer.write(
            &m0.device,
            Collection::Posture,
            &[put(sealed(&setting, m0.id(), &both))],
            T0_MS + 2,
        ),
        Err(WriteError::Sealed(reason)) if reason.contains("does not serve the member")
    ));
    let resealed = writer
        .write(
            &m0.device,
            Collection::Posture,
            &[put(sealed(&setting, m0.id(), &alone))],
            T0_MS + 2,
        )
        .unwrap();

    // A node that took the first record before the dismissal, and one
    // that learned of the dismissal first, end with the same posture.
    let mut early = appointed_replica(&setting);
    let report = early.receive_envelopes(vec![first.clone()], SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), 1, "{report:?}");
    for entry in &dismissal {
        early.receive_entry(entry.clone()).unwrap();
    }
    let report = early.receive_envelopes(vec![resealed.clone()], SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), 1, "{report:?}");

    let mut late = appointed_replica(&setting);
    for entry in &dismissal {
        late.receive_entry(entry.clone()).unwrap();
    }
    let report = late.receive_envelopes(vec![first, resealed], SignatureCheck::Verify);
    assert!(report.rejected.is_empty(), "{report:?}");
    assert_eq!(report.accepted.len(), 2, "{report:?}");

    let posture = |replica: &Replica| -> Vec<SealedPosture> {
        replica
            .read_model()
            .posture_records()
            .map(|(_, record)| record.clone())
            .collect()
    };
    assert_eq!(posture(&late), posture(&early));
    assert_eq!(posture(&late), posture(&writer));
    assert_eq!(posture(&late)[0].sealed.readers().count(), 1);
}
