use super::*;
use crate::store::{AppendReport, SCHEMA_VERSION, StoreCounts};

#[test]
fn round_trip_keeps_order_and_meta() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(5);
    let store = pact.create_store(&dir);
    assert_eq!(store.meta().schema_version, SCHEMA_VERSION);
    assert_eq!(store.meta().pact, pact.pact_id());
    assert_eq!(store.meta().incarnation, [13; 16]);
    assert_eq!(store.meta().created_at_ms, T0_MS);

    let report = store.append_entries(&pact.entries()).unwrap();
    assert_eq!(
        report.stored, 3,
        "the charter, the delegation, the incarnation"
    );
    // Stored in two batches, out of key order, to see insertion order kept.
    store.append_envelopes(&envelopes[3..]).unwrap();
    store.append_envelopes(&envelopes[..3]).unwrap();

    let state = store.load().unwrap();
    assert_eq!(state.pact, pact.pact_id());
    assert_eq!(state.entries, pact.entries());
    assert_eq!(state.charter(), Some(&pact.charter));
    let mut expected = envelopes[3..].to_vec();
    expected.extend_from_slice(&envelopes[..3]);
    assert_eq!(state.envelopes, expected);
    for envelope in &envelopes {
        assert_eq!(
            store.envelope_by_hash(&envelope.content_hash()).unwrap(),
            Some(envelope.clone())
        );
    }
    assert_eq!(
        store
            .envelope_by_hash(&amtshilfe_protocol::ids::Sha256Hash([0; 32]))
            .unwrap(),
        None
    );
}

#[test]
fn reopening_brings_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(3);
    let meta = {
        let store = pact.create_store(&dir);
        store.append_entries(&pact.entries()).unwrap();
        store.append_envelopes(&envelopes).unwrap();
        store
            .remember_peer_addresses("12D3KooWPeer", &["/ip4/192.0.2.1/tcp/4100".into()], T0_MS)
            .unwrap();
        *store.meta()
    };
    let store = Store::open(store_path(&dir)).unwrap();
    assert_eq!(*store.meta(), meta);
    let state = store.load().unwrap();
    assert_eq!(state.entries, pact.entries());
    assert_eq!(state.envelopes, envelopes);
    assert_eq!(
        store.counts().unwrap(),
        StoreCounts {
            envelopes: 3,
            entries: 3,
            peers: 1
        }
    );
    // Appending after a restart continues the order.
    let more = pact.write_profiles(1);
    store.append_envelopes(&more).unwrap();
    drop(store);
    let state = Store::open(store_path(&dir)).unwrap().load().unwrap();
    assert_eq!(state.envelopes.len(), 4);
    assert_eq!(state.envelopes[3], more[0]);
}

#[test]
fn duplicates_are_counted_not_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(2);
    let store = pact.create_store(&dir);
    store.append_entries(&pact.entries()).unwrap();
    let again = store.append_entries(&pact.entries()).unwrap();
    assert_eq!(
        again,
        AppendReport {
            stored: 0,
            duplicates: 3,
            conflicts: 0
        }
    );
    store.append_envelopes(&envelopes[..1]).unwrap();
    // A batch repeating an envelope, and repeating one within itself.
    let batch = vec![
        envelopes[0].clone(),
        envelopes[1].clone(),
        envelopes[1].clone(),
    ];
    let report = store.append_envelopes(&batch).unwrap();
    assert_eq!(
        report,
        AppendReport {
            stored: 1,
            duplicates: 2,
            conflicts: 0
        }
    );
    let state = store.load().unwrap();
    assert_eq!(state.envelopes, envelopes);
    assert_eq!(state.entries.len(), 3);
    assert_eq!(store.counts().unwrap().envelopes, 2);
}

#[test]
fn a_forked_seq_keeps_the_first_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let first = pact.write_profiles(1);
    // A second replica with the same device and incarnation writes seq 1 again.
    let mut twin = Pact::new();
    twin.replica = Replica::new(pact.charter.clone()).unwrap();
    twin.replica.receive_entry(pact.delegation.clone()).unwrap();
    let op = RecordOp::Put {
        key: RecordKey::profile().to_string(),
        json: Record::Profile(profile(T0_MS + 99)).to_json(),
    };
    let forked = twin
        .replica
        .write(&twin.device, Collection::Profile, &[op], T0_MS + 99)
        .unwrap();
    assert_ne!(forked, first[0]);
    let store = pact.create_store(&dir);
    store.append_envelopes(&first).unwrap();
    let report = store.append_envelopes(&[forked]).unwrap();
    assert_eq!(report.conflicts, 1);
    assert_eq!(store.load().unwrap().envelopes, first);
}

#[test]
fn an_envelope_without_a_storage_key_refuses_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let good = pact.write_profiles(1);
    let mut bad = good[0].clone();
    bad.change = vec![1, 2, 3];
    let store = pact.create_store(&dir);
    let error = store.append_envelopes(&[good[0].clone(), bad]).unwrap_err();
    assert!(
        matches!(error, crate::store::StoreError::Refused { .. }),
        "{error}"
    );
    assert_eq!(store.counts().unwrap().envelopes, 0);
}

#[test]
fn audit_rows_keep_their_order_across_single_and_batch_appends() {
    let dir = tempfile::tempdir().unwrap();
    let pact = Pact::new();
    let store = pact.create_store(&dir);
    let row = |n: i64| crate::store::AuditRecord {
        at_ms: T0_MS + n,
        account: "admin".into(),
        action: format!("action {n}"),
        detail: String::new(),
    };
    store.append_audit(&row(0)).unwrap();
    store.append_audits(&[row(1), row(2), row(3)]).unwrap();
    store.append_audit(&row(4)).unwrap();
    store.append_audits(&[]).unwrap();

    let newest_first: Vec<String> = store
        .audit_log(10)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        newest_first,
        ["action 4", "action 3", "action 2", "action 1", "action 0"]
    );
    let last_two: Vec<i64> = store
        .audit_log(2)
        .unwrap()
        .into_iter()
        .map(|r| r.at_ms - T0_MS)
        .collect();
    assert_eq!(last_two, [4, 3]);
}

#[test]
fn envelopes_and_their_order_that_disagree_are_reported_as_damage() {
    use crate::store::schema::{ENVELOPE_ORDER, ENVELOPES};
    use redb::{ReadableDatabase, ReadableTable};
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(3);
    let store = pact.create_store(&dir);
    store.append_envelopes(&envelopes).unwrap();
    let first_key = {
        let txn = store.db.begin_read().unwrap();
        let order = txn.open_table(ENVELOPE_ORDER).unwrap();
        let (_, key) = order.first().unwrap().unwrap();
        key.value()
    };

    // An envelope listed in the order but missing from its table.
    let txn = store.db.begin_write().unwrap();
    let removed = txn
        .open_table(ENVELOPES)
        .unwrap()
        .remove(first_key)
        .unwrap()
        .map(|bytes| bytes.value().to_vec())
        .unwrap();
    txn.commit().unwrap();
    let error = store.load().expect_err("damaged").to_string();
    assert!(error.contains("listed but missing"), "{error}");

    // An envelope stored but listed nowhere.
    let txn = store.db.begin_write().unwrap();
    {
        txn.open_table(ENVELOPES)
            .unwrap()
            .insert(first_key, removed.as_slice())
            .unwrap();
        txn.open_table(ENVELOPE_ORDER).unwrap().pop_first().unwrap();
    }
    txn.commit().unwrap();
    let error = store.load().expect_err("damaged").to_string();
    assert!(error.contains("disagree"), "{error}");
}
