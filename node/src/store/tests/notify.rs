//! The notification outbox: the first run is baseline, an id is recorded
//! once, rows are capped with past alerts going first, and it all
//! survives reopening.

use super::*;
use crate::store::{NOTIFY_EVENTS_MAX, NewAlert, NotifyStatus};

fn alert(n: usize) -> NewAlert {
    NewAlert {
        id: format!("a{n:05}"),
        kind: "new_request".into(),
        subject_de: format!("Anfrage {n}"),
        subject_en: format!("Request {n}"),
    }
}

#[test]
fn the_outbox_records_each_id_once_and_keeps_live_alerts_under_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(store_path(&dir), PactId([1; 32]), [2; 16], T0_MS).unwrap();
    assert_eq!(store.notify_started_at_ms().unwrap(), None);
    let old: Vec<NewAlert> = (0..NOTIFY_EVENTS_MAX).map(alert).collect();
    assert!(store.notify_record(&old, T0_MS).unwrap().is_empty());
    assert_eq!(store.notify_started_at_ms().unwrap(), Some(T0_MS));
    let rows = store.notify_events(usize::MAX).unwrap();
    assert_eq!(rows.len(), NOTIFY_EVENTS_MAX);
    assert!(rows.iter().all(|e| e.status == NotifyStatus::Baseline));

    // Alert 0 (the oldest row) still holds; three new ones come.
    let mut now = vec![alert(0)];
    now.extend((NOTIFY_EVENTS_MAX..NOTIFY_EVENTS_MAX + 3).map(alert));
    let opened = store.notify_record(&now, T0_MS + 1).unwrap();
    assert_eq!(opened.len(), 3);
    assert!(opened.iter().all(|e| e.status == NotifyStatus::Open));
    drop(store);

    let store = Store::open(store_path(&dir)).unwrap();
    assert!(store.notify_record(&now, T0_MS + 2).unwrap().is_empty());
    let rows = store.notify_events(usize::MAX).unwrap();
    assert_eq!(rows.len(), NOTIFY_EVENTS_MAX);
    let ids: Vec<&str> = rows.iter().map(|e| e.alert_id.as_str()).collect();
    assert!(ids.contains(&"a00000"), "a live alert must not be evicted");
    for gone in ["a00001", "a00002", "a00003"] {
        assert!(!ids.contains(&gone), "{gone} should have made room");
    }
    assert_eq!(rows[0].seq, NOTIFY_EVENTS_MAX as u64 + 3, "newest first");
}

/// A round whose alerts are all recorded writes nothing (no commit, no
/// fsync, so it passes even on a failing disk); on a failing disk a new
/// alert or an update is refused, not reported stored, and nothing of it
/// is kept.
#[test]
fn a_round_with_nothing_new_writes_nothing_and_a_failing_disk_refuses_the_rest() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(store_path(&dir), PactId([1; 32]), [2; 16], T0_MS).unwrap();
    assert!(store.notify_record(&[alert(0)], T0_MS).unwrap().is_empty());

    store.failing.store(true, Ordering::Relaxed);
    assert!(
        store
            .notify_record(&[alert(0)], T0_MS + 1)
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .notify_record(&[alert(0), alert(1)], T0_MS + 2)
            .is_err()
    );
    assert!(
        store
            .notify_update(1, |event| event.status = NotifyStatus::Unanswered)
            .is_err()
    );

    store.failing.store(false, Ordering::Relaxed);
    let rows = store.notify_events(usize::MAX).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, NotifyStatus::Baseline);
    let opened = store
        .notify_record(&[alert(0), alert(1)], T0_MS + 3)
        .unwrap();
    assert_eq!(opened.len(), 1, "the refused alert is recorded now");
    assert_eq!(opened[0].alert_id, alert(1).id);
}
