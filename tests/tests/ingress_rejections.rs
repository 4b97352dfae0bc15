//! Every reason the stateless ingress stages give for refusing an
//! envelope (size, encoding, signature, change, actor, delegation,
//! membership, record schema), each reached with a real input: the exact
//! rejection is reported, counted under its code, and the replica's data
//! (digest, heads, read model, pending queue) is exactly as before. Also:
//! an envelope replayed into another pact does not verify. The reasons
//! decided when placing a change into its document are in
//! `ingress_rejections_placement.rs`.

mod common;

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::{ENVELOPE_BYTES_MAX, Envelope};
use amtshilfe_protocol::identity::{self, KeyPair};
use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId, Sha256Hash};
use amtshilfe_protocol::ingress::{Rejection, SignatureCheck};
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::ingress::{Fixture, assert_refused, declare, fixture, receive, stranger};
use common::{Scratch, Snapshot, offer_put, offers_of, signed_change};

#[test]
fn oversized_bytes_are_refused_before_decoding() {
    let Fixture { mut replica, .. } = fixture();
    let before = Snapshot::of(&replica);
    let bytes = vec![0u8; ENVELOPE_BYTES_MAX + 1];
    let report =
        replica.receive_envelope_bytes(std::slice::from_ref(&bytes), SignatureCheck::Verify);
    let reason = assert_refused(
        &replica,
        &report,
        Sha256Hash(identity::sha256(&bytes)),
        "oversized",
    );
    assert_eq!(
        reason,
        Rejection::Oversized {
            bytes: ENVELOPE_BYTES_MAX + 1
        }
    );
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn oversized_decoded_envelope_is_refused_even_when_signed() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    let m0 = &pact.members[0];
    let envelope = Envelope::sign(
        &pact_id,
        offers_of(m0.id()),
        vec![0u8; ENVELOPE_BYTES_MAX],
        &m0.device.key,
    );
    let bytes = envelope.encoded_len();
    assert!(bytes > ENVELOPE_BYTES_MAX);
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(&replica, &report, envelope.content_hash(), "oversized");
    assert_eq!(reason, Rejection::Oversized { bytes });
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn bytes_that_are_no_envelope_are_malformed() {
    let Fixture { mut replica, .. } = fixture();
    let before = Snapshot::of(&replica);
    let bytes = vec![1u8, 2, 3];
    let report =
        replica.receive_envelope_bytes(std::slice::from_ref(&bytes), SignatureCheck::Verify);
    let reason = assert_refused(
        &replica,
        &report,
        Sha256Hash(identity::sha256(&bytes)),
        "malformed_envelope",
    );
    assert!(matches!(reason, Rejection::MalformedEnvelope(_)));
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn tampered_change_bytes_fail_the_signature() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    let m2 = &pact.members[2];
    let mut envelope = signed_change(
        &pact_id,
        offers_of(m2.id()),
        &m2.device.key,
        m2.device.incarnation,
        T0_MS,
        &[offer_put("o-tamper", 2, T0_MS)],
    );
    if let Some(last) = envelope.change.last_mut() {
        *last ^= 0x01;
    }
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(&replica, &report, envelope.content_hash(), "bad_signature");
    assert_eq!(reason, Rejection::BadSignature);
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn checks_noted_by_the_caller_cover_only_the_named_envelopes_and_only_once() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    let m2 = &pact.members[2];
    let genuine = signed_change(
        &pact_id,
        offers_of(m2.id()),
        &m2.device.key,
        m2.device.incarnation,
        T0_MS,
        &[offer_put("o-noted", 2, T0_MS)],
    );
    let mut forged = genuine.clone();
    forged.signature.0[0] ^= 0x01;
    assert_ne!(forged.verification_id(), genuine.verification_id());

    // The genuine envelope's check noted: the forged twin is still checked.
    replica.note_verified([genuine.verification_id()]);
    let report = receive(&mut replica, &forged);
    assert_refused(&replica, &report, forged.content_hash(), "bad_signature");
    assert_eq!(Snapshot::of(&replica), before);

    // A noted id lasts for one receive only: noting the forged envelope's
    // id and then receiving something else leaves nothing trusted.
    replica.note_verified([forged.verification_id()]);
    let _ = replica.receive_envelopes(Vec::new(), SignatureCheck::Verify);
    let report = receive(&mut replica, &forged);
    assert!(report.accepted.is_empty());
    assert_eq!(
        report.rejected,
        vec![(forged.content_hash(), Rejection::BadSignature)]
    );
    assert_eq!(Snapshot::of(&replica), before);

    replica.note_verified([genuine.verification_id()]);
    let report = receive(&mut replica, &genuine);
    assert_eq!(report.accepted, vec![genuine]);
}

#[test]
fn envelope_moved_to_another_document_fails_the_signature() {
    let Fixture {
        pact, mut replica, ..
    } = fixture();
    let before = Snapshot::of(&replica);
    // Member 0's genuine offer, re-addressed to its requests document.
    let original = replica
        .document(&offers_of(pact.members[0].id()))
        .expect("the base offer is there")
        .applied()[0]
        .envelope
        .clone();
    let mut moved = original.clone();
    moved.document = DocumentId::new(pact.members[0].id(), Collection::Requests);
    let report = receive(&mut replica, &moved);
    let reason = assert_refused(&replica, &report, moved.content_hash(), "bad_signature");
    assert_eq!(reason, Rejection::BadSignature);
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn envelope_replayed_into_another_pact_fails_the_signature() {
    let Fixture {
        pact, mut replica, ..
    } = fixture();
    // A genuine envelope of another pact, from a member of that pact.
    let other = TestPact::new(4, 12);
    let mut other_replica = other.replica();
    let genuine = other_replica
        .write(
            &other.members[0].device,
            Collection::Offers,
            &[offer_put("o-elsewhere", 1, T0_MS)],
            T0_MS,
        )
        .expect("a member writes its own offers");
    assert_ne!(pact.charter.hash(), other.charter.hash());
    let before = Snapshot::of(&replica);
    let report = receive(&mut replica, &genuine);
    let reason = assert_refused(&replica, &report, genuine.content_hash(), "bad_signature");
    assert_eq!(reason, Rejection::BadSignature);
    assert_eq!(Snapshot::of(&replica), before);

    // The same holds when the replayed envelope names a document of this
    // pact and a device that is a member here too: the pact id is signed.
    let mut scratch = Scratch::new(
        offers_of(pact.members[0].id()),
        &pact.members[0].device.key,
        [9; 16],
    );
    let change = scratch.change(T0_MS, &[offer_put("o-replayed", 1, T0_MS)]);
    let foreign = Envelope::sign(
        &common::pact_id(&other.charter),
        offers_of(pact.members[0].id()),
        change,
        &pact.members[0].device.key,
    );
    let report = receive(&mut replica, &foreign);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1, Rejection::BadSignature);
    assert_eq!(replica.stats().rejected.get("bad_signature"), Some(&2));
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn signed_garbage_is_a_malformed_change() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    let m0 = &pact.members[0];
    let envelope = Envelope::sign(
        &pact_id,
        offers_of(m0.id()),
        b"not an automerge change".to_vec(),
        &m0.device.key,
    );
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "malformed_change",
    );
    assert!(matches!(reason, Rejection::MalformedChange(_)));
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn change_whose_actor_is_another_key_is_refused() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    let m2 = &pact.members[2];
    // The change's actor is member 3's device; member 2's device signs it.
    let m3 = &pact.members[3];
    let mut scratch = Scratch::new(offers_of(m2.id()), &m3.device.key, m3.device.incarnation);
    let change = scratch.change(T0_MS, &[offer_put("o-borrowed", 1, T0_MS)]);
    let envelope = Envelope::sign(&pact_id, offers_of(m2.id()), change, &m2.device.key);
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "actor_not_bound_to_signer",
    );
    assert_eq!(reason, Rejection::ActorNotBoundToSigner);
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn device_of_another_member_is_not_delegated() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let before = Snapshot::of(&replica);
    // Member 1's real device writes member 0's offers.
    let m1 = &pact.members[1];
    let victim = offers_of(pact.members[0].id());
    let envelope = signed_change(
        &pact_id,
        victim,
        &m1.device.key,
        m1.device.incarnation,
        T0_MS,
        &[offer_put("o-hijack", 9, T0_MS)],
    );
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "signer_not_delegated",
    );
    assert_eq!(reason, Rejection::SignerNotDelegated);
    assert_eq!(Snapshot::of(&replica), before);

    // A stranger's key, bound to its own actor, is not delegated either.
    let outsider = stranger(77);
    let envelope = signed_change(
        &pact_id,
        victim,
        &outsider,
        [1; 16],
        T0_MS,
        &[offer_put("o-stranger", 9, T0_MS)],
    );
    let report = receive(&mut replica, &envelope);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].1, Rejection::SignerNotDelegated);
    assert_eq!(
        replica.stats().rejected.get("signer_not_delegated"),
        Some(&2)
    );
    assert_eq!(Snapshot::of(&replica), before);
}

#[test]
fn change_made_after_the_delegation_expired_is_refused() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m2 = &pact.members[2];
    let second_device = KeyPair::from_seed([42; 32]);
    let expires_ms = T0_MS + 1_000;
    let delegation =
        replica
            .membership()
            .delegate(&m2.member_key, m2.id(), &second_device, expires_ms, T0_MS);
    replica
        .receive_entry(delegation)
        .expect("a member delegates a second device");
    declare(&mut replica, &second_device, m2.id(), [3; 16]);

    let document = offers_of(m2.id());
    let mut scratch = Scratch::new(document, &second_device, [3; 16]);
    // Made while the delegation held: accepted.
    let early = Envelope::sign(
        &pact_id,
        document,
        scratch.change(expires_ms, &[offer_put("o-early", 1, expires_ms)]),
        &second_device,
    );
    let report = receive(&mut replica, &early);
    assert_eq!(report.accepted, vec![early.clone()]);
    assert!(report.rejected.is_empty());

    // The next change of the same device, stamped after the expiry.
    let before = Snapshot::of(&replica);
    let late_ms = expires_ms + 1;
    let late = Envelope::sign(
        &pact_id,
        document,
        scratch.change(late_ms, &[offer_put("o-late", 1, late_ms)]),
        &second_device,
    );
    let report = receive(&mut replica, &late);
    let reason = assert_refused(&replica, &report, late.content_hash(), "delegation_expired");
    assert_eq!(reason, Rejection::DelegationExpired);
    assert_eq!(Snapshot::of(&replica), before);
    // The member's first device, whose delegation still holds, is unaffected.
    assert_eq!(
        replica
            .write(
                &m2.device,
                Collection::Offers,
                &[offer_put("o-still", 1, late_ms)],
                late_ms,
            )
            .map(|_| ()),
        Ok(())
    );
}

#[test]
fn document_of_a_non_member_is_refused() {
    let Fixture {
        pact_id,
        mut replica,
        ..
    } = fixture();
    let before = Snapshot::of(&replica);
    // A stranger writes "its own" document, signed with its own key.
    let outsider = stranger(99);
    let document = offers_of(MemberId::from_key(outsider.public()));
    let envelope = signed_change(
        &pact_id,
        document,
        &outsider,
        [2; 16],
        T0_MS,
        &[offer_put("o-outsider", 4, T0_MS)],
    );
    let report = receive(&mut replica, &envelope);
    let reason = assert_refused(
        &replica,
        &report,
        envelope.content_hash(),
        "owner_not_member",
    );
    assert_eq!(reason, Rejection::OwnerNotMember);
    assert_eq!(Snapshot::of(&replica), before);
}

/// The raw bytes of a change built directly with automerge, as actor
/// `key ‖ incarnation`, so that it can hold what the schema forbids.
fn raw_change(
    key: &KeyPair,
    incarnation: [u8; 16],
    build: impl FnOnce(&mut automerge::AutoCommit),
) -> Vec<u8> {
    let mut doc = automerge::AutoCommit::new();
    doc.set_actor(identity::actor_id(&key.public(), incarnation));
    build(&mut doc);
    doc.commit_with(automerge::transaction::CommitOptions::default().with_time(T0_MS));
    doc.get_last_local_change()
        .expect("the change is not empty")
        .raw_bytes()
        .to_vec()
}

#[test]
fn operations_that_are_not_well_formed_records_are_refused() {
    use automerge::transaction::Transactable;
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let m2 = &pact.members[2];
    let (key, incarnation) = (&m2.device.key, m2.device.incarnation);
    let offers = offers_of(m2.id());
    let requests = DocumentId::new(m2.id(), Collection::Requests);
    let scratch = |document: DocumentId, ops: &[RecordOp]| {
        signed_change(&pact_id, document, key, incarnation, T0_MS, ops)
    };
    let put = |key: &str, json: &str| RecordOp::Put {
        key: key.into(),
        json: json.into(),
    };
    let valid_offer = offer_put("o-fine", 1, T0_MS);
    let RecordOp::Put {
        json: offer_json, ..
    } = valid_offer.clone()
    else {
        unreachable!("offer_put makes a put");
    };
    let cases: Vec<(&str, Envelope)> = vec![
        (
            "JSON that does not parse",
            scratch(offers, &[put("offer:o-bad", "{not json")]),
        ),
        (
            "a record of the wrong type for its tag",
            scratch(offers, &[put("offer:o-bad", "{\"name\": \"x\"}")]),
        ),
        (
            "a record breaking a rule (no laptops)",
            scratch(offers, &[offer_put("o-zero", 0, T0_MS)]),
        ),
        (
            "an offer in the requests document",
            scratch(requests, &[put("offer:o-misplaced", &offer_json)]),
        ),
        (
            "an unknown tag",
            scratch(offers, &[put("widget:w-1", &offer_json)]),
        ),
        (
            "a key that is no record key",
            scratch(offers, &[put("o-untagged", &offer_json)]),
        ),
        ("a delete of a key of another collection", {
            // Only the delete is sent; its key is checked before its
            // dependency is looked for.
            let mut scratch = Scratch::new(requests, key, incarnation);
            scratch.change(T0_MS, &[put("offer:o-misplaced", &offer_json)]);
            let delete = scratch.change(
                T0_MS,
                &[RecordOp::Delete {
                    key: "offer:o-misplaced".into(),
                }],
            );
            Envelope::sign(&pact_id, requests, delete, key)
        }),
        (
            "a valid record and an invalid one in one change",
            scratch(offers, &[valid_offer.clone(), put("offer:o-bad", "[]")]),
        ),
        (
            "a nested automerge map",
            Envelope::sign(
                &pact_id,
                offers,
                raw_change(key, incarnation, |doc| {
                    doc.put_object(automerge::ROOT, "offer:o-nested", automerge::ObjType::Map)
                        .expect("put a map");
                }),
                key,
            ),
        ),
        (
            "a JSON string inside a nested list",
            Envelope::sign(
                &pact_id,
                offers,
                raw_change(key, incarnation, |doc| {
                    let list = doc
                        .put_object(automerge::ROOT, "offer:o-list", automerge::ObjType::List)
                        .expect("put a list");
                    doc.insert(&list, 0, offer_json.as_str()).expect("insert");
                }),
                key,
            ),
        ),
        (
            "an integer instead of a JSON string",
            Envelope::sign(
                &pact_id,
                offers,
                raw_change(key, incarnation, |doc| {
                    doc.put(automerge::ROOT, "offer:o-int", 5_i64).expect("put");
                }),
                key,
            ),
        ),
        (
            "a counter",
            Envelope::sign(
                &pact_id,
                offers,
                raw_change(key, incarnation, |doc| {
                    doc.put(
                        automerge::ROOT,
                        "offer:o-counter",
                        automerge::ScalarValue::counter(1),
                    )
                    .expect("put");
                }),
                key,
            ),
        ),
    ];
    let before = Snapshot::of(&replica);
    for (count, (what, envelope)) in cases.iter().enumerate() {
        let report = receive(&mut replica, envelope);
        assert!(report.accepted.is_empty(), "{what}: accepted");
        assert_eq!(report.rejected.len(), 1, "{what}: {:?}", report.rejected);
        let (hash, reason) = &report.rejected[0];
        assert_eq!(*hash, envelope.content_hash(), "{what}");
        assert!(
            matches!(reason, Rejection::MalformedRecord(_)),
            "{what}: refused as {reason}"
        );
        assert_eq!(reason.code(), "malformed_record");
        assert_eq!(
            replica.stats().rejected,
            BTreeMap::from([("malformed_record", count as u64 + 1)]),
            "{what}"
        );
        assert_eq!(Snapshot::of(&replica), before, "{what}");
    }
    // The valid record alone is fine, so the refusals were about the rest.
    let report = receive(&mut replica, &scratch(offers, &[valid_offer]));
    assert_eq!(report.accepted.len(), 1);
}
