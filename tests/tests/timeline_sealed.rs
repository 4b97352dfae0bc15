//! Sealed (TLP amber/red) timeline lines through real ingress: the hit
//! member writes an amber line sealed to itself, its helper and its
//! officer; a non-helper's replica takes and relays the envelope but holds
//! no plaintext; ingress refuses, on bytes it cannot read, a red line
//! sealed to a helper, a line its own member cannot read, a line sealed to
//! an officer serving someone else, a weak wrapping and an amber line in
//! the clear. The writing node refuses the same before anything is signed.

mod common;

use std::collections::BTreeSet;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId, PactId, RecordId};
use amtshilfe_protocol::incident::{
    LinePlace, OpenLineError, TimelineEntry, Tlp, line_reader_ids, open_line, seal_line,
};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::SignedEntry;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::replica::{Replica, WriteError};
use amtshilfe_protocol::seal::{
    EncryptionPublicKey, EncryptionSecret, OpenError, Reader, ReaderId,
};
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::ingress::assert_refused;
use common::{appoint_officer, assert_no_plaintext, pact_id, replica_with, signed_change};

/// What no one but the readers may ever see in clear.
const SECRET_TEXT: &str = "Domänen-Admin kompromittiert, Tresor-Kennwort neu";
const LINE_ID: &str = "t-amber";

struct Setting {
    pact: TestPact,
    pact_id: PactId,
    officer: KeyPair,
    /// The appointment of the officer to serve member 0 (the hit member).
    appointment: Vec<SignedEntry>,
}

/// Four members; officer key 61 appointed to serve member 0. Member 1 is
/// the helper, member 2 a bystander, member 3 served by nobody.
fn setting() -> Setting {
    let pact = TestPact::new(4, 31);
    let pact_id = pact_id(&pact.charter);
    let officer = KeyPair::from_seed([61; 32]);
    let appointment = appoint_officer(&pact, &officer, &[0]);
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

fn member_secret(index: usize) -> EncryptionSecret {
    EncryptionSecret::from_bytes([20 + index as u8; 32])
}

fn officer_secret() -> EncryptionSecret {
    EncryptionSecret::from_bytes([71; 32])
}

impl Setting {
    fn member(&self, index: usize) -> MemberId {
        self.pact.members[index].id()
    }

    fn key_of(&self, id: &ReaderId) -> EncryptionPublicKey {
        match id {
            ReaderId::Member(member) => {
                let index = (0..self.pact.members.len())
                    .find(|i| self.member(*i) == *member)
                    .expect("a member of the setting");
                member_secret(index).public()
            }
            ReaderId::Officer(_) => officer_secret().public(),
        }
    }

    fn readers(&self, ids: &[ReaderId]) -> Vec<Reader> {
        ids.iter()
            .map(|id| Reader {
                id: *id,
                key: self.key_of(id),
            })
            .collect()
    }

    fn place<'a>(&'a self, owner: &'a MemberId) -> LinePlace<'a> {
        LinePlace {
            pact: &self.pact_id,
            owner,
            record: LINE_ID,
        }
    }

    /// A line of `owner` sealed to `readers`.
    fn line(&self, owner: usize, tlp: Tlp, readers: &[ReaderId]) -> TimelineEntry {
        let owner = self.member(owner);
        seal_line(
            self.place(&owner),
            clear_line(tlp),
            &self.readers(readers),
            [9; 32],
        )
        .expect("readers are distinct and strong")
    }
}

fn clear_line(tlp: Tlp) -> TimelineEntry {
    TimelineEntry {
        incident: RecordId::new("i-1").expect("a valid id"),
        at_ms: T0_MS,
        tlp,
        author: "Krisenstab".into(),
        text: SECRET_TEXT.into(),
        sealed: None,
    }
}

fn put(entry: TimelineEntry) -> RecordOp {
    RecordOp::Put {
        key: RecordKey::new(
            RecordTag::Timeline,
            RecordId::new(LINE_ID).expect("a valid id"),
        )
        .to_string(),
        json: Record::Timeline(entry).to_json(),
    }
}

#[test]
fn a_non_helper_relays_ciphertext_and_the_readers_open_it() {
    let setting = setting();
    let hit = setting.member(0);
    let mut writer = appointed_replica(&setting);
    let mut bystander = appointed_replica(&setting);
    let helpers = BTreeSet::from([setting.member(1)]);
    let ids = line_reader_ids(Tlp::Amber, &hit, &helpers, writer.membership().state());
    assert_eq!(ids.len(), 3, "hit member, helper, officer: {ids:?}");
    let m0 = &setting.pact.members[0];
    let envelope = writer
        .write(
            &m0.device,
            Collection::Requests,
            &[put(setting.line(0, Tlp::Amber, &ids))],
            T0_MS,
        )
        .unwrap();

    let report = bystander.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), 1, "{report:?}");
    let bytes = envelope.to_bytes();
    assert_no_plaintext(&bytes, SECRET_TEXT, b"kompromittiert");
    let address =
        amtshilfe_protocol::read_model::RecordAddress::new(hit, RecordId::new(LINE_ID).unwrap());
    let stored = bystander
        .read_model()
        .timeline_entry(&address)
        .expect("the relay stores the line")
        .clone();
    assert_eq!(stored.text, "");
    let open = |id: ReaderId, secret: &EncryptionSecret| {
        open_line(setting.place(&hit), &stored, &id, secret)
    };
    assert_eq!(
        open(ReaderId::Member(hit), &member_secret(0)).as_deref(),
        Ok(SECRET_TEXT)
    );
    assert_eq!(
        open(ReaderId::Member(setting.member(1)), &member_secret(1)).as_deref(),
        Ok(SECRET_TEXT)
    );
    assert_eq!(
        open(
            ReaderId::Officer(setting.officer.public()),
            &officer_secret()
        )
        .as_deref(),
        Ok(SECRET_TEXT)
    );
    assert_eq!(
        open(ReaderId::Member(setting.member(2)), &member_secret(2)),
        Err(OpenLineError::Open(OpenError::NotAReader))
    );
}

#[test]
fn ingress_and_the_local_write_refuse_lines_sealed_to_the_wrong_readers() {
    let setting = setting();
    let hit = ReaderId::Member(setting.member(0));
    let helper = ReaderId::Member(setting.member(1));
    let officer = ReaderId::Officer(setting.officer.public());

    let mut weak = setting.line(0, Tlp::Amber, &[hit, helper]);
    weak.sealed.as_mut().unwrap().wrappings[0].ephemeral = EncryptionPublicKey([0; 32]);
    let mut in_clear = clear_line(Tlp::Amber);
    in_clear.text = SECRET_TEXT.into();

    let cases: Vec<(usize, TimelineEntry, &str, &str)> = vec![
        (
            0,
            setting.line(0, Tlp::Red, &[hit, helper, officer]),
            "malformed_record",
            "red line is sealed to another member",
        ),
        (
            0,
            setting.line(0, Tlp::Amber, &[helper]),
            "malformed_record",
            "member is not among the readers",
        ),
        (
            3,
            setting.line(3, Tlp::Red, &[ReaderId::Member(setting.member(3)), officer]),
            "officer_not_appointed",
            "does not serve the incident's member",
        ),
        (0, weak, "malformed_record", "weak_key"),
        (0, in_clear, "malformed_record", "must be sealed"),
    ];
    for (owner, entry, code, expected) in cases {
        let author = &setting.pact.members[owner];
        // The writing node says why and signs nothing …
        let mut writer = appointed_replica(&setting);
        let refused = writer
            .write(
                &author.device,
                Collection::Requests,
                &[put(entry.clone())],
                T0_MS,
            )
            .expect_err("the local write refuses it");
        assert!(
            matches!(&refused, WriteError::Sealed(_) | WriteError::Invalid(_)),
            "{refused:?}"
        );
        assert!(refused.to_string().contains(expected), "{refused}");
        // … and a receiving node refuses the same bytes, signed by the
        // author's own device.
        let mut receiver = appointed_replica(&setting);
        let envelope = signed_change(
            &setting.pact_id,
            DocumentId::new(author.id(), Collection::Requests),
            &author.device.key,
            author.device.incarnation,
            T0_MS,
            &[put(entry)],
        );
        let report = receiver.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
        let reason = assert_refused(&receiver, &report, envelope.content_hash(), code);
        assert!(reason.to_string().contains(expected), "{reason}");
    }
}

#[test]
fn a_line_sealed_to_a_member_not_yet_known_is_taken_once_the_log_knows_it() {
    let setting = setting();
    let hit = ReaderId::Member(setting.member(0));
    let officer = ReaderId::Officer(setting.officer.public());
    let m0 = &setting.pact.members[0];
    let envelope = signed_change(
        &setting.pact_id,
        DocumentId::new(m0.id(), Collection::Requests),
        &m0.device.key,
        m0.device.incarnation,
        T0_MS,
        &[put(setting.line(0, Tlp::Red, &[hit, officer]))],
    );
    // Before the appointment: refused for now, not held against the relay.
    let mut late = setting.pact.replica();
    let report = late.receive_envelopes(vec![envelope.clone()], SignatureCheck::Verify);
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    let reason = &report.rejected[0].1;
    assert_eq!(reason.code(), "officer_not_appointed", "{reason}");
    assert!(!reason.is_provably_bad(), "{reason}");
    for entry in &setting.appointment {
        late.receive_entry(entry.clone()).unwrap();
    }
    let report = late.receive_envelopes(vec![envelope], SignatureCheck::Verify);
    assert_eq!(report.accepted.len(), 1, "{report:?}");
}
