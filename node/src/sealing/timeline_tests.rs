//! The member's sealed timeline lines on one core: re-sealed when an
//! officer is appointed, never sealed or re-sealed to a member key this
//! node does not hold.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::incident::{ClockProfile, Incident, IncidentStatus, TimelineEntry, Tlp};
use amtshilfe_protocol::membership::{MembershipLog, Proposal};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::replica::LocalDevice;
use amtshilfe_protocol::seal::{EncryptionKeyAnnouncement, EncryptionSecret, ReaderId};
use amtshilfe_tests::fixtures::T0_MS;

use super::open::published_keys;
use super::task::maintain;
use super::timeline::{open_line_text, seal_line_record};
use super::*;
use crate::core::Core;
use crate::seal_keys::OfficerKeys;
use crate::setup::create_pact_store;
use crate::store::load_replica;

const TEXT: &str = "Backup-Server betroffen, Wiederherstellung ab Band";

/// A pact of one member (key 1) whose node also hosts an officer (key 60,
/// not appointed yet), with both encryption keys published.
fn core(dir: &Path) -> (Core, KeyPair) {
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
    let mut core = Core::new(replica, store, device);
    core.set_seal_identities(SealIdentities {
        member: Some(EncryptionSecret::from_bytes([21; 32])),
        officer: Some(OfficerKeys {
            signing: KeyPair::from_seed([60; 32]),
            encryption: EncryptionSecret::from_bytes([61; 32]),
        }),
    });
    maintain(&mut core, T0_MS).unwrap();
    let incident = Incident {
        title: "Ransomware".into(),
        aware_at_ms: T0_MS,
        affected_services: Vec::new(),
        profile: ClockProfile::Gdpr,
        status: IncidentStatus::Open,
        on_behalf_of: None,
        adopts: None,
        requests: Vec::new(),
        helpers: Vec::new(),
        created_at_ms: T0_MS,
        exercise: false,
    };
    let put = RecordOp::Put {
        key: RecordKey::new(RecordTag::Incident, RecordId::new("i-1").unwrap()).to_string(),
        json: Record::Incident(incident).to_json(),
    };
    core.write(Collection::Requests, &[put], T0_MS).unwrap();
    (core, key)
}

fn write_line(core: &mut Core, tlp: Tlp) -> RecordAddress {
    let id = RecordId::new("t-1").unwrap();
    let entry = TimelineEntry {
        incident: RecordId::new("i-1").unwrap(),
        at_ms: T0_MS,
        tlp,
        author: "Krisenstab".into(),
        text: TEXT.into(),
        sealed: None,
    };
    let record = seal_line_record(core, &id, entry, T0_MS + 1, [7; 32]).unwrap();
    let put = RecordOp::Put {
        key: RecordKey::new(RecordTag::Timeline, id.clone()).to_string(),
        json: record.to_json(),
    };
    core.write(Collection::Requests, &[put], T0_MS + 1).unwrap();
    RecordAddress::new(core.device().member, id)
}

fn readers_of(core: &Core, address: &RecordAddress) -> Vec<ReaderId> {
    let entry = core.replica().read_model().timeline_entry(address).unwrap();
    entry
        .sealed
        .as_ref()
        .unwrap()
        .readers()
        .map(|r| r.id)
        .collect()
}

#[test]
fn a_red_line_is_resealed_when_an_officer_is_appointed_for_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, key) = core(dir.path());
    let member = core.device().member;
    let address = write_line(&mut core, Tlp::Red);
    assert_eq!(readers_of(&core, &address), vec![ReaderId::Member(member)]);
    assert!(
        maintain(&mut core, T0_MS + 2).unwrap().written.is_empty(),
        "nothing to re-seal while the readers are the same"
    );

    let officer = KeyPair::from_seed([60; 32]).public();
    let propose = core.replica().membership().propose(
        &key,
        Proposal::AppointOfficer {
            officer_key: officer,
            name: "Gemeinsame ISB".into(),
            serves: vec![member],
        },
        T0_MS + 3,
    );
    assert!(core.receive_entries(vec![propose], "test"));
    assert_eq!(core.replica().membership().state().officers().count(), 1);
    let round = maintain(&mut core, T0_MS + 4).unwrap();
    assert_eq!(round.written.len(), 1, "the line re-sealed");
    assert_eq!(
        readers_of(&core, &address),
        vec![ReaderId::Member(member), ReaderId::Officer(officer)]
    );
    let entry = core
        .replica()
        .read_model()
        .timeline_entry(&address)
        .unwrap()
        .clone();
    assert_eq!(
        open_line_text(&core, &address, &entry).unwrap().as_deref(),
        Ok(TEXT)
    );
    assert!(maintain(&mut core, T0_MS + 5).unwrap().written.is_empty());
}

#[test]
fn a_line_is_never_sealed_to_a_member_key_this_node_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = core(dir.path());
    let member = core.device().member;
    let address = write_line(&mut core, Tlp::Amber);
    let foreign = EncryptionSecret::from_bytes([66; 32]);
    let announcement = EncryptionKeyAnnouncement::sign(
        core.replica().pact_id(),
        ReaderId::Member(member),
        &foreign,
        T0_MS + 10,
        &core.device().key,
    );
    let put = RecordOp::Put {
        key: RecordKey::new(
            RecordTag::EncryptionKey,
            RecordId::new("m-foreign").unwrap(),
        )
        .to_string(),
        json: Record::EncryptionKey(announcement).to_json(),
    };
    core.write(Collection::Profile, &[put], T0_MS + 10).unwrap();
    assert_eq!(
        published_keys(core.replica()).get(&ReaderId::Member(member)),
        Some(&foreign.public())
    );
    let round = maintain(&mut core, T0_MS + 11).unwrap();
    assert!(round.written.is_empty(), "nothing re-sealed to it");
    let sealed = core
        .replica()
        .read_model()
        .timeline_entry(&address)
        .unwrap();
    assert!(
        !sealed
            .sealed
            .as_ref()
            .unwrap()
            .readers()
            .any(|r| r.key == foreign.public())
    );
    let entry = TimelineEntry {
        incident: RecordId::new("i-1").unwrap(),
        at_ms: T0_MS,
        tlp: Tlp::Amber,
        author: "Krisenstab".into(),
        text: TEXT.into(),
        sealed: None,
    };
    let refused = seal_line_record(
        &core,
        &RecordId::new("t-2").unwrap(),
        entry,
        T0_MS + 12,
        [8; 32],
    )
    .unwrap_err();
    assert_eq!(refused.code(), "seal_key_not_held");
}
