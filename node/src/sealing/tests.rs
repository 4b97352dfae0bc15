//! The node's sealing on one core: what is published, once; what is
//! re-sealed, only when the readers change; nothing without keys.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::membership::{MembershipLog, Proposal};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{Assessment, PosturePayload, SealedPosture, WibaCatalogue};
use amtshilfe_protocol::replica::LocalDevice;
use amtshilfe_protocol::seal::{EncryptionKeyAnnouncement, EncryptionSecret, Reader, ReaderId};
use amtshilfe_tests::fixtures::T0_MS;

use super::open::{open_posture_of, published_keys};
use super::posture::{SealPostureError, seal_posture_put};
use super::publish::announcements_due;
use super::reseal::reseal_due;
use super::task::maintain;
use super::*;
use crate::core::Core;
use crate::seal_keys::OfficerKeys;
use crate::setup::create_pact_store;
use crate::store::load_replica;

fn core(dir: &Path) -> Core {
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
    Core::new(replica, store, device)
}

fn identities() -> SealIdentities {
    SealIdentities {
        member: Some(EncryptionSecret::from_bytes([21; 32])),
        officer: Some(OfficerKeys {
            signing: KeyPair::from_seed([60; 32]),
            encryption: EncryptionSecret::from_bytes([61; 32]),
        }),
    }
}

fn draft() -> PosturePayload {
    PosturePayload::Assessment {
        revision: 0,
        assessment: Assessment::empty(WibaCatalogue::builtin(), T0_MS),
    }
}

#[test]
fn keys_are_published_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = core(dir.path());
    core.set_seal_identities(identities());
    assert_eq!(announcements_due(&core, T0_MS).len(), 2);

    let round = maintain(&mut core, T0_MS).unwrap();
    assert_eq!(round.written.len(), 1, "one change carries both keys");
    assert!(announcements_due(&core, T0_MS + 1).is_empty());
    assert!(maintain(&mut core, T0_MS + 1).unwrap().written.is_empty());

    // The member's key counts; the officer's only once it is appointed.
    let keys = published_keys(core.replica());
    let member = core.device().member;
    assert_eq!(
        keys.get(&ReaderId::Member(member)),
        Some(&identities().member.unwrap().public())
    );
    assert_eq!(keys.len(), 1);
}

#[test]
fn a_rotated_key_is_published_beside_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = core(dir.path());
    core.set_seal_identities(identities());
    maintain(&mut core, T0_MS).unwrap();
    let rotated = EncryptionSecret::from_bytes([22; 32]);
    core.set_seal_identities(SealIdentities {
        member: Some(rotated.clone()),
        officer: None,
    });
    assert_eq!(maintain(&mut core, T0_MS + 5).unwrap().written.len(), 1);
    let member = core.device().member;
    assert_eq!(
        published_keys(core.replica()).get(&ReaderId::Member(member)),
        Some(&rotated.public())
    );
    assert_eq!(
        core.replica()
            .read_model()
            .encryption_key_announcements()
            .count(),
        3,
        "the old member key, the officer's and the rotated one"
    );
}

#[test]
fn nothing_is_written_without_keys_and_nothing_sealed_without_a_published_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = core(dir.path());
    let round = maintain(&mut core, T0_MS).unwrap();
    assert!(round.written.is_empty());
    let id = RecordId::new("assessment-r0").unwrap();
    assert!(matches!(
        seal_posture_put(&core, &id, &draft(), [1; 32]),
        Err(SealPostureError::MemberKeyMissing(_))
    ));
}

#[test]
fn a_record_is_resealed_only_when_its_readers_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = core(dir.path());
    core.set_seal_identities(identities());
    maintain(&mut core, T0_MS).unwrap();
    let id = RecordId::new("assessment-r0").unwrap();
    let put = seal_posture_put(&core, &id, &draft(), [1; 32]).unwrap();
    core.write(Collection::Posture, &[put], T0_MS).unwrap();
    let plan = reseal_due(&core, &published_keys(core.replica()), || Some([2; 32]));
    assert!(plan.puts.is_empty() && plan.stuck.is_empty());

    // The member's key is replaced without keeping the old one: the record
    // must reach the new key but cannot be opened any more, so it is
    // reported stuck, neither dropped nor re-sealed to something wrong.
    core.set_seal_identities(SealIdentities {
        member: Some(EncryptionSecret::from_bytes([23; 32])),
        officer: None,
    });
    let round = maintain(&mut core, T0_MS + 5).unwrap();
    assert_eq!(round.written.len(), 1, "only the new key's announcement");
    assert_eq!(round.stuck.len(), 1);
    assert_eq!(round.stuck[0].address.id, id);

    // The member opens its own record as the member (with the key it was
    // sealed to); the officer's key, not appointed, is no reader.
    core.set_seal_identities(identities());
    let member = core.device().member;
    let opened = open_posture_of(core.replica(), core.seal_identities(), member, &member);
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].reader, ReaderId::Member(member));
    assert_eq!(opened[0].payload.as_ref().unwrap(), &draft());
}

/// An officer hosted here reviews another member: its review travels in
/// this node's member's Posture document, sealed to that member and the
/// officer. It is not this member's posture, so this node neither re-seals
/// it to its own member's readers nor reports it stuck, round after round.
#[test]
fn a_carried_review_of_another_member_is_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyPair::from_seed([1; 32]);
    let other = KeyPair::from_seed([2; 32]);
    let device_key = KeyPair::from_seed([3; 32]);
    let charter = MembershipLog::charter(
        "Pakt",
        &[(&key, "Kreis Bergstraße"), (&other, "Stadt Zwingenberg")],
        T0_MS,
    );
    let store = create_pact_store(dir.path(), &charter, &[], &key, &device_key, T0_MS).unwrap();
    let replica = load_replica(&store).unwrap();
    let device = LocalDevice {
        member: MemberId::from_key(key.public()),
        key: device_key,
        incarnation: store.meta().incarnation,
    };
    let mut core = Core::new(replica, store, device);
    core.set_seal_identities(identities());
    maintain(&mut core, T0_MS).unwrap();

    // The officer hosted here is appointed to serve the other member.
    let served = MemberId::from_key(other.public());
    let officer = identities().officer.unwrap();
    let propose = core.replica().membership().propose(
        &key,
        Proposal::AppointOfficer {
            officer_key: officer.signing.public(),
            name: "Gemeinsame ISB".into(),
            serves: vec![served],
        },
        T0_MS + 1,
    );
    assert!(core.receive_entries(vec![propose.clone()], "test"));
    let approve = core
        .replica()
        .membership()
        .approve(&other, propose.hash(), T0_MS + 1);
    assert!(core.receive_entries(vec![approve], "test"));

    // Its review of the other member, carried in this member's document.
    let readers = vec![
        Reader {
            id: ReaderId::Member(served),
            key: EncryptionSecret::from_bytes([31; 32]).public(),
        },
        Reader {
            id: ReaderId::Officer(officer.signing.public()),
            key: officer.encryption.public(),
        },
    ];
    let id = RecordId::new("rv-review").unwrap();
    let sealed = SealedPosture::seal(
        &core.replica().pact_id(),
        served,
        id.as_str(),
        &draft(),
        &readers,
        [4; 32],
    )
    .unwrap()
    .carried_by(&core.device().member, &officer.signing);
    let put = RecordOp::Put {
        key: RecordKey {
            tag: RecordTag::Posture,
            id: id.clone(),
        }
        .to_string(),
        json: Record::Posture(sealed).to_json(),
    };
    core.write(Collection::Posture, &[put], T0_MS + 2).unwrap();

    let plan = reseal_due(&core, &published_keys(core.replica()), || Some([5; 32]));
    assert!(plan.puts.is_empty(), "not this member's posture to re-seal");
    assert!(plan.stuck.is_empty(), "{:?}", plan.stuck);
    let round = maintain(&mut core, T0_MS + 3).unwrap();
    assert!(round.written.is_empty() && round.stuck.is_empty());
}

/// A newer encryption key is published for this node's member that this
/// node does not hold (another node of the member with another
/// `member-seal.key`, or a key that still speaks for the member, such as a
/// stolen device key whose delegation ran out). The node neither re-seals
/// the member's posture to it nor seals new records to it: whoever
/// published that key would read them. It reports the key outbid instead.
#[test]
fn posture_is_never_sealed_to_a_member_key_this_node_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = core(dir.path());
    core.set_seal_identities(SealIdentities {
        member: identities().member,
        officer: None,
    });
    maintain(&mut core, T0_MS).unwrap();
    let id = RecordId::new("assessment-r0").unwrap();
    let put = seal_posture_put(&core, &id, &draft(), [1; 32]).unwrap();
    core.write(Collection::Posture, &[put], T0_MS).unwrap();

    let member = core.device().member;
    let foreign = EncryptionSecret::from_bytes([66; 32]);
    let announcement = EncryptionKeyAnnouncement::sign(
        core.replica().pact_id(),
        ReaderId::Member(member),
        &foreign,
        T0_MS + 10,
        &core.device().key,
    );
    let put = RecordOp::Put {
        key: RecordKey {
            tag: RecordTag::EncryptionKey,
            id: RecordId::new("m-foreign").unwrap(),
        }
        .to_string(),
        json: Record::EncryptionKey(announcement).to_json(),
    };
    core.write(Collection::Profile, &[put], T0_MS + 10).unwrap();
    assert_eq!(
        published_keys(core.replica()).get(&ReaderId::Member(member)),
        Some(&foreign.public()),
        "the foreign key is the newest"
    );

    let round = maintain(&mut core, T0_MS + 11).unwrap();
    assert!(round.written.is_empty(), "nothing re-sealed to it");
    assert_eq!(round.outbid, vec![ReaderId::Member(member)]);
    let sealed_to_foreign = core.replica().read_model().posture_records().any(|(_, r)| {
        r.sealed
            .readers()
            .any(|reader| reader.key == foreign.public())
    });
    assert!(!sealed_to_foreign);
    assert!(matches!(
        seal_posture_put(&core, &id, &draft(), [2; 32]),
        Err(SealPostureError::MemberKeyNotHeld(_))
    ));
}

/// The hosted officer's review of the host member itself is one of the
/// member's own records: like the member's posture, it is never sealed to
/// a member key this node does not hold.
#[test]
fn a_review_of_the_host_member_is_never_sealed_to_a_member_key_this_node_does_not_hold() {
    use amtshilfe_protocol::membership::Proposal;
    use amtshilfe_protocol::posture::Verdict;

    use crate::ops::posture::{PostureError, review_record, save_assessment, submit};

    let dir = tempfile::tempdir().unwrap();
    let mut core = core(dir.path());
    core.set_seal_identities(identities());
    maintain(&mut core, T0_MS).unwrap();
    let member = core.device().member;
    let officer = KeyPair::from_seed([60; 32]).public();
    let propose = core.replica().membership().propose(
        &KeyPair::from_seed([1; 32]),
        Proposal::AppointOfficer {
            officer_key: officer,
            name: "Gemeinsame ISB".into(),
            serves: vec![member],
        },
        T0_MS + 1,
    );
    assert!(core.receive_entries(vec![propose], "test"));
    maintain(&mut core, T0_MS + 2).unwrap();
    let assessment = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
    save_assessment(&mut core, assessment, T0_MS + 3).unwrap();
    let (revision, _) = submit(&mut core, T0_MS + 4).unwrap();

    let foreign = EncryptionSecret::from_bytes([66; 32]);
    let announcement = EncryptionKeyAnnouncement::sign(
        core.replica().pact_id(),
        ReaderId::Member(member),
        &foreign,
        T0_MS + 10,
        &core.device().key,
    );
    let put = RecordOp::Put {
        key: RecordKey {
            tag: RecordTag::EncryptionKey,
            id: RecordId::new("m-foreign").unwrap(),
        }
        .to_string(),
        json: Record::EncryptionKey(announcement).to_json(),
    };
    core.write(Collection::Profile, &[put], T0_MS + 10).unwrap();

    let refused = review_record(
        &mut core,
        member,
        revision,
        Verdict::Accepted,
        Vec::new(),
        T0_MS + 11,
    );
    assert!(
        matches!(
            refused,
            Err(PostureError::Seal(SealPostureError::MemberKeyNotHeld(_)))
        ),
        "{refused:?}"
    );
    let sealed_to_foreign = core.replica().read_model().posture_records().any(|(_, r)| {
        r.sealed
            .readers()
            .any(|reader| reader.key == foreign.public())
    });
    assert!(!sealed_to_foreign, "nothing sealed to the foreign key");
}
