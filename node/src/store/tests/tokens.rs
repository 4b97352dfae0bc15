//! API tokens in the store: the older stored form (no role, no expiry)
//! still reads, and an account's tokens go together.

use super::*;
use crate::store::TokenRecord;
use crate::store::schema::API_TOKENS;

#[derive(serde::Serialize)]
struct OldToken<'a> {
    account: &'a str,
    label: &'a str,
    created_at_ms: i64,
}

#[test]
fn tokens_in_the_older_form_read_and_go_with_their_account() {
    let dir = tempfile::tempdir().unwrap();
    let pact = Pact::new();
    let store = pact.create_store(&dir);
    let old = OldToken {
        account: "admin",
        label: "cli",
        created_at_ms: 5,
    };
    store.put_row(API_TOKENS, [1; 32], &old, "test").unwrap();
    let new = TokenRecord {
        account: "ines".into(),
        label: "Skript".into(),
        created_at_ms: 6,
        role: Some("viewer".into()),
        expires_at_ms: Some(99),
    };
    store.put_token([2; 32], &new).unwrap();
    let read = store.token([1; 32]).unwrap().unwrap();
    assert_eq!(
        (read.account.as_str(), read.role, read.expires_at_ms),
        ("admin", None, None)
    );
    assert_eq!(store.token([2; 32]).unwrap(), Some(new));
    assert_eq!(store.tokens().unwrap().len(), 2);
    assert_eq!(store.remove_tokens_of("admin").unwrap(), 1);
    assert_eq!(store.token([1; 32]).unwrap(), None);
    assert_eq!(store.tokens().unwrap().len(), 1);
}
