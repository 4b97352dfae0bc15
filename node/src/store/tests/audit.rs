//! The audit log's hash chains: an edited, removed or cut-off row is
//! found; request rows never push security rows out; rows from before the
//! chains move into the security chain.

use redb::ReadableTable;

use super::*;
use crate::store::schema::{AUDIT, AUDIT_REQUESTS, AUDIT_SECURITY};
use crate::store::{AUDIT_ROWS_MAX, AuditKind, AuditRecord};

fn row(n: i64, action: &str) -> AuditRecord {
    AuditRecord {
        at_ms: T0_MS + n,
        account: "admin".into(),
        action: action.into(),
        detail: n.to_string(),
    }
}

fn problems(store: &Store, kind: AuditKind) -> Vec<String> {
    let reports = store.verify_audit().unwrap();
    reports
        .into_iter()
        .find(|r| r.kind == kind)
        .unwrap()
        .problems
}

fn chained_store(dir: &tempfile::TempDir) -> Store {
    let store = Pact::new().create_store(dir);
    for n in 0..10 {
        store.append_audit(&row(n, "login")).unwrap();
        store
            .append_audit_rows(AuditKind::Request, &[row(n, "POST /api/offers")])
            .unwrap();
    }
    assert!(
        store
            .verify_audit()
            .unwrap()
            .iter()
            .all(|r| r.problems.is_empty() && r.rows == 10)
    );
    store
}

#[test]
fn an_edited_row_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = chained_store(&dir);
    let txn = store.db.begin_write().unwrap();
    {
        let mut table = txn.open_table(AUDIT_SECURITY).unwrap();
        let mut bytes = table.get(4).unwrap().unwrap().value().to_vec();
        // The detail "4" becomes "5": a changed row that still decodes.
        let last = bytes.len() - 1;
        bytes[last] = b'5';
        table.insert(4, bytes.as_slice()).unwrap();
    }
    txn.commit().unwrap();
    let found = problems(&store, AuditKind::Security);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("row 5:"), "{found:?}");
    assert!(problems(&store, AuditKind::Request).is_empty());
}

#[test]
fn a_removed_row_and_a_cut_off_end_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = chained_store(&dir);
    let txn = store.db.begin_write().unwrap();
    txn.open_table(AUDIT_REQUESTS).unwrap().remove(3).unwrap();
    txn.commit().unwrap();
    let found = problems(&store, AuditKind::Request);
    assert!(found.iter().any(|p| p.starts_with("row 4:")), "{found:?}");

    let txn = store.db.begin_write().unwrap();
    txn.open_table(AUDIT_SECURITY).unwrap().pop_last().unwrap();
    txn.commit().unwrap();
    let found = problems(&store, AuditKind::Security);
    assert!(
        found.iter().any(|p| p.contains("cut off")),
        "the newest row was cut: {found:?}"
    );

    // A cut at the front (the oldest rows gone, the anchor not moved).
    let txn = store.db.begin_write().unwrap();
    txn.open_table(AUDIT_SECURITY).unwrap().pop_first().unwrap();
    txn.commit().unwrap();
    let found = problems(&store, AuditKind::Security);
    assert!(found.iter().any(|p| p.starts_with("row 1:")), "{found:?}");
}

#[test]
fn request_rows_never_push_security_rows_out_and_dropping_keeps_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = Pact::new().create_store(&dir);
    store.append_audit(&row(0, "login")).unwrap();
    let flood: Vec<AuditRecord> = (0..AUDIT_ROWS_MAX as i64 + 10)
        .map(|n| row(n, "POST /api/offers"))
        .collect();
    store.append_audit_rows(AuditKind::Request, &flood).unwrap();
    store
        .append_audit_rows(AuditKind::Request, &[row(1, "POST /api/offers")])
        .unwrap();
    let reports = store.verify_audit().unwrap();
    assert!(reports.iter().all(|r| r.problems.is_empty()), "{reports:?}");
    let requests = reports
        .iter()
        .find(|r| r.kind == AuditKind::Request)
        .unwrap();
    assert_eq!((requests.rows, requests.dropped), (AUDIT_ROWS_MAX, 11));
    let security = reports
        .iter()
        .find(|r| r.kind == AuditKind::Security)
        .unwrap();
    assert_eq!(security.rows, 1);
    let (_, total) = store.audit_page(0, 1).unwrap();
    assert_eq!(total, AUDIT_ROWS_MAX + 1);
}

#[test]
fn rows_from_before_the_chains_move_into_the_security_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = Pact::new().create_store(&dir);
    let txn = store.db.begin_write().unwrap();
    {
        let mut legacy = txn.open_table(AUDIT).unwrap();
        for n in 0..3 {
            let bytes = postcard::to_stdvec(&row(n, "login")).unwrap();
            legacy.insert(n as u64, bytes.as_slice()).unwrap();
        }
    }
    txn.commit().unwrap();
    // Shown before the move ...
    assert_eq!(store.audit_log(10).unwrap().len(), 3);
    store
        .append_audit_rows(AuditKind::Request, &[row(5, "POST /api/offers")])
        .unwrap();
    // ... and after it, chained.
    let shown: Vec<String> = store
        .audit_log(10)
        .unwrap()
        .into_iter()
        .map(|r| r.detail)
        .collect();
    assert_eq!(shown, ["5", "2", "1", "0"]);
    let reports = store.verify_audit().unwrap();
    assert!(reports.iter().all(|r| r.problems.is_empty()), "{reports:?}");
    assert_eq!(reports[0].rows, 3);
}
