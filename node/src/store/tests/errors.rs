use super::*;
use crate::store::schema::{META, META_SCHEMA_VERSION};
use crate::store::{SCHEMA_VERSION, StoreError};

/// Rewrites the schema version of the store at `path` behind its back.
fn set_schema_version(path: &std::path::Path, version: u32) {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut meta = txn.open_table(META).unwrap();
        meta.insert(META_SCHEMA_VERSION, version.to_be_bytes().as_slice())
            .unwrap();
    }
    txn.commit().unwrap();
}

#[test]
fn opening_a_missing_store_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_path(&dir);
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Missing { .. }), "{error}");
    assert!(error.to_string().contains(&path.display().to_string()));
    assert!(!path.exists());
}

#[test]
fn creating_over_an_existing_store_fails_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(1);
    pact.create_store(&dir)
        .append_envelopes(&envelopes)
        .unwrap();
    let error = Store::create(store_path(&dir), PactId([1; 32]), [2; 16], T0_MS).unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { .. }), "{error}");
    let store = Store::open(store_path(&dir)).unwrap();
    assert_eq!(store.meta().pact, pact.pact_id());
    assert_eq!(store.load().unwrap().envelopes, envelopes);
}

#[test]
fn garbage_and_empty_files_are_not_stores() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_path(&dir);
    let garbage: Vec<u8> = (0..20_000u32).map(|n| (n * 7 + 3) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file was changed"
    );

    std::fs::write(&path, b"").unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");

    let error = Store::open(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
}

#[test]
fn a_database_without_metadata_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_path(&dir);
    drop(redb::Database::create(&path).unwrap());
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
}

#[test]
fn a_newer_schema_is_refused_with_advice_to_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    drop(Pact::new().create_store(&dir));
    set_schema_version(&store_path(&dir), SCHEMA_VERSION + 1);
    let error = Store::open(store_path(&dir)).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found, supported, .. }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{error}"
    );
    assert!(error.to_string().contains("Upgrade amtshilfe"), "{error}");
}

#[test]
fn an_older_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Pact::new().create_store(&dir));
    set_schema_version(&store_path(&dir), SCHEMA_VERSION - 1);
    let error = Store::open(store_path(&dir)).unwrap_err();
    assert!(matches!(error, StoreError::OlderSchema { .. }), "{error}");
}

#[test]
fn a_store_open_elsewhere_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _held = Pact::new().create_store(&dir);
    let error = Store::open(store_path(&dir)).unwrap_err();
    assert!(matches!(error, StoreError::InUse { .. }), "{error}");
}

#[test]
fn damaged_pages_are_reported_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let mut pact = Pact::new();
    let envelopes = pact.write_profiles(20);
    let store = pact.create_store(&dir);
    store.append_entries(&pact.entries()).unwrap();
    store.append_envelopes(&envelopes).unwrap();
    drop(store);
    let path = store_path(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    // Damage every page after the header region.
    let len = bytes.len();
    for offset in (8192..len).step_by(4096) {
        for byte in &mut bytes[offset..(offset + 64).min(len)] {
            *byte ^= 0xA5;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Corrupted { .. }), "{error}");
}

#[test]
fn errors_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<StoreError>();
    assert_send_sync::<Store>();
}
