use super::*;
use crate::document::RecordOp;
use crate::identity::KeyPair;
use crate::ids::{Collection, MemberId, RecordId};
use crate::ingress::SignatureCheck;
use crate::membership::MembershipLog;
use crate::model::fixtures::equipment_offer;
use crate::model::{Record, RecordKey};
use crate::replica::LocalDevice;

const NOW_MS: i64 = 1_767_225_600_000;

/// A pact of two founders; member 0's device has written `offers` offers.
fn written(seed: u8, offers: u8) -> Replica {
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
    for n in 0..offers {
        let key = RecordKey::offer(RecordId::new(format!("o-{n}")).unwrap());
        let json = Record::Offer(equipment_offer("laptop", u32::from(n) + 1)).to_json();
        let op = RecordOp::Put {
            key: key.to_string(),
            json,
        };
        replica
            .write(&device, Collection::Offers, &[op], NOW_MS + i64::from(n))
            .unwrap();
    }
    replica
}

fn charter_only(of: &Replica) -> Replica {
    Replica::new(of.membership().entries_in_order()[0].1.clone()).unwrap()
}

fn import(into: &mut Replica, bytes: &[u8]) -> Result<usize, BundleError> {
    let bundle = Bundle::from_bytes(bytes)?;
    bundle.check_integrity(&into.pact_id())?;
    into.receive_entries(bundle.entries);
    let report = into.receive_envelopes(bundle.envelopes, SignatureCheck::Verify);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    Ok(report.accepted.len())
}

#[test]
fn a_bundle_round_trips_and_brings_a_blank_replica_level() {
    let source = written(1, 5);
    let bundle = source
        .export_bundle(None, vec!["/ip4/127.0.0.1/tcp/4100".into()])
        .unwrap();
    let bytes = bundle.to_bytes().unwrap();
    assert_eq!(Bundle::from_bytes(&bytes).unwrap(), bundle);
    let mut blank = charter_only(&source);
    assert_eq!(import(&mut blank, &bytes).unwrap(), 5);
    assert_eq!(blank.digest(), source.digest());
}

#[test]
fn a_bundle_for_a_known_state_holds_only_what_the_peer_lacks() {
    let source = written(1, 8);
    let mut peer = charter_only(&source);
    let first = source.export_bundle(None, Vec::new()).unwrap();
    // The peer has the log and the first three changes.
    peer.receive_entries(first.entries.clone());
    peer.receive_envelopes(first.envelopes[..3].to_vec(), SignatureCheck::Verify);
    let since = SyncRequest::from_bytes(&peer.known_state().to_bytes()).unwrap();
    let delta = source.export_bundle(Some(&since), Vec::new()).unwrap();
    assert!(delta.entries.is_empty(), "the peer has every entry");
    assert_eq!(delta.envelopes.len(), 5);
    assert!(delta.to_bytes().unwrap().len() < first.to_bytes().unwrap().len());
    assert_eq!(import(&mut peer, &delta.to_bytes().unwrap()).unwrap(), 5);
    assert_eq!(peer.digest(), source.digest());
}

#[test]
fn a_bundle_of_another_pact_is_refused() {
    let source = written(1, 2);
    let other = written(11, 0);
    let bytes = source
        .export_bundle(None, Vec::new())
        .unwrap()
        .to_bytes()
        .unwrap();
    let mut target = charter_only(&other);
    let before = target.digest();
    let error = import(&mut target, &bytes).unwrap_err();
    assert_eq!(error.code(), "wrong_pact");
    assert_eq!(target.digest(), before);
}

/// A bundle whose bytes were changed with the checksum recomputed: the
/// item's own signature refuses it, and nothing of the bundle applies.
#[test]
fn a_tampered_item_refuses_the_whole_bundle() {
    let source = written(1, 3);
    let mut bundle = source.export_bundle(None, Vec::new()).unwrap();
    let last = bundle.envelopes.len() - 1;
    let change = &mut bundle.envelopes[last].change;
    let middle = change.len() / 2;
    change[middle] ^= 0x01;
    let bytes = bundle.to_bytes().unwrap();
    let mut blank = charter_only(&source);
    let before = blank.digest();
    match import(&mut blank, &bytes) {
        Err(BundleError::Items(refused)) => {
            assert_eq!(refused.len(), 1);
            assert_eq!(refused[0].code, "bad_signature");
            assert_eq!(refused[0].index, bundle.entries.len() + last);
        }
        other => panic!("expected the item refused, got {other:?}"),
    }
    assert_eq!(
        blank.digest(),
        before,
        "nothing of a tampered bundle applies"
    );
}

#[test]
fn damaged_frames_are_refused_with_their_reason() {
    let source = written(1, 2);
    let bytes = source
        .export_bundle(None, Vec::new())
        .unwrap()
        .to_bytes()
        .unwrap();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let code = |b: &[u8]| Bundle::from_bytes(b).unwrap_err().code();
    assert!(matches!(
        code(&flipped),
        "bundle_checksum" | "bundle_malformed" | "bundle_items_refused" | "bundle_truncated"
    ));
    assert_eq!(code(&bytes[..bytes.len() - 1]), "bundle_truncated");
    assert_eq!(code(b"hello"), "not_a_bundle");
    let mut version = bytes.clone();
    version[9] = 9;
    assert_eq!(code(&version), "bundle_version");
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(code(&longer), "bundle_malformed");
    // A length field claiming more than the rest of the file.
    let mut huge = bytes[..BUNDLE_MAGIC.len() + 2 + 32 + 1].to_vec();
    huge.extend_from_slice(&[KIND_ENVELOPE, 0, 0, 0xff, 0xff]);
    assert_eq!(code(&huge), "bundle_truncated");
}

/// A recovery ticket carries the whole log and no envelope, however many
/// documents the pact holds: its size follows the log.
#[test]
fn a_membership_bundle_carries_the_log_and_no_envelope() {
    let source = written(1, 5);
    let ticket = source.export_membership_bundle(vec!["/ip4/127.0.0.1/tcp/4100".into()]);
    assert!(ticket.envelopes.is_empty());
    let bytes = ticket.to_bytes().unwrap();
    assert_eq!(Bundle::from_bytes(&bytes).unwrap(), ticket);
    let mut blank = charter_only(&source);
    assert_eq!(import(&mut blank, &bytes).unwrap(), 0);
    assert_eq!(
        blank.membership().entries_in_order().len(),
        source.membership().entries_in_order().len()
    );
    let everything = source
        .export_bundle(None, Vec::new())
        .unwrap()
        .to_bytes()
        .unwrap();
    assert!(bytes.len() < everything.len());
}
